"""Blog-engine syntax is rendered where it has a meaning and dropped (with one warning) where not.

The HTML checks run the cleaned Markdown through the real Pandoc conversion and the sanitizer,
as the loader does."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publish.content.cleanup import clean
from publish.content.markdown import convert_many
from publish.html import sanitize


def html_of(markdown: str) -> str:
    converted = convert_many({"a": markdown}, sources={})["a"]
    assert isinstance(converted, str), converted
    return sanitize(converted)


def code_texts(html: str) -> list[str]:
    """The text of every code block, highlighting spans removed."""
    import html as stdlib_html

    return [stdlib_html.unescape(re.sub(r"<[^>]+>", "", block)) for block in re.findall(r"<pre[^>]*>(.*?)</pre>",
                                                                                        html, re.S)]


CSS = ":root {\n  --accent: #333;\n  --gap: calc(1rem -- 2px);\n}\n.note > p { content: \"`{{ x }}`\"; }"


# MDX, kramdown, directives -------------------------------------------------------------------

def test_mdx_imports_exports_and_components() -> None:
    cleaned = clean("import Image from '../x.astro'\nimport { Code } from 'astro:components';\n"
                    "export const meta = {\n  a: 1,\n}\n\n# Hi\n\n{/* note */}\n\n<Image src={x} />\n\nText\n", mdx=True)
    assert "import" not in cleaned.markdown and "export" not in cleaned.markdown
    assert "<Image" not in cleaned.markdown and "note */" not in cleaned.markdown
    assert "# Hi" in cleaned.markdown and "Text" in cleaned.markdown
    warning = cleaned.warning()
    assert warning is not None and "2 MDX import line(s)" in warning and "<Image /> component(s)" in warning


def test_remark_directives_become_notes() -> None:
    md = clean(":::note\nA note\n:::\n\n:::tip[Pro tip]\nUse it.\n:::\n").markdown
    assert ":::: note\n::: title\nNote\n:::\nA note\n::::" in md
    assert ":::: tip\n::: title\nPro tip\n:::\nUse it.\n::::" in md


def test_kramdown_attribute_lists() -> None:
    cleaned = clean("Para\n{: .lead}\nInline {: .note}\n")
    assert "{:" not in cleaned.markdown and "Inline" in cleaned.markdown and "Para" in cleaned.markdown


# Code ---------------------------------------------------------------------------------------

def test_code_is_never_touched() -> None:
    source = "```js\nimport x from 'y'\n{{< figure src=\"kept\" >}}\n{% raw %}\n```\n\nInline `{{ site.title }}` stays.\n"
    cleaned = clean(source, mdx=True, site={"title": "T"})
    assert cleaned.markdown == source and cleaned.warning() is None


def test_plain_markdown_is_unchanged() -> None:
    source = "# Title\n\nSome {{ curly }} text, a {literal} brace and 100% of it.\n"
    assert clean(source).markdown == source


def test_code_shortcode_with_a_language_is_a_code_block_kept_literally() -> None:
    source = f'Before.\n\n{{{{< code language="css" title="theme.css" >}}}}\n{CSS}\n{{{{< /code >}}}}\n\nAfter.\n'
    cleaned = clean(source)
    assert f"```css\n{CSS}\n```" in cleaned.markdown and cleaned.warning() is None
    html = html_of(cleaned.markdown)
    assert code_texts(html) == [CSS]
    assert 'class="sourceCode css"' in html and "–" not in html
    assert "<p>Before.</p>" in html and "<p>After.</p>" in html


def test_code_like_shortcodes_and_their_languages() -> None:
    cases = {
        '{{< highlight go "linenos=table,hl_lines=2" >}}\nx := 1\n{{< /highlight >}}': ("go", "x := 1"),
        '{{< code lang="python" >}}\nprint(1)\n{{< /code >}}': ("python", "print(1)"),
        '{{< codeblock type="yaml" >}}\na: 1\n{{< /codeblock >}}': ("yaml", "a: 1"),
        '{{% snippet %}}\nplain -- text\n{{% /snippet %}}': ("", "plain -- text"),
        '{{< tabbed type="rust" >}}\nfn main() {}\n{{< /tabbed >}}': ("rust", "fn main() {}"),
        "{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}": ("ruby", "puts 1"),
    }
    for source, (language, code) in cases.items():
        cleaned = clean(source + "\n")
        assert f"```{language}\n{code}\n```" in cleaned.markdown, source
        assert cleaned.warning() is None, source


def test_a_notice_type_is_not_a_language() -> None:
    md = clean('{{< notice type="warning" >}}\nCareful -- now.\n{{< /notice >}}\n').markdown
    assert ":::: warning" in md and "```" not in md


def test_code_inside_a_code_shortcode_is_never_read_as_markdown_or_mdx() -> None:
    code = "import x from 'y'\n```\nnested fence\n```\n{: .not-kramdown}\n:::note\n{{ site.title }} `tick`"
    cleaned = clean(f"{{{{< highlight js >}}}}\n{code}\n{{{{< /highlight >}}}}\n", mdx=True, site={"title": "T"})
    assert f"````js\n{code}\n````" in cleaned.markdown and cleaned.warning() is None
    assert code_texts(html_of(cleaned.markdown)) == [code]


def test_code_shortcode_inside_a_list_item_stays_in_the_item() -> None:
    source = ("1. Install:\n\n   {{< highlight bash >}}\n   npm install\n   {{< /highlight >}}\n\n"
              "2. Run {{< code >}}npm start{{< /code >}} now.\n")
    html = html_of(clean(source).markdown)
    assert re.search(r"<li>\s*<p>Install:</p>\s*<div[^>]*><pre", html)
    assert code_texts(html) == ["npm install", "npm start"]
    assert html.count("<li>") == 2 and "now." in html


def test_code_shortcode_in_a_blockquote() -> None:
    html = html_of(clean("> Quote:\n>\n> {{< highlight sh >}}\n> ls -la\n> {{< /highlight >}}\n").markdown)
    assert re.search(r"<blockquote>.*<pre.*</blockquote>", html, re.S) and code_texts(html) == ["ls -la"]


def test_engine_escapes_inside_code_show_what_the_engine_shows() -> None:
    source = ("```go-html-template\n{{</* figure src=\"x.png\" */>}}\n{{%/* notice */%}}\n```\n\n"
              "Use `{% raw %}{{ page.title }}{% endraw %}` in a layout.\n")
    md = clean(source).markdown
    assert '{{< figure src="x.png" >}}\n{{% notice %}}' in md
    assert "`{{ page.title }}`" in md


def test_hugo_comment_form_outside_code_is_literal_text() -> None:
    cleaned = clean('Write {{</* figure src="x" */>}} or {{</*figure*/>}}.\n')
    html = html_of(cleaned.markdown)
    assert '{{&lt; figure src="x" &gt;}}' in html and "{{&lt;figure&gt;}}" in html
    assert "<figure" not in html and cleaned.warning() is None


# Hugo shortcodes ----------------------------------------------------------------------------------

def test_details_with_markdown_inside_and_a_nested_code_block() -> None:
    source = ('{{< details summary="Show the *answer*" >}}\nIt is **42**.\n\n'
              '{{< code language="css" >}}\na { --x: 1; }\n{{< /code >}}\n{{< /details >}}\n\nAfter.\n')
    cleaned = clean(source)
    html = html_of(cleaned.markdown)
    assert re.search(r"<details>\s*<summary>Show the <em>answer</em></summary>\s*<p>It is <strong>42</strong>.</p>"
                     r"\s*<div[^>]*><pre[^>]*><code[^>]*>.*--x.*</code></pre></div>\s*</details>\s*<p>After.</p>",
                     html, re.S), html
    assert cleaned.warning() is None


def test_details_without_a_summary() -> None:
    html = html_of(clean("{{% details %}}\nInside.\n{{% /details %}}\n").markdown)
    assert "<summary>Details</summary>" in html and "<p>Inside.</p>" in html


def test_figure_is_a_figure_with_a_caption() -> None:
    cleaned = clean('{{< figure src="/img/x.png" alt="A cat" caption="Our *cat*" attr="Ann" '
                    'attrlink="https://ann.example" >}}\n')
    html = html_of(cleaned.markdown)
    assert re.search(r'<figure>\s*<img src="/img/x.png" alt="A cat"\s*/?>\s*<figcaption>Our <em>cat</em> '
                     r'<a href="https://ann.example">Ann</a></figcaption>\s*</figure>', html), html
    assert cleaned.warning() is None


def test_figure_alt_text_falls_back_to_the_caption_and_title_is_bold() -> None:
    html = html_of(clean('{{< figure src="a b.png" title="Fig. 1" caption="A [map](https://m.example)" '
                         'link="https://big.example" >}}').markdown)
    assert 'alt="A map"' in html and 'src="a b.png"' in html
    assert '<a href="https://big.example"><img' in html
    assert "<figcaption><strong>Fig. 1</strong> A <a" in html


def test_figure_without_a_caption_is_an_image() -> None:
    html = html_of(clean('Text.\n{{< figure src="/x.png" alt="X" >}}\n').markdown)
    assert '<p><img src="/x.png" alt="X"' in html and "<figure" not in html


def test_quote_with_an_attribution() -> None:
    html = html_of(clean('{{< quote author="Ada L." source="Notes" link="https://notes.example" >}}\n'
                         "The engine *weaves*.\n{{< /quote >}}\n").markdown)
    assert re.search(r"<blockquote>\s*<p>The engine <em>weaves</em>.</p>\s*<p>— Ada L., <cite>"
                     r'<a href="https://notes.example">Notes</a></cite></p>\s*</blockquote>', html), html
    html = html_of(clean("{{< blockquote >}}\nPlain.\n{{< /blockquote >}}\n").markdown)
    assert re.search(r"<blockquote>\s*<p>Plain.</p>\s*</blockquote>", html)


def test_embeds_become_links() -> None:
    cleaned = clean('{{< youtube abc123 >}} {{< youtube id="w7F" title="A talk" >}} {{< vimeo 55 >}}\n'
                    '{{< gist spf13 7896402 >}} {{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}\n'
                    '{{< tweet 877500564405444608 >}} {{< x user="x" id="9" >}} {{< instagram BWNjjyYFxVx >}}\n')
    html = html_of(cleaned.markdown)
    for url in ("https://www.youtube.com/watch?v=abc123", "https://www.youtube.com/watch?v=w7F", "https://vimeo.com/55",
                "https://gist.github.com/spf13/7896402", "https://twitter.com/SanDiegoZoo/status/1453110110599868418",
                "https://twitter.com/i/status/877500564405444608", "https://x.com/x/status/9",
                "https://www.instagram.com/p/BWNjjyYFxVx/"):
        assert f'href="{url}"' in html, url
    assert "Watch the video: A talk" in html and cleaned.warning() is None


def test_references_notices_and_params() -> None:
    cleaned = clean('See [it]({{< ref "other" >}}), [that]({{< relref "/posts/x.md#part" >}}).\n\n'
                    '{{% notice warning "Heads up" %}}\nCareful.\n{{% /notice %}}\n\n'
                    '{{< tip >}}\nA tip.\n{{< /tip >}}\n\n'
                    'By {{< param "author" >}}, {{< param "social.mastodon" >}} and {{< param nothing >}}.\n',
                    page={"author": "Ann"}, site={"params": {"social": {"mastodon": "@ann@x.example"}}})
    md = cleaned.markdown
    assert "[it](other.md)" in md and "[that](/posts/x.md#part)" in md
    assert ":::: warning\n::: title\nHeads up\n:::" in md and "Careful." in md and ":::: tip" in md
    html = html_of(md)
    assert "By Ann, @ann@x.example and ." in html
    assert cleaned.warning() == ("left out syntax that only the original blog engine understands: "
                                 "1 Hugo {{< param nothing >}} (not set)")


def test_unknown_paired_shortcode_keeps_its_markdown_and_is_named_once() -> None:
    cleaned = clean("{{< center >}}\nCentred **text**.\n{{< /center >}}\n\n"
                    "A {{< mark >}}marked *word*{{< /mark >}} inline, and {{% mark %}}again{{% /mark %}}.\n\n"
                    "{{< newsletter-form >}} {{< spacer />}}\n")
    html = html_of(cleaned.markdown)
    assert "<p>Centred <strong>text</strong>.</p>" in html
    assert "<p>A marked <em>word</em> inline, and again.</p>" in html
    assert cleaned.warning() == ("left out syntax that only the original blog engine understands: "
                                 "1 Hugo {{< center >}} shortcode(s), 2 Hugo {{< mark >}} shortcode(s), "
                                 "1 Hugo {{< newsletter-form >}} shortcode(s), 1 Hugo {{< spacer >}} shortcode(s)")


def test_multi_line_arguments_and_self_closing_tags() -> None:
    cleaned = clean('{{< figure\n    src="/x.png"\n    caption="Over\n two lines"\n>}}\n\n{{< youtube id="a1" />}}\n')
    html = html_of(cleaned.markdown)
    assert "<figcaption>Over two lines</figcaption>" in html and "watch?v=a1" in html


def test_nested_shortcodes_of_the_same_name_and_unclosed_ones() -> None:
    source = ("{{< details summary=\"Outer\" >}}\nA\n{{< details summary=\"Inner\" >}}\nB\n{{< /details >}}\n"
              "{{< /details >}}\n\n{{< notice info >}}\nnever closed\n")
    cleaned = clean(source)
    html = html_of(cleaned.markdown)
    assert html.count("<details>") == 2 and html.count("</details>") == 2
    assert re.search(r"<summary>Outer</summary>.*<summary>Inner</summary>.*B.*</details>.*</details>", html, re.S)
    assert "never closed" in html and "{{" not in html
    assert "1 Hugo {{< notice >}} shortcode(s)" in (cleaned.warning() or "")


def test_deep_nesting_and_many_tags_are_handled() -> None:
    deep = "{{< details >}}\n" * 3000 + "core\n" + "{{< /details >}}\n" * 3000
    assert "core" in clean(deep).markdown
    many = "{{< a >}} " * 5000 + "{{< /b >}} " * 5000 + "{{< x" * 2000
    assert "{{< /b >}}" not in clean(many).markdown


# Liquid -------------------------------------------------------------------------------------------

SITE = {"title": "Field *Notes*", "version": 3.2, "beta": True, "author": {"name": "Ann Lee", "email": "a@x.example"},
        "tags": ["a", "b"], "url": "https://notes.example", "baseurl": "/blog",
        "data": {"people": {"ann": {"name": "Ann"}}}, "evil": "<script>alert(1)</script> -- *x* [l](y)"}
PAGE = {"title": "Hello", "subtitle": "A first -- look", "author": "ann",
        "date": datetime(2016, 5, 20, 9, 30, tzinfo=UTC), "day": date(2020, 1, 2), "count": 7}


def test_liquid_values_from_the_site_and_the_page() -> None:
    cleaned = clean("{{ site.title }} v{{ site.version }} beta={{ site.beta }} by {{ site.author.name }}, "
                    "{{ page.subtitle }} ({{ page.count }}) {{ site.data.people[page.author].name }} "
                    "{{ site.data.people['ann'].name }} {{ site.tags }} {{ site.tags | join: ', ' }} "
                    "{{ site.tags.first }}{{ site.tags.size }}\n", site=SITE, page=PAGE)
    html = html_of(cleaned.markdown)
    assert ("<p>Field *Notes* v3.2 beta=true by Ann Lee, A first -- look (7) Ann Ann ab a, b a2</p>" in html), html
    assert cleaned.warning() is None


def test_liquid_filters() -> None:
    cleaned = clean('{{ site.author.name | upcase }} {{ site.author.name | downcase }} {{ page.title | escape }} '
                    '{{ site.nothing | default: "fallback" }} {{ page.date | date: "%B %-d, %Y" }} '
                    '{{ page.day | date_to_string }} {{ page.date | date_to_xmlschema }} '
                    '{{ "  pad  " | strip | append: "!" | prepend: "<" }} {{ page.title | replace: "l", "L" }} '
                    '{{ "/assets/a.png" | relative_url }} {{ page.title | size }} {{ page.title | no_such_filter }}\n',
                    site=SITE, page=PAGE)
    html = html_of(cleaned.markdown)
    assert ("ANN LEE ann lee Hello fallback May 20, 2016 02 Jan 2020 2016-05-20T09:30:00+00:00 &lt;pad! "
            "HeLLo /assets/a.png 5 Hello</p>") in html, html
    assert cleaned.warning() is None


def test_liquid_values_are_text_never_markup() -> None:
    for where in ("{{ site.evil }}\n", '<span title="{{ site.evil }}">x</span>\n', "[a]({{ site.evil }})\n"):
        html = html_of(clean(where, site=SITE).markdown)
        assert "<script" not in html and "<em>" not in html and "–" not in html, where
    html = html_of(clean("# {{ site.evil }}\n\n{{ site.evil }}\n", site=SITE).markdown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; -- *x* [l](y)</p>" in html


def test_undefined_liquid_values_render_empty_and_are_counted() -> None:
    cleaned = clean("A{{ site.version2 }}B{{ page.nothing }}C{{ site.version2 }}{{ post.title }}{{ site.author }}\n",
                    site=SITE, page=PAGE)
    assert cleaned.markdown == "ABC\n"
    assert cleaned.warning() == ("left out syntax that only the original blog engine understands: "
                                 "1 Liquid {{ page.nothing }} (not set in the front matter), "
                                 "1 Liquid {{ site.author }} (a group of settings, not text), "
                                 "2 Liquid {{ site.version2 }} (not set in _config.yml), "
                                 "1 Liquid {{ … }} expression(s)")
    assert "not set in _config.yml" in (clean("{{ site.title }}\n").warning() or "")


def test_site_url_before_a_path_leaves_the_path_to_the_loader() -> None:
    md = clean("![a]({{ site.baseurl }}/assets/a.png) [b]({{ site.url }}{{ site.baseurl }}/about/) "
               "<{{ site.url }}> at {{ site.url }}.\n", site=SITE).markdown
    assert "![a](/assets/a.png)" in md and "[b](/about/)" in md
    html = html_of(md)
    assert "https://notes.example" in html


def test_links_to_posts_and_pages() -> None:
    cleaned = clean("[a]({% post_url 2019-08-09-second %}) [b]({% link _posts/2016-05-20-x.markdown %}) "
                    "[c]({% link about.md %}) [d]({% link /docs/index.md %}) [e]({% link _guides/setup.md %}) "
                    "[f]({% link assets/file.pdf %}) [g]({% post_url /2020/2020-01-01-nested %}) [h]({% link index.html %})\n")
    md = cleaned.markdown
    for expected in ("[a](/_posts/2019-08-09-second.md)", "[b](/_posts/2016-05-20-x.markdown)", "[c](/about/)",
                     "[d](/docs/)", "[e](/guides/setup/)", "[f](/assets/file.pdf)",
                     "[g](/_posts/2020/2020-01-01-nested.md)", "[h](/)"):
        assert expected in md, expected
    assert cleaned.warning() is None


def test_raw_content_is_kept_literally() -> None:
    cleaned = clean("Write {% raw %}{{ not_liquid }} and {% if x %}{% endraw %} in templates.\n\n"
                    "{%- raw -%}\n```liquid\n{{ page.title }}\n```\n{%- endraw -%}\n", site=SITE, page=PAGE)
    html = html_of(cleaned.markdown)
    assert "<p>Write {{ not_liquid }} and {% if x %} in templates.</p>" in html
    assert code_texts(html) == ["{{ page.title }}"]
    assert cleaned.warning() is None


def test_other_liquid_tags() -> None:
    cleaned = clean("{% comment %}\nsecret {{ site.title }}\n{% endcomment %}\n"
                    "{% capture note %}hidden{% endcapture %}{% include footer.html %}\n"
                    "{% if site.beta %}Beta{% endif %} {% gist parkr/931c1c8 %}\n", site=SITE)
    md = cleaned.markdown
    assert "secret" not in md and "hidden" not in md and "Beta" in md
    assert "[View the gist](<https://gist.github.com/parkr/931c1c8>)" in md
    assert "{%" not in md
    warning = cleaned.warning() or ""
    assert "1 Liquid {% capture %} tag(s)" in warning and "1 Liquid {% include %} tag(s)" in warning
    assert "1 Liquid {% if %} tag(s)" in warning


# Properties ------------------------------------------------------------------------------------

ENGINE_SYNTAX = st.sampled_from([
    "{{< figure src=\"/x.png\" caption=\"c\" >}}", "{{< youtube abc >}}", "{{< details summary=\"s\" >}}",
    "{{< /details >}}", "{{% notice info %}}", "{{% /notice %}}", "{{< code language=\"css\" >}}", "{{< /code >}}",
    "{{< highlight go >}}", "{{< /highlight >}}", "{{< unknown a=1 >}}", "{{< /unknown >}}", "{{< self />}}",
    "{{</* literal */>}}", "{{ site.title }}", "{{ page.title | upcase }}", "{{ site.nothing }}",
    "{% raw %}", "{% endraw %}", "{% highlight ruby %}", "{% endhighlight %}", "{% link about.md %}",
    "{% post_url 2020-01-01-x %}", "{% include x.html %}", "{% if a %}", "{% endif %}", "\n\n", "\n", " ",
    "`", "```", "\n```\n", "> ", "1. ", "- ", "   ",
])
# Words made of letters only: no Markdown, HTML or engine syntax can form from them.
WORDS = st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.booleans())
@example("{{< a >}}{{< /a >}}{{< a", False)
@example("```\n{{< code >}}\n``` {% raw %}", True)
@example("\ue000{{ site.title }}\ue001", False)
def test_clean_never_raises(text: str, mdx: bool) -> None:
    cleaned = clean(text, mdx=mdx, site={"title": "T"}, page={"title": "P"})
    assert isinstance(cleaned.markdown, str)
    cleaned.warning()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(WORDS, ENGINE_SYNTAX), max_size=40))
def test_text_outside_engine_syntax_is_never_lost(pieces: list[str]) -> None:
    text = " ".join(pieces)
    output = clean(text, site={"title": "T"}, page={"title": "P"}).markdown
    words = [p for p in pieces if p.isalpha()]
    found = re.findall(r"[A-Za-z]+", output)
    position = 0
    for word in words:                     # every word, in order (engine output may add words between)
        assert word in found[position:], (word, text, output)
        position = found.index(word, position) + 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
       .filter(lambda code: "{{" not in code and "{%" not in code))
def test_code_shortcode_content_is_kept_verbatim(code: str) -> None:
    markdown = clean(f'{{{{< code language="css" >}}}}\n{code}\n{{{{< /code >}}}}\n').markdown
    lines = code.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines[-1] = lines[-1].rstrip(" \t")
        assert "\n" + "\n".join(lines) + "\n" in markdown
