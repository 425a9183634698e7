"""Regions no later cleanup pass may touch, swapped for placeholders: code, and what the engines
themselves show literally.

- Fenced code blocks and code spans stay as written. Hugo and Jekyll would run shortcodes and
  Liquid inside them; we never do, so a post about templates shows its examples. The engines'
  own escapes are undone there, since they only exist to show that text in code: Hugo's
  `{{</* x */>}}` reads `{{< x >}}`, and `{% raw %}…{% endraw %}` loses its markers.
- Code-like shortcodes (`{{< highlight go >}}`, `{{< code language="css" >}}`) and Liquid's
  `{% highlight %}` become fenced code blocks whose text is kept literally.
- `{% raw %}` content stays as typed (Markdown, with its `{{ }}` and `{% %}`); `{{</* x */>}}`
  outside code is the text `{{< x >}}`; `{% comment %}` and `{% capture %}` content is dropped.
"""

from __future__ import annotations

import re
from collections import Counter

from publish.content import liquid, shortcodes
from publish.content.emit import Literals, Place, code_block, escape_text

_SCAN = re.compile(r"^[ \t]*(?:`{3,}|~{3,})|`+|\{\{[<%]|\{%", re.M)
_FENCE_LINE = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_HUGO_COMMENT = re.compile(r"\{\{([<%])/\*((?:(?!\*/[>%]\}\})[\s\S])*)\*/([>%])\}\}")
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}")


def protect(text: str, literals: Literals, dropped: Counter[str]) -> str:
    return _Protector(text, literals, dropped).run()


Found = tuple[int, str | None] | None       # (end, replacement or None to skip past), or None


class _Protector:
    def __init__(self, text: str, literals: Literals, dropped: Counter[str]) -> None:
        self.text, self.literals, self.dropped = text, literals, dropped
        self._searches: dict[re.Pattern[str], tuple[int, int, re.Match[str] | None]] = {}

    def run(self) -> str:
        text = self.text
        out: list[str] = []
        position = cursor = 0
        while (match := _SCAN.search(text, cursor)) is not None:
            found, start = match.group(), match.start()
            if found.lstrip(" \t")[:3] in ("```", "~~~"):
                result = self.fence(start)
                if result is None:                          # "``` x `" is a code span, not a fence
                    start += len(found) - len(found.lstrip(" \t"))
                    result = self.code_span(start, len(found.lstrip(" \t")))
            elif found[0] == "`":
                result = self.code_span(start, len(found))
            elif found[1] == "{":
                result = self.hugo(start)
            else:
                result = self.liquid(start)
            if result is None:
                cursor = max(match.end(), cursor + 1)
                continue
            end, replacement = result
            if replacement is None:                         # a tag with nothing to keep: later passes read it
                cursor = end
                continue
            out.append(text[position:start])
            out.append(self.literals.keep(replacement))
            position = cursor = end
        out.append(text[position:])
        return "".join(out)

    def search(self, pattern: re.Pattern[str], start: int, end: int | None = None) -> re.Match[str] | None:
        """`pattern.search`, remembered: many openings left unclosed cost one scan, not one each."""
        end = len(self.text) if end is None else end
        cached = self._searches.get(pattern)
        if cached is not None:
            origin, limit, match = cached
            if origin <= start and (match.start() >= start if match is not None else limit >= end):
                return match if match is not None and match.end() <= end else None
        match = pattern.search(self.text, start, end)
        self._searches[pattern] = (start, end, match)
        return match

    def fence(self, start: int) -> Found:
        line = _FENCE_LINE.match(self.text, start)
        if line is None:
            return None
        marks, info = line.group(1), line.group(2)
        if marks[0] == "`" and "`" in info:
            return None
        close = self.search(re.compile(rf"^[ \t]*{re.escape(marks[0])}{{{len(marks)},}}[ \t]*$", re.M), line.end())
        end = close.end() if close else len(self.text)
        return end, in_code(self.text[start:end])

    def code_span(self, start: int, width: int) -> Found:
        before = self.text[max(0, start - 100):start]
        if (len(before) - len(before.rstrip("\\"))) % 2:
            return start + width, None                      # \` is a literal backtick
        blank = self.search(_BLANK_LINE, start)
        limit = blank.start() if blank else len(self.text)
        close = self.search(re.compile(rf"(?<!`)`{{{width}}}(?!`)"), start + width, limit)
        if close is None:
            return start + width, None
        return close.end(), in_code(self.text[start:close.end()])

    def hugo(self, start: int) -> Found:
        comment = _HUGO_COMMENT.match(self.text, start)
        if comment:
            return comment.end(), escape_text(_uncomment(comment))
        match = shortcodes.TAG.match(self.text, start)
        if match is None:
            return None
        tag = shortcodes.Tag.of(match)
        language = None if tag.closing or tag.self_closing else shortcodes.code_language(tag.name, tag.args)
        close = self.search(shortcodes.closing_tag(tag.name), tag.end) if language is not None else None
        if language is None or close is None:
            return tag.end, None
        where = Place.of(self.text, start, close.end())
        return close.end(), code_block(in_code(self.text[tag.end:close.start()]), language, where)

    def liquid(self, start: int) -> Found:
        match = liquid.TAG.match(self.text, start)
        if match is None:
            return None
        name = match.group(1)
        if name not in liquid.BLOCK_TAGS:
            return match.end(), None
        close = self.search(re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}"), match.end())
        if close is None:
            return match.end(), None
        inner = self.text[match.end():close.start()]
        if name == "raw":
            return close.end(), inner
        if name == "highlight":
            language = match.group(2).strip().rstrip("-").split()
            where = Place.of(self.text, start, close.end())
            return close.end(), code_block(in_code(inner), language[0] if language else "", where)
        if name == "capture":
            self.dropped["Liquid {% capture %} tag(s)"] += 1
        return close.end(), ""


def in_code(code: str) -> str:
    """Code as the engine shows it: its escapes for shortcodes and Liquid undone."""
    code = _HUGO_COMMENT.sub(_uncomment, code)
    return _RAW.sub(lambda m: m.group(1), code)


def _uncomment(match: re.Match[str]) -> str:
    return "{{" + match.group(1) + match.group(2) + match.group(3) + "}}"
