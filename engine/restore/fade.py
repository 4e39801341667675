"""Faded prints: a levels stretch from robust percentiles, and optional local contrast (CLAHE).

A faded print has lifted blacks and dull whites: its darkest and lightest 0.5% of pixels sit far
from 0 and 255. The stretch maps those percentiles toward 0 and 255 with one lookup table, so the
order of the gray levels is kept and no pixel is invented. The gain is capped so a photo that is
nearly uniform (fog, a blank wall) is not blown up into noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from engine.restore.settings import FadeSettings

LOW_PERCENTILE = 0.5
HIGH_PERCENTILE = 99.5
MAX_GAIN = 3.0
# Less stretch than this (gray levels at either end) is left alone: the photo is not faded.
MIN_STRETCH = 3.0


def tonal_range(gray: np.ndarray) -> tuple[int, int]:
    """The gray levels at the 0.5th and 99.5th percentiles of uint8 ``HxW`` gray."""
    histogram = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(histogram) / max(histogram.sum(), 1.0)
    low = int(np.searchsorted(cumulative, LOW_PERCENTILE / 100.0))
    high = int(np.searchsorted(cumulative, HIGH_PERCENTILE / 100.0))
    return low, max(high, low)


def stretch_table(low: int, high: int, strength: float) -> np.ndarray | None:
    """The uint8 lookup table taking ``low``..``high`` part of the way (``strength``) to 0..255.

    None when the stretch would move either end by less than ``MIN_STRETCH`` levels.
    """
    target_low = low * (1.0 - strength)
    target_high = high + (255.0 - high) * strength
    span = max(high - low, 1)
    gain = min((target_high - target_low) / span, MAX_GAIN)
    # Keep the middle of the range where it is when the gain is capped.
    centre_in, centre_out = (low + high) / 2.0, (target_low + target_high) / 2.0
    levels = np.arange(256, dtype=np.float32)
    table = np.clip(np.round(centre_out + (levels - centre_in) * gain), 0, 255)
    if abs(table[low] - low) < MIN_STRETCH and abs(table[high] - high) < MIN_STRETCH:
        return None
    return table.astype(np.uint8)


def repair_fade(gray: np.ndarray, settings: FadeSettings) -> tuple[np.ndarray, list[str]]:
    """Stretch and (if asked) locally equalize uint8 ``HxW`` gray; returns it and the steps taken."""
    steps = []
    out = gray
    table = stretch_table(*tonal_range(gray), settings.strength)
    if table is not None:
        out = cv2.LUT(out, table)
        steps.append("fade")
    if settings.local_contrast > 0:
        # Clip limit 1 is plain contrast-limited equalization at its mildest; 3 is strong.
        clahe = cv2.createCLAHE(clipLimit=1.0 + 2.0 * settings.local_contrast, tileGridSize=(8, 8))
        out = clahe.apply(out)
        steps.append("local-contrast")
    return (out if out is not gray else gray.copy()), steps
