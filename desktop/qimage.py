"""numpy <-> Qt image conversion (copies, so Qt never points into freed numpy memory)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def to_qimage(array: np.ndarray) -> QImage:
    """uint8 gray ``HxW`` or RGB ``HxWx3`` -> QImage (deep copy)."""
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    if array.ndim == 2:
        image = QImage(array.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(array.data, width, height, width * 3, QImage.Format.Format_RGB888)
    return image.copy()


def thumbnail(gray: np.ndarray, size: int = 64) -> QImage:
    """A small gray preview for the queue list (nearest sampling: fast on huge scans)."""
    height, width = gray.shape
    step = max(1, max(height, width) // size)
    return to_qimage(gray[::step, ::step])
