"""Background work: each task is a QRunnable that owns a separate signals QObject and never touches
widgets; results reach the UI thread through queued signals.

Every task reports every exception through its error signal and always emits ``finished`` last, whatever
happened: an unexpected error (a GPU out of memory, a bug) must never leave a photo "working" forever.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QRunnable, QTimer, Signal

from desktop.preview_store import PreviewStore
from desktop.qimage import thumbnail
from desktop.queue_model import Failure, ResultInfo, SourceInfo
from engine.colorize import ColorizeResult, colorize
from engine.errors import CancelledError, TintypeError
from engine.images import load_image
from engine.registry import LoadedModel, ModelRegistry

log = logging.getLogger(__name__)


def unexpected(exc: BaseException) -> str:
    """One line for an error no Tintype code anticipated (its traceback goes to the log)."""
    return f"unexpected error ({type(exc).__name__}: {exc})"


def result_infos(result: ColorizeResult) -> dict[str, ResultInfo]:
    """What the queue keeps of each result, by model id: its names and timing, and the model's chroma (color
    hints re-render the preview from it)."""
    return {
        mid: ResultInfo(
            model_id=mid, display_name=r.display_name, seconds=r.seconds, provider=r.provider, chroma=r.chroma
        )
        for mid, r in result.results.items()
    }


class TaskSignals(QObject):
    """A task's signals object: each kind declares its own ``finished`` (with its own arguments), which the
    task always emits last."""

    finished: ClassVar[Signal]


def keep_until_finished(signals: TaskSignals, kept: set[QObject]) -> None:
    """Hold a task's ``signals`` in ``kept`` (nothing else keeps them alive while the task runs) until its
    ``finished`` arrives, then let go: on the next turn of the event loop, since an object must not be freed
    while it delivers its own signal, and through a weak reference, which the connection cannot keep alive."""
    kept.add(signals)
    ref = weakref.ref(signals)

    def release(*_args: object) -> None:
        QTimer.singleShot(0, lambda: kept.discard(ref()))

    signals.finished.connect(release)


class ModelLoadSignals(TaskSignals):
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


class ColorizeSignals(TaskSignals):
    started = Signal(int)  # item id: a worker has begun on it
    loaded = Signal(int, object, object)  # item id, SourceInfo, QImage thumbnail
    progress = Signal(int, int, int)  # item id, models done, models total
    done = Signal(int, object, object)  # item id, dict[str, ResultInfo], Previews[Path] (files in the store)
    failed = Signal(int, object)  # item id, Failure
    cancelled = Signal(int)
    finished = Signal(int)  # item id: always, after one of done / failed / cancelled


class ColorizeTask(QRunnable):
    """Load one photo, colorize it with every model, write its previews; the full-size arrays end here."""

    def __init__(
        self, item_id: int, path: Path, models: list[LoadedModel], cancel: threading.Event, store: PreviewStore
    ) -> None:
        super().__init__()
        self.item_id, self.path, self.models, self.cancel, self.store = item_id, path, models, cancel, store
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
        self.signals.started.emit(self.item_id)
        image = load_image(self.path)
        width, height = image.size
        source = SourceInfo(width=width, height=height, format=image.format, sha256=image.sha256)
        self.signals.loaded.emit(self.item_id, source, thumbnail(image.gray))
        result = colorize(
            image,
            self.models,
            progress=lambda done, total, _mid: self.signals.progress.emit(self.item_id, done, total),
            cancelled=self.cancel.is_set,
        )
        try:
            previews = self.store.write(self.item_id, image.gray, {mid: r.rgb for mid, r in result.results.items()})
        except OSError as exc:
            raise TintypeError(f"{self.path}: could not keep its previews ({exc.strerror or exc})") from None
        self.signals.done.emit(self.item_id, result_infos(result), previews)

    def _fail(self, reason: str) -> None:
        self.signals.failed.emit(self.item_id, Failure(reason=reason, detail=f"{self.path}: {reason}"))


class SaveSignals(TaskSignals):
    wrote = Signal(int, str, str)  # item id, model id, path written
    progress = Signal(int, int)  # photos done, photos in all
    finished = Signal(int, object)  # files written, list[str] of problems: always, last


class SaveJob(Protocol):
    """What the save task needs to know of a photo's job; the rest is for its ``write``."""

    @property
    def item_id(self) -> int: ...


J = TypeVar("J", bound=SaveJob)  # the saving controller's job and settings types
S = TypeVar("S")


class SaveTask(QRunnable, Generic[J, S]):
    """Writes many photos' results; ``write(job, settings, wrote)`` does one photo and returns its problems
    (the saving controller's function: the engine calls stay there). ``cancel`` stops it between photos."""

    def __init__(
        self,
        jobs: list[J],
        settings: S,
        write: Callable[[J, S, Callable[[str, Path], None]], list[str]],
        cancel: threading.Event,
    ) -> None:
        super().__init__()
        self.jobs, self.settings, self.write, self.cancel = jobs, settings, write, cancel
        self.signals = SaveSignals()

    def run(self) -> None:
        written, problems = 0, []
        try:
            for index, job in enumerate(self.jobs):
                if self.cancel.is_set():
                    problems.append(f"stopped: {len(self.jobs) - index} photos not saved")
                    break

                def wrote(model_id: str, path: Path, item_id: int = job.item_id) -> None:
                    nonlocal written
                    written += 1
                    self.signals.wrote.emit(item_id, model_id, str(path))

                problems += self.write(job, self.settings, wrote)
                self.signals.progress.emit(index + 1, len(self.jobs))
        except Exception as exc:  # reported, not swallowed: see the module docstring
            log.exception("saving broke off")
            problems.append(unexpected(exc))
        finally:
            self.signals.finished.emit(written, problems)
