"""bodytree.py: one parse of the body, serialized back byte for byte, and the walks formats share."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import nh3
import pytest
import tinyhtml5
from hypothesis import given, settings
from hypothesis import strategies as st

from publish import bodytree
from publish.content.loader import load
from publish.html import sanitize
from tests.conftest import copy_sample, load_config

SRC = Path(__file__).parents[1] / "src" / "publish"
SHARED = ("namespaces.py", "bodytree.py", "footnotes.py", "math.py", "web.py")


def test_every_sample_article_round_trips_byte_for_byte(tmp_path: Path) -> None:
    site = copy_sample(tmp_path)
    collection = load(load_config(cwd=site), write_cache=False).collection
    assert len(collection.articles) >= 7
    for article in collection:
        assert bodytree.to_html(bodytree.parse(article.body_html)) == article.body_html, article.slug


@pytest.mark.parametrize("html", [
    '<p>a&nbsp;b &amp; c &lt;d&gt; "q" \'s\'</p>',
    '<img src="x.png" alt="a &quot;b&quot; &lt;c&gt; &amp; d&nbsp;e"><br><hr>',
    '\n\n<p>leading blank lines stay</p>\n',
    'text before <em>any</em> element',
    '<pre>\nfirst line break kept</pre>',
    '',
    '<ol reversed="" start="3"><li value="7">x</li></ol>',
    '<math display="block" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mi>x</mi>'
    '<annotation encoding="application/x-tex">x &lt; y</annotation></semantics></math>',
    '<table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
])
def test_sanitized_html_round_trips(html: str) -> None:
    clean = sanitize(html)
    assert bodytree.to_html(bodytree.parse(clean)) == clean


def test_tag_soup_is_normalized_once() -> None:
    """html5ever nests a paragraph in unclosed formatting elements; libxml2 closes them first. The
    loader stores the second form, which then parses back to itself."""
    clean = sanitize("<b><i>bold <table><tr><td>x</table>\n\n<p>after</p>")
    once = bodytree.to_html(bodytree.parse(clean))
    assert once != clean and "</i></b><p>after</p>" in once
    assert bodytree.to_html(bodytree.parse(once)) == once


_TAGS = ["p", "b", "i", "em", "a", "div", "section", "ul", "li", "table", "tr", "td", "pre", "code", "span",
         "blockquote", "h2", "figure", "img", "br", "math", "mi", "sup"]
_PIECES = st.one_of(
    st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t}>" for t in _TAGS]),
    st.sampled_from(['<a href="#fn1" class="footnote-ref">', '<img src="x.png" alt="a&amp;b">', "&nbsp;", "&lt;",
                     "\n", " ", '<td colspan="2">']),
    st.text(alphabet="ab <>&\"'\u00a0é", max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25))
def test_the_stored_form_is_stable_for_any_soup(pieces: list[str]) -> None:
    stored = bodytree.to_html(bodytree.parse(sanitize("".join(pieces))))
    assert bodytree.to_html(bodytree.parse(stored)) == stored
    assert nh3.clean(stored, tags=set()) == nh3.clean(sanitize("".join(pieces)), tags=set())   # same words


def test_characters_xml_forbids_are_left_out() -> None:
    clean = sanitize("<p>form&#12;feed and escape&#27;</p>")
    assert "\x0c" in clean                       # a character reference gets through the sanitizer
    root = bodytree.parse(clean)
    assert bodytree.to_html(root) == "<p>formfeed and escape</p>"
    root[0].text = root[0].text + "!"            # and the tree can be edited (lxml refuses such text)


def test_serializing_like_email_keeps_nbsp_as_a_character() -> None:
    root = bodytree.parse('<p title="a&nbsp;b">c&nbsp;d</p>')
    assert bodytree.outer_html(root[0], nbsp=False) == '<p title="a\u00a0b">c\u00a0d</p>'
    assert bodytree.outer_html(root[0]) == '<p title="a&nbsp;b">c&nbsp;d</p>'


def test_a_document_keeps_its_doctype_comments_and_raw_style() -> None:
    html = ('<!DOCTYPE html><html lang="en"><head><style>a > b { color: red }</style>'
            "<!--[if mso]><style>.x{}</style><![endif]--></head><body><p>x</p></body></html>")
    assert bodytree.document_html(bodytree.parse_document(html)) == html


def test_helpers_work_on_elementtree_too() -> None:
    """WeasyPrint's tree (tinyhtml5, ElementTree) takes the same helpers as lxml's."""
    document = tinyhtml5.parse('<p class="a b">x <math><mi>y</mi></math> <span>z</span> tail</p>',
                               namespace_html_elements=False)
    paragraph = document.find(".//p")
    assert paragraph is not None
    assert bodytree.classes(paragraph) == ["a", "b"] and bodytree.has_class(paragraph, "b")
    assert [e.tag.rsplit("}", 1)[-1] for e in bodytree.elements(paragraph, "math", "span")] == ["math", "span"]
    assert bodytree.squash(bodytree.text_content(paragraph, skip=("math",))) == "x z tail"
    span = paragraph.find("span")
    bodytree.remove(span, paragraph)
    assert "".join(paragraph.itertext()).endswith(" tail")
    code = ET.Element("code")
    math = next(bodytree.elements(paragraph, "math"))
    bodytree.replace(math, code, paragraph)
    assert paragraph[0] is code


def test_nodes_url_attributes_and_detach() -> None:
    root = bodytree.parse('lead <a href="/x">x</a> mid <img src="i.png" alt=""> end')
    assert [n if isinstance(n, str) else n.tag for n in bodytree.nodes(root)] == ["lead ", "a", " mid ", "img", " end"]
    assert [(e.tag, name) for e, name in bodytree.url_attributes(root)] == [("a", "href"), ("img", "src")]
    image = bodytree.detach(root[1])
    assert image.tail is None and bodytree.to_html(root) == 'lead <a href="/x">x</a> mid  end'


def test_new_elements_serialize_like_parsed_ones() -> None:
    box = bodytree.new("div", {"class": "c"}, "t&", [bodytree.new("br")])
    assert bodytree.outer_html(box) == '<div class="c">t&amp;<br></div>'


@pytest.mark.parametrize("name", SHARED)
def test_shared_body_modules_import_no_format_nor_pipeline(name: str) -> None:
    """Beside the model: no exporter, content, cli, pipeline or serve import, even inside a function."""
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    forbidden = ("publish.exporters", "publish.content", "publish.cli", "publish.pipeline", "publish.serve")
    assert [m for m in imported if m.startswith(forbidden)] == []
