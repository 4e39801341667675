"""The screenshots in docs/, taken from the real app offscreen with the bundled models.

``QT_QPA_PLATFORM=offscreen python scripts/take_screenshots.py PHOTO_LANDSCAPE PHOTO_PORTRAIT [--out docs]``

Writes screenshot.jpg (the comparison grid on the landscape photo), screenshot-portrait.jpg (the grid on
the portrait one), screenshot-split.jpg (before/after with its handle), screenshot-settings.jpg and
hints_app.jpg (color hints on a result, with the color bar; ``--only-hints`` takes just this one) (JPEG
q85). docs/ uses two public-domain prints from shared/datasets/oldphotos:
Detroit, circa 1915, and acrobats on the Empire State Building, 1934.
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
    parser.add_argument("landscape", type=Path)
    parser.add_argument("portrait", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--only-hints", action="store_true", help="take hints_app.jpg only")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PIL import Image
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.controllers import MainController
    from desktop.settings import Settings
    from desktop.views.dialogs import SettingsDialog
    from desktop.views.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="tintype-shots-"))
    try:
        photos = []
        for name, source in (("detroit-1915.jpg", args.landscape), ("acrobats-1934.jpg", args.portrait)):
            with Image.open(source) as image:  # the gray print, as a scan comes in
                image.convert("L").save(work / name, quality=95)
            photos.append(work / name)
        window = MainWindow()
        window.resize(1400, 860)
        settings = Settings(provider="cpu")
        controller = MainController(window, settings, ask_user=False, preview_root=work / "cache")
        window.show()
        loop = QEventLoop()
        controller.queue.queueFinished.connect(loop.quit)
        QTimer.singleShot(0, lambda: controller.queue.add_paths(photos))
        loop.exec()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        def shoot(widget, name: str) -> None:
            settle()
            path = work / "shot.png"
            widget.grab().save(str(path))
            with Image.open(path) as image:
                image.convert("RGB").save(args.out / name, quality=85, optimize=True)
            print(f"{args.out / name}: {(args.out / name).stat().st_size // 1024} KB")

        if args.only_hints:
            shoot_hints(window, controller, shoot)
            controller.shut_down()
            return 0
        window.choose_row(0)
        window.comparison.panels["koala"].clicked.emit("koala")
        shoot(window, "screenshot.jpg")
        window.choose_row(1)
        shoot(window, "screenshot-portrait.jpg")
        window.choose_row(0)
        window.commands["toggle_split"].trigger()
        window.comparison.split.set_fraction(0.45)
        shoot(window, "screenshot-split.jpg")
        window.commands["toggle_split"].trigger()
        example = Settings(provider="auto", use_output_dir=True, output_dir="/home/ada/Pictures/Colorized")
        dialog = SettingsDialog(example, window)
        dialog.show()
        shoot(dialog, "screenshot-settings.jpg")
        dialog.close()
        shoot_hints(window, controller, shoot)
        controller.shut_down()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Color points on the Detroit print (1000x553 photo pixels): sky, the hotel's brick, the dark office
# block (it keeps the lawn's green off its similar gray), the square's lawn, a streetcar.
HINTS = (
    (300, 40, (140, 180, 225)),
    (100, 250, (160, 78, 52)),
    (515, 270, (112, 92, 80)),
    (550, 392, (78, 128, 58)),
    (700, 492, (190, 150, 60)),
)


def shoot_hints(window, controller, shoot) -> None:
    """The landscape photo with five color points on the Koala result, hint mode on, strength 110 %."""
    window.choose_row(0)
    window.comparison.panels["koala"].clicked.emit("koala")
    hints = controller.hints
    hints.tools.commands["hints"].setChecked(True)
    for x, y, rgb in HINTS:
        hints.prompt.scripted.append(rgb)
        hints.add_hint("koala", x, y)
    hints.tools.bar.strength.setValue(110)
    shoot(window, "hints_app.jpg")
    hints.tools.commands["hints"].setChecked(False)


if __name__ == "__main__":
    sys.exit(main())
