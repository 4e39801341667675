"""The center pane: a hint while there is nothing to compare, else the results side by side (a grid of
panels sharing zoom and pan) or one result against the gray input (the before/after split)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QWidget

from desktop.views.image_panel import ImagePanel, ViewSync, ZoomView
from desktop.views.split_view import SplitPanel

HINT = "Drop photos or folders here\nor use File > Open (Ctrl+O)"


@dataclass(frozen=True)
class PanelSpec:
    """One panel of the grid: ``key`` names it in ``panelClicked`` (a model id for a result)."""

    key: str
    title: str
    image: QImage | None
    tooltip: str = ""


class ComparisonView(QStackedWidget):
    panelClicked = Signal(str)  # panel key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color:#888;font-size:16px;")
        self.panels_host = QWidget()
        self.panels_grid = QGridLayout(self.panels_host)
        self.panels_grid.setContentsMargins(0, 0, 0, 0)
        self.panels_grid.setSpacing(4)
        self.split = SplitPanel()
        self.addWidget(self.hint)
        self.addWidget(self.panels_host)
        self.addWidget(self.split)
        self.panels: dict[str, ImagePanel] = {}
        self.sync = ViewSync()

    def show_hint(self, text: str | None = None) -> None:
        """The hint page; ``text`` replaces what it says (None: keep it)."""
        self.setCurrentWidget(self.hint)
        if text is not None:
            self.hint.setText(text)

    def show_results(self, *, split: bool) -> None:
        self.setCurrentWidget(self.split if split else self.panels_host)

    def set_panels(self, specs: list[PanelSpec]) -> None:
        """Replace the panels (in this order, in a grid); they share zoom and pan."""
        for panel in self.panels.values():
            self.panels_grid.removeWidget(panel)
            panel.deleteLater()
        panels = [ImagePanel(s.key, s.title) for s in specs]
        self.panels = {p.key: p for p in panels}
        columns = 2 if len(panels) <= 4 else 3
        for index, panel in enumerate(panels):
            self.panels_grid.addWidget(panel, index // columns, index % columns)
        self.sync.clear()
        for spec, panel in zip(specs, panels):
            if spec.tooltip:
                panel.setToolTip(spec.tooltip)
            panel.set_image(spec.image)
            panel.clicked.connect(self.panelClicked)
            self.sync.add(panel.view)

    def mark_selected(self, key: str | None) -> None:
        for panel_key, panel in self.panels.items():
            panel.set_selected(panel_key == key)

    def set_split(self, before: QImage | None, after: QImage | None, title: str) -> None:
        self.split.set_pair(before, after, title)

    def zoom_targets(self, *, split: bool) -> list[ZoomView]:
        """The views a zoom command moves: the split view, or the first panel (the others follow it)."""
        if split:
            return [self.split.view]
        return [p.view for p in self.panels.values()][:1]
