"""Where an article lives on the blog: the path its own engine publishes it at.

Precedence: `[site] article_url` from publish.toml or the command line (or an Astro blog's post
route), then the engine's rules (Hugo's `url:` front matter, `[permalinks]` per section and
language prefixes; Jekyll's `permalink:` front matter and `_config.yml` permalink), then
publish's default `/blog/{slug}/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from publish.config import Config
from publish.engines import permalinks
from publish.engines.permalinks import PageFacts, PatternError
from publish.errors import ContentError


def article_path(config: Config, page: PageFacts, meta: Mapping[str, Any], language: str | None) -> str:
    """The site-relative, URL-escaped path of one article, e.g. "/zh/p/hello/"."""
    engine = config.engine
    try:
        if config.article_url_is_set or engine.name not in ("hugo", "jekyll"):
            return permalinks.publish(config.site.article_url, page)
        if engine.name == "jekyll":
            own = meta.get("permalink")
            pattern = own if isinstance(own, str) and own.strip() else engine.permalinks.get("", "")
            return permalinks.jekyll(pattern, page)
        known = engine.language_of(language)
        prefix = known.prefix if known else ""
        own = meta.get("url")
        if isinstance(own, str) and own.strip():
            return prefix + permalinks.finish(own.strip())
        pattern = engine.permalinks.get(page.section) or engine.permalinks.get("", "")
        if pattern:
            return prefix + permalinks.hugo(pattern, page)
        return prefix + permalinks.hugo_default(page, ugly=engine.ugly_urls)
    except PatternError as exc:
        origin = engine.permalink_origin or config.origin("site.article_url")
        raise ContentError(f"{exc} in the permalink pattern of {origin}", field="permalink",
                           hint="use the placeholders the blog engine documents") from None
