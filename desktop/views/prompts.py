"""The modal questions controllers ask the user. Not interactive (tests, screenshots): no dialog ever
opens; each method says what it answers then."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

OPEN_FILTER = "Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.gif);;All files (*)"


class Prompts:
    def __init__(self, parent: QWidget, *, interactive: bool) -> None:
        self.parent, self.interactive = parent, interactive

    def open_photos(self) -> list[Path]:
        """Photos to add (asked even when not interactive: only the user's own action opens it)."""
        files, _ = QFileDialog.getOpenFileNames(self.parent, "Open photos", "", OPEN_FILTER)
        return [Path(f) for f in files]

    def save_path(self, proposed: Path) -> Path | None:
        """Where to save one result; None when the user cancels. The dialog itself confirms replacing an
        existing file. Only called when interactive."""
        chosen, _ = QFileDialog.getSaveFileName(self.parent, "Save colorized photo", str(proposed))
        return Path(chosen) if chosen else None

    def folder(self, title: str, start: str) -> Path | None:
        """A folder; None when the user cancels, and always when not interactive."""
        if not self.interactive:
            return None
        chosen = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(chosen) if chosen else None

    def warn(self, message: str) -> None:
        """A warning box (only when interactive: the status bar has already said it)."""
        if self.interactive:
            QMessageBox.warning(self.parent, "Tintype", message)
