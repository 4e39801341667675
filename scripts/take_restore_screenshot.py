"""The Restore tool's screenshot in docs/, taken from the real app offscreen with the bundled models.

``QT_QPA_PLATFORM=offscreen python scripts/take_restore_screenshot.py PHOTO [--out docs/restore_app.jpg]``

Opens PHOTO (as a gray print), turns Restore on (R), shows the defects (D) with the brush on (B), and
writes the window as JPEG q85. docs/ uses shared/datasets/oldphotos/scratched_b.jpg.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "restore_app.jpg")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PIL import Image
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.controllers import MainController
    from desktop.settings import Settings
    from desktop.views.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="tintype-shots-"))
    try:
        photo = work / "scratched-print.jpg"
        with Image.open(args.photo) as image:  # the gray print, as a scan comes in
            image.convert("L").save(photo, quality=95)
        window = MainWindow()
        window.resize(1400, 860)
        controller = MainController(window, Settings(provider="cpu"), ask_user=False, preview_root=work / "cache")
        window.show()

        def wait_for(signal, start) -> None:
            loop = QEventLoop()
            signal.connect(loop.quit)
            QTimer.singleShot(0, start)
            loop.exec()
            signal.disconnect(loop.quit)

        wait_for(controller.queue.queueFinished, lambda: controller.queue.add_paths([photo]))
        wait_for(controller.restore.restored, window.commands["restore"].trigger)
        window.commands["show_defects"].trigger()
        window.commands["brush"].trigger()
        window.comparison.panels["koala"].clicked.emit("koala")
        for _ in range(5):
            app.processEvents()
        shot = work / "shot.png"
        window.grab().save(str(shot))
        with Image.open(shot) as image:
            image.convert("RGB").save(args.out, quality=85, optimize=True)
        print(f"{args.out}: {args.out.stat().st_size // 1024} KB")
        controller.shut_down()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
