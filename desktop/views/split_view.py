"""Before/after view: one model's result with the gray input over its left part, split by a
draggable line."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsPixmapItem, QGraphicsRectItem

from desktop.views.image_panel import ImagePanel

GRAB_PIXELS = 8


class SplitPanel(ImagePanel):
    def __init__(self, parent=None) -> None:
        super().__init__("split", "Before | After", parent)
        scene = self.view.scene()
        self.clip = QGraphicsRectItem()
        self.clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.before = QGraphicsPixmapItem(self.clip)
        self.before.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        scene.addItem(self.clip)
        self.line = QGraphicsLineItem()
        pen = QPen(QColor("white"), 0)
        pen.setCosmetic(True)
        pen.setWidth(2)
        self.line.setPen(pen)
        scene.addItem(self.line)
        self.fraction = 0.5
        self._dragging = False
        self.view.viewport().installEventFilter(self)

    def set_pair(self, before: QImage | None, after: QImage | None, title: str) -> None:
        self.set_title(title)
        self.before.setPixmap(QPixmap.fromImage(before) if before is not None else QPixmap())
        self.set_image(after)
        self.set_fraction(self.fraction)

    def set_fraction(self, fraction: float) -> None:
        self.fraction = min(1.0, max(0.0, fraction))
        rect = self.view.sceneRect()
        x = rect.width() * self.fraction
        self.clip.setRect(QRectF(0, 0, x, rect.height()))
        self.line.setLine(x, 0, x, rect.height())

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == event.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            scene_x = self.view.mapToScene(event.position().toPoint()).x()
            split_x = self.view.sceneRect().width() * self.fraction
            if abs(scene_x - split_x) * self.view.zoom <= GRAB_PIXELS:
                self._dragging = True
                return True
        elif kind == event.Type.MouseMove and self._dragging:
            self.drag_to(self.view.mapToScene(event.position().toPoint()).x())
            return True
        elif kind == event.Type.MouseButtonRelease and self._dragging:
            self._dragging = False
            return True
        return super().eventFilter(obj, event)

    def drag_to(self, scene_x: float) -> None:
        width = self.view.sceneRect().width()
        if width > 0:
            self.set_fraction(scene_x / width)
