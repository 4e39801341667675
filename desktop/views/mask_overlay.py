"""The defect mask over the gray panel, and the brush that edits it.

The mask is a red, half-transparent picture at the preview's size laid over the gray picture in the same
scene units (photo pixels). With the brush on, a drag on the panel paints (left button) or erases (right
button, or Alt with the left) at once on screen and reports the stroke in photo pixels when the button is
let go; the controller keeps it and restores the photo again. Panning by drag is off while the brush is on
(the wheel still zooms).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPixmapItem, QGraphicsView

from desktop.views.image_panel import ImagePanel, place_picture

PAINT = QColor(230, 20, 20, 150)  # as the masks the worker writes (desktop.preview_store.MASK_COLOR)


class MaskLayer(QObject):
    """Attached to one :class:`ImagePanel` (the gray one) for as long as that panel lives."""

    stroked = Signal(list, bool)  # [(x, y), ...] in photo pixels, add (False: erase)

    def __init__(self, panel: ImagePanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.overlay = QGraphicsPixmapItem()
        self.overlay.setZValue(1)
        self.overlay.setTransformationMode(Qt.TransformationMode.FastTransformation)  # crisp mask edges
        self.cursor = QGraphicsEllipseItem()
        self.cursor.setZValue(2)
        pen = QPen(QColor(255, 255, 255), 0)  # cosmetic: one screen pixel at any zoom
        pen.setStyle(Qt.PenStyle.DashLine)
        self.cursor.setPen(pen)
        self.cursor.setVisible(False)
        scene = panel.view.scene()
        scene.addItem(self.overlay)
        scene.addItem(self.cursor)
        self.image = QImage()  # the overlay's picture (ARGB, preview size), painted on live
        self.photo_size = (0, 0)
        self.brushing = False
        self.radius = 8.0  # photo pixels
        self._points: list[tuple[float, float]] = []
        self._add = True
        self.viewport = panel.view.viewport()  # kept: the filter sees events while the panel is torn down
        self.viewport.installEventFilter(self)

    # ----- what the controller sets
    def set_mask(self, image: QImage | None, photo_size: tuple[int, int]) -> None:
        """The mask picture (None: no mask, transparent) over ``photo_size`` scene units."""
        self.photo_size = photo_size
        if image is None or image.isNull():
            size = self.panel.item.pixmap().size()
            image = QImage(max(size.width(), 1), max(size.height(), 1), QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
        self.image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        place_picture(self.overlay, self.image, photo_size)

    def set_visible(self, visible: bool) -> None:
        self.overlay.setVisible(visible)

    @property
    def visible(self) -> bool:
        return self.overlay.isVisible()

    def set_brush(self, on: bool, radius: float) -> None:
        """Brush on (drags paint) or off (drags pan); ``radius`` in photo pixels."""
        self.brushing, self.radius = on, radius
        view = self.panel.view
        view.setDragMode(QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag)
        view.viewport().setMouseTracking(on)
        view.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)
        self.cursor.setRect(QRectF(-radius, -radius, 2 * radius, 2 * radius))
        if not on:
            self.cursor.setVisible(False)

    # ----- painting
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is not self.viewport or not self.brushing:
            return False
        try:
            return self._brush_event(event)
        except RuntimeError:  # the panel is being deleted (the photo changed): its items went first
            return False

    def _brush_event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Leave:
            self.cursor.setVisible(False)
            return False
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return False
        assert isinstance(event, QMouseEvent)
        at = self.panel.view.mapToScene(event.position().toPoint())
        self.cursor.setPos(at)
        self.cursor.setVisible(True)
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
                return False
            alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._add = event.button() == Qt.MouseButton.LeftButton and not alt
            self._points = [(at.x(), at.y())]
            self._paint(at, at)
        elif kind == QEvent.Type.MouseMove and self._points:
            last = QPointF(*self._points[-1])
            self._points.append((at.x(), at.y()))
            self._paint(last, at)
        elif kind == QEvent.Type.MouseButtonRelease and self._points:
            points, self._points = self._points, []
            self.stroked.emit(points, self._add)
        return True  # the brush owns the mouse: no panning, no selecting

    def _paint(self, start: QPointF, end: QPointF) -> None:
        """Show a stroke's segment at once (the restored mask replaces it when the photo is restored again)."""
        if self.image.isNull() or not self.photo_size[0]:
            return
        scale = self.image.width() / self.photo_size[0]  # preview pixels per photo pixel
        painter = QPainter(self.image)
        if self._add:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            pen = QPen(PAINT)
        else:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
            pen = QPen(Qt.GlobalColor.transparent)
        pen.setWidthF(max(1.0, 2 * self.radius * scale))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(start * scale, end * scale)
        painter.end()
        self.overlay.setPixmap(QPixmap.fromImage(self.image))
        self.overlay.setVisible(True)
