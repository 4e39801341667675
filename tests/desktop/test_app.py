"""Drive the real window offscreen with tiny fixture models: drop, results, sync, split, save, errors, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.controllers import MainController
from desktop.controllers.comparison import GRAY_PANEL
from desktop.queue_model import Status
from desktop.settings import Settings, load_settings, save_settings
from desktop.views.main_window import MainWindow
from engine.stamp import read_stamp


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for name, size in (("one.jpg", (120, 160)), ("two.png", (90, 60))):
        path = tmp_path / name
        Image.fromarray(rng.integers(0, 256, size=size, dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def app_parts(qtbot, models_dir):
    window = MainWindow()
    qtbot.addWidget(window)
    controller = MainController(window, Settings(provider="cpu"), model_dirs=[models_dir], ask_user=False)
    qtbot.waitUntil(lambda: controller.models.registry is not None, timeout=10_000)
    window.show()
    yield window, controller
    controller.queue.cancel()
    controller.pool.waitForDone(10_000)


def drop(window: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_drop_fills_queue_and_results_fill_panels(qtbot, app_parts, photos):
    window, controller = app_parts
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        drop(window, photos)
    assert window.queue.count() == 2
    assert [i.status for i in controller.queue.items] == [Status.DONE, Status.DONE]
    window.queue.setCurrentRow(0)
    assert list(window.comparison.panels) == [GRAY_PANEL, "unet", "koala", "cgan"]
    assert all(p.has_image() for p in window.comparison.panels.values())
    unet_title = window.comparison.panels["unet"].title.text()
    assert "U-Net" in unet_title and "CPU" in unet_title
    # Full resolution in the panels, not the model's working size.
    assert window.comparison.panels["cgan"].item.pixmap().width() == 160


def test_zoom_on_one_panel_moves_the_others(qtbot, app_parts, photos):
    window, controller = app_parts
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        controller.queue.add_paths(photos[:1])
    window.queue.setCurrentRow(0)
    views = [p.view for p in window.comparison.panels.values()]
    views[2].zoom_by(4.0)
    zooms = {round(v.zoom, 4) for v in views}
    assert len(zooms) == 1 and zooms.pop() > 1.0
    views[1].horizontalScrollBar().setValue(views[1].horizontalScrollBar().maximum())
    assert {v.horizontalScrollBar().value() for v in views} == {views[1].horizontalScrollBar().maximum()}
    window.actions["zoom_100"].trigger()
    assert all(abs(v.zoom - 1.0) < 1e-6 for v in views)


def test_split_view(qtbot, app_parts, photos):
    window, controller = app_parts
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        controller.queue.add_paths(photos[:1])
    window.queue.setCurrentRow(0)
    controller.comparison.select_model("koala")
    window.actions["toggle_split"].trigger()
    assert window.comparison.currentWidget() is window.comparison.split
    assert "Deep Koalarization" in window.comparison.split.title.text()
    window.comparison.split.drag_to(40)
    assert abs(window.comparison.split.fraction - 0.25) < 1e-6
    assert window.comparison.split.clip.rect().width() == pytest.approx(40)
    window.actions["toggle_split"].trigger()
    assert window.comparison.currentWidget() is window.comparison.panels_host


def test_save_writes_stamped_files_and_never_overwrites(qtbot, app_parts, photos, tmp_path):
    window, controller = app_parts
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        controller.queue.add_paths(photos[:1])
    window.queue.setCurrentRow(0)
    controller.comparison.select_model("cgan")
    saved = controller.saving.save_selected()
    assert saved == photos[0].with_name("one.cgan.colorized.jpg")
    assert read_stamp(saved).model_id == "cgan"
    before = saved.read_bytes()
    assert controller.saving.save_selected() is None  # exists: refused, not overwritten
    assert saved.read_bytes() == before
    assert "already exists" in window.statusBar().currentMessage()
    out = tmp_path / "out"
    out.mkdir()
    written = controller.saving.save_queue(out)
    assert sorted(p.name for p in written) == ["one.cgan.colorized.jpg", "one.koala.colorized.jpg", "one.unet.colorized.jpg"]


def test_unreadable_file_shows_its_error_while_others_finish(qtbot, app_parts, photos, tmp_path):
    window, controller = app_parts
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        drop(window, [photos[0], bad, photos[1]])
    assert [i.status for i in controller.queue.items] == [Status.DONE, Status.FAILED, Status.DONE]
    assert "not an image" in window.queue.item(1).text()


def test_cancel_stops_the_queue(qtbot, app_parts, photos, tmp_path):
    window, controller = app_parts
    many = []
    for i in range(12):
        path = tmp_path / f"p{i}.png"
        Image.fromarray(np.full((400, 400), i * 20, dtype=np.uint8)).save(path)
        many.append(path)
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        controller.queue.add_paths(many)
        controller.queue.cancel()
    statuses = [i.status for i in controller.queue.items]
    assert Status.CANCELLED in statuses
    assert all(s in (Status.DONE, Status.CANCELLED) for s in statuses)
    assert not window.progress.isVisible()


def test_unavailable_model_is_shown_not_a_crash(qtbot, models_dir, photos):
    (models_dir / "broken.onnx").write_text("garbage")
    window = MainWindow()
    qtbot.addWidget(window)
    controller = MainController(window, Settings(provider="cpu"), model_dirs=[models_dir], ask_user=False)
    qtbot.waitUntil(lambda: controller.models.registry is not None, timeout=10_000)
    assert "1 unavailable" in window.provider_label.text()
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        controller.queue.add_paths(photos[:1])
    window.queue.setCurrentRow(0)
    assert "unavailable:broken" in window.comparison.panels
    controller.pool.waitForDone(5_000)


def test_settings_round_trip(tmp_path):
    from PySide6.QtCore import QSettings

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings = Settings(provider="cpu", output_dir="/tmp/x", output_format="png", keep_exif=False)
    save_settings(settings, store)
    assert load_settings(store) == settings


def test_screenshot_mode(tmp_path, models_dir, photos):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-m", "desktop", str(photos[0]), "--models-dir", str(models_dir),
                           "--screenshot", str(shot)], capture_output=True, text=True, env=env, cwd=root, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with Image.open(shot) as image:
        assert image.width > 800 and image.height > 500
