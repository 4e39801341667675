"""The colorizing pipeline: load -> [restore] -> colorize -> [adjust color] -> stamp -> save.

Every front end runs photos through here (the command line, the app, the self-test, the benchmarks,
evaluation), so a step added here reaches all of them. Optional steps plug in at two places, each
without touching the others:

- :class:`RestoreStep`: gray in, gray out, on the full-resolution gray before any model sees it
  (scratches, noise). What it returns is what the models colorize and the luminance the results keep:
  with restoration on, "the gray is kept exactly" means the *restored* gray (the photo's own gray is
  only changed by the restoration a person asked for, and the stamp lists its steps).
- :class:`AdjustStep`: after colorizing, once per model result (color hints, saturation).

The steps Tintype ships are in :mod:`engine.steps` (restoration, color hints and controls).

Saving is one sequence, :func:`save_colorized` (:func:`save_restored_gray` for the restored gray):
plan the path, pick the format, stamp, write atomically. A batch of photos is :func:`engine.batch.run_batch`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.colorize import (
    CancelCheck,
    ColorizeResult,
    ModelResult,
    ProgressCallback,
    colorize,
)
from engine.errors import CancelledError, TintypeError
from engine.formats import SAME, format_for_target, output_format
from engine.images import DEFAULT_MAX_PIXELS, LoadedImage, load_image
from engine.registry import LoadedModel
from engine.saving import plan_output, save_restored, save_result

log = logging.getLogger(__name__)


class RestoredGray(Protocol):
    """A restore step's gray with what it did: ``steps_applied`` names the changes made, for the stamp
    (``engine.restore.RestoreResult`` is one)."""

    @property
    def gray(self) -> np.ndarray: ...

    @property
    def steps_applied(self) -> tuple[str, ...]: ...


class RestoreStep(Protocol):
    """Restoration before colorizing: uint8 gray ``HxW`` in, uint8 gray ``HxW`` of the same shape out,
    either as the array (the stamp then lists the step's name) or as a :class:`RestoredGray` that says
    which changes it made (none: the stamp lists nothing)."""

    @property
    def name(self) -> str: ...

    def restore(self, gray: np.ndarray) -> np.ndarray | RestoredGray: ...


class AdjustStep(Protocol):
    """Color adjustment after colorizing, once per model: ``result.rgb`` uint8 ``HxWx3`` at the photo's
    full size in, a result of the same shape out. ``image`` is the photo as colorized (restored)."""

    @property
    def name(self) -> str: ...

    def adjust(self, image: LoadedImage, result: ModelResult) -> ModelResult: ...


@dataclass(frozen=True)
class SaveOptions:
    """Where and how results are written."""

    folder: Path | None = None  # None: next to each photo
    format: str = SAME  # a FORMAT_CHOICES entry; "same": the photo's own if it can carry the stamp, else PNG
    overwrite: bool = False  # replace an existing file (never the original photo)
    keep_exif: bool = True  # copy the photo's EXIF and XMP into the result
    quality: int | None = None  # JPEG/WebP quality 1..100; None: the format's own (JPEG 95)


@dataclass(frozen=True)
class OutputPlan:
    """Where one result goes: ``path``, written as ``fmt`` (a Pillow format name from engine.formats)."""

    path: Path
    fmt: str


def plan_save(
    image: LoadedImage, model_id: str | None, options: SaveOptions, *, target: Path | None = None
) -> OutputPlan:
    """Plan one model's result (``model_id`` None: the restored gray): ``target`` when a person chose the
    file (its extension picks the format, else ``options.format``), otherwise
    :func:`engine.saving.plan_output` in ``options.folder``."""
    if target is not None:
        target = Path(target)
        return OutputPlan(target, format_for_target(image.format, target, options.format))
    fmt = output_format(image.format, options.format)
    return OutputPlan(plan_output(image.path, model_id, fmt, folder=options.folder), fmt)


def save_colorized(
    image: LoadedImage, result: ModelResult, options: SaveOptions, *, target: Path | None = None
) -> Path:
    """The save sequence, the one every front end uses: plan the path, pick the format, stamp, write
    atomically. Returns the path written; :class:`~engine.errors.OutputError` says why not."""
    plan = plan_save(image, result.model_id, options, target=target)
    return save_result(
        image,
        result,
        plan.path,
        fmt=plan.fmt,
        overwrite=options.overwrite,
        keep_exif=options.keep_exif,
        quality=options.quality,
    )


def save_restored_gray(image: LoadedImage, options: SaveOptions, *, target: Path | None = None) -> Path:
    """:func:`save_colorized`'s sequence for the restored gray itself (``<stem>.restored.<ext>``,
    stamped as algorithmically enhanced with the steps in ``image.restored``)."""
    plan = plan_save(image, None, options, target=target)
    return save_restored(
        image,
        plan.path,
        fmt=plan.fmt,
        overwrite=options.overwrite,
        keep_exif=options.keep_exif,
        quality=options.quality,
    )


@dataclass(frozen=True)
class StageTimings:
    """Seconds spent on one photo, by stage (the end-to-end benchmark reports these)."""

    load: float = 0.0  # read and decode
    restore: float = 0.0
    colorize: float = 0.0  # every model, wall time, inference included
    inference: float = 0.0  # the models' own run time, summed
    adjust: float = 0.0
    save: float = 0.0  # stamp, encode and atomic write of every result

    @property
    def color_math(self) -> float:
        """Colorizing outside the models: letterboxing, color conversion, recombining with the gray."""
        return self.colorize - self.inference

    @property
    def total(self) -> float:
        return self.load + self.restore + self.colorize + self.adjust + self.save


@dataclass(frozen=True)
class PhotoRun:
    """One photo through the whole pipeline. ``result.image`` is the photo as colorized (restored)."""

    image: LoadedImage
    result: ColorizeResult
    written: tuple[Path, ...]
    timings: StageTimings


@dataclass(frozen=True)
class Pipeline:
    """The steps one photo goes through, in order (see :attr:`steps`). ``keep_restored`` also saves the
    restored gray (``<stem>.restored.<ext>``); with no models that is all that is saved
    (``tintype restore``)."""

    models: tuple[LoadedModel, ...]
    restore: tuple[RestoreStep, ...] = ()
    adjust: tuple[AdjustStep, ...] = ()
    output: SaveOptions = SaveOptions()
    max_pixels: int = DEFAULT_MAX_PIXELS  # the one pixel limit of a photo (--max-megapixels)
    keep_restored: bool = False

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names in order, e.g. ``("load", "colorize", "stamp", "save")``."""
        colorize = ("colorize", *(s.name for s in self.adjust)) if self.models else ()
        return ("load", *(s.name for s in self.restore), *colorize, "stamp", "save")

    def load(self, path: str | os.PathLike) -> LoadedImage:
        """Read one photo (:class:`~engine.errors.ImageLoadError` with a one-line reason)."""
        return load_image(path, max_pixels=self.max_pixels)

    def restored(self, image: LoadedImage, *, cancelled: CancelCheck | None = None) -> LoadedImage:
        """``image`` with its gray passed through every restore step (the same image when there are none);
        ``image.restored`` lists the changes made, in order."""
        for step in self.restore:
            _check(cancelled)
            out = step.restore(image.gray)
            gray, applied = (out, (step.name,)) if isinstance(out, np.ndarray) else (out.gray, tuple(out.steps_applied))
            if gray.dtype != np.uint8 or gray.shape != image.gray.shape:
                raise ValueError(
                    f"restore step '{step.name}' returned {gray.dtype} {gray.shape}, not uint8 {image.gray.shape}"
                )
            image = dataclasses.replace(image, gray=gray, restored=(*image.restored, *applied))
        return image

    def adjusted(self, result: ColorizeResult, *, cancelled: CancelCheck | None = None) -> ColorizeResult:
        """``result`` with each model's colors passed through every adjust step."""
        if not self.adjust:
            return result
        results = dict(result.results)
        for step in self.adjust:
            _check(cancelled)
            results = {mid: step.adjust(result.image, r) for mid, r in results.items()}
        return dataclasses.replace(result, results=results)

    def colorize(
        self,
        image: LoadedImage,
        *,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
    ) -> ColorizeResult:
        """Everything before stamping: restore, colorize with every model, adjust.

        ``progress(done, total, model_id)`` after each model; ``cancelled()`` is checked before each
        step and model and raises :class:`~engine.errors.CancelledError` when it returns True.
        A model that fails for this photo (it does not run, or its output breaks the contract) is
        left out and named in ``failures``, the others go on; when every model fails, the first
        failure is raised.
        """
        return self._colorize(image, progress=progress, cancelled=cancelled)[0]

    def write(
        self,
        result: ColorizeResult,
        *,
        on_saved: Callable[[Path], None] | None = None,
        targets: Mapping[str | None, Path] | None = None,
    ) -> tuple[Path, ...]:
        """Stamp and save each model's result in turn (:func:`save_colorized` with :attr:`output`), after
        the restored gray when :attr:`keep_restored`; the paths written. A failure raises and stops
        there; ``on_saved(path)`` after each file lets a caller count the files written before it.
        ``targets`` (model id, or None for the restored gray -> path) replaces the planned names (a
        batch's, see :mod:`engine.batch`)."""
        targets = targets or {}
        written: list[Path] = []
        if self.keep_restored:
            written.append(save_restored_gray(result.image, self.output, target=targets.get(None)))
            if on_saved is not None:
                on_saved(written[-1])
        for model_id, model_result in result.results.items():
            written.append(save_colorized(result.image, model_result, self.output, target=targets.get(model_id)))
            if on_saved is not None:
                on_saved(written[-1])
        return tuple(written)

    def run(
        self,
        path: str | os.PathLike,
        *,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
        on_saved: Callable[[Path], None] | None = None,
        targets: Mapping[str | None, Path] | None = None,
    ) -> PhotoRun:
        """One photo through every step, timed (``on_saved``, ``targets``: see :meth:`write`)."""
        started = time.perf_counter()
        image = self.load(path)
        loaded = time.perf_counter()
        result, timings = self._colorize(image, progress=progress, cancelled=cancelled)
        colorized = time.perf_counter()
        written = self.write(result, on_saved=on_saved, targets=targets)
        timings = dataclasses.replace(timings, load=loaded - started, save=time.perf_counter() - colorized)
        return PhotoRun(image=image, result=result, written=written, timings=timings)

    def _colorize(
        self, image: LoadedImage, *, progress: ProgressCallback | None, cancelled: CancelCheck | None
    ) -> tuple[ColorizeResult, StageTimings]:
        started = time.perf_counter()
        image = self.restored(image, cancelled=cancelled)
        restored = time.perf_counter()
        errors: list[TintypeError] = []
        raw = colorize(
            image,
            self.models,
            progress=progress,
            cancelled=cancelled,
            on_model_error=lambda _model_id, exc: errors.append(exc),
        )
        if errors and not raw.results:
            raise errors[0]
        colorized = time.perf_counter()
        result = self.adjusted(raw, cancelled=cancelled)
        timings = StageTimings(
            restore=restored - started,
            colorize=colorized - restored,
            inference=sum(r.inference_seconds for r in raw.results.values()),
            adjust=time.perf_counter() - colorized,
        )
        return result, timings


def _check(cancelled: CancelCheck | None) -> None:
    if cancelled is not None and cancelled():
        raise CancelledError("cancelled")
