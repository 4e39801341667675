"""Background work: each task is a QRunnable that owns a separate signals QObject and never touches
widgets; results reach the UI thread through queued signals.

Every task reports every exception through its error signal and always emits ``finished`` last, whatever
happened: an unexpected error (a GPU out of memory, a bug) must never leave a photo "working" forever.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from engine.colorize import colorize
from engine.errors import CancelledError, TintypeError
from engine.images import load_image
from engine.registry import LoadedModel, ModelRegistry

from desktop.qimage import thumbnail, to_qimage
from desktop.queue_model import Failure, Previews

log = logging.getLogger(__name__)


def unexpected(exc: BaseException) -> str:
    """One line for an error no Tintype code anticipated (its traceback goes to the log)."""
    return f"unexpected error ({type(exc).__name__}: {exc})"


class ModelLoadSignals(QObject):
    loaded = Signal(object)  # ModelRegistry
    failed = Signal(str)  # one-line reason: looking for models broke off
    finished = Signal()  # always, last


class ModelLoadTask(QRunnable):
    """Finds and loads the models (sessions are created here, once)."""

    def __init__(self, folders: list[Path] | None, provider: str) -> None:
        super().__init__()
        self.folders, self.provider = folders, provider
        self.signals = ModelLoadSignals()

    def run(self) -> None:
        try:
            registry = ModelRegistry.discover(self.folders, provider=self.provider)
            self.signals.loaded.emit(registry)
        except Exception as exc:  # reported, not swallowed: see the module docstring
            log.exception("looking for models failed")
            self.signals.failed.emit(unexpected(exc))
        finally:
            self.signals.finished.emit()


class ColorizeSignals(QObject):
    loaded = Signal(int, object, object)  # item id, LoadedImage, QImage thumbnail
    progress = Signal(int, int, int)  # item id, models done, models total
    done = Signal(int, object, object)  # item id, ColorizeResult, Previews[QImage]
    failed = Signal(int, object)  # item id, Failure
    cancelled = Signal(int)
    finished = Signal(int)  # item id: always, after one of done / failed / cancelled


class ColorizeTask(QRunnable):
    """Load one photo and colorize it with every model."""

    def __init__(self, item_id: int, path: Path, models: list[LoadedModel], cancel: threading.Event) -> None:
        super().__init__()
        self.item_id, self.path, self.models, self.cancel = item_id, path, models, cancel
        self.signals = ColorizeSignals()

    def run(self) -> None:
        try:
            self._colorize()
        except CancelledError:
            self.signals.cancelled.emit(self.item_id)
        except TintypeError as exc:
            self.signals.failed.emit(self.item_id, Failure.of(str(exc), self.path))
        except MemoryError:
            self._fail("not enough memory for this image")
        except Exception as exc:  # reported, not swallowed: see the module docstring
            log.exception("%s: colorizing failed", self.path)
            self._fail(unexpected(exc))
        finally:
            self.signals.finished.emit(self.item_id)

    def _colorize(self) -> None:
        if self.cancel.is_set():
            raise CancelledError("cancelled")
        image = load_image(self.path)
        self.signals.loaded.emit(self.item_id, image, thumbnail(image.gray))
        result = colorize(
            image,
            self.models,
            progress=lambda done, total, _mid: self.signals.progress.emit(self.item_id, done, total),
            cancelled=self.cancel.is_set,
        )
        previews = Previews(gray=to_qimage(image.gray),
                            results={mid: to_qimage(r.rgb) for mid, r in result.results.items()})
        self.signals.done.emit(self.item_id, result, previews)

    def _fail(self, reason: str) -> None:
        self.signals.failed.emit(self.item_id, Failure(reason=reason, detail=f"{self.path}: {reason}"))
