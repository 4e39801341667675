"""Finding and loading models: bundled ``resources/models/`` plus the user's models folder.

Models are listed in one stable order (unet, koala, cgan, then others by id). A file that fails to
load is reported with its reason and the other models keep working. Two files with one model id:
the later one is used (a later folder, else the later name in a folder) and the pair is reported
(:attr:`ModelRegistry.shadowed`). A model's weights may sit in an external data file beside it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.contract import INPUT_NAME, OUTPUT_NAME, ModelContract, check_graph, parse_contract
from engine.errors import ModelLoadError, ModelOutputError
from engine.files import read_regular_file
from engine.model_ids import sort_key
from engine.photos import resources_dir
from engine.providers import create_session, provider_label

if TYPE_CHECKING:
    import onnxruntime

log = logging.getLogger(__name__)

MAX_MODEL_BYTES = 2 << 30  # ONNX's own limit for one protobuf file (larger weights sit in external data)


def user_models_dir() -> Path:
    """Where a user drops extra or retrained models (``TINTYPE_MODELS_DIR`` overrides)."""
    override = os.environ.get("TINTYPE_MODELS_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
        return base / "Tintype" / "models"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Tintype" / "models"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "tintype" / "models"


def default_model_dirs() -> list[Path]:
    return [resources_dir() / "models", user_models_dir()]


@dataclass
class LoadedModel:
    """A model with its contract and its (reused) onnxruntime session."""

    path: Path
    contract: ModelContract
    session: onnxruntime.InferenceSession = field(repr=False)
    provider: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def model_id(self) -> str:
        return self.contract.model_id

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)

    def predict(self, gray: np.ndarray) -> np.ndarray:
        """Run the model. ``gray``: float32 ``[N, 1, S, S]`` in [-1, 1] -> float32 ``[N, C, S, S]``."""
        # One run at a time per session keeps memory predictable when the app runs several images.
        with self._lock:
            try:
                (out,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: gray})
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - onnxruntime's own exception types, not exported stably
                text = " ".join(str(exc).split())[:200] or type(exc).__name__
                raise ModelOutputError(f"model '{self.model_id}' ({self.path.name}) failed to run ({text})") from None
        return out


def load_model(path: str | os.PathLike, *, provider: str = "auto") -> LoadedModel:
    """Load one model file and check it against the contract; :class:`ModelLoadError` names the file."""
    path = Path(path)
    data = read_regular_file(path, limit=MAX_MODEL_BYTES, error=ModelLoadError)
    if not data:
        raise ModelLoadError(f"{path}: empty file")
    session, in_use = create_session(data, provider=provider, source=str(path), folder=str(path.parent.resolve()))
    meta = session.get_modelmeta().custom_metadata_map
    contract = parse_contract(dict(meta), source=str(path))
    check_graph(
        contract,
        inputs={i.name: list(i.shape) for i in session.get_inputs()},
        outputs={o.name: list(o.shape) for o in session.get_outputs()},
        source=str(path),
    )
    return LoadedModel(path=path, contract=contract, session=session, provider=in_use)


@dataclass(frozen=True)
class Shadowed:
    """Two model files with one id: ``used`` is loaded, ``ignored`` is not."""

    model_id: str
    used: Path
    ignored: Path

    def __str__(self) -> str:
        return f"model '{self.model_id}' is in two files: using {self.used}, ignoring {self.ignored}"


@dataclass
class ModelRegistry:
    """All models found in ``folders``; later folders override earlier ones for the same model id
    (each such pair is in :attr:`shadowed`)."""

    models: list[LoadedModel]
    failures: list[ModelLoadError]
    shadowed: list[Shadowed] = field(default_factory=list)

    @classmethod
    def discover(cls, folders: list[Path] | None = None, *, provider: str = "auto") -> ModelRegistry:
        folders = default_model_dirs() if folders is None else folders
        by_id: dict[str, LoadedModel] = {}
        failures: list[ModelLoadError] = []
        shadowed: list[Shadowed] = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.onnx")):
                started = time.perf_counter()
                try:
                    model = load_model(path, provider=provider)
                except ModelLoadError as exc:
                    exc.path = path
                    log.debug("%s", exc)  # the front end reports each failure once
                    failures.append(exc)
                    continue
                log.debug("loaded %s in %.2fs on %s", path, time.perf_counter() - started, model.provider)
                earlier = by_id.get(model.model_id)
                if earlier is not None:
                    shadowed.append(Shadowed(model.model_id, used=path, ignored=earlier.path))
                by_id[model.model_id] = model
        models = sorted(by_id.values(), key=lambda m: sort_key(m.model_id))
        return cls(models=models, failures=failures, shadowed=shadowed)

    @property
    def ids(self) -> list[str]:
        return [m.model_id for m in self.models]

    def get(self, model_id: str) -> LoadedModel | None:
        return next((m for m in self.models if m.model_id == model_id), None)

    def select(self, names: list[str] | None) -> list[LoadedModel]:
        """Models for ``names`` (None or ``["all"]`` = every model); unknown names raise ModelLoadError."""
        if not names or names == ["all"]:
            return list(self.models)
        chosen = []
        for name in names:
            model = self.get(name)
            if model is None:
                have = ", ".join(self.ids) or "none"
                raise ModelLoadError(f"model '{name}' is not available (available: {have})")
            chosen.append(model)
        return chosen
