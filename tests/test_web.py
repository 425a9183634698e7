"""web.py: the body for feeds and emails, from its tree: absolute links, hosted images, TeX for math."""

from __future__ import annotations

import shutil
from pathlib import Path

from publish import bodytree
from publish.content.loader import load
from publish.model import Article, Image
from publish.web import WEB_IMAGE_WIDTH, web_body, web_tree
from tests.conftest import REPO, load_config, write_article

ARTICLE = """---
title: Web
excerpt: For feeds.
publishDate: 2024-05-01
---
See [the other](/blog/other/) and [a note](#sec).[^n]

![A diagram](/diagram.png){width=40}

![Remote](https://images.example/r.png) and $a < b$ and

$$E = mc^2$$

[^n]: The note.
"""


def _article(tmp_path: Path) -> Article:
    (tmp_path / "publish.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://t.example"\n'
                                           'article_url = "/blog/{slug}/"\n')
    shutil.copytree(REPO / "content" / "public", tmp_path / "content" / "public")
    write_article(tmp_path, "web.md", ARTICLE)
    article = load(load_config(cwd=tmp_path), write_cache=False).collection.get("web")
    assert article is not None
    return article


def _hosted(image: Image, max_width: int) -> tuple[str, int, int]:
    return f"https://t.example/images/{image.digest[:8]}.png", min(max_width, image.width), 7


def test_links_absolute_images_hosted_and_sized_math_as_tex(tmp_path: Path) -> None:
    article = _article(tmp_path)
    html = web_body(article, _hosted)
    assert '<a href="https://t.example/blog/other/">' in html
    assert '<a href="https://t.example/blog/web/#sec">' in html
    assert 'href="https://t.example/blog/web/#fn1"' in html and 'href="https://t.example/blog/web/#fnref1"' in html
    image = next(iter(article.images.values()))
    width = min(WEB_IMAGE_WIDTH, image.width)             # the copy's size replaces the author's width="40"
    assert 'width="40"' in article.body_html
    assert f'<img src="https://t.example/images/{image.digest[:8]}.png" alt="A diagram" width="{width}" height="7">' \
        in html
    assert 'src="https://images.example/r.png"' in html
    assert '<code class="math inline">a &lt; b</code>' in html
    assert '<code class="math display">E = mc^2</code>' in html
    assert "<math" not in html


def test_the_tree_is_what_the_html_says(tmp_path: Path) -> None:
    article = _article(tmp_path)
    assert bodytree.to_html(web_tree(article, _hosted)) == web_body(article, _hosted)
    assert article.body_html.count("<math") == 2                   # the article itself is left alone
