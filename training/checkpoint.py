"""Self-describing checkpoints: the whole schema (what a run saves, resumes from, slims and starts from).

A checkpoint (``FORMAT``) holds: ``config`` (the TrainConfig as a dict), ``epoch`` (0-based, the last one
trained), ``generator`` and ``opt_g`` state dicts, ``history`` (one row per epoch, see
``training.train.CSV_FIELDS``), ``data_info`` (image counts and folders), ``device``, ``world_size``, and
for an adversarial run ``discriminator`` and ``opt_d``. A slim checkpoint keeps the generator alone.
Only tensors, dicts, lists, strings and numbers are stored, so they load with ``weights_only=True``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import torch
from torch import nn

from training.config import ModelConfig, TrainConfig
from training.models.registry import architecture

log = logging.getLogger(__name__)

FORMAT = "tintype-checkpoint-1"
# What a slim checkpoint keeps besides the generator's weights.
SLIM_KEYS = ("format", "config", "epoch", "history", "data_info", "device", "world_size")


def save_checkpoint(path: Path, state: dict) -> None:
    """Atomic: write a temporary file next to ``path``, then rename over it."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    return torch.load(Path(path), map_location="cpu", weights_only=True)


# Config fields that older checkpoints carry and nothing ever read, since removed.
REMOVED_FIELDS = ("extra",)
REMOVED_MODEL_FIELDS = ("disc_size",)


def checkpoint_configs(state: dict) -> tuple[TrainConfig, ModelConfig]:
    """The run's configuration (checkpoints written before a field was removed still load)."""
    values = {k: v for k, v in state["config"].items() if k not in REMOVED_FIELDS}
    values["model"] = {k: v for k, v in values["model"].items() if k not in REMOVED_MODEL_FIELDS}
    train = TrainConfig.from_dict(values)
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


def training_state(
    *,
    config: TrainConfig,
    epoch: int,
    generator: nn.Module,
    opt_g: torch.optim.Optimizer,
    history: list[dict],
    data_info: dict,
    device: torch.device,
    world_size: int,
    discriminator: nn.Module | None = None,
    opt_d: torch.optim.Optimizer | None = None,
) -> dict:
    """The checkpoint of a run after ``epoch`` (the discriminator's parts only for an adversarial run)."""
    state = {
        "format": FORMAT,
        "config": config.to_dict(),
        "epoch": epoch,
        "generator": generator.state_dict(),
        "opt_g": opt_g.state_dict(),
        "history": history,
        "data_info": data_info,
        "device": str(device),
        "world_size": world_size,
    }
    if discriminator is not None:
        state["discriminator"] = discriminator.state_dict()
        state["opt_d"] = _required(opt_d).state_dict()
    return state


def restore_training_state(
    state: dict,
    *,
    generator: nn.Module,
    opt_g: torch.optim.Optimizer,
    discriminator: nn.Module | None = None,
    opt_d: torch.optim.Optimizer | None = None,
) -> tuple[list[dict], int]:
    """Load a checkpoint's weights and optimizer states in place; returns (history, epoch to start at)."""
    generator.load_state_dict(strip_module_prefix(state["generator"]))
    opt_g.load_state_dict(state["opt_g"])
    if discriminator is not None:
        discriminator.load_state_dict(strip_module_prefix(state["discriminator"]))
        _required(opt_d).load_state_dict(state["opt_d"])
    return list(state["history"]), int(state["epoch"]) + 1


def _required(opt_d: torch.optim.Optimizer | None) -> torch.optim.Optimizer:
    if opt_d is None:
        raise ValueError("a discriminator's checkpoint needs its optimizer (opt_d) too")
    return opt_d


def slim_state(state: dict, *, fp16: bool = False) -> dict:
    """The generator's weights (without the frozen classifier, fp16 optional) and the run's description."""
    weights = {k: v for k, v in state["generator"].items() if not k.startswith(CLASSIFIER_PREFIX)}
    if fp16:
        weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
    slim = {k: state[k] for k in SLIM_KEYS if k in state}
    slim["generator"] = weights
    return slim


def init_generator(module: nn.Module, path: str | Path, config: ModelConfig) -> tuple[str, ...]:
    """Start ``module`` (a generator of ``config``) from another run's weights: the CGAN from a trained
    U-Net (the study's best fruit variant), or any model from an earlier run of the same architecture
    (fine-tuning), or an exported ``.onnx`` file (a shipped model, see :mod:`training.onnx_import`).
    The source must be of the same family (registry), width and output; ValueError if not. Returns the
    BatchNorms the ONNX export had folded (to calibrate on a real batch; empty for a checkpoint)."""
    if Path(path).suffix.lower() == ".onnx":
        from training.onnx_import import init_from_onnx

        return init_from_onnx(module, path, config).folded
    state = load_checkpoint(path)
    source = state["config"]["model"]
    family = architecture(config.model_id).family
    if (
        architecture(source["model_id"]).family != family
        or source["width"] != config.width
        or source["output"] != config.output
    ):
        raise ValueError(
            f"{path}: generator init needs a {family} with width {config.width} and output {config.output}, "
            f"found {source['model_id']} width {source['width']} output {source['output']}"
        )
    load_generator_weights(module, state["generator"], source=path)
    log.info("generator initialised from %s", path)
    return ()
