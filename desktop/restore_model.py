"""What the app keeps of one photo's restoration, as plain data (no Qt): whether it is on, its settings, and
the user's brush strokes on the defect mask.

The edits are kept as strokes (a few points and a radius each), not as a full-size mask: they cost a few
bytes, survive a change of the detection's strength (the strokes are painted over the new detection), and
are painted again at full resolution when saving, which reads the photo afresh (the queue keeps no
full-size arrays). ``defect_mask`` and :class:`MaskedRestoration` give the worker and saving the same mask.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.images import LoadedImage
from engine.pipeline import Pipeline
from engine.restore import (
    RestoreResult,
    RestoreSettings,
    detect_defects,
    restore,
)

Point = tuple[float, float]  # (x, y) in photo pixels


@dataclass(frozen=True)
class Stroke:
    """One drag of the brush: ``points`` (x, y) in photo pixels, ``radius`` in photo pixels; ``add`` paints
    the area into the defect mask, else erases it."""

    points: tuple[Point, ...]
    radius: float
    add: bool = True

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("a stroke needs at least one point")
        if self.radius <= 0:
            raise ValueError(f"brush radius must be positive, not {self.radius}")


@dataclass(frozen=True)
class RestoreState:
    """One photo's restoration: off by default (the photo is colorized as it is)."""

    enabled: bool = False
    settings: RestoreSettings = field(default_factory=RestoreSettings)
    strokes: tuple[Stroke, ...] = ()

    @property
    def brush_allowed(self) -> bool:
        """Mask edits only mean something while dust and scratch removal runs."""
        return self.enabled and self.settings.dust.enabled

    def with_stroke(self, stroke: Stroke) -> RestoreState:
        return dataclasses.replace(self, strokes=(*self.strokes, stroke))


def paint_strokes(mask: np.ndarray, strokes: tuple[Stroke, ...]) -> np.ndarray:
    """``mask`` (bool ``HxW``) with ``strokes`` painted in order (round brush, segments joined); a copy."""
    out = mask.astype(np.uint8)
    for stroke in strokes:
        value = 1 if stroke.add else 0
        radius = max(1, round(stroke.radius))
        points = [(round(x), round(y)) for x, y in stroke.points]
        for point in points:
            cv2.circle(out, point, radius, value, thickness=-1)
        for start, end in itertools.pairwise(points):
            cv2.line(out, start, end, value, thickness=2 * radius + 1)
    return out.astype(bool)


def defect_mask(gray: np.ndarray, state: RestoreState) -> np.ndarray:
    """The mask restoration fills in for ``state``: the detected defects (exactly as ``restore`` finds
    them) with the user's strokes painted over. bool ``HxW``; all False when dust removal is off."""
    settings = state.settings
    if not settings.dust.enabled:
        return np.zeros(gray.shape, bool)
    return paint_strokes(detect_defects(gray, settings.dust), state.strokes)


def restore_gray(gray: np.ndarray, state: RestoreState) -> RestoreResult:
    """Restore uint8 ``HxW`` gray as ``state`` says (with the user's mask when there are strokes)."""
    if state.strokes and state.settings.dust.enabled:
        return restore(gray, state.settings, mask=defect_mask(gray, state))
    return restore(gray, state.settings)


@dataclass(frozen=True)
class MaskedRestoration:
    """A pipeline restore step (``engine.pipeline.RestoreStep``) for one photo's state, edits included:
    what saving runs, so the stamp lists the steps the restoration made."""

    state: RestoreState

    @property
    def name(self) -> str:
        return "restore"

    def restore(self, gray: np.ndarray) -> RestoreResult:
        return restore_gray(gray, self.state)


def restored_image(image: LoadedImage, state: RestoreState | None) -> LoadedImage:
    """``image`` with its gray restored (``image.restored`` lists the steps); as it is when ``state`` is
    None or off."""
    if state is None or not state.enabled:
        return image
    return Pipeline(models=(), restore=(MaskedRestoration(state),)).restored(image)


class RestoreBook:
    """Every queued photo's restore state, by item id (photos never touched are off)."""

    def __init__(self) -> None:
        self._states: dict[int, RestoreState] = {}

    def get(self, item_id: int) -> RestoreState:
        return self._states.get(item_id, RestoreState())

    def set(self, item_id: int, state: RestoreState) -> None:
        self._states[item_id] = state

    def discard(self, item_id: int) -> None:
        self._states.pop(item_id, None)
