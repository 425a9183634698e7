"""pdf_render.py: the WeasyPrint engine set up once per process."""

from __future__ import annotations

from publish.exporters.pdf.render import _OpenArrays, _share_array_types


def test_sized_arrays_are_built_as_open_arrays_with_the_same_content() -> None:
    from weasyprint.text.ffi import ffi

    shim = _OpenArrays(ffi)
    items = [5, 3, 9, 1]
    array = shim.new(f"hb_codepoint_t[{len(items)}]", items)
    assert list(array) == items
    assert ffi.sizeof(array) == len(items) * ffi.sizeof("hb_codepoint_t")
    # Not every shape is rewritten: a longer array than its items keeps its zero padding.
    padded = shim.new("hb_codepoint_t[6]", items)
    assert list(padded) == [*items, 0, 0]
    assert shim.NULL == ffi.NULL


def test_font_subsetting_no_longer_parses_a_c_type_per_glyph_count() -> None:
    from weasyprint.pdf import fonts

    _share_array_types()
    _share_array_types()                        # idempotent: wrapped once
    assert isinstance(fonts.ffi, _OpenArrays) and not isinstance(fonts.ffi._wrapped, _OpenArrays)
    parsed = fonts.ffi._wrapped._parsed_types
    for count in (4711, 4712):
        fonts.ffi.new(f"hb_codepoint_t[{count}]", list(range(count)))
    assert "hb_codepoint_t[4711]" not in parsed and "hb_codepoint_t[]" in parsed


def test_pdf_streams_are_deflated_at_level_6() -> None:
    import zlib

    import pydyf

    from publish.exporters.pdf.render import _deflate_at_level_6, _Level6Zlib

    _deflate_at_level_6()
    _deflate_at_level_6()
    assert isinstance(pydyf.zlib, _Level6Zlib) and not isinstance(pydyf.zlib._wrapped, _Level6Zlib)
    data = b"BT /F1 10 Tf 72 712 Td (A line of text) Tj ET\n" * 2000
    stream = pydyf.Stream([data], compress=True).data
    deflated = stream.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    assert zlib.decompress(deflated) == data
    level6 = zlib.compressobj(6)
    assert deflated == level6.compress(data) + level6.flush()
