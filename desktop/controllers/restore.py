"""The Restore tool: per photo, restoration on or off with its settings, the defect overlay, the brush that
edits the defect mask (undoable), and saving the restored gray.

A change (the toggle, a setting, a stroke, an undo) restores the photo again in the background, a moment
after the last change (``DEBOUNCE_MS``): the photo is read again, restored at full resolution, colorized
by every model, and its previews replace the panels' pictures in place. The first previews (the photo as
it is) are kept, so turning Restore off shows them again at once. Saving redoes the restoration from the
photo's state (desktop/controllers/saving.py), so the saved files match what the screen shows.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QUndoCommand

from desktop.controllers.comparison import GRAY_PANEL, ComparisonController
from desktop.controllers.models import ModelsController
from desktop.controllers.queue import QueueController
from desktop.controllers.settings import SettingsController
from desktop.controllers.undo import PhotoUndo
from desktop.preview_store import PreviewStore
from desktop.queue_model import Previews, QueueItem, ResultInfo
from desktop.restore_model import RestoreBook, RestoreState, Stroke, restored_image
from desktop.restore_task import RestoredPreviews, RestoreTask
from desktop.views.main_window import MainWindow
from desktop.views.mask_overlay import MaskLayer
from desktop.views.prompts import Prompts
from desktop.workers import keep_until_finished
from engine.errors import OutputError, TintypeError
from engine.images import load_image
from engine.pipeline import SaveOptions, save_restored_gray
from engine.restore import RestoreSettings

log = logging.getLogger(__name__)

Item = QueueItem[Path]
DEBOUNCE_MS = 250  # a slider let go, a stroke: restore once the user pauses
BRUSH_STEP = 1.25
MIN_RADIUS, MAX_RADIUS = 1.0, 500.0  # photo pixels


class SetState(QUndoCommand):
    """One edit of a photo's restore state (a brush stroke), undoable."""

    def __init__(
        self, controller: RestoreController, item_id: int, before: RestoreState, after: RestoreState, text: str
    ) -> None:
        super().__init__(text)
        self.controller, self.item_id, self.before, self.after = controller, item_id, before, after

    def redo(self) -> None:
        self.controller.apply_state(self.item_id, self.after)

    def undo(self) -> None:
        self.controller.apply_state(self.item_id, self.before)


class RestoreController(QObject):
    restored = Signal(int)  # item id: its panels now show what its restore state asks for

    def __init__(
        self,
        window: MainWindow,
        pool: QThreadPool,
        prompts: Prompts,
        *,
        queue: QueueController,
        comparison: ComparisonController,
        models: ModelsController,
        store: PreviewStore,
        settings: SettingsController,
        undo: PhotoUndo,
    ) -> None:
        super().__init__()
        self.window, self.pool, self.prompts, self.undo = window, pool, prompts, undo
        self.queue, self.comparison, self.models, self.store, self.settings = queue, comparison, models, store, settings
        self.book = RestoreBook()
        self.generation: dict[int, int] = {}  # the latest run asked for, per photo
        self.originals: dict[int, tuple[dict[str, ResultInfo], Previews[Path]]] = {}  # the unrestored results
        self.runs: dict[int, RestoredPreviews] = {}  # the restored run on screen, per photo
        self.layer: MaskLayer | None = None
        self.brush_radius: float | None = None  # photo pixels; set for the first photo brushed
        self._pending: set[int] = set()  # photos changed, waiting for the user to pause
        self._busy: set[int] = set()  # photos whose screen is not yet what their state asks for
        self._tasks: set[QObject] = set()
        self._closing = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._run_pending)
        comparison.gray_title = self._gray_title

    # ----- what other controllers ask
    def state_for_saving(self, item_id: int) -> RestoreState | None:
        """The restoration saving redoes for a photo (None: off)."""
        state = self.book.get(item_id)
        return state if state.enabled else None

    def stop(self) -> None:
        """The app quits: runs not begun end at once."""
        self._closing = True
        self.timer.stop()

    # ----- user actions
    def set_enabled(self, on: bool) -> None:
        item = self._current()
        if item is None:
            self._sync(None)
            if on:
                self.window.show_status("Pick a finished photo first, then turn Restore on.", 8000)
            return
        self.book.set(item.id, dataclasses.replace(self.book.get(item.id), enabled=on))
        if on:
            self.window.restore_dock.show()
        self._sync(item)
        self._schedule(item)

    def set_settings(self, settings: RestoreSettings) -> None:
        item = self._current()
        if item is None:
            return
        state = dataclasses.replace(self.book.get(item.id), settings=settings)
        self.book.set(item.id, state)
        self._sync(item)
        if state.enabled:
            self._schedule(item)

    def show_defects(self, on: bool) -> None:
        if (layer := self._layer()) is not None:
            layer.set_visible(on)
        item = self._current()
        if on and (item is None or not self.book.get(item.id).enabled):
            self.window.show_status("Turn Restore on (R) to find the defects.", 8000)

    def set_brush(self, on: bool) -> None:
        if on:
            item = self._current()
            if item is None or not self.book.get(item.id).brush_allowed:
                self.window.commands["brush"].setChecked(False)
                self.window.show_status(
                    "The brush edits the defects: turn Restore and its dust removal on first.", 8000
                )
                return
            if self.brush_radius is None:
                width, height = (item.source.width, item.source.height) if item.source else (800, 800)
                self.brush_radius = max(2.0, max(width, height) / 150)
            self.window.commands["show_defects"].setChecked(True)
        self._apply_brush()

    def resize_brush(self, factor: float) -> None:
        self.brush_radius = min(MAX_RADIUS, max(MIN_RADIUS, (self.brush_radius or 8.0) * factor))
        self._apply_brush()

    def stroked(self, points: list[tuple[float, float]], add: bool) -> None:
        """A brush stroke on the gray panel (photo pixels): one undoable edit of the current photo's mask."""
        item = self._current()
        if item is None or not points:
            return
        before = self.book.get(item.id)
        if not before.brush_allowed:
            return
        after = before.with_stroke(Stroke(tuple(points), self.brush_radius or 8.0, add))
        self.undo.stack(item.id).push(
            SetState(self, item.id, before, after, "paint defects" if add else "erase defects")
        )

    def apply_state(self, item_id: int, state: RestoreState) -> None:
        """A photo's state set by an undo command (its redo included)."""
        self.book.set(item_id, state)
        if (item := self.queue.model.get(item_id)) is not None:
            if item is self._current():
                self._sync(item)
            self._schedule(item)

    def save_restored(self) -> Path | None:
        """The current photo's restored gray to ``<stem>.restored.<ext>`` (next to it, or the settings' folder)."""
        item = self._current()
        state = self.book.get(item.id) if item is not None else None
        if item is None or state is None or not state.enabled or item.source is None:
            self._say("Nothing restored to save: pick a photo and turn Restore on (R).")
            return None
        settings = self.settings.current
        folder = Path(settings.output_dir).expanduser() if settings.use_output_dir and settings.output_dir else None
        options = SaveOptions(
            folder=folder, format=settings.output_format, keep_exif=settings.keep_exif, quality=settings.jpeg_quality
        )
        try:
            with self.window.busy():
                image = load_image(item.path)
                if image.sha256 != item.source.sha256:
                    raise OutputError(f"{item.path}: the photo changed since it was colorized; open it again")
                path = save_restored_gray(restored_image(image, state), options)
        except TintypeError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return None
        self.window.show_status(f"Saved {path}", 8000)
        log.info("saved %s", path)
        return path

    # ----- what the screen shows
    def current_changed(self, item: Item | None) -> None:
        self._sync(item)

    def panels_shown(self, item_id: int) -> None:
        """The comparison shows a photo's panels (new ones, or new pictures): lay the mask over its gray."""
        panel = self.window.panel(GRAY_PANEL)
        if panel is None:
            return
        layer = self._layer()
        if layer is None:
            layer = self.layer = MaskLayer(panel)
            layer.stroked.connect(self.stroked)
        run = self.runs.get(item_id)
        mask = self.store.read_image(run.mask) if run is not None and run.mask is not None else None
        item = self.queue.model.get(item_id)
        size = (item.source.width, item.source.height) if item is not None and item.source else (0, 0)
        layer.set_mask(mask, size)
        layer.set_visible(self.window.commands["show_defects"].isChecked())
        self._apply_brush()

    def _sync(self, item: Item | None) -> None:
        """The toggle, the panel and the tools as the photo's state says (without announcing changes)."""
        a = self.window.commands
        state = self.book.get(item.id) if item is not None else RestoreState()
        a["restore"].blockSignals(True)
        a["restore"].setChecked(state.enabled)
        a["restore"].blockSignals(False)
        self.window.restore_panel.set_settings(state.settings, enabled=state.enabled)
        a["brush"].setEnabled(state.brush_allowed)
        if a["brush"].isChecked() and not state.brush_allowed:
            a["brush"].setChecked(False)
        a["save_restored"].setEnabled(state.enabled)
        self.window.restore_panel.set_status(self._status_text(item, state))

    def _status_text(self, item: Item | None, state: RestoreState) -> str:
        if item is None or not state.enabled:
            return "Off: the photo is colorized as it is."
        run = self.runs.get(item.id)
        if item.id in self._busy or run is None:
            return "Restoring..."
        edits = f"; {len(state.strokes)} brush strokes" if state.strokes else ""
        return f"Restored: {', '.join(run.steps)}{edits}." if run.steps else f"Nothing to restore found{edits}."

    def _gray_title(self, item: Item) -> str:
        run = self.runs.get(item.id)
        if run is None:
            return "Grayscale input"
        return f"Restored  ·  {', '.join(run.steps)}" if run.steps else "Restored  ·  nothing to fix found"

    def _apply_brush(self) -> None:
        radius = self.brush_radius or 8.0
        self.window.restore_panel.set_brush_size(round(2 * radius))
        if (layer := self._layer()) is not None:
            layer.set_brush(self.window.commands["brush"].isChecked(), radius)

    def _layer(self) -> MaskLayer | None:
        """The mask layer, if it is on the gray panel on screen now (panels are replaced per photo)."""
        panel = self.window.panel(GRAY_PANEL)
        if self.layer is None or panel is None or self.layer.panel is not panel:
            return None
        return self.layer

    # ----- running
    def _schedule(self, item: Item) -> None:
        self.generation[item.id] = self.generation.get(item.id, 0) + 1  # older runs stop at their next step
        self._pending.add(item.id)
        self._busy.add(item.id)
        self.timer.start()

    def _run_pending(self) -> None:
        pending, self._pending = self._pending, set()
        for item_id in pending:
            if (item := self.queue.model.get(item_id)) is not None and item.has_results:
                self._run(item)

    def _run(self, item: Item) -> None:
        state = self.book.get(item.id)
        if not state.enabled:
            self._revert(item)
            return
        models = self.models.models
        if not models or item.source is None:
            self._busy.discard(item.id)
            return
        generation = self.generation.get(item.id, 0)
        task = RestoreTask(
            item.id,
            generation,
            item.path,
            item.source.sha256,
            state,
            models,
            self.store,
            lambda: self._closing or self.generation.get(item.id) != generation,
        )
        task.signals.done.connect(self._on_done)
        task.signals.failed.connect(self._on_failed)
        keep_until_finished(task.signals, self._tasks)
        self.window.show_status(f"Restoring {item.path.name}...")
        self.pool.start(task)

    def _on_done(self, item_id: int, generation: int, run: RestoredPreviews) -> None:
        item = self.queue.model.get(item_id)
        if item is None or generation != self.generation.get(item_id) or not self.book.get(item_id).enabled:
            self._discard(run)  # cleared, or superseded by a newer change
            return
        if item_id not in self.originals:
            self.originals[item_id] = (dict(item.done_results), item.done_previews)
        elif (old := self.runs.get(item_id)) is not None:
            self._discard(old)
        self.runs[item_id] = run
        self._busy.discard(item_id)
        self.queue.model.finish(item, run.results, run.previews)  # new results: not saved yet
        self._shown(item)
        self.window.show_status(f"Restored {item.path.name}: {', '.join(run.steps) or 'nothing to fix found'}", 8000)

    def _on_failed(self, item_id: int, generation: int, message: str) -> None:
        if generation == self.generation.get(item_id):
            self._busy.discard(item_id)
            self._say(f"Not restored: {message}", error=True)

    def _revert(self, item: Item) -> None:
        """Restore turned off: the photo's first results come back (no need to compute them again)."""
        if item.id in self.originals:
            results, previews = self.originals.pop(item.id)
            if (run := self.runs.pop(item.id, None)) is not None:
                self._discard(run)
            self.queue.model.finish(item, results, previews)
        self._busy.discard(item.id)
        self._shown(item)

    def _shown(self, item: Item) -> None:
        self.comparison.refresh(item)
        if item is self._current():
            self._sync(item)
        self.restored.emit(item.id)

    def _discard(self, run: RestoredPreviews) -> None:
        self.store.discard(run.previews)
        if run.mask is not None:
            self.store.discard_file(run.mask)

    # ----- helpers
    def _current(self) -> Item | None:
        item = self.queue.current_item()
        return item if item is not None and item.has_results else None

    def _say(self, message: str, *, error: bool = False) -> None:
        self.window.show_status(message, 15000)
        if error:
            self.prompts.warn(message)
