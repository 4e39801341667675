"""The optional pipeline steps Tintype ships: restoration before colorizing, color correction after.

Each is a frozen value holding its settings, so one instance serves every photo of a batch (and any
thread): :class:`Restoration` is a :class:`~engine.pipeline.RestoreStep` wrapping
:func:`engine.restore.restore`; :class:`ColorAdjustment` an :class:`~engine.pipeline.AdjustStep`
applying color controls and color hints (:mod:`engine.adjust`) to each model's chroma.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from engine.adjust import ColorControls, ColorHint, adjust_chroma
from engine.color import recombine
from engine.colorize import ModelResult
from engine.errors import HintsError
from engine.images import LoadedImage
from engine.restore import RestoreResult, RestoreSettings, restore


@dataclass(frozen=True)
class Restoration:
    """Dust and scratches, grain and fading (:class:`~engine.restore.RestoreSettings`; the default is
    the automatic mode). Returns engine.restore's result, whose ``steps_applied`` (the changes it
    actually made) go into the stamp."""

    settings: RestoreSettings = field(default_factory=RestoreSettings)

    @property
    def name(self) -> str:
        return "restore"

    def restore(self, gray: np.ndarray) -> RestoreResult:
        return restore(gray, self.settings)


@dataclass(frozen=True)
class ColorAdjustment:
    """Color controls, then color hints, on each model's chroma; the gray (restored or not) is kept
    exactly. Does nothing when there are no hints and the controls are neutral: the result is the
    model's, unchanged. The hints and controls are recorded on the result for the stamp."""

    hints: tuple[ColorHint, ...] = ()
    controls: ColorControls = field(default_factory=ColorControls)

    @property
    def name(self) -> str:
        return "adjust color"

    @property
    def neutral(self) -> bool:
        return not self.hints and self.controls.neutral

    def adjust(self, image: LoadedImage, result: ModelResult) -> ModelResult:
        """``result`` with its colors corrected: recombined from its corrected chroma (:class:`HintsError`
        when a hint lies outside the photo, or when the result carries no chroma to correct)."""
        if self.neutral:
            return result
        if result.chroma is None:
            raise HintsError(f"{result.model_id}: this result has no model colors to correct")
        chroma = adjust_chroma(image.gray, result.chroma, hints=self.hints, controls=self.controls)
        return dataclasses.replace(
            result, rgb=recombine(image.gray, chroma), chroma=chroma, hints=self.hints, controls=self.controls
        )
