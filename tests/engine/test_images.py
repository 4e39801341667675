import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import ImageLoadError
from engine.images import decode_image, load_image


def _encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture
def base() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, size=(30, 40, 3), dtype=np.uint8))


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGB", "RGBA", "CMYK", "1"])
def test_modes(base, mode):
    image = base.convert(mode)
    fmt = "TIFF" if mode == "CMYK" else "PNG"
    loaded = decode_image(_encode(image, fmt))
    assert loaded.gray.shape == (30, 40) and loaded.gray.dtype == np.uint8
    assert (loaded.alpha is not None) == (mode in ("LA", "RGBA"))
    if mode in ("RGB", "L"):
        assert np.array_equal(loaded.gray, np.asarray(base.convert("L")))


def test_sixteen_bit_is_scaled_not_clipped():
    values = (np.linspace(0, 65535, 40 * 30).reshape(30, 40)).astype(np.uint16)
    loaded = decode_image(_encode(Image.fromarray(values), "PNG"))
    assert loaded.gray.min() == 0 and loaded.gray.max() == 255
    assert abs(int(loaded.gray[15, 20]) - round(values[15, 20] / 257)) <= 1


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF"])
def test_formats(base, fmt):
    loaded = decode_image(_encode(base, fmt))
    assert loaded.size == (40, 30)
    assert loaded.format == fmt


def test_exif_orientation_applied_and_reset(base):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    exif[0x010F] = "Camera maker"
    loaded = decode_image(_encode(base, "JPEG", exif=exif.tobytes()))
    assert loaded.size == (30, 40)
    kept = Image.Exif()
    kept.load(loaded.exif)
    assert kept[0x0112] == 1 and kept[0x010F] == "Camera maker"


def test_icc_profile_kept(base):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    loaded = decode_image(_encode(base, "PNG", icc_profile=icc))
    assert loaded.icc_profile == icc


def test_bad_inputs_give_one_clear_line(tmp_path: Path, base):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("not an image at all")
    data = _encode(base.resize((400, 300)), "JPEG")
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    cases = {
        "empty.jpg": "empty file",
        "text.jpg": "not an image",
        "cut.jpg": "truncated",
        "missing.jpg": "no such file",
    }
    for name, reason in cases.items():
        with pytest.raises(ImageLoadError) as info:
            load_image(tmp_path / name)
        message = str(info.value)
        assert reason in message and name in message and "\n" not in message


def test_decompression_bomb_refused(tmp_path: Path):
    path = tmp_path / "bomb.png"
    Image.new("L", (5000, 5000)).save(path)  # 25 MP, tiny on disk
    with pytest.raises(ImageLoadError, match="over the 10 MP limit"):
        load_image(path, max_pixels=10_000_000)


def _tiff(image: Image.Image, **kw) -> bytes:
    return _encode(image, "TIFF", **kw)


def test_float_gray_stored_in_zero_to_one_is_scaled_not_black():
    values = np.linspace(0.0, 1.0, 30 * 40, dtype=np.float32).reshape(30, 40)
    values[0, 0] = np.nan  # and a NaN reads as black, not as garbage
    loaded = decode_image(_tiff(Image.fromarray(values, mode="F")))
    assert loaded.gray.max() == 255 and loaded.gray[0, 0] == 0
    assert abs(int(loaded.gray[15, 20]) - round(values[15, 20] * 255)) <= 1


@pytest.mark.parametrize("peak, expected", [(200, 200), (60000, round(60000 / 257)), (1_000_000, 255)])
def test_thirty_two_bit_gray_is_scaled_by_its_range(peak, expected):
    values = np.zeros((30, 40), dtype=np.int32)
    values[1, 1] = peak
    loaded = decode_image(_tiff(Image.fromarray(values, mode="I")))
    assert loaded.gray[1, 1] == expected and loaded.gray[0, 0] == 0


def test_lab_source_gray_is_its_lightness():
    lightness = np.linspace(0, 255, 30 * 40).reshape(30, 40).astype(np.uint8)
    flat = Image.new("L", (40, 30), 128)
    lab = Image.merge("LAB", [Image.fromarray(lightness), flat, flat])
    loaded = decode_image(_tiff(lab))
    # L* 50 is sRGB gray 119; L* 100 is white.
    mid = np.argmin(np.abs(lightness.astype(int) - 128).ravel())
    assert abs(int(loaded.gray.ravel()[mid]) - 119) <= 1 and loaded.gray.max() >= 254


def test_ycbcr_source_gray_is_its_luma(base):
    loaded = decode_image(_tiff(base.convert("YCbCr")))
    expected = np.asarray(base.convert("YCbCr").getchannel("Y"), dtype=np.int16)
    assert np.abs(loaded.gray.astype(np.int16) - expected).max() <= 2


def test_orientation_stored_as_text_is_ignored_not_fatal(base):
    from tests.engine.crafted import exif_block

    exif = exif_block([(0x0112, 2, 4, b"six\0"), (0x013B, 2, 6, b"Smith\0")])  # ASCII, not SHORT
    loaded = decode_image(_encode(base, "JPEG", exif=exif))
    assert loaded.size == (40, 30)  # not turned
    kept = Image.Exif()
    kept.load(loaded.exif)
    assert kept[0x013B] == "Smith" and kept.get(0x0112, 1) == 1


def test_tiff_layout_is_not_kept_as_exif(base):
    exif = Image.Exif()
    exif[0x013B] = "Studio Smith"
    exif[0x8769] = {0x9003: "1952:07:14 10:00:00"}  # DateTimeOriginal, in the EXIF sub-IFD
    loaded = decode_image(_tiff(base.convert("L"), exif=exif.tobytes()))
    kept = Image.Exif()
    kept.load(loaded.exif)
    assert set(kept) <= {0x013B, 0x8769, 0x0112}  # no width, bits, strips, photometric...
    assert kept[0x013B] == "Studio Smith" and kept.get_ifd(0x8769)[0x9003] == "1952:07:14 10:00:00"


def test_xmp_of_the_source_is_kept(base):
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    assert decode_image(_encode(base, "JPEG", xmp=packet)).xmp == packet
    assert decode_image(_tiff(base, tiffinfo={700: packet})).xmp == packet


def test_gray_profile_is_applied_not_carried(base):
    from tests.engine.crafted import gray_icc

    gray = Image.new("L", (40, 30), 128)
    loaded = decode_image(_encode(gray, "PNG", icc_profile=gray_icc(1.0)))  # linear light: 128 is sRGB 188
    assert loaded.icc_profile is None
    assert abs(int(loaded.gray[0, 0]) - 188) <= 1


def test_cmyk_profile_is_applied_not_carried(base):
    from PIL import ImageCms

    from tests.engine.crafted import cmyk_icc

    cmyk = base.convert("CMYK")
    loaded = decode_image(_tiff(cmyk, icc_profile=cmyk_icc()))
    expected = ImageCms.profileToProfile(
        cmyk, ImageCms.ImageCmsProfile(io.BytesIO(cmyk_icc())), ImageCms.createProfile("sRGB"), outputMode="RGB"
    ).convert("L")
    assert loaded.icc_profile is None
    assert np.array_equal(loaded.gray, np.asarray(expected))


def test_profile_that_does_not_fit_or_is_damaged_is_dropped(base):
    from PIL import ImageCms

    from tests.engine.crafted import gray_icc

    assert decode_image(_encode(base, "PNG", icc_profile=gray_icc(2.2))).icc_profile is None  # gray on RGB
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    damaged = srgb[:200] + b"\xff" * (len(srgb) - 200)
    assert decode_image(_encode(base, "PNG", icc_profile=damaged)).icc_profile is None
    assert decode_image(_encode(base.convert("L"), "PNG", icc_profile=srgb)).icc_profile == srgb  # RGB on gray: kept
