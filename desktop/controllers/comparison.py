"""The comparison of one photo's results: which panels, which result is selected, grid or before/after."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.controllers.models import ModelsController
from desktop.queue_model import QueueItem
from desktop.views.comparison import PanelSpec
from desktop.views.main_window import MainWindow

GRAY_PANEL = "__gray__"  # the gray input's panel key (never a model id)


class ComparisonController(QObject):
    resultShown = Signal(int)  # item id whose results fill the panels

    def __init__(self, window: MainWindow, models: ModelsController) -> None:
        super().__init__()
        self.window, self.models = window, models
        self.item: QueueItem[QImage] | None = None  # the photo on screen
        self.selected_model: str | None = None  # the result that saving and the split view use

    def models_loaded(self) -> None:
        ids = self.models.catalog.ids if self.models.catalog is not None else []
        if self.selected_model not in ids:
            self.selected_model = ids[0] if ids else None

    def show(self, item: QueueItem[QImage] | None) -> None:
        """Fill the center pane for ``item``: its results, or a hint while it has none."""
        self.item = item
        if item is None or item.result is None or item.previews is None:
            self.window.show_hint(None if item is None else item.hint_text)
            return
        previews = item.previews
        specs = [PanelSpec(GRAY_PANEL, "Grayscale input", previews.gray)]
        for mid, res in item.result.results.items():
            title = f"{res.display_name}  ·  {res.seconds:.2f} s  ·  {res.provider}"
            specs.append(PanelSpec(mid, title, previews.results.get(mid)))
        if self.models.catalog is not None:
            for missing in self.models.catalog.unavailable:
                specs.append(PanelSpec(missing.key, f"{missing.name}: unavailable", None, tooltip=missing.reason))
        self.window.set_panels(specs)
        if self.selected_model not in item.result.results:
            self.selected_model = next(iter(item.result.results), None)
        self.window.mark_selected(self.selected_model)
        self._update_split()
        self.window.show_results(split=self.window.split_mode)
        self.resultShown.emit(item.id)

    def select_model(self, key: str) -> None:
        """A click on a panel: a result becomes the selected one (the gray input and missing models do not)."""
        if self.item is None or self.item.result is None or key not in self.item.result.results:
            return
        self.selected_model = key
        self.window.mark_selected(key)
        self._update_split()

    def set_split_mode(self, on: bool) -> None:
        if self.item is not None and self.item.result is not None:
            self.window.show_results(split=on)

    def _update_split(self) -> None:
        item = self.item
        if item is None or item.result is None or item.previews is None:
            return
        res = item.result.results.get(self.selected_model) if self.selected_model else None
        title = f"Before | After: {res.display_name}" if res else "Before | After"
        after = item.previews.results.get(self.selected_model) if self.selected_model else None
        self.window.set_split(item.previews.gray, after, title)
