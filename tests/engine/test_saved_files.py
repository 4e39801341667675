"""Every saved file right: readable, correctly colored RGB(A), with the metadata it should carry and
nothing that describes the source file's layout."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from engine.colorize import colorize
from engine.exif import DESCRIPTIVE_TAGS
from engine.images import load_image
from engine.registry import ModelRegistry
from engine.saving import save_result
from engine.stamp import read_stamp, read_xmp
from tests.engine.crafted import cmyk_icc, gray_icc

SIZE = (48, 36)  # width, height


@pytest.fixture(scope="module")
def unet(tmp_path_factory):
    from tests.conftest import build_tiny_onnx

    folder = tmp_path_factory.mktemp("models")
    build_tiny_onnx(folder / "unet.onnx", model_id="unet", seed=1)
    return ModelRegistry.discover([folder], provider="cpu").select(["unet"])


def _gray() -> np.ndarray:
    rng = np.random.default_rng(7)
    ramp = np.linspace(20, 235, SIZE[0])[None, :].repeat(SIZE[1], axis=0)
    return np.clip(ramp + rng.normal(0, 12, ramp.shape), 0, 255).astype(np.uint8)


def _sources() -> dict[str, callable]:
    gray = _gray()
    rgb = np.dstack([gray, np.roll(gray, 3, axis=1), 255 - gray])
    alpha = np.linspace(0, 255, SIZE[0] * SIZE[1]).reshape(SIZE[1], SIZE[0]).astype(np.uint8)
    tiffile = pytest.importorskip("tifffile")

    def pil(image, **kw):
        def write(path):
            image.save(path, "TIFF", **kw)

        return write

    def with_tifffile(array, **kw):
        def write(path):
            tiffile.imwrite(path, array, **kw)

        return write

    flat = Image.new("L", SIZE, 128)
    return {
        "gray": pil(Image.fromarray(gray)),
        "gray-deflate": pil(Image.fromarray(gray), compression="tiff_adobe_deflate"),
        "bilevel": pil(Image.fromarray(gray).convert("1"), compression="group4"),
        "gray+alpha": pil(Image.fromarray(np.dstack([gray, alpha]), mode="LA")),
        "palette": pil(Image.fromarray(rgb).convert("P")),
        "rgb": pil(Image.fromarray(rgb)),
        "rgba": pil(Image.fromarray(np.dstack([rgb, alpha]), mode="RGBA")),
        "cmyk": pil(Image.fromarray(rgb).convert("CMYK")),
        "16-bit": pil(Image.fromarray(gray.astype(np.uint16) * 257)),
        "float": pil(Image.fromarray(gray.astype(np.float32) / 255.0, mode="F")),
        "int32": pil(Image.fromarray(gray.astype(np.int32), mode="I")),
        "lab": pil(Image.merge("LAB", [Image.fromarray(gray), flat, flat])),
        "ycbcr": pil(Image.fromarray(rgb).convert("YCbCr")),
        "multipage": pil(Image.fromarray(gray), save_all=True, append_images=[Image.fromarray(255 - gray)]),
        "tiled": with_tifffile(gray, tile=(16, 16)),
        "planar-rgb": with_tifffile(np.moveaxis(rgb, -1, 0), photometric="rgb", planarconfig="separate"),
    }


SOURCES = [
    "gray",
    "gray-deflate",
    "bilevel",
    "gray+alpha",
    "palette",
    "rgb",
    "rgba",
    "cmyk",
    "16-bit",
    "float",
    "int32",
    "lab",
    "ycbcr",
    "multipage",
    "tiled",
    "planar-rgb",
]


@pytest.mark.parametrize("kind", SOURCES)
def test_every_tiff_source_gives_a_readable_rgb_tiff(kind, unet, tmp_path):
    source = tmp_path / f"{kind}.tif"
    _sources()[kind](source)
    image = load_image(source)
    result = colorize(image, unet).results["unet"]
    out = save_result(image, result, tmp_path / "out.tif", fmt="TIFF")
    with Image.open(out) as saved:
        saved.load()
        assert saved.mode == ("RGBA" if image.alpha is not None else "RGB")
        assert saved.size == SIZE
        tags = saved.tag_v2
        assert tags[262] == 2 and tags.get(284, 1) == 1  # RGB, contiguous: whatever the source was
        assert 297 not in tags and 320 not in tags  # no page number, no color map
        luma = np.asarray(saved.convert("RGB").convert("L"), dtype=np.int16)
    # Correct colors: the result's luminance is the photo's gray (LAB and YCbCr sources included).
    assert np.abs(luma - image.gray).mean() < 1.0
    tifffile = pytest.importorskip("tifffile")
    assert tifffile.imread(out).shape[:2] == (SIZE[1], SIZE[0])  # a second reader agrees


@pytest.fixture
def jpeg_with_metadata(tmp_path) -> Path:
    exif = Image.Exif()
    exif[0x013B] = "Studio Smith"
    exif[0x0112] = 1
    exif[0x8769] = {0x9003: "1952:07:14 10:00:00"}
    path = tmp_path / "grandma.jpg"
    Image.fromarray(_gray()).save(path, quality=95, exif=exif.tobytes(), xmp=XMP_WITH_RIGHTS)
    return path


XMP_WITH_RIGHTS = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
 tiff:Orientation="6">
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) The Smith family</rdf:li></rdf:Alt></dc:rights>
<dc:creator><rdf:Seq><rdf:li>Studio Smith</rdf:li></rdf:Seq></dc:creator>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Grandma at the lake</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">the original caption</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def test_tiff_result_keeps_date_time_original(jpeg_with_metadata, unet, tmp_path):
    image = load_image(jpeg_with_metadata)
    out = save_result(image, colorize(image, unet).results["unet"], tmp_path / "out.tif", fmt="TIFF")
    with Image.open(out) as saved:
        exif = saved.getexif()
        assert exif.get_ifd(0x8769)[0x9003] == "1952:07:14 10:00:00"
        assert exif[0x013B] == "Studio Smith"
    assert read_stamp(out).model_id == "unet"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_tiff_layout_never_leaks_into_a_result(fmt, unet, tmp_path):
    source = tmp_path / "scan.tif"
    exif = Image.Exif()
    exif[0x013B] = "Studio Smith"
    Image.fromarray(_gray()).save(source, "TIFF", exif=exif.tobytes(), compression="tiff_adobe_deflate")
    image = load_image(source)
    out = save_result(image, colorize(image, unet).results["unet"], tmp_path / f"out.{fmt.lower()}", fmt=fmt)
    with Image.open(out) as saved:
        saved.load()
        exif = saved.getexif()
        layout = {256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 339}
        if fmt == "TIFF":  # the file's own layout is the RGB one Pillow wrote
            assert saved.tag_v2[258] == (8, 8, 8)
        else:
            assert not layout & set(exif), sorted(layout & set(exif))
        assert set(exif) - layout - {0x8769, 0x8825} <= DESCRIPTIVE_TAGS | {700, 34675}
        assert exif[0x013B] == "Studio Smith"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_source_xmp_is_kept_beside_the_stamp(fmt, jpeg_with_metadata, unet, tmp_path):
    image = load_image(jpeg_with_metadata)
    out = save_result(image, colorize(image, unet).results["unet"], tmp_path / f"out.{fmt.lower()}", fmt=fmt)
    with Image.open(out) as saved:
        packet = read_xmp(saved).decode("utf-8")
    assert "(c) The Smith family" in packet and "Grandma at the lake" in packet and "Studio Smith" in packet
    assert "the original caption" not in packet and "Orientation" not in packet  # the stamp's, and upright
    assert read_stamp(out).source_name == "grandma.jpg"


@pytest.mark.parametrize("profile, mode", [(gray_icc(2.2), "L"), (cmyk_icc(), "CMYK")])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
def test_result_never_carries_a_gray_or_cmyk_profile(profile, mode, fmt, unet, tmp_path):
    source = tmp_path / "scan.tif"
    Image.fromarray(_gray()).convert(mode).save(source, "TIFF", icc_profile=profile)
    image = load_image(source)
    out = save_result(image, colorize(image, unet).results["unet"], tmp_path / f"out.{fmt.lower()}", fmt=fmt)
    with Image.open(out) as saved:
        icc = saved.info.get("icc_profile")
        if icc:  # an RGB profile a viewer can build a transform from
            srgb = ImageCms.createProfile("sRGB")
            ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(icc)), srgb, "RGB", "RGB")
        else:
            assert icc is None


def test_control_characters_and_undecodable_names_are_escaped_in_the_stamp(unet, tmp_path):
    import dataclasses

    image = load_image(_write_gray(tmp_path / "plain.png"))
    image = dataclasses.replace(image, path=tmp_path / "evil\x1b[2J\udcff.png")
    result = colorize(image, unet).results["unet"]
    result = dataclasses.replace(result, display_name="U-Net\x07\u202e")
    for fmt in ("PNG", "JPEG", "TIFF", "WEBP"):
        out = save_result(image, result, tmp_path / f"out.{fmt.lower()}", fmt=fmt)
        stamp = read_stamp(out)
        assert stamp.source_name == "evil\\x1b[2J\\xff.png"
        assert stamp.model_name == "U-Net\\x07\\u202e"


def test_metadata_an_encoder_refuses_is_left_out_not_the_result(unet, tmp_path, caplog):
    exif = Image.Exif()
    exif[0x013B] = "Studio Smith"
    exif[0x8769] = {0x9286: b"ASCII\0\0\0" + b"x" * 70_000}  # a UserComment past JPEG's 64 KB EXIF limit
    source = tmp_path / "long.png"
    Image.fromarray(_gray()).save(source, exif=exif.tobytes())
    image = load_image(source)
    out = save_result(image, colorize(image, unet).results["unet"], tmp_path / "out.jpg", fmt="JPEG")
    assert read_stamp(out).model_id == "unet"
    assert "own metadata not kept" in caplog.text


def test_jpeg_quality_default_95_and_chosen(unet, tmp_path):
    image = load_image(_write_gray(tmp_path / "g.png"))
    result = colorize(image, unet).results["unet"]
    reference = io.BytesIO()
    Image.new("RGB", (8, 8)).save(reference, "JPEG", quality=95)
    with Image.open(reference) as ref:
        tables_95 = ref.quantization
    out = save_result(image, result, tmp_path / "default.jpg", fmt="JPEG")
    low = save_result(image, result, tmp_path / "low.jpg", fmt="JPEG", quality=40)
    with Image.open(out) as saved:
        assert saved.quantization == tables_95
    assert low.stat().st_size < out.stat().st_size


def _write_gray(path: Path) -> Path:
    Image.fromarray(_gray()).save(path)
    return path


def test_a_photo_too_long_for_webp_is_refused_with_the_limit(unet, tmp_path):
    source = tmp_path / "panorama.png"
    Image.new("L", (16_400, 2), 128).save(source)
    image = load_image(source)
    with pytest.raises(Exception) as info:
        save_result(image, colorize(image, unet).results["unet"], tmp_path / "out.webp", fmt="WEBP")
    assert str(info.value).endswith("16400x2 is larger than WEBP allows (16383 pixels a side); save it as PNG or TIFF")
    assert not (tmp_path / "out.webp").exists()
