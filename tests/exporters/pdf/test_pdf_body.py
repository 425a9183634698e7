"""pdf_body.py: the article body edited in the document WeasyPrint parsed, in place."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinyhtml5

from publish.content.loader import load
from publish.errors import PublishError
from publish.exporters.pdf.body import marked, prepare_body
from publish.model import Article
from tests.conftest import load_config, write_article

ARTICLE = """---
title: Notes
excerpt: A body with a note.
publishDate: 2024-05-01
---
Opening words with a note.[^n]

## A heading

Closing words.

[^n]: The note itself.
"""


@pytest.fixture
def article(tmp_path: Path) -> Article:
    (tmp_path / "content").mkdir()
    (tmp_path / "publish.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://t.example"\n')
    write_article(tmp_path, "notes.md", ARTICLE)
    found = load(load_config(cwd=tmp_path), write_cache=False).collection.get("notes")
    assert found is not None
    return found


def _document(inner: str) -> ET.Element:
    return tinyhtml5.parse(f"<html><body><main>{inner}</main><footer>end</footer></body></html>",
                           namespace_html_elements=False)


def _no_image(*_: object) -> tuple[str, int, int]:
    raise AssertionError("no image expected")


def test_the_body_is_edited_where_it_stands_and_the_markers_go(article: Article) -> None:
    document = _document("before " + marked(article.body_html) + " after")
    body = prepare_body(document, article, _no_image, lambda name: name)
    main = document.find(".//main")
    assert main is not None and body.warnings == []
    assert not [e for e in document.iter() if e.tag is ET.Comment]
    assert (main.text or "").startswith("before")
    assert (main[-1].tail or "").rstrip().endswith("after")
    assert [child.tag for child in main][:2] == ["p", "h2"]
    assert "lede" in main[0].get("class", "")
    note = main[0].find("span[@class='footnote']")
    assert note is not None and "The note itself." in "".join(note.itertext())
    assert not main.findall(".//section")                         # the notes section was taken apart
    assert document.find(".//footer").text == "end"               # type: ignore[union-attr]


def test_an_empty_body_leaves_the_text_around_it(article: Article) -> None:
    document = _document("before" + marked("") + "after")
    prepare_body(document, article, _no_image, lambda name: name)
    main = document.find(".//main")
    assert main is not None and len(main) == 0 and main.text == "beforeafter"


def test_a_template_without_the_body_is_a_clear_error(article: Article) -> None:
    with pytest.raises(PublishError, match=r"\{\{ body \}\}"):
        prepare_body(_document("no body here"), article, _no_image, lambda name: name)
