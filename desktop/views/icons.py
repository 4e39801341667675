"""Action icons: small line drawings bundled as SVG (resources/icons/actions/), drawn in the palette's
text color so they read on light and dark themes alike."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from engine.photos import resources_dir

log = logging.getLogger(__name__)

SIZES = (16, 24, 32, 48)  # 48 covers a 24 px toolbar on a 2x screen


def action_icon(name: str, color: QColor) -> QIcon:
    """The bundled icon ``name`` in ``color``; a null icon (text only) if it cannot be drawn."""
    path = resources_dir() / "icons" / "actions" / f"{name}.svg"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("%s: icon not found (%s)", path, exc.strerror or exc)
        return QIcon()
    renderer = QSvgRenderer(QByteArray(text.replace("currentColor", color.name()).encode("utf-8")))
    if not renderer.isValid():
        log.warning("%s: not a drawable SVG", path)
        return QIcon()
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
