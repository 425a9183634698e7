"""The theme's `site/` templates through the theme chain: Jinja2 with autoescape on.

The stylesheet `site/site.css` goes into each page's `<style>` element, so a page is one file that
needs nothing else to look right (and nothing the browser must fetch before the first paint).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from publish.errors import ExportError
from publish.themes import ThemeChain

if TYPE_CHECKING:
    from jinja2 import Environment

FOLDER = "site"
STYLESHEET = "site.css"
_AFTER_SLASH = re.compile(r"(?<=[^/]/)(?=[^/])")       # "a/b", not "https://"


class SiteTheme:
    def __init__(self, themes: ThemeChain) -> None:
        from jinja2 import Environment, StrictUndefined

        self.themes = themes
        # autoescape on: every value is text; only the theme's own CSS is marked safe.
        self.env: Environment = Environment(loader=themes.jinja_loader(FOLDER), autoescape=True,
                                            undefined=StrictUndefined, keep_trailing_newline=True,
                                            trim_blocks=True, lstrip_blocks=True)
        self.env.filters["breakable"] = breakable

    def render(self, template: str, context: dict[str, Any]) -> str:
        from markupsafe import Markup

        stylesheet = self.themes.find(f"{FOLDER}/{STYLESHEET}")
        if stylesheet is None:
            raise ExportError(f"no theme of the chain has {FOLDER}/{STYLESHEET}", path=self.themes.site_theme,
                              hint="the bundled default theme has it: is the installation complete?")
        # Read on every page (--watch picks up edits); a "<\/" in CSS reads as "</" but cannot end the <style> element.
        css = stylesheet.read_text(encoding="utf-8").strip().replace("</", "<\\/")
        return self.env.get_template(template).render({**context, "css": Markup(css)})  # noqa: S704 - the theme's own CSS


@lru_cache(maxsize=4)
def site_theme(themes: ThemeChain) -> SiteTheme:
    return SiteTheme(themes)


def breakable(url: str) -> Any:
    """`url` escaped, with a line-break opportunity (<wbr>) after each slash of its path, so a long
    address wraps at a slash on a narrow screen; copied, it is the same text."""
    from markupsafe import Markup, escape

    return Markup("<wbr>").join(escape(part) for part in _AFTER_SLASH.split(url))
