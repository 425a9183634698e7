"""The book's cover, composed with Pillow: a mosaic of the articles' images above the title.

1600 x 2400 pixels (2:3, what the stores recommend), white with black type so it also reads on
e-ink. Type comes from the theme's fonts (a Latin subset of Noto Serif) and, for a title in
another script, from the system's Noto fonts (the README's set-up installs them).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from publish.errors import PublishError
from publish.exporters.epub.places import COVER_WIDTH, IMAGE_WIDTH, THEME_FOLDER
from publish.html import strip_forbidden
from publish.model import Article, Image

WIDTH, HEIGHT = 1600, 2400
MOSAIC_HEIGHT = 1400
GUTTER = 12
MARGIN = 120
MAX_TILES = 9
INK = (17, 17, 17)
GREY = (68, 68, 68)
THEME_FONTS = {"bold": "NotoSerif-Bold-Latin.ttf", "regular": "NotoSerif-Regular-Latin.ttf"}   # in epub/fonts/
SYSTEM_FONTS = {
    "bold": ("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
    "regular": ("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
}


@dataclass(frozen=True)
class CoverText:
    title: str
    subtitle: str            # e.g. the tag of a selection; may be empty
    dates: str               # "2024 – 2025"
    author: str


def book_cover(ctx: Any, book_title: str, text: CoverText, articles: Sequence[Article]) -> tuple[bytes, str]:
    """The configured cover image, or one composed from the articles' covers; with its alt text.
    `ctx`: the build context of the task."""
    image: Image | None = ctx.site.book_cover
    if image is not None:
        from publish.images import convert

        width = COVER_WIDTH if image.format == "SVG" else min(image.width, COVER_WIDTH)   # vectors scale up
        height = max(1, round(image.height * width / image.width))
        data = convert(image, width, height)
        if data[:4] == b"\x89PNG":
            data = as_jpeg(data)
        return data, f"Cover of {strip_forbidden(book_title)}"
    pictures: list[bytes] = []
    for article in articles:
        if article.cover is not None and len(pictures) < MAX_TILES:
            try:
                relative, _, _ = ctx.web_image(article.cover, IMAGE_WIDTH)
                pictures.append(ctx.shared(relative))
            except (PublishError, OSError):
                continue
    fonts = {relative.removeprefix("fonts/"): path for relative, path in ctx.themes.files(THEME_FOLDER).items()
             if relative.startswith("fonts/")}
    data = compose(text, pictures, fonts)
    mosaic = ", over a mosaic of the articles' images" if pictures else ""
    subtitle = f", {text.subtitle}" if text.subtitle else ""
    return data, strip_forbidden(f"Cover of {text.title}{subtitle}, {text.dates}{mosaic}.")


def compose(text: CoverText, images: list[bytes], theme_fonts: Mapping[str, Path]) -> bytes:
    """A JPEG cover: up to nine of `images` (JPEG/PNG bytes) as a mosaic, then the text.
    `theme_fonts`: the theme's font files by name (epub/fonts/ through the theme chain)."""
    from PIL import Image, ImageDraw

    canvas = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    tiles = images[:MAX_TILES]
    if tiles:
        _mosaic(canvas, tiles)
        top = MOSAIC_HEIGHT + 110
    else:
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((MARGIN, 520, WIDTH - MARGIN, 536), fill=INK)   # a rule instead of pictures
        top = 640
    draw = ImageDraw.Draw(canvas)
    top = _draw_block(draw, text.title, theme_fonts, "bold", top, sizes=range(150, 60, -6), max_lines=3, fill=INK)
    if text.subtitle:
        top = _draw_block(draw, text.subtitle, theme_fonts, "regular", top + 20, sizes=range(80, 40, -4),
                          max_lines=2, fill=INK)
    if text.dates:
        _draw_block(draw, text.dates, theme_fonts, "regular", top + 30, sizes=range(64, 30, -4), max_lines=1, fill=GREY)
    if text.author:
        _draw_block(draw, text.author, theme_fonts, "regular", HEIGHT - 200, sizes=range(64, 30, -4), max_lines=1,
                    fill=INK)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=88)
    return out.getvalue()


def _mosaic(canvas, pictures: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    """Tiles in a near-square grid; the last row's tiles widen so the mosaic has no holes."""
    from PIL import Image, ImageOps

    count = len(pictures)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    row_height = (MOSAIC_HEIGHT - GUTTER * (rows - 1)) // rows
    index = 0
    for row in range(rows):
        in_row = min(columns, count - index)
        cell_width = (WIDTH - GUTTER * (in_row - 1)) // in_row
        for column in range(in_row):
            with Image.open(io.BytesIO(pictures[index])) as opened:
                picture = ImageOps.fit(opened.convert("RGB"), (cell_width, row_height),
                                       method=Image.Resampling.LANCZOS)
            canvas.paste(picture, (column * (cell_width + GUTTER), row * (row_height + GUTTER)))
            index += 1


def _draw_block(draw, text: str, theme_fonts: Mapping[str, Path], weight: str, top: int, *, sizes: range,  # type: ignore[no-untyped-def]
                max_lines: int, fill: tuple[int, int, int]) -> int:
    """Draw `text` centred, at the largest size that fits in `max_lines`; returns the next free y."""
    width = WIDTH - 2 * MARGIN
    font, lines = None, [text]
    for size in sizes:
        font = _font(_font_path(text, theme_fonts, weight), size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines):
            break
    assert font is not None
    lines = lines[:max_lines]
    ascent, descent = font.getmetrics()
    line_height = int((ascent + descent) * 1.15)
    for line in lines:
        x = (WIDTH - font.getlength(line)) / 2
        draw.text((x, top), line, font=font, fill=fill)
        top += line_height
    return top


def _wrap(text: str, font, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Greedy word wrap; text without spaces (CJK) wraps between characters."""
    words = text.split() if " " in text.strip() else list(text.strip())
    joiner = " " if " " in text.strip() else ""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _font_path(text: str, theme_fonts: Mapping[str, Path], weight: str) -> str:
    """The first font, theme's then system's, that has a glyph for every character of `text`."""
    theme = theme_fonts.get(THEME_FONTS[weight])
    candidates = [str(theme)] if theme is not None else []
    candidates += [p for p in SYSTEM_FONTS[weight] if Path(p).is_file()]
    needed = {ord(c) for c in text if not c.isspace()}
    best, best_missing = "", len(needed) + 1
    for path in candidates:
        missing = len(needed - _coverage(path))
        if missing == 0:
            return path
        if missing < best_missing:
            best, best_missing = path, missing
    return best


@lru_cache(maxsize=16)
def _coverage(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@lru_cache(maxsize=64)
def _font(path: str, size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    if not path:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=0)


def as_jpeg(png: bytes) -> bytes:
    """The cover is declared as images/cover.jpg: flatten a PNG onto white."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as opened:
        rgba = opened.convert("RGBA")
    flat = PILImage.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=88)
    return out.getvalue()
