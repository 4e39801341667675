"""Background work of the Restore tool: restore one photo as its state says, colorize the restored gray with
every model, write new previews and the defect mask's overlay. Like every task (desktop/workers.py) it
owns a signals object, never touches widgets, reports every exception and always emits ``finished`` last.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRunnable, Signal

from desktop.preview_store import PreviewStore
from desktop.queue_model import Previews, ResultInfo
from desktop.restore_model import RestoreState, restore_gray
from desktop.workers import TaskSignals, result_infos, unexpected
from engine.colorize import colorize
from engine.errors import CancelledError, TintypeError
from engine.images import load_image
from engine.registry import LoadedModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoredPreviews:
    """What a restore run shows: ``previews`` (restored gray, results colorized from it), the ``mask``
    overlay's file (None with dust removal off), the ``steps`` restoration made."""

    results: dict[str, ResultInfo]
    previews: Previews[Path]
    mask: Path | None
    steps: tuple[str, ...]


class RestoreSignals(TaskSignals):
    done = Signal(int, int, object)  # item id, generation, RestoredPreviews
    failed = Signal(int, int, str)  # item id, generation, one-line reason
    finished = Signal(int, int)  # item id, generation: always, last


class RestoreTask(QRunnable):
    """One photo, one generation of its restore state; ``superseded()`` True stops it between steps (the
    user changed the settings again, or the app quits)."""

    def __init__(
        self,
        item_id: int,
        generation: int,
        path: Path,
        sha256: str,
        state: RestoreState,
        models: list[LoadedModel],
        store: PreviewStore,
        superseded: Callable[[], bool],
    ) -> None:
        super().__init__()
        self.item_id, self.generation, self.path, self.sha256 = item_id, generation, path, sha256
        self.state, self.models, self.store, self.superseded = state, models, store, superseded
        self.signals = RestoreSignals()

    def run(self) -> None:
        try:
            self.signals.done.emit(self.item_id, self.generation, self._restore())
        except CancelledError:
            pass  # a newer generation follows
        except TintypeError as exc:
            self.signals.failed.emit(self.item_id, self.generation, str(exc))
        except MemoryError:
            self.signals.failed.emit(self.item_id, self.generation, f"{self.path}: not enough memory to restore")
        except Exception as exc:  # reported, not swallowed: see the module docstring
            log.exception("%s: restoring failed", self.path)
            self.signals.failed.emit(self.item_id, self.generation, f"{self.path}: {unexpected(exc)}")
        finally:
            self.signals.finished.emit(self.item_id, self.generation)

    def _restore(self) -> RestoredPreviews:
        if self.superseded():
            raise CancelledError("superseded")
        image = load_image(self.path)
        if image.sha256 != self.sha256:
            raise TintypeError(f"{self.path}: the photo changed since it was colorized; open it again")
        restored = restore_gray(image.gray, self.state)
        image = dataclasses.replace(image, gray=restored.gray, restored=(*image.restored, *restored.steps_applied))
        result = colorize(image, self.models, cancelled=self.superseded)
        tag = f"r{self.generation}"
        try:
            previews = self.store.write(
                self.item_id, image.gray, {mid: r.rgb for mid, r in result.results.items()}, tag=tag
            )
            mask = (
                self.store.write_mask(self.item_id, restored.defect_mask, tag=tag)
                if self.state.settings.dust.enabled
                else None
            )
        except OSError as exc:
            raise TintypeError(f"{self.path}: could not keep its previews ({exc.strerror or exc})") from None
        # With the chroma of the results colorized from the restored gray: color hints preview on it.
        return RestoredPreviews(result_infos(result), previews, mask, restored.steps_applied)
