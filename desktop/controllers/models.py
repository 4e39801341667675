"""Loading the models in the background, and what the rest of the app may know of them (a catalog)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from engine.registry import LoadedModel, ModelRegistry

from desktop.catalog import ModelCatalog, ModelInfo, UnavailableModel
from desktop.views.main_window import MainWindow
from desktop.workers import ModelLoadTask

log = logging.getLogger(__name__)


def catalog_of(registry: ModelRegistry) -> ModelCatalog:
    """The registry as plain rows for the views."""
    models = tuple(
        ModelInfo(model_id=m.model_id, display_name=m.contract.display_name, version=m.contract.model_version,
                  training_data=m.contract.training_data, provider=m.provider_label)
        for m in registry.models
    )
    unavailable = tuple(
        UnavailableModel(name=f.path.stem if f.path is not None else "model", reason=str(f)) for f in registry.failures
    )
    return ModelCatalog(models=models, unavailable=unavailable)


class ModelsController(QObject):
    loaded = Signal()  # models are ready (possibly none); ``catalog`` and ``models`` are set

    def __init__(self, window: MainWindow, pool: QThreadPool, *, folders: list[Path] | None) -> None:
        super().__init__()
        self.window, self.pool, self.folders = window, pool, folders
        self.registry: ModelRegistry | None = None  # None while loading
        self.catalog: ModelCatalog | None = None
        self._tasks: list[QObject] = []  # keep runnables' signal objects alive until they report

    @property
    def models(self) -> list[LoadedModel] | None:
        """The loaded models, in panel order; None while loading."""
        return None if self.registry is None else list(self.registry.models)

    def load(self, provider: str) -> None:
        self.registry, self.catalog = None, None
        self.window.set_models_text("Loading models...")
        task = ModelLoadTask(self.folders, provider)
        task.signals.loaded.connect(self._on_loaded)
        task.signals.failed.connect(self._on_failed)
        self._tasks.append(task.signals)
        self.pool.start(task)

    def _on_loaded(self, registry: ModelRegistry) -> None:
        self.registry, self.catalog = registry, catalog_of(registry)
        if self.catalog.unavailable:
            self.window.show_status("; ".join(u.reason for u in self.catalog.unavailable), 15000)
        self.window.set_models_text(self.catalog.summary)
        self.loaded.emit()

    def _on_failed(self, reason: str) -> None:
        # Looking for models broke off: go on with none, so queued photos fail visibly instead of waiting.
        self._on_loaded(ModelRegistry(models=[], failures=[]))
        self.window.show_status(f"Models could not be loaded: {reason}", 15000)
