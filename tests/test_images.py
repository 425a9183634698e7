"""images.py: probing limits and web copies (sizes, formats, metadata), and SVG images: sanitized,
sized, embedded only as their sanitized bytes, rasterized to PNG without touching the network."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

from publish import images, svg
from publish.errors import ImageError
from publish.images import notes, probe, sanitize_svg, vector_copy, web_copy
from tests.svg_samples import HOSTILE_TRACES, NO_SIZE, VIEWBOX_ONLY, hostile_svg, recording_server


def _jpeg(path: Path, size: tuple[int, int], orientation: int | None = None) -> Path:
    img = PILImage.new("RGB", size, (200, 40, 40))
    exif = PILImage.Exif()
    exif[0x010F] = "CameraMaker"            # Make
    exif[0x8825] = {2: (48.0, 51.0, 0.0)}    # GPS
    if orientation:
        exif[0x0112] = orientation
    img.save(path, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return path


def test_same_width_jpeg_is_copied_without_metadata(tmp_path: Path) -> None:
    source = probe(_jpeg(tmp_path / "a.jpg", (300, 200)))
    name, width, height = web_copy(source, tmp_path / "out", 1200)
    data = (tmp_path / "out" / name).read_bytes()
    assert (width, height) == (300, 200) and name.endswith(".jpg")
    with PILImage.open(io.BytesIO(data)) as copy:
        assert copy.size == (300, 200) and not copy.getexif() and "comment" not in copy.info
    assert b"CameraMaker" not in data and b"secret comment" not in data
    assert data.endswith(b"\xff\xd9")


def test_rotated_jpeg_is_re_encoded_upright(tmp_path: Path) -> None:
    source = probe(_jpeg(tmp_path / "r.jpg", (300, 200), orientation=6))
    name, _, _ = web_copy(source, tmp_path / "out", 1200)
    with PILImage.open(tmp_path / "out" / name) as copy:
        assert copy.size == (200, 300) and not copy.getexif().get(0x0112)


def test_larger_images_are_scaled_and_webp_becomes_jpeg(tmp_path: Path) -> None:
    PILImage.new("RGB", (2400, 1200), "teal").save(tmp_path / "big.webp", "WEBP")
    name, width, height = web_copy(probe(tmp_path / "big.webp"), tmp_path / "out", 1200)
    assert (width, height) == (1200, 600) and name.endswith(".jpg")
    with PILImage.open(tmp_path / "out" / name) as copy:
        assert copy.format == "JPEG" and copy.size == (1200, 600)


def test_scaled_copy_keeps_the_colour_profile_and_is_baseline(tmp_path: Path) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    PILImage.new("RGB", (2400, 1200), (30, 90, 160)).save(tmp_path / "p3.jpg", "JPEG", icc_profile=profile)
    name, _, _ = web_copy(probe(tmp_path / "p3.jpg"), tmp_path / "out", 1200)
    with PILImage.open(tmp_path / "out" / name) as copy:
        assert copy.size == (1200, 600)
        assert copy.info.get("icc_profile") == profile
        assert not copy.info.get("progressive") and not copy.info.get("progression")


def test_cmyk_source_loses_its_profile_when_turned_rgb(tmp_path: Path) -> None:
    PILImage.new("CMYK", (2400, 1200), (0, 80, 80, 10)).save(tmp_path / "print.jpg", "JPEG",
                                                              icc_profile=b"not an RGB profile")
    name, _, _ = web_copy(probe(tmp_path / "print.jpg"), tmp_path / "out", 1200)
    with PILImage.open(tmp_path / "out" / name) as copy:
        assert copy.mode == "RGB" and "icc_profile" not in copy.info


def test_png_stays_png(tmp_path: Path) -> None:
    PILImage.new("RGBA", (100, 50), (0, 0, 0, 0)).save(tmp_path / "t.png")
    name, _, _ = web_copy(probe(tmp_path / "t.png"), tmp_path / "out", 1200)
    assert name.endswith(".png")


@pytest.mark.parametrize(("content", "message"), [(b"text", "not a readable image"), (b"", "not a readable image")])
def test_probe_refuses_non_images(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "x.jpg").write_bytes(content)
    with pytest.raises(ImageError, match=message):
        probe(tmp_path / "x.jpg")


def test_probe_refuses_decompression_bombs() -> None:
    bomb = Path(__file__).parent / "hostile" / "public" / "bomb.png"
    with pytest.raises(ImageError, match="too many pixels|megapixels"):
        probe(bomb)


# --- SVG -----------------------------------------------------------------------------------------------

def _svg(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_hostile_svg_keeps_its_drawing_and_nothing_else(tmp_path: Path) -> None:
    with recording_server() as (port, requests):
        original = hostile_svg(port)
        image = probe(_svg(tmp_path / "hostile.svg", original), source="/hostile.svg")
        name, data, width, height = vector_copy(image, 1200)
        assert requests == []
    assert (image.format, image.width, image.height) == ("SVG", 800, 450)
    assert image.digest == hashlib.sha256(original).hexdigest()          # edits to the file rebuild
    assert name == f"hostile-{image.digest[:12]}.svg" and (width, height) == (800, 450)
    assert [trace for trace in HOSTILE_TRACES if trace in data] == []
    for kept in (b"<rect", b"<circle", b'fill="url(#sun)"', b"<linearGradient", b"<path", b">Hills</text>",
                 b".sky{fill:#3366cc}"):
        assert kept in data, kept
    assert sanitize_svg(data).data == data                              # sanitizing is idempotent
    [warning] = notes(image)
    for removed in ("scripts", "event handlers", "external references", "embedded HTML", "animations"):
        assert removed in warning


def test_an_editor_svg_with_the_w3c_doctype_is_accepted_without_a_warning(tmp_path: Path) -> None:
    inkscape = b'''<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Created with an editor -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="210mm" height="297mm" version="1.1"
     inkscape:version="1.3" xml:space="preserve">
  <sodipodi:namedview id="nv" pagecolor="#ffffff"/><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <defs><symbol id="dot" viewBox="0 0 2 2"><circle cx="1" cy="1" r="1"/></symbol></defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer"><use href="#dot" x="10" y="10" width="20" height="20"/>
  <text x="5" y="50" style="font-size:12px;font-family:'Noto Sans';fill:#333">Caption <tspan font-weight="bold">here</tspan></text></g>
</svg>'''
    image = probe(_svg(tmp_path / "drawing.svg", inkscape))
    assert (image.width, image.height) == (794, 1123) and notes(image) == []
    _, data, _, _ = vector_copy(image, 1600)
    assert b"inkscape" not in data and b"sodipodi" not in data and b"DOCTYPE" not in data and b"<!--" not in data
    assert b'<use xlink:href="#dot" x="10"' in data and b"Caption <tspan" in data and b'font-family:&quot;Noto Sans&quot;' in data


def test_xxe_and_entity_bombs_are_never_expanded() -> None:
    xxe = b'''<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">
<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;&c;</text><desc>&a;</desc></svg>'''
    data = sanitize_svg(xxe).data
    assert b"root:" not in data and b"aaaa" not in data and b"ENTITY" not in data


@pytest.mark.parametrize(("attribute", "value"), [
    ("fill", "url(http://example.com/p.svg#x)"), ("fill", "u\\72l(http://example.com/p)"),
    ("fill", "url('file:///etc/passwd')"), ("filter", "url(data:image/svg+xml,x)"), ("fill", "image(x.png)"),
])
def test_external_urls_in_presentation_attributes_are_dropped(attribute: str, value: str) -> None:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect {attribute}="{value}"/></svg>'
    data = sanitize_svg(svg.encode()).data
    assert f"{attribute}=".encode() not in data and b"<rect/>" in data


def test_style_sheets_keep_local_paint_and_media_queries() -> None:
    svg = b'''<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><style><![CDATA[
@import "http://example.com/a.css"; @namespace x url(http://example.com/ns);
rect { fill: url(#g); stroke: blue; behavior: url(x.htc); -moz-binding: url(x.xml) }
@media (prefers-color-scheme: dark) { rect { fill: white; stroke: u\\72l(http://example.com/) } }
]]></style><linearGradient id="g"/><rect/></svg>'''
    style = sanitize_svg(svg).data.split(b"<style>")[1].split(b"</style>")[0]
    assert style == b"rect{fill:url(#g);stroke:blue}\n@media (prefers-color-scheme: dark){rect{fill:white}}"


def test_only_local_references_survive_and_use_cycles_go() -> None:
    svg = b'''<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9">
<g id="a"><circle r="1"/><use href="#a"/></g><use xlink:href="#a"/><use href="#missing"/>
<use href="other.svg#a"/><use href="/etc/passwd#a"/><radialGradient id="r" href="https://example.com/#r"/></svg>'''
    data = sanitize_svg(svg).data
    assert data.count(b"<use") == 1 and b'<use xlink:href="#a"/>' in data
    assert b"missing" not in data and b"other.svg" not in data and b"passwd" not in data and b"example.com" not in data


def test_nested_use_bombs_and_oversized_or_foreign_documents_are_refused(tmp_path: Path) -> None:
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    levels += [f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * 10 + "</g>" for n in range(1, 10)]
    bomb = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">' + "".join(levels) + "</svg>"
    cases = {
        "bomb.svg": (bomb, "draw more than"),
        "huge.svg": ('<svg xmlns="http://www.w3.org/2000/svg" width="30000" height="10"/>', "px a side"),
        "wide.svg": ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e9 1e9"/>', "px a side"),
        "html.svg": ("<html><body><svg/></body></html>", "root element is <html>"),
        "broken.svg": ('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "not well-formed"),
        "math.svg": ('<svg xmlns="http://www.w3.org/1998/Math/MathML"/>', "not <svg>"),
    }
    for name, (text, message) in cases.items():
        with pytest.raises(ImageError, match=message):
            probe(_svg(tmp_path / name, text), source=name)


def test_big_svg_files_are_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    path = _svg(tmp_path / "big.svg", b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * 2000 + b"</svg>")
    with pytest.raises(ImageError, match="the limit is"):
        probe(path)


@pytest.mark.parametrize(("attributes", "size"), [
    ('viewBox="0 0 300 100"', (300, 100)),
    ('width="600" viewBox="0 0 300 100"', (600, 200)),
    ('height="50" viewBox="0,0,300,100"', (150, 50)),
    ('width="100%" height="100%" viewBox="0 0 160 90"', (160, 90)),
    ('width="10cm" height="5cm"', (378, 189)),
    ('width="72pt" height="1in"', (96, 96)),
    ('width="10em" height="20mm"', (160, 76)),
])
def test_svg_size_comes_from_width_height_or_viewbox(tmp_path: Path, attributes: str, size: tuple[int, int]) -> None:
    image = probe(_svg(tmp_path / "s.svg", f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}/>'))
    assert (image.width, image.height) == size and notes(image) == []


def test_svg_without_any_size_gets_the_default_and_a_warning(tmp_path: Path) -> None:
    image = probe(_svg(tmp_path / "nosize.svg", NO_SIZE), source="/nosize.svg")
    assert (image.width, image.height) == svg.SVG_DEFAULT_SIZE
    assert notes(image) == ["SVG image '/nosize.svg' has no width, height or viewBox; shown at 1200x675 "
                            "(add a viewBox to the <svg> element)"]
    _, data, _, _ = vector_copy(image, 1600)
    assert b'viewBox="0 0 1200 675"' in data and b'width="1200"' in data      # every renderer agrees


def test_svg_web_copy_is_a_deterministic_png_of_the_drawing(tmp_path: Path) -> None:
    image = probe(_svg(tmp_path / "chart.svg", VIEWBOX_ONLY))
    assert image.aspect == 3.0
    name, width, height = web_copy(image, tmp_path / "out", 1200)
    assert name.endswith("-300.png") and (width, height) == (300, 100)
    data = (tmp_path / "out" / name).read_bytes()
    assert data == images.convert(image, width, height)                   # same bytes every time
    with PILImage.open(io.BytesIO(data)) as png:
        assert png.format == "PNG" and png.size == (300, 100)
        assert png.convert("RGB").getpixel((5, 5)) == (0xFD, 0xE2, 0xE4)
    small, width, height = web_copy(image, tmp_path / "out", 150)
    assert (width, height) == (150, 50) and small.endswith("-150.png")


def test_the_rasterizer_refuses_urls_even_in_an_unsanitized_svg() -> None:
    with recording_server() as (port, requests):
        try:
            images.rasterize(hostile_svg(port, doctype=False), 80, 45)
        except ImageError:
            pass                                  # refusing to draw it is fine; fetching is not
        assert requests == []
