"""One undo history per photo, shared by every tool that edits it (the restore brush, the color hints).

Each photo has one QUndoStack in the window's QUndoGroup; the photo on screen has the active one, so
Edit > Undo/Redo (Ctrl+Z and the platform's redo key, bound once, by the window) undo whichever edit of
that photo came last, whatever tool made it. Tools push their own QUndoCommands onto ``stack(item_id)``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

from desktop.controllers.queue import QueueController
from desktop.queue_model import QueueItem
from desktop.views.main_window import MainWindow


class PhotoUndo(QObject):
    def __init__(self, window: MainWindow, queue: QueueController) -> None:
        super().__init__()
        self.window, self.queue = window, queue
        self._stacks: dict[int, QUndoStack] = {}
        queue.currentChanged.connect(self.show)

    def stack(self, item_id: int) -> QUndoStack:
        """The photo's undo stack (made, and put in the window's group, on first use)."""
        if item_id not in self._stacks:
            stack = QUndoStack(self)
            self.window.undo_group.addStack(stack)
            self._stacks[item_id] = stack
        return self._stacks[item_id]

    def show(self, item: QueueItem[Path] | None) -> None:
        """``item`` is on screen: its history is the one Edit > Undo/Redo act on (none while it has no
        results). The histories of photos cleared from the queue go."""
        for item_id in [i for i in self._stacks if self.queue.model.get(i) is None]:
            stack = self._stacks.pop(item_id)
            self.window.undo_group.removeStack(stack)
            stack.deleteLater()
        if item is not None and item.has_results:
            self.window.undo_group.setActiveStack(self.stack(item.id))
        else:  # Qt takes nullptr here (no active stack); PySide6's stubs leave None out
            self.window.undo_group.setActiveStack(None)  # type: ignore[arg-type]
