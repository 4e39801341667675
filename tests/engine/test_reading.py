"""What the engine agrees to read: regular files of bounded size, the table's raster formats only,
one pixel limit, and truncation told as such."""

import io
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from engine.errors import ImageLoadError, ModelLoadError
from engine.files import read_regular_file
from engine.formats import READ_FORMATS
from engine.images import decode_image, load_image
from engine.rasters import DEFAULT_MAX_PIXELS, check_pixels, open_raster
from tests.engine.crafted import blank_bilevel_png, png_bytes

POSTSCRIPT = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 20 20\n%%EndComments\n"
    b"newpath 0 0 moveto 20 20 lineto stroke\nshowpage\n%%EOF\n"
)


def _within(seconds: float, work):
    """Run ``work`` in a thread; its exception or result, failing the test if it blocks."""
    box: dict = {}

    def run():
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return box


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    box = _within(5, lambda: load_image(fifo))
    assert isinstance(box.get("error"), ImageLoadError) and "not a regular file" in str(box["error"])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_not_read_forever():
    box = _within(5, lambda: load_image("/dev/zero"))
    assert isinstance(box.get("error"), ImageLoadError) and "not a regular file" in str(box["error"])


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path):
    big = tmp_path / "big.onnx"
    big.write_bytes(b"\0" * 2048)
    with pytest.raises(ModelLoadError, match=r"big.onnx: 2.0 KB, larger than the 1.0 KB"):
        read_regular_file(big, limit=1024, error=ModelLoadError)
    assert read_regular_file(big, limit=4096, error=ModelLoadError) == b"\0" * 2048
    with pytest.raises(ModelLoadError, match="is a folder"):
        read_regular_file(tmp_path, limit=4096, error=ModelLoadError)


def test_postscript_named_jpg_is_never_handed_to_ghostscript(tmp_path):
    path = tmp_path / "holiday.jpg"
    path.write_bytes(POSTSCRIPT)
    with Image.open(path) as sniffed:  # what Pillow alone would do: pick its EPS (Ghostscript) decoder
        assert sniffed.format == "EPS"
    with pytest.raises(ImageLoadError, match="holiday.jpg: not an image Tintype can read"):
        load_image(path)
    assert "EPS" not in READ_FORMATS


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF")
def test_avif_is_read():
    buf = io.BytesIO()
    Image.fromarray(np.full((16, 24, 3), 90, np.uint8)).save(buf, "AVIF")
    loaded = decode_image(buf.getvalue())
    assert loaded.format == "AVIF" and loaded.size == (24, 16)
    assert "AVIF" in READ_FORMATS


def test_one_pixel_limit_ours_not_pillows():
    # 100 MP is inside the documented 150 MP limit; Pillow alone warns of a bomb past 89 MP.
    header = png_bytes(10_000, 10_000)
    with pytest.warns(Image.DecompressionBombWarning):
        Image.open(io.BytesIO(header))
    opened = open_raster(header, label="x")
    check_pixels(opened, size_bytes=10**8, max_pixels=DEFAULT_MAX_PIXELS, label="x")  # no error
    # Past Pillow's hard 179 MP error, a raised limit is honoured.
    big = png_bytes(14_000, 14_000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(big))
    check_pixels(open_raster(big, label="x"), size_bytes=10**8, max_pixels=200_000_000, label="x")


def test_pixel_limit_message_states_both_numbers():
    page = blank_bilevel_png(14_000, 14_000)  # a real, complete 196 MP file of a few KB
    with pytest.raises(ImageLoadError) as info:
        decode_image(page, path=Path("page.png"))
    assert str(info.value) == "page.png: 14000x14000 is 196.0 megapixels, over the 150 MP limit"
    with pytest.raises(ImageLoadError, match="over the 10 MP limit"):
        decode_image(page, max_pixels=10_000_000)


def test_small_file_claiming_many_pixels_is_truncated_before_decoding(monkeypatch):
    small = io.BytesIO()
    Image.new("L", (16, 16), 100).save(small, "JPEG")
    data = bytearray(small.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (9000).to_bytes(2, "big") * 2  # height, width
    data += b"\0" * (10_000 - len(data))
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded a truncated file"))
    with pytest.raises(ImageLoadError) as info:
        decode_image(bytes(data), path=Path("scan.jpg"))
    assert str(info.value) == "scan.jpg: truncated: the header claims 9000x9000 (81.0 MP) but the file holds only 10 KB"


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "GIF", "BMP", "WEBP"])
def test_cut_files_say_truncated_or_damaged(fmt):
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, size=(200, 300), dtype=np.uint8)).save(buf, fmt)
    data = buf.getvalue()
    with pytest.raises(ImageLoadError, match="truncated|damaged"):
        decode_image(data[: len(data) // 2], path=Path(f"cut.{fmt.lower()}"))


def test_a_phones_multi_picture_jpeg_is_read_and_saved_as_jpeg():
    from engine.formats import output_format

    buf = io.BytesIO()
    frames = [Image.new("RGB", (24, 16), (90, 90, 90)), Image.new("RGB", (24, 16), (10, 10, 10))]
    frames[0].save(buf, "MPO", save_all=True, append_images=frames[1:])
    loaded = decode_image(buf.getvalue())
    assert loaded.format == "MPO" and loaded.size == (24, 16)
    assert output_format(loaded.format) == "JPEG"
    with Image.open(io.BytesIO(buf.getvalue()), formats=READ_FORMATS) as opened:  # as training opens it
        assert opened.format == "MPO"
