"""Blog-engine syntax that is not Markdown, turned into Markdown or dropped before Pandoc sees it.

Real blogs carry MDX imports and components, Hugo shortcodes, Liquid tags, kramdown attribute
lists and remark directives. What has a sensible rendering (figures, notes, highlighted code,
links to other posts, videos as links) becomes Markdown; the rest is dropped and counted so the
loader can say so in one warning per article. Fenced code blocks are never touched.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass, field

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_MDX_IMPORT = re.compile(r"""^import\s+(?:[\w*{}\s,$]+\s+from\s+)?['"][^'"]+['"];?\s*$""")
_MDX_EXPORT = re.compile(r"^export\s+(const|let|var|function|default|\{)")
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.S)
_JSX_SELF_CLOSING = re.compile(r"^\s*<([A-Z][\w.]*)\b([^>]*)/>\s*$")
_JSX_OPEN = re.compile(r"^\s*<([A-Z][\w.]*)\b([^>]*)>\s*$")
_JSX_CLOSE = re.compile(r"^\s*</([A-Z][\w.]*)>\s*$")
_JSX_ATTR = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|\{["']([^"']*)["']\})""")
NOTE_COMPONENTS = {"callout", "aside", "admonition", "note", "alert", "notice"}
_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.*?)\s*[>%]\}\}", re.S)
_LIQUID_TAG = re.compile(r"(?<!\{)\{%-?\s*(\w+)(.*?)-?%\}(?!\})", re.S)
# Liquid output such as {{ site.baseurl }} or {{ page.title | upcase }}; other {{ … }} text is left alone.
_LIQUID_OUTPUT = re.compile(
    r"\{\{-?\s*(?:(?:site|page|post|include|layout|paginator|jekyll)\.[^}]*|[^}<%]*\|[^}]*)-?\}\}")
_KRAMDOWN_LINE = re.compile(r"^\s*\{:\s*[^}]*\}\s*$")
_KRAMDOWN_INLINE = re.compile(r"\s*\{:\s*[.#][^}]*\}\s*$")
_DIRECTIVE = re.compile(r"^(\s*)(:{3,})\s*([A-Za-z][\w-]*)(?:\[([^\]]*)\])?(\{[^}]*\})?\s*$")
_DIRECTIVE_CLOSE = re.compile(r"^\s*(:{3,})\s*$")

# Note-like blocks every theme styles the same way as GitHub alerts.
NOTE_KINDS = {"note", "tip", "info", "important", "warning", "caution", "danger", "success", "question",
              "example", "quote", "abstract", "bug", "failure", "attention", "hint", "error"}


@dataclass
class Cleaned:
    markdown: str
    dropped: Counter[str] = field(default_factory=Counter)

    def warning(self) -> str | None:
        if not self.dropped:
            return None
        parts = ", ".join(f"{n} {what}" for what, n in sorted(self.dropped.items()))
        return f"left out syntax that only the original blog engine understands: {parts}"


def clean(markdown: str, *, mdx: bool = False) -> Cleaned:
    dropped: Counter[str] = Counter()
    out: list[str] = []
    fence: str | None = None
    exporting = 0
    directive_stack: list[int] = []
    jsx_stack: list[tuple[str, str]] = []        # (component, closing fence or "")
    lines = markdown.splitlines()
    for line in lines:
        opened = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                    and not line.strip()[len(opened.group(1)):].strip():
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            continue
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
        if _KRAMDOWN_INLINE.search(line) and not stripped.startswith("#"):
            line = _KRAMDOWN_INLINE.sub("", line)
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
    text = "\n".join(out) + ("\n" if markdown.endswith("\n") else "")
    if mdx:
        text, n = _JSX_COMMENT.subn("", text)
        if n:
            dropped["JSX comment(s)"] += n
    text = _outside_code(text, lambda chunk: _shortcodes(_liquid(chunk, dropped), dropped))
    return Cleaned(text, dropped)


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


def _outside_code(text: str, transform) -> str:  # type: ignore[no-untyped-def]
    """Apply `transform` to the text between fenced code blocks and inline code spans."""
    parts = re.split(r"(^\s{0,3}(?:`{3,}|~{3,})[^\n]*\n.*?^\s{0,3}(?:`{3,}|~{3,})\s*$|`[^`\n]+`)", text,
                     flags=re.M | re.S)
    return "".join(part if i % 2 else transform(part) for i, part in enumerate(parts))


def _liquid(text: str, dropped: Counter[str]) -> str:
    def tag(match: re.Match[str]) -> str:
        name, args = match.group(1), match.group(2).strip()
        if name == "highlight":
            return "```" + (args.split()[0] if args else "")
        if name == "endhighlight":
            return "```"
        if name in ("raw", "endraw", "comment", "endcomment"):
            return ""
        if name == "post_url":
            return f"/_posts/{args}.md"
        if name == "link":
            return "/" + args.lstrip("/")
        dropped[f"Liquid {{% {name} %}} tag(s)"] += 1
        return ""

    text = _LIQUID_TAG.sub(tag, text)

    def output(match: re.Match[str]) -> str:
        dropped["Liquid {{ … }} expression(s)"] += 1
        return ""

    return _LIQUID_OUTPUT.sub(output, text)


def _shortcodes(text: str, dropped: Counter[str]) -> str:
    def shortcode(match: re.Match[str]) -> str:
        closing, name, raw_args = match.group(2), match.group(3), match.group(4)
        args = _arguments(raw_args)
        lowered = name.lower()
        if closing:
            if lowered in NOTE_KINDS | {"notice", "alert", "callout", "admonition", "hint", "details"}:
                return "\n::::\n"
            if lowered == "highlight":
                return "```"
            return ""
        if lowered in ("ref", "relref"):
            target = args.get("0", "")
            return target if target.endswith((".md", ".markdown")) or "#" in target else f"{target}.md"
        if lowered == "figure":
            src, alt = args.get("src", ""), args.get("alt") or args.get("caption") or args.get("title") or ""
            caption = args.get("caption") or args.get("title")
            image = f"\n\n![{alt}]({src})\n\n" if src else ""
            return image + (f"*{caption}*\n\n" if caption and caption != alt else "")
        if lowered in ("youtube", "vimeo"):
            video = args.get("id") or args.get("0", "")
            url = f"https://www.youtube.com/watch?v={video}" if lowered == "youtube" else f"https://vimeo.com/{video}"
            return f"[Watch the video]({url})" if video else ""
        if lowered == "gist" and "0" in args and "1" in args:
            return f"[View the gist](https://gist.github.com/{args['0']}/{args['1']})"
        if lowered == "highlight":
            return "```" + args.get("0", "")
        if lowered in NOTE_KINDS | {"notice", "alert", "callout", "admonition", "hint", "details"}:
            kind = (args.get("0") or args.get("type") or lowered).lower()
            kind = kind if kind in NOTE_KINDS else "note"
            title = args.get("title") or args.get("summary") or args.get("1")
            head = f"\n:::: {kind}\n" + (f"::: title\n{title}\n:::\n" if title else "")
            return head
        dropped[f"Hugo {{{{< {name} >}}}} shortcode(s)"] += 1
        return ""

    return _SHORTCODE.sub(shortcode, text)


def _arguments(raw: str) -> dict[str, str]:
    """Hugo shortcode arguments: positional ("0", "1", …) and named (key="value")."""
    try:
        tokens = shlex.split(raw.replace("\n", " "))
    except ValueError:
        tokens = raw.split()
    args: dict[str, str] = {}
    position = 0
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and re.fullmatch(r"[\w-]+", key):
            args[key] = value
        else:
            args[str(position)] = token
            position += 1
    return args
