"""Hugo's configuration as real sites write it: one root file, or config/_default/ split by key,
in TOML, YAML or JSON, with config/production/ on top (what `hugo` builds by default)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publish.engines import hugo
from tests.conftest import load_config

SITES = Path(__file__).parents[1] / "sites"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_split_configuration_is_merged_the_way_hugo_merges_it(tmp_path: Path) -> None:
    site = tmp_path / "harbour"
    shutil.copytree(SITES / "hugo-harbour", site)
    engine = hugo.read(site)
    assert engine is not None and engine.name == "hugo"
    # production overrides _default; the sub-path is kept
    assert engine.site["base_url"].value == "https://harbour-notes.example/field/"
    assert engine.site["base_url"].origin == "config/production/hugo.toml"
    assert engine.site["title"].value == "Harbour Notes"
    assert engine.site["description"].origin == "config/_default/params.toml"
    assert (engine.site["author"].value, engine.site["email"].value) == ("Rui Costa", "rui@harbour-notes.example")
    assert engine.site["language"].value == "en-GB"
    assert engine.site["timezone"].value == "Europe/Lisbon"
    assert dict(engine.permalinks) == {"posts": "/p/:year/:month/:slug/", "notes": "/n/:section/:filename/"}
    assert engine.permalink_origin == "config/_default/permalinks.toml"
    assert engine.main_sections == ("posts", "notes")
    assert engine.default_language == "en"
    assert {code: (lang.prefix, lang.tag, lang.title) for code, lang in engine.languages.items()} == {
        "en": ("", "en-GB", ""), "pt": ("/pt", "pt-PT", "Notas do Porto")}
    assert "config/_default/menus.en.toml" in engine.files


def test_precedence_command_line_then_publish_toml_then_the_blog_then_defaults(tmp_path: Path) -> None:
    site = tmp_path / "harbour"
    shutil.copytree(SITES / "hugo-harbour", site)
    (site / "publish.toml").write_text('[site]\ntitle = "Chosen Title"\n[paths]\noutput = "out"\n')
    config = load_config(cwd=site, overrides={"paths": {"output": str(tmp_path / "cli-out")}})
    assert config.site.title == "Chosen Title" and config.origin("site.title") == "publish.toml"
    assert config.site.base_url == "https://harbour-notes.example/field/"
    assert config.origin("site.base_url") == "config/production/hugo.toml"
    assert config.origin("paths.output") == "command line"
    assert config.origin("site.email") == "config/_default/params.toml"
    assert config.origin("site.logo") == "default"


@pytest.mark.parametrize(("name", "text"), [
    ("hugo.yaml", "baseURL: https://yaml.example/blog/\ntitle: YAML Blog\nparams:\n  author: Lee\n"
                  "permalinks:\n  page:\n    posts: /:year/:slug/\n"),
    ("config.json", '{"baseurl": "https://yaml.example/blog/", "Title": "YAML Blog", '
                    '"Params": {"Author": {"name": "Lee"}}, "permalinks": {"posts": "/:year/:slug/"}}'),
    ("hugo.toml", 'BaseURL = "https://yaml.example/blog/"\ntitle = "YAML Blog"\nauthor = "Lee"\n'
                  '[permalinks.page]\nposts = "/:year/:slug/"\n'),
])
def test_every_format_and_key_spelling(tmp_path: Path, name: str, text: str) -> None:
    engine = hugo.read(_write(tmp_path, {name: text}))
    assert engine is not None
    assert engine.site["base_url"].value == "https://yaml.example/blog/"
    assert engine.site["title"].value == "YAML Blog"
    assert engine.site["author"].value == "Lee"
    assert dict(engine.permalinks) == {"posts": "/:year/:slug/"}


def test_an_unreadable_setting_is_a_note_never_a_crash(tmp_path: Path) -> None:
    _write(tmp_path, {"hugo.toml": 'baseURL = "/"\ntitle = "T"\ntimeZone = "Mars/Olympus"\npermalinks = "odd"\n',
                      "config/_default/params.toml": "this is = not toml ["})
    config = load_config(cwd=tmp_path)
    notes = " | ".join(config.engine.notes)
    assert "config/_default/params.toml: not read" in notes
    assert "permalinks" in notes and "Mars/Olympus" in notes
    assert config.site.timezone == "UTC" and config.site.title == "T"
    assert config.site.base_url == ""           # "/" is Hugo's relative default: publish warns instead


def test_a_broken_root_file_does_not_stop_publish(tmp_path: Path) -> None:
    _write(tmp_path, {"config.yaml": "title: [unclosed\n"})
    config = load_config(cwd=tmp_path)
    assert config.engine.name == "hugo" and config.engine.notes
    assert config.site.title == ""


def test_the_blog_settings_take_part_in_the_configuration_digest(tmp_path: Path) -> None:
    _write(tmp_path, {"hugo.toml": 'baseURL = "https://a.example/"\n'})
    before = load_config(cwd=tmp_path).digest()
    _write(tmp_path, {"hugo.toml": 'baseURL = "https://b.example/"\n'})
    assert load_config(cwd=tmp_path).digest() != before
    _write(tmp_path, {"hugo.toml": 'baseURL = "https://b.example/"\n[permalinks]\nposts = "/:slug/"\n'})
    assert load_config(cwd=tmp_path).digest() != before


def test_default_language_in_a_subfolder(tmp_path: Path) -> None:
    engine = hugo.read(_write(tmp_path, {"hugo.toml": (
        'defaultContentLanguage = "fr"\ndefaultContentLanguageInSubdir = true\n'
        '[languages.fr]\ntitle = "Carnet"\n[languages.en]\ntitle = "Notebook"\n[languages.de]\ndisabled = true\n')}))
    assert engine is not None
    assert {code: lang.prefix for code, lang in engine.languages.items()} == {"fr": "/fr", "en": "/en"}
    assert engine.site["title"].value == "Carnet"
