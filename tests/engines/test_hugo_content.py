"""What Hugo does with content that real themes' example sites rely on, found by comparing with
the URLs Hugo itself printed (`hugo list all`) for those sites."""

from __future__ import annotations

from pathlib import Path

from publish.content.loader import load
from tests.conftest import load_config


def _site(root: Path, config: str, files: dict[str, str]) -> Path:
    (root / "hugo.toml").write_text(config)
    for name, text in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_language_variants_may_share_a_slug_and_have_long_codes(tmp_path: Path) -> None:
    _site(tmp_path, 'baseURL = "https://b.example/"\n[languages.en]\nweight = 1\n[languages.zh-hant-tw]\nweight = 2\n'
                    '[languages.pt-br]\nweight = 3\n', {
        "posts/wiki/index.md": "---\ntitle: Wiki\nslug: the-wiki\ndate: 2024-01-01\n---\nA.\n",
        "posts/wiki/index.zh-hant-tw.md": "---\ntitle: 維基\nslug: the-wiki\ndate: 2024-01-01\n---\nA.\n",
        "posts/wiki/index.pt-br.md": "---\ntitle: Wiki\nslug: the-wiki\ndate: 2024-01-01\n---\nA.\n"})
    loaded = load(load_config(cwd=tmp_path), write_cache=False)
    assert loaded.errors == []
    assert sorted(a.url for a in loaded.collection) == [
        "https://b.example/posts/the-wiki/", "https://b.example/pt-br/posts/the-wiki/",
        "https://b.example/zh-hant-tw/posts/the-wiki/"]


def test_a_date_in_a_hugo_file_name_stays_in_its_url(tmp_path: Path) -> None:
    _site(tmp_path, 'baseURL = "https://b.example/"\n', {
        "post/2026-05-11-theme-features.md": "---\ntitle: Features\ndate: 2026-05-11\n---\nA.\n"})
    (article,) = load(load_config(cwd=tmp_path), write_cache=False).collection
    assert article.url == "https://b.example/post/2026-05-11-theme-features/"


def test_expired_articles_are_left_out(tmp_path: Path) -> None:
    _site(tmp_path, 'baseURL = "https://b.example/"\n', {
        "posts/old.md": "---\ntitle: Old offer\ndate: 2020-01-01\nexpiryDate: 2021-01-01\n---\nA.\n",
        "posts/new.md": "---\ntitle: New\ndate: 2020-01-01\nexpiryDate: 2999-01-01\n---\nA.\n"})
    loaded = load(load_config(cwd=tmp_path), write_cache=False)
    assert [a.slug for a in loaded.collection] == ["new"]
    assert [(a.slug, why) for a, why in loaded.skipped] == [("old", "expired")]


def test_params_and_title_kept_per_language_and_a_host_less_base_url(tmp_path: Path) -> None:
    (tmp_path / "config" / "_default").mkdir(parents=True)
    (tmp_path / "config" / "_default" / "hugo.toml").write_text('baseURL = "/congo/"\ndefaultContentLanguage = "en"\n')
    (tmp_path / "config" / "_default" / "languages.en.toml").write_text(
        'title = "Congo"\nlanguageCode = "en-AU"\n[params]\nmainSections = ["samples"]\n'
        'description = "A theme."\n[params.author]\nname = "Congo"\n')
    for name in ("samples/a.md", "docs/b.md", "docs/c.md"):
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: T\ndate: 2024-01-01\n---\nA.\n")
    config = load_config(cwd=tmp_path)
    assert (config.site.title, config.site.language, config.site.author) == ("Congo", "en-AU", "Congo")
    assert config.base_url == "https://example.com/congo"       # the path is kept under the announced placeholder
    loaded = load(config, write_cache=False)
    assert [a.url for a in loaded.collection] == ["https://example.com/congo/samples/a/"]   # mainSections wins
    assert any("no base URL is set" in p.message for p in loaded.warnings)


def test_every_post_of_a_jekyll_site_is_a_post_whatever_its_layout(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("url: https://j.example\ntimezone: America/Los_Angeles\n")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2018-02-25-release.md").write_text(
        "---\ntitle: Release\nlayout: news_item\ndate: 2018-02-25 13:02:08 +0530\n---\nA.\n")
    (tmp_path / "_posts" / "2023-01-29-odd-date.md").write_text(
        "---\ntitle: Odd\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nA.\n")
    loaded = load(load_config(cwd=tmp_path), write_cache=False)
    urls = sorted(a.url for a in loaded.collection)
    # Jekyll shows the date in its configured zone: 13:02 +05:30 is the evening before in Los Angeles
    assert urls == ["https://j.example/2018/02/24/release.html", "https://j.example/2023/01/29/odd-date.html"]
    assert any("using the date in the file name" in p.message for p in loaded.warnings)
