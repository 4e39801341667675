"""The photo queue as plain data: one item per photo, its status and what it produced.

No Qt here, so the rules (which photos run, what counts as finished, what a row says) are tested without a
window. The previews' image type is a parameter: ``QImage`` in the app, anything in tests.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from engine.colorize import ColorizeResult
from engine.images import LoadedImage

P = TypeVar("P")  # the front end's picture type (a QImage in the app); the queue never looks inside


class Status(enum.Enum):
    WAITING = "waiting"  # queued; starts once the models are loaded
    WORKING = "working"  # handed to a worker
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
class Previews(Generic[P]):
    """What the screen shows of a finished photo: the gray input and one picture per model id."""

    gray: P
    results: Mapping[str, P]


@dataclass(eq=False)  # an item is itself, not its fields (they hold arrays)
class QueueItem(Generic[P]):
    """One photo in the queue. ``image`` arrives once the worker has read the file; ``result`` and
    ``previews`` once every model has run."""

    id: int
    path: Path
    status: Status = Status.WAITING
    models_done: tuple[int, int] | None = None  # (done, total) while working
    failure: Failure | None = None
    image: LoadedImage | None = None
    result: ColorizeResult | None = None
    previews: Previews[P] | None = None

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
        status = f"working ({self.note})" if self.status is Status.WORKING and self.note else self.status.label
        return f"{self.path.name}\n{status}"

    @property
    def tooltip(self) -> str:
        return self.note or str(self.path)

    @property
    def hint_text(self) -> str:
        """The center pane while the photo has no results."""
        return f"{self.path.name}\n{self.note or self.status.label}"


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
        added = []
        for path in paths:
            added.append(QueueItem(id=self._next_id, path=path))
            self._next_id += 1
        self.items.extend(added)
        self._by_id.update((i.id, i) for i in added)
        return added

    def start(self, item: QueueItem[P]) -> None:
        item.status = Status.WORKING

    def set_image(self, item: QueueItem[P], image: LoadedImage) -> None:
        item.image = image

    def set_models_done(self, item: QueueItem[P], done: int, total: int) -> None:
        item.models_done = (done, total)

    def finish(self, item: QueueItem[P], result: ColorizeResult, previews: Previews[P]) -> None:
        item.result, item.previews, item.status, item.models_done = result, previews, Status.DONE, None

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
        unstarted = [i for i in self.items if i.status is Status.WORKING and i.result is None and i.image is None]
        for item in unstarted:
            self.cancel(item)
        return unstarted

    def clear_finished(self) -> None:
        """Drop every finished photo; waiting and working ones stay, in order."""
        self.items = [i for i in self.items if not i.status.finished]
        self._by_id = {i.id: i for i in self.items}
