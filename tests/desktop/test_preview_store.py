"""Memory: the queue keeps screen-sized previews on disk, never the full-size results; the cache folder
goes away with the app."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields

import numpy as np
from PIL import Image

from desktop.preview_store import PREFIX, PREVIEW_MAX_SIDE, PreviewStore, preview_size
from tests.desktop.driving import drop_and_finish


def test_preview_size_keeps_small_photos_and_caps_large_ones():
    assert preview_size(160, 120) == (160, 120)
    assert preview_size(4000, 2500) == (PREVIEW_MAX_SIDE, 1280)
    assert preview_size(1000, 6000) == (341, PREVIEW_MAX_SIDE)


def test_previews_are_written_small_and_read_back(tmp_path):
    store = PreviewStore(tmp_path)
    gray = np.random.default_rng(0).integers(0, 256, size=(600, 3000), dtype=np.uint8)
    rgb = np.dstack([gray, gray // 2, 255 - gray])
    files = store.write(3, gray, {"unet": rgb})
    with Image.open(files.results["unet"]) as image:
        assert image.size == (PREVIEW_MAX_SIDE, 410) and image.mode == "RGB"
    images = store.load(files)
    assert (images.gray.width(), images.gray.height()) == (PREVIEW_MAX_SIDE, 410)
    assert store.load(files) is images  # kept decoded while it is among the last few
    store.discard(files)
    assert not files.gray.exists() and not files.results["unet"].exists()
    folder = store.folder
    store.close()
    assert not folder.exists()


def test_a_folder_left_by_a_crashed_run_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{PREFIX}{int(dead.stdout)}-abc"
    stale.mkdir()
    (stale / "1-gray.jpg").write_bytes(b"x")
    alive = tmp_path / f"{PREFIX}{os.getpid()}-def"
    alive.mkdir()
    store = PreviewStore(tmp_path)
    assert not stale.exists() and alive.exists()
    store.close()


def test_a_finished_photo_keeps_no_full_size_pixels(qtbot, app_parts, tmp_path):
    window, controller = app_parts
    photo = tmp_path / "scan.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 256, size=(1500, 3000), dtype=np.uint8)).save(photo)
    drop_and_finish(qtbot, window, controller, [photo])
    (item,) = controller.queue.items
    # Nothing in the queue item is an array: what it holds is a few numbers, names and file paths.
    for f in fields(item):
        value = getattr(item, f.name)
        assert not isinstance(value, np.ndarray), f.name
    assert (item.source.width, item.source.height) == (3000, 1500)
    assert all(p.stat().st_size < 2_000_000 for p in (item.previews.gray, *item.previews.results.values()))
    # The screen shows the preview over the photo's own size: 100% zoom means the photo's pixels.
    panel = window.comparison.panels["unet"]
    assert panel.item.pixmap().width() == PREVIEW_MAX_SIDE
    assert panel.view.sceneRect().width() == 3000
    window.commands["zoom_100"].trigger()
    assert panel.view.mapFromScene(panel.view.sceneRect()).boundingRect().width() >= 2999
