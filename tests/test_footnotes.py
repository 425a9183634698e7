"""footnotes.py: Pandoc's notes found once, in lxml's tree and in WeasyPrint's alike."""

from __future__ import annotations

import tinyhtml5

from publish import bodytree, footnotes

PANDOC = ('<p>Text<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> and'
          '<a href="#fn2" class="footnote-ref" id="fnref2" role="doc-noteref"><sup>2</sup></a>.</p>\n'
          '<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">\n<hr>\n<ol>\n'
          '<li id="fn1"><p>One.<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>\n'
          '<li id="fn2"><p>Two, with a list:</p><ol><li>inner</li></ol>'
          '<a href="#fnref2" class="footnote-back" role="doc-backlink">↩︎</a></li>\n</ol>\n</section>\nafter')


def test_finds_the_section_and_its_notes_not_their_inner_lists() -> None:
    root = bodytree.parse(PANDOC)
    found = footnotes.find(root)
    assert [section.get("id") for _, section in found.sections] == ["footnotes"]
    assert [item.get("id") for item in found.items] == ["fn1", "fn2"]
    assert list(found.by_id()) == ["fn1", "fn2"]


def test_take_removes_the_section_and_keeps_the_text_after_it() -> None:
    root = bodytree.parse(PANDOC)
    found = footnotes.find(root)
    found.take()
    assert "footnotes" not in bodytree.to_html(root) and bodytree.to_html(root).endswith("\nafter")
    assert found.items[0].get("id") == "fn1"          # the notes outlive their section


def test_calls_and_back_links() -> None:
    root = bodytree.parse(PANDOC)
    links = list(bodytree.elements(root, "a"))
    calls = [a for a in links if footnotes.is_reference(a)]
    backs = [a for a in links if footnotes.is_back_link(a)]
    assert [footnotes.target(a) for a in calls] == ["fn1", "fn2"]
    assert [footnotes.target(a) for a in backs] == ["fnref1", "fnref2"]
    assert footnotes.target(bodytree.new("a", {"href": "https://x.example/#fn1"})) is None


def test_a_section_inside_notes_and_notes_in_math_are_not_sections() -> None:
    root = bodytree.parse('<div class="footnotes"><ol><li id="a">x<div class="footnotes"><ol><li id="b">y'
                          '</li></ol></div></li></ol></div><math><mrow class="footnotes"></mrow></math>')
    found = footnotes.find(root)
    assert len(found.sections) == 1 and [i.get("id") for i in found.items] == ["a"]


def test_works_on_weasyprints_tree() -> None:
    document = tinyhtml5.parse(f"<main>{PANDOC}</main>", namespace_html_elements=False)
    main = document.find(".//main")
    found = footnotes.find(main)
    found.take()
    assert [item.get("id") for item in found.items] == ["fn1", "fn2"]
    assert main.find("section") is None and (main[-1].tail or "").endswith("after")
