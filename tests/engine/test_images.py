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
