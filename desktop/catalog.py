"""What the views may know about the models: plain rows, no sessions, no engine registry.

The controllers build a :class:`ModelCatalog` from the loaded registry; views (panel titles, the About
dialog, the status bar) only read these rows. No Qt and no ``engine.registry`` import here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """One loaded model, as a user reads it."""

    model_id: str
    display_name: str
    version: str
    training_data: str
    provider: str  # where it runs, e.g. "CPU", "CUDA"


@dataclass(frozen=True)
class UnavailableModel:
    """A model file that did not load: ``name`` is the file's stem, ``reason`` the one-line error."""

    name: str
    reason: str

    @property
    def key(self) -> str:
        """Its panel key, never a model id (those have no colon)."""
        return f"unavailable:{self.name}"


@dataclass(frozen=True)
class ModelCatalog:
    models: tuple[ModelInfo, ...] = ()
    unavailable: tuple[UnavailableModel, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [m.model_id for m in self.models]

    @property
    def summary(self) -> str:
        """The status bar's line: which models, where they run, how many did not load."""
        providers = sorted({m.provider for m in self.models}) or ["none"]
        text = f"Models: {', '.join(self.ids) or 'none'} | running on {', '.join(providers)}"
        if self.unavailable:
            text += f" | {len(self.unavailable)} unavailable"
        return text
