"""The Restore tool as a user drives it: the real actions and shortcuts, the panel's controls, mouse drags on
the gray panel; the saved files read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from desktop.controllers.comparison import GRAY_PANEL
from desktop.restore_model import (
    RestoreState,
    Stroke,
    defect_mask,
    paint_strokes,
    restore_gray,
)
from engine.stamp import ENHANCED_SOURCE_TYPE, read_any_stamp, read_stamp, read_xmp
from tests.desktop.driving import drop_and_finish, press

HEIGHT, WIDTH = 120, 160
SPECKS = ((30, 40), (80, 100), (60, 130), (20, 120))  # (y, x) centres of 3x3 black specks
CLEAN_SPOT = (100, 20)  # (y, x): no defect near it


def clean_value(y: int, x: int) -> float:
    return 90 + 60 * x / WIDTH + 20 * np.sin(y / 15)


@pytest.fixture
def specked(tmp_path: Path) -> Path:
    """A smooth gray print (a little grain) with four black specks."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    rng = np.random.default_rng(0)
    gray = np.clip(clean_value(y, x) + rng.normal(0, 2, (HEIGHT, WIDTH)), 0, 255).astype(np.uint8)
    for cy, cx in SPECKS:
        gray[cy - 1 : cy + 2, cx - 1 : cx + 2] = 10
    path = tmp_path / "print.png"
    Image.fromarray(gray).save(path)
    return path


def gray_shown(window) -> np.ndarray:
    """The gray panel's picture as uint8 HxW (the preview of this small photo is its own size)."""
    image = window.panel(GRAY_PANEL).item.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    assert (image.width(), image.height()) == (WIDTH, HEIGHT)
    return np.array([[image.pixelColor(x, y).red() for x in range(WIDTH)] for y in range(HEIGHT)], np.uint8)


def overlay_alpha(controller, y: int, x: int) -> int:
    layer = controller.restore._layer()
    return layer.image.pixelColor(x, y).alpha()


def restore_on(qtbot, window, controller) -> None:
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        press(window, "R")
    assert window.commands["restore"].isChecked()


def drag(
    qtbot,
    controller,
    window,
    points: list[tuple[int, int]],
    button=Qt.MouseButton.LeftButton,
    modifier=Qt.KeyboardModifier.NoModifier,
) -> None:
    """A real drag on the gray panel through ``points`` (x, y) in photo pixels; waits for the restore."""
    view = window.panel(GRAY_PANEL).view
    at = [view.mapFromScene(QPointF(x + 0.5, y + 0.5)) for x, y in points]
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        QTest.mousePress(view.viewport(), button, modifier, at[0])
        for point in at[1:]:
            QTest.mouseMove(view.viewport(), point)
        QTest.mouseRelease(view.viewport(), button, modifier, at[-1])


def test_strokes_paint_and_erase_a_mask():
    mask = np.zeros((20, 30), bool)
    added = paint_strokes(mask, (Stroke(((5, 10), (20, 10)), 2),))
    assert added[10, 5:21].all() and added[8:13, 12].all() and not added[0].any()
    erased = paint_strokes(added, (Stroke(((12, 10),), 3, add=False),))
    assert not erased[10, 10:15].any() and erased[10, 5] and erased[10, 20]
    assert not mask.any()  # never in place


def test_the_mask_restore_uses_is_the_edited_detection(specked):
    gray = np.asarray(Image.open(specked))
    state = RestoreState(enabled=True)
    found = defect_mask(gray, state)
    assert all(found[y, x] for y, x in SPECKS) and not found[CLEAN_SPOT]
    assert (restore_gray(gray, state).defect_mask == found).all()
    y, x = CLEAN_SPOT
    edited = RestoreState(enabled=True, strokes=(Stroke(((x, y),), 3), Stroke(((40, 30),), 3, add=False)))
    result = restore_gray(gray, edited)
    assert result.defect_mask[CLEAN_SPOT] and not result.defect_mask[30, 40]
    assert result.gray[30, 40] < 40  # the speck painted out of the mask is kept


def test_restore_toggle_shows_the_restored_gray_and_results(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    before = gray_shown(window)
    assert all(before[y, x] < 60 for y, x in SPECKS)
    first_results = dict(controller.queue.current_item().previews.results)

    restore_on(qtbot, window, controller)
    after = gray_shown(window)
    assert all(abs(int(after[y, x]) - clean_value(y, x)) < 12 for y, x in SPECKS)  # specks filled in
    assert window.panel(GRAY_PANEL).title.text().startswith("Restored")
    assert "dust" in window.panel(GRAY_PANEL).title.text()
    item = controller.queue.current_item()
    assert item.previews.results.keys() == first_results.keys()
    assert all(item.previews.results[m] != first_results[m] for m in first_results)  # colorized again
    assert window.restore_dock.isVisible()

    # A step switched off in the panel: restored again without it, the specks stay.
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        window.restore_panel.dust.click()
    assert all(gray_shown(window)[y, x] < 60 for y, x in SPECKS)
    assert "dust" not in window.panel(GRAY_PANEL).title.text()

    # Off again: the photo as it was, at once.
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        window.commands["restore"].trigger()
    assert window.panel(GRAY_PANEL).title.text() == "Grayscale input"
    assert (gray_shown(window) == before).all()
    assert dict(controller.queue.current_item().previews.results) == first_results


def test_defects_overlay_shows_the_mask(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    layer = controller.restore._layer()
    assert not layer.visible
    press(window, "D")
    assert window.commands["show_defects"].isChecked() and layer.visible
    assert all(overlay_alpha(controller, y, x) > 100 for y, x in SPECKS)
    assert overlay_alpha(controller, *CLEAN_SPOT) == 0
    red = layer.image.pixelColor(SPECKS[0][1], SPECKS[0][0])
    assert red.red() > 200 and red.green() < 50
    press(window, "D")
    assert not layer.visible


def test_brush_adds_and_erases_mask_areas_with_undo(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    press(window, "B")
    assert window.commands["brush"].isChecked() and window.commands["show_defects"].isChecked()
    item = controller.queue.current_item()
    y, x = CLEAN_SPOT
    assert overlay_alpha(controller, y, x) == 0

    drag(qtbot, controller, window, [(x, y), (x + 6, y), (x + 12, y)])  # left button: adds
    state = controller.restore.book.get(item.id)
    assert len(state.strokes) == 1 and state.strokes[0].add
    assert overlay_alpha(controller, y, x + 6) > 100  # the mask restored again has the stroke
    run = controller.restore.runs[item.id]
    assert np.asarray(Image.open(run.mask))[y, x + 6, 3] > 100

    speck_y, speck_x = SPECKS[0]
    drag(qtbot, controller, window, [(speck_x, speck_y)], button=Qt.MouseButton.RightButton)  # right: erases
    assert overlay_alpha(controller, speck_y, speck_x) == 0
    assert gray_shown(window)[speck_y, speck_x] < 60  # left as it is
    assert not controller.restore.book.get(item.id).strokes[-1].add

    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        press(window, "Ctrl+Z")
    assert len(controller.restore.book.get(item.id).strokes) == 1
    assert overlay_alpha(controller, speck_y, speck_x) > 100
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        press(window, "Ctrl+Z")
    assert controller.restore.book.get(item.id).strokes == ()
    assert overlay_alpha(controller, y, x + 6) == 0
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        window.commands["redo"].trigger()
    assert len(controller.restore.book.get(item.id).strokes) == 1
    assert overlay_alpha(controller, y, x + 6) > 100

    # Alt with the left button erases too.
    drag(qtbot, controller, window, [(x + 6, y)], modifier=Qt.KeyboardModifier.AltModifier)
    assert overlay_alpha(controller, y, x + 6) == 0


def test_brush_size_keys(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    press(window, "B")
    radius = controller.restore.brush_radius
    press(window, "]")
    assert controller.restore.brush_radius == pytest.approx(radius * 1.25)
    press(window, "[")
    press(window, "[")
    assert controller.restore.brush_radius == pytest.approx(radius / 1.25)
    assert controller.restore._layer().radius == pytest.approx(radius / 1.25)


def test_brush_needs_restore_on(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    press(window, "B")
    assert not window.commands["brush"].isChecked()


def test_saving_redoes_the_restoration_and_stamps_its_steps(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    press(window, "B")
    y, x = CLEAN_SPOT
    drag(qtbot, controller, window, [(x, y)])

    press(window, "Ctrl+Shift+S")  # save all results of this photo
    saved = sorted(specked.parent.glob("print.*.colorized.png"))
    assert len(saved) == 3
    for path in saved:
        stamp = read_stamp(path)
        assert "dust" in stamp.edits.restore
        luma = np.asarray(Image.open(path).convert("L")).astype(int)
        assert all(abs(luma[sy, sx] - clean_value(sy, sx)) < 12 for sy, sx in SPECKS)

    press(window, "Ctrl+Alt+R")  # save the restored photo
    restored = specked.with_name("print.restored.png")
    assert restored.exists()
    with Image.open(restored) as image:
        assert image.mode == "L"
        assert ENHANCED_SOURCE_TYPE.encode() in read_xmp(image)
        gray = np.asarray(image)
    stamp = read_any_stamp(restored)
    assert "dust" in stamp.edits.restore
    assert all(abs(int(gray[sy, sx]) - clean_value(sy, sx)) < 12 for sy, sx in SPECKS)
    # The user's stroke is in what was saved: the same as restoring with it here.
    state = controller.restore.book.get(controller.queue.current_item().id)
    expected = restore_gray(np.asarray(Image.open(specked)), state).gray
    assert (gray == expected).all()


def test_photos_keep_their_own_restore_state(qtbot, app_parts, specked, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked, photos[0]])
    window.choose_row(0)
    restore_on(qtbot, window, controller)
    press(window, "Right")
    assert not window.commands["restore"].isChecked()
    assert window.panel(GRAY_PANEL).title.text() == "Grayscale input"
    assert not window.restore_panel.steps_box.isEnabled()
    press(window, "Left")
    assert window.commands["restore"].isChecked()
    assert window.panel(GRAY_PANEL).title.text().startswith("Restored")
    assert window.restore_panel.steps_box.isEnabled()


def test_panel_strengths_follow_their_step(qtbot, app_parts, specked):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [specked])
    restore_on(qtbot, window, controller)
    panel = window.restore_panel
    assert panel.dust_strength.isEnabled() and not panel.fade_strength.isEnabled()
    with qtbot.waitSignal(controller.restore.restored, timeout=30_000):
        panel.fade.click()
    assert panel.fade_strength.isEnabled() and panel.local_contrast.isEnabled()
    assert controller.restore.book.get(controller.queue.current_item().id).settings.fade.enabled
