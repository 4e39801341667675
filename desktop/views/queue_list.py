"""The queue on the left: one row per photo (thumbnail, name, status), in the queue's order."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

THUMB_SIZE = 48


class QueueList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.setMinimumWidth(230)
        self.setObjectName("queue")

    def add_row(self, text: str, tooltip: str) -> None:
        """A new last row, with a gray placeholder until the photo's thumbnail arrives."""
        self.addItem(QListWidgetItem(self._placeholder_icon(), ""))
        self.update_row(self.count() - 1, text, tooltip)

    def update_row(self, row: int, text: str, tooltip: str) -> None:
        item = self.item(row)
        item.setText(text)
        item.setToolTip(tooltip)

    def set_thumbnail(self, row: int, thumbnail: QImage) -> None:
        self.item(row).setIcon(QIcon(QPixmap.fromImage(thumbnail)))

    def replace_rows(self, rows: list[tuple[str, str]]) -> None:
        """Start over with these (text, tooltip) rows; thumbnails go back to placeholders."""
        self.clear()
        for text, tooltip in rows:
            self.add_row(text, tooltip)

    def _placeholder_icon(self) -> QIcon:
        pixmap = QPixmap(THUMB_SIZE, THUMB_SIZE)
        pixmap.fill("#777")
        return QIcon(pixmap)
