"""The one place that opens, checks, converts and sizes images.

Originals are probed (header only) when articles load; exporters ask for web-safe copies
(JPEG or PNG, never WebP) at the size they need. Copies are content-addressed under
`output/images/`, so each source and size is converted once and reused across runs.

SVG is a document that can run scripts, load URLs and embed HTML, so an SVG is parsed without
entities, DTDs or network, and rebuilt from an allow-list (`sanitize_svg`) before any size is
read; the PDF and the EPUB embed only those sanitized bytes (`vector_copy`), and feeds and
emails get a PNG rendered from them by CairoSVG (`convert`).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path
from typing import Literal

from publish.errors import ImageError
from publish.model import Image
from publish.patches import apply_all
from publish.paths import write_atomic
from publish.svg import MAX_PIXELS, Svg, SvgError, looks_like_svg, rasterize, sanitize_svg, sanitized, sanitized_file

__all__ = ["MAX_PIXELS", "Svg", "SvgError", "convert", "looks_like_svg", "probe", "sanitize_svg", "vector_copy",
           "web_copy"]

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "SVG"}
MAX_BYTES = 50 * 1024 * 1024
IMAGES_DIR = "images"


def probe(path: Path, *, alt: str = "", source: str = "") -> Image:
    """Read an image's header: format and size. Raises ImageError for anything unsafe or unreadable."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    apply_all()           # the Pillow patch: truncated files refused, even after WeasyPrint's import
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(f"image {source or path.name!r} not found", hint=f"looked for {path}") from None
    if not path.is_file():
        raise ImageError(f"image {source or path.name!r} is not a file")
    if size > MAX_BYTES:
        raise ImageError(f"image {source!r} is {size // 1_048_576} MB; the limit is {MAX_BYTES // 1_048_576} MB")
    data = path.read_bytes()
    if looks_like_svg(data):
        svg = sanitized(data, source or path.name)
        return Image(path=path, alt=alt, width=svg.width, height=svg.height, format="SVG",
                     digest=hashlib.sha256(data).hexdigest(), source=source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format or "", img.size
                if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):     # shown turned a quarter
                    width, height = height, width
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{source or path.name!r} is not a readable image ({type(exc).__name__})",
                         hint="replace it with a JPEG, PNG, WebP or SVG file") from None
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ImageError(f"image {source!r} has too many pixels to decode safely") from None
    if fmt not in ALLOWED_FORMATS:
        raise ImageError(f"image {source!r} is {fmt or 'an unknown format'}; use JPEG, PNG, WebP, GIF or SVG")
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        raise ImageError(f"image {source!r} is {width}x{height} pixels; "
                         f"the limit is {MAX_PIXELS // 1_000_000} megapixels", hint="resize it before publishing")
    return Image(path=path, alt=alt, width=width, height=height, format=fmt,
                 digest=hashlib.sha256(data).hexdigest(), source=source)


def notes(image: Image) -> list[str]:
    """What the user should know about an image that was accepted: an SVG without a size, or one
    that lost scripts or external references to the sanitizer."""
    if image.format != "SVG":
        return []
    name = image.source or image.path.name
    svg = sanitized_file(image.path, image.digest)
    found = []
    if not svg.sized:
        found.append(f"SVG image {name!r} has no width, height or viewBox; shown at {svg.width}x{svg.height} "
                     "(add a viewBox to the <svg> element)")
    if svg.removed:
        found.append(f"SVG image {name!r}: removed {', '.join(svg.removed)} (SVG images may not run scripts "
                     "or load other files)")
    return found


def web_copy_name(image: Image, max_width: int) -> tuple[str, int, int]:
    """The output-relative name and size a web copy of `image` at `max_width` will have."""
    width, height = _scaled(image, max_width)
    ext = "png" if _keeps_png(image) else "jpg"
    return f"{IMAGES_DIR}/{_stem(image)}-{image.digest[:12]}-{width}.{ext}", width, height


def vector_copy(image: Image, max_width: int) -> tuple[str, bytes, int, int]:
    """For formats that embed vectors (PDF, EPUB): the sanitized SVG's file name, its bytes and the
    size to show it at (no wider than `max_width`). Never the original bytes."""
    if image.format != "SVG":
        raise ImageError(f"image {image.source or image.path.name!r} is not an SVG")
    width, height = _scaled(image, max_width)
    return f"{_stem(image)}-{image.digest[:12]}.svg", sanitized_file(image.path, image.digest).data, width, height


def _scaled(image: Image, max_width: int) -> tuple[int, int]:
    width = min(image.width, max_width)
    return width, max(1, round(image.height * width / image.width))


def _stem(image: Image) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in image.path.stem.lower())[:40] or "image"


def web_copy(image: Image, output_dir: Path, max_width: int) -> tuple[str, int, int]:
    """Write (once) a JPEG/PNG copy no wider than `max_width`; returns (relative path, width, height)."""
    name, width, height = web_copy_name(image, max_width)
    target = output_dir / name
    if not target.exists():
        write_atomic(target, convert(image, width, height))
    return name, width, height


# Copies this process made or read lately (name -> bytes): tasks of one worker share them without
# output/ (which may be on another machine). Names say what a copy is made from, so never stale.
_COPIES: dict[str, bytes] = {}
_COPIES_BUDGET = 64 << 20
_COPIES_SIZE = 0                 # bytes held in _COPIES


def copy_bytes(image: Image, name: str, width: int, height: int, output_dir: Path) -> bytes:
    """The bytes of the web copy `name` of `image`: remembered, else read from `output_dir` when
    this process sees it, else converted now."""
    found = _COPIES.get(name)
    if found is not None:
        return found
    try:
        found = (output_dir / name).read_bytes()
    except OSError:
        found = convert(image, width, height)
    global _COPIES_SIZE
    while _COPIES and _COPIES_SIZE + len(found) > _COPIES_BUDGET:
        _COPIES_SIZE -= len(_COPIES.pop(next(iter(_COPIES))))     # the oldest first
    _COPIES[name] = found
    _COPIES_SIZE += len(found)
    return found


def convert(image: Image, width: int, height: int) -> bytes:
    """Re-encode as JPEG or PNG at the given size; drops metadata, honours EXIF orientation."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    if image.format == "SVG":
        return rasterize(sanitized_file(image.path, image.digest).data, width, height)
    apply_all()           # the Pillow patch: truncated files refused, even after WeasyPrint's import
    if image.format == "JPEG" and width == image.width:
        stripped = _jpeg_without_metadata(image.path.read_bytes())
        if stripped is not None:
            return stripped                       # same pixels, no second lossy encoding
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with PILImage.open(image.path) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", (width, height))     # decode at reduced scale: far less memory
            opened.seek(0)
            img: PILImage.Image = opened
            if opened.getexif().get(0x0112, 1) != 1:
                img = ImageOps.exif_transpose(opened)
            decoded_mode, icc = img.mode, opened.info.get("icc_profile")
            if img.size != (width, height):
                # Bicubic: for the downscales made here (photos to 1200-1600 px) indistinguishable
                # from Lanczos, and about twice as fast; reducing_gap shrinks huge sources by
                # whole factors first.
                img = img.resize((width, height), PILImage.Resampling.BICUBIC, reducing_gap=2.0)
            out = io.BytesIO()
            if _keeps_png(image):
                if img.mode not in ("RGB", "RGBA", "L", "LA"):
                    img = img.convert("RGBA")
                img.save(out, "PNG", optimize=True, **_profile(icc, decoded_mode, img.mode))
            else:
                if img.mode != "RGB":
                    img = _flatten(img)
                # Baseline, not progressive: every mail client and e-reader shows it, the files
                # are the same size, and it encodes faster.
                img.save(out, "JPEG", quality=84, optimize=True, **_profile(icc, decoded_mode, img.mode))
            return out.getvalue()


def _profile(icc: bytes | None, decoded_mode: str, saved_mode: str) -> dict[str, bytes]:
    """Keep the source's colour profile (a Display P3 photo stays P3) unless the pixels changed
    colour model (CMYK or greyscale turned RGB), where the old profile would be wrong."""
    return {"icc_profile": icc} if icc and _model(decoded_mode) == _model(saved_mode) else {}


def _model(mode: str) -> str:
    if mode == "CMYK":
        return "cmyk"
    return "grey" if mode in ("1", "L", "LA", "I", "I;16", "F") else "rgb"


# Segments kept in a JPEG copied as it is: JFIF (APP0), ICC profile (APP2), Adobe (APP14) and
# everything that describes the image itself. EXIF/XMP (APP1), IPTC (APP13) and comments go.
_DROPPED_SEGMENTS = {0xE1, 0xED, 0xFE} | (set(range(0xE3, 0xF0)) - {0xEE})


def _jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG without its metadata segments, or None if it is unusual (then it is re-encoded).
    None too for an EXIF orientation other than upright, which only re-encoding can apply."""
    if data[:2] != b"\xff\xd8":
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:                        # fill byte
            i += 1
            continue
        if marker == 0xDA:                        # start of scan: the rest is image data
            return bytes(out + data[i:])
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > len(data):
            return None
        segment = data[i:i + 2 + length]
        if marker == 0xE1 and segment[4:10] == b"Exif\x00\x00" and _rotated(segment[10:]):
            return None
        if marker not in _DROPPED_SEGMENTS:
            out += segment
        i += 2 + length
    return None


def _rotated(tiff: bytes) -> bool:
    """True if an EXIF block sets an orientation other than 1 (or cannot be read)."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return True
    order: Literal["little", "big"] = "little" if tiff[:2] == b"II" else "big"
    start = int.from_bytes(tiff[4:8], order)
    if start + 2 > len(tiff):
        return True
    count = int.from_bytes(tiff[start:start + 2], order)
    for n in range(count):
        entry = tiff[start + 2 + 12 * n:start + 14 + 12 * n]
        if len(entry) < 12:
            return True
        if int.from_bytes(entry[:2], order) == 0x0112:
            return int.from_bytes(entry[8:10], order) != 1
    return False


def _keeps_png(image: Image) -> bool:
    return image.format in ("PNG", "GIF", "SVG")


def _flatten(img):  # type: ignore[no-untyped-def]
    from PIL import Image as PILImage

    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        background = PILImage.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")
