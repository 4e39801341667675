"""The photo queue as plain data: one item per photo, its status and what it produced.

No Qt here, so the rules (which photos run, what counts as finished, what a row says) are tested without a
window. The previews' type is a parameter: files on disk in the app, anything in tests.

An item keeps no full-resolution pixels: a thousand 10 MP photos would need gigabytes. It keeps what the
screen shows (previews, in a cache on disk) and what saving needs to compute a result again from the
photo (its size, format and SHA-256, to notice a file that changed meanwhile).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from desktop.hints_model import PhotoEdits

P = TypeVar("P")  # the front end's picture handle (a preview file in the app); the queue never looks inside


class Status(enum.Enum):
    WAITING = "waiting"  # queued; starts once the models are loaded
    WORKING = "working"  # handed to a worker: queued behind others until it starts (``QueueItem.started``)
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The word the queue list shows."""
        return "working..." if self is Status.WORKING else self.value

    @property
    def finished(self) -> bool:
        """Nothing more will happen to the photo (until the user acts)."""
        return self in (Status.DONE, Status.FAILED, Status.CANCELLED)


@dataclass(frozen=True)
class Failure:
    """Why a photo failed: ``reason`` is short, for the list row that already names the file; ``detail`` is
    the full one-line message (tooltip, center pane)."""

    reason: str
    detail: str

    @classmethod
    def of(cls, message: str, path: Path) -> Failure:
        """From an engine message, which starts with the file (``"<path>: what is wrong"``)."""
        return cls(reason=message.removeprefix(f"{path}: "), detail=message)


@dataclass(frozen=True)
class SourceInfo:
    """What is kept of a photo once read: ``width`` x ``height`` pixels, Pillow's ``format`` name, and the
    ``sha256`` of its bytes."""

    width: int
    height: int
    format: str
    sha256: str


@dataclass(frozen=True)
class ResultInfo:
    """One model's result as the screen names it; its pixels are in the previews, and saving computes them
    again at full resolution."""

    model_id: str
    display_name: str
    seconds: float
    provider: str
    # The model's own colors, float32 hxwx2 Cb/Cr at its working size (about 50 KB): color hints and
    # controls re-render the preview from it without running the model again. None: cannot be corrected.
    chroma: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Previews(Generic[P]):
    """What the screen shows of a finished photo: the gray input and one picture per model id."""

    gray: P
    results: Mapping[str, P]


class NotDone(RuntimeError):
    """A photo's results, previews or source asked for before it has them (a caller's bug)."""


@dataclass(eq=False)  # an item is itself, not its fields
class QueueItem(Generic[P]):
    """One photo in the queue. ``source`` arrives once the worker has read the file; ``results`` and
    ``previews`` once every model has run. ``saved`` names the results written since."""

    id: int
    path: Path
    status: Status = Status.WAITING
    started: bool = False  # a worker has begun on it (until then it waits its turn in the pool)
    models_done: tuple[int, int] | None = None  # (done, total) while working
    failure: Failure | None = None
    source: SourceInfo | None = None
    results: Mapping[str, ResultInfo] | None = None
    previews: Previews[P] | None = None
    saved: set[str] = field(default_factory=set)
    edits: PhotoEdits = field(default_factory=PhotoEdits)  # color hints and controls per result

    @property
    def has_results(self) -> bool:
        return self.results is not None and self.previews is not None

    # ----- for code that checked ``has_results``: the values themselves (a photo with results has been
    # read, so it has a ``source`` too). A missing one is that code's bug: NotDone.
    @property
    def done_results(self) -> Mapping[str, ResultInfo]:
        if self.results is None:
            raise NotDone(f"{self.path}: no results yet")
        return self.results

    @property
    def done_previews(self) -> Previews[P]:
        if self.previews is None:
            raise NotDone(f"{self.path}: no previews yet")
        return self.previews

    @property
    def read_source(self) -> SourceInfo:
        if self.source is None:
            raise NotDone(f"{self.path}: not read yet")
        return self.source

    @property
    def unsaved(self) -> bool:
        """Finished with results of which none was saved: clearing it throws work away."""
        return self.status is Status.DONE and self.has_results and not self.saved

    @property
    def queued(self) -> bool:
        """Handed to the workers but not begun: the photos before it run first."""
        return self.status is Status.WORKING and not self.started

    @property
    def progress(self) -> float | None:
        """Share of the models done once a worker has begun on it, else None."""
        if self.status is not Status.WORKING or not self.started:
            return None
        if self.models_done is None:
            return 0.0
        done, total = self.models_done
        return done / total if total else 0.0

    @property
    def note(self) -> str:
        """The line under the status: models done while working, the error once failed, else empty."""
        if self.status is Status.FAILED and self.failure is not None:
            return self.failure.detail
        if self.status is Status.WORKING and self.models_done is not None:
            done, total = self.models_done
            return f"{done}/{total} models"
        return ""

    @property
    def row_text(self) -> str:
        """The queue list row: file name, then status."""
        if self.status is Status.FAILED and self.failure is not None:
            return f"{self.path.name}\nfailed: {self.failure.reason}"
        if self.queued:
            return f"{self.path.name}\nqueued"
        status = f"working ({self.note})" if self.status is Status.WORKING and self.note else self.status.label
        return f"{self.path.name}\n{status}"

    @property
    def tooltip(self) -> str:
        return self.note or str(self.path)

    @property
    def hint_text(self) -> str:
        """The center pane while the photo has no results."""
        doing = "queued: the photos before it run first" if self.queued else self.note or self.status.label
        return f"{self.path.name}\n{doing}"


class QueueModel(Generic[P]):
    """The ordered photos (a row per item, in this order) and their state changes.

    Signals from workers name items by id; an id that is no longer queued (cleared meanwhile) is ignored:
    ``get`` returns None and the transitions do nothing.
    """

    def __init__(self) -> None:
        self.items: list[QueueItem[P]] = []
        self._by_id: dict[int, QueueItem[P]] = {}
        self._next_id = 0

    # ----- looking up
    def get(self, item_id: int) -> QueueItem[P] | None:
        return self._by_id.get(item_id)

    def row_of(self, item: QueueItem[P]) -> int:
        return self.items.index(item)

    def at(self, row: int) -> QueueItem[P] | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def waiting(self) -> list[QueueItem[P]]:
        return [i for i in self.items if i.status is Status.WAITING]

    @property
    def finished_count(self) -> int:
        return sum(i.status.finished for i in self.items)

    @property
    def all_finished(self) -> bool:
        return all(i.status.finished for i in self.items)

    # ----- changes
    def add(self, paths: Iterable[Path]) -> list[QueueItem[P]]:
        added: list[QueueItem[P]] = []
        for path in paths:
            added.append(QueueItem(id=self._next_id, path=path))
            self._next_id += 1
        self.items.extend(added)
        self._by_id.update((i.id, i) for i in added)
        return added

    def start(self, item: QueueItem[P]) -> None:
        """Handed to the workers (it waits its turn there)."""
        item.status, item.started = Status.WORKING, False

    def begin(self, item: QueueItem[P]) -> None:
        """A worker has begun on it."""
        item.started = True

    def set_source(self, item: QueueItem[P], source: SourceInfo) -> None:
        item.source = source

    def set_models_done(self, item: QueueItem[P], done: int, total: int) -> None:
        item.models_done = (done, total)

    def finish(self, item: QueueItem[P], results: Mapping[str, ResultInfo], previews: Previews[P]) -> None:
        item.results, item.previews, item.status, item.models_done = dict(results), previews, Status.DONE, None
        item.saved = set()

    def mark_saved(self, item: QueueItem[P], model_id: str) -> None:
        item.saved.add(model_id)

    def fail(self, item: QueueItem[P], failure: Failure) -> None:
        item.status, item.failure = Status.FAILED, failure

    def cancel(self, item: QueueItem[P]) -> None:
        item.status, item.models_done = Status.CANCELLED, None

    def settle(self, item: QueueItem[P]) -> bool:
        """A worker has ended: a photo still working got no outcome, so it failed (never "working" forever).
        Returns whether the item changed."""
        if item.status is not Status.WORKING:
            return False
        self.fail(item, Failure.of(f"{item.path}: stopped without a result", item.path))
        return True

    def cancel_unstarted(self) -> list[QueueItem[P]]:
        """After a cancel: photos handed out but not yet read will never run; mark them cancelled."""
        unstarted = [i for i in self.items if i.status is Status.WORKING and i.results is None and i.source is None]
        for item in unstarted:
            self.cancel(item)
        return unstarted

    def retry_failed(self) -> list[QueueItem[P]]:
        """Failed photos wait again (after a settings change they may well work); returns them."""
        failed = [i for i in self.items if i.status is Status.FAILED]
        for item in failed:
            item.status, item.failure, item.models_done = Status.WAITING, None, None
        return failed

    def unsaved(self) -> list[QueueItem[P]]:
        """Finished photos with results of which none was saved."""
        return [i for i in self.items if i.unsaved]

    def clear_finished(self) -> list[QueueItem[P]]:
        """Drop every finished photo; waiting and working ones stay, in order. Returns the dropped ones."""
        dropped = [i for i in self.items if i.status.finished]
        self.items = [i for i in self.items if not i.status.finished]
        self._by_id = {i.id: i for i in self.items}
        return dropped
