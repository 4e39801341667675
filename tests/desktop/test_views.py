"""How the app looks and answers while a user works: the comparison laid out for the photo, the center
pane never stale, the before/after handle and labels, icons and tooltips, progress per photo, settings."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.queue_model import Status
from desktop.views.comparison import HINT
from desktop.views.queue_list import BAR_COLOR, PROGRESS_ROLE
from tests.desktop.driving import answer_dialog, click, drop, drop_and_finish, press


def shaped_photo(folder: Path, name: str, width: int, height: int) -> Path:
    rng = np.random.default_rng(width * height)
    path = folder / name
    Image.fromarray(rng.integers(0, 256, size=(height, width), dtype=np.uint8)).save(path)
    return path


def shown_size(panel) -> tuple[float, float]:
    """The picture's size on screen, in pixels."""
    rect = panel.view.mapFromScene(panel.view.sceneRect()).boundingRect()
    return rect.width(), rect.height()


def best_picture_height(count: int, width: int, height: int, aspect: float, title: int) -> float:
    """The largest picture height any grid of ``count`` equal cells gives (worked out here, independently)."""
    best = 0.0
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        best = max(best, min((width / columns) / aspect, height / rows - title))
    return best


@pytest.mark.parametrize("size", [(300, 100), (100, 160)], ids=["landscape", "portrait"])
def test_the_grid_uses_the_space_for_the_photo_shape(qtbot, app_parts, tmp_path, size):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [shaped_photo(tmp_path, "p.png", *size)])
    panels = list(window.comparison.panels.values())
    sizes = [shown_size(p) for p in panels]
    # Every picture the same size (an even grid) ...
    assert max(w for w, _ in sizes) - min(w for w, _ in sizes) <= 2
    # ... and about as large as the best grid for this pane allows.
    pane = window.comparison.contentsRect()
    title = panels[0].title.height() + 8
    best = best_picture_height(len(panels), pane.width(), pane.height(), size[0] / size[1], title)
    assert sizes[0][1] >= 0.9 * best, (sizes[0], best, window.comparison.shape)
    # Zooming in and pressing F fits every picture again.
    press(window, "+")
    press(window, "+")
    assert shown_size(panels[0])[1] > sizes[0][1] * 1.3
    press(window, "F")
    assert all(abs(shown_size(p)[1] - sizes[0][1]) <= 2 for p in panels)


def test_the_grid_follows_the_window_size(qtbot, app_parts, tmp_path):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, [shaped_photo(tmp_path, "p.png", 100, 160)])
    assert window.comparison.shape == (1, 4)  # portrait in a wide pane: one row
    window.resize(700, 1200)
    qtbot.waitUntil(lambda: window.comparison.shape == (2, 2), timeout=5_000)


def test_switching_photos_leaves_no_old_panel_on_screen(qtbot, app_parts, tmp_path):
    from desktop.views.image_panel import ImagePanel

    window, controller = app_parts
    photos = [shaped_photo(tmp_path, "wide.png", 300, 100), shaped_photo(tmp_path, "tall.png", 100, 160)]
    drop_and_finish(qtbot, window, controller, photos)
    for row in (0, 1, 0):
        window.queue.setCurrentRow(row)
        for _ in range(5):  # new panels show on the next turn of the event loop; old ones are deleted later
            QApplication.processEvents()
        visible = [p for p in window.comparison.panels_host.findChildren(ImagePanel) if p.isVisible()]
        assert sorted(map(id, visible)) == sorted(map(id, window.comparison.panels.values()))


def test_the_center_pane_is_never_stale(qtbot, app_parts, photos, tmp_path, models_dir):
    window, controller = app_parts
    assert window.comparison.hint.text() == HINT
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    drop_and_finish(qtbot, window, controller, [bad])
    assert "not an image" in window.comparison.hint.text()  # opening a photo shows it
    window.commands["clear"].trigger()
    assert window.comparison.hint.text() == HINT  # not the old error: the drop hint is back
    # While a photo works, the pane says so (not "waiting").
    gate = threading.Event()
    model = controller.models.registry.models[0]
    real = model.predict

    def slow(gray):
        gate.wait(10)
        return real(gray)

    model.predict = slow
    drop(window, photos[:1])
    qtbot.waitUntil(lambda: "working" in window.comparison.hint.text(), timeout=5_000)
    assert "waiting" not in window.comparison.hint.text()
    gate.set()
    qtbot.waitUntil(lambda: window.comparison.currentWidget() is window.comparison.panels_host, timeout=10_000)
    # Opening more photos switches to the first of them.
    drop(window, photos[1:])
    assert window.queue.currentRow() == 1
    qtbot.waitUntil(lambda: controller.queue.items[1].status is Status.DONE, timeout=10_000)
    assert window.comparison.panels["unet"].item.pixmap().width() == 60


def test_the_split_line_has_a_handle_and_labels_and_drags(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    click(window.comparison.panels["koala"].view.viewport())
    press(window, "Space")
    split = window.comparison.split
    assert split.handle.isVisible() and split.handle.pos().x() == pytest.approx(80)  # the middle of 160
    assert split.before_label.isVisible() and split.before_label.text() == "Before"
    assert split.after_label.isVisible() and split.after_label.text() == "After: Deep Koalarization"
    viewport = split.view.viewport()
    assert split.after_label.geometry().right() > viewport.width() / 2 > split.before_label.geometry().right()
    # Drag the handle with the mouse, a quarter of the view to the right.
    start = split.view.mapFromScene(split.handle.pos())
    end = QPoint(start.x() + viewport.width() // 4, start.y())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert split.fraction > 0.6
    assert split.handle.pos().x() == pytest.approx(160 * split.fraction)
    assert split.clip.rect().width() == pytest.approx(160 * split.fraction)


def test_toolbar_actions_have_icons_and_tooltips_with_their_shortcuts(app_parts):
    window, _controller = app_parts
    shown = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert len(shown) >= 9
    for action in shown:
        assert not action.icon().isNull(), action.text()
        assert not action.icon().pixmap(24, 24).toImage().isNull()
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys and keys in action.toolTip(), action.toolTip()
    assert (
        window.commands["save_all"]
        .toolTip()
        .endswith(f"({QKeySequence('Ctrl+Shift+S').toString(QKeySequence.SequenceFormat.NativeText)})")
    )
    assert window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon


def test_each_photo_shows_its_progress(qtbot, app_parts, photos):
    window, controller = app_parts
    gate = threading.Event()
    model = controller.models.registry.models[1]
    real = model.predict

    def slow(gray):
        gate.wait(10)
        return real(gray)

    model.predict = slow
    drop(window, photos)
    qtbot.waitUntil(lambda: window.queue.item(0).data(PROGRESS_ROLE) == pytest.approx(1 / 3), timeout=5_000)
    # The second photo waits its turn: it says so, and has no bar yet.
    assert window.queue.item(1).text() == "two.png\nqueued" and window.queue.item(1).data(PROGRESS_ROLE) is None
    image = window.queue.grab().toImage()
    row = window.queue.visualItemRect(window.queue.item(0))
    bar = [
        image.pixelColor(x, y) for x in range(row.left(), row.right()) for y in range(row.bottom() - 8, row.bottom())
    ]
    assert sum(c == BAR_COLOR for c in bar) > 20  # the bar is drawn
    gate.set()
    qtbot.waitUntil(lambda: controller.queue.model.all_finished, timeout=10_000)
    assert window.queue.item(0).data(PROGRESS_ROLE) is None


def test_settings_show_quality_and_where_results_go_and_saving_follows(qtbot, user_app, photos, tmp_path):
    window, controller = user_app
    drop_and_finish(qtbot, window, controller, photos[:1])
    out = tmp_path / "chosen"
    out.mkdir()
    seen = {}

    def edit(dialog) -> None:
        seen["visible"] = [
            w.isVisible() for w in (dialog.jpeg_quality, dialog.next_to_photo, dialog.into_folder, dialog.output_dir)
        ]
        seen["next_checked"] = dialog.next_to_photo.isChecked()
        seen["folder_enabled"] = dialog.output_dir.isEnabled()
        dialog.into_folder.click()
        dialog.output_dir.setText(str(out))
        dialog.jpeg_quality.setValue(60)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    answer_dialog(edit)
    press(window, "Ctrl+,")
    assert seen == {"visible": [True] * 4, "next_checked": True, "folder_enabled": False}
    assert controller.settings.current.jpeg_quality == 60 and controller.settings.current.use_output_dir
    press(window, "Ctrl+Shift+S")
    saved = out / "one.unet.colorized.jpg"
    reference = tmp_path / "q60.jpg"
    with Image.open(saved) as image:
        image.save(reference, quality=60, subsampling="4:2:0")
        quantization = image.quantization
    with Image.open(reference) as image:
        assert quantization == image.quantization  # written at quality 60
    assert not photos[0].with_name("one.unet.colorized.jpg").exists()
    # Back to "next to each photo": the folder is remembered, and not used.
    answer_dialog(lambda d: (d.next_to_photo.click(), d.buttons.button(d.buttons.StandardButton.Ok).click()))
    press(window, "Ctrl+,")
    assert controller.settings.current.output_dir == str(out) and not controller.settings.current.use_output_dir
    press(window, "Ctrl+Shift+S")
    assert photos[0].with_name("one.koala.colorized.jpg").exists()
