"""Old-photo realism for the gray input: real scans are faded, soft, grainy, dusty and scratched, and a
model trained only on clean gray from color photos has never seen that. :func:`age_gray` applies a random
mix of those defects to a training photo's gray input (the color target stays clean), so the model learns
to color through them instead of coloring them.

Images are gray uint8 ``HxW``; randomness comes from a ``numpy.random.Generator`` so a seeded run repeats.
"""

from __future__ import annotations

import numpy as np


def fade(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lower contrast around a lifted black and a dimmed white (a faded print). float ``HxW`` 0..255."""
    low = rng.uniform(0, 45)
    high = rng.uniform(200, 255)
    return low + gray.astype(np.float32) * (high - low) / 255.0


def blur(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian blur of sigma 0.5 to 1.4 px (a soft lens, a copy of a copy), edges replicated."""
    sigma = rng.uniform(0.5, 1.4)
    taps = np.arange(-3, 4, dtype=np.float32)
    kernel = np.exp(-0.5 * (taps / sigma) ** 2)
    kernel /= kernel.sum()
    out = np.pad(gray.astype(np.float32), 3, mode="edge")
    out = sum(k * out[:, 3 + int(t) : out.shape[1] - 3 + int(t)] for k, t in zip(kernel, taps, strict=True))
    return sum(k * out[3 + int(t) : out.shape[0] - 3 + int(t), :] for k, t in zip(kernel, taps, strict=True))


def grain(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Film grain: Gaussian noise of sigma 2 to 9 levels, slightly clumped (half-pixel blur)."""
    noise = rng.normal(0, rng.uniform(2, 9), gray.shape).astype(np.float32)
    noise = 0.7 * noise + 0.3 * np.roll(noise, 1, axis=1)
    return gray.astype(np.float32) + noise


def dust(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few specks of 1 to 2 px, light or dark."""
    out = gray.astype(np.float32).copy()
    h, w = out.shape
    for _ in range(int(rng.integers(3, 25))):
        y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
        r = int(rng.integers(1, 3))
        out[max(0, y - r + 1) : y + r, max(0, x - r + 1) : x + r] = rng.choice(
            [rng.uniform(200, 255), rng.uniform(0, 50)]
        )
    return out


def scratches(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One to three thin, nearly vertical light scratches (1 px wide, partly transparent)."""
    out = gray.astype(np.float32).copy()
    h, w = out.shape
    for _ in range(int(rng.integers(1, 4))):
        x0, slope = rng.uniform(0, w), rng.uniform(-0.15, 0.15)
        y0, y1 = sorted(int(v) for v in rng.integers(0, h, size=2))
        y1 = max(y1, y0 + h // 4)
        alpha = rng.uniform(0.4, 0.9)
        ys = np.arange(y0, min(y1, h))
        xs = np.clip(np.round(x0 + slope * (ys - y0)).astype(int), 0, w - 1)
        out[ys, xs] = (1 - alpha) * out[ys, xs] + alpha * 235.0
    return out


# Each defect with the chance that an aged photo gets it (independently), in the order they happen:
# the print fades, dust and scratches land on it, the copy is soft and grainy.
DEFECTS = ((fade, 0.6), (dust, 0.4), (scratches, 0.3), (blur, 0.5), (grain, 0.7))


def age_gray(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``gray`` (uint8 ``HxW``) with a random mix of the defects (at least one). Returns uint8 ``HxW``."""
    chosen = [f for f, p in DEFECTS if rng.random() < p] or [DEFECTS[int(rng.integers(0, len(DEFECTS)))][0]]
    out = gray.astype(np.float32)
    for defect in chosen:
        out = defect(out, rng)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)
