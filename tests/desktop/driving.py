"""Acting on the real window as a user does: drop files, press shortcuts, click, answer the dialogs that
open. The native file dialogs cannot be driven offscreen: ``FileDialogs`` answers them instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QWidget

from desktop.controllers import MainController
from desktop.settings import Settings
from desktop.views.main_window import MainWindow


def make_app(
    qtbot, models_dir: Path, tmp_path: Path, *, ask_user: bool, settings: Settings | None = None
) -> tuple[MainWindow, MainController]:
    window = MainWindow()
    if not ask_user:  # pytest-qt closes it after the test; a user's app may ask first (see close_app)
        qtbot.addWidget(window)
    controller = MainController(
        window,
        settings or Settings(provider="cpu"),
        model_dirs=[models_dir],
        ask_user=ask_user,
        preview_root=tmp_path / "cache",
    )
    qtbot.waitUntil(lambda: controller.models.registry is not None, timeout=10_000)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    return window, controller


def close_app(controller: MainController) -> None:
    """End the app without questions: stop the work, remove the previews, close the window."""
    controller.window.confirm_close = lambda: True
    controller.window.close()
    controller.queue.cancel()
    controller.pool.waitForDone(10_000)
    controller.saving.pool.waitForDone(10_000)
    controller.store.close()


def drop(window: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)


def drop_and_finish(qtbot, window: MainWindow, controller: MainController, paths: list[Path]) -> None:
    with qtbot.waitSignal(controller.queue.queueFinished, timeout=30_000):
        drop(window, paths)


def press(widget: QWidget, keys: str) -> None:
    """Type a shortcut such as ``"Ctrl+Shift+S"`` on ``widget`` (the window)."""
    window = widget.window()
    if QApplication.activeWindow() is not window:  # as after a dialog closed: the window manager's job
        window.activateWindow()
        QApplication.processEvents()
    combo = QKeySequence(keys)[0]
    QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())


def click(widget: QWidget, at: QPoint | None = None) -> None:
    """A left click (press and release at the same place) on ``widget``, at its center by default."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at or widget.rect().center())


def answer_dialog(act: Callable[[QWidget], None], seen: list[str] | None = None, *, within_ms: int = 10_000) -> None:
    """When the next modal dialog opens (within ``within_ms``), call ``act(dialog)`` on it (click a button,
    fill a field); ``seen`` gets its title and text. If ``act`` fails the dialog is closed, so a test fails
    instead of hanging on it, and the error is kept in ``seen``."""
    deadline = QDeadlineTimer(within_ms)

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if not deadline.hasExpired():
                QTimer.singleShot(10, poll)
            return
        if seen is not None:
            seen.append(dialog.windowTitle() + ": " + getattr(dialog, "text", lambda: "")())
        try:
            act(dialog)
        except Exception as exc:  # report it through the test's own assertions
            if seen is not None:
                seen.append(f"answer failed: {exc!r}")
            dialog.reject() if hasattr(dialog, "reject") else dialog.close()

    QTimer.singleShot(0, poll)


def click_button(text: str) -> Callable[[QWidget], None]:
    """An ``answer_dialog`` action: click the dialog's button with this text."""

    def act(dialog: QWidget) -> None:
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == text:
                button.click()
                return
        raise AssertionError(f"no button {text!r} in {dialog.windowTitle()}")

    return act


class FileDialogs:
    """Answers the native file dialogs (which cannot be driven offscreen) as a user would, and records what
    they were asked."""

    def __init__(self, monkeypatch) -> None:
        self.save_answers: list[tuple[str, str]] = []  # (path typed, type list entry picked), in order
        self.folder_answers: list[str] = []
        self.asked: list[tuple] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _save(self, parent, caption, start, filters, selected):
        self.asked.append(("save", start, filters.split(";;"), selected))
        return self.save_answers.pop(0) if self.save_answers else ("", "")

    def _folder(self, parent, caption, start):
        self.asked.append(("folder", start))
        return self.folder_answers.pop(0) if self.folder_answers else ""
