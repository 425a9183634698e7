"""Astro: only plain string literals are read from astro.config.*; JavaScript is never run."""

from __future__ import annotations

from pathlib import Path

from publish.config import load_config
from publish.engines import astro


def _site(root: Path, config: str, routes: tuple[str, ...] = (), files: dict[str, str] | None = None) -> Path:
    (root / "astro.config.mjs").write_text(config)
    for route in routes:
        path = root / "src" / "pages" / route
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n---\n")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_site_base_and_the_post_route(tmp_path: Path) -> None:
    _site(tmp_path, "// https://astro.build/config\nexport default defineConfig({\n"
                    "  site: 'https://stars.example',\n  base: '/docs',\n  integrations: [mdx(), sitemap()],\n});\n",
          routes=("blog/[...slug].astro", "blog/index.astro", "tags/[tag].astro", "rss.xml.js"),
          files={"src/consts.ts": "export const SITE_TITLE = 'Star Notes';\n"
                                  "export const SITE_DESCRIPTION = \"Notes on stars.\";\n"})
    config = load_config(cwd=tmp_path)
    assert config.site.base_url == "https://stars.example/docs"
    assert config.site.article_url == "/blog/{slug}/"
    assert config.origin("site.article_url") == "src/pages/blog/[...slug].astro"
    assert (config.site.title, config.site.description) == ("Star Notes", "Notes on stars.")


def test_a_folder_route_and_trailing_slash_never(tmp_path: Path) -> None:
    _site(tmp_path, "export default defineConfig({ site: \"https://p.example/\", trailingSlash: 'never' })",
          routes=("posts/[...slug]/index.astro", "posts/[...page].astro"))
    config = load_config(cwd=tmp_path)
    assert config.site.article_url == "/posts/{slug}"


def test_computed_values_are_notes_and_not_used(tmp_path: Path) -> None:
    _site(tmp_path, "import { SITE } from './src/config';\nexport default defineConfig({ site: SITE.website });",
          routes=("blog/[slug].astro", "notes/[...id].astro"),
          files={"src/config.ts": "export const SITE = {\n  website: 'https://paper.example/',\n"
                                  "  author: 'Ana Paper',\n  desc: 'A paper blog.',\n  title: 'Paper',\n"
                                  "  nested: { title: 'not this' },\n};\n"})
    engine = astro.read(tmp_path)
    assert engine is not None
    notes = " | ".join(engine.notes)
    assert "SITE.website" in notes and "2 routes" in notes
    assert "article_url" not in engine.site
    # the constants module's literals are used (never executed)
    assert engine.site["base_url"].value == "https://paper.example/"
    assert (engine.site["title"].value, engine.site["author"].value) == ("Paper", "Ana Paper")
