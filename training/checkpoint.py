"""Self-describing checkpoints: model config, weights, optimizer, epoch, history, data info.

Only tensors, dicts, lists, strings and numbers are stored, so they load with ``weights_only=True``.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from training.config import ModelConfig, TrainConfig


def save_checkpoint(path: Path, state: dict) -> None:
    """Atomic: write a temporary file next to ``path``, then rename over it."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    return torch.load(Path(path), map_location="cpu", weights_only=True)


def checkpoint_configs(state: dict) -> tuple[TrainConfig, ModelConfig]:
    train = TrainConfig.from_dict(state["config"])
    return train, train.model


# The Koalarization's frozen classifier comes from its own package: slim checkpoints leave it out.
CLASSIFIER_PREFIX = "classifier."


# A run folder's chosen epoch: best.pt where the run kept one (validated on a split of its training
# photos), else its last; the slim copies brought back from a GPU machine stand for the same epochs.
CHOSEN_CHECKPOINTS = ("best.pt", "best-slim.pt", "last.pt", "slim.pt")


def chosen_checkpoint(run_dir: str | Path) -> Path | None:
    """The checkpoint that stands for a run (see ``CHOSEN_CHECKPOINTS``), or None if it has none."""
    return next((Path(run_dir) / n for n in CHOSEN_CHECKPOINTS if (Path(run_dir) / n).exists()), None)


def load_generator_weights(module: torch.nn.Module, weights: dict, *, source: str | Path) -> None:
    """Load generator weights (DDP prefixes stripped, fp16 accepted, the frozen classifier optional);
    ValueError naming ``source`` when they do not fit ``module``."""
    weights = {k: v.float() for k, v in strip_module_prefix(weights).items()}
    missing, unexpected = module.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.startswith(CLASSIFIER_PREFIX)]
    if missing or unexpected:
        raise ValueError(f"{source}: weights do not fit the model (missing {missing[:3]}, unexpected {unexpected[:3]})")


def strip_module_prefix(state_dict: dict) -> dict:
    """Weights saved from a DistributedDataParallel model carry a ``module.`` prefix."""
    return {k.removeprefix("module."): v for k, v in state_dict.items()}
