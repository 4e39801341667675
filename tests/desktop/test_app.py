"""Drive the real window offscreen with tiny fixture models: drop, results, sync, split, save, errors, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.controllers.comparison import GRAY_PANEL
from desktop.queue_model import Status
from desktop.settings import Settings, load_settings, save_settings
from engine.stamp import read_stamp
from tests.desktop.driving import click, close_app, drop, drop_and_finish, make_app, press


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
    # The photo's own size in the panels (a small photo is its own preview), not the model's working size.
    assert window.comparison.panels["cgan"].item.pixmap().width() == 160


def test_zoom_on_one_panel_moves_the_others(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    views = [p.view for p in window.comparison.panels.values()]
    views[2].zoom_by(4.0)
    zooms = {round(v.zoom, 4) for v in views}
    assert len(zooms) == 1 and zooms.pop() > 1.0
    views[1].horizontalScrollBar().setValue(views[1].horizontalScrollBar().maximum())
    assert {v.horizontalScrollBar().value() for v in views} == {views[1].horizontalScrollBar().maximum()}
    window.commands["zoom_100"].trigger()
    assert all(abs(v.zoom - 1.0) < 1e-6 for v in views)


def test_split_view(qtbot, app_parts, photos):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    click(window.comparison.panels["koala"].view.viewport())
    window.commands["toggle_split"].trigger()
    assert window.comparison.currentWidget() is window.comparison.split
    assert "Deep Koalarization" in window.comparison.split.title.text()
    window.comparison.split.drag_to(40)
    assert abs(window.comparison.split.fraction - 0.25) < 1e-6
    assert window.comparison.split.clip.rect().width() == pytest.approx(40)
    window.commands["toggle_split"].trigger()
    assert window.comparison.currentWidget() is window.comparison.panels_host


def test_save_writes_stamped_files_and_never_overwrites(qtbot, app_parts, photos, tmp_path):
    window, controller = app_parts
    drop_and_finish(qtbot, window, controller, photos[:1])
    click(window.comparison.panels["cgan"].view.viewport())
    press(window, "Ctrl+S")
    saved = photos[0].with_name("one.cgan.colorized.jpg")
    assert read_stamp(saved).model_id == "cgan"
    before = saved.read_bytes()
    press(window, "Ctrl+S")  # exists: refused, not overwritten
    assert saved.read_bytes() == before
    assert "already exists" in window.statusBar().currentMessage()


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
        drop(window, many)
        click(window.cancel_button)
    statuses = [i.status for i in controller.queue.items]
    assert Status.CANCELLED in statuses
    assert all(s in (Status.DONE, Status.CANCELLED) for s in statuses)
    assert not window.progress.isVisible()


def test_unavailable_model_is_shown_not_a_crash(qtbot, models_dir, photos, tmp_path):
    (models_dir / "broken.onnx").write_text("garbage")
    window, controller = make_app(qtbot, models_dir, tmp_path, ask_user=False)
    assert "1 unavailable" in window.provider_label.text()
    drop_and_finish(qtbot, window, controller, photos[:1])
    assert "unavailable:broken" in window.comparison.panels
    close_app(controller)


def test_settings_round_trip(tmp_path):
    from PySide6.QtCore import QSettings

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings = Settings(
        provider="cpu", use_output_dir=True, output_dir="/tmp/x", output_format="png", jpeg_quality=70, keep_exif=False
    )
    save_settings(settings, store)
    assert load_settings(store) == settings
    # Settings written before the choice existed: a folder meant "into this folder".
    old = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    old.setValue("output_dir", "/tmp/y")
    assert load_settings(old).use_output_dir and load_settings(old).jpeg_quality == 95
    assert not load_settings(QSettings(str(tmp_path / "none.ini"), QSettings.Format.IniFormat)).use_output_dir


def test_screenshot_mode(tmp_path, models_dir, photos):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", str(photos[0]), "--models-dir", str(models_dir), "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    with Image.open(shot) as image:
        assert image.width > 800 and image.height > 500
