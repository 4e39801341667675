"""Bounded, seeded fuzzing of what a hostile archive can hand Tintype: damaged photos through load ->
colorize -> save -> read back, and damaged saved files through ``inspect``. Only Tintype's typed,
one-line errors may come out; anything else (struct.error, KeyError, a traceback) is a bug."""

import io
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.colorize import colorize
from engine.errors import ImageLoadError, OutputError, StampError, TintypeError
from engine.images import decode_image
from engine.registry import ModelRegistry
from engine.saving import save_result
from engine.stamp import read_exif_text, read_stamp
from tests.engine.crafted import gray_icc

FUZZ = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"]
WRITES = {  # the formats each mode can be written in by Pillow
    "JPEG": {"L", "RGB", "CMYK"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"},
    "TIFF": set(MODES),
    "WEBP": {"RGB", "RGBA"},
    "BMP": {"1", "L", "P", "RGB"},
    "GIF": {"L", "P"},
}
_counter = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.conftest import build_tiny_onnx

    folder = tmp_path_factory.mktemp("fuzz")
    build_tiny_onnx(folder / "unet.onnx", model_id="unet", size=16, seed=1)
    models = ModelRegistry.discover([folder], provider="cpu").models
    return folder, models


@st.composite
def photo_bytes(draw) -> bytes:
    """A small photo in a drawn mode and format, with EXIF/ICC, then possibly damaged."""
    fmt = draw(st.sampled_from(sorted(WRITES)))
    mode = draw(st.sampled_from(sorted(WRITES[fmt])))
    width, height = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    image = Image.fromarray(rng.integers(0, 256, size=(height, width, 4), dtype=np.uint8), "RGBA").convert(mode)
    options: dict = {}
    if draw(st.booleans()) and fmt in ("JPEG", "PNG", "TIFF", "WEBP"):
        exif = Image.Exif()
        exif[0x0112] = draw(st.integers(0, 9))
        exif[0x013B] = draw(st.text(max_size=8))
        options["exif"] = exif.tobytes()
    if draw(st.booleans()) and fmt in ("JPEG", "PNG", "TIFF") and mode in ("L", "LA"):
        options["icc_profile"] = gray_icc(2.2)
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return _damage(draw, buf.getvalue())


def _damage(draw, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def _one_line(error: Exception) -> None:
    message = str(error)
    assert message and "\n" not in message, repr(message)


@FUZZ
@given(data=photo_bytes(), fmt=st.sampled_from(["JPEG", "PNG", "TIFF", "WEBP"]))
def test_load_colorize_save_read_back(world, data, fmt):
    folder, models = world
    try:
        image = decode_image(data, path=Path("fuzzed.img"), max_pixels=1_000_000)
    except ImageLoadError as exc:
        _one_line(exc)
        return
    assert image.gray.dtype == np.uint8 and image.gray.ndim == 2
    result = colorize(image, models).results["unet"]
    try:
        out = save_result(image, result, folder / f"out{next(_counter)}.{fmt.lower()}", fmt=fmt)
    except OutputError as exc:  # a format's own limits (WebP: 16383 pixels a side)
        _one_line(exc)
        assert "larger than" in str(exc)
        return
    with Image.open(out) as saved:
        saved.load()
        assert saved.size == image.size and saved.mode in ("RGB", "RGBA")
        luma = np.asarray(saved.convert("RGB").convert("L"), dtype=np.int16)
    # The gray is kept: exactly up to rounding for real photos (README); a few pixels of extreme
    # values next to each other (a 1-pixel-wide stripe of black and white) lose a little more to the
    # smooth chroma upsampling, and lossy formats add their own error. A swapped channel or a wrong
    # color space is off by tens of levels.
    tolerance = 8.0 if fmt in ("JPEG", "WEBP") else 3.0
    assert np.abs(luma - image.gray).mean() <= tolerance
    assert read_stamp(out).model_id == "unet"


@st.composite
def saved_file(draw, stamped: dict[str, bytes]) -> bytes:
    """A stamped result (or any bytes) with damage."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=64))
    return _damage(draw, stamped[draw(st.sampled_from(sorted(stamped)))])


@pytest.fixture(scope="module")
def stamped(world) -> dict[str, bytes]:
    folder, models = world
    image = decode_image(_gray_png(), path=Path("p.png"))
    result = colorize(image, models).results["unet"]
    return {
        fmt: save_result(image, result, folder / f"stamped.{fmt.lower()}", fmt=fmt, overwrite=True).read_bytes()
        for fmt in ("JPEG", "PNG", "TIFF", "WEBP")
    }


def _gray_png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (12, 16), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@FUZZ
@given(data=st.data())
def test_inspect_any_file(world, stamped, data, capsys):
    folder, _ = world
    path = folder / f"inspect{next(_counter)}.bin"
    path.write_bytes(data.draw(saved_file(stamped)))
    for reader in (read_stamp, read_exif_text):
        try:
            reader(path)
        except StampError as exc:
            _one_line(exc)
    assert main(["inspect", str(path)]) in (0, 1)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert all(line.startswith("tintype: ") for line in captured.err.splitlines()), captured.err


def test_only_tintype_errors_are_typed_errors():
    assert issubclass(ImageLoadError, TintypeError) and issubclass(StampError, TintypeError)
