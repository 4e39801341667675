import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from engine.colorize import colorize
from engine.errors import OutputError, StampError
from engine.images import load_image
from engine.registry import ModelRegistry
from engine.saving import default_output_path, output_format, save_result
from engine.stamp import DIGITAL_SOURCE_TYPE, read_exif_text, read_stamp, read_xmp


@pytest.fixture
def colorized(models_dir: Path, tmp_path: Path):
    src = tmp_path / "grandma.jpg"
    rng = np.random.default_rng(0)
    gray = (rng.normal(128, 40, size=(60, 80))).clip(0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 3
    exif[0x013B] = "Studio Smith"  # Artist
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(gray).save(src, quality=95, exif=exif.tobytes(), icc_profile=icc)
    image = load_image(src)
    registry = ModelRegistry.discover([models_dir], provider="cpu")
    result = colorize(image, registry.select(["unet"]))
    return image, result.results["unet"], icc


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP"])
def test_stamp_round_trip_every_format(colorized, tmp_path, fmt):
    image, result, icc = colorized
    out = save_result(image, result, tmp_path / f"out.{fmt.lower()}", fmt=fmt)
    stamp = read_stamp(out)
    assert stamp.model_id == "unet" and stamp.model_version == "test-1"
    assert stamp.source_name == "grandma.jpg" and stamp.source_sha256 == image.sha256
    assert stamp.app_version and stamp.colorized_at
    with Image.open(out) as saved:
        assert DIGITAL_SOURCE_TYPE.encode() in read_xmp(saved)
        assert saved.info.get("icc_profile") == icc
        assert saved.size == (80, 60)
        exif = saved.getexif()
        assert exif.get(0x013B) == "Studio Smith"  # original EXIF kept
        assert exif.get(0x0112, 1) == 1  # orientation reset: pixels are already upright
    text = read_exif_text(out)
    assert "Colorized by Tintype" in text["ImageDescription"] and text["Software"].startswith("Tintype")
    if fmt == "PNG":
        with Image.open(out) as saved:
            assert "Colorized by Tintype" in saved.text["Description"]


def test_unstamped_file_is_reported(tmp_path):
    path = tmp_path / "plain.png"
    Image.new("RGB", (4, 4)).save(path)
    with pytest.raises(StampError, match="no XMP"):
        read_stamp(path)


def test_never_overwrites(colorized, tmp_path):
    image, result, _ = colorized
    target = tmp_path / "exists.png"
    target.write_bytes(b"precious")
    with pytest.raises(OutputError, match="already exists"):
        save_result(image, result, target, fmt="PNG")
    assert target.read_bytes() == b"precious"
    save_result(image, result, target, fmt="PNG", overwrite=True)
    assert read_stamp(target).model_id == "unet"


def test_never_writes_over_the_original(colorized):
    image, result, _ = colorized
    before = image.path.read_bytes()
    with pytest.raises(OutputError, match="original"):
        save_result(image, result, image.path, fmt="JPEG", overwrite=True)
    assert image.path.read_bytes() == before


def test_failed_write_leaves_nothing(colorized, tmp_path, monkeypatch):
    image, result, _ = colorized
    target = tmp_path / "fail.png"

    def broken_save(self, fp, format=None, **params):
        fp.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OutputError, match="disk full"):
        save_result(image, result, target, fmt="PNG")
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_unwritable_folder(colorized, tmp_path):
    image, result, _ = colorized
    with pytest.raises(OutputError, match="does not exist"):
        save_result(image, result, tmp_path / "nope" / "x.png", fmt="PNG")
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OutputError, match="cannot write"):
            save_result(image, result, locked / "x.png", fmt="PNG")


def test_names_and_formats(tmp_path):
    src = tmp_path / "scan.tiff"
    assert default_output_path(src, "koala", "TIFF") == tmp_path / "scan.koala.colorized.tif"
    assert default_output_path(src, "unet", "PNG", folder=Path("/out")) == Path("/out/scan.unet.colorized.png")
    assert output_format("JPEG") == "JPEG" and output_format("MPO") == "JPEG"
    assert output_format("BMP") == "PNG" and output_format("GIF") == "PNG"
    assert output_format("JPEG", "png") == "PNG" and output_format("PNG", "jpg") == "JPEG"
    with pytest.raises(OutputError):
        output_format("PNG", "exr")


def test_alpha_is_carried_into_the_saved_file(models_dir, tmp_path):
    rng = np.random.default_rng(3)
    gray = rng.integers(0, 256, size=(30, 40), dtype=np.uint8)
    alpha = rng.integers(0, 256, size=(30, 40), dtype=np.uint8)
    src = tmp_path / "cutout.png"
    Image.fromarray(np.dstack([gray, alpha]), mode="LA").save(src)
    image = load_image(src)
    result = colorize(image, ModelRegistry.discover([models_dir], provider="cpu").select(["koala"])).results["koala"]
    out = save_result(image, result, tmp_path / "cutout.koala.colorized.png", fmt="PNG")
    with Image.open(out) as saved:
        assert saved.mode == "RGBA"
        assert np.array_equal(np.asarray(saved.getchannel("A")), alpha)


def test_jpeg_quality_is_the_callers(colorized, tmp_path):
    image, result, _icc = colorized
    default = save_result(image, result, tmp_path / "default.jpg", fmt="JPEG")
    low = save_result(image, result, tmp_path / "low.jpg", fmt="JPEG", jpeg_quality=50)
    Image.fromarray(result.rgb).save(tmp_path / "ref50.jpg", quality=50, subsampling="4:2:0")
    Image.fromarray(result.rgb).save(tmp_path / "ref92.jpg", quality=92, subsampling="4:2:0")
    with Image.open(low) as a, Image.open(tmp_path / "ref50.jpg") as b:
        assert a.quantization == b.quantization
    with Image.open(default) as a, Image.open(tmp_path / "ref92.jpg") as b:
        assert a.quantization == b.quantization
    assert read_stamp(low).model_id == "unet"
