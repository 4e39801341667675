"""The queue on the left: one row per photo (thumbnail, name, status, a progress bar while it runs), in
the queue's order."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyledItemDelegate, QStyleOptionViewItem, QWidget

THUMB_SIZE = 48
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1  # float in [0, 1] while the photo runs, else None
BAR_HEIGHT = 4
BAR_COLOR = QColor("#2d6cdf")
TRACK_COLOR = QColor("#c8c8c8")


class ProgressDelegate(QStyledItemDelegate):
    """Draws the row as usual, then a thin progress bar along its bottom while the photo runs."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        progress = index.data(PROGRESS_ROLE)
        if progress is None:
            return
        left = option.rect.left() + THUMB_SIZE + 10
        track = QRect(left, option.rect.bottom() - BAR_HEIGHT - 1, option.rect.right() - left - 6, BAR_HEIGHT)
        painter.save()
        painter.fillRect(track, TRACK_COLOR)
        done = QRect(track)
        done.setWidth(round(track.width() * float(progress)))
        painter.fillRect(done, BAR_COLOR)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), THUMB_SIZE) + BAR_HEIGHT + 4)


class QueueList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.setMinimumWidth(230)
        self.setObjectName("queue")
        self.setUniformItemSizes(True)  # a thousand rows lay out at once
        self.setItemDelegate(ProgressDelegate(self))
        self._placeholder = self._placeholder_icon()

    def add_row(self, text: str, tooltip: str, progress: float | None = None) -> None:
        """A new last row, with a gray placeholder until the photo's thumbnail arrives."""
        self.addItem(QListWidgetItem(self._placeholder, ""))
        self.update_row(self.count() - 1, text, tooltip, progress)

    def update_row(self, row: int, text: str, tooltip: str, progress: float | None = None) -> None:
        item = self.item(row)
        item.setText(text)
        item.setToolTip(tooltip)
        item.setData(PROGRESS_ROLE, progress)

    def set_thumbnail(self, row: int, thumbnail: QImage) -> None:
        self.item(row).setIcon(QIcon(QPixmap.fromImage(thumbnail)))

    def remove_rows(self, rows: list[int]) -> None:
        """Drop these rows; the others keep their text and thumbnails."""
        for row in sorted(rows, reverse=True):
            self.takeItem(row)  # returned to Python, which frees it

    def _placeholder_icon(self) -> QIcon:
        pixmap = QPixmap(THUMB_SIZE, THUMB_SIZE)
        pixmap.fill("#777")
        return QIcon(pixmap)
