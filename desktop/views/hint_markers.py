"""Color-hint markers on a result panel, and the mouse gestures that edit them.

A :class:`HintMarkers` rides on one :class:`~desktop.views.image_panel.ImagePanel`: it draws each hint as
a small disc of its color (a fixed size on screen at any zoom) and, while hint mode is on, turns the
panel's mouse into the hint tool: a click adds a point, a drag moves one, a right-click removes one.
It only reports what the user did, in photo pixels (the scene's units); the hints controller decides.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsView,
)

from desktop.views.image_panel import ImagePanel

MARKER_RADIUS = 7  # screen pixels
GRAB_DISTANCE = MARKER_RADIUS + 4  # screen pixels: a press this near a marker takes it
MOUSE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease)


def marker_item(rgb: tuple[int, int, int], *, chosen: bool) -> QGraphicsEllipseItem:
    """A disc of ``rgb`` ringed white then black (it reads on any color), a fixed size on screen."""
    r = MARKER_RADIUS
    disc = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
    disc.setBrush(QBrush(QColor(*rgb)))
    pen = QPen(QColor("#ffd400" if chosen else "white"), 3 if chosen else 2)
    pen.setCosmetic(True)
    disc.setPen(pen)
    ring = QGraphicsEllipseItem(-r - 2, -r - 2, 2 * r + 4, 2 * r + 4, disc)
    ring_pen = QPen(QColor("black"), 1)
    ring_pen.setCosmetic(True)
    ring.setPen(ring_pen)
    disc.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
    disc.setZValue(10)
    return disc


class HintMarkers(QObject):
    """The markers of one panel (``set_hints``) and, in hint mode (``set_active``), the hint gestures."""

    addRequested = Signal(str, float, float)  # panel key, photo x, y
    moveFinished = Signal(str, int, float, float)  # panel key, hint index, new photo x, y
    removeRequested = Signal(str, int)  # panel key, hint index
    chosen = Signal(str, int)  # panel key, hint index: clicked (Delete removes it)

    def __init__(self, panel: ImagePanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.items: list[QGraphicsEllipseItem] = []
        self.active = False
        self._dragging: int | None = None
        self._moved = False
        self._pressed_at: QPointF | None = None
        self._viewport = panel.view.viewport()
        self._viewport.installEventFilter(self)  # after the panel's own filter: runs first

    @property
    def key(self) -> str:
        return self.panel.key

    def set_hints(self, hints: list[tuple[float, float, tuple[int, int, int]]], chosen: int | None = None) -> None:
        """Draw these (x, y, rgb) points; ``chosen`` gets a highlighted ring."""
        scene = self.panel.view.scene()
        for item in self.items:
            scene.removeItem(item)
        self.items = []
        for index, (x, y, rgb) in enumerate(hints):
            item = marker_item(rgb, chosen=index == chosen)
            item.setPos(x, y)
            scene.addItem(item)
            self.items.append(item)

    def set_active(self, active: bool) -> None:
        """Hint mode: clicks edit hints and dragging no longer pans (the wheel still zooms)."""
        self.active = active
        view = self.panel.view
        view.setDragMode(QGraphicsView.DragMode.NoDrag if active else QGraphicsView.DragMode.ScrollHandDrag)
        view.viewport().setCursor(Qt.CursorShape.CrossCursor if active else Qt.CursorShape.OpenHandCursor)

    def marker_at(self, viewport_pos: QPointF) -> int | None:
        """The marker under a viewport position (the nearest within reach), else None."""
        best: int | None = None
        best_d: float = GRAB_DISTANCE**2
        for index, item in enumerate(self.items):
            at = QPointF(self.panel.view.mapFromScene(item.pos()))
            d = (at.x() - viewport_pos.x()) ** 2 + (at.y() - viewport_pos.y()) ** 2
            if d <= best_d:
                best, best_d = index, d
        return best

    def _photo_point(self, viewport_pos: QPointF) -> QPointF | None:
        """The photo pixel under a viewport position, None off the picture."""
        at = self.panel.view.mapToScene(viewport_pos.toPoint())
        rect = self.panel.view.sceneRect()
        if rect.isEmpty() or not rect.contains(at) or at.x() >= rect.right() or at.y() >= rect.bottom():
            return None
        return at

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self.active or obj is not self._viewport or kind not in MOUSE_EVENTS:
            return False  # (the cheap tests first: during teardown the panel may be half deleted)
        if not isinstance(event, QMouseEvent):
            return False
        if kind == QEvent.Type.MouseButtonPress:
            pos = event.position()
            if event.button() == Qt.MouseButton.RightButton:
                index = self.marker_at(pos)
                if index is not None:
                    self.removeRequested.emit(self.key, index)
                return True
            if event.button() == Qt.MouseButton.LeftButton:
                self.panel.clicked.emit(self.key)  # the result under edit becomes the selected one
                self._dragging, self._moved, self._pressed_at = self.marker_at(pos), False, pos
                return True
        elif kind == QEvent.Type.MouseMove and self._dragging is not None and self._pressed_at is not None:
            pos = event.position()
            if (pos - self._pressed_at).manhattanLength() >= QApplication.startDragDistance():
                self._moved = True
            at = self._photo_point(pos)
            if self._moved and at is not None:
                self.items[self._dragging].setPos(at)
            return True
        elif kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            index, moved, pressed = self._dragging, self._moved, self._pressed_at
            self._dragging, self._moved, self._pressed_at = None, False, None
            if index is not None:
                if moved and index < len(self.items):
                    at = self.items[index].pos()
                    self.moveFinished.emit(self.key, index, at.x(), at.y())
                else:
                    self.chosen.emit(self.key, index)
            elif (
                pressed is not None
                and (event.position() - pressed).manhattanLength() < QApplication.startDragDistance()
            ):
                at = self._photo_point(event.position())
                if at is not None:
                    self.addRequested.emit(self.key, at.x(), at.y())
            return True
        return False
