"""Fixtures of the desktop tests: settings kept private, small photos, the app (see driving.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from tests.desktop.driving import FileDialogs, close_app, make_app


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory):
    """Settings the app saves go to a folder of this test, never the user's."""
    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


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
def app_parts(qtbot, models_dir, tmp_path):
    """The app as tests and screenshots run it: no dialog ever opens."""
    window, controller = make_app(qtbot, models_dir, tmp_path, ask_user=False)
    yield window, controller
    close_app(controller)


@pytest.fixture
def user_app(qtbot, models_dir, tmp_path):
    """The app as a user runs it: its dialogs open (answer them with ``answer_dialog`` / ``file_dialogs``)."""
    window, controller = make_app(qtbot, models_dir, tmp_path, ask_user=True)
    yield window, controller
    close_app(controller)


@pytest.fixture
def file_dialogs(monkeypatch) -> FileDialogs:
    return FileDialogs(monkeypatch)
