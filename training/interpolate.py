"""Weight-space interpolation of two exports of one model (WiSE-FT, Wortsman et al. 2022).

A fine-tune on new data (``train --init-from START.onnx``) gains there and may lose where the start was
good; averaging the weights of the start and the fine-tune, ``(1 - alpha) * start + alpha * end``, often
keeps most of both. It works because the fine-tune stays in the start's basin: both files must be the same
graph (same operators, same initializer names and shapes), which two exports of one architecture are
(BatchNorms folded alike). The result is written with the end's contract, checked by the engine, and
compared with both ends on a seeded input so a broken mix is never written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from engine.contract import parse_contract
from engine.registry import load_model


@dataclass(frozen=True)
class Interpolated:
    path: Path
    alpha: float
    tensors: int  # floating-point initializers mixed


def _graph_signature(model: onnx.ModelProto) -> tuple:
    inits = tuple((i.name, tuple(i.dims), i.data_type) for i in model.graph.initializer)
    return tuple(n.op_type for n in model.graph.node), inits


def _metadata(model: onnx.ModelProto) -> dict[str, str]:
    return {p.key: p.value for p in model.metadata_props}


def interpolate(
    start: str | Path, end: str | Path, destination: str | Path, *, alpha: float, version: str
) -> Interpolated:
    """Write ``destination``: ``end``'s graph and contract with weights ``(1 - alpha) * start + alpha * end``.

    ``alpha`` in [0, 1] (0: the start's weights, 1: the end's). ``version`` becomes the model version in the
    contract; the training-data note says what was mixed. ValueError naming the files when they differ in
    model or graph, or when the written file does not run through the engine."""
    start, end, destination = Path(start), Path(end), Path(destination)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    a, b = onnx.load(str(start)), onnx.load(str(end))
    meta_a, meta_b = _metadata(a), _metadata(b)
    id_a, id_b = meta_a.get("tintype.model_id"), meta_b.get("tintype.model_id")
    if id_a != id_b:
        raise ValueError(f"{start.name} is model '{id_a}', {end.name} is '{id_b}': only one model's weights mix")
    if _graph_signature(a) != _graph_signature(b):
        raise ValueError(f"{start.name} and {end.name} are different graphs (operators or initializers differ)")
    weights_a = {i.name: numpy_helper.to_array(i) for i in a.graph.initializer}
    mixed = 0
    for init in b.graph.initializer:
        w_end = numpy_helper.to_array(init)
        w_start = weights_a[init.name]
        if w_end.dtype.kind != "f":
            if not np.array_equal(w_start, w_end):
                raise ValueError(f"{start.name} and {end.name} differ in the constant '{init.name}'")
            continue
        w = ((1.0 - alpha) * w_start.astype(np.float64) + alpha * w_end.astype(np.float64)).astype(w_end.dtype)
        init.CopyFrom(numpy_helper.from_array(w, init.name))
        mixed += 1
    note = (
        f"{meta_b.get('tintype.training_data', '?')}; weights {alpha:g} x this run + {1 - alpha:g} x "
        f"{start.name} ({meta_a.get('tintype.model_version', '?')})"
    )
    updates = {"tintype.model_version": version, "tintype.training_data": note}
    for prop in b.metadata_props:
        prop.value = updates.get(prop.key, prop.value)
    parse_contract(_metadata(b), source=str(destination))  # the contract still reads
    onnx.checker.check_model(b)

    destination.parent.mkdir(parents=True, exist_ok=True)
    staged = destination.with_name(f".{destination.name}.part")
    try:
        onnx.save_model(b, str(staged))
        _check_between(staged, start, end, alpha)
        os.replace(staged, destination)
    finally:
        staged.unlink(missing_ok=True)
    return Interpolated(destination, alpha, mixed)


def _check_between(mixed: Path, start: Path, end: Path, alpha: float) -> None:
    """The mix runs through the engine and its output is finite and of the ends' shape."""
    models = [load_model(p, provider="cpu") for p in (mixed, start, end)]
    size = models[0].contract.input_size
    batch = np.random.default_rng(0).uniform(-1, 1, size=(1, 1, size, size)).astype(np.float32)
    out, out_start, out_end = (m.predict(batch) for m in models)
    if out.shape != out_end.shape or not np.isfinite(out).all():
        raise ValueError(f"{mixed.name}: the interpolated model gives {out.shape} / non-finite output")
    if alpha in (0.0, 1.0):
        expected = out_start if alpha == 0.0 else out_end
        if float(np.abs(out - expected).max()) > 1e-5:
            raise ValueError(f"{mixed.name}: alpha {alpha:g} does not reproduce its end")
