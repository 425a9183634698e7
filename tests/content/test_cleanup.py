"""Blog-engine syntax is rendered where it has a meaning and dropped (with one warning) where not."""

from __future__ import annotations

from publish.content.cleanup import clean


def test_mdx_imports_exports_and_components() -> None:
    cleaned = clean("import Image from '../x.astro'\nimport { Code } from 'astro:components';\n"
                    "export const meta = {\n  a: 1,\n}\n\n# Hi\n\n{/* note */}\n\n<Image src={x} />\n\nText\n", mdx=True)
    assert "import" not in cleaned.markdown and "export" not in cleaned.markdown
    assert "<Image" not in cleaned.markdown and "note */" not in cleaned.markdown
    assert "# Hi" in cleaned.markdown and "Text" in cleaned.markdown
    warning = cleaned.warning()
    assert warning is not None and "2 MDX import line(s)" in warning and "<Image /> component(s)" in warning


def test_hugo_shortcodes() -> None:
    cleaned = clean('{{< figure src="/img/x.png" alt="A cat" caption="Our cat" >}}\n\n'
                    'See [it]({{< ref "other" >}}) and {{< youtube abc123 >}}.\n\n'
                    '{{% notice warning "Heads up" %}}\nCareful.\n{{% /notice %}}\n\n{{< tweet user="x" id="1" >}}\n')
    md = cleaned.markdown
    assert "![A cat](/img/x.png)" in md and "*Our cat*" in md
    assert "[it](other.md)" in md
    assert "https://www.youtube.com/watch?v=abc123" in md
    assert ":::: warning" in md and "Heads up" in md and "Careful." in md
    assert "{{" not in md
    assert cleaned.warning() is not None and "tweet" in cleaned.warning()  # type: ignore[operator]


def test_liquid_and_kramdown() -> None:
    cleaned = clean("{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n[next]({% post_url 2019-08-09-second %})\n\n"
                    "{% include footer.html %} at {{ site.baseurl }}/x and {{ page.title | upcase }}\n\nPara\n{: .lead}\n"
                    "Inline {: .note}\n")
    md = cleaned.markdown
    assert "```ruby\n" in md and "puts 1" in md
    assert "(/_posts/2019-08-09-second.md)" in md
    assert "{%" not in md and "{{" not in md and "{:" not in md
    assert "Inline" in md


def test_remark_directives_become_notes() -> None:
    md = clean(":::note\nA note\n:::\n\n:::tip[Pro tip]\nUse it.\n:::\n").markdown
    assert ":::: note\n::: title\nNote\n:::\nA note\n::::" in md
    assert ":::: tip\n::: title\nPro tip\n:::\nUse it.\n::::" in md


def test_code_is_never_touched() -> None:
    source = "```js\nimport x from 'y'\n{{< figure src=\"kept\" >}}\n{% raw %}\n```\n\nInline `{{ site.title }}` stays.\n"
    cleaned = clean(source, mdx=True)
    assert cleaned.markdown == source and cleaned.warning() is None


def test_plain_markdown_is_unchanged() -> None:
    source = "# Title\n\nSome {{ curly }} text, a {literal} brace and 100% of it.\n"
    assert clean(source).markdown == source
