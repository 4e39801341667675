"""The color chooser of a new color hint: the color each model predicts there, recently used colors, and
"More..." for the full QColorDialog.

:class:`ColorPrompt` follows :class:`~desktop.views.prompts.Prompts`: when not interactive (tests,
screenshots) no dialog opens and it answers the colors queued in ``scripted``, else the first suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RGB = tuple[int, int, int]
HINTS_FILTER = "Color hints (*.json);;All files (*)"
SWATCH = 28  # pixels


@dataclass(frozen=True)
class Suggestion:
    """A color offered in the chooser: ``label`` says where it comes from (a model's name)."""

    label: str
    rgb: RGB


def hex_of(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


class ColorChooser(QDialog):
    """Swatches to click (each closes the dialog with its color), and More... for any color."""

    def __init__(self, suggestions: list[Suggestion], recent: list[RGB], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Color of this point")
        self.chosen: RGB | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What each model predicts here:"))
        layout.addLayout(self._swatches([(s.label, s.rgb) for s in suggestions], labelled=True))
        if recent:
            layout.addWidget(QLabel("Recently used:"))
            layout.addLayout(self._swatches([(hex_of(c), c) for c in recent], labelled=False))
        more = QPushButton("More...")
        more.setToolTip("Any color (the full color picker)")
        more.clicked.connect(self._more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(more, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._start = suggestions[0].rgb if suggestions else (128, 128, 128)

    def _swatches(self, colors: list[tuple[str, RGB]], *, labelled: bool) -> QGridLayout:
        grid = QGridLayout()
        for index, (label, rgb) in enumerate(colors):
            button = QPushButton(label if labelled else "")
            button.setMinimumHeight(SWATCH)
            if not labelled:
                button.setFixedWidth(SWATCH)
            text = "black" if sum(rgb) > 380 else "white"
            button.setStyleSheet(f"background:{hex_of(rgb)};color:{text};border:1px solid #222;padding:2px 8px;")
            button.setToolTip(f"{label}: {hex_of(rgb)}")
            button.clicked.connect(lambda _=False, c=rgb: self._pick(c))
            columns = 1 if labelled else 8
            grid.addWidget(button, index // columns, index % columns)
        return grid

    def _pick(self, rgb: RGB) -> None:
        self.chosen = rgb
        self.accept()

    def _more(self) -> None:
        color = QColorDialog.getColor(QColor(*self._start), self, "Color of this point")
        if color.isValid():
            self._pick((color.red(), color.green(), color.blue()))


class ColorPrompt:
    """The questions of the color-hint tool: a color for a new point, a hints file to write or read."""

    def __init__(self, parent: QWidget, *, interactive: bool) -> None:
        self.parent, self.interactive = parent, interactive
        self.scripted: list[RGB | None] = []  # not interactive: the next answers of ``color``
        self.scripted_files: list[Path | None] = []  # not interactive: the next answers of the file questions

    def color(self, suggestions: list[Suggestion], recent: list[RGB]) -> RGB | None:
        """The color the user picks (None: cancelled). Not interactive: the next scripted answer, else the
        first suggestion."""
        if not self.interactive:
            if self.scripted:
                return self.scripted.pop(0)
            return suggestions[0].rgb if suggestions else None
        dialog = ColorChooser(suggestions, recent, self.parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

    def hints_file(self, *, save: bool, start: Path) -> Path | None:
        """A hints JSON file to write (``save``) or read; None when cancelled (or nothing scripted)."""
        if not self.interactive:
            return self.scripted_files.pop(0) if self.scripted_files else None
        if save:
            path, _ = QFileDialog.getSaveFileName(self.parent, "Export color hints", str(start), HINTS_FILTER)
        else:
            path, _ = QFileDialog.getOpenFileName(self.parent, "Load color hints", str(start.parent), HINTS_FILTER)
        return Path(path) if path else None
