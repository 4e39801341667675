import numpy as np
from PIL import Image

from engine.color import chroma_of, gamut_scale, lab_to_rgb, luma, recombine, rgb_to_lab


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


def test_gamut_scale_keeps_colors_inside_the_cube():
    rng = np.random.default_rng(2)
    cb, cr = (rng.normal(0, 90, size=500).astype(np.float32) for _ in range(2))
    y = rng.integers(0, 256, size=500).astype(np.float32)
    t = gamut_scale(cb, cr, y, y)
    r = y + 1.402 * cr * t
    g = y - (0.344136 * cb + 0.714136 * cr) * t
    b = y + 1.772 * cb * t
    for channel in (r, g, b):
        assert channel.min() > -1e-3 and channel.max() < 255 + 1e-3
    assert (t > 0.99).sum() > 0 and (t < 0.5).sum() > 0


def test_recombine_keeps_luma_even_when_saturated():
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:120, 0:90]
    gray = np.clip(128 + 100 * np.sin(xx / 15.0) * np.cos(yy / 20.0) + rng.normal(0, 4, size=(120, 90)), 0, 255).astype(
        np.uint8
    )
    chroma = rng.normal(0, 80, size=(30, 22, 2)).astype(np.float32)  # far outside the gamut on purpose
    rgb = recombine(gray, chroma)
    assert rgb.dtype == np.uint8 and rgb.shape == gray.shape + (3,)
    back = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)
    assert np.abs(back - gray).mean() <= 1.0
    assert np.abs(luma(rgb.astype(np.float32)) - gray).mean() < 1.0
    assert (rgb.max(axis=2).astype(int) - rgb.min(axis=2) > 10).mean() > 0.5  # the color was kept


def test_recombine_reproduces_a_color_photo(photo_rgb):
    chroma = chroma_of(photo_rgb.astype(np.float32) / 255)
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    out = recombine(gray, chroma)
    assert np.abs(out.astype(int) - photo_rgb).mean() < 2.0
    small = np.asarray(Image.fromarray(photo_rgb).resize((150, 100), Image.Resampling.BOX))
    out = recombine(gray, chroma_of(small.astype(np.float32) / 255))  # chroma at 1/4 resolution
    assert np.abs(out.astype(int) - photo_rgb).mean() < 4.0
