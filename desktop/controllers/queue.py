"""The queue: adding photos, running them one by one in the background, cancel, clear, the list rows."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from engine.colorize import ColorizeResult
from engine.images import LoadedImage
from engine.photos import iter_photos

from desktop.controllers.models import ModelsController
from desktop.queue_model import Failure, Previews, QueueItem, QueueModel
from desktop.views.main_window import MainWindow
from desktop.workers import ColorizeTask

log = logging.getLogger(__name__)

NO_MODELS = "no models available (see Help > About)"

Item = QueueItem[QImage]


class QueueController(QObject):
    queueFinished = Signal()  # every queued photo is done, failed or cancelled
    currentChanged = Signal(object)  # the QueueItem to show (None: nothing chosen), also when it finishes

    def __init__(self, window: MainWindow, pool: QThreadPool, models: ModelsController) -> None:
        super().__init__()
        self.window, self.pool, self.models = window, pool, models
        self.model: QueueModel[QImage] = QueueModel()
        self.cancel_event = threading.Event()
        self._tasks: list[QObject] = []  # keep runnables' signal objects alive until they report

    @property
    def items(self) -> list[Item]:
        return self.model.items

    def current_item(self) -> Item | None:
        return self.model.at(self.window.current_row())

    # ----- user actions
    def add_paths(self, paths: list[Path]) -> None:
        for item in self.model.add(iter_photos(paths)):
            self.window.add_queue_row(item.row_text, item.tooltip)
        if self.window.current_row() < 0 and self.model.items:
            self.window.choose_row(0)
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
        self.model.clear_finished()
        self.window.replace_queue_rows([(i.row_text, i.tooltip) for i in self.model.items])
        self.currentChanged.emit(self.current_item())

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
            task = ColorizeTask(item.id, item.path, models, self.cancel_event)
            task.signals.loaded.connect(self._on_loaded)
            task.signals.progress.connect(self._on_progress)
            task.signals.done.connect(self._on_done)
            task.signals.failed.connect(self._on_failed)
            task.signals.cancelled.connect(self._on_cancelled)
            task.signals.finished.connect(self._on_finished)
            self._tasks.append(task.signals)
            self.pool.start(task)
        self._check_finished()

    def _on_loaded(self, item_id: int, image: LoadedImage, thumbnail: QImage) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.set_image(item, image)
            self.window.set_queue_thumbnail(self.model.row_of(item), thumbnail)

    def _on_progress(self, item_id: int, done: int, total: int) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.set_models_done(item, done, total)
            self._show_row(item)

    def _on_done(self, item_id: int, result: ColorizeResult, previews: Previews[QImage]) -> None:
        if (item := self.model.get(item_id)) is not None:
            self.model.finish(item, result, previews)
            self._show_row(item)
            if self.current_item() is item:
                self.currentChanged.emit(item)

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
        self.window.update_queue_row(self.model.row_of(item), item.row_text, item.tooltip)

    def _check_finished(self) -> None:
        self.window.set_progress(self.model.finished_count, len(self.model.items))
        if self.model.all_finished:
            self.queueFinished.emit()
