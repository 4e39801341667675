"""Color hints and color controls in the app: adding, moving and removing points on a result, the
strength and warmth sliders, undo and redo, export and load of a hints file, and the live preview.

The corrections live on the queue item (``QueueItem.edits``, plain data), so they stay with the photo
while the user moves through the queue and saving applies them at full resolution
(:func:`desktop.controllers.saving.write_results`, after the photo's restoration if Restore is on). Each
change is a :class:`EditCommand` (the value before and after) on the photo's undo stack, the one the
restore brush's strokes go on too (:mod:`desktop.controllers.undo`): Ctrl+Z undoes the photo's last edit.

The preview is re-rendered on the UI thread from a :class:`~engine.adjust.ChromaEditor` built on the
gray preview (at most 2048 px; the restored gray while Restore is on) and the model's low-resolution
chroma the worker handed over (from that gray): about 70 ms per change, quick enough not to need a
worker. When the photo is computed again (restored, or restore turned off) the editors are built again
on the new previews; the hints stay. Hints are kept in photo pixels and scaled to the preview for it;
saving uses them as they are.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage, QUndoCommand

from desktop.controllers.comparison import ComparisonController
from desktop.controllers.queue import QueueController
from desktop.controllers.undo import PhotoUndo
from desktop.hints_model import HINT_RADIUS, NONE, ResultEdits
from desktop.preview_store import PreviewStore
from desktop.qimage import to_qimage
from desktop.queue_model import Previews, QueueItem
from desktop.views.color_chooser import RGB, ColorPrompt, Suggestion
from desktop.views.hint_markers import HintMarkers
from desktop.views.hint_tools import MODE_TEXT, HintTools
from desktop.views.image_panel import ImagePanel
from desktop.views.main_window import MainWindow
from engine.adjust import (
    ChromaEditor,
    ColorControls,
    ColorHint,
    hints_to_json,
    load_hints,
)
from engine.atomic import write_atomic
from engine.errors import TintypeError

log = logging.getLogger(__name__)

Item = QueueItem[Path]
RECENT_KEPT = 8
CONTROLS_MERGE = 1  # QUndoCommand id: slider moves of one result merge into one undo step


def gray_array(image: QImage) -> np.ndarray:
    """A gray QImage as uint8 ``HxW`` (a copy)."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    return data[:, :width].copy()


def color_at(image: QImage, x: float, y: float, photo_size: tuple[int, int]) -> RGB:
    """The preview's color at photo pixel (``x``, ``y``)."""
    px = min(image.width() - 1, max(0, int(x * image.width() / photo_size[0])))
    py = min(image.height() - 1, max(0, int(y * image.height() / photo_size[1])))
    color = image.pixelColor(px, py)
    return (color.red(), color.green(), color.blue())


def scaled_hints(hints: tuple[ColorHint, ...], photo_size: tuple[int, int], size: tuple[int, int]) -> list[ColorHint]:
    """Hints in photo pixels moved onto a picture of ``size`` (width, height) covering the same photo."""
    sx, sy = size[0] / photo_size[0], size[1] / photo_size[1]
    out = []
    for h in hints:
        x = min(size[0] - 1e-3, max(0.0, (h.x + 0.5) * sx - 0.5))
        y = min(size[1] - 1e-3, max(0.0, (h.y + 0.5) * sy - 0.5))
        out.append(replace(h, x=x, y=y, radius=h.radius * max(sx, sy)))
    return out


class EditCommand(QUndoCommand):
    """One change of one result's corrections: ``before`` -> ``after``. Slider moves (``merge``) of the
    same result join the previous step."""

    def __init__(
        self,
        controller: HintsController,
        item: Item,
        model_id: str,
        before: ResultEdits,
        after: ResultEdits,
        text: str,
        *,
        merge: bool = False,
    ) -> None:
        super().__init__(text)
        self.controller, self.item, self.model_id = controller, item, model_id
        self.before, self.after, self.merge = before, after, merge

    def id(self) -> int:
        return CONTROLS_MERGE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.item is not self.item or other.model_id != self.model_id:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.controller.apply(self.item, self.model_id, self.after)

    def undo(self) -> None:
        self.controller.apply(self.item, self.model_id, self.before)


class HintsController(QObject):
    def __init__(
        self,
        window: MainWindow,
        comparison: ComparisonController,
        queue: QueueController,
        store: PreviewStore,
        prompt: ColorPrompt,
        *,
        undo: PhotoUndo,
    ) -> None:
        super().__init__()
        self.window, self.comparison, self.queue, self.store, self.prompt = window, comparison, queue, store, prompt
        self.undo = undo
        self.tools = HintTools(window, window.toolbar)
        self.markers: dict[str, HintMarkers] = {}
        self.recent: list[RGB] = []
        self.chosen: tuple[str, int] | None = None  # (model id, hint index) Delete removes
        self._photo: Item | None = None  # whose markers and chosen point these are
        self._editors: dict[str, ChromaEditor] = {}  # of the previews on screen, by model id
        self._editors_of: Previews[Path] | None = None
        self._gray: np.ndarray | None = None
        a = self.tools.commands
        a["hints"].toggled.connect(self.set_mode)
        a["delete_hint"].triggered.connect(lambda: self.remove_chosen())
        a["reset_hints"].triggered.connect(lambda: self.reset())
        a["export_hints"].triggered.connect(lambda: self.export_hints())
        a["load_hints"].triggered.connect(lambda: self.load_hints())
        self.tools.bar.controlsChanged.connect(self.set_controls)
        comparison.resultShown.connect(lambda _id: self.refresh())
        window.panelClicked.connect(lambda _key: self._selection_changed())
        window.splitResultChosen.connect(lambda _key: self._selection_changed())
        self._update_bar()

    # ----- what is on screen
    @property
    def item(self) -> Item | None:
        item = self.comparison.item
        return item if item is not None and item.has_results else None

    def refresh(self) -> None:
        """New panels or new pictures on screen (another photo, a reload, the photo restored again): markers
        on each result, edited pictures drawn from the previews now shown."""
        item = self.item
        if item is not self._photo:
            self._photo, self.chosen = item, None
        previews = item.previews if item is not None else None
        if previews != self._editors_of:  # another photo, or its previews computed again
            self._editors, self._editors_of, self._gray = {}, previews, None
        old, self.markers = self.markers, {}
        if item is None:
            self._update_bar()
            return
        results = item.done_results
        for key, panel in self.window.result_panels().items():
            if key in results:
                markers = old.get(key)
                if markers is None or markers.panel is not panel:  # panels refreshed in place keep theirs
                    markers = self._new_markers(panel)
                markers.set_active(self.mode)
                self.markers[key] = markers
        for model_id in results:
            if not item.edits.of(model_id).neutral:
                self._render(item, model_id)
            self._draw_markers(item, model_id)
        self._update_bar()

    def _new_markers(self, panel: ImagePanel) -> HintMarkers:
        markers = HintMarkers(panel)
        markers.addRequested.connect(self.add_hint)
        markers.moveFinished.connect(self.move_hint)
        markers.removeRequested.connect(self.remove_hint)
        markers.chosen.connect(self._choose)
        return markers

    @property
    def mode(self) -> bool:
        return self.tools.commands["hints"].isChecked()

    def set_mode(self, on: bool) -> None:
        for markers in self.markers.values():
            markers.set_active(on)
        self.window.show_status(
            MODE_TEXT if on else "Color hints off: dragging pans the pictures again.", 0 if on else 5000
        )

    def _selection_changed(self) -> None:
        """Another result selected: the bar shows its controls; the split view its corrected picture."""
        item, model_id = self.item, self.comparison.selected_model
        if item is not None and model_id is not None and not item.edits.of(model_id).neutral:
            self._render(item, model_id)
        self._update_bar()

    # ----- the user's edits (each one an undo step)
    def add_hint(self, model_id: str, x: float, y: float) -> None:
        item = self.item
        if item is None or model_id not in item.done_results:
            return
        if item.done_results[model_id].chroma is None:
            self.window.show_status("This result cannot take color hints.", 5000)
            return
        rgb = self.prompt.color(self._suggestions(item, model_id, x, y), list(self.recent))
        if rgb is None:
            return
        self.recent = [rgb, *(c for c in self.recent if c != rgb)][:RECENT_KEPT]
        edits = item.edits.of(model_id)
        red, green, blue = rgb
        hint = ColorHint(x=float(x), y=float(y), rgb=(int(red), int(green), int(blue)), radius=HINT_RADIUS)
        self.chosen = (model_id, len(edits.hints))
        self._push(item, model_id, edits.added(hint), f"add color point ({x:.0f}, {y:.0f})")

    def move_hint(self, model_id: str, index: int, x: float, y: float) -> None:
        item = self.item
        if item is None or index >= len(item.edits.of(model_id).hints):
            return
        self.chosen = (model_id, index)
        self._push(item, model_id, item.edits.of(model_id).moved(index, float(x), float(y)), "move color point")

    def remove_hint(self, model_id: str, index: int) -> None:
        item = self.item
        if item is None or index >= len(item.edits.of(model_id).hints):
            return
        self.chosen = None
        self._push(item, model_id, item.edits.of(model_id).removed(index), "remove color point")

    def remove_chosen(self) -> None:
        """Delete: the chosen point of the selected result, else its last one."""
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None:
            return
        hints = item.edits.of(model_id).hints
        if not hints:
            self.window.show_status("No color point to remove on this result.", 5000)
            return
        chosen = self.chosen
        index = chosen[1] if chosen is not None and chosen[0] == model_id and chosen[1] < len(hints) else len(hints) - 1
        self.remove_hint(model_id, index)

    def set_controls(self, strength: float, warmth: float) -> None:
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None:
            return
        edits = item.edits.of(model_id).with_controls(ColorControls(strength=strength, warmth=warmth))
        self._push(item, model_id, edits, "change strength and warmth", merge=True)

    def reset(self) -> None:
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None or item.edits.of(model_id).neutral:
            return
        self.chosen = None
        self._push(item, model_id, NONE, "reset colors")

    def export_hints(self) -> None:
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None:
            self.window.show_status("Select a result to export its color hints.", 5000)
            return
        hints = item.edits.of(model_id).hints
        path = self.prompt.hints_file(save=True, start=item.path.with_name(f"{item.path.stem}.{model_id}.hints.json"))
        if path is None:
            return
        try:  # the dialog asked before replacing a file; written atomically, never half
            write_atomic(path, hints_to_json(hints).encode("utf-8"), overwrite=True)
        except TintypeError as exc:
            self.window.show_status(f"Not exported: {exc}", 15000)
            return
        self.window.show_status(f"Exported {len(hints)} color points to {path}", 8000)

    def load_hints(self) -> None:
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None or item.source is None:
            self.window.show_status("Select a result to load color hints onto.", 5000)
            return
        path = self.prompt.hints_file(save=False, start=item.path.with_name(f"{item.path.stem}.hints.json"))
        if path is None:
            return
        try:
            hints = load_hints(path, size=(item.source.width, item.source.height))
        except TintypeError as exc:
            self.window.show_status(f"Not loaded: {exc}", 15000)
            return
        edits = replace(item.edits.of(model_id), hints=tuple(hints))
        self._push(item, model_id, edits, f"load color hints from {path.name}")
        self.window.show_status(f"Loaded {len(hints)} color points from {path}", 8000)

    # ----- applying a value (the commands' redo and undo)
    def apply(self, item: Item, model_id: str, edits: ResultEdits) -> None:
        item.edits.set(model_id, edits)
        if item is self.item:
            self._render(item, model_id)
            self._draw_markers(item, model_id)
            self._update_bar()

    def _push(self, item: Item, model_id: str, after: ResultEdits, text: str, *, merge: bool = False) -> None:
        before = item.edits.of(model_id)
        if after == before:
            return
        self.undo.stack(item.id).push(EditCommand(self, item, model_id, before, after, text, merge=merge))

    def _choose(self, model_id: str, index: int) -> None:
        self.chosen = (model_id, index)
        if (item := self.item) is not None:
            self._draw_markers(item, model_id)

    # ----- drawing
    def _render(self, item: Item, model_id: str) -> None:
        """The result's preview with its corrections (the stored preview when it has none)."""
        previews = self.store.load(item.done_previews)
        original = previews.results.get(model_id)
        edits, info = item.edits.of(model_id), item.done_results[model_id]
        photo_size = self._photo_size(item, previews.gray)
        if edits.neutral or info.chroma is None or original is None or original.isNull():
            picture = original
        else:
            if self._gray is None:
                self._gray = gray_array(previews.gray)
            editor = self._editors.get(model_id)
            if editor is None:
                editor = self._editors[model_id] = ChromaEditor(self._gray, info.chroma)
            gray_size = (self._gray.shape[1], self._gray.shape[0])
            rgb = editor.render(scaled_hints(edits.hints, photo_size, gray_size), edits.controls, gray=self._gray)
            picture = to_qimage(rgb)
        self.window.set_result_image(model_id, picture, photo_size)

    def _draw_markers(self, item: Item, model_id: str) -> None:
        markers = self.markers.get(model_id)
        if markers is None:
            return
        chosen = self.chosen[1] if self.chosen is not None and self.chosen[0] == model_id else None
        markers.set_hints([(h.x, h.y, h.rgb) for h in item.edits.of(model_id).hints], chosen)

    def _update_bar(self) -> None:
        item, model_id = self.item, self.comparison.selected_model
        if item is None or model_id is None or model_id not in item.done_results:
            self.tools.bar.show_controls(None, 1.0, 0.0, 0)
            return
        edits = item.edits.of(model_id)
        self.tools.bar.show_controls(
            item.done_results[model_id].display_name, edits.controls.strength, edits.controls.warmth, len(edits.hints)
        )

    def _suggestions(self, item: Item, model_id: str, x: float, y: float) -> list[Suggestion]:
        """What each model predicts at the point: the clicked result's first."""
        results, previews = item.done_results, self.store.load(item.done_previews)
        photo_size = self._photo_size(item, previews.gray)
        order = [model_id, *(m for m in results if m != model_id)]
        out = []
        for mid in order:
            image = previews.results.get(mid)
            if image is not None and not image.isNull():
                out.append(Suggestion(results[mid].display_name, color_at(image, x, y, photo_size)))
        return out

    @staticmethod
    def _photo_size(item: Item, preview: QImage) -> tuple[int, int]:
        source = item.source
        return (source.width, source.height) if source is not None else (preview.width(), preview.height())
