"""Entry point: ``tintype-app`` / ``python -m desktop [FILES...] [--screenshot PATH]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from engine import __version__
from engine.photos import resources_dir, sample_photos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tintype-app", description="Tintype: colorize black-and-white photos.")
    parser.add_argument("files", nargs="*", type=Path, help="photos or folders to open (default: the sample photos)")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot once the results are shown, then quit")
    parser.add_argument("--models-dir", type=Path, action="append", help="look for models here (repeatable)")
    parser.add_argument("--selftest", action="store_true", help="check every bundled model without a window, then quit")
    parser.add_argument("--version", action="version", version=f"Tintype {__version__}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="tintype: %(message)s")
    if args.selftest:
        from desktop.selftest import run_selftest

        return run_selftest(args.models_dir)

    from desktop.platform_check import startup_problem

    problem = startup_problem()
    if problem is not None:  # say it in one line, before Qt aborts with a page of its own
        print(f"tintype-app: cannot start: {problem}", file=sys.stderr)
        return 1

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop.controllers import MainController
    from desktop.settings import load_settings
    from desktop.views.main_window import MainWindow

    app = QApplication.instance()
    if not isinstance(app, QApplication):  # (one made already, by the tests, is reused)
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Tintype")
    app.setOrganizationName("Tintype")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "tintype.png")))
    window = MainWindow()
    controller = MainController(window, load_settings(), model_dirs=args.models_dir, ask_user=args.screenshot is None)
    window.show()
    controller.queue.add_paths(args.files or sample_photos())
    if args.screenshot is not None:

        def shoot() -> None:
            QTimer.singleShot(300, lambda: (window.grab().save(str(args.screenshot)), app.quit()))

        controller.queue.queueFinished.connect(shoot)
        QTimer.singleShot(600_000, app.quit)  # never hang a docs build
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
