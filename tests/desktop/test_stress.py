"""Hundreds of small photos through the real queue and window: the app stays up.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None/True/False on many calls; a folder of a
few hundred photos made thousands of such calls and the interpreter died ("Fatal Python error:
bool_dealloc"). This runs in a child process, so such a crash fails the test instead of ending pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = 300

DRIVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QApplication

    from desktop.controllers import MainController
    from desktop.queue_model import Status
    from desktop.settings import Settings
    from desktop.views.main_window import MainWindow

    folder, models = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication([])
    window = MainWindow()
    controller = MainController(window, Settings(provider="cpu"), model_dirs=[models], ask_user=False)
    window.show()
    refs = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))

    def drop():
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(folder))])
        window.dropEvent(QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    def browse():
        # What a user does meanwhile: walk through the photos, flip the before/after view.
        window.commands["next"].trigger()
        window.commands["toggle_split"].trigger()

    timer = QTimer()
    timer.timeout.connect(browse)
    timer.start(20)

    def finished():
        timer.stop()
        statuses = [i.status for i in controller.queue.items]
        after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
        print("photos", len(statuses), "done", statuses.count(Status.DONE))
        print("refs", *refs, *after)
        app.quit()

    controller.queue.queueFinished.connect(finished)
    QTimer.singleShot(0, drop)
    sys.exit(app.exec())
    """
)


@pytest.mark.slow
def test_hundreds_of_photos_keep_the_app_up(tmp_path, models_dir):
    folder = tmp_path / "scans"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(PHOTOS):
        gray = rng.integers(0, 256, size=(24 + index % 7, 32 + index % 5), dtype=np.uint8)
        Image.fromarray(gray).save(folder / f"scan{index:03d}.png")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), str(models_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["photos"] == f"{PHOTOS} done {PHOTOS}"
    # Qt calls must not eat references to None/True/False (what killed 6.12.0 on Python 3.11).
    none0, true0, false0, none1, true1, false1 = map(int, lines["refs"].split())
    assert none1 >= none0 - 500 and true1 >= true0 - 500 and false1 >= false0 - 500, lines["refs"]
