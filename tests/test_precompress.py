"""Precompressed twins: written with the text outputs, reproducible, kept in step, pruned with them."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from publish.precompress import MIN_SIZE, twins, without_twins, write_twins
from tests.conftest import copy_sample, run_publish


def _feeds(tmp_path: Path, name: str) -> Path:
    site = copy_sample(tmp_path / name)
    result = run_publish(site, "feed")
    assert result.returncode == 0, result.stdout + result.stderr
    return site / "output"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _feeds(tmp_path_factory.mktemp("twins"), "site")


def test_every_text_output_has_twins_that_decode_to_it(output: Path) -> None:
    texts = [p for p in output.rglob("*") if p.suffix in (".xml", ".json") and ".publish" not in p.parts]
    assert len(texts) > 20                     # site and tag feeds
    for path in texts:
        data = path.read_bytes()
        big = len(data) >= MIN_SIZE
        assert path.with_name(path.name + ".gz").is_file() == big, path
        assert path.with_name(path.name + ".br").is_file() == big, path
        if big:
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == data
            assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == data
    rss = (output / "rss.xml").stat().st_size
    assert (output / "rss.xml.br").stat().st_size < (output / "rss.xml.gz").stat().st_size < rss / 2


def test_twins_are_the_same_bytes_in_every_build(output: Path, tmp_path: Path) -> None:
    again = _feeds(tmp_path, "again")
    names = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.[bg][rz]"))
    assert names and names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*.[bg][rz]"))
    assert all((output / name).read_bytes() == (again / name).read_bytes() for name in names)


def test_a_missing_or_stale_twin_is_written_again(tmp_path: Path) -> None:
    output = _feeds(tmp_path, "site")
    site = output.parent
    quiet = run_publish(site, "feed")
    assert "wrote 0 file(s)" in quiet.stdout, quiet.stdout
    (output / "atom.xml.br").unlink()          # deleted by hand, or an output folder from before twins
    result = run_publish(site, "feed")
    assert result.returncode == 0 and "wrote 0 file(s)" not in result.stdout, result.stdout
    assert brotli.decompress((output / "atom.xml.br").read_bytes()) == (output / "atom.xml").read_bytes()


def test_small_and_binary_files_get_no_twins(tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text("{}")
    for suffix in (".gz", ".br"):                # a stale twin from when the file was bigger goes
        (tmp_path / f"small.json{suffix}").write_bytes(b"old")
    write_twins(small, "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.json"]
    write_twins(tmp_path / "book.pdf", b"%PDF" * 1000)
    assert twins("book.pdf") == () and not list(tmp_path.glob("book.pdf.*"))
    assert twins("tags/web/rss.xml") == ("tags/web/rss.xml.br", "tags/web/rss.xml.gz")


def test_without_twins_keeps_files_whose_own_file_stays() -> None:
    files = ["rss.xml", "rss.xml.br", "rss.xml.gz", "notes.txt.gz", "pdf/a.pdf"]
    assert without_twins(files) == ["rss.xml", "notes.txt.gz", "pdf/a.pdf"]
