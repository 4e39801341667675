"""The color corrections of one photo as plain data: per result, its color hints and color controls.

No Qt here: a :class:`PhotoEdits` rides on its queue item (``QueueItem.edits``), so the corrections stay
with the photo while the user moves through the queue, and saving reads them to apply the same
corrections at full resolution. Values are immutable: an edit replaces a model's :class:`ResultEdits`,
so undo keeps the value before and after (``desktop/controllers/hints.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from engine.adjust import ColorControls, ColorHint

HINT_RADIUS = 2.0  # photo pixels: the seed of a clicked point (engine.adjust's radius)


@dataclass(frozen=True)
class ResultEdits:
    """One result's corrections: ``hints`` (photo pixels, upright photo) and ``controls``."""

    hints: tuple[ColorHint, ...] = ()
    controls: ColorControls = field(default_factory=ColorControls)

    @property
    def neutral(self) -> bool:
        """Nothing to change: the model's own colors."""
        return not self.hints and self.controls.neutral

    def added(self, hint: ColorHint) -> ResultEdits:
        return replace(self, hints=(*self.hints, hint))

    def moved(self, index: int, x: float, y: float) -> ResultEdits:
        hints = list(self.hints)
        hints[index] = replace(hints[index], x=x, y=y)
        return replace(self, hints=tuple(hints))

    def recolored(self, index: int, rgb: tuple[int, int, int]) -> ResultEdits:
        hints = list(self.hints)
        hints[index] = replace(hints[index], rgb=rgb)
        return replace(self, hints=tuple(hints))

    def removed(self, index: int) -> ResultEdits:
        return replace(self, hints=self.hints[:index] + self.hints[index + 1 :])

    def with_controls(self, controls: ColorControls) -> ResultEdits:
        return replace(self, controls=controls)


NONE = ResultEdits()


@dataclass
class PhotoEdits:
    """The corrections of every result of one photo, by model id (a result never edited has none)."""

    by_model: dict[str, ResultEdits] = field(default_factory=dict)

    def of(self, model_id: str) -> ResultEdits:
        return self.by_model.get(model_id, NONE)

    def set(self, model_id: str, edits: ResultEdits) -> None:
        if edits.neutral:
            self.by_model.pop(model_id, None)
        else:
            self.by_model[model_id] = edits

    def edited(self) -> dict[str, ResultEdits]:
        """The results with corrections (what saving must apply)."""
        return {mid: e for mid, e in self.by_model.items() if not e.neutral}


def nearest_hint(hints: tuple[ColorHint, ...], x: float, y: float, within: float) -> int | None:
    """Index of the hint nearest to (``x``, ``y``) no farther than ``within`` photo pixels, else None."""
    best, best_d = None, within * within
    for index, hint in enumerate(hints):
        d = (hint.x - x) ** 2 + (hint.y - y) ** 2
        if d <= best_d:
            best, best_d = index, d
    return best
