"""Workers report every exception and always finish: an unexpected error (a GPU out of memory, a bug) ends
the photo failed, never "working" forever."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.controllers.queue import NO_MODELS
from desktop.preview_store import PreviewStore
from desktop.queue_model import Failure, Status
from desktop.workers import ColorizeTask, ModelLoadTask
from engine.registry import ModelRegistry
from tests.desktop.driving import close_app, drop_and_finish, make_app


def out_of_memory(_gray: np.ndarray) -> np.ndarray:
    raise RuntimeError("CUDA failure 2: out of memory")


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "one.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, size=(40, 60), dtype=np.uint8)).save(path)
    return path


def record(signals, names: list[str]) -> list[tuple]:
    """Every emission of ``names``, in order (the task runs in this thread: direct delivery)."""
    seen: list[tuple] = []
    for name in names:
        getattr(signals, name).connect(lambda *args, name=name: seen.append((name, *args)))
    return seen


def test_an_unexpected_error_is_reported_and_the_task_finishes(models_dir, photo, tmp_path):
    models = ModelRegistry.discover([models_dir], provider="cpu").models
    models[1].predict = out_of_memory
    task = ColorizeTask(7, photo, models, threading.Event(), PreviewStore(tmp_path / "cache"))
    seen = record(task.signals, ["done", "failed", "cancelled", "finished"])
    task.run()  # must not raise
    assert [s[0] for s in seen] == ["failed", "finished"]
    failure = seen[0][2]
    assert seen[0][1] == 7 and seen[1][1] == 7 and isinstance(failure, Failure)
    assert "RuntimeError" in failure.reason and "out of memory" in failure.reason
    assert failure.detail.startswith(str(photo))


def test_model_loading_that_breaks_off_is_reported_and_finishes(monkeypatch):
    def broken(cls, folders=None, *, provider="auto"):
        raise RuntimeError("driver exploded")

    monkeypatch.setattr(ModelRegistry, "discover", classmethod(broken))
    task = ModelLoadTask(None, "cpu")
    seen = record(task.signals, ["loaded", "failed", "finished"])
    task.run()
    assert [s[0] for s in seen] == ["failed", "finished"]
    assert "driver exploded" in seen[0][1]


def test_the_photo_ends_failed_not_working_in_the_app(qtbot, models_dir, photo, tmp_path):
    window, controller = make_app(qtbot, models_dir, tmp_path, ask_user=False)
    controller.models.registry.models[0].predict = out_of_memory
    drop_and_finish(qtbot, window, controller, [photo])
    (item,) = controller.queue.items
    assert item.status is Status.FAILED
    assert "out of memory" in window.queue.item(0).text()
    assert not window.progress.isVisible()
    close_app(controller)


def test_models_that_cannot_be_looked_for_fail_the_photos_visibly(qtbot, monkeypatch, photo, tmp_path):
    monkeypatch.setattr(ModelRegistry, "discover", classmethod(lambda cls, folders=None, *, provider="auto": 1 / 0))
    window, controller = make_app(qtbot, tmp_path, tmp_path, ask_user=False)
    assert "ZeroDivisionError" in window.statusBar().currentMessage()
    assert window.provider_label.text().startswith("Models: none")
    drop_and_finish(qtbot, window, controller, [photo])
    assert controller.queue.items[0].status is Status.FAILED
    assert window.queue.item(0).text() == f"one.png\nfailed: {NO_MODELS}"
    close_app(controller)
