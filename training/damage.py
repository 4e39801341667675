"""A seeded generator of old-photo damage: what the defect detector learns from
(``python -m training defects``), and what the restoration tests and benchmarks measure against.

Damage, in the order it happens to a print: film grain (Gaussian, optionally clumped), fading
(contrast loss with lifted blacks), then dust specks and thin scratches, each blended toward paper
white or toward black. The specks' and scratches' sizes grow with the image (a dust speck covers
more pixels of a 12 MP scan than of a 256 px thumbnail). ``Damaged.defects`` is the ground truth
the detector should find: the pixels a speck or scratch moved by at least ``TRUTH_LEVELS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A pixel belongs to the true defect mask when a speck or scratch moved it by this many gray levels.
TRUTH_LEVELS = 12.0


@dataclass(frozen=True)
class DamageSpec:
    """What to do to a clean photo.

    ``specks``: dust specks per 10,000 pixels (at 256 px scale; the count grows with the area).
    ``scratches``: thin scratches per 256 px of the image's diagonal.
    ``grain``: standard deviation of the grain in gray levels (0 = none).
    ``grain_size``: Gaussian blur of the grain in pixels (0 = white noise, film grain clumps at ~1).
    ``fade``: 0 = none, 1 = strong (blacks lifted to about 90, whites dulled to about 190).
    ``cracks``: crack networks per 256 px of the image's diagonal (0 = none, the default): jagged,
    branching lines where a print's emulsion split, nearly always showing the paper (bright).
    """

    specks: float = 3.0
    scratches: float = 2.0
    grain: float = 6.0
    grain_size: float = 0.0
    fade: float = 0.0
    cracks: float = 0.0


@dataclass(frozen=True)
class Damaged:
    """``gray``: the damaged uint8 ``HxW``; ``defects``: bool ``HxW``, the true speck/scratch pixels."""

    gray: np.ndarray
    defects: np.ndarray


def _scale(shape: tuple[int, int]) -> float:
    """Defect sizes in pixels grow with the image: 1 up to 256 px, about 3.4 for a 12 MP scan."""
    return max(1.0, min(shape) / 256.0) ** 0.5


def _draw_specks(alpha: np.ndarray, rng: np.random.Generator, count: int, scale: float) -> None:
    height, width = alpha.shape
    reach = int(np.ceil(5 * scale)) + 2  # half the side of the patch a speck is drawn in
    for _ in range(count):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        strength = rng.uniform(0.55, 1.0)
        x0, y0 = max(cx - reach, 0), max(cy - reach, 0)
        patch = alpha[y0 : min(cy + reach, height), x0 : min(cx + reach, width)]
        canvas = np.zeros(patch.shape, np.uint8)
        # A speck is one to three overlapping ellipses: dust is rarely round.
        for _ in range(int(rng.integers(1, 4))):
            centre = (cx - x0 + rng.normal(0, scale), cy - y0 + rng.normal(0, scale))
            axes = (rng.uniform(0.6, 2.2) * scale, rng.uniform(0.6, 2.2) * scale)
            _ellipse(canvas, centre, axes, rng.uniform(0, 180))
        np.maximum(patch, canvas.astype(np.float32) * (strength / 255.0), out=patch)


def _ellipse(canvas: np.ndarray, centre: tuple[float, float], axes: tuple[float, float], angle: float) -> None:
    """An anti-aliased filled ellipse (value 255) drawn with 4 bits of sub-pixel precision."""
    c = (round(centre[0] * 16), round(centre[1] * 16))
    a = (max(1, round(axes[0] * 16)), max(1, round(axes[1] * 16)))
    cv2.ellipse(canvas, c, a, angle, 0, 360, 255, -1, cv2.LINE_AA, 4)


def _draw_scratches(alpha: np.ndarray, rng: np.random.Generator, count: int, scale: float) -> None:
    height, width = alpha.shape
    diagonal = float(np.hypot(height, width))
    for _ in range(count):
        length = rng.uniform(0.15, 0.7) * diagonal
        steps = max(4, int(length / (8 * scale)))
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        # Film scratches run mostly along one direction, prints' in any; both bend a little.
        heading = rng.uniform(0, np.pi) if rng.random() < 0.6 else np.pi / 2 + rng.normal(0, 0.15)
        points = [(x, y)]
        for _ in range(steps):
            heading += rng.normal(0, 0.08)
            x += np.cos(heading) * length / steps
            y += np.sin(heading) * length / steps
            points.append((x, y))
        thickness = max(1, round(rng.uniform(0.8, 2.4) * scale))
        canvas = np.zeros(alpha.shape, np.uint8)
        pts = np.round(np.array(points) * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_AA, 4)
        np.maximum(alpha, canvas.astype(np.float32) / 255.0 * rng.uniform(0.5, 0.95), out=alpha)


def _draw_cracks(alpha: np.ndarray, rng: np.random.Generator, count: int, scale: float) -> None:
    """Crack networks: a jagged trunk with branches that fork off it at steep angles, and so on."""
    height, width = alpha.shape
    diagonal = float(np.hypot(height, width))
    for _ in range(count):
        canvas = np.zeros(alpha.shape, np.uint8)
        thickness = max(1, round(rng.uniform(0.8, 4.0) * scale))
        start = (rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0, 2 * np.pi))
        todo = [(*start, rng.uniform(0.1, 0.4) * diagonal)]
        branches = 0
        while todo and branches < 24:
            x, y, heading, length = todo.pop()
            branches += 1
            step = max(2.0, rng.uniform(2.0, 5.0) * scale)
            points = [(x, y)]
            for _ in range(max(2, int(length / step))):
                heading += rng.normal(0, 0.1)  # the crack keeps its course, but each step zigzags
                turn = heading + rng.normal(0, 0.6)
                x += np.cos(turn) * step
                y += np.sin(turn) * step
                points.append((x, y))
                if rng.random() < 0.08 and length > 12 * scale:
                    fork = heading + rng.choice([-1, 1]) * rng.uniform(0.5, 1.4)
                    todo.append((x, y, fork, length * rng.uniform(0.2, 0.6)))
            pts = np.round(np.array(points) * 16).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_AA, 4)
        np.maximum(alpha, canvas.astype(np.float32) / 255.0 * rng.uniform(0.6, 1.0), out=alpha)


def damage(gray: np.ndarray, spec: DamageSpec = DamageSpec(), *, seed: int, scale: float | None = None) -> Damaged:
    """Damage a clean uint8 ``HxW`` gray photo as ``spec`` says; the same seed gives the same damage.

    ``scale``: the defects' size unit in pixels; None takes it from the image's size (a crop of a
    big scan passes the scan's, so its defects are the size they would be on the whole scan).
    """
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError(f"expected uint8 HxW gray, got {gray.dtype} {gray.shape}")
    rng = np.random.default_rng(seed)
    shape = gray.shape
    scale = _scale(shape) if scale is None else float(scale)
    out = gray.astype(np.float32)
    if spec.grain > 0:
        noise = rng.standard_normal(shape, dtype=np.float32)
        if spec.grain_size > 0:
            noise = cv2.GaussianBlur(noise, (0, 0), spec.grain_size)
            noise /= max(float(noise.std()), 1e-6)
        out += noise * spec.grain
    if spec.fade > 0:
        low, high = 90.0 * spec.fade, 255.0 - 65.0 * spec.fade
        out = low + np.clip(out, 0, 255) * ((high - low) / 255.0)
    before = out.copy()
    area_units = shape[0] * shape[1] / (scale * scale) / 10_000.0
    for target in (255.0, 0.0):  # bright (emulsion lost, paper shows) and dark (dust, dirt)
        alpha = np.zeros(shape, np.float32)
        _draw_specks(alpha, rng, int(rng.poisson(spec.specks * area_units / 2)), scale)
        diagonal_units = float(np.hypot(*shape)) / (256.0 * scale)
        _draw_scratches(alpha, rng, int(rng.poisson(spec.scratches * diagonal_units / 2)), scale)
        if spec.cracks > 0:  # (no draws from rng otherwise: damage without cracks stays as it was)
            share = 0.9 if target == 255.0 else 0.1
            _draw_cracks(alpha, rng, int(rng.poisson(spec.cracks * diagonal_units * share)), scale)
        np.clip(alpha, 0.0, 1.0, out=alpha)
        out = out * (1.0 - alpha) + target * alpha
    defects = np.abs(out - before) >= TRUTH_LEVELS
    return Damaged(gray=np.clip(np.round(out), 0, 255).astype(np.uint8), defects=defects)
