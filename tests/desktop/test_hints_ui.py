"""Color hints and color controls in the app, driven as a user does: the H key, real mouse clicks and
drags on a result's picture (at positions mapped from photo pixels), Delete, Ctrl+Z, the sliders, the
real actions; the color chooser answers through ColorPrompt's scripted colors (no modal dialog)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from desktop.views.color_chooser import ColorChooser, Suggestion
from engine.adjust import load_hints
from engine.stamp import read_stamp
from tests.desktop.driving import drop_and_finish, press

RED = (200, 30, 30)
BLUE = (30, 60, 210)
MODEL = "koala"


@pytest.fixture
def flat_photos(tmp_path: Path) -> list[Path]:
    """Two smooth prints (flat areas a hint spreads over), 160x120 and 100x80."""
    paths = []
    for name, (w, h) in (("flat.png", (160, 120)), ("other.png", (100, 80))):
        yy, xx = np.mgrid[0:h, 0:w]
        gray = (90 + 60 * (xx / w) + 20 * (yy / h)).astype(np.uint8)
        gray[h // 2 :, w // 2 :] = 170  # a second region
        path = tmp_path / name
        Image.fromarray(gray).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def hint_app(qtbot, app_parts, flat_photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, flat_photos)
    window.choose_row(0)
    qtbot.waitUntil(lambda: MODEL in window.comparison.panels)
    press(window, "H")
    assert controller.hints.mode
    return window, controller


def viewport_of(window, key: str = MODEL):
    return window.comparison.panels[key].view.viewport()


def at_photo(window, x: float, y: float, key: str = MODEL) -> QPoint:
    """The viewport position showing photo pixel (x, y)."""
    return window.comparison.panels[key].view.mapFromScene(QPointF(x, y))


def picture_rgb(window, x: int, y: int, key: str = MODEL) -> np.ndarray:
    """The panel's picture (the preview, photo-sized here) at photo pixel (x, y)."""
    color = window.comparison.panels[key].item.pixmap().toImage().pixelColor(x, y)
    return np.array([color.red(), color.green(), color.blue()], float)


def picture_array(window, key: str = MODEL) -> np.ndarray:
    image = window.comparison.panels[key].item.pixmap().toImage()
    return np.array(
        [
            [image.pixelColor(x, y).getRgb()[:3] for x in range(0, image.width(), 7)]
            for y in range(0, image.height(), 7)
        ],
        float,
    )


def add_point(window, controller, x: float, y: float, rgb=RED, key: str = MODEL) -> None:
    controller.hints.prompt.scripted.append(rgb)
    QTest.mouseClick(
        viewport_of(window, key), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at_photo(window, x, y, key)
    )


def hints_of(controller, key: str = MODEL):
    return controller.queue.current_item().edits.of(key).hints


def redness(rgb: np.ndarray) -> float:
    return float(rgb[0] - (rgb[1] + rgb[2]) / 2)


def blueness(rgb: np.ndarray) -> float:
    return float(rgb[2] - (rgb[0] + rgb[1]) / 2)


def test_a_click_adds_a_point_with_a_marker_and_the_result_turns_toward_its_color(hint_app):
    window, controller = hint_app
    before = picture_rgb(window, 40, 30)
    add_point(window, controller, 40, 30)
    hints = hints_of(controller)
    assert len(hints) == 1 and hints[0].rgb == RED
    assert abs(hints[0].x - 40) <= 1.5 and abs(hints[0].y - 30) <= 1.5
    markers = controller.hints.markers[MODEL]
    assert len(markers.items) == 1 and markers.items[0].isVisible()
    assert markers.items[0].scene() is window.comparison.panels[MODEL].view.scene()
    after = picture_rgb(window, 40, 30)
    assert redness(after) > redness(before) + 15
    near = picture_rgb(window, 46, 34)  # the flat region around it takes the color too
    assert redness(near) > redness(before) + 10
    assert controller.comparison.selected_model == MODEL  # the edited result is the selected one
    assert "1 color point" in controller.hints.tools.bar.count.text()
    # The other results are untouched.
    assert len(controller.hints.markers["unet"].items) == 0


def test_drag_moves_a_point(hint_app):
    window, controller = hint_app
    add_point(window, controller, 40, 30, BLUE)
    there_before = picture_rgb(window, 125, 100)  # in the other region: the point's color has not reached it
    viewport = viewport_of(window)
    start, end = at_photo(window, 40, 30), at_photo(window, 120, 95)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, (start + end) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    hints = hints_of(controller)
    assert len(hints) == 1
    assert abs(hints[0].x - 120) <= 2 and abs(hints[0].y - 95) <= 2
    marker = controller.hints.markers[MODEL].items[0]
    assert abs(marker.pos().x() - hints[0].x) < 0.01 and abs(marker.pos().y() - hints[0].y) < 0.01
    assert blueness(picture_rgb(window, 125, 100)) > blueness(there_before) + 15


def test_right_click_delete_undo_redo(hint_app):
    window, controller = hint_app
    plain = picture_array(window)
    add_point(window, controller, 40, 30)
    add_point(window, controller, 120, 90, BLUE)
    assert len(hints_of(controller)) == 2
    QTest.mouseClick(
        viewport_of(window), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at_photo(window, 40, 30)
    )
    assert [h.rgb for h in hints_of(controller)] == [BLUE]
    assert len(controller.hints.markers[MODEL].items) == 1
    press(window, "Delete")
    assert hints_of(controller) == ()
    assert len(controller.hints.markers[MODEL].items) == 0
    assert np.abs(picture_array(window) - plain).max() <= 1  # the model's colors again
    press(window, "Ctrl+Z")  # the Delete undone
    assert [h.rgb for h in hints_of(controller)] == [BLUE]
    press(window, "Ctrl+Z")  # the right-click undone
    assert [h.rgb for h in hints_of(controller)] == [RED, BLUE]
    assert len(controller.hints.markers[MODEL].items) == 2
    press(window, "Ctrl+Shift+Z")
    assert [h.rgb for h in hints_of(controller)] == [BLUE]
    window.commands["zoom_fit"].trigger()
    controller.hints.tools.commands["reset_hints"].trigger()
    assert hints_of(controller) == ()
    press(window, "Ctrl+Z")
    assert [h.rgb for h in hints_of(controller)] == [BLUE]


def test_a_cancelled_color_adds_nothing(hint_app):
    window, controller = hint_app
    add_point(window, controller, 40, 30, rgb=None)
    assert hints_of(controller) == ()
    assert len(controller.hints.markers[MODEL].items) == 0


def test_outside_hint_mode_a_click_selects_and_adds_nothing(hint_app):
    window, controller = hint_app
    press(window, "H")
    assert not controller.hints.mode
    QTest.mouseClick(
        viewport_of(window, "unet"),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        at_photo(window, 40, 30, "unet"),
    )
    assert controller.comparison.selected_model == "unet"
    assert hints_of(controller, "unet") == ()


def test_strength_zero_is_gray_and_warmth_warms(hint_app):
    window, controller = hint_app
    QTest.mouseClick(
        viewport_of(window), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at_photo(window, 5, 5)
    )  # selects the result (a point in the model's own color)
    controller.hints.prompt.scripted.clear()
    press(window, "Ctrl+Z")
    bar = controller.hints.tools.bar
    assert bar.strength.isEnabled()
    bar.strength.setValue(0)
    pixels = picture_array(window)
    assert np.abs(pixels - pixels.mean(axis=-1, keepdims=True)).max() <= 3
    assert controller.queue.current_item().edits.of(MODEL).controls.strength == 0.0
    bar.strength.setValue(100)
    neutral = picture_array(window)
    bar.warmth.setValue(100)
    warm = picture_array(window)
    # Warmer: more yellow (red and green up against blue).
    assert ((warm[..., 0] + warm[..., 1]) / 2 - warm[..., 2]).mean() > (
        (neutral[..., 0] + neutral[..., 1]) / 2 - neutral[..., 2]
    ).mean() + 5
    press(window, "Ctrl+Z")  # the slider moves are one step
    assert controller.queue.current_item().edits.of(MODEL).neutral
    assert bar.strength.value() == 100 and bar.warmth.value() == 0


def test_saving_applies_the_hints_and_the_stamp_lists_them(hint_app, flat_photos):
    window, controller = hint_app
    add_point(window, controller, 40, 30)
    controller.hints.tools.bar.strength.setValue(120)
    press(window, "Ctrl+Shift+S")  # save all results of this photo, next to it
    saved = {p.name.split(".")[1]: p for p in flat_photos[0].parent.glob("flat.*.colorized.*")}
    assert set(saved) == {"unet", "koala", "cgan"}
    stamp = read_stamp(saved[MODEL])
    assert len(stamp.edits.hints) == 1 and stamp.edits.hints[0].rgb == RED
    assert abs(stamp.edits.hints[0].x - 40) <= 1.5
    assert stamp.edits.controls.strength == pytest.approx(1.2)
    assert read_stamp(saved["unet"]).edits.hints == ()  # only the edited result
    with Image.open(saved[MODEL]) as image:
        rgb = np.asarray(image.convert("RGB"), float)
    assert redness(rgb[30, 40]) > redness(rgb[30, 40].mean() * np.ones(3)) + 15


def test_hints_stay_with_their_photo(hint_app):
    window, controller = hint_app
    add_point(window, controller, 40, 30)
    edited = picture_rgb(window, 40, 30)
    press(window, "Right")  # the next photo: no points
    assert controller.queue.current_item().path.name == "other.png"
    assert hints_of(controller) == ()
    assert len(controller.hints.markers[MODEL].items) == 0
    press(window, "Ctrl+Z")  # nothing to undo on this photo
    press(window, "Left")
    assert [h.rgb for h in hints_of(controller)] == [RED]
    assert len(controller.hints.markers[MODEL].items) == 1
    assert np.abs(picture_rgb(window, 40, 30) - edited).max() <= 1  # drawn corrected again
    press(window, "Ctrl+Z")  # its own undo history is kept
    assert hints_of(controller) == ()


def test_export_and_load_hints(hint_app, tmp_path):
    window, controller = hint_app
    add_point(window, controller, 40, 30)
    add_point(window, controller, 120, 90, BLUE)
    target = tmp_path / "points.json"
    prompt = controller.hints.prompt
    prompt.scripted_files.append(target)
    controller.hints.tools.commands["export_hints"].trigger()
    assert [h.rgb for h in load_hints(target)] == [RED, BLUE]
    controller.hints.tools.commands["reset_hints"].trigger()
    assert hints_of(controller) == ()
    prompt.scripted_files.append(target)
    controller.hints.tools.commands["load_hints"].trigger()
    assert [h.rgb for h in hints_of(controller)] == [RED, BLUE]
    assert len(controller.hints.markers[MODEL].items) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"points": [{"x": 999, "y": 5, "color": "#ff0000"}]}')
    prompt.scripted_files.append(bad)
    controller.hints.tools.commands["load_hints"].trigger()
    assert "Not loaded" in window.statusBar().currentMessage()
    assert len(hints_of(controller)) == 2
    # A file that cannot be written is a status line, and nothing is left behind.
    prompt.scripted_files.append(tmp_path / "gone" / "points.json")
    controller.hints.tools.commands["export_hints"].trigger()
    assert "Not exported" in window.statusBar().currentMessage() and not (tmp_path / "gone").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_the_chooser_offers_each_model_and_recent_colors(qtbot):
    chooser = ColorChooser([Suggestion("Koala", (10, 20, 30)), Suggestion("U-Net", (40, 50, 60))], [RED])
    qtbot.addWidget(chooser)
    buttons = {b.toolTip(): b for b in chooser.findChildren(QPushButton) if b.toolTip()}
    assert "Koala: #0a141e" in buttons and "U-Net: #28323c" in buttons and "#c81e1e: #c81e1e" in buttons
    QTest.mouseClick(buttons["U-Net: #28323c"], Qt.MouseButton.LeftButton)
    assert chooser.chosen == (40, 50, 60)
