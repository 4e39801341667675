"""A titled, zoomable, pannable image view. Panels of one photo share zoom and pan (see ViewSync)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.01, 32.0


class ZoomView(QGraphicsView):
    """QGraphicsView with wheel zoom around the cursor and drag panning."""

    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Cells of a grid share the space evenly, whatever the picture's size (a view's size hint is its
        # scene's size, which made a grid uneven).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.horizontalScrollBar().valueChanged.connect(self.viewChanged)
        self.verticalScrollBar().valueChanged.connect(self.viewChanged)
        self.fit_mode = True

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float) -> None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.viewChanged.emit()

    def zoom_by(self, factor: float) -> None:
        self.fit_mode = False
        self.set_zoom(self.zoom * factor)

    def fit(self) -> None:
        self.fit_mode = True
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.viewChanged.emit()

    def actual_size(self) -> None:
        self.fit_mode = False
        self.set_zoom(1.0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_mode:
            self.fit()


def place_picture(item: QGraphicsPixmapItem, image: QImage | None, photo_size: tuple[int, int]) -> None:
    """Show ``image`` (a preview, maybe smaller than the photo) stretched over the photo's ``photo_size``
    in scene units, so that 100% zoom means the photo's pixels whatever the preview's size."""
    pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else QPixmap()
    item.setPixmap(pixmap)
    item.setScale(photo_size[0] / pixmap.width() if not pixmap.isNull() else 1.0)


class ImagePanel(QWidget):
    """Title + ZoomView showing one picture. A click (on the title or the picture, not a drag) selects it."""

    clicked = Signal(str)

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.title = QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setObjectName("panelTitle")
        self.view = ZoomView()
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.view.scene().addItem(self.item)
        self.column = QVBoxLayout(self)  # the title over the view
        self.column.setContentsMargins(2, 2, 2, 2)
        self.column.setSpacing(2)
        self.column.addWidget(self.title)
        self.column.addWidget(self.view, 1)
        self.set_selected(False)
        self._pressed_at: QPoint | None = None
        self.view.viewport().installEventFilter(self)

    def set_title(self, text: str) -> None:
        self.title.setText(text)

    def set_image(self, image: QImage | None, photo_size: tuple[int, int] | None = None) -> None:
        """``image`` over ``photo_size`` (width, height) scene units (default: the image's own size)."""
        if photo_size is None:
            photo_size = (image.width(), image.height()) if image is not None else (0, 0)
        place_picture(self.item, image, photo_size)
        self.view.setSceneRect(QRectF(0, 0, *photo_size) if not self.item.pixmap().isNull() else QRectF())
        if self.view.fit_mode:
            self.view.fit()

    def has_image(self) -> bool:
        return not self.item.pixmap().isNull()

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        style = "background:#2d6cdf;color:white;" if selected else "background:#444;color:#eee;"
        self.title.setStyleSheet(style + "padding:3px;font-weight:bold;")

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self.key)
        super().mousePressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """A click on the picture selects it too; a drag (panning) does not. Never consumes the event."""
        press_or_release = event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)
        if obj is self.view.viewport() and press_or_release and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton:
                at = event.position().toPoint()
                if event.type() == QEvent.Type.MouseButtonPress:
                    self._pressed_at = at
                elif self._pressed_at is not None:
                    moved = (at - self._pressed_at).manhattanLength()
                    self._pressed_at = None
                    if moved < QApplication.startDragDistance():
                        self.clicked.emit(self.key)
        return super().eventFilter(obj, event)


class ViewSync:
    """Keeps zoom and scroll position equal across views showing images of the same size."""

    def __init__(self) -> None:
        self.views: list[ZoomView] = []
        self._busy = False

    def add(self, view: ZoomView) -> None:
        self.views.append(view)
        view.viewChanged.connect(lambda v=view: self.follow(v))

    def clear(self) -> None:
        self.views.clear()

    def follow(self, source: ZoomView) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            for view in self.views:
                if view is source:
                    continue
                view.fit_mode = source.fit_mode
                view.setTransform(source.transform())
                view.horizontalScrollBar().setValue(source.horizontalScrollBar().value())
                view.verticalScrollBar().setValue(source.verticalScrollBar().value())
        finally:
            self._busy = False
