"""Generate the sample images used by the articles in ``content/``.

Every article in the sample blog ("Field Notes") names an SEO image in its
front matter, and two articles embed an illustration in the body.  Rather
than shipping photographs of unknown provenance, the images are drawn here
with Pillow: abstract gradients and shapes that look like blog hero images
and exercise the pipeline with different sizes, formats and colour schemes
(very light, very dark, busy/high-contrast, square, portrait, WebP, JPEG,
PNG).

The output is deterministic: every image uses its own seeded random number
generator, so running the script twice writes the same pixels.

Usage (from anywhere)::

    .venv/bin/python tools/make_sample_images.py

Images are written to ``content/public/`` relative to the repository root,
which is derived from this file's location.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "content" / "public"

RGB = tuple[int, int, int]
MAX_BYTES = 250 * 1024


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def corner_gradient(size: tuple[int, int], tl: str, tr: str, bl: str, br: str) -> Image.Image:
    """A smooth four-corner gradient (bilinear interpolation of a 2x2 image)."""
    seed = Image.new("RGB", (2, 2))
    seed.putpixel((0, 0), hex_rgb(tl))
    seed.putpixel((1, 0), hex_rgb(tr))
    seed.putpixel((0, 1), hex_rgb(bl))
    seed.putpixel((1, 1), hex_rgb(br))
    # Upscale a slightly larger intermediate first so the bilinear filter
    # reaches all the way to the edges, then crop the centre.
    big = seed.resize((size[0] * 2, size[1] * 2), Image.Resampling.BILINEAR)
    return big.crop((size[0] // 2, size[1] // 2, size[0] // 2 + size[0], size[1] // 2 + size[1]))


def radial_mask(size: tuple[int, int], falloff: float = 1.0) -> Image.Image:
    """An 'L' mask: 255 in the centre, fading to 0 at the inscribed circle.

    ``falloff`` > 1 makes the glow tighter.
    """
    # Pillow's radial gradient is 0 in the centre and reaches 255 only at the
    # corners (r = 128 * sqrt(2)); scale it so 255 lies on the inscribed circle.
    grad = Image.radial_gradient("L")
    falloff *= math.sqrt(2)
    grad = grad.point(lambda v: max(0, 255 - int(min(255, v * falloff))))
    return grad.resize(size, Image.Resampling.BICUBIC)


def glow(base: Image.Image, centre: tuple[int, int], radius: int, colour: str, strength: float = 1.0) -> None:
    """Paint a soft radial glow onto ``base`` in place."""
    box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    mask = radial_mask((radius * 2, radius * 2))
    if strength != 1.0:
        mask = mask.point(lambda v: int(min(255, v * strength)))
    layer = Image.new("RGB", mask.size, hex_rgb(colour))
    base.paste(layer, box[:2], mask)


def soft_blobs(
    base: Image.Image,
    rng: random.Random,
    colours: Sequence[str],
    count: int,
    radius: tuple[int, int],
    alpha: tuple[int, int],
    blur: int,
) -> Image.Image:
    """Composite ``count`` blurred translucent ellipses over ``base``."""
    w, h = base.size
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        r = rng.randint(*radius)
        x = rng.randint(-r // 2, w + r // 2)
        y = rng.randint(-r // 2, h + r // 2)
        rx = int(r * rng.uniform(0.7, 1.3))
        colour = hex_rgb(rng.choice(colours))
        draw.ellipse((x - rx, y - r, x + rx, y + r), fill=(*colour, rng.randint(*alpha)))
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    out = base.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert("RGB")


def supersampled(
    size: tuple[int, int], factor: int, paint: Callable[[Image.Image, int], None], mode: str = "RGBA"
) -> Image.Image:
    """Draw at ``factor`` times the size and downsample, for smooth edges."""
    big = Image.new(mode, (size[0] * factor, size[1] * factor), (0, 0, 0, 0))
    paint(big, factor)
    return big.resize(size, Image.Resampling.LANCZOS)


def save(img: Image.Image, name: str) -> Path:
    """Save into content/public/, choosing the encoder from the extension."""
    path = PUBLIC / name
    suffix = path.suffix.lower()
    if suffix in {".jpg", ".jpeg"}:
        img.convert("RGB").save(path, "JPEG", quality=84, optimize=True, progressive=True, subsampling="4:2:0")
    elif suffix == ".webp":
        img.convert("RGB").save(path, "WEBP", quality=80, method=6)
    elif suffix == ".png":
        img.save(path, "PNG", optimize=True)
    else:  # pragma: no cover - a programming error in this script
        raise ValueError(f"unsupported image type: {name}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{name} is {size} bytes, over the {MAX_BYTES} byte budget")
    return path


# --------------------------------------------------------------------------
# the images, one function each
# --------------------------------------------------------------------------


def measure_of_a_line() -> Image.Image:
    """Very light: cream paper, faint ruled lines, a pale margin rule."""
    rng = random.Random(1001)
    size = (1600, 900)
    img = corner_gradient(size, "#fdfbf6", "#f7f2e7", "#f6f1e4", "#efe8d8")
    img = soft_blobs(img, rng, ["#dfe9f3", "#f6dccb", "#e9e4f4"], 7, (180, 360), (60, 110), 90)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        for y in range(120 * k, 900 * k, 46 * k):
            d.line((0, y, 1600 * k, y), fill=(150, 170, 200, 55), width=2 * k)
        d.line((230 * k, 0, 230 * k, 900 * k), fill=(215, 120, 120, 90), width=3 * k)
        # a few "lines of text" as soft pencil strokes, of comfortable length
        y = 120 * k + 46 * k - 14 * k
        for i in range(9):
            length = rng.randint(880, 1010) if i % 4 != 3 else rng.randint(380, 620)
            d.rounded_rectangle(
                (300 * k, y - 6 * k, (300 + length) * k, y + 6 * k), radius=6 * k, fill=(120, 118, 130, 40)
            )
            y += 46 * k

    overlay = supersampled(size, 2, paint)
    out = img.convert("RGBA")
    out.alpha_composite(overlay)
    return out.convert("RGB")


def line_length_figure() -> Image.Image:
    """Inline figure: three columns of text-like bars at different measures."""
    rng = random.Random(1002)
    size = (1400, 620)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        d.rectangle((0, 0, size[0] * k, size[1] * k), fill=(250, 249, 246, 255))
        panels = [(60, 280, "#c0504d"), (400, 900, "#3c8d5a"), (40, 1360, "#c0504d")]
        tops = [60, 60, 470]
        # narrow column (left), comfortable column (right), very wide (bottom)
        for (x0, x1, accent), top, lines in zip(panels, tops, (14, 14, 4), strict=True):
            d.rounded_rectangle(
                ((x0 - 20) * k, (top - 24) * k, (x1 + 20) * k, (top + lines * 26 + 6) * k),
                radius=14 * k,
                fill=(255, 255, 255, 255),
                outline=hex_rgb(accent) + (255,),
                width=3 * k,
            )
            y = top
            width = x1 - x0
            for i in range(lines):
                frac = 1.0 if i < lines - 1 else rng.uniform(0.35, 0.6)
                jitter = rng.uniform(0.86, 1.0) if width < 400 else rng.uniform(0.93, 1.0)
                length = int(width * frac * jitter)
                d.rounded_rectangle(
                    (x0 * k, y * k, (x0 + length) * k, (y + 10) * k), radius=5 * k, fill=(70, 72, 84, 255)
                )
                y += 26
        # the "ideal" marker: a check-like tick next to the comfortable column
        d.ellipse((950 * k, 36 * k, 1010 * k, 96 * k), fill=hex_rgb("#3c8d5a") + (255,))
        d.line((963 * k, 67 * k, 976 * k, 80 * k, 998 * k, 52 * k), fill=(255, 255, 255, 255), width=7 * k)
        # and a cross by each of the two uncomfortable measures
        for cx, cy in ((350, 66), (1330, 440)):
            d.ellipse(((cx - 30) * k, (cy - 30) * k, (cx + 30) * k, (cy + 30) * k), fill=hex_rgb("#c0504d") + (255,))
            d.line(((cx - 12) * k, (cy - 12) * k, (cx + 12) * k, (cy + 12) * k), fill=(255, 255, 255, 255), width=7 * k)
            d.line(((cx - 12) * k, (cy + 12) * k, (cx + 12) * k, (cy - 12) * k), fill=(255, 255, 255, 255), width=7 * k)

    return supersampled(size, 2, paint).convert("RGB")


def one_source_many_formats() -> Image.Image:
    """Teal to indigo; one source on the left fanning out to many outputs."""
    rng = random.Random(2001)
    size = (1600, 900)
    img = corner_gradient(size, "#0f766e", "#1e3a8a", "#134e4a", "#312e81")
    img = soft_blobs(img, rng, ["#2dd4bf", "#818cf8", "#38bdf8"], 9, (160, 320), (40, 80), 80)
    src = (360, 450)
    targets = [(1230, 170), (1300, 360), (1300, 540), (1230, 730)]
    colours = ["#fbbf24", "#f472b6", "#a3e635", "#e0f2fe"]

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        for (tx, ty), colour in zip(targets, colours, strict=True):
            pts = []
            for i in range(61):
                t = i / 60
                # cubic ease between the source and the target
                e = t * t * (3 - 2 * t)
                pts.append(((src[0] + (tx - src[0]) * t) * k, (src[1] + (ty - src[1]) * e) * k))
            d.line(pts, fill=hex_rgb(colour) + (150,), width=10 * k, joint="curve")
        for (tx, ty), colour in zip(targets, colours, strict=True):
            r = 58
            d.ellipse(((tx - r) * k, (ty - r) * k, (tx + r) * k, (ty + r) * k), fill=hex_rgb(colour) + (235,))
        r = 120
        d.ellipse(((src[0] - r) * k, (src[1] - r) * k, (src[0] + r) * k, (src[1] + r) * k), fill=(255, 255, 255, 240))
        for i in range(5):
            y = src[1] - 50 + i * 25
            x1 = src[0] + (60 if i < 4 else 10)
            d.rounded_rectangle(
                ((src[0] - 60) * k, (y - 5) * k, x1 * k, (y + 5) * k), radius=5 * k, fill=(30, 58, 138, 220)
            )

    glow(img, src, 260, "#5eead4", 0.55)
    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, paint))
    return out.convert("RGB")


def pipeline_diagram() -> Image.Image:
    """Inline figure: Markdown source -> pipeline -> four kinds of output."""
    size = (1400, 620)
    outputs = [
        (1110, 60, "#f59e0b", "feed"),
        (1110, 195, "#dc2626", "pdf"),
        (1110, 330, "#2563eb", "book"),
        (1110, 465, "#16a34a", "mail"),
    ]

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)

        def box(x0: int, y0: int, x1: int, y1: int, fill: RGB, outline: RGB, radius: int = 18) -> None:
            d.rounded_rectangle(
                (x0 * k, y0 * k, x1 * k, y1 * k),
                radius=radius * k,
                fill=fill + (255,),
                outline=outline + (255,),
                width=3 * k,
            )

        def arrow(x0: int, y0: int, x1: int, y1: int, colour: RGB) -> None:
            d.line((x0 * k, y0 * k, x1 * k, y1 * k), fill=colour + (255,), width=5 * k)
            ang = math.atan2(y1 - y0, x1 - x0)
            a, b = ang + math.radians(150), ang - math.radians(150)
            head = [
                (x1 * k, y1 * k),
                ((x1 + 22 * math.cos(a)) * k, (y1 + 22 * math.sin(a)) * k),
                ((x1 + 22 * math.cos(b)) * k, (y1 + 22 * math.sin(b)) * k),
            ]
            d.polygon(head, fill=colour + (255,))

        d.rectangle((0, 0, size[0] * k, size[1] * k), fill=(255, 255, 255, 255))
        ink = hex_rgb("#334155")
        # the Markdown source: a page with a folded corner
        d.polygon(
            [(70 * k, 150 * k), (260 * k, 150 * k), (310 * k, 200 * k), (310 * k, 470 * k), (70 * k, 470 * k)],
            fill=hex_rgb("#f8fafc") + (255,),
            outline=ink + (255,),
            width=3 * k,
        )
        d.line((260 * k, 150 * k, 260 * k, 200 * k, 310 * k, 200 * k), fill=ink + (255,), width=3 * k)
        d.rectangle((100 * k, 185 * k, 120 * k, 205 * k), fill=hex_rgb("#64748b") + (255,))  # a "#" mark
        for i, length in enumerate((150, 180, 170, 120, 180, 160, 90)):
            y = 235 + i * 32
            d.rounded_rectangle((100 * k, y * k, (100 + length) * k, (y + 10) * k), radius=5 * k, fill=ink + (200,))
        # the pipeline: a box holding three stages
        box(470, 170, 880, 450, hex_rgb("#eef2ff"), hex_rgb("#4f46e5"), 28)
        stages = [(505, "#a5b4fc"), (625, "#818cf8"), (745, "#6366f1")]
        for x, colour in stages:
            box(x, 260, x + 100, 360, hex_rgb(colour), hex_rgb("#4338ca"), 14)
        for x in (605, 725):
            arrow(x, 310, x + 18, 310, hex_rgb("#312e81"))
        arrow(320, 310, 455, 310, ink)
        # the outputs, each with a small glyph
        for x, y, colour, kind in outputs:
            c = hex_rgb(colour)
            box(x, y, x + 230, y + 100, (255, 255, 255), c, 16)
            arrow(890, 310, x - 12, y + 50, c)
            gx, gy = x + 40, y + 20
            if kind == "feed":
                d.ellipse((gx * k, (gy + 48) * k, (gx + 14) * k, (gy + 62) * k), fill=c + (255,))
                for r in (30, 50):
                    d.arc(
                        ((gx - r) * k, (gy + 62 - r) * k, (gx + r) * k, (gy + 62 + r) * k),
                        270,
                        360,
                        fill=c + (255,),
                        width=8 * k,
                    )
            elif kind == "pdf":
                d.rectangle((gx * k, gy * k, (gx + 46) * k, (gy + 60) * k), outline=c + (255,), width=4 * k)
                for i in range(4):
                    d.line(
                        ((gx + 9) * k, (gy + 14 + i * 11) * k, (gx + 37) * k, (gy + 14 + i * 11) * k),
                        fill=c + (255,),
                        width=3 * k,
                    )
            elif kind == "book":
                d.polygon(
                    [
                        (gx * k, gy * k),
                        ((gx + 30) * k, (gy + 8) * k),
                        ((gx + 30) * k, (gy + 60) * k),
                        (gx * k, (gy + 52) * k),
                    ],
                    fill=c + (255,),
                )
                d.polygon(
                    [
                        ((gx + 60) * k, gy * k),
                        ((gx + 30) * k, (gy + 8) * k),
                        ((gx + 30) * k, (gy + 60) * k),
                        ((gx + 60) * k, (gy + 52) * k),
                    ],
                    fill=c + (190,),
                )
            else:
                d.rectangle((gx * k, (gy + 8) * k, (gx + 64) * k, (gy + 52) * k), outline=c + (255,), width=4 * k)
                d.line(
                    (gx * k, (gy + 8) * k, (gx + 32) * k, (gy + 34) * k, (gx + 64) * k, (gy + 8) * k),
                    fill=c + (255,),
                    width=4 * k,
                )
            for i, length in enumerate((90, 70)):
                d.rounded_rectangle(
                    ((x + 120) * k, (y + 35 + i * 22) * k, (x + 120 + length) * k, (y + 45 + i * 22) * k),
                    radius=5 * k,
                    fill=hex_rgb("#94a3b8") + (255,),
                )

    img = supersampled(size, 2, paint).convert("RGB")
    # Few colours: a palette PNG keeps the file small without visible loss.
    return img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def why_feeds_still_matter() -> Image.Image:
    """Square, warm amber: concentric arcs from a corner, like a feed icon."""
    rng = random.Random(3001)
    size = (1200, 1200)
    img = corner_gradient(size, "#fde68a", "#fb923c", "#f97316", "#9a3412")
    img = soft_blobs(img, rng, ["#fef3c7", "#fdba74", "#ea580c"], 8, (150, 300), (40, 90), 70)
    origin = (170, 1030)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        ox, oy = origin
        d.ellipse(((ox - 70) * k, (oy - 70) * k, (ox + 70) * k, (oy + 70) * k), fill=(255, 251, 235, 245))
        for i, r in enumerate(range(260, 1700, 190)):
            alpha = max(40, 230 - i * 26)
            d.arc(
                ((ox - r) * k, (oy - r) * k, (ox + r) * k, (oy + r) * k),
                270,
                360,
                fill=(255, 251, 235, alpha),
                width=58 * k,
            )

    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, paint))
    return out.convert("RGB")


def footnotes_portrait() -> Image.Image:
    """Portrait, muted sage: an abstract page with a main column and a margin note."""
    rng = random.Random(4001)
    size = (900, 1200)
    img = corner_gradient(size, "#dfe7dc", "#c9d6c3", "#a8bba2", "#7d9677")
    img = soft_blobs(img, rng, ["#f1f5ef", "#b7c9b0", "#6b8564"], 6, (150, 280), (40, 80), 70)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        # the page, slightly offset shadow first
        d.rounded_rectangle((128 * k, 148 * k, 788 * k, 1088 * k), radius=12 * k, fill=(40, 60, 40, 60))
        d.rounded_rectangle((110 * k, 130 * k, 770 * k, 1070 * k), radius=12 * k, fill=(252, 251, 246, 255))
        y = 200
        for i in range(22):
            if i in (7, 15):
                y += 22
                continue
            length = 430 if i not in (6, 14, 21) else rng.randint(160, 300)
            d.rounded_rectangle((170 * k, y * k, (170 + length) * k, (y + 9) * k), radius=4 * k, fill=(90, 96, 90, 200))
            y += 34
        # the side note in the margin, with a small connecting mark
        d.rounded_rectangle((630 * k, 330 * k, 740 * k, 470 * k), radius=8 * k, fill=(222, 232, 218, 255))
        for i in range(4):
            d.rounded_rectangle(
                (645 * k, (350 + i * 28) * k, (725 - (30 if i == 3 else 0)) * k, (356 + i * 28) * k),
                radius=3 * k,
                fill=(96, 124, 90, 230),
            )
        d.ellipse((588 * k, 338 * k, 604 * k, 354 * k), fill=(176, 90, 60, 255))
        d.line((604 * k, 346 * k, 630 * k, 346 * k), fill=(176, 90, 60, 255), width=3 * k)
        # footnotes at the bottom of the page, under a short rule
        d.line((170 * k, 930 * k, 300 * k, 930 * k), fill=(90, 96, 90, 200), width=3 * k)
        for i in range(3):
            d.rounded_rectangle(
                (170 * k, (958 + i * 26) * k, (170 + 360 - i * 70) * k, (964 + i * 26) * k),
                radius=3 * k,
                fill=(120, 126, 120, 170),
            )

    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, paint))
    return out.convert("RGB")


def unicode_in_print() -> Image.Image:
    """Busy, high-contrast: a dense flat grid of geometric tiles."""
    rng = random.Random(5001)
    size = (1600, 900)
    palette = ["#111111", "#f5f5f0", "#e63946", "#ffbe0b", "#1d4ed8", "#111111", "#f5f5f0"]
    cell = 100
    img = Image.new("RGB", size, hex_rgb("#f5f5f0"))
    d = ImageDraw.Draw(img)
    for gy in range(0, size[1], cell):
        for gx in range(0, size[0], cell):
            bg = rng.choice(palette)
            fg = rng.choice([c for c in palette if c != bg])
            box = (gx, gy, gx + cell - 1, gy + cell - 1)
            d.rectangle(box, fill=hex_rgb(bg))
            kind = rng.randrange(7)
            x0, y0, x1, y1 = box
            if kind == 0:
                d.ellipse((x0 + 12, y0 + 12, x1 - 12, y1 - 12), fill=hex_rgb(fg))
            elif kind == 1:
                corner = rng.randrange(4)
                cx = x0 if corner in (0, 3) else x1
                cy = y0 if corner in (0, 1) else y1
                d.pieslice((cx - cell, cy - cell, cx + cell, cy + cell), 0, 360, fill=hex_rgb(fg))
            elif kind == 2:
                d.polygon(
                    [(x0, y1), (x1, y1), (x0, y0)] if rng.random() < 0.5 else [(x0, y0), (x1, y0), (x1, y1)],
                    fill=hex_rgb(fg),
                )
            elif kind == 3:
                for i in range(0, cell, 20):
                    d.rectangle((x0 + i, y0, x0 + i + 9, y1), fill=hex_rgb(fg))
            elif kind == 4:
                d.rectangle((x0 + 25, y0 + 25, x1 - 25, y1 - 25), fill=hex_rgb(fg))
            elif kind == 5:
                for i in range(3):
                    for j in range(3):
                        cx, cy = x0 + 20 + i * 30, y0 + 20 + j * 30
                        d.ellipse((cx - 9, cy - 9, cx + 9, cy + 9), fill=hex_rgb(fg))
            else:
                d.arc((x0 + 10, y0 + 10, x1 - 10, y1 - 10), 0, 360, fill=hex_rgb(fg), width=14)
    # The big discs spill into neighbouring cells on purpose; a few bold rings
    # on top break the grid up further for a poster-like rhythm.
    for _ in range(4):
        r = rng.randint(120, 220)
        cx, cy = rng.randint(0, size[0]), rng.randint(0, size[1])
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=hex_rgb("#111111"), width=18)
    return img.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def cafe_des_brouillons() -> Image.Image:
    """Warm coffee tones: a cup seen from above, a saucer, soft steam."""
    rng = random.Random(6001)
    size = (1600, 900)
    img = corner_gradient(size, "#d6b48c", "#b07d4f", "#8b5a34", "#5b3720")
    img = soft_blobs(img, rng, ["#f3e3cc", "#c8955f", "#7a4a2a"], 10, (120, 260), (40, 90), 70)
    cx, cy = 1060, 470

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        d.ellipse(
            ((cx - 300 + 20) * k, (cy - 300 + 30) * k, (cx + 300 + 20) * k, (cy + 300 + 30) * k), fill=(60, 35, 20, 90)
        )
        d.ellipse(((cx - 300) * k, (cy - 300) * k, (cx + 300) * k, (cy + 300) * k), fill=(250, 244, 234, 255))
        d.ellipse(
            ((cx - 230) * k, (cy - 230) * k, (cx + 230) * k, (cy + 230) * k), outline=(226, 214, 198, 255), width=6 * k
        )
        d.ellipse(((cx - 170) * k, (cy - 170) * k, (cx + 170) * k, (cy + 170) * k), fill=(255, 252, 246, 255))
        d.ellipse(((cx - 140) * k, (cy - 140) * k, (cx + 140) * k, (cy + 140) * k), fill=(120, 72, 40, 255))
        d.ellipse(((cx - 110) * k, (cy - 110) * k, (cx + 110) * k, (cy + 110) * k), fill=(168, 112, 66, 255))
        # a heart-ish swirl of crema
        d.ellipse(((cx - 55) * k, (cy - 60) * k, (cx + 15) * k, (cy + 10) * k), fill=(236, 210, 172, 255))
        d.ellipse(((cx - 15) * k, (cy - 60) * k, (cx + 55) * k, (cy + 10) * k), fill=(236, 210, 172, 255))
        d.polygon(
            [((cx - 52) * k, (cy - 15) * k), ((cx + 52) * k, (cy - 15) * k), (cx * k, (cy + 60) * k)],
            fill=(236, 210, 172, 255),
        )
        # handle
        d.rounded_rectangle(
            ((cx + 165) * k, (cy - 28) * k, (cx + 255) * k, (cy + 28) * k), radius=28 * k, fill=(250, 244, 234, 255)
        )
        # a notebook corner on the left, with ruled lines
        d.rounded_rectangle((-40 * k, 140 * k, 560 * k, 980 * k), radius=14 * k, fill=(248, 243, 232, 245))
        for y in range(220, 900, 44):
            d.line((40 * k, y * k, 520 * k, y * k), fill=(150, 170, 200, 120), width=2 * k)
        for i, y in enumerate(range(206, 560, 44)):
            length = rng.randint(280, 440) if i % 3 != 2 else rng.randint(120, 240)
            d.rounded_rectangle(
                (60 * k, (y - 4) * k, (60 + length) * k, (y + 4) * k), radius=4 * k, fill=(70, 60, 90, 150)
            )

    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, paint))
    steam = Image.new("RGBA", size, (0, 0, 0, 0))
    sd = ImageDraw.Draw(steam)
    for i in range(3):
        pts = [(cx - 60 + i * 60 + 24 * math.sin(t / 9 + i), cy - 180 - t * 3) for t in range(0, 80)]
        sd.line(pts, fill=(255, 255, 255, 70), width=16)
    out.alpha_composite(steam.filter(ImageFilter.GaussianBlur(10)))
    return out.convert("RGB")


def math_on_the_page() -> Image.Image:
    """Very dark: a midnight grid with a glowing parabola."""
    rng = random.Random(7001)
    size = (1600, 900)
    img = corner_gradient(size, "#0b1020", "#05070f", "#0a0f1f", "#02030a")
    img = soft_blobs(img, rng, ["#111a3a", "#1a1240"], 5, (200, 380), (60, 110), 110)
    origin = (800, 760)
    scale = 120

    def curve_points(k: int) -> list[tuple[float, float]]:
        pts = []
        for i in range(-160, 161):
            x = i / 50
            pts.append(((origin[0] + x * scale) * k, (origin[1] - x * x * scale / 2) * k))
        return pts

    def grid(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        for x in range(origin[0] % 60, size[0], 60):
            d.line((x * k, 0, x * k, size[1] * k), fill=(90, 110, 170, 40), width=k)
        for y in range(origin[1] % 60, size[1], 60):
            d.line((0, y * k, size[0] * k, y * k), fill=(90, 110, 170, 40), width=k)
        d.line((0, origin[1] * k, size[0] * k, origin[1] * k), fill=(140, 160, 220, 110), width=2 * k)
        d.line((origin[0] * k, 0, origin[0] * k, size[1] * k), fill=(140, 160, 220, 110), width=2 * k)
        # shade the area under the curve between 0 and 1 (the integral in the article)
        poly = [(origin[0] * k, origin[1] * k)]
        for i in range(0, 51):
            x = i / 50
            poly.append(((origin[0] + x * scale) * k, (origin[1] - x * x * scale / 2) * k))
        poly.append(((origin[0] + scale) * k, origin[1] * k))
        d.polygon(poly, fill=(56, 189, 248, 90))
        for _ in range(140):
            sx, sy = rng.randint(0, size[0]), rng.randint(0, size[1])
            r = rng.choice((1, 1, 1, 2))
            d.ellipse(
                ((sx - r) * k, (sy - r) * k, (sx + r) * k, (sy + r) * k), fill=(220, 230, 255, rng.randint(60, 180))
            )

    def curve(layer: Image.Image, k: int) -> None:
        ImageDraw.Draw(layer).line(curve_points(k), fill=(125, 211, 252, 255), width=5 * k, joint="curve")

    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, grid))
    line = supersampled(size, 2, curve)
    out.alpha_composite(line.filter(ImageFilter.GaussianBlur(14)))
    out.alpha_composite(line.filter(ImageFilter.GaussianBlur(5)))
    out.alpha_composite(line)
    return out.convert("RGB")


def newsletter_without_noise() -> Image.Image:
    """Soft lilac and pink: overlapping envelope-like folds."""
    rng = random.Random(8001)
    size = (1600, 900)
    img = corner_gradient(size, "#fce7f3", "#ede9fe", "#f5d0fe", "#c4b5fd")
    img = soft_blobs(img, rng, ["#fbcfe8", "#ddd6fe", "#ffffff"], 9, (150, 300), (50, 100), 80)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        for i, (x, y, w, h) in enumerate(((540, 250, 560, 380), (620, 300, 560, 380))):
            shade = 255 - i * 6
            d.rounded_rectangle(
                ((x + 14) * k, (y + 20) * k, (x + w + 14) * k, (y + h + 20) * k), radius=18 * k, fill=(120, 80, 160, 50)
            )
            d.rounded_rectangle((x * k, y * k, (x + w) * k, (y + h) * k), radius=18 * k, fill=(shade, shade, 255, 255))
            d.line(
                (x * k, y * k, (x + w / 2) * k, (y + h * 0.55) * k, (x + w) * k, y * k),
                fill=(167, 139, 250, 255),
                width=6 * k,
                joint="curve",
            )
            d.line((x * k, (y + h) * k, (x + w * 0.4) * k, (y + h * 0.48) * k), fill=(221, 214, 254, 255), width=4 * k)
            d.line(
                ((x + w) * k, (y + h) * k, (x + w * 0.6) * k, (y + h * 0.48) * k),
                fill=(221, 214, 254, 255),
                width=4 * k,
            )
        # a wax-seal dot
        d.ellipse((875 * k, 470 * k, 945 * k, 540 * k), fill=(219, 39, 119, 255))
        for _ in range(18):
            x, y = rng.randint(80, 1520), rng.randint(60, 840)
            if 500 < x < 1220 and 220 < y < 720:
                continue
            r = rng.randint(6, 16)
            d.ellipse(((x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k), fill=(255, 255, 255, 170))

    out = img.convert("RGBA")
    out.alpha_composite(supersampled(size, 2, paint))
    return out.convert("RGB")


def generative_ai() -> Image.Image:
    """For the seed article: a glowing bulb over a blurred, warm office."""
    rng = random.Random(9001)
    size = (1600, 900)
    img = corner_gradient(size, "#4b5563", "#6b7280", "#1f2937", "#374151")
    # out-of-focus office: window columns and bokeh
    blurred = Image.new("RGBA", size, (0, 0, 0, 0))
    bd = ImageDraw.Draw(blurred)
    for x in range(60, 1600, 260):
        bd.rectangle((x, 40, x + 200, 520), fill=(203, 213, 225, 70))
    bd.rectangle((0, 640, 1600, 900), fill=(68, 52, 40, 150))  # a desk
    for _ in range(26):
        r = rng.randint(18, 60)
        x, y = rng.randint(0, 1600), rng.randint(0, 620)
        bd.ellipse((x - r, y - r, x + r, y + r), fill=(253, 230, 138, rng.randint(40, 110)))
    out = img.convert("RGBA")
    out.alpha_composite(blurred.filter(ImageFilter.GaussianBlur(22)))
    out = out.convert("RGB")
    cx, cy = 800, 380
    glow(out, (cx, cy), 420, "#fde68a", 0.75)
    glow(out, (cx, cy), 220, "#fef9c3", 0.9)

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        d.ellipse(
            ((cx - 130) * k, (cy - 150) * k, (cx + 130) * k, (cy + 110) * k),
            fill=(255, 251, 225, 200),
            outline=(255, 255, 255, 255),
            width=5 * k,
        )
        d.polygon(
            [
                ((cx - 70) * k, (cy + 80) * k),
                ((cx + 70) * k, (cy + 80) * k),
                ((cx + 50) * k, (cy + 170) * k),
                ((cx - 50) * k, (cy + 170) * k),
            ],
            fill=(255, 251, 225, 200),
        )
        for i in range(4):
            y = cy + 180 + i * 22
            d.rounded_rectangle(
                ((cx - 52) * k, y * k, (cx + 52) * k, (y + 14) * k), radius=7 * k, fill=(148, 163, 184, 255)
            )
        # the filament: a little zig-zag "network"
        nodes = [(cx - 60, cy + 40), (cx - 30, cy - 40), (cx, cy + 10), (cx + 30, cy - 40), (cx + 60, cy + 40)]
        d.line([(x * k, y * k) for x, y in nodes], fill=(245, 158, 11, 255), width=6 * k, joint="curve")
        for x, y in nodes:
            d.ellipse(((x - 9) * k, (y - 9) * k, (x + 9) * k, (y + 9) * k), fill=(251, 191, 36, 255))

    layer = out.convert("RGBA")
    layer.alpha_composite(supersampled(size, 2, paint))
    return layer.convert("RGB")


IMAGES: dict[str, Callable[[], Image.Image]] = {
    # SEO (cover) images, one per article
    "measure-of-a-line.jpg": measure_of_a_line,
    "one-source-many-formats.webp": one_source_many_formats,
    "why-feeds-still-matter.jpg": why_feeds_still_matter,
    "footnotes-sidenotes.jpg": footnotes_portrait,
    "unicode-in-print.png": unicode_in_print,
    "cafe-des-brouillons.webp": cafe_des_brouillons,
    "math-on-the-page.jpg": math_on_the_page,
    "newsletter-without-noise.jpg": newsletter_without_noise,
    # images embedded in article bodies
    "diagram.png": pipeline_diagram,
    "line-length.png": line_length_figure,
    # the seed article's cover, so a test site built from it finds its image
    "generativeai.webp": generative_ai,
}


def main(argv: Sequence[str] = ()) -> int:
    PUBLIC.mkdir(parents=True, exist_ok=True)
    wanted = set(argv) or set(IMAGES)
    unknown = wanted - set(IMAGES)
    if unknown:
        print(f"unknown image(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for name, make in IMAGES.items():
        if name not in wanted:
            continue
        img = make()
        path = save(img, name)
        print(f"{path.relative_to(ROOT)}  {img.size[0]}x{img.size[1]}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
