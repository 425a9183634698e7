"""images.py: probing limits and web copies (sizes, formats, metadata)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage

from publish.errors import ImageError
from publish.images import probe, web_copy


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
