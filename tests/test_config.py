from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from publish.config import Config, FeedSettings, SettingError
from publish.errors import ConfigError
from tests.conftest import load_config


def test_defaults_need_no_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.source is None
    assert config.root == tmp_path.resolve()
    assert config.site.article_url == "/blog/{slug}/"
    assert config.feed.limit == 20 and config.feed.full_content is True
    assert config.email.unsubscribe == "{{unsubscribe_url}}"
    assert config.content_dir == (tmp_path / "content").resolve()
    assert config.output_dir == (tmp_path / "output").resolve()
    assert config.public_dir == (tmp_path / "content" / "public").resolve()
    assert config.site_title == tmp_path.name.replace("-", " ").replace("_", " ").title()
    assert (config.theme_dir / "pdf").is_dir() or config.theme_dir.name == "default"


def test_astro_layout_public_folder(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    assert load_config(cwd=tmp_path).public_dir == (tmp_path / "public").resolve()


def test_reads_publish_toml(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text(
        '[site]\ntitle = "Field Notes"\nbase_url = "https://x.example"\n[feed]\nlimit = 5\n'
        '[paths]\ncontent = "posts"\n[epub]\norder = "newest"\n', encoding="utf-8")
    config = load_config(cwd=tmp_path)
    assert config.site.title == "Field Notes" and config.site_title == "Field Notes"
    assert config.feed.limit == 5
    assert config.epub.order == "newest"
    assert config.content_dir == (tmp_path / "posts").resolve()


def test_reads_tool_publish_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.publish.site]\ntitle = "From pyproject"\n')
    config = load_config(cwd=tmp_path)
    assert config.site.title == "From pyproject"
    assert config.source == tmp_path / "pyproject.toml"


def test_pyproject_without_tool_publish_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(cwd=tmp_path).source is None


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text(
        '[site]\ntitel = "typo"\nbase_url = 42\n[feed]\nlimit = "ten"\nfull_content = "yes"\n'
        '[epub]\norder = "random"\n[fields]\npublished = "launchDate"\n[colours]\nx = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    message = str(info.value)
    assert "publish.toml" in message
    assert "unknown key 'site.titel' (did you mean 'title'?)" in message
    assert "site.base_url: expected a string, got an integer" in message
    assert "feed.limit: expected an integer, got a string" in message
    assert "feed.full_content: expected true or false" in message
    assert "epub.order: expected one of 'oldest', 'newest'" in message
    assert "fields.published: expected a list of strings" in message
    assert "unknown section 'colours'" in message


def test_value_checks(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text('[site]\ntimezone = "Mars/Olympus"\nbase_url = "example.com"\n'
                                           'article_url = "/posts/"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    message = str(info.value)
    assert "site.timezone" in message and "site.base_url" in message and "site.article_url" in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text("[site\n")
    with pytest.raises(ConfigError, match="publish.toml.*not valid TOML"):
        load_config(cwd=tmp_path)


def test_config_option_makes_its_folder_the_root(tmp_path: Path) -> None:
    site = tmp_path / "elsewhere"
    site.mkdir()
    (site / "my.toml").write_text('[site]\ntitle = "T"\n')
    config = load_config(site / "my.toml", cwd=tmp_path)
    assert config.root == site.resolve()
    assert config.content_dir == (site / "content").resolve()


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_overrides_win(tmp_path: Path) -> None:
    (tmp_path / "publish.toml").write_text('[paths]\noutput = "out"\n')
    config = load_config(cwd=tmp_path, overrides={"paths": {"output": str(tmp_path / "elsewhere")}})
    assert config.output_dir == (tmp_path / "elsewhere").resolve()


def test_digest_ignores_smtp_and_output_but_not_site(tmp_path: Path) -> None:
    base = Config(root=tmp_path)
    from dataclasses import replace

    assert base.digest() == replace(base, smtp=replace(base.smtp, host="mail.example")).digest()
    assert base.digest() == replace(base, paths=replace(base.paths, output="x")).digest()
    assert base.digest() != replace(base, site=replace(base.site, title="Other")).digest()


# --- sections declared by exporters ---------------------------------------------------------------

@dataclass(frozen=True)
class ShelfSettings:
    """What a plugin might declare: every kind of value TOML gives."""

    label: str = "words"
    width: int = 72
    ratio: float = 1.5
    wrap: bool = True
    style: Literal["plain", "fancy"] = "plain"
    skip: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.width < 10:
            raise SettingError("width", "must be at least 10")


def _load(tmp_path: Path, text: str, **exporters: type | None) -> Config:
    from publish.config import load_config as load_without_registry

    (tmp_path / "publish.toml").write_text(text, encoding="utf-8")
    return load_without_registry(cwd=tmp_path, exporters=exporters)


def test_an_exporter_section_is_read_into_the_class_it_declares(tmp_path: Path) -> None:
    config = _load(tmp_path, '[shelf]\nlabel = "mots"\nratio = 2\nskip = ["a", "b"]\nstyle = "fancy"\n',
                   shelf=ShelfSettings, feed=FeedSettings)
    shelf = config.settings_for("shelf", ShelfSettings)
    assert shelf == ShelfSettings(label="mots", ratio=2.0, skip=("a", "b"), style="fancy")
    assert isinstance(shelf.ratio, float)
    assert config.feed == FeedSettings()                     # declared, not in the file: its defaults
    assert config.origin("shelf.label") == "publish.toml"


def test_an_exporter_section_is_checked_like_publishs_own(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '[shelf]\nlabl = "x"\nwidth = "wide"\nratio = true\nstyle = "odd"\nskip = [1]\n'
                        '[feed]\nlimit = 0\n', shelf=ShelfSettings, feed=FeedSettings)
    message = str(info.value)
    assert "unknown key 'shelf.labl' (did you mean 'label'?)" in message
    assert "shelf.width: expected an integer, got a string" in message
    assert "shelf.ratio: expected a number, got a boolean" in message
    assert "shelf.style: expected one of 'plain', 'fancy', got 'odd'" in message
    assert "shelf.skip: expected a list of strings" in message
    assert "feed.limit: must be at least 1" in message


def test_a_value_the_settings_class_refuses_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"shelf\.width: must be at least 10"):
        _load(tmp_path, "[shelf]\nwidth = 3\n", shelf=ShelfSettings)


def test_a_section_no_installed_exporter_declares_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown section 'shelf'"):
        _load(tmp_path, "[shelf]\nwidth = 30\n")
    with pytest.raises(ConfigError, match=r"unknown section 'shelve' \(did you mean 'shelf'\?\)"):
        _load(tmp_path, "[shelve]\nwidth = 30\n", shelf=ShelfSettings)
    with pytest.raises(ConfigError, match=r"unknown section 'shelf': the shelf exporter has no settings"):
        _load(tmp_path, "[shelf]\nwidth = 30\n", shelf=None)


def test_an_exporter_cannot_take_a_section_of_publishs_own(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"an exporter is named 'site'"):
        _load(tmp_path, "", site=ShelfSettings)


def test_settings_without_defaults_are_the_exporters_mistake(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Needy:
        path: str

    with pytest.raises(ConfigError, match=r"\[needy\]: Needy needs a default for every field"):
        _load(tmp_path, "", needy=Needy)


def test_built_in_sections_come_from_the_installed_exporters() -> None:
    from publish import registry
    from publish.config import EmailSettings, EpubSettings, PdfSettings

    declared = registry.settings_classes()
    assert {name: declared[name] for name in ("feed", "pdf", "epub", "email")} == {
        "feed": FeedSettings, "pdf": PdfSettings, "epub": EpubSettings, "email": EmailSettings}


def test_every_declared_section_is_in_the_digest(tmp_path: Path) -> None:
    plain = _load(tmp_path, "", shelf=ShelfSettings)
    wider = _load(tmp_path, "[shelf]\nwidth = 80\n", shelf=ShelfSettings)
    assert plain.digest() != wider.digest()
