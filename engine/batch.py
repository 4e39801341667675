"""Batches: every photo of a list through one pipeline (:func:`run_batch`), each failure contained to
its photo, with the results planned before any model runs: one set of names per photo, and which
photos are already done.

The rule for names (README, "Command line"): a photo's results are ``<stem>.<model>.colorized.<ext>``
(:func:`engine.saving.plan_output`). When a photo of the batch would get a result name an earlier
photo of the same batch already has (``2019/scan001.jpg`` and ``2020/scan001.jpg`` with one output
folder; ``photo.png`` and ``photo.bmp``, both saved as PNG), it gets ``<stem>-2``, then ``-3``...,
in the order the photos are processed (as given; folders sorted by path). Names are compared without
regard to case, as Windows and macOS do. So every photo gets its own results, and the same batch run
again plans the same names: a photo whose results all exist is skipped. A pipeline that keeps the
restored gray (``tintype restore``) plans its ``<stem>.restored.<ext>`` with the same stem.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from engine.errors import TintypeError
from engine.files import read_head
from engine.formats import READ_FORMATS, SAME, output_format, read_spec
from engine.pipeline import Pipeline
from engine.saving import plan_output

log = logging.getLogger(__name__)

_HEAD = 16  # bytes a decoder's signature check reads (as in Image.open)


@dataclass(frozen=True)
class PhotoPlan:
    """Where the results of one photo go: ``targets`` maps each model id to its result path (None: the
    restored gray)."""

    path: Path
    targets: dict[str | None, Path]

    def existing(self) -> set[str | None]:
        """The model ids (None: the restored gray) whose result file is already there."""
        return {model_id for model_id, target in self.targets.items() if target.is_file()}


class BatchPlanner:
    """Plans the photos of one batch in order (see the module docstring for the naming rule);
    ``restored``: each photo's restored gray is a result too."""

    def __init__(
        self, model_ids: Sequence[str], *, folder: Path | None, format: str = SAME, restored: bool = False
    ) -> None:
        self.model_ids: tuple[str | None, ...] = ((None,) if restored else ()) + tuple(model_ids)
        self.folder = folder
        self.format = format
        self._taken: set[str] = set()

    def plan(self, path: Path) -> PhotoPlan:
        """The result paths of ``path``, distinct from every result planned before in this batch."""
        fmt = output_format(sniff_format(path) or "", self.format)
        stem, number = path.stem, 1
        while True:
            targets = {
                mid: plan_output(path, mid, fmt, folder=self.folder, stem=stem if number > 1 else None)
                for mid in self.model_ids
            }
            keys = {_key(target) for target in targets.values()}
            if not keys & self._taken:
                self._taken |= keys
                return PhotoPlan(path=path, targets=targets)
            number += 1
            stem = f"{path.stem}-{number}"


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

    The results of every photo are planned first (:class:`BatchPlanner`: each photo gets its own
    names). Unless ``pipeline.output.overwrite``, a photo whose results all exist is skipped before
    any model runs (``on_skip(path)``), and one with some of them makes only the results that are
    missing (the models whose results are missing; the restored gray if it is). ``on_photo(index,
    path)`` before each photo. Anything that fails (unreadable, a model that fails for this photo, a
    result that cannot be written, out of memory, or an error nobody foresaw) goes to
    ``on_failure(path, reason)`` with a one-line reason, once per failure, and the batch goes on.
    """
    started = time.perf_counter()
    failed = written = skipped = 0
    planner = BatchPlanner(
        [m.model_id for m in pipeline.models],
        folder=pipeline.output.folder,
        format=pipeline.output.format,
        restored=pipeline.keep_restored,
    )

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
                    todo = _missing_only(pipeline, existing)
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
    return BatchSummary(
        photos=len(paths), failed=failed, written=written, seconds=time.perf_counter() - started, skipped=skipped
    )


def _missing_only(pipeline: Pipeline, existing: set[str | None]) -> Pipeline:
    """``pipeline`` making only the results not in ``existing`` (model ids; None: the restored gray)."""
    return dataclasses.replace(
        pipeline,
        models=tuple(m for m in pipeline.models if m.model_id not in existing),
        keep_restored=pipeline.keep_restored and None not in existing,
    )


def sniff_format(path: Path) -> str | None:
    """The Pillow format of ``path`` by its first bytes, as the loader will decode it (None when it
    cannot be read or is no format Tintype reads; then its extension decides)."""
    head = read_head(path, _HEAD)
    if head:
        Image.init()
        for name in READ_FORMATS:
            entry = Image.OPEN.get(name)
            if entry is not None:
                accept = entry[1]
                verdict = accept(head) if accept is not None else True
                if verdict and not isinstance(verdict, str):
                    return name
    spec = next((f for f in (read_spec(n) for n in READ_FORMATS) if f and path.suffix.lower() in f.extensions), None)
    return spec.pillow if spec else None


def _key(path: Path) -> str:
    return unicodedata.normalize("NFC", os.path.abspath(path)).casefold()
