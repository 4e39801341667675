"""Color math shared by the engine and training (defined once, here).

Conventions: images at boundaries are ``uint8`` RGB ``HxWx3`` or gray ``HxW``; working arrays are
``float32``. Luma is ITU-R BT.601 on gamma-encoded values, exactly what Pillow's ``convert("L")``
computes, so a colorized result converted back to gray gives the input gray.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# BT.601 luma weights, as Pillow's convert("L") uses them.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# D65 white, sRGB primaries.
RGB_TO_XYZ = np.array(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]],
    dtype=np.float32,
)
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ).astype(np.float32)
WHITE_D65 = np.array([0.950456, 1.0, 1.088754], dtype=np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of RGB values (any range, last axis = 3), float32."""
    return np.asarray(rgb, dtype=np.float32) @ LUMA


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] -> linear light in [0, 1]."""
    v = np.asarray(v, dtype=np.float32)
    # The power only where it is used: values below 0 (out-of-gamut chroma) take the linear part.
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] -> sRGB in [0, 1]."""
    v = np.clip(np.asarray(v, dtype=np.float32), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055).astype(np.float32)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1], shape ``...x3`` -> CIE Lab (L in [0, 100], a/b roughly [-110, 110]), float32."""
    xyz = srgb_to_linear(rgb) @ RGB_TO_XYZ.T / WHITE_D65
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lab = np.empty_like(xyz)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab.astype(np.float32)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIE Lab ``...x3`` -> sRGB in [0, 1] (clipped), float32."""
    lab = np.asarray(lab, dtype=np.float32)
    fy = (lab[..., 0] + 16.0) / 116.0
    fx = fy + lab[..., 1] / 500.0
    fz = fy - lab[..., 2] / 200.0
    f = np.stack([fx, fy, fz], axis=-1)
    xyz = np.where(f > 0.206893, f**3, (f - 16.0 / 116.0) / 7.787) * WHITE_D65
    return linear_to_srgb(xyz @ XYZ_TO_RGB.T)


def prediction_to_rgb(prediction: np.ndarray, *, output: str, gray: np.ndarray, ab_scale: float) -> np.ndarray:
    """A model's raw output ``CxSxS`` -> sRGB float32 ``SxSx3`` in [0, 1].

    ``output`` is the contract's output kind: ``rgb`` (values in [-1, 1]) or ``lab_ab`` (a*, b* divided
    by ``ab_scale``, recombined with the L* of ``gray``, the uint8 ``SxS`` model input).
    """
    if output == "rgb":
        return np.clip((np.moveaxis(prediction, 0, -1) + 1.0) * 0.5, 0.0, 1.0).astype(np.float32)
    gray01 = gray.astype(np.float32) / 255.0
    lightness = rgb_to_lab(np.repeat(gray01[..., None], 3, axis=-1))[..., 0]
    lab = np.stack([lightness, prediction[0] * ab_scale, prediction[1] * ab_scale], axis=-1)
    return lab_to_rgb(lab)


def chroma_of(rgb01: np.ndarray) -> np.ndarray:
    """sRGB float ``HxWx3`` in [0, 1] -> chroma ``HxWx2`` (BT.601 Cb, Cr, in 0..255 units, centred on 0)."""
    rgb = rgb01.astype(np.float32) * 255.0
    y = rgb @ LUMA
    cb = (rgb[..., 2] - y) * (0.5 / (1.0 - 0.114))
    cr = (rgb[..., 0] - y) * (0.5 / (1.0 - 0.299))
    return np.stack([cb, cr], axis=-1).astype(np.float32)


def gamut_scale(cb: np.ndarray, cr: np.ndarray, y_min: np.ndarray, y_max: np.ndarray) -> np.ndarray:
    """Largest t in [0, 1] per pixel such that gray + t * chroma stays inside the RGB cube for every
    luma in ``[y_min, y_max]``. Scaling chroma toward gray keeps the luma (gray has the same luma);
    clipping channels instead would change the brightness."""
    t = np.ones_like(cb, dtype=np.float32)
    y_min = y_min.astype(np.float32)
    headroom = np.float32(255.0) - y_max.astype(np.float32)
    for d in (cr * np.float32(1.402), cb * np.float32(-0.344136) - cr * np.float32(0.714136), cb * np.float32(1.772)):
        with np.errstate(divide="ignore", invalid="ignore"):
            limit = np.where(d > 1e-6, headroom / d, np.where(d < -1e-6, -y_min / d, 1.0))
        np.minimum(t, limit, out=t)
    return np.clip(t, 0.0, 1.0)


def gray_range(gray: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The darkest and brightest of uint8 gray ``HxW`` under each cell of a ``shape`` = (h, w) chroma
    grid: two uint8 ``hxw`` arrays. It depends on the gray alone, so a caller redrawing one photo with
    changing chroma (the color hints' preview) computes it once."""
    height, width = gray.shape
    h, w = shape
    ky, kx = max(1, height // h), max(1, width // w)
    blocks = gray[: (height // ky) * ky, : (width // kx) * kx].reshape(height // ky, ky, width // kx, kx)
    lo = Image.fromarray(blocks.min(axis=(1, 3))).resize((w, h), Image.Resampling.NEAREST)
    hi = Image.fromarray(blocks.max(axis=(1, 3))).resize((w, h), Image.Resampling.NEAREST)
    return np.asarray(lo), np.asarray(hi)


def recombine(
    gray: np.ndarray, chroma: np.ndarray, *, limits: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Full-resolution uint8 gray ``HxW`` + low-resolution chroma ``hxwx2`` (Cb, Cr centred on 0)
    -> uint8 RGB ``HxWx3``.

    The chroma is first limited to the gamut using the darkest and brightest gray under each
    low-res cell (``limits``: :func:`gray_range` of ``gray`` for this chroma's shape, computed here
    when not given), then upsampled bicubically
    and merged with the untouched gray in Pillow's C code: no full-resolution float arrays, and the
    result's luma equals ``gray`` up to rounding.
    """
    height, width = gray.shape
    lo, hi = gray_range(gray, chroma.shape[:2]) if limits is None else limits
    cb, cr = chroma[..., 0], chroma[..., 1]
    t = gamut_scale(cb, cr, lo, hi)
    planes = [
        Image.fromarray(np.clip(np.rint(c * t + 128.0), 0, 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC
        )
        for c in (cb, cr)
    ]
    merged = Image.merge("YCbCr", (Image.fromarray(gray), *planes)).convert("RGB")
    return np.asarray(merged)
