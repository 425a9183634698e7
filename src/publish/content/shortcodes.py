"""Hugo shortcodes rendered the way Hugo's built-in templates (and the common theme ones) show them.

`{{< name args >}}` and `{{% name args %}}` are treated alike: a paired shortcode's inner text is
Markdown either way (themes `markdownify` it), except for code-like shortcodes, whose inner text is
code (`protect.py` turns those into fenced code blocks before this pass). Figures, details and
quotes become the HTML elements Hugo writes; notices become note blocks; embeds become links; an
unknown paired shortcode keeps its inner text; whatever has no rendering is counted for the
article's warning. Blocks CommonMark has no syntax for are written as `publish-*` fenced divs
that `publish.lua` turns into `<figure>`, `<details>` and `<blockquote>`.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from publish.content.emit import Place, block, destination, escape_text

TAG = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)((?:(?!\{\{|[>%]\}\})[\s\S])*)[>%]\}\}")
CODE_NAMES = {"code", "highlight", "codeblock", "snippet", "codecaption", "code-block"}
NOTE_KINDS = {"note", "tip", "info", "important", "warning", "caution", "danger", "success", "question",
              "example", "quote", "abstract", "bug", "failure", "attention", "hint", "error"}
NOTE_NAMES = NOTE_KINDS - {"quote"} | {"notice", "alert", "callout", "admonition", "hint", "hint-box"}
QUOTE_NAMES = {"quote", "blockquote", "pullquote", "epigraph"}
# Values of a `type` parameter that name a language rather than a kind of notice.
LANGUAGES = {
    "ada", "apache", "applescript", "asm", "awk", "bash", "bat", "batch", "c", "clojure", "cmake", "cobol",
    "coffeescript", "console", "cpp", "c++", "crystal", "cs", "csharp", "c#", "css", "cuda", "d", "dart", "diff",
    "django", "docker", "dockerfile", "elixir", "elm", "erlang", "fish", "fortran", "fsharp", "glsl", "go",
    "golang", "gradle", "graphql", "groovy", "haml", "haskell", "hcl", "html", "http", "ini", "java",
    "javascript", "jinja", "js", "json", "json5", "jsonc", "jsx", "julia", "kotlin", "kt", "latex", "less",
    "liquid", "lisp", "lua", "make", "makefile", "markdown", "matlab", "md", "mdx", "nginx", "nim", "nix",
    "objc", "objective-c", "ocaml", "pascal", "perl", "php", "plaintext", "plsql", "powershell", "prolog",
    "properties", "protobuf", "ps1", "py", "python", "r", "racket", "rb", "rst", "ruby", "rust", "sass",
    "scala", "scheme", "scss", "sh", "shell", "shell-session", "sql", "svelte", "swift", "tcl", "terraform",
    "tex", "text", "toml", "ts", "tsx", "typescript", "vb", "verilog", "vhdl", "vim", "vue", "wasm", "xml",
    "yaml", "yml", "zig", "zsh",
}
Where = Callable[[], Place]   # a standalone shortcode's place, worked out only when a block needs it
MAX_DEPTH = 40          # deeper nesting is left unpaired (and counted) rather than recursed into


@dataclass(frozen=True)
class Tag:
    start: int
    end: int
    name: str
    args: dict[str, str]
    closing: bool
    self_closing: bool

    @classmethod
    def of(cls, match: re.Match[str]) -> Tag:
        raw = match.group(4).rstrip()
        self_closing = raw.endswith("/") and not match.group(2)
        return cls(match.start(), match.end(), match.group(3), arguments(raw[:-1] if self_closing else raw),
                   bool(match.group(2)), self_closing)

    @property
    def key(self) -> str:
        return self.name.lower()


def arguments(raw: str) -> dict[str, str]:
    """Hugo shortcode arguments: positional ("0", "1", …) and named (key="value")."""
    if not raw.strip():
        return {}
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


def code_language(name: str, args: dict[str, str]) -> str | None:
    """The language of a code-like shortcode ("" when it names none), or None for any other one."""
    key = name.lower()
    for param in ("language", "lang"):
        if args.get(param):
            return args[param]
    kind = args.get("type", "").lower()
    if kind in LANGUAGES and key not in NOTE_NAMES | QUOTE_NAMES | {"details"}:
        return kind
    if key in CODE_NAMES:
        first = args.get("0", "")
        return first if re.fullmatch(r"[\w+#.-]{1,30}", first) and "." not in first[1:] else ""
    return None


def closing_tag(name: str) -> re.Pattern[str]:
    return re.compile(r"\{\{[<%]\s*/\s*" + re.escape(name) + r"\s*[>%]\}\}")


def render(text: str, *, page: Mapping[str, Any], site: Mapping[str, Any] | None, dropped: Counter[str]) -> str:
    tags = [Tag.of(m) for m in TAG.finditer(text)]
    if not tags:
        return text
    renderer = _Renderer(text, tags, _pairs(tags), page, site, dropped)
    return renderer.span(0, len(tags), 0, len(text))


def _pairs(tags: list[Tag]) -> dict[int, int]:
    """Opening tag index -> its closing tag's, innermost first; an opening tag left open by a
    closing one further out is a standalone shortcode (as `{{< youtube x >}}` always is)."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    depth_of: dict[int, int] = {}
    open_by_name: dict[str, list[int]] = {}
    for i, tag in enumerate(tags):
        if tag.self_closing:
            continue
        if not tag.closing:
            depth_of[i] = len(stack)
            stack.append(i)
            open_by_name.setdefault(tag.key, []).append(i)
            continue
        candidates = open_by_name.get(tag.key)
        if not candidates:
            continue
        opener = candidates[-1]
        depth = depth_of[opener]
        for left_open in stack[depth:]:
            open_by_name[tags[left_open].key].pop()
        del stack[depth:]
        if depth < MAX_DEPTH:
            partner[opener] = i
    return partner


class _Renderer:
    def __init__(self, text: str, tags: list[Tag], partner: dict[int, int], page: Mapping[str, Any],
                 site: Mapping[str, Any] | None, dropped: Counter[str]) -> None:
        self.text, self.tags, self.partner = text, tags, partner
        self.page, self.site, self.dropped = page, site, dropped

    def span(self, first: int, last: int, start: int, end: int) -> str:
        """The text from `start` to `end` with the tags `first`..`last` (exclusive) rendered."""
        out: list[str] = []
        position, i = start, first
        while i < last:
            tag = self.tags[i]
            out.append(self.text[position:tag.start])
            closing = self.partner.get(i)
            if closing is not None:
                inner = self.span(i + 1, closing, tag.end, self.tags[closing].start)
                out.append(self.paired(tag, inner, Place.of(self.text, tag.start, self.tags[closing].end)))
                position, i = self.tags[closing].end, closing + 1
                continue
            if tag.closing:
                if tag.key not in NOTE_NAMES | QUOTE_NAMES | {"details", "comment"}:
                    self.left_out(tag.name)
            else:
                out.append(self.single(tag, tag.end))
            position, i = tag.end, i + 1
        out.append(self.text[position:end])
        return "".join(out)

    def left_out(self, name: str) -> None:
        self.dropped[f"Hugo {{{{< {name} >}}}} shortcode(s)"] += 1

    def paired(self, tag: Tag, inner: str, where: Place) -> str:
        key, args = tag.key, tag.args
        if key == "comment":
            return ""
        if key == "details":
            summary = args.get("summary") or args.get("title") or args.get("0") or "Details"
            return block(["::: publish-details", _one_line(summary)], inner, [":::"], where)
        if key in QUOTE_NAMES and code_language(tag.name, args) is None:
            return block(["::: publish-quote"], inner, [*_attribution(args), ":::"], where)
        if key in NOTE_NAMES:
            kind = (args.get("0") or args.get("type") or key).lower()
            kind = kind if kind in NOTE_KINDS else "note"
            title = args.get("title") or args.get("1")
            head = [f":::: {kind}", *(["::: title", _one_line(title), ":::"] if title else [])]
            return block(head, inner, ["::::"], where)
        if key in _SINGLE:
            return self.single(tag, tag.end) + inner
        self.left_out(tag.name)
        return inner

    def single(self, tag: Tag, end: int) -> str:
        """A standalone shortcode; `end` is where the text it stands for ends (its block's place)."""
        render_one = _SINGLE.get(tag.key)
        rendered = render_one(self, tag.args, lambda: Place.of(self.text, tag.start, end)) if render_one else None
        if rendered is None:
            self.left_out(tag.name)
            return ""
        return rendered

    def param(self, args: dict[str, str], where: Where) -> str | None:
        """`{{< param "key" >}}`: the page's parameter, else the site's (dotted keys go deeper)."""
        name = args.get("0", "")
        for scope in (self.page, self.page.get("params"), (self.site or {}).get("params"), self.site):
            value = _dig(scope, name.split(".")) if name else None
            if value is not None and not isinstance(value, (dict, list)):
                return escape_text(str(value).lower() if isinstance(value, bool) else str(value))
        self.dropped[f"Hugo {{{{< param {name} >}}}} (not set)"] += 1
        return ""


def _figure(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
    src = args.get("src", "")
    if not src:
        return None
    caption, title, attr = args.get("caption", ""), args.get("title", ""), args.get("attr", "")
    alt = args.get("alt") or _plain(caption)
    image = f"![{escape_text(alt)}]({destination(src)})"
    if args.get("link"):
        image = f"[{image}]({destination(args['link'])})"
    if attr and args.get("attrlink"):
        attr = f"[{attr}]({destination(args['attrlink'])})"
    words = " ".join(part for part in (f"**{escape_text(title)}**" if title else "", caption, attr) if part)
    if not words:
        return block([image], None, [], where())
    return block(["::: publish-figure", image, "", _one_line(words), ":::"], None, [], where())


def _video(site: str) -> Any:
    def link(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
        video = args.get("id") or args.get("0", "")
        if not video:
            return None
        url = f"https://www.youtube.com/watch?v={video}" if site == "youtube" else f"https://vimeo.com/{video}"
        label = f"Watch the video: {escape_text(args['title'])}" if args.get("title") else "Watch the video"
        return f"[{label}]({destination(url)})"
    return link


def _gist(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
    user, gist = args.get("user") or args.get("0"), args.get("id") or args.get("1")
    if not (user and gist):
        return None
    return f"[View the gist]({destination(f'https://gist.github.com/{user}/{gist}')})"


def _post(host: str) -> Any:
    def link(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
        user, post = args.get("user"), args.get("id") or args.get("0")
        if not post:
            return None
        url = f"https://{host}/{user}/status/{post}" if user else f"https://{host}/i/status/{post}"
        return f"[View the post]({destination(url)})"
    return link


def _instagram(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
    post = args.get("id") or args.get("0")
    return f"[View the post]({destination(f'https://www.instagram.com/p/{post}/')})" if post else None


def _reference(_: _Renderer, args: dict[str, str], where: Where) -> str | None:
    """`{{< ref "other" >}}` -> a file path the loader resolves to that article's address."""
    target = args.get("0") or args.get("path") or ""
    return target if target.endswith((".md", ".markdown")) or "#" in target else f"{target}.md"


_SINGLE = {
    "figure": _figure, "youtube": _video("youtube"), "vimeo": _video("vimeo"), "gist": _gist,
    "tweet": _post("twitter.com"), "x": _post("x.com"), "instagram": _instagram,
    "ref": _reference, "relref": _reference, "param": _Renderer.param,
}


def _attribution(args: dict[str, str]) -> list[str]:
    """`— Author, <cite>Source</cite>` under a quote, from author/source/title/link."""
    author = args.get("author") or args.get("by") or ""
    source = args.get("source") or args.get("title") or args.get("cite") or ""
    link = args.get("link") or args.get("url") or ""
    cite = escape_text(source or link)
    if link:
        cite = f"[{cite}]({destination(link)})"
    parts = [escape_text(author)] if author else []
    if cite:
        parts.append(f"<cite>{cite}</cite>")
    return ["", "— " + ", ".join(parts)] if parts else []


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain(markdown: str) -> str:
    """Caption Markdown as alt text: link targets and emphasis marks left out."""
    return _one_line(re.sub(r"[*_`]|\]\([^)]*\)|[\[\]]", "", markdown))


def _dig(scope: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(scope, Mapping):
            return None
        scope = scope.get(key, scope.get(key.lower()))
    return scope
