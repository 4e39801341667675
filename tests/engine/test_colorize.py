from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.colorize import Letterbox, colorize
from engine.errors import CancelledError
from engine.images import decode_image, load_image
from engine.registry import ModelRegistry


@pytest.fixture
def registry(models_dir: Path) -> ModelRegistry:
    return ModelRegistry.discover([models_dir], provider="cpu")


def test_full_resolution_and_gray_fidelity_on_a_real_photo(registry, photo_path):
    image = load_image(photo_path)
    result = colorize(image, registry.models)
    assert list(result.results) == ["unet", "koala", "cgan"]
    for model_result in result.results.values():
        rgb = model_result.rgb
        assert rgb.shape == (400, 600, 3) and rgb.dtype == np.uint8
        back = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)
        assert np.abs(back - image.gray).mean() <= 1.0
        spread = rgb.max(axis=2).astype(int) - rgb.min(axis=2)
        assert spread.mean() > 3, "the result should carry color"
        assert model_result.seconds >= model_result.inference_seconds > 0
        assert model_result.provider == "CPU"


def test_color_photo_is_treated_as_luminance(registry, photo_rgb):
    import io

    buf = io.BytesIO()
    Image.fromarray(photo_rgb).save(buf, "PNG")
    image = decode_image(buf.getvalue())
    assert np.array_equal(image.gray, np.asarray(Image.fromarray(photo_rgb).convert("L")))
    result = colorize(image, registry.select(["unet"]))
    assert result.results["unet"].rgb.shape == photo_rgb.shape


def test_letterbox_keeps_aspect_ratio():
    box = Letterbox.fit(600, 200, 32)
    assert (box.width, box.height) == (32, 11) and box.y0 == 10
    box = Letterbox.fit(10, 1000, 64)
    assert box.width == 1 and box.height == 64


def test_panorama_and_alpha(registry):
    rng = np.random.default_rng(0)
    gray = (np.linspace(0, 255, 900)[None, :] * np.ones((90, 1))).astype(np.uint8)
    alpha = rng.integers(0, 256, size=gray.shape, dtype=np.uint8)
    import io

    buf = io.BytesIO()
    Image.fromarray(np.dstack([gray, alpha]), mode="LA").save(buf, "PNG")
    image = decode_image(buf.getvalue())
    assert image.alpha is not None
    result = colorize(image, registry.select(["koala"]))
    assert result.results["koala"].rgb.shape == (90, 900, 3)


def test_progress_and_cancel(registry, photo_path):
    image = load_image(photo_path)
    seen = []
    colorize(image, registry.models, progress=lambda done, total, mid: seen.append((done, total, mid)))
    assert seen == [(1, 3, "unet"), (2, 3, "koala"), (3, 3, "cgan")]
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(CancelledError):
        colorize(image, registry.models, cancelled=cancelled)
    assert len(calls) == 2
