"""The site as exporters see it, read from the configuration (images included, so `publish check`
reports them), and the site-wide facts a run states once: a missing base URL or sender address,
and the articles without a cover."""

from __future__ import annotations

from urllib.parse import urlsplit

from publish import images as image_store
from publish.config import Config
from publish.content.reader import Draft
from publish.errors import ConfigError, PublishError
from publish.html import is_remote
from publish.model import Article, FrozenDict, Image, Site
from publish.paths import inside
from publish.problems import NAMED_IN_GROUP, Problem


def site_of(config: Config) -> Site:
    """The site as every exporter sees it; the images the configuration names are read here (so
    `publish check` reports them), and a wrong one is a configuration error naming its key."""
    s = config.site
    titles = {language.tag: language.title for language in config.engine.languages.values() if language.title}
    errors: list[str] = []
    icon, logo = (_site_image(config, key, getattr(s, key), errors, remote=True) for key in ("icon", "logo"))
    cover = _site_image(config, "epub.cover", config.epub.cover, errors, remote=False)
    if errors:
        raise ConfigError("\n".join(errors), path=config.source or config.root)
    return Site(title=config.site_title, description=s.description, base_url=config.base_url,
                author=s.author, email=s.email, language=s.language, timezone=s.timezone,
                article_url=s.article_url, icon=icon, logo=logo,
                book_cover=cover if isinstance(cover, Image) else None, titles=FrozenDict(titles))


def _site_image(config: Config, key: str, value: str, errors: list[str], *, remote: bool) -> Image | str | None:
    """site.icon / site.logo (an http(s) URL, "/x.png" in the public folder, or a path from the site
    root) and epub.cover (a path from the site root), probed like any article image."""
    field = key if "." in key else f"site.{key}"
    value = value.strip()
    if not value:
        return None
    if is_remote(value):
        if remote:
            return value
        errors.append(f"{field}: {value!r} must be an image file inside the site folder, not a URL")
        return None
    if ":" in value.split("/", 1)[0]:
        errors.append(f"{field}: {value!r} is neither an http(s) URL nor an image file")
        return None
    public = remote and value.startswith("/")
    path = config.public_dir / value.lstrip("/") if public else config.root / value
    if not inside(path, [config.root, config.public_dir] if public else [config.root]):
        errors.append(f"{field}: {value!r} is outside the site folder (put the image inside it)")
        return None
    try:
        return image_store.probe(path.resolve(), source=value)
    except PublishError as exc:
        errors.append(f"{field}: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
        return None


def site_problems(config: Config) -> list[Problem]:
    """Site settings that would put a placeholder in the outputs: said once per run."""
    problems = []
    where = _where_to_set(config)
    if not config.site.base_url:
        problems.append(Problem("warning", None, (
            f"no base URL is set, so feeds and emails link to the placeholder {config.base_url} (and .eml "
            f"Message-IDs use its domain): "
            f"set base_url in [site] of publish.toml{where}")))
    elif _looks_like_placeholder(config.site.base_url):
        problems.append(Problem("warning", None, (
            f"the base URL {config.site.base_url} (from {config.origin('site.base_url')}) looks like a placeholder: "
            f"feeds and emails will link there; set the blog's real address in [site] base_url of publish.toml"
            f"{where}")))
    if "@" not in config.email.sender and "@" not in config.site.email:
        domain = urlsplit(config.base_url).hostname or "example.com"
        problems.append(Problem("warning", None, (
            f"no sender address is set, so .eml files are sent from the made-up newsletter@{domain}: set "
            f"sender in [email] (or email in [site]) of publish.toml{_where_to_set_email(config)}")))
    return problems


def _where_to_set_email(config: Config) -> str:
    return {"hugo": ", or params.author.email in the Hugo configuration",
            "jekyll": ", or email (or author.email) in _config.yml"}.get(config.engine.name, "")


def _where_to_set(config: Config) -> str:
    engine = config.engine
    if engine.name == "hugo":
        return f", or baseURL in {engine.files[0] if engine.files else 'hugo.toml'}"
    if engine.name == "jekyll":
        return ", or url (and baseurl) in _config.yml"
    if engine.name == "astro":
        return f", or site in {engine.files[0] if engine.files else 'astro.config.mjs'}"
    return ""


def _looks_like_placeholder(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "127.0.0.1") or any(
        host == name or host.endswith("." + name) for name in ("example.com", "example.org", "example.net"))


# The field a blog's engine or theme names the cover with, for messages in the owner's own words.
ENGINE_IMAGE_FIELD = {"hugo": "cover.image", "jekyll": "image", "astro": "heroImage"}
ALT_FIELD = {"seo.image": "seo.image.alt", "heroImage": "heroImageAlt", "cover.image": "cover.alt",
             "cover": "cover.alt", "coverImage": "coverImage.alt", "image": "imageAlt",
             "ogImage": "ogImageAlt", "header.image": "header.alt", "images": "imageAlt"}


def image_field(drafts: list[Draft], config: Config) -> str:
    """The front matter field this blog's articles use for their cover: the one most of them use,
    else the engine's usual one, else `image`."""
    used: dict[str, int] = {}
    for draft in drafts:
        if draft.image_field:
            used[draft.image_field] = used.get(draft.image_field, 0) + 1
    if used:
        return max(sorted(used), key=lambda name: used[name])
    return ENGINE_IMAGE_FIELD.get(config.engine.name, "image")


def cover_fact(published: list[Article], drafts: list[Draft], config: Config) -> list[Problem]:
    """One site-wide line for the articles without a cover, instead of one warning per article."""
    named = {d.slug for d in drafts if d.image_source}      # a cover that failed to load has its own warning
    without = [a for a in published if a.cover is None and a.slug not in named]
    if not without:
        return []
    field = image_field(drafts, config)
    names = sorted(a.source.name for a in without)
    listed = ", ".join(names[:NAMED_IN_GROUP]) + (f" and {len(names) - NAMED_IN_GROUP} more"
                                                  if len(names) > NAMED_IN_GROUP else "")
    count = "1 article has" if len(without) == 1 else f"{len(without)} articles have"
    their = "its PDF gets" if len(without) == 1 else "their PDFs get"
    return [Problem("warning", None, (
        f"{count} no cover image ({listed}); {their} a typographic cover. "
        f"Set `{field}:` in the front matter to use one."))]
