"""Applying color controls and color hints to one model's predicted chroma.

The model's chroma (BT.601 Cb, Cr at its low resolution, as the engine recombines it) is taken to a
working grid (the photo's gray reduced to ``working_size`` on its long side), turned into CIELAB a*, b*
at each pixel's own gray, changed there -- strength and warmth first, then the hints spread edge-aware
over that prior -- and turned back into Cb, Cr whose color has the pixel's gray as its luma. The
engine's :func:`~engine.color.recombine` then merges it with the untouched full-resolution gray, as
for any prediction: the lightness of the photo is kept exactly.

A :class:`ChromaEditor` keeps what does not depend on the hints (the working gray, the prior's a*, b*,
the spreading's edge weights, the preview's gray ranges), so the app's preview redraws after each new
point without redoing it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal, overload

import numpy as np
from PIL import Image

from engine.adjust.hints import ColorControls, ColorHint, check_inside
from engine.adjust.propagate import EdgeAwareSpreader, Propagation
from engine.color import (
    LUMA,
    WHITE_D65,
    XYZ_TO_RGB,
    chroma_of,
    gray_range,
    recombine,
    rgb_to_lab,
)

log = logging.getLogger(__name__)

WORKING_SIZE = 512
NEUTRAL = ColorControls()
DEFAULT_PROPAGATION = Propagation()
WARMTH_B = 25.0  # b* shift of warmth 1.0
# A pixel whose hint weight is below this fraction of the prior's keeps the prior exactly (saves
# converting the whole grid when hints cover only part of it).
NEGLIGIBLE = 1e-3
_NEWTON_STEPS = 2
# linear RGB = _LAB_TO_LINEAR @ (X/Xn, Y/Yn, Z/Zn)
_LAB_TO_LINEAR = (XYZ_TO_RGB * WHITE_D65[None, :]).astype(np.float32)


class ChromaEditor:
    """Controls and hints for one photo and one prediction.

    ``gray``: the photo's full-resolution uint8 ``HxW``. ``chroma``: the model's float32 ``hxwx2``
    (Cb, Cr centred on 0, 0..255 units) covering the whole photo, as the engine passes to
    :func:`~engine.color.recombine`. An editor keeps caches: use one from one thread at a time, and
    treat the arrays it returns as read-only (they may be those caches or the model's own chroma).
    """

    def __init__(
        self,
        gray: np.ndarray,
        chroma: np.ndarray,
        *,
        working_size: int = WORKING_SIZE,
        propagation: Propagation = DEFAULT_PROPAGATION,
    ) -> None:
        height, width = gray.shape
        self.size = (width, height)
        self.propagation = propagation
        self._gray = gray
        self._chroma = chroma
        scale = min(1.0, working_size / max(width, height))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        small = Image.fromarray(gray).resize((w, h), Image.Resampling.BILINEAR, reducing_gap=3.0)
        self.luma = np.asarray(small, dtype=np.float32) / 255.0  # the working grid's gray, hxw in 0..1
        self._cbcr = np.stack([_resize(chroma[..., c], (w, h)) for c in range(2)], axis=-1)
        lab = rgb_to_lab(_rgb_from_ycc(self.luma, self._cbcr))
        self._lightness = lab[..., 0]
        self._ab = lab[..., 1:]
        self._spreader = EdgeAwareSpreader(self.luma, propagation)
        log.debug("color editor: %dx%d photo, %dx%d working grid", width, height, w, h)
        self._controlled: tuple[ColorControls, np.ndarray, np.ndarray] | None = None
        self._limits: tuple[np.ndarray, tuple[int, int], tuple[np.ndarray, np.ndarray]] | None = None

    @property
    def working_shape(self) -> tuple[int, int]:
        """(h, w) of the working grid."""
        return self.luma.shape

    def chroma(self, hints: Sequence[ColorHint] = (), controls: ColorControls = NEUTRAL) -> np.ndarray:
        """float32 Cb, Cr ``hxwx2`` for :func:`~engine.color.recombine`: the model's own array when
        there are no hints and the controls are neutral, else on the working grid."""
        if not hints and controls.neutral:
            return self._chroma
        check_inside(hints, self.size)
        ab, cbcr = self._controlled_prior(controls)
        if not hints:
            return cbcr
        weight, spread_ab = self._spread(hints)
        prior_weight = np.float32(self.propagation.prior * self._spreader.peak)
        touched = np.flatnonzero(weight > prior_weight * NEGLIGIBLE)
        out = cbcr.reshape(-1, 2).copy()
        ab, spread_ab = ab.reshape(-1, 2)[touched], spread_ab.reshape(2, -1)[:, touched].T
        blended = (prior_weight * ab + spread_ab) / (prior_weight + weight.ravel()[touched])[:, None]
        out[touched] = _cbcr_at_luma(self.luma.ravel()[touched], blended, self._lightness.ravel()[touched])
        return out.reshape(cbcr.shape)

    def render(
        self, hints: Sequence[ColorHint] = (), controls: ColorControls = NEUTRAL, *, gray: np.ndarray | None = None
    ) -> np.ndarray:
        """uint8 RGB ``HxWx3`` at the resolution of ``gray``: the photo's own gray (default) or a
        smaller copy of it for a preview. The gray ranges the recombination needs are kept for the
        next call with the same ``gray`` array and chroma shape."""
        gray = self._gray if gray is None else gray
        chroma = self.chroma(hints, controls)
        return recombine(gray, chroma, limits=self._limits_for(gray, chroma.shape[:2]))

    def _limits_for(self, gray: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        if self._limits is None or self._limits[0] is not gray or self._limits[1] != shape:
            self._limits = (gray, shape, gray_range(gray, shape))
        return self._limits[2]

    def _controlled_prior(self, controls: ColorControls) -> tuple[np.ndarray, np.ndarray]:
        """The prior a*, b* after the controls, and its Cb, Cr (kept for the last controls used)."""
        if self._controlled is None or self._controlled[0] != controls:
            if controls.neutral:  # the prediction itself (the round trip through Lab would give it too)
                ab, cbcr = self._ab, self._cbcr
            else:
                ab = self._ab * np.float32(controls.strength)
                ab[..., 1] += np.float32(WARMTH_B * controls.warmth)
                cbcr = _cbcr_at_luma(self.luma.ravel(), ab.reshape(-1, 2), self._lightness.ravel()).reshape(ab.shape)
            self._controlled = (controls, ab, cbcr)
        return self._controlled[1], self._controlled[2]

    def _spread(self, hints: Sequence[ColorHint]) -> tuple[np.ndarray, np.ndarray]:
        """Each hint's a*, b* seeded on its disk and spread: (weight ``hxw``, weight x a*b* ``2xhxw``)."""
        h, w = self.working_shape
        width, height = self.size
        sx, sy = w / width, h / height
        seeds = np.zeros((3, h, w), np.float32)
        targets = rgb_to_lab(np.array([hint.rgb for hint in hints], np.float32) / 255.0)[:, 1:]
        for hint, target in zip(hints, targets, strict=True):
            u, v = (hint.x + 0.5) * sx - 0.5, (hint.y + 0.5) * sy - 0.5
            r = hint.radius * max(sx, sy)
            x0, x1 = int(np.clip(np.floor(u - r), 0, w - 1)), int(np.clip(np.ceil(u + r), 0, w - 1))
            y0, y1 = int(np.clip(np.floor(v - r), 0, h - 1)), int(np.clip(np.ceil(v + r), 0, h - 1))
            yy, xx = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
            disk = (xx - u) ** 2 + (yy - v) ** 2 <= max(r, 0.5) ** 2
            if not disk.any():  # a point between pixel centres with radius 0: its nearest pixel
                disk = (xx == int(np.clip(round(u), 0, w - 1))) & (yy == int(np.clip(round(v), 0, h - 1)))
            for channel, value in enumerate((*target, 1.0)):
                seeds[channel, y0 : y1 + 1, x0 : x1 + 1][disk] += value
        spread = self._spreader.spread(seeds)
        return spread[2], spread[:2]


def adjust_chroma(
    gray: np.ndarray,
    chroma: np.ndarray,
    *,
    hints: Sequence[ColorHint] = (),
    controls: ColorControls = NEUTRAL,
    working_size: int = WORKING_SIZE,
) -> np.ndarray:
    """One-off :meth:`ChromaEditor.chroma` (the CLI's case: one photo, one set of hints); nothing is
    built when there is nothing to change."""
    if not hints and controls.neutral:
        return chroma
    return ChromaEditor(gray, chroma, working_size=working_size).chroma(hints, controls)


def _resize(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if plane.shape[::-1] == size:
        return plane.astype(np.float32)
    return np.asarray(Image.fromarray(plane.astype(np.float32)).resize(size, Image.Resampling.BILINEAR))


def _rgb_from_ycc(luma01: np.ndarray, cbcr: np.ndarray) -> np.ndarray:
    """Gray in 0..1 and Cb, Cr (0..255 units) -> sRGB ``...x3`` in about 0..1, unclipped."""
    cb, cr = cbcr[..., 0] / 255.0, cbcr[..., 1] / 255.0
    return np.stack([luma01 + 1.402 * cr, luma01 - 0.344136 * cb - 0.714136 * cr, luma01 + 1.772 * cb], axis=-1).astype(
        np.float32
    )


@overload
def _srgb_of_lab(lightness: np.ndarray, ab: np.ndarray, *, slope: Literal[True]) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def _srgb_of_lab(lightness: np.ndarray, ab: np.ndarray, *, slope: Literal[False]) -> tuple[np.ndarray, None]: ...
def _srgb_of_lab(lightness: np.ndarray, ab: np.ndarray, *, slope: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """CIELAB (``n`` lightness, ``nx2`` a*b*) -> unclipped sRGB ``3xn``, and d(sRGB)/d(L*) when asked.

    The 3x3 products are written out: on ``3xn`` arrays they beat a BLAS call several times over."""
    fy = (lightness + np.float32(16.0)) / np.float32(116.0)
    f = np.stack([fy + ab[:, 0] / np.float32(500.0), fy, fy - ab[:, 1] / np.float32(200.0)])
    cubic = f > np.float32(0.206893)
    linear = _mix(np.where(cubic, f * f * f, (f - np.float32(16.0 / 116.0)) / np.float32(7.787)))
    powered = linear > np.float32(0.0031308)
    root = np.power(np.maximum(linear, np.float32(0.0031308)), np.float32(1 / 2.4))
    srgb = np.where(powered, np.float32(1.055) * root - np.float32(0.055), linear * np.float32(12.92))
    if not slope:
        return srgb, None
    d_linear = _mix(np.where(cubic, np.float32(3.0 / 116.0) * f * f, np.float32(1.0 / (7.787 * 116.0))))
    gain = np.where(
        powered, np.float32(1.055 / 2.4) * root / np.maximum(linear, np.float32(0.0031308)), np.float32(12.92)
    )
    return srgb, gain * d_linear


def _mix(xyz: np.ndarray) -> np.ndarray:
    """``_LAB_TO_LINEAR @ xyz`` for ``3xn``."""
    m = _LAB_TO_LINEAR
    return np.stack([m[i, 0] * xyz[0] + m[i, 1] * xyz[1] + m[i, 2] * xyz[2] for i in range(3)])


def _cbcr_at_luma(luma01: np.ndarray, ab: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """Cb, Cr ``nx2`` of the color with CIELAB chroma ``ab`` (``nx2``) whose BT.601 luma is ``luma01``.

    The engine keeps each pixel's gray as the luma, so the lightness L* that goes with a*, b* is the
    one that gives that luma: Newton's method on L*, from ``guess`` (the prior's L*, exact where a*,
    b* did not change). Out-of-gamut colors stay unclipped; the recombination limits them.
    """
    lightness = guess.astype(np.float32)
    for _ in range(_NEWTON_STEPS):
        srgb, d_srgb = _srgb_of_lab(lightness, ab, slope=True)
        slope = _luma(d_srgb)
        step = (luma01 - _luma(srgb)) / np.maximum(slope, np.float32(1e-4))
        lightness = np.clip(lightness + step, 0.0, 100.0)
    srgb, _ = _srgb_of_lab(lightness, ab, slope=False)
    return chroma_of(srgb.T)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of ``3xn``."""
    return LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2]
