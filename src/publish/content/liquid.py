"""Jekyll's Liquid in a post body: values from `_config.yml` and the front matter, links to posts.

`{{ site.KEY }}` and `{{ page.KEY }}` (nested keys, `["key"]`, the usual filters) render as Liquid
renders them and are inserted as literal text, never as markup; an undefined value renders empty
and is counted for the article's warning. `{% link %}` and `{% post_url %}` become paths the loader
resolves (a post's file, or a page's `/name/` address). Tags with no output here (`include`,
control flow) are dropped and counted. `{% raw %}`, `{% highlight %}`, `{% comment %}` and
`{% capture %}` blocks are handled before this pass (`protect.py`).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

from publish.content.emit import destination, escape_text

# `{% name args %}`, but not Hugo's `{{% name %}}`.
TAG = re.compile(r"(?<!\{)\{%-?\s*(\w+)((?:(?!\{%|%\})[\s\S])*)%\}(?!\})")
# Liquid output such as {{ site.baseurl }} or {{ "x" | upcase }}; other {{ … }} text is left alone.
OUTPUT = re.compile(r"\{\{-?\s*((?:site|page|post|include|layout|paginator|jekyll)\b[^{}]*|[\"'][^{}]*|"
                    r"[^{}<%]*\|[^{}]*)\}\}")
BLOCK_TAGS = {"raw", "highlight", "comment", "capture"}
_PIECE = re.compile(r"""(?:"[^"]*"|'[^']*'|[^|"'])+""")
_PATH = re.compile(r"""\s*([A-Za-z_][\w-]*)((?:\.[\w-]+|\[[^\]]*\])*)\s*""")
_STEP = re.compile(r"""\.([\w-]+)|\[\s*([^\]]*?)\s*\]""")
_ARGUMENT = re.compile(r"""\s*("[^"]*"|'[^']*'|[^,]+?)\s*(?:,|$)""")
_UNDEFINED = object()
PAGE_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".html", ".textile")


def render(text: str, *, page: Mapping[str, Any], site: Mapping[str, Any] | None, dropped: Counter[str]) -> str:
    text = TAG.sub(lambda m: _tag(m.group(1), m.group(2).strip().rstrip("-").strip(), dropped), text)
    return OUTPUT.sub(lambda m: _output(m, page, site, dropped), text)


def _tag(name: str, args: str, dropped: Counter[str]) -> str:
    target = args.strip("\"'")
    if name == "post_url" and target:
        return f"/_posts/{target.lstrip('/')}.md"      # the loader finds the post by its file name
    if name == "link" and target:
        return link_target(target)
    if name == "gist" and target:
        return f"[View the gist]({destination('https://gist.github.com/' + target.split()[0])})"
    if name in ("youtube", "vimeo") and target:
        url = ("https://www.youtube.com/watch?v=" if name == "youtube" else "https://vimeo.com/") + target.split()[0]
        return f"[Watch the video]({destination(url)})"
    if name in ("raw", "endraw", "endhighlight", "endcomment", "endcapture"):
        return ""
    dropped[f"Liquid {{% {name} %}} tag(s)"] += 1
    return ""


def link_target(path: str) -> str:
    """`{% link %}`'s target: a post or draft as its file (resolved to the article's address by the
    loader); any other page as `/name/`, the address of Jekyll's `pretty` permalinks; files as they are."""
    path = path.lstrip("/")
    if path.startswith(("_posts/", "_drafts/")) or "/_posts/" in path:
        return "/" + path
    stem, dot, suffix = path.rpartition(".")
    if not dot or f".{suffix.lower()}" not in PAGE_SUFFIXES:
        return "/" + path
    if stem.startswith("_"):
        stem = stem[1:]                                  # a collection's output folder has no underscore
    if stem == "index" or stem.endswith("/index"):
        stem = stem[:-len("index")].rstrip("/")
    return "/" + (stem + "/" if stem else "")


def _output(match: re.Match[str], page: Mapping[str, Any], site: Mapping[str, Any] | None,
            dropped: Counter[str]) -> str:
    expression = match.group(1).strip().rstrip("-").strip()
    pieces = [piece.strip() for piece in _PIECE.findall(expression)]
    if not pieces:
        return match.group(0)
    scopes = {"site": site, "page": page}
    value = _value(pieces[0], scopes)
    if pieces[0].replace(" ", "") in ("site.url", "site.baseurl") and _before_path(match):
        return ""        # the path after it is the blog's own: resolved to the local file or article
    for piece in pieces[1:]:
        name, _, raw_args = piece.partition(":")
        value = _filter(name.strip(), value, [_value(a, scopes) for a in _arguments(raw_args)])
    if value is _UNDEFINED:
        root = pieces[0].split(".")[0].split("[")[0].strip()
        if root == "site" or root == "page":
            where = "_config.yml" if root == "site" else "the front matter"
            dropped[f"Liquid {{{{ {pieces[0]} }}}} (not set in {where})"] += 1
        else:
            dropped["Liquid {{ … }} expression(s)"] += 1
        return ""
    if isinstance(value, Mapping):
        dropped[f"Liquid {{{{ {pieces[0]} }}}} (a group of settings, not text)"] += 1
        return ""
    return escape_text(text_of(value))


def _before_path(match: re.Match[str]) -> bool:
    rest = match.string[match.end():match.end() + 2]
    return rest.startswith("/") or rest == "{{"


def _value(expression: str, scopes: Mapping[str, Mapping[str, Any] | None]) -> Any:
    """A literal, or a variable looked up in `scopes` (`_UNDEFINED` when missing)."""
    expression = expression.strip()
    if len(expression) >= 2 and expression[0] == expression[-1] and expression[0] in "\"'":
        return expression[1:-1]
    if re.fullmatch(r"-?\d+", expression):
        return int(expression)
    if re.fullmatch(r"-?\d+\.\d+", expression):
        return float(expression)
    if expression in ("true", "false"):
        return expression == "true"
    if expression in ("nil", "null", "empty", "blank"):
        return None
    match = _PATH.fullmatch(expression)
    if not match or match.group(1) not in scopes:
        return _UNDEFINED
    current: Any = scopes[match.group(1)]
    for step in _STEP.finditer(match.group(2)):
        key: Any = step.group(1) if step.group(1) is not None else _value(step.group(2), scopes)
        current = _step(current, key)
        if current is _UNDEFINED:
            return _UNDEFINED
    return _UNDEFINED if current is None and match.group(2) == "" else current


def _step(current: Any, key: Any) -> Any:
    if isinstance(current, Mapping):
        return current.get(str(key), _UNDEFINED) if key is not _UNDEFINED else _UNDEFINED
    if isinstance(current, (list, tuple)):
        if isinstance(key, int) and -len(current) <= key < len(current):
            return current[key]
        if key in ("first", "last") and current:
            return current[0] if key == "first" else current[-1]
        if key == "size":
            return len(current)
        return _UNDEFINED
    if isinstance(current, str) and key == "size":
        return len(current)
    return _UNDEFINED


def text_of(value: Any) -> str:
    """A value as Liquid prints it: `true`, numbers as written, arrays run together, nil as nothing."""
    if value is None or value is _UNDEFINED:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z").strip()
    if isinstance(value, (list, tuple)):
        return "".join(text_of(item) for item in value)
    if isinstance(value, Mapping):
        return ""
    return str(value)


def _arguments(raw: str) -> list[str]:
    return [m.group(1) for m in _ARGUMENT.finditer(raw) if m.group(1).strip()] if raw.strip() else []


def _filter(name: str, value: Any, args: list[Any]) -> Any:
    """Liquid's and Jekyll's filters that change text; the others leave the value as it is."""
    if name == "default":
        empty = value is _UNDEFINED or value is None or value is False or value in ("", [], {})
        return (args[0] if args else "") if empty else value
    if value is _UNDEFINED:
        return value
    if name in _DATE_FORMATS or name == "date":
        moment = _moment(value)
        form = _DATE_FORMATS.get(name) or (text_of(args[0]) if args else "")
        if moment is None or not form:
            return value
        try:
            return moment.strftime(form) if form != "iso" else moment.isoformat()
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        if name == "join":
            return (text_of(args[0]) if args else " ").join(text_of(v) for v in value)
        if name in ("first", "last"):
            return (value[0] if name == "first" else value[-1]) if value else None
        if name == "size":
            return len(value)
        return value
    text = text_of(value)
    if name in _TEXT_FILTERS:
        return _TEXT_FILTERS[name](text)
    words = [text_of(a) for a in args]
    if name == "append" and words:
        return text + words[0]
    if name == "prepend" and words:
        return words[0] + text
    if name in ("replace", "replace_first") and words:
        return text.replace(words[0], words[1] if len(words) > 1 else "", -1 if name == "replace" else 1)
    if name in ("remove", "remove_first") and words:
        return text.replace(words[0], "", -1 if name == "remove" else 1)
    if name == "truncate" and args and isinstance(args[0], int):
        return text if len(text) <= args[0] else text[:max(0, args[0] - 3)] + "..."
    if name == "truncatewords" and args and isinstance(args[0], int):
        split = text.split()
        return text if len(split) <= args[0] else " ".join(split[:args[0]]) + "..."
    return value


_TEXT_FILTERS: dict[str, Callable[[str], Any]] = {
    "upcase": str.upper, "downcase": str.lower, "capitalize": str.capitalize,
    "strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip,
    "strip_newlines": lambda s: re.sub(r"[\r\n]", "", s), "normalize_whitespace": lambda s: " ".join(s.split()),
    "strip_html": lambda s: html.unescape(re.sub(r"<[^>]*>", "", s)),
    "size": len, "number_of_words": lambda s: len(s.split()),
    "url_encode": quote_plus, "cgi_escape": quote_plus, "uri_escape": lambda s: quote(s, safe="/:?#[]@!$&'()*+,;=%"),
    "url_decode": unquote_plus, "jsonify": json.dumps,
    "slugify": lambda s: re.sub(r"[^\w]+", "-", s.lower()).strip("-"),
}
# Jekyll's date filters, as strftime formats. `escape`, `markdownify`, `relative_url` and the
# like need nothing: the value is inserted as text, and site paths resolve to the blog's files.
_DATE_FORMATS = {"date_to_string": "%d %b %Y", "date_to_long_string": "%d %B %Y",
                 "date_to_rfc822": "%a, %d %b %Y %H:%M:%S %z", "date_to_xmlschema": "iso"}


def _moment(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
