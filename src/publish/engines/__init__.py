"""The blog's own configuration: what Hugo, Jekyll and Astro sites already say about themselves.

Run from a blog's root, publish reads the engine's configuration files (never running any of
the engine's code: no templates, no JavaScript) and takes from them the site's URL, title,
description, author, language(s), time zone, permalink patterns and which sections hold
articles. `publish.toml` and the command line still win (see `publish.config`).

A setting that cannot be read becomes a note (shown with `publish check -v`), never an error:
the blog builds with its own engine, and publish must not be stricter than the engine is.
"""

from __future__ import annotations

from pathlib import Path

from publish.engines.common import NO_ENGINE, Engine, Found, Language, Notes, author_of

__all__ = ["NO_ENGINE", "Engine", "Found", "Language", "Notes", "author_of", "read_engine"]


def read_engine(root: Path) -> Engine:
    """The configuration of the blog whose root is `root`, or NO_ENGINE for a plain folder."""
    from publish.engines import astro, hugo, jekyll

    for reader in (hugo, jekyll, astro):
        engine = reader.read(root)
        if engine is not None:
            return engine
    return NO_ENGINE
