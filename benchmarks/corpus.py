"""A corpus of N realistic articles with cover images, built from the sample site's articles.

Each article is a sample article with a varied title, date, tags and paragraph order, so Pandoc,
WeasyPrint and the feed/EPUB/email code see real structure (headings, lists, tables, code,
footnotes, math, non-Latin scripts) rather than lorem ipsum.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TAGS = ["Typography", "Publishing", "Tooling", "Web", "Writing", "Email", "Feeds", "Design", "Café Culture"]


def build_corpus(target: Path, n: int, seed: int = 7) -> Path:
    """Write a site with `n` articles and one 1600x900 JPEG cover each into `target`."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    content = target / "content"
    public = content / "public"
    public.mkdir(parents=True)
    shutil.copy(REPO / "publish.toml", target / "publish.toml")
    for image in (REPO / "content" / "public").iterdir():
        shutil.copy(image, public / image.name)
    sources = [p for p in sorted((REPO / "content").glob("*.md")) if "draft: true" not in p.read_text()]
    start = date(2019, 1, 1)
    step = min(3.0, ((date.today() - start).days - 3) / max(1, n))   # days apart; none dated in the future
    for i in range(n):
        source = sources[i % len(sources)].read_text(encoding="utf-8")
        front, body = source.split("\n---\n", 1)
        title = re.search(r"^title: (.*)$", front, re.M).group(1).strip("'\"")  # type: ignore[union-attr]
        body = re.sub(r"\]\(\./[\w-]+\.md\)", "](./article-0000.md)", body)   # links between corpus articles
        blocks = body.split("\n\n")
        head, tail = blocks[:3], blocks[3:]
        rng.shuffle(tail)                       # same material, different order and length
        tail = tail[: max(10, int(len(tail) * rng.uniform(0.6, 1.0)))]
        published = start + timedelta(days=int(i * step) + rng.randint(0, 2))
        tags = rng.sample(TAGS, k=rng.randint(1, 3))
        image = f"cover-{i:04d}.jpg"
        _cover(public / image, rng, Image, ImageDraw)
        front_matter = "\n".join([
            "---",
            f"title: '{title.replace(chr(39), chr(39) * 2)} ({i + 1})'",
            f"excerpt: Article number {i + 1} of the benchmark corpus, on {tags[0].lower()}.",
            f"publishDate: '{published.strftime('%b %d %Y')}'",
            f"isFeatured: {'true' if i % 17 == 0 else 'false'}",
            "tags:", *(f"  - {t}" for t in tags),
            "seo:", "  image:", f"    src: '/{image}'", f"    alt: Abstract cover {i + 1}",
            "---", ""])
        (content / f"article-{i:04d}.md").write_text(front_matter + "\n\n".join(head + tail) + "\n", encoding="utf-8")
    return target


def _cover(path: Path, rng: random.Random, Image, ImageDraw) -> None:  # type: ignore[no-untyped-def]
    img = Image.new("RGB", (1600, 900), tuple(rng.randint(0, 255) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randint(-200, 1600), rng.randint(-200, 900)
        r = rng.randint(40, 400)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    img.save(path, "JPEG", quality=85)
