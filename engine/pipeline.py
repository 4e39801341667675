"""The colorizing pipeline: load -> [restore] -> colorize -> [adjust color] -> stamp -> save.

Every front end runs photos through here (the command line, the app, the self-test, the benchmarks,
evaluation), so a step added here reaches all of them. Optional steps plug in at two places, each
without touching the others:

- :class:`RestoreStep`: gray in, gray out, on the full-resolution gray before any model sees it
  (scratches, noise). What it returns is what the models colorize and the luminance the results keep.
- :class:`AdjustStep`: after colorizing, once per model result (color hints, saturation).

Saving is one sequence, :func:`save_colorized`: plan the path, pick the format, stamp, write atomically.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.batch import BatchPlanner
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
from engine.saving import plan_output, save_result

log = logging.getLogger(__name__)


class RestoreStep(Protocol):
    """Restoration before colorizing: uint8 gray ``HxW`` in, uint8 gray ``HxW`` of the same shape out."""

    @property
    def name(self) -> str: ...

    def restore(self, gray: np.ndarray) -> np.ndarray: ...


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


def plan_save(image: LoadedImage, model_id: str, options: SaveOptions, *, target: Path | None = None) -> OutputPlan:
    """Plan one model's result: ``target`` when a person chose the file (its extension picks the format,
    else ``options.format``), otherwise :func:`engine.saving.plan_output` in ``options.folder``."""
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
    return save_result(image, result, plan.path, fmt=plan.fmt, overwrite=options.overwrite, keep_exif=options.keep_exif,
                       quality=options.quality)


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
    """The steps one photo goes through, in order (see :attr:`steps`)."""

    models: tuple[LoadedModel, ...]
    restore: tuple[RestoreStep, ...] = ()
    adjust: tuple[AdjustStep, ...] = ()
    output: SaveOptions = SaveOptions()
    max_pixels: int = DEFAULT_MAX_PIXELS  # the one pixel limit of a photo (--max-megapixels)

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names in order, e.g. ``("load", "colorize", "stamp", "save")``."""
        return ("load", *(s.name for s in self.restore), "colorize", *(s.name for s in self.adjust), "stamp", "save")

    def load(self, path: str | os.PathLike) -> LoadedImage:
        """Read one photo (:class:`~engine.errors.ImageLoadError` with a one-line reason)."""
        return load_image(path, max_pixels=self.max_pixels)

    def restored(self, image: LoadedImage, *, cancelled: CancelCheck | None = None) -> LoadedImage:
        """``image`` with its gray passed through every restore step (the same image when there are none)."""
        for step in self.restore:
            _check(cancelled)
            gray = step.restore(image.gray)
            if gray.dtype != np.uint8 or gray.shape != image.gray.shape:
                raise ValueError(
                    f"restore step '{step.name}' returned {gray.dtype} {gray.shape}, "
                    f"not uint8 {image.gray.shape}"
                )
            image = dataclasses.replace(image, gray=gray)
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
        targets: Mapping[str, Path] | None = None,
    ) -> tuple[Path, ...]:
        """Stamp and save each model's result in turn (:func:`save_colorized` with :attr:`output`); the
        paths written. A failure raises and stops at that model; ``on_saved(path)`` after each file
        lets a caller count the files written before it. ``targets`` (model id -> path) replaces the
        planned names (a batch's, see :mod:`engine.batch`)."""
        written: list[Path] = []
        for model_id, model_result in result.results.items():
            target = targets.get(model_id) if targets is not None else None
            written.append(save_colorized(result.image, model_result, self.output, target=target))
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
        targets: Mapping[str, Path] | None = None,
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
        raw = colorize(image, self.models, progress=progress, cancelled=cancelled,
                       on_model_error=lambda _model_id, exc: errors.append(exc))
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


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did: photos tried, failed, skipped (their results all existed), files written,
    wall seconds."""

    photos: int
    failed: int
    written: int
    seconds: float
    skipped: int = 0

    @property
    def done(self) -> int:
        return self.photos - self.failed - self.skipped


def run_batch(
    pipeline: Pipeline,
    paths: Sequence[Path],
    *,
    on_photo: Callable[[int, Path], None] | None = None,
    on_failure: Callable[[Path, str], None] | None = None,
    on_skip: Callable[[Path], None] | None = None,
) -> BatchSummary:
    """Each of ``paths`` through ``pipeline`` in turn, every failure contained to its photo.

    The results of every photo are planned first (:class:`engine.batch.BatchPlanner`: each photo
    gets its own names). Unless ``pipeline.output.overwrite``, a photo whose results all exist is
    skipped before any model runs (``on_skip(path)``), and one with some of them runs only the
    models whose results are missing. ``on_photo(index, path)`` before each photo. Anything that
    fails (unreadable, a model that fails for this photo, a result that cannot be written, out of
    memory, or an error nobody foresaw) goes to ``on_failure(path, reason)`` with a one-line reason,
    once per failure, and the batch goes on.
    """
    started = time.perf_counter()
    failed = written = skipped = 0
    planner = BatchPlanner([m.model_id for m in pipeline.models], folder=pipeline.output.folder,
                           format=pipeline.output.format)

    def saved(_path: Path) -> None:
        nonlocal written
        written += 1

    for index, path in enumerate(paths):
        if on_photo is not None:
            on_photo(index, path)
        reasons: list[str] = []
        try:
            plan = planner.plan(path)
            todo = pipeline
            if not pipeline.output.overwrite:
                existing = plan.existing()
                if len(existing) == len(plan.targets):
                    skipped += 1
                    if on_skip is not None:
                        on_skip(path)
                    continue
                if existing:
                    todo = dataclasses.replace(pipeline, models=tuple(m for m in pipeline.models if m.model_id not in existing))
            run = todo.run(path, on_saved=saved, targets=plan.targets)
            reasons = list(run.result.failures.values())
        except TintypeError as exc:
            reasons = [str(exc)]
        except MemoryError:
            reasons = [f"{path}: not enough memory for this image"]
        except Exception as exc:  # one photo's unforeseen failure must not end the batch (logged with -v)
            log.debug("%s failed", path, exc_info=True)
            reasons = [f"{path}: unexpected error ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"]
        if not reasons:
            continue
        failed += 1
        for reason in reasons:
            log.debug("failed: %s", reason)
            if on_failure is not None:
                on_failure(path, reason)
    return BatchSummary(photos=len(paths), failed=failed, written=written, seconds=time.perf_counter() - started,
                        skipped=skipped)
