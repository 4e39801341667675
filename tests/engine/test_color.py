import numpy as np
from PIL import Image

from engine.color import apply_chroma, chroma_of, lab_to_rgb, luma, rgb_to_lab


def test_lab_round_trip():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(0, 1, size=(64, 64, 3)).astype(np.float32)
    back = lab_to_rgb(rgb_to_lab(rgb))
    assert np.abs(back - rgb).max() < 2e-3


def test_lab_of_known_colors():
    white = rgb_to_lab(np.array([[1.0, 1.0, 1.0]], dtype=np.float32))[0]
    assert abs(white[0] - 100) < 0.1 and abs(white[1]) < 0.1 and abs(white[2]) < 0.1
    red = rgb_to_lab(np.array([[1.0, 0.0, 0.0]], dtype=np.float32))[0]
    assert abs(red[0] - 53.2) < 0.5 and red[1] > 75 and red[2] > 60


def test_chroma_of_gray_is_zero():
    gray = np.repeat(np.linspace(0, 1, 50, dtype=np.float32)[:, None, None], 3, axis=2)
    assert np.abs(chroma_of(gray)).max() < 1e-4


def test_apply_chroma_keeps_luma_even_when_saturated():
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, size=(120, 90), dtype=np.uint8)
    cb = rng.normal(0, 80, size=gray.shape).astype(np.float32)  # far outside the gamut on purpose
    cr = rng.normal(0, 80, size=gray.shape).astype(np.float32)
    rgb = apply_chroma(gray, cb.copy(), cr.copy())
    assert rgb.dtype == np.uint8 and rgb.shape == gray.shape + (3,)
    back = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)
    assert np.abs(back - gray).max() <= 1
    assert np.abs(luma(rgb.astype(np.float32)) - gray).mean() < 0.5
    # The color was not thrown away: most pixels are not gray.
    assert (rgb.max(axis=2).astype(int) - rgb.min(axis=2) > 10).mean() > 0.5


def test_apply_chroma_reproduces_a_color_photo(photo_rgb):
    rgb01 = photo_rgb.astype(np.float32) / 255
    chroma = chroma_of(rgb01)
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    out = apply_chroma(gray, chroma[..., 0].copy(), chroma[..., 1].copy())
    assert np.abs(out.astype(int) - photo_rgb).mean() < 1.5
