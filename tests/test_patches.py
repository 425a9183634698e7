"""publish.patches: each runtime patch of a third-party library, its version guard and the switch
that turns them all off, down to a real `publish all` with and without them."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pikepdf
import pytest

from publish import patches
from publish.patches import _support
from publish.patches import fonttools as fonttools_patch
from publish.patches import pillow as pillow_patch
from publish.patches import pydyf as pydyf_patch
from publish.patches import weasyprint as weasyprint_patch
from tests.conftest import copy_sample, run_publish
from tests.validators import pdf_problems

MODULES = (weasyprint_patch, pydyf_patch, pillow_patch)


@pytest.fixture
def unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The libraries as they ship for one test (earlier tests in this process may have patched them)."""
    import pydyf
    from PIL import ImageFile
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "ffi", getattr(fonts.ffi, "_wrapped", fonts.ffi))
    monkeypatch.setattr(pydyf, "zlib", getattr(pydyf.zlib, "_wrapped", pydyf.zlib))
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)        # as importing WeasyPrint leaves it
    monkeypatch.delenv(patches.SWITCH, raising=False)


# --- each patch ------------------------------------------------------------------------------------

@pytest.mark.usefixtures("unpatched")
def test_each_patch_applies_once_and_says_what_it_does() -> None:
    import pydyf
    from PIL import ImageFile
    from weasyprint.pdf import fonts

    for module in MODULES:
        first, second = module.apply(), module.apply()
        assert first.applied and second == first, module.__name__
        assert first.note
    assert isinstance(fonts.ffi, weasyprint_patch._OpenArrays)
    assert not isinstance(fonts.ffi._wrapped, weasyprint_patch._OpenArrays)           # wrapped once
    assert isinstance(pydyf.zlib, pydyf_patch._Level6Zlib) and pydyf.zlib._wrapped is zlib
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.usefixtures("unpatched")
def test_apply_all_patches_the_loaded_libraries_with_a_note_each() -> None:
    import pydyf

    notes = patches.apply_all()
    assert [note.split(":")[0] for note in notes] == [
        f"patch for weasyprint {_support.installed('weasyprint')}",
        f"patch for pydyf {_support.installed('pydyf')}",
        f"patch for pillow {_support.installed('pillow')}"]
    assert patches.apply_all() == notes
    assert isinstance(pydyf.zlib, pydyf_patch._Level6Zlib)


def test_sized_arrays_are_built_as_open_arrays_with_the_same_content() -> None:
    from weasyprint.text.ffi import ffi

    shim = weasyprint_patch._OpenArrays(ffi)
    items = [5, 3, 9, 1]
    array = shim.new(f"hb_codepoint_t[{len(items)}]", items)
    assert list(array) == items
    assert ffi.sizeof(array) == len(items) * ffi.sizeof("hb_codepoint_t")
    # Not every shape is rewritten: a longer array than its items keeps its zero padding.
    padded = shim.new("hb_codepoint_t[6]", items)
    assert list(padded) == [*items, 0, 0]
    assert shim.NULL == ffi.NULL


@pytest.mark.usefixtures("unpatched")
def test_font_subsetting_no_longer_parses_a_c_type_per_glyph_count() -> None:
    from weasyprint.pdf import fonts

    assert weasyprint_patch.apply().applied
    parsed = fonts.ffi._wrapped._parsed_types
    for count in (4711, 4712):
        fonts.ffi.new(f"hb_codepoint_t[{count}]", list(range(count)))
    assert "hb_codepoint_t[4711]" not in parsed and "hb_codepoint_t[]" in parsed


@pytest.mark.usefixtures("unpatched")
def test_pdf_streams_are_deflated_at_level_6() -> None:
    import pydyf

    data = b"BT /F1 10 Tf 72 712 Td (A line of text) Tj ET\n" * 2000
    assert _deflated(pydyf.Stream([data], compress=True).data) == _level(9, data)     # pydyf as it ships
    assert pydyf_patch.apply().applied
    deflated = _deflated(pydyf.Stream([data], compress=True).data)
    assert zlib.decompress(deflated) == data
    assert deflated == _level(6, data)


@pytest.mark.usefixtures("unpatched")
def test_truncated_images_are_refused_again_after_weasyprint_allowed_them(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    from publish.errors import ImageError
    from publish.images import probe

    path = tmp_path / "truncated.png"
    PILImage.effect_noise((200, 150), 40).convert("RGB").save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ImageError, match="not a readable image"):
        probe(path, source="truncated.png")          # images apply the Pillow patch before decoding


# --- versions and the switch -------------------------------------------------------------------------

@pytest.mark.usefixtures("unpatched")
@pytest.mark.parametrize("version", ["999.0", "0.1", None])
def test_a_version_it_was_not_written_for_leaves_the_library_alone_with_a_note(
        monkeypatch: pytest.MonkeyPatch, version: str | None) -> None:
    import pydyf
    from PIL import ImageFile
    from weasyprint.pdf import fonts

    original_ffi = fonts.ffi
    monkeypatch.setattr(_support, "installed", lambda distribution: version)
    for module in MODULES:
        outcome = module.apply()
        assert not outcome.applied, module.__name__
        assert module.DISTRIBUTION in outcome.note
        assert ("not a version it was written for" if version else "not installed") in outcome.note
    assert fonts.ffi is original_ffi and pydyf.zlib is zlib and ImageFile.LOAD_TRUNCATED_IMAGES is True
    notes = patches.apply_all()
    assert len(notes) == 3 and all(" left out: " in note for note in notes)


@pytest.mark.usefixtures("unpatched")
@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_switch_turns_every_patch_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    import pydyf
    from weasyprint.pdf import fonts

    original_ffi = fonts.ffi
    monkeypatch.setenv(patches.SWITCH, value)
    assert patches.apply_all() == ["third-party patches are off (PUBLISH_NO_PATCHES=1)"]
    assert fonts.ffi is original_ffi and pydyf.zlib is zlib
    monkeypatch.setenv(patches.SWITCH, "0")
    assert not patches.switched_off()
    assert patches.apply_all(enabled=False) == ["third-party patches are off"]
    assert pydyf.zlib is zlib


@pytest.mark.parametrize(("version", "expected"), [
    ("70.0", (70,)), ("0.13.0", (0, 13)), ("13.0.0", (13,)), ("71.0b1", (71,)), ("66.0.post1", (66,)),
    ("10.3", (10, 3)), ("2024.10.1", (2024, 10, 1))])
def test_versions_compare_by_their_release_numbers(version: str, expected: tuple[int, ...]) -> None:
    assert _support.release(version) == expected


@pytest.mark.parametrize(("version", "inside"), [
    ("66.0", True), ("70.0", True), ("70.9.1", True), ("65.1", False), ("71.0", False), ("71.0rc1", False)])
def test_the_range_includes_its_lowest_version_and_not_its_upper_bound(
        monkeypatch: pytest.MonkeyPatch, version: str, inside: bool) -> None:
    monkeypatch.setattr(_support, "installed", lambda distribution: version)
    assert (_support.unsupported("weasyprint", "66", "71") is None) is inside


# --- not patches: the clock for fontTools, ziamath's colour --------------------------------------------

@pytest.mark.parametrize("before", [None, "12345"])
def test_source_date_is_set_for_the_block_and_put_back(monkeypatch: pytest.MonkeyPatch, before: str | None) -> None:
    from fontTools.misc.timeTools import epoch_diff, timestampNow

    if before is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", before)
    with fonttools_patch.source_date(1_700_000_000):
        assert timestampNow() == 1_700_000_000 - epoch_diff
    assert os.environ.get("SOURCE_DATE_EPOCH") == before


def test_math_is_drawn_in_the_text_colour_without_touching_ziamath_settings() -> None:
    import ziamath

    from publish.exporters.pdf.math import COLOR, typeset
    from publish.namespaces import MATHML

    math = ET.fromstring(f'<math xmlns="{MATHML}"><mfrac><mi>a</mi><mi>b</mi></mfrac>'
                         '<mstyle mathcolor="red"><mi>c</mi></mstyle></math>')
    svg = typeset(math).svg.decode()
    assert f'fill="{COLOR}"' in svg and 'fill="red"' in svg
    assert ziamath.config.math.color == "black"


# --- a real build with and without the patches --------------------------------------------------------

@pytest.mark.slow
def test_publish_all_without_patches_writes_equivalent_outputs(tmp_path: Path) -> None:
    patched = copy_sample(tmp_path / "patched")
    plain = copy_sample(tmp_path / "plain")
    with_patches = run_publish(patched, "-v", "-j", "2", "all")
    without = run_publish(plain, "-v", "-j", "2", "all", env={patches.SWITCH: "1"})
    assert with_patches.returncode == 0, with_patches.stderr
    assert without.returncode == 0, without.stderr
    assert "note: patch for pydyf" in with_patches.stdout and "PUBLISH_NO_PATCHES" not in with_patches.stdout
    assert "note: third-party patches are off (PUBLISH_NO_PATCHES=1)" in without.stdout
    assert "note: patch for" not in without.stdout

    files = _outputs(patched / "output")
    assert files == _outputs(plain / "output")
    pdfs = [rel for rel in files if rel.endswith(".pdf")]
    assert pdfs and any(rel.endswith(".epub") for rel in files) and any(rel.endswith(".eml") for rel in files)
    for rel in files:                       # feeds, EPUB, emails and images: the same bytes
        if rel not in pdfs:
            assert (patched / "output" / rel).read_bytes() == (plain / "output" / rel).read_bytes(), rel
    for rel in pdfs:
        one, other = patched / "output" / rel, plain / "output" / rel
        assert pdf_problems(one) == [] and pdf_problems(other) == []
        assert _pages(one) == _pages(other)
        assert _text(one) == _text(other)
        assert _inflated(one, tmp_path / "one.pdf") == _inflated(other, tmp_path / "other.pdf"), rel
        # The only difference: pydyf's deflate level (6 with the patch, 9 as it ships).
        assert _stream_levels(one) == {6} and _stream_levels(other) == {9}, rel


def _outputs(output: Path) -> list[str]:
    return sorted(str(p.relative_to(output)) for p in output.rglob("*")
                  if p.is_file() and ".publish" not in p.relative_to(output).parts)


def _pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _inflated(pdf: Path, target: Path) -> bytes:
    """The PDF rewritten by qpdf with every stream inflated and no object streams."""
    subprocess.run(["qpdf", "--stream-data=uncompress", "--decode-level=generalized", "--object-streams=disable",
                    "--deterministic-id", str(pdf), str(target)], check=True)
    return target.read_bytes()


def _stream_levels(pdf: Path) -> set[int]:
    """The deflate levels (6 or 9) that give every stream pydyf deflated, byte for byte (images
    with /DecodeParms keep the PNG file's own deflate)."""
    levels = {6, 9}
    with pikepdf.open(pdf) as document:
        for stream in document.objects:
            if isinstance(stream, pikepdf.Stream) and stream.get("/Filter") == pikepdf.Name.FlateDecode \
                    and "/DecodeParms" not in stream:
                raw = stream.read_raw_bytes()
                levels = {level for level in levels if _level(level, zlib.decompress(raw)) == raw}
    return levels


def _deflated(stream: bytes) -> bytes:
    return stream.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]


def _level(level: int, data: bytes) -> bytes:
    compressor = zlib.compressobj(level)
    return compressor.compress(data) + compressor.flush()


# --- WeasyPrint's import: libraries opened by their file names ------------------------------------

_LIBRARIES = ("import sys\n"
              "print(sorted({line.split()[-1] for line in open('/proc/self/maps') if '.so' in line and any(\n"
              "    k in line for k in ('pango', 'harfbuzz', 'fontconfig', 'gobject'))}))\n")


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, **env})


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="Linux only")
def test_weasyprint_is_imported_without_library_searches_and_opens_the_same_files() -> None:
    counted = ("import ctypes.util\n"
               "searched = []\n"
               "real = ctypes.util.find_library\n"
               "def counting(name):\n"
               "    searched.append(name)\n"
               "    return real(name)\n"
               "ctypes.util.find_library = counting\n")
    ours = _python(counted + "from publish.patches.dlopen import import_weasyprint\nimport_weasyprint()\n"
                   "assert ctypes.util.find_library is counting\nprint(len(searched))\n" + _LIBRARIES)
    plain = _python(counted + "import weasyprint\nprint(len(searched))\n" + _LIBRARIES)
    searches, files = ours.stdout.splitlines()
    plain_searches, plain_files = plain.stdout.splitlines()
    assert searches == "0" and int(plain_searches) > 10
    assert files == plain_files and "libpango" in files
    off = _python(counted + "from publish.patches.dlopen import import_weasyprint\nimport_weasyprint()\n"
                  "print(len(searched))\n", PUBLISH_NO_PATCHES="1")
    assert off.stdout.strip() == plain_searches


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="Linux only")
def test_a_library_only_a_search_finds_is_still_found() -> None:
    """Should the `.so.N` names not open (a library gcc or ld alone would find), the import is tried
    again with the searches, and WeasyPrint's installation help is not printed."""
    code = ("import ctypes.util, cffi.api\n"
            "real = cffi.api._load_backend_lib\n"
            "def picky(backend, name, flags):\n"
            "    if isinstance(name, str) and '.so.' in name and ctypes.util.find_library('c') is None:\n"
            "        raise OSError('not here')\n"
            "    return real(backend, name, flags)\n"
            "cffi.api._load_backend_lib = picky\n"
            "from publish.patches.dlopen import import_weasyprint\nimport_weasyprint()\n"
            "import weasyprint.text.ffi as ffi\nprint(ffi.pango is not None)\n")
    result = _python(code)
    assert result.stdout.strip() == "True"
