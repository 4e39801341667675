"""The modal questions controllers ask the user. Not interactive (tests, screenshots): no dialog ever
opens; each method says what it answers then."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

OPEN_FILTER = "Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp *.gif);;All files (*)"


def name_filter(label: str, suffixes: list[str]) -> str:
    """``("JPEG", [".jpg", ".jpeg"])`` -> ``"JPEG (*.jpg *.jpeg)"``."""
    return f"{label} ({' '.join('*' + s for s in suffixes)})"


class Prompts:
    def __init__(self, parent: QWidget, *, interactive: bool) -> None:
        self.parent, self.interactive = parent, interactive

    def open_photos(self) -> list[Path]:
        """Photos to add (asked even when not interactive: only the user's own action opens it)."""
        files, _ = QFileDialog.getOpenFileNames(self.parent, "Open photos", "", OPEN_FILTER)
        return [Path(f) for f in files]

    def save_path(self, proposed: Path, formats: list[tuple[str, list[str]]], chosen: str) -> tuple[Path, str] | None:
        """Where to save one result and the format picked in the dialog's type list: ``formats`` are
        (label, suffixes), ``chosen`` the label selected at first. None when the user cancels. The dialog
        itself confirms replacing an existing file. Only called when interactive."""
        filters = [name_filter(label, suffixes) for label, suffixes in formats]
        selected = next((f for f, (label, _) in zip(filters, formats, strict=True) if label == chosen), filters[0])
        path, picked = QFileDialog.getSaveFileName(
            self.parent, "Save colorized photo", str(proposed), ";;".join(filters), selected
        )
        if not path:
            return None
        label = next((label for f, (label, _) in zip(filters, formats, strict=True) if f == picked), chosen)
        return Path(path), label

    def folder(self, title: str, start: str) -> Path | None:
        """A folder; None when the user cancels, and always when not interactive."""
        if not self.interactive:
            return None
        chosen = QFileDialog.getExistingDirectory(self.parent, title, start)
        return Path(chosen) if chosen else None

    def confirm(self, question: str, *, yes: str) -> bool:
        """Whether to go on (``yes`` names the action on its button); True when not interactive."""
        if not self.interactive:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, "Tintype", question, parent=self.parent)
        go = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def warn(self, message: str) -> None:
        """A warning box (only when interactive: the status bar has already said it)."""
        if self.interactive:
            QMessageBox.warning(self.parent, "Tintype", message)
