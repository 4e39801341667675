"""The Restore tool and color hints on the same photo, driven as a user does: one undo history for brush
strokes and hints (Ctrl+Z undoes whichever came last), the hint preview drawn on the restored gray and
redrawn when the photo is restored again, and saving that restores, colorizes, then corrects the colors,
with both in the stamp."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QAction, QImage

from engine.stamp import read_stamp
from tests.desktop.driving import drop_and_finish, press
from tests.desktop.test_hints_ui import RED, add_point, hints_of, picture_rgb, redness
from tests.desktop.test_restore_ui import (
    CLEAN_SPOT,
    SPECKS,
    clean_value,
    drag,
    restore_on,
    specked,  # noqa: F401 (the fixture)
)

MODEL = "koala"
HINT = (CLEAN_SPOT[1], CLEAN_SPOT[0])  # (x, y): a color point away from the specks


def luma_shown(window, key: str = MODEL) -> np.ndarray:
    """A result panel's picture as uint8 luma HxW (the preview of this small photo is its own size)."""
    image = window.comparison.panels[key].item.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return np.array([[image.pixelColor(x, y).red() for x in range(image.width())] for y in range(image.height())])


def specks_restored(luma: np.ndarray) -> bool:
    return all(abs(int(luma[y, x]) - clean_value(y, x)) < 12 for y, x in SPECKS)


def specks_dark(luma: np.ndarray) -> bool:
    return all(luma[y, x] < 60 for y, x in SPECKS)


def markers_drawn(window, key: str = MODEL) -> int:
    """Hint markers in the panel's scene (a marker is a disc drawn above the picture)."""
    return sum(1 for i in window.comparison.panels[key].view.scene().items() if i.zValue() == 10 and not i.parentItem())


def test_every_shortcut_is_bound_once_and_there_is_one_edit_menu(app_parts):
    window, _controller = app_parts
    keys = [k.toString() for action in window.findChildren(QAction) for k in action.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)  # Qt: "Ambiguous shortcut"
    assert {"Ctrl+Z", "Ctrl+Shift+Z", "H", "R", "D", "B", "[", "]", "Del"} <= set(keys)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Restore", "&Help"]  # Help last, as on every desktop
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert [a.text() for a in edit.actions() if a.text()][:3] == ["&Undo", "&Redo", "Color &hints"]


def test_one_undo_history_for_brush_strokes_and_hints(qtbot, app_parts, specked):  # noqa: F811
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    item = controller.queue.current_item()

    def strokes():
        return controller.restore.book.get(item.id).strokes

    press(window, "B")
    drag(qtbot, controller, window, [HINT, (HINT[0] + 6, HINT[1])])
    press(window, "H")  # both tools on: the brush on the gray panel, hints on the results
    assert controller.hints.mode and window.commands["brush"].isChecked()
    add_point(window, controller, 60, 40)
    assert len(hints_of(controller)) == 1 and len(strokes()) == 1

    press(window, "Ctrl+Z")  # the hint, the last edit
    assert hints_of(controller) == () and len(strokes()) == 1
    assert markers_drawn(window) == 0
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        press(window, "Ctrl+Z")  # then the stroke
    assert strokes() == ()
    assert not window.commands["undo"].isEnabled()

    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        press(window, "Ctrl+Shift+Z")
    assert len(strokes()) == 1 and hints_of(controller) == ()
    press(window, "Ctrl+Shift+Z")
    assert len(hints_of(controller)) == 1 and markers_drawn(window) == 1
    assert not window.commands["redo"].isEnabled()


def test_hints_preview_on_the_restored_gray_and_follow_a_new_restoration(qtbot, app_parts, specked):  # noqa: F811
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    press(window, "H")
    add_point(window, controller, *HINT)
    assert specks_dark(luma_shown(window))  # the photo as it is
    plain_redness = redness(picture_rgb(window, *HINT))

    restore_on(qtbot, window, controller)  # the results are colorized again from the restored gray
    assert [h.rgb for h in hints_of(controller)] == [RED]  # kept
    assert specks_restored(luma_shown(window))  # the corrected preview is drawn on the restored gray
    assert redness(picture_rgb(window, *HINT)) > plain_redness - 5  # and still corrected
    item = controller.queue.current_item()
    unedited = controller.store.load(item.previews).results[MODEL].pixelColor(*HINT)
    assert redness(picture_rgb(window, *HINT)) > redness(np.array(unedited.getRgb()[:3], float)) + 15
    assert markers_drawn(window) == 1  # the panels kept their markers, none doubled
    add_point(window, controller, 60, 40)  # the restored result takes hints: one click, one point
    assert len(hints_of(controller)) == 2 and markers_drawn(window) == 2

    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        window.restore_panel.dust.click()  # restored again without dust removal: new results
    assert len(hints_of(controller)) == 2 and markers_drawn(window) == 2
    assert specks_dark(luma_shown(window))  # redrawn on the new gray
    assert redness(picture_rgb(window, *HINT)) > plain_redness - 5


def test_saving_restores_colorizes_then_corrects_and_stamps_both(qtbot, app_parts, specked):  # noqa: F811
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    press(window, "H")
    add_point(window, controller, *HINT)
    controller.hints.tools.bar.strength.setValue(120)

    press(window, "Ctrl+Shift+S")  # save all results of this photo
    saved = {p.name.split(".")[1]: p for p in specked.parent.glob("print.*.colorized.png")}
    assert set(saved) == {"unet", "koala", "cgan"}
    stamp = read_stamp(saved[MODEL])
    assert "dust" in stamp.edits.restore
    assert [h.rgb for h in stamp.edits.hints] == [RED]
    assert stamp.edits.controls.strength == pytest.approx(1.2)
    assert "Restored first" in stamp.description and "1 color hint" in stamp.description
    other = read_stamp(saved["unet"])
    assert "dust" in other.edits.restore and other.edits.hints == ()
    with Image.open(saved[MODEL]) as image:
        rgb = np.asarray(image.convert("RGB"), float)
    luma = np.asarray(Image.fromarray(rgb.astype(np.uint8)).convert("L"))
    assert specks_restored(luma)  # the corrections kept the restored gray
    x, y = HINT
    assert redness(rgb[y, x]) > 15
