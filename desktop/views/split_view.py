"""Before/after view: one model's result with the gray input over its left part, split by a line with a
round handle to drag, "Before" and "After" labels in the corners, and a picker for the compared result."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from desktop.views.image_panel import ImagePanel, place_picture

GRAB_PIXELS = 8  # how near the line a press starts a drag (screen pixels)
HANDLE_RADIUS = 15  # screen pixels, whatever the zoom
LABEL_STYLE = "background:rgba(0,0,0,150);color:white;padding:3px 8px;border-radius:3px;font-weight:bold;"


def handle_item() -> QGraphicsEllipseItem:
    """A white disc with a left and a right arrow, drawn at the same screen size at every zoom."""
    r = HANDLE_RADIUS
    disc = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
    disc.setBrush(QBrush(QColor("white")))
    disc.setPen(QPen(QColor(0, 0, 0, 120), 1))
    disc.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
    arrows = QPainterPath()
    for sign in (-1, 1):
        tip, base = sign * (r - 4), sign * 3
        arrows.addPolygon(QPolygonF([QPointF(tip, 0), QPointF(base, -6), QPointF(base, 6), QPointF(tip, 0)]))
    marks = QGraphicsPathItem(arrows, disc)
    marks.setBrush(QBrush(QColor("#333")))
    marks.setPen(QPen(Qt.PenStyle.NoPen))
    disc.setZValue(2)
    return disc


class SplitPanel(ImagePanel):
    resultChosen = Signal(str)  # model id picked in the result picker

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("split", "Before | After", parent)
        scene = self.view.scene()
        self.clip = QGraphicsRectItem()
        self.clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.before = QGraphicsPixmapItem(self.clip)
        self.before.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        scene.addItem(self.clip)
        self.line = QGraphicsLineItem()
        pen = QPen(QColor("white"), 2)
        pen.setCosmetic(True)
        self.line.setPen(pen)
        self.line.setZValue(1)
        scene.addItem(self.line)
        self.handle = handle_item()
        scene.addItem(self.handle)
        self.picker = QComboBox()
        self.picker.setToolTip("The result compared with the gray input")
        self.picker.activated.connect(lambda index: self.resultChosen.emit(self.picker.itemData(index)))
        self._make_header()
        self.before_label = QLabel("Before", self.view.viewport())
        self.after_label = QLabel("After", self.view.viewport())
        for label in (self.before_label, self.after_label):
            label.setStyleSheet(LABEL_STYLE)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.fraction = 0.5
        self._dragging = False
        self.view.viewChanged.connect(self._place_handle)

    def _make_header(self) -> None:
        """The title strip gets the result picker at its right."""
        self.column.removeWidget(self.title)
        header = QWidget()
        header.setObjectName("splitHeader")
        row = QHBoxLayout(header)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title, 1)
        row.addWidget(self.picker)
        self.column.insertWidget(0, header)

    def set_pair(
        self,
        before: QImage | None,
        after: QImage | None,
        photo_size: tuple[int, int],
        *,
        choices: list[tuple[str, str]],
        chosen: str | None,
    ) -> None:
        """``before`` (gray) over ``after``, both over ``photo_size`` scene units; ``choices`` are
        (model id, name) for the picker, ``chosen`` the one shown."""
        self.picker.clear()
        for model_id, name in choices:
            self.picker.addItem(name, model_id)
        self.picker.setCurrentIndex(max(0, self.picker.findData(chosen)))
        name = dict(choices).get(chosen or "", "")
        self.set_title(f"Before | After: {name}" if name else "Before | After")
        self.after_label.setText(f"After: {name}" if name else "After")
        self.after_label.adjustSize()
        self.before_label.adjustSize()
        place_picture(self.before, before, photo_size)
        self.set_image(after, photo_size)
        self.set_fraction(self.fraction)
        self._place_labels()

    def set_fraction(self, fraction: float) -> None:
        self.fraction = min(1.0, max(0.0, fraction))
        rect = self.view.sceneRect()
        x = rect.width() * self.fraction
        self.clip.setRect(QRectF(0, 0, x, rect.height()))
        self.line.setLine(x, 0, x, rect.height())
        self._place_handle()

    def split_x(self) -> float:
        """The line's place in scene units."""
        return self.view.sceneRect().width() * self.fraction

    def _place_handle(self) -> None:
        """The handle sits on the line, at the middle of what is visible of the photo."""
        rect = self.view.sceneRect()
        self.handle.setVisible(not rect.isEmpty())
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect().intersected(rect)
        y = visible.center().y() if not visible.isEmpty() else rect.center().y()
        self.handle.setPos(self.split_x(), y)

    def _place_labels(self) -> None:
        margin = 8
        viewport = self.view.viewport()
        self.before_label.move(margin, margin)
        self.after_label.move(max(margin, viewport.width() - self.after_label.width() - margin), margin)

    def _near_line(self, viewport_pos: QPointF) -> bool:
        """Whether a press here grabs the line: on the handle, or within a few pixels of the line."""
        handle = self.view.mapFromScene(self.handle.pos())
        if (QPointF(handle) - viewport_pos).manhattanLength() <= 2 * HANDLE_RADIUS:
            return True
        scene_x = self.view.mapToScene(viewport_pos.toPoint()).x()
        return abs(scene_x - self.split_x()) * self.view.zoom <= GRAB_PIXELS

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.view.viewport():
            kind = event.type()
            if kind == QEvent.Type.Resize:
                self._place_labels()
                self._place_handle()
            elif isinstance(event, QMouseEvent) and self._drag(event):
                return True
        return super().eventFilter(obj, event)

    def _drag(self, event: QMouseEvent) -> bool:
        """Dragging the line: whether the viewport's mouse event was the drag's (the view never sees it)."""
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            if self._near_line(event.position()):
                self._dragging = True
                return True
        elif kind == QEvent.Type.MouseMove and self._dragging:
            self.drag_to(self.view.mapToScene(event.position().toPoint()).x())
            return True
        elif kind == QEvent.Type.MouseButtonRelease and self._dragging:
            self._dragging = False
            return True
        return False

    def drag_to(self, scene_x: float) -> None:
        width = self.view.sceneRect().width()
        if width > 0:
            self.set_fraction(scene_x / width)
