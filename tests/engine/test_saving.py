import dataclasses
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from engine.adjust import ColorControls, ColorHint
from engine.colorize import colorize
from engine.errors import OutputError, StampError
from engine.images import load_image
from engine.registry import ModelRegistry
from engine.saving import ensure_output_folder, plan_output, save_restored, save_result
from engine.stamp import (
    DIGITAL_SOURCE_TYPE,
    ENHANCED_SOURCE_TYPE,
    Edits,
    RestoreStamp,
    read_any_stamp,
    read_exif_text,
    read_stamp,
    read_xmp,
)


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


def test_names(tmp_path):
    src = tmp_path / "scan.tiff"
    assert plan_output(src, "koala", "TIFF") == tmp_path / "scan.koala.colorized.tif"
    assert plan_output(src, "unet", "PNG", folder=Path("/out")) == Path("/out/scan.unet.colorized.png")
    assert plan_output(None, "sepia", "JPEG", folder=Path("/out")) == Path("/out/image.sepia.colorized.jpg")
    with pytest.raises(OutputError):
        plan_output(src, "unet", "BMP")


def test_output_folder_is_made_or_refused(tmp_path):
    ensure_output_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output folder"):
        ensure_output_folder(blocker / "sub")


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


def test_restored_names_and_gray_stamped_file_every_format(colorized, tmp_path):
    image, _result, _icc = colorized
    assert plan_output(tmp_path / "scan.tiff", None, "TIFF") == tmp_path / "scan.restored.tif"
    restored = dataclasses.replace(image, gray=255 - image.gray, restored=("dust", "grain"))
    for fmt in ("PNG", "JPEG", "TIFF", "WEBP"):
        out = save_restored(restored, tmp_path / f"r.{fmt.lower()}", fmt=fmt)
        stamp = read_any_stamp(out)
        assert isinstance(stamp, RestoreStamp) and stamp.edits.restore == ("dust", "grain")
        assert stamp.source_sha256 == image.sha256 and stamp.restored_at
        with pytest.raises(StampError, match="no Tintype colorized stamp"):  # not a colorized file
            read_stamp(out)
        with Image.open(out) as saved:
            assert ENHANCED_SOURCE_TYPE.encode() in read_xmp(saved)
            assert saved.info.get("icc_profile") is None  # the photo's RGB profile does not describe gray
            assert saved.getexif().get(0x013B) == "Studio Smith"
            pixels = np.asarray(saved.convert("L"), dtype=np.int16)
        if fmt != "WEBP":  # WebP stores gray as RGB
            with Image.open(out) as saved:
                assert saved.mode == "L"
        tolerance = 0 if fmt in ("PNG", "TIFF") else 3
        assert np.abs(pixels - restored.gray).mean() <= tolerance
        assert "restored (dust, grain)" in read_exif_text(out)["ImageDescription"]


def test_restored_gray_of_a_gray_profiled_photo_is_srgb_gray(tmp_path):
    """A gray photo's own gray profile is applied when it is read (engine.icc), so its restored gray
    is sRGB's gray and carries no profile; a gray profile a LoadedImage carries is kept with gray
    pixels (and never put on RGB ones)."""
    from tests.engine.crafted import gray_icc

    src = tmp_path / "gray.png"
    Image.new("L", (20, 10), 128).save(src, icc_profile=gray_icc(1.0))  # linear light: 128 is sRGB 188
    image = load_image(src)
    out = save_restored(image, tmp_path / "gray.restored.png", fmt="PNG")
    with Image.open(out) as saved:
        assert saved.info.get("icc_profile") is None
        assert abs(int(np.asarray(saved)[0, 0]) - 188) <= 1
    profiled = dataclasses.replace(image, icc_profile=gray_icc(2.2))  # as a LoadedImage made elsewhere may be
    out = save_restored(profiled, tmp_path / "profiled.restored.png", fmt="PNG")
    with Image.open(out) as saved:
        assert saved.info.get("icc_profile") == gray_icc(2.2)


def test_edits_are_recorded_escaped_and_read_back(colorized, tmp_path):
    """Hints, controls and restore steps in the XMP: well-formed whatever the names hold, exact values."""
    image, result, _ = colorized
    image = dataclasses.replace(image, path=image.path.with_name('a&b <"c">\'.jpg'), restored=("dust", "<&>"))
    hints = (ColorHint(x=3, y=4.25, rgb=(181, 64, 42), radius=2.5), ColorHint(x=79, y=0, rgb=(0, 0, 255)))
    result = dataclasses.replace(result, hints=hints, controls=ColorControls(strength=1.2, warmth=-0.1))
    out = save_result(image, result, tmp_path / "edited.png", fmt="PNG")
    with Image.open(out) as saved:
        packet = read_xmp(saved).decode("utf-8")
    xml = packet[packet.index("<x:xmpmeta") : packet.rindex("</x:xmpmeta>") + len("</x:xmpmeta>")]
    ET.fromstring(xml)  # well-formed
    stamp = read_stamp(out)
    assert stamp.source_name == 'a&b <"c">\'.jpg'
    assert stamp.edits == Edits(restore=("dust", "<&>"), controls=ColorControls(1.2, -0.1), hints=hints)
    assert (
        "Restored first (dust, <&>). Colors corrected: strength 1.2, warmth -0.1, 2 color hints." in stamp.description
    )


def test_a_plain_result_carries_no_edits(colorized, tmp_path):
    image, result, _ = colorized
    out = save_result(image, result, tmp_path / "plain.png", fmt="PNG")
    with Image.open(out) as saved:
        packet = read_xmp(saved)
    assert b"ColorStrength" not in packet and b"ColorHints" not in packet and b"Restoration" not in packet
    assert read_stamp(out).edits == Edits()


def test_jpeg_quality_is_the_callers(colorized, tmp_path):
    image, result, _icc = colorized
    default = save_result(image, result, tmp_path / "default.jpg", fmt="JPEG")
    low = save_result(image, result, tmp_path / "low.jpg", fmt="JPEG", quality=50)
    Image.fromarray(result.rgb).save(tmp_path / "ref50.jpg", quality=50, subsampling="4:2:0")
    Image.fromarray(result.rgb).save(tmp_path / "ref95.jpg", quality=95, subsampling="4:2:0")
    with Image.open(low) as a, Image.open(tmp_path / "ref50.jpg") as b:
        assert a.quantization == b.quantization
    with Image.open(default) as a, Image.open(tmp_path / "ref95.jpg") as b:
        assert a.quantization == b.quantization
    assert read_stamp(low).model_id == "unet"
