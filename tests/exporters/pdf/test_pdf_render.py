"""pdf/render.py: the WeasyPrint engine set up once per process (the patches it applies are
tested in tests/test_patches.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest

from publish.exporters.pdf.fetcher import LocalFetcher
from publish.exporters.pdf.html import page_size
from publish.exporters.pdf.render import engine, write_pdf
from publish.themes import ThemeChain
from tests.conftest import REPO


def test_the_engine_patches_weasyprint_and_writes_a_pdf_leaving_the_environment_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import fonts

    from publish.patches import SWITCH
    from publish.patches.weasyprint import _OpenArrays

    monkeypatch.delenv(SWITCH, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(fonts, "ffi", getattr(fonts.ffi, "_wrapped", fonts.ffi))
    built = engine(ThemeChain.resolve(REPO, "default"), page_size("A5"), tmp_path / "images")
    assert isinstance(fonts.ffi, _OpenArrays)          # applied even for an engine built earlier on
    html = ('<html lang="en"><head><title>T</title></head><body><main class="article">'
            "<h2>Heading</h2><p>Some text.</p></main></body></html>")
    data, messages = write_pdf(built, html, LocalFetcher(built.themes, tmp_path / "images"), b"0" * 32,
                               1_700_000_000)
    assert messages == []
    (tmp_path / "out.pdf").write_bytes(data)
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        assert len(pdf.pages) == 1
    assert "SOURCE_DATE_EPOCH" not in os.environ
