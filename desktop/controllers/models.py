"""Loading the models in the background, and what the rest of the app may know of them (a catalog)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from desktop.catalog import ModelCatalog, ModelInfo, UnavailableModel
from desktop.views.main_window import MainWindow
from desktop.workers import ModelLoadTask, keep_until_finished
from engine.registry import LoadedModel, ModelRegistry

log = logging.getLogger(__name__)


def catalog_of(registry: ModelRegistry) -> ModelCatalog:
    """The registry as plain rows for the views."""
    models = tuple(
        ModelInfo(
            model_id=m.model_id,
            display_name=m.contract.display_name,
            version=m.contract.model_version,
            training_data=m.contract.training_data,
            provider=m.provider_label,
        )
        for m in registry.models
    )
    unavailable = tuple(
        UnavailableModel(name=f.path.stem if f.path is not None else "model", reason=str(f)) for f in registry.failures
    )
    return ModelCatalog(models=models, unavailable=unavailable)


def fallback_reason(provider: str, registry: ModelRegistry) -> str | None:
    """Why to load again on "auto": CUDA was asked for and not one model loaded with it (no GPU, no
    libraries). None when there is nothing to fall back from."""
    if provider != "cuda" or registry.models or not registry.failures:
        return None
    return str(registry.failures[0])


class ModelsController(QObject):
    loaded = Signal()  # models are ready (possibly none); ``catalog`` and ``models`` are set
    fellBack = Signal(str)  # the provider the models now run with instead of the chosen one ("auto")

    def __init__(self, window: MainWindow, pool: QThreadPool, *, folders: list[Path] | None) -> None:
        super().__init__()
        self.window, self.pool, self.folders = window, pool, folders
        self.registry: ModelRegistry | None = None  # None while loading
        self.catalog: ModelCatalog | None = None
        self._tasks: set[QObject] = set()  # runnables' signal objects, alive until their task finishes
        self.provider = "auto"
        self.note = ""  # said after the models line, e.g. that CUDA could not be used

    @property
    def models(self) -> list[LoadedModel] | None:
        """The loaded models, in panel order; None while loading."""
        return None if self.registry is None else list(self.registry.models)

    def get(self, model_id: str) -> LoadedModel | None:
        """The loaded model with this id; None while loading or when it is gone."""
        return None if self.registry is None else self.registry.get(model_id)

    def load(self, provider: str) -> None:
        """Load the models to run on ``provider`` (the user's choice)."""
        self.note = ""
        self._start(provider)

    def _start(self, provider: str) -> None:
        self.registry, self.catalog, self.provider = None, None, provider
        self.window.set_models_text("Loading models...")
        task = ModelLoadTask(self.folders, provider)
        signals = task.signals
        signals.loaded.connect(self._on_loaded)
        signals.failed.connect(self._on_failed)
        keep_until_finished(signals, self._tasks)
        self.pool.start(task)

    def _on_loaded(self, registry: ModelRegistry) -> None:
        reason = fallback_reason(self.provider, registry)
        if reason is not None:
            # Say so where the user looks, and load on "auto" rather than leave every model unavailable.
            log.warning("CUDA could not be used (%s); loading the models on auto", reason)
            self.window.show_status(f"CUDA could not be used, so the models run on the CPU: {reason}", 30000)
            self.note = "CUDA could not be used"
            self.fellBack.emit("auto")
            self._start("auto")
            return
        self.registry, self.catalog = registry, catalog_of(registry)
        if self.catalog.unavailable:
            self.window.show_status("; ".join(u.reason for u in self.catalog.unavailable), 15000)
        self.window.set_models_text(f"{self.catalog.summary} | {self.note}" if self.note else self.catalog.summary)
        self.loaded.emit()

    def _on_failed(self, reason: str) -> None:
        # Looking for models broke off: go on with none, so queued photos fail visibly instead of waiting.
        self._on_loaded(ModelRegistry(models=[], failures=[]))
        self.window.show_status(f"Models could not be loaded: {reason}", 15000)
