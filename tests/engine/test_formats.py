import re
from pathlib import Path

import pytest
from PIL import features

from engine.errors import OutputError
from engine.formats import (
    FORMAT_CHOICES,
    FORMATS,
    IMAGE_SUFFIXES,
    OUTPUT_FORMATS,
    READ_FORMATS,
    format_for_target,
    format_spec,
    output_format,
)

ROOT = Path(__file__).resolve().parents[2]


def test_table_gives_choices_and_suffixes():
    assert FORMAT_CHOICES == ("same", "jpeg", "png", "tiff", "webp")
    avif = {".avif"} if features.check("avif") else set()  # read where this Pillow has AVIF
    assert IMAGE_SUFFIXES == {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", *avif}
    assert READ_FORMATS == ("JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF", *(["AVIF"] if avif else []))
    assert [f.extension for f in OUTPUT_FORMATS] == [".jpg", ".png", ".tif", ".webp"]
    assert all(f.stamp_carrier for f in OUTPUT_FORMATS)
    assert not any(f.carries_stamp for f in FORMATS if f.pillow in ("BMP", "GIF"))
    assert not format_spec("JPEG").keeps_alpha and format_spec("png").keeps_alpha
    with pytest.raises(OutputError):
        format_spec("BMP")


def test_output_format_rule():
    assert output_format("JPEG") == "JPEG" and output_format("MPO") == "JPEG"
    assert output_format("BMP") == "PNG" and output_format("GIF") == "PNG"
    assert output_format("JPEG", "png") == "PNG" and output_format("PNG", "jpg") == "JPEG"
    assert output_format("PNG", "TIF") == "TIFF" and output_format("PNG", "WebP") == "WEBP"
    with pytest.raises(OutputError):
        output_format("PNG", "exr")
    with pytest.raises(OutputError, match="same, jpeg, png, tiff, webp"):
        output_format("PNG", "bmp")


def test_format_for_a_chosen_file_name():
    assert format_for_target("PNG", Path("x.jpeg")) == "JPEG"
    assert format_for_target("JPEG", Path("x"), "webp") == "WEBP"
    assert format_for_target("JPEG", Path("x")) == "JPEG"


def test_readme_lists_the_table():
    usage = re.search(r"\[--format ([a-z|]+)\]", (ROOT / "README.md").read_text())
    assert usage and tuple(usage.group(1).split("|")) == FORMAT_CHOICES
