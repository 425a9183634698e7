"""How the cleanup passes write Markdown: placeholders for finished text, literal text, and blocks
placed where an engine tag stood (inside a list item or a blockquote as much as at the margin)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from itertools import chain

# ASCII punctuation with a meaning somewhere in Markdown or HTML; the rest reads the same either way.
_SPECIAL = frozenset(string.punctuation) - set("/,;?=%")
_LINE_PREFIX = re.compile(r"([ \t>]*)((?:[-+*]|\d{1,9}[.)])[ \t]+)?")
_LEADING_PREFIX = re.compile(r"[ \t>]*")
_REACH = 2000


class Literals:
    """Finished text swapped for a placeholder, so that no later pass reads it, and put back at the end.

    A placeholder is a private-use character absent from the article around an index: plain text
    to every regular expression of the cleanup passes.
    """

    def __init__(self, text: str) -> None:
        present = set(text)
        self._mark = next(chr(c) for c in chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE))
                          if chr(c) not in present)
        self._kept: list[str] = []
        self._token = re.compile(re.escape(self._mark) + r"(\d+)" + re.escape(self._mark))

    def keep(self, literal: str) -> str:
        self._kept.append(literal)
        return f"{self._mark}{len(self._kept) - 1}{self._mark}"

    def restore(self, text: str) -> str:
        return self._token.sub(lambda m: self._kept[int(m.group(1))], text)


def escape_text(value: str) -> str:
    """`value` as literal text wherever it lands: in a paragraph, a link target or raw HTML.

    CommonMark reads a numeric character reference as the character itself, never as markup
    (no emphasis, no `--` dash, no tag), and so does HTML; line breaks become spaces.
    """
    value = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", value)
    return "".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in value)


def destination(url: str) -> str:
    """A link or image target in CommonMark's pointy form, which allows spaces and parentheses."""
    return "<" + re.sub(r"[\r\n]", "", url).replace("<", "%3C").replace(">", "%3E") + ">"


@dataclass(frozen=True)
class Place:
    """Where a tag stood: the text every continuation line needs, and what surrounds the tag."""

    prefix: str          # indentation and '>' markers of the tag's line (a list marker counts as spaces)
    line_start: bool     # only that prefix (or a list marker) comes before the tag on its line
    on_marker: bool      # a list marker comes right before the tag: the block is the item's first
    followed: bool       # text follows the closing tag on its line

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Place:
        # Lines are looked at up to _REACH characters away: a longer one is prose, not a prefix.
        line_begin = text.rfind("\n", max(0, start - _REACH), start)
        if line_begin < 0 and start > _REACH:
            return cls("", False, False, True)
        before = text[line_begin + 1:start]
        line_end = text.find("\n", end, end + _REACH)
        followed = bool(text[end:line_end if line_end >= 0 else end + _REACH].strip())
        match = _LINE_PREFIX.fullmatch(before)
        if match:
            marker = match.group(2) or ""
            return cls(match.group(1) + " " * len(marker), True, bool(marker), followed)
        leading = _LEADING_PREFIX.match(before)
        return cls(leading.group() if leading else "", False, False, followed)


def block(head: list[str], inner: str | None, tail: list[str], where: Place) -> str:
    """Lines of a block (prefixed as their place needs) around `inner`, as typed, with blank lines
    before, after and around the inner text, as fenced divs and raw HTML blocks want."""
    p = where.prefix
    if where.line_start:
        out = "" if where.on_marker else "\n" + p
    else:
        out = "\n" + p + "\n" + p
    out += ("\n" + p).join(head)
    inner_text = _inner(inner, p) if inner is not None else ""
    if inner_text:
        out += "\n" + p + "\n" + inner_text + "\n" + p
    if tail:
        out += "\n" + p + ("\n" + p).join(tail)
    return out + "\n" + p + ("\n" + p if where.followed else "")


def code_block(code: str, language: str, where: Place) -> str:
    """A fenced code block holding `code` literally (its fence longer than any backtick run in it)."""
    p = where.prefix
    code = _inner(code, p)
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+#.-]", "", language)[:40]
    out = "" if where.line_start else "\n" + p + "\n" + p
    out += fence + info + "\n" + (code + "\n" if code else "") + p + fence
    return out + ("\n" + p + "\n" + p if where.followed else "")


def _inner(text: str, prefix: str) -> str:
    """Inner text without the blank lines that open and close it; its first line indented like the
    rest when it began on the tag's own line."""
    lines = text.split("\n")
    starts_on_tag_line = bool(lines[0].strip())
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return ""
    if starts_on_tag_line:
        lines[0] = prefix + lines[0].lstrip(" \t")
    lines[-1] = lines[-1].rstrip(" \t")
    return "\n".join(lines)
