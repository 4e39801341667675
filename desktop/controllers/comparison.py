"""The comparison of one photo's results: which panels, which result is selected, grid or before/after.

``selected_model`` is the one truth about the chosen result: the highlighted panel, the split view and
what Ctrl+S saves all read it, and every change to it goes through :meth:`ComparisonController._select`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.controllers.models import ModelsController
from desktop.preview_store import PreviewStore
from desktop.queue_model import QueueItem, ResultInfo
from desktop.views.comparison import PanelSpec
from desktop.views.main_window import MainWindow

GRAY_PANEL = "__gray__"  # the gray input's panel key (never a model id)


class ComparisonController(QObject):
    resultShown = Signal(int)  # item id whose results fill the panels

    def __init__(self, window: MainWindow, models: ModelsController, store: PreviewStore) -> None:
        super().__init__()
        self.window, self.models, self.store = window, models, store
        self.item: QueueItem[Path] | None = None  # the photo on screen
        self.selected_model: str | None = None  # the result that saving and the split view use
        self._panels_of: QueueItem[Path] | None = None  # whose results the panels hold now
        self._panel_models: tuple[str, ...] = ()  # the results' panels on screen, in order
        # The gray panel's title for a photo (the restore tool names it "Restored" while it is on).
        self.gray_title: Callable[[QueueItem[Path]], str] = lambda _item: "Grayscale input"

    def models_loaded(self) -> None:
        """The models changed (a reload): the unavailable panels may differ; the selection is kept."""
        self.show(self.item, force=True)

    def show(self, item: QueueItem[Path] | None, *, force: bool = False) -> None:
        """Fill the center pane for ``item``: its results, or what it is doing while it has none."""
        self.item = item
        if item is None or not item.has_results:
            self._panels_of = None
            self.window.show_hint(None if item is None else item.hint_text)
            return
        if item is self._panels_of and not force:
            return  # already on screen: keep the user's zoom and pan
        self._panels_of = item
        results, previews = item.done_results, self.store.load(item.done_previews)
        specs = [PanelSpec(GRAY_PANEL, self.gray_title(item), previews.gray)]
        for mid, info in results.items():
            specs.append(PanelSpec(mid, _result_title(info), previews.results.get(mid)))
        self._panel_models = tuple(results)
        if self.models.catalog is not None:
            for missing in self.models.catalog.unavailable:
                specs.append(PanelSpec(missing.key, f"{missing.name}: unavailable", None, tooltip=missing.reason))
        self.window.set_panels(specs, self._photo_size(item, previews.gray))
        self._select(self.selected_model if self.selected_model in results else next(iter(results), None))
        self.window.show_results(split=self.window.split_mode)
        self.resultShown.emit(item.id)

    def refresh(self, item: QueueItem[Path]) -> None:
        """``item``'s previews changed (it was computed again): if it is on screen, the new pictures go into
        the panels in place, keeping the user's zoom and pan."""
        if item is not self.item or item is not self._panels_of or not item.has_results:
            return
        results = item.done_results
        if tuple(results) != self._panel_models:
            self.show(item, force=True)
            return
        previews = self.store.load(item.done_previews)
        self.window.update_panel(GRAY_PANEL, previews.gray, self.gray_title(item))
        for mid, info in results.items():
            self.window.update_panel(mid, previews.results.get(mid), _result_title(info))
        self._select(self.selected_model)
        self.resultShown.emit(item.id)

    def select_model(self, key: str) -> None:
        """A click on a panel or a pick in the split view: a result becomes the selected one (the gray
        input and missing models do not)."""
        if self.item is not None and self.item.has_results and key in self.item.done_results:
            self._select(key)

    def set_split_mode(self, on: bool) -> None:
        if self.item is not None and self.item.has_results:
            self.window.show_results(split=on)

    def _select(self, model_id: str | None) -> None:
        self.selected_model = model_id
        self.window.mark_selected(model_id)
        item = self.item
        if item is None or not item.has_results:
            return
        previews = self.store.load(item.done_previews)
        choices = [(mid, info.display_name) for mid, info in item.done_results.items()]
        after = previews.results.get(model_id) if model_id else None
        self.window.set_split(
            previews.gray, after, self._photo_size(item, previews.gray), choices=choices, chosen=model_id
        )

    @staticmethod
    def _photo_size(item: QueueItem[Path], preview: QImage) -> tuple[int, int]:
        """The photo's (width, height): the scene's units, so 100% zoom means the photo's pixels."""
        source = item.source
        return (source.width, source.height) if source is not None else (preview.width(), preview.height())


def _result_title(info: ResultInfo) -> str:
    return f"{info.display_name}  ·  {info.seconds:.2f} s  ·  {info.provider}"
