"""Per model: inference time at the model's size, FLOPs, achieved GFLOP/s vs the matmul rate."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODELS, matmul_gflops, median_time  # noqa: E402
from onnx_flops import onnx_flops  # noqa: E402

from engine.registry import ModelRegistry  # noqa: E402


def run() -> dict:
    peak = matmul_gflops()
    registry = ModelRegistry.discover([MODELS], provider="cpu")
    rows = []
    for model in registry.models:
        size = model.contract.input_size
        batch = np.random.default_rng(0).uniform(-1, 1, size=(1, 1, size, size)).astype(np.float32)
        seconds = median_time(functools.partial(model.predict, batch), warmup=5, runs=30)
        flops = onnx_flops(model.path)
        rows.append(
            {
                "model": model.model_id,
                "size": size,
                "ms": seconds * 1e3,
                "gflops": flops / 1e9,
                "achieved": flops / seconds / 1e9,
                "file_mb": model.path.stat().st_size / 1e6,
            }
        )
    return {"matmul_gflops": peak, "models": rows}


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
