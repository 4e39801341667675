"""Wires the main window to the engine: the queue, background colorizing, the comparison views,
saving, settings. Views hold layout only; workers never touch widgets."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QListWidgetItem, QMessageBox

from engine.photos import iter_photos
from engine.colorize import ColorizeResult
from engine.errors import OutputError
from engine.images import LoadedImage
from engine.registry import ModelRegistry
from engine.saving import default_output_path, output_format, save_result

from desktop.settings import Settings, save_settings
from desktop.views.dialogs import AboutDialog, SettingsDialog
from desktop.views.image_panel import ImagePanel, ViewSync
from desktop.views.main_window import MainWindow
from desktop.workers import ColorizeTask, ModelLoadTask

log = logging.getLogger(__name__)

GRAY_KEY = "__gray__"
STATUS_TEXT = {"waiting": "waiting", "working": "working...", "done": "done", "failed": "failed", "cancelled": "cancelled"}


@dataclass
class QueueItem:
    id: int
    path: Path
    status: str = "waiting"
    message: str = ""
    image: LoadedImage | None = None
    result: ColorizeResult | None = None
    previews: dict[str, QImage] = field(default_factory=dict)
    list_item: QListWidgetItem | None = None


class MainController(QObject):
    queueFinished = Signal()  # every queued photo is done, failed or cancelled
    resultShown = Signal(int)  # item id whose results fill the panels

    def __init__(self, window: MainWindow, settings: Settings, *, model_dirs: list[Path] | None = None,
                 ask_user: bool = True) -> None:
        super().__init__()
        self.window, self.settings, self.model_dirs = window, settings, model_dirs
        self.ask_user = ask_user  # False in tests and screenshots: no modal dialogs
        self.pool = QThreadPool()
        # One photo at a time: each already uses every core through onnxruntime, and two 24 MP
        # scans at once would double the memory for no gain.
        self.pool.setMaxThreadCount(1)
        self.registry: ModelRegistry | None = None
        self.items: list[QueueItem] = []
        self.cancel_event = threading.Event()
        self.selected_model: str | None = None
        self.sync = ViewSync()
        self._next_id = 0
        self._tasks: list[object] = []  # keep runnables' signal objects alive until they report
        self._connect()
        self.load_models()

    # ----- wiring
    def _connect(self) -> None:
        w, a = self.window, self.window.actions
        w.filesDropped.connect(self.add_paths)
        a["open"].triggered.connect(self.open_dialog)
        a["save"].triggered.connect(self.save_selected)
        a["save_all"].triggered.connect(self.save_all_results)
        a["save_queue"].triggered.connect(self.save_queue)
        a["settings"].triggered.connect(self.edit_settings)
        a["quit"].triggered.connect(w.close)
        a["zoom_in"].triggered.connect(lambda: self.zoom(1.25))
        a["zoom_out"].triggered.connect(lambda: self.zoom(0.8))
        a["zoom_fit"].triggered.connect(self.zoom_fit)
        a["zoom_100"].triggered.connect(self.zoom_100)
        a["toggle_split"].toggled.connect(self.set_split_mode)
        a["next"].triggered.connect(lambda: self.move_selection(1))
        a["previous"].triggered.connect(lambda: self.move_selection(-1))
        a["clear"].triggered.connect(self.clear_finished)
        a["about"].triggered.connect(lambda: AboutDialog(self.registry, self.window).exec())
        w.cancel_button.clicked.connect(self.cancel)
        w.queue.currentRowChanged.connect(self.show_item)

    # ----- models
    def load_models(self) -> None:
        self.registry = None
        self.window.provider_label.setText("Loading models...")
        task = ModelLoadTask(self.model_dirs, self.settings.provider)
        task.signals.loaded.connect(self.on_models_loaded)
        self._tasks.append(task.signals)
        self.pool.start(task)

    def on_models_loaded(self, registry: ModelRegistry) -> None:
        self.registry = registry
        providers = sorted({m.provider_label for m in registry.models}) or ["none"]
        text = f"Models: {', '.join(registry.ids) or 'none'} | running on {', '.join(providers)}"
        if registry.failures:
            text += f" | {len(registry.failures)} unavailable"
            self.window.statusBar().showMessage("; ".join(str(f) for f in registry.failures), 15000)
        self.window.provider_label.setText(text)
        if self.selected_model not in registry.ids:
            self.selected_model = registry.ids[0] if registry.ids else None
        self._start_waiting()

    # ----- queue
    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "Open photos", "", "Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.gif);;All files (*)"
        )
        self.add_paths([Path(f) for f in files])

    def add_paths(self, paths: list[Path]) -> None:
        for path in iter_photos(paths):
            item = QueueItem(id=self._next_id, path=path)
            self._next_id += 1
            item.list_item = QListWidgetItem(self._placeholder_icon(), "")
            self.window.queue.addItem(item.list_item)
            self.items.append(item)
            self._refresh_item(item)
        if self.window.queue.currentRow() < 0 and self.items:
            self.window.queue.setCurrentRow(0)
        self._start_waiting()

    def _start_waiting(self) -> None:
        if self.registry is None:
            return
        waiting = [i for i in self.items if i.status == "waiting"]
        if not waiting:
            return
        self.cancel_event = threading.Event()
        models = list(self.registry.models)
        for item in waiting:
            if not models:
                self._fail(item, "no models available (see Help > About)")
                continue
            item.status = "working"
            self._refresh_item(item)
            task = ColorizeTask(item.id, item.path, models, self.cancel_event)
            task.signals.loaded.connect(self.on_loaded)
            task.signals.progress.connect(self.on_progress)
            task.signals.finished.connect(self.on_finished)
            task.signals.failed.connect(self.on_failed)
            task.signals.cancelled.connect(self.on_cancelled)
            self._tasks.append(task.signals)
            self.pool.start(task)
        self._update_progress()

    def on_loaded(self, item_id: int, image: LoadedImage, thumb: QImage) -> None:
        item = self._item(item_id)
        item.image = image
        item.list_item.setIcon(QIcon(QPixmap.fromImage(thumb)))

    def on_progress(self, item_id: int, done: int, total: int) -> None:
        item = self._item(item_id)
        item.message = f"{done}/{total} models"
        self._refresh_item(item)

    def on_finished(self, item_id: int, result: ColorizeResult, previews: dict) -> None:
        item = self._item(item_id)
        item.result, item.previews, item.status, item.message = result, previews, "done", ""
        self._refresh_item(item)
        self._after_item()
        if self.current_item() is item:
            self.show_item(self.window.queue.currentRow())

    def on_failed(self, item_id: int, message: str) -> None:
        self._fail(self._item(item_id), message)
        self._after_item()

    def on_cancelled(self, item_id: int) -> None:
        item = self._item(item_id)
        item.status, item.message = "cancelled", ""
        self._refresh_item(item)
        self._after_item()

    def _fail(self, item: QueueItem, message: str) -> None:
        item.status, item.message = "failed", message
        self._refresh_item(item)

    def _after_item(self) -> None:
        self._update_progress()
        if all(i.status not in ("waiting", "working") for i in self.items):
            self.queueFinished.emit()

    def cancel(self) -> None:
        self.cancel_event.set()
        self.pool.clear()  # tasks not started yet never run: mark them
        for item in self.items:
            if item.status == "working" and item.result is None and item.image is None:
                item.status = "cancelled"
                self._refresh_item(item)
        self._update_progress()
        if all(i.status not in ("waiting", "working") for i in self.items):
            self.queueFinished.emit()

    def clear_finished(self) -> None:
        keep = [i for i in self.items if i.status in ("waiting", "working")]
        self.window.queue.clear()
        self.items = []
        for item in keep:
            item.list_item = QListWidgetItem(self._placeholder_icon(), "")
            self.window.queue.addItem(item.list_item)
            self.items.append(item)
            self._refresh_item(item)
        self.show_item(self.window.queue.currentRow())

    def _update_progress(self) -> None:
        total = len(self.items)
        finished = sum(i.status in ("done", "failed", "cancelled") for i in self.items)
        busy = finished < total
        self.window.progress.setVisible(busy)
        self.window.cancel_button.setVisible(busy)
        self.window.progress.setRange(0, max(total, 1))
        self.window.progress.setValue(finished)
        self.window.progress.setFormat(f"{finished}/{total} photos")

    def _refresh_item(self, item: QueueItem) -> None:
        status = STATUS_TEXT[item.status]
        if item.status == "working" and item.message:
            status = f"working ({item.message})"
        text = f"{item.path.name}\n{status}"
        if item.status == "failed":
            reason = item.message.split(": ", 1)[-1] if item.message.startswith(str(item.path)) else item.message
            text = f"{item.path.name}\nfailed: {reason}"
        item.list_item.setText(text)
        item.list_item.setToolTip(item.message or str(item.path))

    def _placeholder_icon(self) -> QIcon:
        pixmap = QPixmap(48, 48)
        pixmap.fill("#777")
        return QIcon(pixmap)

    def _item(self, item_id: int) -> QueueItem:
        return next(i for i in self.items if i.id == item_id)

    def current_item(self) -> QueueItem | None:
        row = self.window.queue.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def move_selection(self, step: int) -> None:
        if self.items:
            row = min(len(self.items) - 1, max(0, self.window.queue.currentRow() + step))
            self.window.queue.setCurrentRow(row)

    # ----- showing results
    def show_item(self, row: int) -> None:
        item = self.items[row] if 0 <= row < len(self.items) else None
        if item is None or item.result is None:
            self.window.show_page("hint")
            if item is not None:
                self.window.hint.setText(f"{item.path.name}\n{item.message or STATUS_TEXT[item.status]}")
            return
        panels = [ImagePanel(GRAY_KEY, "Grayscale input")]
        for mid, res in item.result.results.items():
            panels.append(ImagePanel(mid, f"{res.display_name}  ·  {res.seconds:.2f} s  ·  {res.provider}"))
        if self.registry is not None:
            for failure in self.registry.failures:
                name = Path(str(failure).split(":", 1)[0]).stem
                panel = ImagePanel(f"unavailable:{name}", f"{name}: unavailable")
                panel.setToolTip(str(failure))
                panels.append(panel)
        self.window.set_panels(panels)
        self.sync.clear()
        for panel in panels:
            panel.set_image(item.previews.get(panel.key))
            panel.clicked.connect(self.select_model)
            self.sync.add(panel.view)
        if self.selected_model not in item.result.results:
            self.selected_model = next(iter(item.result.results), None)
        self._mark_selected()
        self._update_split(item)
        self.window.show_page("split" if self.window.actions["toggle_split"].isChecked() else "panels")
        self.resultShown.emit(item.id)

    def select_model(self, key: str) -> None:
        item = self.current_item()
        if item is None or item.result is None or key not in item.result.results:
            return
        self.selected_model = key
        self._mark_selected()
        self._update_split(item)

    def _mark_selected(self) -> None:
        for key, panel in self.window.panels.items():
            panel.set_selected(key == self.selected_model)

    def _update_split(self, item: QueueItem) -> None:
        res = item.result.results.get(self.selected_model) if item.result else None
        title = f"Before | After: {res.display_name}" if res else "Before | After"
        self.window.split.set_pair(item.previews.get(GRAY_KEY), item.previews.get(self.selected_model), title)

    def set_split_mode(self, on: bool) -> None:
        item = self.current_item()
        if item is not None and item.result is not None:
            self.window.show_page("split" if on else "panels")

    def _views(self):
        if self.window.actions["toggle_split"].isChecked():
            return [self.window.split.view]
        return [p.view for p in self.window.panels.values()][:1]  # the others follow through ViewSync

    def zoom(self, factor: float) -> None:
        for view in self._views():
            view.zoom_by(factor)

    def zoom_fit(self) -> None:
        for view in self._views():
            view.fit()

    def zoom_100(self) -> None:
        for view in self._views():
            view.actual_size()

    # ----- saving
    def _target(self, item: QueueItem, model_id: str, folder: Path | None) -> tuple[Path, str]:
        fmt = output_format(item.image.format, self.settings.output_format)
        if folder is None and self.settings.output_dir:
            folder = Path(self.settings.output_dir)
        return default_output_path(item.path, model_id, fmt, folder=folder), fmt

    def save_selected(self) -> Path | None:
        item = self.current_item()
        if item is None or item.result is None or self.selected_model is None:
            self._say("Nothing to save yet: pick a finished photo and click the result you like.")
            return None
        target, fmt = self._target(item, self.selected_model, None)
        overwrite = False
        if self.ask_user:
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Save colorized photo", str(target))
            if not chosen:
                return None
            # The file dialog has already asked before replacing an existing file.
            target, overwrite = Path(chosen), Path(chosen).exists()
            fmt = output_format(item.image.format, target.suffix.lstrip(".") or self.settings.output_format)
        return self._save(item, self.selected_model, target, fmt, overwrite=overwrite)

    def save_all_results(self, folder: Path | None = None) -> list[Path]:
        item = self.current_item()
        if item is None or item.result is None:
            self._say("Nothing to save yet.")
            return []
        written = [self._save(item, mid, *self._target(item, mid, folder)) for mid in item.result.results]
        return [p for p in written if p is not None]

    def save_queue(self, folder: Path | None = None) -> list[Path]:
        if folder is None:
            if not self.ask_user:
                return []
            chosen = QFileDialog.getExistingDirectory(self.window, "Save every result to", self.settings.output_dir)
            if not chosen:
                return []
            folder = Path(chosen)
        written: list[Path] = []
        problems: list[str] = []
        for item in self.items:
            if item.result is None:
                continue
            for mid in item.result.results:
                target, fmt = self._target(item, mid, folder)
                try:
                    written.append(save_result(item.image, item.result.results[mid], target, fmt=fmt,
                                               keep_exif=self.settings.keep_exif))
                except OutputError as exc:
                    problems.append(str(exc))
        message = f"Saved {len(written)} files to {folder}."
        if problems:
            message += f" {len(problems)} not saved: " + "; ".join(problems[:3])
        self._say(message)
        return written

    def _save(self, item: QueueItem, model_id: str, target: Path, fmt: str, *, overwrite: bool = False) -> Path | None:
        try:
            path = save_result(item.image, item.result.results[model_id], target, fmt=fmt, overwrite=overwrite,
                               keep_exif=self.settings.keep_exif)
        except OutputError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return None
        self.window.statusBar().showMessage(f"Saved {path}", 8000)
        return path

    def _say(self, message: str, *, error: bool = False) -> None:
        self.window.statusBar().showMessage(message, 15000)
        if self.ask_user and error:
            QMessageBox.warning(self.window, "Tintype", message)

    # ----- settings
    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window)
        if dialog.exec():
            self.apply_settings(dialog.settings())

    def apply_settings(self, settings: Settings) -> None:
        provider_changed = settings.provider != self.settings.provider
        self.settings = settings
        save_settings(settings)
        if provider_changed:
            self.load_models()
