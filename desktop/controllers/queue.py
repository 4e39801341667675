"""The queue: adding photos, running them one by one in the background, cancel, retry, clear, the list rows."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from desktop.controllers.models import ModelsController
from desktop.preview_store import PreviewStore
from desktop.queue_model import Failure, Previews, QueueItem, QueueModel, ResultInfo, SourceInfo, Status
from desktop.views.main_window import MainWindow
from desktop.views.prompts import Prompts
from desktop.workers import ColorizeTask, keep_until_finished
from engine.photos import iter_photos

log = logging.getLogger(__name__)

NO_MODELS = "no models available (see Help > About)"

Item = QueueItem[Path]  # previews are files in the PreviewStore


def unsaved_question(count: int, doing: str) -> str:
    photos = "1 photo has" if count == 1 else f"{count} photos have"
    return f"{photos} results that were not saved. {doing} anyway?"


class QueueController(QObject):
    queueFinished = Signal()  # every queued photo is done, failed or cancelled
    currentChanged = Signal(object)  # the QueueItem to show (None: nothing chosen), also when it finishes

    def __init__(
        self, window: MainWindow, pool: QThreadPool, models: ModelsController, prompts: Prompts, store: PreviewStore
    ) -> None:
        super().__init__()
        self.window, self.pool, self.models, self.prompts, self.store = window, pool, models, prompts, store
        self.model: QueueModel[Path] = QueueModel()
        self.cancel_event = threading.Event()
        self._tasks: set[QObject] = set()  # runnables' signal objects, alive until their task finishes

    @property
    def items(self) -> list[Item]:
        return self.model.items

    def current_item(self) -> Item | None:
        return self.model.at(self.window.current_row())

    # ----- user actions
    def add_paths(self, paths: list[Path]) -> None:
        """Queue the photos (folders are searched) and show the first of them."""
        added = self.model.add(iter_photos(paths))
        for item in added:
            self.window.add_queue_row(item.row_text, item.tooltip)
        if added:
            self.window.choose_row(self.model.row_of(added[0]))
        self.start_waiting()

    def row_chosen(self, row: int) -> None:
        self.currentChanged.emit(self.model.at(row))

    def move_selection(self, step: int) -> None:
        if self.model.items:
            self.window.choose_row(min(len(self.model.items) - 1, max(0, self.window.current_row() + step)))

    def cancel(self) -> None:
        self.cancel_event.set()
        self.pool.clear()  # tasks not started yet never run: mark them
        for item in self.model.cancel_unstarted():
            self._show_row(item)
        self._check_finished()

    def clear_finished(self) -> None:
        """Drop finished photos (asking first if results would be lost); their previews are deleted."""
        unsaved = self.model.unsaved()
        if unsaved and not self.prompts.confirm(unsaved_question(len(unsaved), "Clear them"), yes="Clear"):
            return
        rows = [row for row, item in enumerate(self.model.items) if item.status.finished]
        for item in self.model.clear_finished():
            if item.previews is not None:
                self.store.discard(item.previews)
        self.window.remove_queue_rows(rows)
        if self.window.current_row() < 0 and self.model.items:
            self.window.choose_row(0)
        self._check_finished()
        self.currentChanged.emit(self.current_item())

    def retry_failed(self) -> None:
        """Failed photos wait again; they run once the models are (re)loaded."""
        for item in self.model.retry_failed():
            self._show_row(item)
        self.start_waiting()

    def unsaved(self) -> list[Item]:
        return self.model.unsaved()

    # ----- running
    def start_waiting(self) -> None:
        """Hand every waiting photo to a worker (once the models are loaded)."""
        models = self.models.models
        waiting = self.model.waiting()
        if models is None or not waiting:
            return
        self.cancel_event = threading.Event()
        for item in waiting:
            if not models:
                self.model.fail(item, Failure(reason=NO_MODELS, detail=NO_MODELS))
                self._show_row(item)
                continue
            self.model.start(item)
            self._show_row(item)
            task = ColorizeTask(item.id, item.path, models, self.cancel_event, self.store)
            signals = task.signals
            signals.started.connect(self._on_started)
            signals.loaded.connect(self._on_loaded)
            signals.progress.connect(self._on_progress)
            signals.done.connect(self._on_done)
            signals.failed.connect(self._on_failed)
            signals.cancelled.connect(self._on_cancelled)
            signals.finished.connect(self._on_finished)
            keep_until_finished(signals, self._tasks)
            self.pool.start(task)
        self._check_finished()

    def _on_started(self, item_id: int) -> None:
        if (item := self.model.get(item_id)) is not None and item.status is Status.WORKING:
            self.model.begin(item)
            self._show_row(item)

    def _on_loaded(self, item_id: int, source: SourceInfo, thumbnail: QImage) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.set_source(item, source)
            self.window.set_queue_thumbnail(self.model.row_of(item), thumbnail)

    def _on_progress(self, item_id: int, done: int, total: int) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.set_models_done(item, done, total)
            self._show_row(item)

    def _on_done(self, item_id: int, results: dict[str, ResultInfo], previews: Previews[Path]) -> None:
        item = self.model.get(item_id)
        if item is None:  # cleared meanwhile
            self.store.discard(previews)
            return
        self.model.finish(item, results, previews)
        self._show_row(item)

    def _on_failed(self, item_id: int, failure: Failure) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.fail(item, failure)
            self._show_row(item)

    def _on_cancelled(self, item_id: int) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.cancel(item)
            self._show_row(item)

    def _on_finished(self, item_id: int) -> None:
        if (item := self.model.get(item_id)) is not None and self.model.settle(item):
            log.error("%s: the worker ended without a result", item.path)
            self._show_row(item)
        self._check_finished()

    # ----- showing
    def _show_row(self, item: Item) -> None:
        """The item's row, and the center pane if it shows this photo (never stale text)."""
        self.window.update_queue_row(self.model.row_of(item), item.row_text, item.tooltip, item.progress)
        if self.current_item() is item:
            self.currentChanged.emit(item)

    def _check_finished(self) -> None:
        self.window.set_progress(self.model.finished_count, len(self.model.items))
        if self.model.all_finished:
            self.queueFinished.emit()
