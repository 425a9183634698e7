"""Blog-engine syntax that is not Markdown, turned into Markdown or dropped before Pandoc sees it.

Real blogs carry MDX imports and components, Hugo shortcodes, Liquid tags, kramdown attribute
lists and remark directives. What has a sensible rendering (figures, notes, details, quotes,
highlighted code, values from the blog's settings, links to other posts, videos as links)
becomes Markdown; the rest is dropped and counted so the loader can say so in one warning per
article. The passes, in order: code and literal regions are set aside (`protect.py`), then
line-based syntax (MDX, kramdown, directives), Liquid (`liquid.py`) and Hugo shortcodes
(`shortcodes.py`); the regions set aside are put back last.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publish.content import liquid, shortcodes
from publish.content.emit import Literals
from publish.content.protect import protect
from publish.content.shortcodes import NOTE_KINDS

_MDX_IMPORT = re.compile(r"""^import\s+(?:[\w*{}\s,$]+\s+from\s+)?['"][^'"]+['"];?\s*$""")
_MDX_EXPORT = re.compile(r"^export\s+(const|let|var|function|default|\{)")
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.S)
_JSX_SELF_CLOSING = re.compile(r"^\s*<([A-Z][\w.]*)\b([^>]*)/>\s*$")
_JSX_OPEN = re.compile(r"^\s*<([A-Z][\w.]*)\b([^>]*)>\s*$")
_JSX_CLOSE = re.compile(r"^\s*</([A-Z][\w.]*)>\s*$")
_JSX_ATTR = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|\{["']([^"']*)["']\})""")
NOTE_COMPONENTS = {"callout", "aside", "admonition", "note", "alert", "notice"}
_KRAMDOWN_LINE = re.compile(r"^\s*\{:\s*[^}]*\}\s*$")
_KRAMDOWN_INLINE = re.compile(r"\{:\s*[.#][^}]*\}\s*$")
_DIRECTIVE = re.compile(r"^(\s*)(:{3,})\s*([A-Za-z][\w-]*)(?:\[([^\]]*)\])?(\{[^}]*\})?\s*$")
_DIRECTIVE_CLOSE = re.compile(r"^\s*(:{3,})\s*$")


@dataclass
class Cleaned:
    markdown: str
    dropped: Counter[str] = field(default_factory=Counter)

    def warning(self) -> str | None:
        if not self.dropped:
            return None
        parts = ", ".join(f"{n} {what}" for what, n in sorted(self.dropped.items()))
        return f"left out syntax that only the original blog engine understands: {parts}"


def clean(markdown: str, *, mdx: bool = False, site: Mapping[str, Any] | None = None,
          page: Mapping[str, Any] | None = None) -> Cleaned:
    """`markdown` with engine syntax rendered or dropped; `site` is the blog's `_config.yml`
    (None when there is none) and `page` the article's front matter, for Liquid values."""
    dropped: Counter[str] = Counter()
    literals = Literals(markdown)
    text = protect(markdown, literals, dropped)
    text = _lines(text, mdx, dropped)
    if mdx:
        text, n = _JSX_COMMENT.subn("", text)
        if n:
            dropped["JSX comment(s)"] += n
    text = liquid.render(text, page=page or {}, site=site, dropped=dropped)
    text = shortcodes.render(text, page=page or {}, site=site, dropped=dropped)
    return Cleaned(literals.restore(text), dropped)


def _lines(text: str, mdx: bool, dropped: Counter[str]) -> str:
    """Line-based syntax: MDX imports, exports and components, kramdown attribute lists, directives."""
    out: list[str] = []
    exporting = 0
    directive_stack: list[int] = []
    jsx_stack: list[tuple[str, str]] = []        # (component, closing fence or "")
    for line in text.split("\n"):
        if exporting:
            exporting += line.count("{") - line.count("}")
            exporting = max(exporting, 0)
            continue
        stripped = line.strip()
        if _MDX_IMPORT.match(stripped) and (mdx or " from " in stripped):
            dropped["MDX import line(s)"] += 1
            continue
        if mdx and _MDX_EXPORT.match(stripped):
            dropped["MDX export(s)"] += 1
            exporting = max(line.count("{") - line.count("}"), 0)
            continue
        if _KRAMDOWN_LINE.match(line):
            dropped["kramdown attribute line(s)"] += 1
            continue
        inline = _KRAMDOWN_INLINE.search(line) if "{:" in line and not stripped.startswith("#") else None
        if inline:
            line = line[:inline.start()].rstrip()
            dropped["kramdown attribute list(s)"] += 1
        component = _JSX_SELF_CLOSING.match(line)
        if component:
            embed = _embed(component.group(1), _jsx_attributes(component.group(2)))
            if embed:
                out.append(embed)
            else:
                dropped[f"<{component.group(1)} /> component(s)"] += 1
            continue
        component = _JSX_OPEN.match(line) if mdx else None
        if component:
            out.extend(_open_component(component.group(1), _jsx_attributes(component.group(2)), jsx_stack, dropped))
            continue
        closing = _JSX_CLOSE.match(line) if mdx else None
        if closing and jsx_stack and jsx_stack[-1][0] == closing.group(1):
            _, closing_fence = jsx_stack.pop()
            if closing_fence:
                out.append(closing_fence)
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            out.extend(_open_directive(directive, directive_stack))
            continue
        if directive_stack and _DIRECTIVE_CLOSE.match(line):
            out.append(":" * directive_stack.pop())
            continue
        out.append(line)
    return "\n".join(out)


def _jsx_attributes(raw: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _JSX_ATTR.finditer(raw)}


def _embed(name: str, attrs: dict[str, str]) -> str | None:
    """Video and post embeds become plain links, the same as Hugo's shortcodes."""
    kind, ident = name.lower(), attrs.get("id") or attrs.get("videoId") or ""
    if kind in ("youtube", "lite-youtube", "liteyoutube") and ident:
        return f"[Watch the video](https://www.youtube.com/watch?v={ident})"
    if kind == "vimeo" and ident:
        return f"[Watch the video](https://vimeo.com/{ident})"
    if kind in ("tweet", "x") and ident:
        return f"[View the post](https://twitter.com/i/status/{ident})"
    return None


def _open_component(name: str, attrs: dict[str, str], stack: list[tuple[str, str]],
                    dropped: Counter[str]) -> list[str]:
    """`<Callout type="tip">` on its own line: a note div; other wrappers: children kept, tags dropped."""
    kind = (attrs.get("type") or attrs.get("variant") or name).lower()
    if name.lower() in NOTE_COMPONENTS:
        kind = kind if kind in NOTE_KINDS else "note"
        stack.append((name, "::::"))
        title = attrs.get("title")
        return ["", f":::: {kind}", *([ "::: title", title, ":::"] if title else []), ""]
    stack.append((name, ""))
    dropped[f"<{name}> wrapper(s)"] += 1
    return [""]


def _open_directive(match: re.Match[str], stack: list[int]) -> list[str]:
    """`:::note[Title]` (remark-directive) -> a fenced div shaped like Pandoc's GitHub alerts."""
    indent, colons, name, title, _attrs = match.groups()
    outer = max(len(colons), 4)
    stack.append(outer)
    kind = name.lower()
    lines = [f"{indent}{':' * outer} {kind}"]
    label = title if title else (kind.capitalize() if kind in NOTE_KINDS else None)
    if label:
        lines += [f"{indent}::: title", f"{indent}{label}", f"{indent}:::"]
    return lines
