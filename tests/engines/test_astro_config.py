"""Astro: only plain string literals are read from astro.config.*; JavaScript is never run."""

from __future__ import annotations

from pathlib import Path

from publish.engines import astro
from tests.conftest import load_config


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
    assert config.site.article_url == "/blog/{path}/"          # a rest parameter takes the whole id
    assert config.origin("site.article_url") == "src/pages/blog/[...slug].astro"
    assert (config.site.title, config.site.description) == ("Star Notes", "Notes on stars.")


def test_a_folder_route_and_trailing_slash_never(tmp_path: Path) -> None:
    _site(tmp_path, "export default defineConfig({ site: \"https://p.example/\", trailingSlash: 'never' })",
          routes=("posts/[...slug]/index.astro", "posts/[...page].astro"))
    config = load_config(cwd=tmp_path)
    assert config.site.article_url == "/posts/{path}"


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


def test_the_route_of_the_blog_collection_and_its_folder(tmp_path: Path) -> None:
    """Two post routes (notes and posts): the one serving the blog's collection wins, and that
    collection's glob folder is the content folder; nested entries keep their folders in the URL."""
    _site(tmp_path, "export default defineConfig({ site: 'https://cactus.example' });",
          routes=("posts/[...slug].astro", "notes/[...slug].astro", "posts/[...page].astro"),
          files={"src/content.config.ts": (
              "const post = defineCollection({\n  loader: glob({ base: './content/posts', pattern: '**/*.md' }),\n"
              "  schema: z.object({ title: z.string() }),\n});\n"
              "const note = defineCollection({\n  loader: glob({ base: './content/notes', pattern: '**/*.md' }),\n});\n"
              "export const collections = { post, note };\n"),
              "content/posts/Deep Dive/Part One.md": "---\ntitle: One\npublishDate: 2024-01-02\n---\nText.\n",
              "content/posts/plain/index.md": "---\ntitle: Plain\npublishDate: 2024-01-03\n---\nText.\n",
              "content/notes/n.md": "---\ntitle: N\npublishDate: 2024-01-04\n---\nText.\n"})
    config = load_config(cwd=tmp_path)
    assert config.site.article_url == "/posts/{path}/"
    assert config.content_dir == (tmp_path / "content" / "posts").resolve()
    from publish.content.loader import load

    urls = sorted(a.url for a in load(config, write_cache=False).collection)
    assert urls == ["https://cactus.example/posts/deep-dive/part-one/", "https://cactus.example/posts/plain/"]


def test_astrowind_settings_file(tmp_path: Path) -> None:
    _site(tmp_path, "export default defineConfig({ integrations: [astrowind({ config: './src/config.yaml' })] });",
          routes=("[...blog]/index.astro",),
          files={"src/config.yaml": ("site:\n  name: Windy\n  site: 'https://windy.example'\n  base: '/'\n"
                                     "  trailingSlash: false\nmetadata:\n  description: Gusts.\n"
                                     "apps:\n  blog:\n    post:\n      permalink: '/%year%/%slug%'\n"),
                 "src/content/config.ts": ("const postCollection = defineCollection({\n"
                                           "  loader: glob({ pattern: ['*.md'], base: 'src/data/post' }),\n});\n"
                                           "export const collections = {\n  post: postCollection,\n};\n"),
                 "src/data/post/first-gust.md": "---\ntitle: First\npublishDate: 2024-05-06\n---\nText.\n"})
    config = load_config(cwd=tmp_path)
    assert (config.site.title, config.site.description, config.site.base_url) == ("Windy", "Gusts.",
                                                                                   "https://windy.example")
    assert config.site.article_url == "/{year}/{path}"
    assert config.origin("site.article_url") == "src/config.yaml"
    from publish.content.loader import load

    (article,) = load(config, write_cache=False).collection
    assert article.url == "https://windy.example/2024/first-gust"
