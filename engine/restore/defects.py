"""Dust specks and thin scratches: the defect mask (inpainting is in engine.restore.inpaint).

On uint8 ``HxW`` gray; sizes in pixels grow with :func:`defect_scale` (1 up to a 256 px photo,
about 3.4 for a 12 MP scan).

1. Top-hats of the lightly blurred photo: ``photo - opening`` shows bright structures narrower
   than the structuring square (specks, thin lines), ``closing - photo`` the dark ones. A pixel is
   *strong* above the threshold (the larger of a fixed contrast, scaled by the strength, and a
   multiple of the noise level, so grain never passes) and a *candidate* above a part of it.
2. Each strong pixel is compared with its surround, the non-candidate pixels of a window around
   it (their mean and deviation): real detail (eyes, letters, foliage) sits among other detail,
   a speck or scratch on a surround quieter than its own contrast. Where candidates crowd the
   window (a texture, a grid, handwriting) nothing is taken. What lies under a defect (the
   opening or closing) must be flat for its size: a highlight along an object's edge has a step
   beneath it.
3. *Specks*: small components of such pixels. *Scratches*: pixels whose top-hat holds along a
   segment in one of 12 directions (the line evidence, on a max-pooled copy of big photos), with
   the same background on both sides of that line, forming long thin components; lines that keep
   to the photo's border are frames or the print's edge and are left alone.
4. The accepted components grow into the adjacent candidate pixels and one pixel more, so the
   soft rim of a speck is filled too.

The constants were chosen by a random search on a damaged subset of broad/val and general/test
(bench/damage.py; not the subset the benchmark reports), trading damage found against clean
detail mistaken for damage; docs/RESULTS.md, "Restoration", has the figures. What cannot be told
apart locally is missed or mistaken: thin real lines (rims, wires, masts, glasses) can read as
scratches, stars as dust, and crack networks and specks on busy texture are mostly kept.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from engine.restore.grain import estimate_noise
from engine.restore.settings import DustSettings

log = logging.getLogger(__name__)

AUTOMATIC_DUST = DustSettings()

_PRE_BLUR = 0.7  # Gaussian sigma before the top-hats: keeps single noisy pixels out
_HALF_SQUARE = 2.45  # half the top-hat square's side, times the scale
_BASE_CONTRAST = 65.0  # gray levels a defect must stand out by (at strength 0.5) ...
_NOISE_MULTIPLE = 4.4  # ... or this many noise deviations, whichever is larger
_LOW_FRACTION = 0.36  # candidates pass this part of the threshold
_WINDOW = 5.2  # surround window side, in top-hat squares
_SPECK_RATIO = 2.65  # speck contrast over surround deviation (at strength 0.5)
_SPECK_RADIUS = 3.95  # largest speck: a disk of this radius, times the scale
_SPARSE = 0.85  # a speck's surround is at least this fraction non-candidate
_LINE_CONTRAST = 0.55  # scratches keep this part of their top-hat along a line (the line evidence) ...
_LINE_RATIO = 2.9  # ... and this contrast over surround deviation (at strength 0.5)
_LINE_LENGTH = 4.4  # segment over which line evidence is averaged, in top-hat squares
_DIRECTIONS = 12  # directions the line evidence tries
_BAND = 3  # width of the segment in pixels: tolerates curved scratches
_SYMMETRY = 0.56  # background difference across a scratch, over its top-hat
_LINE_SPARSE = 0.8  # a scratch's surround is at least this fraction non-candidate (not a grid, not text)
_LINE_WIDTH = 4.4  # widest scratch, times the scale
_LINE_ELONGATION = 12.0  # (bounding-box diagonal)^2 / area: length over width, for a line
_EDGE_RATIO = 2.45  # a defect's top-hat over the range of the photo beneath it (at strength 0.5)
_BORDER = 3.0  # lines within this many pixels (times the scale) of the border are frames ...
_FRAME_BAND = 0.05  # ... and so are lines whose pixels lie this close to it on average (of the short side)


def defect_scale(shape: tuple[int, ...]) -> float:
    """How many pixels a defect's size unit is: 1 up to 256 px, sqrt(short side / 256) above."""
    return max(1.0, min(shape[:2]) / 256.0) ** 0.5


def largest_speck_radius(shape: tuple[int, ...]) -> float:
    """Radius in pixels of the largest speck the detector accepts in an image of ``shape``."""
    return _SPECK_RADIUS * defect_scale(shape)


def _sensitivity(strength: float) -> float:
    """Threshold multiplier: 1 at strength 0.5, halved at 1, doubled at 0."""
    return float(2.0 ** ((0.5 - strength) * 2.0))


def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the nonzero pixels of a uint8 or bool ``HxW`` array, in row order.

    OpenCV's findNonZero is about 20 times faster than numpy's nonzero on a 12 MP mask.
    """
    points = cv2.findNonZero(mask.view(np.uint8))
    if points is None:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    points = points.reshape(-1, 2).astype(np.intp)
    return points[:, 1], points[:, 0]


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _surround(smooth: np.ndarray, candidate: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Mean, deviation and non-candidate fraction of the non-candidate pixels in a window.

    Computed on a copy reduced by the returned factor (1, 2 or 4: the window keeps at least 15
    pixels); the statistics over a window that wide are smooth, and reducing first cuts the cost
    of the box filters on a 12 MP scan by 16. Look a pixel (y, x) up at (y // factor, x // factor).
    """
    height, width = smooth.shape
    factor = 1
    while factor < 4 and window // (2 * factor) >= 15 and min(height, width) // (2 * factor) >= 64:
        factor *= 2
    keep: np.ndarray = (~candidate).astype(np.float32)
    f: np.ndarray = smooth.astype(np.float32)
    f *= keep  # non-candidate pixels' values, 0 elsewhere
    squares = f * f
    if factor > 1:
        size = (width // factor, height // factor)
        keep, f, squares = (cv2.resize(a, size, interpolation=cv2.INTER_AREA) for a in (keep, f, squares))
        window = max(3, (window // factor) | 1)
    k = (window, window)
    fraction = cv2.blur(keep, k)
    total = np.maximum(fraction, 1e-3)
    mean = cv2.blur(f, k) / total
    deviation = np.sqrt(np.maximum(cv2.blur(squares, k) / total - mean * mean, 0.0))
    return mean, deviation, fraction, factor


def detect_defects(
    gray: np.ndarray, settings: DustSettings = AUTOMATIC_DUST, *, noise_sigma: float | None = None
) -> np.ndarray:
    """The defect mask of uint8 ``HxW`` gray: bool ``HxW``, True on dust specks and thin scratches.

    ``noise_sigma`` (gray levels) raises the threshold on grainy photos so grain is never taken for
    dust; None measures it (:func:`engine.restore.grain.estimate_noise`), as ``restore`` does, so
    the mask shown to a user is the mask ``restore`` would use.
    """
    if noise_sigma is None:
        noise_sigma = estimate_noise(gray)
    height, width = gray.shape
    scale = defect_scale(gray.shape)
    sens = _sensitivity(settings.strength)
    smooth = cv2.GaussianBlur(gray, (0, 0), _PRE_BLUR)
    side = 2 * max(1, int(np.ceil(_HALF_SQUARE * scale))) + 1
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    opened = cv2.morphologyEx(smooth, cv2.MORPH_OPEN, square)  # the photo without bright defects
    closed = cv2.morphologyEx(smooth, cv2.MORPH_CLOSE, square)  # ... without dark ones
    bright = cv2.subtract(smooth, opened)
    dark = cv2.subtract(closed, smooth)
    noise_floor = _NOISE_MULTIPLE * noise_sigma
    threshold = max(_BASE_CONTRAST * sens, noise_floor)
    strongest = cv2.max(bright, dark)
    # Candidates (the pixels left out of the surround statistics, and where a defect may grow) do
    # not depend on the strength, so a higher strength only ever adds seeds.
    candidate = strongest > _LOW_FRACTION * max(_BASE_CONTRAST, noise_floor)
    # Everything below works on the few pixels that pass the threshold, not on the whole photo.
    ys, xs = _where(strongest > threshold)
    if ys.size == 0:
        return np.zeros(gray.shape, bool)
    mean, deviation, fraction, factor = _surround(smooth, candidate, int(_WINDOW * side) | 1)
    at = (np.minimum(ys // factor, mean.shape[0] - 1), np.minimum(xs // factor, mean.shape[1] - 1))
    is_bright = bright[ys, xs] >= dark[ys, xs]
    tophat = np.where(is_bright, bright[ys, xs], dark[ys, xs]).astype(np.float32)
    contrast = smooth[ys, xs].astype(np.float32) - mean[at]
    contrast = np.where(is_bright, contrast, -contrast)  # > 0: stands out the way its top-hat says
    dev = deviation[at]
    # What lies under a defect is smooth; a highlight or a shadow line along an object's edge has
    # a step beneath it. The range of the defect-free photo in a window twice the square's side:
    wide = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * side + 1, 2 * side + 1))
    beneath = np.where(is_bright, _range_at(opened, wide, ys, xs), _range_at(closed, wide, ys, xs))
    flat = tophat > _EDGE_RATIO * sens * beneath
    speck = (contrast > _SPECK_RATIO * sens * dev) & (fraction[at] >= _SPARSE) & flat
    along, direction, factor2 = _line_evidence(strongest, int(_LINE_LENGTH * side) | 1)
    at2 = (np.minimum(ys // factor2, along.shape[0] - 1), np.minimum(xs // factor2, along.shape[1] - 1))
    # A scratch lies on the same background on both sides; a highlight along an object's edge
    # (a rim, a roof line) has different ones: compare the defect-free photo a square's side away
    # on either side, across the line's direction.
    angle = direction[at2].astype(np.float32) * (np.pi / _DIRECTIONS)
    ny, nx = np.cos(angle) * side, -np.sin(angle) * side
    y1 = np.clip(np.round(ys + ny), 0, height - 1).astype(np.intp)
    x1 = np.clip(np.round(xs + nx), 0, width - 1).astype(np.intp)
    y2 = np.clip(np.round(ys - ny), 0, height - 1).astype(np.intp)
    x2 = np.clip(np.round(xs - nx), 0, width - 1).astype(np.intp)
    background = np.where(
        is_bright[:, None], np.stack([opened[y1, x1], opened[y2, x2]], 1), np.stack([closed[y1, x1], closed[y2, x2]], 1)
    ).astype(np.float32)
    symmetric = np.abs(background[:, 0] - background[:, 1]) < _SYMMETRY * tophat
    line = (
        (along[at2] > _LINE_CONTRAST * tophat)
        & (contrast > _LINE_RATIO * sens * dev)
        & flat
        & symmetric
        & (fraction[at] >= _LINE_SPARSE)
    )

    keep = np.zeros(gray.shape, np.uint8)
    speck_seed = np.zeros(gray.shape, np.uint8)
    speck_seed[ys[speck], xs[speck]] = 1
    _mark_components(keep, speck_seed, lambda s: s.area <= np.pi * largest_speck_radius(gray.shape) ** 2)
    line_seed: np.ndarray = np.zeros(gray.shape, np.uint8)
    line_seed[ys[line], xs[line]] = 1
    line_seed = cv2.morphologyEx(line_seed, cv2.MORPH_CLOSE, _disk(1))  # bridge one-pixel gaps
    _mark_components(keep, line_seed, lambda s: _is_line(s, scale, (height, width)))
    grow = _disk(max(1, round(scale)))
    mask = (cv2.dilate(keep, grow) & candidate.view(np.uint8)) | keep
    mask = cv2.dilate(mask, _disk(1))
    log.debug(
        "defect mask: %.3f%% of %dx%d (scale %.2f, threshold %.1f)", 100 * mask.mean(), width, height, scale, threshold
    )
    return mask.view(bool)


def _line_evidence(tophat: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, int]:
    """How much more the top-hat averages along the best of 8 directions than around: high on lines.

    Over a ``length``-pixel segment through each pixel, minus the mean over the square around it; on a
    copy reduced by the returned factor so the segment stays near 15 pixels.
    """
    height, width = tophat.shape
    factor = 1
    while length // (2 * factor) >= 15 and min(height, width) // (2 * factor) >= 64:
        factor *= 2
    if factor > 1:
        # Max-pooling, not averaging: a 2 px scratch must keep its contrast on the reduced copy.
        tophat = cv2.dilate(tophat, np.ones((factor, factor), np.uint8), anchor=(0, 0))[::factor, ::factor]
        length = max(5, (length // factor) | 1)
    t = tophat.astype(np.float32)
    band = max(1, round(_BAND / factor))
    centre = length // 2
    best = np.zeros_like(t)
    direction = np.zeros(t.shape, np.uint8)
    for k in range(_DIRECTIONS):
        angle = np.pi * k / _DIRECTIONS
        dx, dy = np.cos(angle) * centre, np.sin(angle) * centre
        kernel = np.zeros((length, length), np.float32)
        cv2.line(kernel, (round(centre - dx), round(centre - dy)), (round(centre + dx), round(centre + dy)), 1.0, band)
        kernel /= kernel.sum()
        response = cv2.filter2D(t, -1, kernel, borderType=cv2.BORDER_REFLECT)
        direction[response > best] = k
        np.maximum(best, response, out=best)
    best -= cv2.blur(t, (length, length), borderType=cv2.BORDER_REFLECT)
    return best, direction, factor


def _range_at(image: np.ndarray, window: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """max - min of uint8 ``image`` over ``window`` around each (y, x), float32."""
    return cv2.dilate(image, window)[ys, xs].astype(np.float32) - cv2.erode(image, window)[ys, xs]


class _Stats:
    """Area and bounding box of each labelled component, from its pixels' coordinates."""

    def __init__(self, labels: np.ndarray, ys: np.ndarray, xs: np.ndarray, count: int) -> None:
        self.area = np.bincount(labels, minlength=count).astype(np.float64)
        self.left = np.full(count, np.iinfo(np.int64).max)
        self.top = self.left.copy()
        self.right = np.full(count, -1)
        self.bottom = self.right.copy()
        np.minimum.at(self.left, labels, xs)
        np.minimum.at(self.top, labels, ys)
        np.maximum.at(self.right, labels, xs)
        np.maximum.at(self.bottom, labels, ys)
        self.labels, self.ys, self.xs = labels, ys, xs


def _mark_components(keep: np.ndarray, seed: np.ndarray, accept) -> None:
    """Set ``keep`` on the pixels of the 8-connected components of ``seed`` that ``accept`` passes."""
    ys, xs = _where(seed)
    if ys.size == 0:
        return
    count, labels = cv2.connectedComponents(seed, connectivity=8)
    lab = labels[ys, xs]
    ok = accept(_Stats(lab, ys, xs, count))
    ok[0] = False
    chosen = ok[lab]
    keep[ys[chosen], xs[chosen]] = 1


def _is_line(stats: _Stats, scale: float, shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    w = stats.right - stats.left + 1
    h = stats.bottom - stats.top + 1
    area = np.maximum(stats.area, 1.0)
    diagonal = np.hypot(w, h)
    thin = area / np.maximum(diagonal, 1.0) <= _LINE_WIDTH * scale
    long = diagonal * diagonal / area >= _LINE_ELONGATION
    margin, narrow = _BORDER * scale, 2 * _LINE_WIDTH * scale
    hugs_side = (w <= narrow) & ((stats.left <= margin) | (stats.right + 1 >= width - margin))
    hugs_top = (h <= narrow) & ((stats.top <= margin) | (stats.bottom + 1 >= height - margin))
    # A frame (a printed border, a rounded mat, the edge of the scanned print) keeps close to the
    # photo's border all along, where a scratch only starts or ends there.
    to_border = np.minimum(np.minimum(stats.ys, height - 1 - stats.ys), np.minimum(stats.xs, width - 1 - stats.xs))
    mean_to_border = np.bincount(stats.labels, weights=to_border, minlength=area.size) / area
    frame = mean_to_border <= _FRAME_BAND * min(height, width)
    return thin & long & ~hugs_side & ~hugs_top & ~frame
