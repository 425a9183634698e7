"""SVG images made safe: parsed without entities, DTDs or network and rebuilt from an allow-list
(`sanitize_svg`) before any size is read; PNG copies drawn from the sanitized bytes by CairoSVG.

SVG is a document that can run scripts, load URLs and embed HTML; images.py calls this module for
every SVG and never lets the original bytes reach an output.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from publish.errors import ImageError
from publish.namespaces import SVG as SVG_NS
from publish.namespaces import XHTML as _XHTML_NS
from publish.namespaces import XLINK as XLINK_NS
from publish.namespaces import XML as XML_NS

MAX_PIXELS = 60_000_000          # refuse to decode anything larger (decompression bombs), any format


SVG_DEFAULT_SIZE = (1200, 675)   # CSS px, for an SVG that states no size at all (16:9, like most covers)
SVG_MAX_SIDE = 20_000            # CSS px
SVG_MAX_ELEMENTS = 50_000
SVG_MAX_DRAWN = 500_000          # elements drawn once every <use> is expanded (nested <use> bombs)

# Shapes, text, paint servers, clipping, masking, markers and filters: what draws, nothing that loads,
# runs, animates or embeds. <image> and <feImage> go too (their only safe target would be a data: URL).
SVG_ELEMENTS = frozenset("""
    svg g defs symbol use switch title desc style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
    feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence
""".split())
_SVG_UNWRAPPED = frozenset({"a"})                        # a link's drawing stays, the link goes
_SVG_TEXT = frozenset({"text", "tspan", "textPath", "title", "desc"})
_SVG_HREF = frozenset({"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter"})
# Named in the user's warning when dropped: what makes SVG dangerous. Editor metadata goes silently.
_SVG_HOSTILE = {"script": "scripts", "handler": "scripts", "listener": "scripts",
                "foreignObject": "embedded HTML", "iframe": "embedded HTML", "embed": "embedded HTML",
                "object": "embedded HTML", "image": "embedded or linked images", "feImage": "embedded or linked images",
                "set": "animations", "animate": "animations", "animateMotion": "animations",
                "animateTransform": "animations", "animateColor": "animations", "discard": "animations"}
# Presentation properties: allowed as attributes and as CSS declarations.
_SVG_PROPERTIES = frozenset("""
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering direction display dominant-baseline fill fill-opacity
    fill-rule filter flood-color flood-opacity font font-family font-size font-size-adjust font-stretch
    font-style font-variant font-weight glyph-orientation-horizontal glyph-orientation-vertical
    image-rendering isolation letter-spacing lighting-color marker marker-end marker-mid marker-start mask
    mix-blend-mode opacity overflow paint-order pointer-events shape-rendering stop-color stop-opacity
    stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity
    stroke-width text-anchor text-decoration text-rendering transform transform-origin transform-box
    unicode-bidi vector-effect visibility white-space word-spacing writing-mode
""".split())
_SVG_ATTRIBUTES = _SVG_PROPERTIES | frozenset("""
    id class style x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength viewBox
    preserveAspectRatio version dx dy rotate textLength lengthAdjust startOffset method spacing side
    gradientUnits gradientTransform spreadMethod offset patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values type tableValues
    slope intercept amplitude exponent order kernelMatrix divisor bias targetX targetY edgeMode
    kernelUnitLength preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent scale
    xChannelSelector yChannelSelector radius baseFrequency numOctaves seed stitchTiles azimuth elevation z
    pointsAtX pointsAtY pointsAtZ limitingConeAngle
""".split())
# CSS functions a value may use; url() only as url(#local-id).
_CSS_FUNCTIONS = frozenset("""
    url rgb rgba hsl hsla hwb lab lch oklab oklch color calc min max clamp var
    matrix translate translatex translatey scale scalex scaley rotate skew skewx skewy
""".split())
_ID = re.compile(r"^[A-Za-z_][\w.\-]*$")
_LOCAL_REF = re.compile(r"^\s*#([A-Za-z_][\w.\-]*)\s*$")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*(px|pt|pc|mm|cm|in|em|ex|%)?\s*$", re.I)
_PX = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0,
       "em": 16.0, "ex": 8.0}


class SvgError(ValueError):
    """Why an SVG cannot be used (the caller names the file)."""


@dataclass(frozen=True)
class Svg:
    data: bytes                   # the sanitized document: the only SVG bytes any output contains
    width: int                    # CSS px
    height: int
    sized: bool                   # False: no width/height/viewBox, SVG_DEFAULT_SIZE was used
    removed: tuple[str, ...]      # kinds of hostile content taken out, for the user's warning


def looks_like_svg(data: bytes) -> bool:
    """An XML document with an <svg> element near its start (anything else goes to Pillow)."""
    head = data[:65536].removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") and re.search(rb"<(?:[A-Za-z_][\w.\-]*:)?svg[\s>/]", head) is not None


def sanitize_svg(data: bytes) -> Svg:
    """`data` parsed safely and rebuilt from the allow-list: no scripts, event handlers, animation,
    foreign content, or reference to anything but an id in the same document. Raises SvgError."""
    from lxml import etree

    # No DTD, no entity expansion (XXE, billion laughs), no network; comments and PIs dropped.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        source = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SvgError(f"it is not well-formed XML ({exc.msg})") from None
    namespace, name = _split(source.tag)
    if name != "svg" or namespace not in (SVG_NS, None):
        raise SvgError(f"its root element is <{name}>, not <svg>")
    if sum(1 for _ in source.iter()) > SVG_MAX_ELEMENTS:
        raise SvgError(f"it has more than {SVG_MAX_ELEMENTS} elements")
    builder = _SvgBuilder(namespace)
    root = builder.rebuild(source)
    _check_references(root)
    width, height, sized = _svg_size(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Svg(data, width, height, sized, tuple(sorted(builder.removed)))


def _split(tag: Any) -> tuple[str | None, str]:
    """(namespace, local name) of an element tag or attribute name; ("", "") for entities and the like."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class _SvgBuilder:
    """A new tree holding only allowed elements and attributes, in the SVG namespace."""

    def __init__(self, namespace: str | None) -> None:
        self.namespace = namespace          # the source's SVG namespace (None: a file without xmlns)
        self.removed: set[str] = set()
        self.ids: set[str] = set()

    def rebuild(self, source: Any) -> Any:
        from lxml import etree

        root = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS, "xlink": XLINK_NS})
        self._attributes(source, root, "svg")
        self._children(source, root)
        return root

    def _children(self, source: Any, target: Any) -> None:
        from lxml import etree

        keeps_text = _split(target.tag)[1] in _SVG_TEXT
        if keeps_text and source.text:
            _append_text(target, source.text)
        for child in source:
            namespace, name = _split(child.tag)
            if namespace == self.namespace and name in SVG_ELEMENTS:
                element = etree.SubElement(target, f"{{{SVG_NS}}}{name}")
                self._attributes(child, element, name)
                if name == "style":
                    element.text = _clean_stylesheet("".join(child.itertext()), self.removed)
                else:
                    self._children(child, element)
            elif namespace == self.namespace and name in _SVG_UNWRAPPED:
                self._children(child, target)
            elif name in _SVG_HOSTILE:
                self.removed.add(_SVG_HOSTILE[name])
            elif namespace == _XHTML_NS:
                self.removed.add("embedded HTML")
            # Anything else (editor metadata, unknown elements, entity references) goes silently.
            if keeps_text and child.tail:
                _append_text(target, child.tail)

    def _attributes(self, source: Any, target: Any, element: str) -> None:
        for key, value in source.attrib.items():
            namespace, name = _split(key)
            if name == "href" and namespace in (None, XLINK_NS):
                if element in _SVG_HREF and _LOCAL_REF.match(value):
                    target.set(f"{{{XLINK_NS}}}href", value.strip())     # SVG 1.1's spelling: every reader knows it
                else:
                    self.removed.add("external references")
            elif namespace == XML_NS and name in ("space", "lang"):
                target.set(key, value)
            elif namespace is not None or name not in _SVG_ATTRIBUTES:
                if name.lower().startswith("on"):
                    self.removed.add("event handlers")
            elif name == "id":
                if _ID.match(value) and value not in self.ids:       # ids stay unique (EPUBCheck)
                    self.ids.add(value)
                    target.set("id", value)
            elif name == "style":
                declarations = _clean_declarations(value, self.removed)
                if declarations:
                    target.set("style", declarations)
            elif _safe_css_value(value):
                target.set(name, value)
            else:
                self.removed.add("external references")


def _append_text(element: Any, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _check_references(root: Any) -> None:
    """References only to ids that exist, no <use> cycles, and no <use> bombs (SvgError)."""
    href = f"{{{XLINK_NS}}}href"

    def target_of(element: Any) -> str:
        return str(element.get(href, "")).strip()[1:]

    changed = True
    while changed:                                   # a removed <use> may have been another's target
        by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
        changed = False
        for element in list(root.iter()):
            if target_of(element) in by_id:
                continue
            if _split(element.tag)[1] in ("use", "textPath"):     # nothing to draw without a target
                element.getparent().remove(element)
                changed = True
            elif element.get(href) is not None:
                del element.attrib[href]
    drawn: dict[Any, int] = {}
    on_path: set[Any] = set()
    cycles: list[Any] = []

    def count(element: Any, via: Any = None) -> int:
        if element in on_path:                       # a <use> that draws one of its own ancestors
            cycles.append(via)
            return 0
        if element in drawn:
            return drawn[element]
        on_path.add(element)
        total = 1 + sum(count(child) for child in element)
        if _split(element.tag)[1] == "use":
            total += count(by_id[target_of(element)], element)
        on_path.discard(element)
        if total > SVG_MAX_DRAWN:
            raise SvgError(f"its <use> elements draw more than {SVG_MAX_DRAWN} elements")
        drawn[element] = total
        return total

    try:
        count(root)
    except RecursionError:
        raise SvgError("its <use> references are nested too deeply") from None
    for element in cycles:
        if element.getparent() is not None:
            element.getparent().remove(element)


def _clean_stylesheet(text: str, removed: set[str]) -> str:
    """Style rules with their declarations filtered, inside @media too; other at-rules (@import,
    @font-face, @namespace...) go."""
    import tinycss2

    return "\n".join(_clean_rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True),
                                  removed))


def _clean_rules(rules: Any, removed: set[str]) -> list[str]:
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            declarations = _clean_declarations(rule.content, removed)
            if declarations:
                kept.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{declarations}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
            if _safe_tokens(rule.prelude):
                inner = _clean_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                              skip_whitespace=True), removed)
                if inner:
                    kept.append(f"@media {tinycss2.serialize(rule.prelude).strip()}{{{''.join(inner)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("import", "font-face"):
            removed.add("external references")
    return kept


def _clean_declarations(css: Any, removed: set[str]) -> str:
    """Presentation properties only, and no URL but url(#local-id)."""
    import tinycss2

    kept = []
    for declaration in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True):
        if declaration.type != "declaration" or declaration.lower_name not in _SVG_PROPERTIES:
            continue
        if not _safe_tokens(declaration.value):
            removed.add("external references")
            continue
        value = tinycss2.serialize(declaration.value).strip()
        kept.append(f"{declaration.lower_name}:{value}{' !important' if declaration.important else ''}")
    return ";".join(kept)


def _safe_css_value(value: str) -> bool:
    """Presentation attributes are CSS values: the same rule applies, escapes included (`u\\72l(`)."""
    import tinycss2

    return _safe_tokens(tinycss2.parse_component_value_list(value))


def _safe_tokens(tokens: Any) -> bool:
    for token in tokens:
        kind = token.type
        if kind == "url":
            if not _LOCAL_REF.match(token.value):
                return False
        elif kind == "function":
            if token.lower_name not in _CSS_FUNCTIONS:
                return False
            if token.lower_name == "url":
                arguments = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if len(arguments) != 1 or arguments[0].type != "string" or not _LOCAL_REF.match(arguments[0].value):
                    return False
            elif not _safe_tokens(token.arguments):
                return False
        elif kind in ("() block", "[] block", "{} block"):
            if not _safe_tokens(token.content):
                return False
        elif kind in ("at-keyword", "bad-url", "bad-string"):
            return False
    return True


def _svg_size(root: Any) -> tuple[int, int, bool]:
    """CSS px from width/height (absolute units), else from the viewBox; a default for neither.
    Writes the size (and a viewBox) onto the root where missing, so every renderer scales it alike."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    sized = True
    if width is not None and height is not None:
        if box is None:
            root.set("viewBox", f"0 0 {_number(width)} {_number(height)}")
    elif box is not None:
        if width is not None:
            height = width * box[1] / box[0]
        elif height is not None:
            width = height * box[0] / box[1]
        else:
            width, height = box
    else:
        width, height = float(SVG_DEFAULT_SIZE[0]), float(SVG_DEFAULT_SIZE[1])
        sized = False
        root.set("viewBox", f"0 0 {SVG_DEFAULT_SIZE[0]} {SVG_DEFAULT_SIZE[1]}")
    if width > SVG_MAX_SIDE or height > SVG_MAX_SIDE or width * height > MAX_PIXELS:
        raise SvgError(f"it is {round(width)}x{round(height)} px; the limit is {SVG_MAX_SIDE} px a side "
                       f"and {MAX_PIXELS // 1_000_000} megapixels")
    w, h = max(1, round(width)), max(1, round(height))
    if _length(root.get("width")) is None or _length(root.get("height")) is None:
        root.set("width", str(w))
        root.set("height", str(h))
    return w, h, sized


def _length(value: str | None) -> float | None:
    """An absolute length in CSS px; None for a percentage, `auto`, nothing or nonsense."""
    match = _LENGTH.match(value or "")
    if not match or (match.group(3) or "") == "%":
        return None
    px = float(match.group(1)) * 10 ** int(match.group(2) or 0) * _PX[(match.group(3) or "").lower()]
    return px if 0 < px < float("inf") else None


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _view_box(value: str | None) -> tuple[float, float] | None:
    parts = (value or "").replace(",", " ").split()
    if len(parts) != 4:
        return None
    try:
        width, height = float(parts[2]), float(parts[3])
    except ValueError:
        return None
    return (width, height) if 0 < width < float("inf") and 0 < height < float("inf") else None


def sanitized(data: bytes, name: str) -> Svg:
    try:
        return sanitize_svg(data)
    except SvgError as exc:
        raise ImageError(f"SVG image {name!r} cannot be used: {exc}",
                         hint="export it again from your editor as plain SVG, or use a PNG") from None


@lru_cache(maxsize=64)
def sanitized_file(path: Path, digest: str) -> Svg:
    """The sanitized form of a probed SVG (`digest` makes a changed file a new entry)."""
    return sanitized(path.read_bytes(), path.name)


def _refuse_url(url: str, resource_type: str) -> bytes:
    """CairoSVG's URL fetcher: nothing is ever loaded (a sanitized SVG names no URL anyway)."""
    raise ValueError(f"external resource refused: {url[:80]}")


def rasterize(svg: bytes, width: int, height: int) -> bytes:
    """A PNG of the sanitized SVG at exactly width x height, re-encoded by Pillow for stable bytes."""
    from cairosvg.surface import PNGSurface
    from PIL import Image as PILImage

    try:
        png = PNGSurface.convert(bytestring=svg, output_width=width, output_height=height,
                                 unsafe=False, url_fetcher=_refuse_url)
        with PILImage.open(io.BytesIO(png)) as img:
            img.load()
            out = io.BytesIO()
            img.save(out, "PNG", optimize=True)
            return out.getvalue()
    except Exception as exc:  # noqa: BLE001 - whatever the renderer raises, the user gets an ImageError
        raise ImageError(f"the SVG could not be drawn as PNG ({type(exc).__name__}: {exc})") from None
