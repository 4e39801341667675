"""Saving results: the selected one (asking where, and in which format), all of one photo's, everything in
the queue (in the background).

The queue keeps no full-resolution results, so a save reads the photo again, checks it is the same file
(SHA-256), and has the models compute the chosen results again: the same models on the same input give
the same colors. Every call into the engine is in :meth:`SavingController._plan` and
:func:`write_results`, so the engine's save sequence can change in one place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool

from desktop.controllers.comparison import ComparisonController
from desktop.controllers.models import ModelsController
from desktop.controllers.queue import QueueController
from desktop.controllers.settings import SettingsController
from desktop.hints_model import ResultEdits
from desktop.queue_model import QueueItem
from desktop.restore_model import RestoreState, restored_image
from desktop.settings import Settings
from desktop.views.main_window import MainWindow
from desktop.views.prompts import Prompts
from desktop.workers import SaveTask, keep_until_finished
from engine.colorize import colorize
from engine.errors import OutputError, TintypeError
from engine.formats import OUTPUT_FORMATS, format_spec, output_format
from engine.images import load_image
from engine.registry import LoadedModel
from engine.saving import plan_output, save_result
from engine.steps import ColorAdjustment

log = logging.getLogger(__name__)

Item = QueueItem[Path]
# The save dialog's type list: (label, suffixes); a label is the engine's (Pillow's) format name.
DIALOG_FORMATS = [(spec.pillow, list(spec.extensions)) for spec in OUTPUT_FORMATS]


@dataclass(frozen=True)
class Target:
    """One file to write: ``model_id``'s result to ``path`` in Pillow format ``fmt``."""

    model_id: str
    path: Path
    fmt: str
    overwrite: bool = False


@dataclass(frozen=True)
class PhotoJob:
    """One photo's files, with what is needed to compute them again off the UI thread."""

    item_id: int
    path: Path
    sha256: str
    models: tuple[LoadedModel, ...]
    targets: tuple[Target, ...]
    restore: RestoreState | None = None  # the photo's restoration (edits included), done again before colorizing
    edits: dict[str, ResultEdits] = field(default_factory=dict)  # color corrections by model id, after colorizing


def write_results(job: PhotoJob, settings: Settings, wrote: Callable[[str, Path], None]) -> list[str]:
    """Read the photo again, restore it as the job says, colorize it with the job's models, apply each
    result's color corrections on the (restored) gray (the pipeline's :class:`~engine.steps.ColorAdjustment`),
    write each target, stamped with both; ``wrote(model_id, path)`` after each file. Returns one line per
    file not written (any thread)."""
    try:
        image = load_image(job.path)
        if image.sha256 != job.sha256:
            raise OutputError(f"{job.path}: the photo changed since it was colorized; open it again")
        image = restored_image(image, job.restore)  # the stamp then lists the restore steps
        result = colorize(image, list(job.models))
        results = dict(result.results)
        for model_id, edits in job.edits.items():
            if model_id in results:
                step = ColorAdjustment(hints=edits.hints, controls=edits.controls)
                results[model_id] = step.adjust(image, results[model_id])
    except TintypeError as exc:
        return [str(exc)]
    problems = []
    for target in job.targets:
        try:
            path = save_result(
                image,
                results[target.model_id],
                target.path,
                fmt=target.fmt,
                overwrite=target.overwrite,
                keep_exif=settings.keep_exif,
                quality=settings.jpeg_quality,
            )
        except OutputError as exc:
            problems.append(str(exc))
        else:
            wrote(target.model_id, path)
    return problems


class SavingController(QObject):
    def __init__(
        self,
        window: MainWindow,
        prompts: Prompts,
        *,
        queue: QueueController,
        models: ModelsController,
        comparison: ComparisonController,
        settings: SettingsController,
    ) -> None:
        super().__init__()
        self.window, self.prompts = window, prompts
        self.queue, self.models, self.comparison, self.settings = queue, models, comparison, settings
        self.pool = QThreadPool()  # its own: cancelling the queue never drops a save
        self.pool.setMaxThreadCount(1)
        self._tasks: set[QObject] = set()
        self.cancel_event = threading.Event()
        # A photo's restoration by item id (the restore tool sets it; None: colorized as it is).
        self.restore_of: Callable[[int], RestoreState | None] = lambda _item_id: None

    @property
    def busy(self) -> bool:
        """A save of the queue is running."""
        return bool(self._tasks)

    def stop(self) -> None:
        """Stop saving the queue after the photo being written (the app quits)."""
        self.cancel_event.set()

    def save_selected(self) -> Path | None:
        """The selected result of the current photo: to the default name, or where the user says."""
        item, model_id = self.queue.current_item(), self.comparison.selected_model
        if item is None or not item.has_results or model_id is None or model_id not in item.done_results:
            self._say("Nothing to save yet: pick a finished photo and click the result you like.")
            return None
        target = self._plan(item, model_id)
        if self.prompts.interactive:
            answer = self._ask_where(item, target)
            if answer is None:
                self.window.show_status("Not saved.", 5000)
                return None
            target = answer
        written = self._save_now(item, [target])
        return written[0] if written else None

    def save_all_results(self) -> list[Path]:
        """Every result of the current photo, to the default names (next to it, or the settings' folder)."""
        item = self.queue.current_item()
        if item is None or not item.has_results:
            self._say("Nothing to save yet.")
            return []
        return self._save_now(item, [self._plan(item, mid) for mid in item.done_results])

    def save_queue(self) -> None:
        """Every result of every finished photo into a folder the user picks, in the background; one
        summary at the end."""
        items = [i for i in self.queue.items if i.has_results]
        if not items:
            self._say("Nothing to save yet.")
            return
        settings = self.settings.current
        folder = self.prompts.folder("Save every result to", settings.output_dir)
        if folder is None:
            return
        try:
            jobs = [
                self._job(item, [self._plan(item, mid, folder=folder) for mid in item.done_results]) for item in items
            ]
        except OutputError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return
        task = SaveTask(jobs, settings, write_results, self.cancel_event)
        signals = task.signals
        signals.wrote.connect(self._wrote)
        signals.progress.connect(lambda done, total: self.window.show_status(f"Saving: {done}/{total} photos..."))
        signals.finished.connect(lambda count, problems: self._queue_saved(count, problems, folder))
        keep_until_finished(signals, self._tasks)
        self.window.show_status(f"Saving {len(jobs)} photos to {folder}...")
        self.pool.start(task)

    # ----- steps
    def _ask_where(self, item: Item, proposed: Target) -> Target | None:
        """The save dialog, then its answer as a file to write (None: cancelled)."""
        answer = self.prompts.save_path(proposed.path, DIALOG_FORMATS, proposed.fmt)
        if answer is None:
            return None
        target = self._plan(item, proposed.model_id, chosen=answer)
        if target.path == answer[0]:
            return replace(target, overwrite=target.path.exists())  # the dialog has asked before replacing
        # An extension was added: the dialog never saw this name.
        if target.path.exists():
            if not self.prompts.confirm(f"{target.path.name} already exists. Replace it?", yes="Replace"):
                return None
            return replace(target, overwrite=True)
        return target

    def _save_now(self, item: Item, targets: list[Target]) -> list[Path]:
        """Write one photo's targets now (the UI waits: one photo takes about a second) and say so."""
        written: list[Path] = []

        def wrote(model_id: str, path: Path) -> None:
            written.append(path)
            self._wrote(item.id, model_id, str(path))

        try:
            job = self._job(item, targets)
        except OutputError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return []
        with self.window.busy():
            problems = write_results(job, self.settings.current, wrote)
        if problems:
            self._say(f"Not saved: {'; '.join(problems[:3])}", error=True)
        elif written:
            self.window.show_status(f"Saved {', '.join(str(p) for p in written)}", 8000)
        return written

    def _job(self, item: Item, targets: list[Target]) -> PhotoJob:
        models: dict[str, LoadedModel] = {}
        for target in targets:
            model = self.models.get(target.model_id)
            if model is None:
                raise OutputError(f"{target.model_id}: this model is not loaded now; wait for the models to load")
            models[target.model_id] = model
        edits = {mid: e for mid, e in item.edits.edited().items() if mid in models}
        return PhotoJob(
            item.id,
            item.path,
            item.read_source.sha256,
            tuple(models.values()),
            tuple(targets),
            restore=self.restore_of(item.id),
            edits=edits,
        )

    def _wrote(self, item_id: int, model_id: str, path: str) -> None:
        if (item := self.queue.model.get(item_id)) is not None:
            self.queue.model.mark_saved(item, model_id)
        log.info("saved %s", path)

    def _queue_saved(self, count: int, problems: list[str], folder: Path) -> None:
        message = f"Saved {count} files to {folder}."
        if problems:
            message += f" {len(problems)} not saved: " + "; ".join(problems[:3])
        self._say(message, error=bool(problems))

    def _say(self, message: str, *, error: bool = False) -> None:
        self.window.show_status(message, 15000)
        if error:
            self.prompts.warn(message)

    # ----- the engine boundary: where a result goes
    def _plan(
        self, item: Item, model_id: str, *, folder: Path | None = None, chosen: tuple[Path, str] | None = None
    ) -> Target:
        """The file for one result. ``chosen``: the save dialog's (name, format picked in its type list); a
        name with a known extension keeps it and its format, any other (none, or ``x.colorized``) gets the
        picked format's extension added. Else the default name: in ``folder``, else the settings' folder
        when chosen, else next to the photo, in the settings' format ("same": the photo's own when it can
        carry the stamp)."""
        if chosen is not None:
            path, picked = chosen
            if path.suffix:  # (an empty request would mean "the photo's format", not "no extension")
                try:
                    return Target(model_id, path, output_format(item.read_source.format, path.suffix.lstrip(".")))
                except OutputError:
                    pass  # an extension that names no format we write, like "x.colorized"
            return Target(model_id, path.with_name(path.name + format_spec(picked).extension), picked)
        settings = self.settings.current
        fmt = output_format(item.read_source.format, settings.output_format)
        if folder is None and settings.use_output_dir and settings.output_dir:
            folder = Path(settings.output_dir).expanduser()
        return Target(model_id, plan_output(item.path, model_id, fmt, folder=folder), fmt)
