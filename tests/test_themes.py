"""themes.py: site theme -> the theme it extends -> the bundled default, for every format.

A theme holds only the files it changes; each task's digest covers exactly the files its format
reads through the chain, so editing one email template rebuilds the emails and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from publish.errors import ConfigError, UnsafePathError
from publish.themes import ThemeChain, bundled_default
from tests.conftest import REPO, run_publish
from tests.validators import output_problems

DEFAULT = REPO / "themes" / "default"
ARTICLES = {
    "the-measure-of-a-line.md": """---
title: The Measure of a Line
excerpt: Why a comfortable line sits between forty-five and seventy-five characters.
publishDate: 'Mar 3 2024'
tags: [Typography]
seo:
  image:
    src: '/diagram.png'
    alt: A diagram of three columns of text
---

Most readers never notice the length of a line.[^1] They notice that an article was tiring.

### What the eye does

The eye moves in short jumps and returns to the left margin at the end of each line.

[^1]: Typographers call it the *measure*.
""",
    "why-feeds-still-matter.md": """---
title: Why Feeds Still Matter
excerpt: A feed is a promise that a reader decides what they read, and when.
publishDate: 'Apr 9 2024'
tags: [Web, Publishing]
---

A feed is a small file that lists what a site published. Readers subscribe to it.

- No algorithm sorts it.
- No account is needed.
""",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site: the sample configuration, two articles, one with a cover image."""
    root = tmp_path / "site"
    (root / "content" / "public").mkdir(parents=True)
    shutil.copy(REPO / "publish.toml", root / "publish.toml")
    shutil.copy(REPO / "content" / "public" / "diagram.png", root / "content" / "public")
    for name, text in ARTICLES.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    return root


def add_file(site: Path, theme: str, relative: str, text: str) -> Path:
    path = site / "themes" / theme / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def default_with(relative: str, old: str, new: str) -> str:
    """A bundled default file with one change."""
    text = (DEFAULT / relative).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def snapshot(output: Path) -> dict[str, tuple[str, int]]:
    """Every output file (not publish's own records): its sha256 and modification time."""
    return {path.relative_to(output).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
            for path in sorted(output.rglob("*")) if path.is_file() and ".publish" not in path.parts}


def written(stdout: str) -> list[str]:
    """The files `publish -v` says it wrote, relative to the output folder."""
    return [line.split("/output/", 1)[1] for line in stdout.splitlines() if line.strip().startswith("wrote ")]


# --- the chain, as a value -------------------------------------------------------------------------

def test_a_chain_goes_from_the_site_theme_through_its_parents_to_the_bundled_default(site: Path) -> None:
    add_file(site, "base", "email/email.css", "p { color: #123456 }\n")
    add_file(site, "base", "pdf/extra.css", "p {}\n")
    add_file(site, "mine", "theme.toml", 'extends = "base"\n')
    add_file(site, "mine", "email/article.html", "{% extends 'layout.html' %}\n")
    chain = ThemeChain.resolve(site, "mine")
    assert chain.folders == ((site / "themes" / "mine").resolve(), (site / "themes" / "base").resolve(),
                             bundled_default())
    email = chain.files("email")
    assert list(email) == ["article.html", "digest.html", "email.css", "layout.html"]
    assert email["article.html"].parent.parent.name == "mine" and email["email.css"].parent.parent.name == "base"
    assert email["layout.html"] == (DEFAULT / "email" / "layout.html").resolve()
    assert chain.find("pdf/extra.css") == (site / "themes" / "base" / "pdf" / "extra.css").resolve()
    assert chain.find("pdf/style.css") == (DEFAULT / "pdf" / "style.css").resolve()
    assert chain.find("pdf/none.css") is None
    # Without theme.toml a theme extends the bundled default directly.
    assert ThemeChain.resolve(site, "base").folders == ((site / "themes" / "base").resolve(), bundled_default())
    assert ThemeChain.resolve(site, "default").folders == (bundled_default(),)


def test_a_formats_digest_covers_exactly_the_files_it_reads(site: Path) -> None:
    add_file(site, "mine", "email/article.html", "one\n")
    chain = ThemeChain.resolve(site, "mine")
    before = {folder: chain.digest(folder) for folder in ("pdf", "epub", "email")}
    default = ThemeChain.resolve(site, "default")
    assert before["pdf"] == default.digest("pdf") and before["epub"] == default.digest("epub")
    assert before["email"] != default.digest("email")
    path = add_file(site, "mine", "email/article.html", "two\n")
    os.utime(path, ns=(1, 1))                        # a new modification time, whatever the clock says
    after = {folder: chain.digest(folder) for folder in ("pdf", "epub", "email")}
    assert after["pdf"] == before["pdf"] and after["epub"] == before["epub"] and after["email"] != before["email"]
    add_file(site, "mine", "email/.article.html.swp", "editor")        # hidden files are no theme files
    add_file(site, "mine", "notes.txt", "outside every format folder")
    assert chain.digest("email") == after["email"] and chain.digest("pdf") == before["pdf"]


def test_templates_load_through_the_chain(site: Path) -> None:
    from jinja2 import Environment

    add_file(site, "base", "email/layout.html", "base layout [{% block card %}{% endblock %}]")
    add_file(site, "mine", "theme.toml", 'extends = "base"\n')
    add_file(site, "mine", "email/article.html", "{% extends 'layout.html' %}{% block card %}mine{% endblock %}")
    env = Environment(loader=ThemeChain.resolve(site, "mine").jinja_loader("email"), autoescape=True)
    assert env.get_template("article.html").render() == "base layout [mine]"
    assert env.get_template("digest.html").filename == str((DEFAULT / "email" / "digest.html").resolve())


def test_theme_files_never_resolve_outside_the_chain(site: Path) -> None:
    from jinja2 import Environment

    secret = site / "secret.html"
    secret.write_text("SECRET", encoding="utf-8")
    add_file(site, "mine", "email/own.html", "own")
    (site / "themes" / "mine" / "email" / "alias.html").symlink_to("own.html")     # inside the theme: fine
    (site / "themes" / "mine" / "email" / "article.html").symlink_to(secret)
    chain = ThemeChain.resolve(site, "mine")
    assert chain.find("email/alias.html") == (site / "themes" / "mine" / "email" / "own.html").resolve()
    for relative in ("email/article.html", "../secret.html", "email/../../../secret.html", "/etc/passwd"):
        with pytest.raises(UnsafePathError):
            chain.find(relative)
    with pytest.raises(UnsafePathError, match="outside the theme folders"):
        chain.files("email")
    env = Environment(loader=chain.jinja_loader("email"))
    assert env.get_template("alias.html").render() == "own"
    with pytest.raises(UnsafePathError):
        env.get_template("article.html")


def test_the_pdf_fetcher_serves_theme_files_through_the_chain(site: Path) -> None:
    from publish.exporters.pdf.fetcher import LocalFetcher, RefusedURL, theme_url

    add_file(site, "mine", "pdf/extra.css", "p { color: red }")
    (site / "secret.css").write_text("SECRET", encoding="utf-8")
    (site / "themes" / "mine" / "pdf" / "leak.css").symlink_to(site / "secret.css")
    fetcher = LocalFetcher(ThemeChain.resolve(site, "mine"), site / "output" / "images")
    assert fetcher.fetch(theme_url("extra.css")).read() == b"p { color: red }"
    assert fetcher.fetch(theme_url("style.css")).read() == (DEFAULT / "pdf" / "style.css").read_bytes()
    for url in (theme_url("leak.css"), theme_url("../email/email.css"), theme_url("document.html")):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


# --- a site theme holding one file ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("theme_toml", ['extends = "default"\n', None], ids=["extends-default", "no-theme-toml"])
def test_a_theme_with_one_email_template_builds_every_format_and_an_edit_rebuilds_only_emails(
        site: Path, theme_toml: str | None) -> None:
    if theme_toml is not None:
        add_file(site, "mine", "theme.toml", theme_toml)
    template = add_file(site, "mine", "email/article.html",
                        default_with("email/article.html", ">Read online<", ">Read it on the web<"))
    first = run_publish(site, "--theme", "mine", "all")
    assert first.returncode == 0, first.stderr + first.stdout
    output = site / "output"
    problems = output_problems(output)
    assert {rel for rel in problems if rel.endswith((".pdf", ".epub", "rss.xml", "feed.json"))} >= {
        "pdf/the-measure-of-a-line.pdf", "pdf/why-feeds-still-matter.pdf", "epub/field-notes.epub", "rss.xml",
        "feed.json"}
    assert {rel: found for rel, found in problems.items() if found} == {}
    for slug in ("the-measure-of-a-line", "why-feeds-still-matter"):
        assert ">Read it on the web<" in (output / "email" / f"{slug}.html").read_text(encoding="utf-8")
    before = snapshot(output)

    template.write_text(default_with("email/article.html", ">Read online<", ">Read it now<"), encoding="utf-8")
    second = run_publish(site, "-v", "--theme", "mine", "all")
    assert second.returncode == 0, second.stderr + second.stdout
    assert written(second.stdout) and all(rel.startswith("email/") for rel in written(second.stdout))
    for label in ("pdf/the-measure-of-a-line.pdf", "pdf/why-feeds-still-matter.pdf", "epub/field-notes.epub",
                  "feeds"):
        assert f"up to date: {label}\n" in second.stdout
    after = snapshot(output)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert changed and all(rel.startswith("email/") for rel in changed)
    assert "email/the-measure-of-a-line.html" in changed
    assert ">Read it now<" in (output / "email" / "the-measure-of-a-line.html").read_text(encoding="utf-8")
    assert {rel for rel in before if rel.startswith(("pdf/", "epub/"))} <= set(after)


@pytest.mark.slow
def test_a_theme_overriding_the_pdf_stylesheet_changes_only_pdfs(site: Path) -> None:
    style = add_file(site, "print", "pdf/style.css", default_with("pdf/style.css", "--accent: #a8322d;", "--accent: #0b6e4f;"))
    plain = run_publish(site, "--output", "plain", "all")
    themed = run_publish(site, "--theme", "print", "--output", "themed", "all")
    assert plain.returncode == 0 and themed.returncode == 0, plain.stderr + themed.stderr
    a, b = snapshot(site / "plain"), snapshot(site / "themed")
    assert set(a) == set(b)
    differ = {rel for rel in a if a[rel][0] != b[rel][0]}
    assert differ == {"pdf/the-measure-of-a-line.pdf", "pdf/why-feeds-still-matter.pdf"}

    style.write_text(default_with("pdf/style.css", "--accent: #a8322d;", "--accent: #5a3e8c;"), encoding="utf-8")
    again = run_publish(site, "-v", "--theme", "print", "--output", "themed", "all")
    assert again.returncode == 0, again.stderr
    lines = [line.split("/themed/", 1)[1] for line in again.stdout.splitlines() if line.strip().startswith("wrote ")]
    assert sorted(lines) == ["pdf/the-measure-of-a-line.pdf", "pdf/why-feeds-still-matter.pdf"]


def test_a_two_level_chain_takes_each_file_from_the_nearest_theme(site: Path) -> None:
    add_file(site, "base", "email/layout.html",
             default_with("email/layout.html", "<p>You receive this email", "<p>From the base theme. You receive this email"))
    add_file(site, "base", "email/email.css", (DEFAULT / "email" / "email.css").read_text(encoding="utf-8") + "\n.title { color: #123456; }\n")
    add_file(site, "mine", "theme.toml", 'extends = "base"\n')
    add_file(site, "mine", "email/article.html",
             default_with("email/article.html", ">Read online<", ">Read the site theme's way<"))
    result = run_publish(site, "--theme", "mine", "email", "the-measure-of-a-line", "--digest")
    assert result.returncode == 0, result.stderr + result.stdout
    article = (site / "output" / "email" / "the-measure-of-a-line.html").read_text(encoding="utf-8")
    assert ">Read the site theme's way<" in article                  # mine
    assert "From the base theme." in article and "#123456" in article  # base
    digest = next((site / "output" / "email").glob("digest-*.html")).read_text(encoding="utf-8")
    assert "From the base theme." in digest and "Read the site theme" not in digest   # the default's digest.html


# --- configuration errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("themes", "expected"), [
    ({"a": 'extends = "b"\n', "b": 'extends = "a"\n'}, "cycle: a -> b -> a"),
    ({"a": 'extends = "a"\n'}, "extends itself"),
    ({"a": 'extends = "nowhere"\n'}, "extends 'nowhere', but there is no theme of that name"),
    ({"a": 'extend = "default"\n'}, "unknown key 'extend' (did you mean 'extends'?)"),
    ({"a": 'extends = "../default"\n'}, "expected the name of a theme"),
    ({"a": 'extends = \n'}, "not valid TOML"),
], ids=["cycle", "itself", "unknown-parent", "unknown-key", "path", "toml"])
def test_a_broken_chain_is_a_configuration_error_naming_theme_toml(site: Path, themes: dict[str, str],
                                                                    expected: str) -> None:
    for name, text in themes.items():
        add_file(site, name, "theme.toml", text)
    result = run_publish(site, "--theme", "a", "all")
    assert result.returncode == 2, result.stderr + result.stdout
    message = " ".join(result.stderr.split())
    assert "theme.toml" in message and expected in message
    assert not (site / "output").exists()


def test_an_unknown_site_theme_is_a_configuration_error(site: Path) -> None:
    result = run_publish(site, "--theme", "nope", "feed")
    assert result.returncode == 2
    assert "paths.theme: no theme 'nope'" in " ".join(result.stderr.split())
    with pytest.raises(ConfigError, match="no theme 'nope'"):
        ThemeChain.resolve(site, "nope")


@pytest.mark.slow
def test_a_theme_file_linking_outside_the_theme_is_refused_and_the_other_formats_are_published(site: Path) -> None:
    secret = site / "secret.html"
    secret.write_text("<p>SECRET-PAYLOAD</p>", encoding="utf-8")
    (site / "themes" / "evil" / "email").mkdir(parents=True)
    (site / "themes" / "evil" / "email" / "article.html").symlink_to(secret)
    result = run_publish(site, "--theme", "evil", "all")
    assert result.returncode == 1
    message = " ".join((result.stderr + result.stdout).split())
    assert "article.html" in message and "outside the theme folders" in message
    output = site / "output"
    assert (output / "pdf" / "the-measure-of-a-line.pdf").is_file() and (output / "epub" / "field-notes.epub").is_file()
    assert (output / "rss.xml").is_file() and not (output / "email").exists()
    assert not [p for p in output.rglob("*") if p.is_file() and b"SECRET-PAYLOAD" in p.read_bytes()]


# --- publish theme new ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_theme_new_copies_the_chosen_files_and_the_site_builds_with_it(site: Path) -> None:
    result = run_publish(site, "theme", "new", "mine", "email/article.html")
    assert result.returncode == 0, result.stderr
    theme = site / "themes" / "mine"
    assert (theme / "theme.toml").read_text(encoding="utf-8").splitlines()[-1] == 'extends = "default"'
    assert (theme / "email" / "article.html").read_bytes() == (DEFAULT / "email" / "article.html").read_bytes()
    assert sorted(p.relative_to(theme).as_posix() for p in theme.rglob("*") if p.is_file()) == [
        "email/article.html", "theme.toml"]
    assert "wrote themes/mine/email/article.html" in result.stdout
    with (site / "publish.toml").open("a", encoding="utf-8") as config:
        config.write('\n[paths]\ntheme = "mine"\n')
    build = run_publish(site, "all")
    assert build.returncode == 0, build.stderr + build.stdout
    assert (site / "output" / "email" / "the-measure-of-a-line.html").is_file()
    assert (site / "output" / "pdf" / "the-measure-of-a-line.pdf").is_file()

    folder = run_publish(site, "theme", "new", "print", "pdf", "--extends", "mine")
    assert folder.returncode == 0, folder.stderr
    assert sorted(p.name for p in (site / "themes" / "print" / "pdf").iterdir()) == ["document.html", "style.css"]
    assert 'extends = "mine"' in (site / "themes" / "print" / "theme.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "expected"), [
    (["other", "email/nope.html"], "'email/nope.html' is not a file of the 'default' theme"),
    (["other", "../email/article.html"], "is not a file of the 'default' theme"),
    (["mine"], "this theme exists already"),
    (["../escape"], "is not a theme name"),
    (["other", "--extends", "nowhere"], "no theme named 'nowhere' to extend"),
], ids=["unknown-file", "climbing-file", "exists", "bad-name", "unknown-parent"])
def test_theme_new_refuses_with_exit_status_2_and_writes_nothing(site: Path, args: list[str], expected: str) -> None:
    add_file(site, "mine", "email/article.html", "mine")
    result = run_publish(site, "theme", "new", *args)
    assert result.returncode == 2, result.stderr + result.stdout
    assert expected in " ".join(result.stderr.split())
    assert sorted(p.name for p in (site / "themes").iterdir()) == ["mine"]
    assert (site / "themes" / "mine" / "email" / "article.html").read_text(encoding="utf-8") == "mine"
    if "nope" in args[-1]:
        for available in ("email/article.html", "email/digest.html", "pdf/style.css", "epub/fonts/OFL.txt"):
            assert f"\n  {available}" in result.stderr
