"""Warnings an owner can act on: each said once, in the blog's own vocabulary, in the same order
on every run (a cold build, a run with nothing to do, a run after one edit)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_publish

POSTS = 24


def _blog(root: Path) -> Path:
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text('title: Many Posts\nurl: "https://many.example"\nemail: desk@many.example\n'
                                      'version: "3.1"\n')
    for i in range(POSTS):
        body = (f"Post {i} for version {{{{ site.version }}}}.\n\n{{% include callout.html %}}\n\n"
                f"Another paragraph for post {i}.\n")
        if i == 3:        # an exporter's own warning, given only when its task runs
            body += "\n![A remote chart](https://charts.example/one.png)\n"
        (root / "_posts" / f"2024-01-{i + 1:02d}-post-{i}.md").write_text(f"---\nlayout: post\ntitle: Post {i}\n---\n{body}")
    return root


def _warnings(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def test_the_same_warnings_every_run_and_few_of_them(tmp_path: Path) -> None:
    site = _blog(tmp_path / "blog")
    env = {"COLUMNS": "200"}
    cold = _warnings(run_publish(site, "all", env=env))
    again = _warnings(run_publish(site, "all", env=env))
    (site / "_posts" / "2024-01-10-post-9.md").write_text("---\nlayout: post\ntitle: Post 9, edited\n---\nNew text.\n")
    edited = _warnings(run_publish(site, "all", env=env))
    assert cold == again
    assert len(cold) <= 6, cold
    assert sum("typographic cover" in w for w in cold) == 1
    assert any(w.startswith(f"warning: {POSTS} articles have no cover image") and "Set `image:`" in w for w in cold)
    assert not any("seo.image" in w for w in cold)           # never Astro's name on a Jekyll blog
    remote = [w for w in cold if "charts.example" in w]
    assert remote and all("post-3" in w for w in remote)              # the PDF's and the EPUB's
    assert [w for w in edited if "charts.example" in w] == remote      # replayed from the up-to-date PDF
    left_out = [w for w in cold if "left out syntax" in w]
    assert len(left_out) == 1 and left_out[0].startswith(f"warning: {POSTS} articles: ")
    assert len(edited) == len(cold)
