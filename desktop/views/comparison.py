"""The center pane: a hint while there is nothing to compare, else the results side by side (a grid of
panels sharing zoom and pan, laid out for the photo's shape) or one result against the gray input (the
before/after split)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QWidget

from desktop.views.image_panel import ImagePanel, ViewSync, ZoomView
from desktop.views.split_view import SplitPanel

HINT = "Drop photos or folders here\nor use File > Open (Ctrl+O)"
SPACING = 4
TITLE_HEIGHT = 24  # a panel's title strip, about


@dataclass(frozen=True)
class PanelSpec:
    """One panel of the grid: ``key`` names it in ``panelClicked`` (a model id for a result)."""

    key: str
    title: str
    image: QImage | None
    tooltip: str = ""


def grid_shape(count: int, width: float, height: float, aspect: float) -> tuple[int, int]:
    """(rows, columns) that show ``count`` pictures of ``aspect`` (width / height) largest in a ``width`` x
    ``height`` pane; on a tie, the one with fewer empty cells."""
    if count < 1:
        return (1, 1)
    best: tuple[float, int, tuple[int, int]] | None = None
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        cell_w = width / columns - SPACING
        cell_h = height / rows - SPACING - TITLE_HEIGHT
        picture_h = max(0.0, min(cell_w / aspect, cell_h))
        key = (round(picture_h, 1), -(rows * columns - count), (rows, columns))
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else (1, 1)


class ComparisonView(QStackedWidget):
    panelClicked = Signal(str)  # panel key
    splitResultChosen = Signal(str)  # model id picked in the split view

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#888;font-size:16px;")
        self.panels_host = QWidget()
        self.panels_grid = QGridLayout(self.panels_host)
        self.panels_grid.setContentsMargins(0, 0, 0, 0)
        self.panels_grid.setSpacing(SPACING)
        self.split = SplitPanel()
        self.split.resultChosen.connect(self.splitResultChosen)
        self.addWidget(self.hint)
        self.addWidget(self.panels_host)
        self.addWidget(self.split)
        self.panels: dict[str, ImagePanel] = {}
        self.sync = ViewSync()
        self.aspect = 1.0
        self.shape = (0, 0)

    def show_hint(self, text: str | None = None) -> None:
        """The hint page with ``text`` (None: the drop-photos-here hint)."""
        self.hint.setText(HINT if text is None else text)
        self.setCurrentWidget(self.hint)

    def show_results(self, *, split: bool) -> None:
        self.setCurrentWidget(self.split if split else self.panels_host)
        self._layout_panels()

    def set_panels(self, specs: list[PanelSpec], photo_size: tuple[int, int]) -> None:
        """Replace the panels (in this order, laid out for the photo's aspect); they share zoom and pan.
        ``photo_size``: (width, height) of the photo, the scene's units (100% zoom = photo pixels)."""
        for panel in self.panels.values():
            self.panels_grid.removeWidget(panel)
            panel.hide()  # now: it is deleted only when the event loop next runs
            panel.deleteLater()
        panels = [ImagePanel(s.key, s.title) for s in specs]
        self.panels = {p.key: p for p in panels}
        self.aspect = photo_size[0] / max(photo_size[1], 1)
        self.shape = (0, 0)
        self.sync.clear()
        for spec, panel in zip(specs, panels, strict=True):
            if spec.tooltip:
                panel.setToolTip(spec.tooltip)
            panel.set_image(spec.image, photo_size)
            panel.clicked.connect(self.panelClicked)
            self.sync.add(panel.view)
        self._layout_panels()

    def _layout_panels(self) -> None:
        """Place the panels in the grid shape that shows them largest now; every cell the same size."""
        if not self.panels:
            return
        area = self.contentsRect()
        shape = grid_shape(len(self.panels), area.width(), area.height(), self.aspect)
        if shape == self.shape:
            return
        self.shape = rows, columns = shape
        grid = self.panels_grid
        for panel in self.panels.values():
            grid.removeWidget(panel)
        for index, panel in enumerate(self.panels.values()):
            grid.addWidget(panel, index // columns, index % columns)
        for row in range(max(grid.rowCount(), rows)):
            grid.setRowStretch(row, 1 if row < rows else 0)
        for column in range(max(grid.columnCount(), columns)):
            grid.setColumnStretch(column, 1 if column < columns else 0)
        grid.activate()
        for panel in self.panels.values():
            panel.view.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout_panels()

    def update_panel(self, key: str, image: QImage | None, title: str | None = None) -> None:
        """Panel ``key``'s picture (and title) replaced in place: its zoom and pan stay."""
        panel = self.panels.get(key)
        if panel is None:
            return
        if title is not None:
            panel.set_title(title)
        panel.set_image(image, (round(panel.view.sceneRect().width()), round(panel.view.sceneRect().height())))

    def mark_selected(self, key: str | None) -> None:
        for panel_key, panel in self.panels.items():
            panel.set_selected(panel_key == key)

    def set_split(
        self,
        before: QImage | None,
        after: QImage | None,
        photo_size: tuple[int, int],
        *,
        choices: list[tuple[str, str]],
        chosen: str | None,
    ) -> None:
        """The before/after pair; ``choices`` (model id, name) fill its result picker, ``chosen`` shown."""
        self.split.set_pair(before, after, photo_size, choices=choices, chosen=chosen)

    def set_result_image(self, key: str, image: QImage | None, photo_size: tuple[int, int]) -> None:
        """A result's picture changed (color corrections): its panel, and the split view if it shows it."""
        if (panel := self.panels.get(key)) is not None:
            panel.set_image(image, photo_size)
        if self.split.picker.currentData() == key:
            self.split.set_image(image, photo_size)
            self.split.set_fraction(self.split.fraction)

    def zoom_targets(self, *, split: bool) -> list[ZoomView]:
        """The views a zoom command moves: the split view, or the first panel (the others follow it)."""
        if split:
            return [self.split.view]
        return [p.view for p in self.panels.values()][:1]

    def fit_targets(self, *, split: bool) -> list[ZoomView]:
        """Every view on screen: each fits its own size."""
        return [self.split.view] if split else [p.view for p in self.panels.values()]
