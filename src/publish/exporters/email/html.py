"""Email HTML: the theme's Jinja2 templates, every style inlined, kept under a size budget.

css-inline copies the theme's plain CSS rules into style="" attributes and keeps only at-rules
(media queries, dark mode) in <style>; class names nothing in that <style> uses are then dropped.
An article too long for the budget is cut after its last body block that still fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from publish import bodytree
from publish.bodytree import Element
from publish.errors import ExportError
from publish.themes import ThemeChain

FOLDER = "email"                        # what the email reads of each theme of the chain
STYLESHEET = "email.css"
BODY_CLASS = "content"                  # the template element that holds the article's blocks
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
# Zero-width non-joiners and spaces after the preheader keep the body's first words out of the inbox preview.
PREHEADER_FILLER = "&zwnj;&nbsp;" * 48


@dataclass(frozen=True)
class Fitted:
    html: str
    kept: int          # body blocks in the email
    total: int         # body blocks in the article

    @property
    def cut(self) -> bool:
        return self.kept < self.total


class EmailTheme:
    """The templates and stylesheet of the themes' email folders, through the theme chain."""

    def __init__(self, themes: ThemeChain) -> None:
        import css_inline
        from jinja2 import Environment, StrictUndefined

        self.themes = themes
        stylesheet = themes.find(f"{FOLDER}/{STYLESHEET}")
        if stylesheet is None:
            raise ExportError(f"no theme of the chain has {FOLDER}/{STYLESHEET}", path=themes.site_theme,
                              hint="the bundled default theme has it: is the installation complete?")
        self.css = stylesheet.read_text(encoding="utf-8")
        # autoescape on: only the sanitized body and the theme's own CSS are marked safe.
        self.env = Environment(loader=themes.jinja_loader(FOLDER), autoescape=True, undefined=StrictUndefined,
                               keep_trailing_newline=True)
        # Never fetch: a <link> in a template must not make the build touch the network.
        self.inliner = css_inline.CSSInliner(keep_at_rules=True, minify_css=True, load_remote_stylesheets=False,
                                             keep_link_tags=False)

    def render(self, template: str, context: dict[str, Any]) -> str:
        return bodytree.document_html(_drop_unused_classes(_style_last(self._inlined(template, context))),
                                      nbsp=False) + "\n"

    def fit(self, template: str, context: dict[str, Any], blocks: list[Element], budget: int,
            continue_url: str) -> Fitted:
        """Render with as many leading body blocks as fit in `budget` bytes; when some are left out,
        the template gets `continue_url` for its "Continue reading" link."""
        whole = self.render(template, {**context, "body": _body(blocks), "continue_url": None})
        if _size(whole) <= budget:
            return Fitted(whole, len(blocks), len(blocks))
        sizes = _block_sizes(self._inlined(template, {**context, "body": _body(blocks), "continue_url": None}),
                             len(blocks))
        frame = _size(self.render(template, {**context, "body": _body([]), "continue_url": continue_url}))
        kept, used = 0, frame
        while kept < len(blocks) and used + sizes[kept] <= budget:
            used += sizes[kept]
            kept += 1
        while True:        # the estimate counts classes that get dropped, so this rarely loops
            html = self.render(template, {**context, "body": _body(blocks[:kept]), "continue_url": continue_url})
            if _size(html) <= budget or kept == 0:
                return Fitted(html, kept, len(blocks))
            kept -= 1

    def _inlined(self, template: str, context: dict[str, Any]) -> Element:
        from jinja2 import TemplateError
        from markupsafe import Markup

        try:
            markup = self.env.get_template(template).render(
                css=Markup(self.css), preheader_filler=Markup(PREHEADER_FILLER), **context)  # noqa: S704 - theme's own CSS
        except TemplateError as exc:
            name = getattr(exc, "filename", None) or self.themes.find(f"{FOLDER}/{template}") or template
            raise ExportError(f"email template error: {exc}", path=name,
                              line=getattr(exc, "lineno", None)) from None
        return bodytree.parse_document(self.inliner.inline(markup))


def theme_for(themes: ThemeChain) -> EmailTheme:
    """One parsed theme per process and version of its email files (built in prepare(), inherited
    by forked workers)."""
    return _theme(themes, themes.digest(FOLDER))


@lru_cache(maxsize=4)
def _theme(themes: ThemeChain, digest: str) -> EmailTheme:
    return EmailTheme(themes)


def _body(blocks: list[Element]) -> Any:
    from markupsafe import Markup

    # Safe: built from nh3-sanitized HTML, reshaped by email_body (which only renames and adds attributes).
    return Markup("\n".join(bodytree.outer_html(b, nbsp=False) for b in blocks))  # noqa: S704


def _size(html: str) -> int:
    return len(html.encode("utf-8"))


def _block_sizes(root: Element, count: int) -> list[int]:
    """Bytes each body block takes in the inlined document (with the newline between blocks)."""
    holder = next((e for e in bodytree.elements(root) if bodytree.has_class(e, BODY_CLASS)), None)
    blocks = [c for c in holder if isinstance(c.tag, str)] if holder is not None else []
    if len(blocks) != count:
        raise ExportError(f"the email template must place the body inside an element of class {BODY_CLASS!r}")
    return [_size(bodytree.outer_html(b, nbsp=False)) + 1 for b in blocks]


def _style_last(root: Element) -> Element:
    """css-inline puts the kept <style> first in <head>; <meta charset> must stay in the first 1024 bytes."""
    for head in bodytree.elements(root, "head"):
        for style in [c for c in head if c.tag == "style"]:
            head.append(bodytree.detach(style))     # the text around it stays where it was
    return root


def _drop_unused_classes(root: Element) -> Element:
    """Class names matter only to the <style> blocks that stay: media queries, dark mode, and Outlook's
    own inside conditional comments."""
    kept_css = "".join(_own_text(e) for e in bodytree.elements(root, "style", "head"))
    used = set(_CLASS_SELECTOR.findall(kept_css))
    for element in bodytree.elements(root):
        if "class" in element.attrib:
            names = [n for n in bodytree.classes(element) if n in used]
            if names:
                element.set("class", " ".join(names))
            else:
                del element.attrib["class"]
    return root


def _own_text(element: Element) -> str:
    """The text directly inside `element` and its comments (Outlook's conditional <style> is one)."""
    pieces = [element.text or ""]
    for child in element:
        if bodytree.is_comment(child):
            pieces.append(child.text or "")
        pieces.append(child.tail or "")
    return "".join(pieces)
