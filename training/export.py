"""Export a checkpoint to one self-contained ONNX file that carries the engine's contract.

The Koalarization classifier is inside the graph, so the app feeds only the gray image. After
writing, the file is loaded with the engine's own loader and checked for parity with torch.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from engine.contract import (
    AB_SCALE,
    CONTRACT_VERSION,
    INPUT_NAME,
    MINUS_ONE_ONE,
    OUTPUT_NAME,
    ModelContract,
    gray_to_model_input,
)
from engine.model_ids import kind_for
from engine.registry import load_model
from training.checkpoint import checkpoint_configs, load_checkpoint, load_generator_weights
from training.models import build_generator
from training.models.registry import architecture

log = logging.getLogger(__name__)

# fp32 torch vs onnxruntime on the CPU: differences come from kernel order only.
PARITY_BOUND = 2e-3
OPSET = 17


@dataclass(frozen=True)
class ExportReport:
    path: Path
    size_bytes: int
    parity_random: float
    parity_real: float


def generator_from_checkpoint(path: str | Path) -> tuple[nn.Module, dict]:
    state = load_checkpoint(path)
    _, model_config = checkpoint_configs(state)
    gen = build_generator(model_config)
    load_generator_weights(gen, state["generator"], source=path)
    return gen.eval(), state


def contract_for(state: dict, *, version: str) -> ModelContract:
    train_config, mc = checkpoint_configs(state)
    kind = kind_for(mc.model_id)
    info = state.get("data_info", {})
    data = f"{Path(train_config.data).name} ({info.get('train_images', '?')} photos), {state['epoch'] + 1} epochs"
    if train_config.epoch_size:  # epochs of weighted draws, not passes over the folder
        folder = Path(train_config.data)
        data = (
            f"{folder.parent.name}/{folder.name} ({info.get('train_images', '?')} photos, source-weighted), "
            f"{state['epoch'] + 1} x {train_config.epoch_size} photos"
        )
    if train_config.init_from:
        data += f", from {Path(train_config.init_from).name}"
    description = architecture(mc.model_id).description(mc)
    return ModelContract(
        contract_version=CONTRACT_VERSION,
        model_id=mc.model_id,
        display_name=kind.display_name if kind else mc.model_id,
        input_size=train_config.size,
        input="gray",
        input_normalization=MINUS_ONE_ONE,
        output=mc.output,
        training_data=data,
        model_version=version,
        ab_scale=AB_SCALE if mc.output == "lab_ab" else 1.0,
        description=description,
    )


def export(
    checkpoint: str | Path, destination: str | Path, *, version: str = "1", real_gray: np.ndarray | None = None
) -> ExportReport:
    """Write ``destination`` (one file), check it with the engine and for parity; returns a report."""
    gen, state = generator_from_checkpoint(checkpoint)
    contract = contract_for(state, version=version)
    size = contract.input_size
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(1, 1, size, size)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        _torch_export(gen, example, raw)
        model = onnx.load(str(raw), load_external_data=True)
        for key, value in contract.to_metadata().items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        model.producer_name = "tintype-training"
        onnx.checker.check_model(model)
        staged = destination.with_name(f".{destination.name}.part")
        onnx.save_model(model, str(staged), save_as_external_data=False)
    try:
        loaded = load_model(staged, provider="cpu")
        rng = np.random.default_rng(0)
        random_in = rng.uniform(-1, 1, size=(1, 1, size, size)).astype(np.float32)
        parity_random = _parity(gen, loaded, random_in)
        if real_gray is None:
            yy, xx = np.mgrid[0:size, 0:size]
            real_gray = ((np.sin(xx / 9.0) + np.cos(yy / 13.0)) * 60 + 128).astype(np.uint8)
        real_in = gray_to_model_input(real_gray)[None, None]
        parity_real = _parity(gen, loaded, real_in)
        if max(parity_random, parity_real) > PARITY_BOUND:
            raise ValueError(f"ONNX/torch parity {max(parity_random, parity_real):.2e} exceeds {PARITY_BOUND:.0e}")
        os.replace(staged, destination)
    finally:
        staged.unlink(missing_ok=True)
    return ExportReport(destination, destination.stat().st_size, parity_random, parity_real)


def _parity(gen: nn.Module, loaded, batch: np.ndarray) -> float:
    with torch.no_grad():
        expected = gen(torch.from_numpy(batch)).numpy()
    return float(np.abs(loaded.predict(batch) - expected).max())


def _torch_export(gen: nn.Module, example: torch.Tensor, path: Path) -> None:
    kwargs = dict(
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        opset_version=OPSET,
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
    )
    with torch.no_grad():
        try:
            # The TorchScript exporter writes one file and handles the classifier's ops well.
            torch.onnx.export(gen, (example,), str(path), dynamo=False, **kwargs)
        except TypeError:  # a torch without the dynamo switch
            torch.onnx.export(gen, (example,), str(path), **kwargs)
