"""Shared fixtures: tiny ONNX models built with onnx.helper, and real photos from scikit-image."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from engine.contract import CONTRACT_VERSION, ModelContract  # noqa: E402


def tiny_contract(model_id: str = "unet", *, size: int = 32, output: str = "rgb") -> ModelContract:
    from engine.model_ids import kind_for

    kind = kind_for(model_id)  # the registered display name, as an exported model carries it
    return ModelContract(
        contract_version=CONTRACT_VERSION,
        model_id=model_id,
        display_name=kind.display_name if kind else model_id,
        input_size=size,
        input="gray",
        input_normalization="minus_one_one",
        output=output,
        training_data="fixture",
        model_version="test-1",
        ab_scale=110.0 if output == "lab_ab" else 1.0,
    )


def build_tiny_onnx(
    path: Path,
    *,
    model_id: str = "unet",
    size: int = 32,
    output: str = "rgb",
    metadata: dict[str, str] | None = None,
    seed: int = 0,
) -> Path:
    """A real ONNX graph: 3x3 conv of the gray input to 3 (rgb) or 2 (ab) channels, then tanh.

    Its colors depend on the gray level and on local structure, like a (very small) trained model.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    channels = 3 if output == "rgb" else 2
    rng = np.random.default_rng(seed)
    weight = rng.normal(0, 0.15, size=(channels, 1, 3, 3)).astype(np.float32)
    weight[:, 0, 1, 1] += np.array([0.9, 0.7, 0.5][:channels], dtype=np.float32)
    bias = np.array([0.15, -0.05, -0.2][:channels], dtype=np.float32)
    nodes = [
        helper.make_node("Conv", ["gray", "w", "b"], ["pre"], pads=[1, 1, 1, 1]),
        helper.make_node("Tanh", ["pre"], ["color"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("gray", TensorProto.FLOAT, ["batch", 1, size, size])],
        [helper.make_tensor_value_info("color", TensorProto.FLOAT, ["batch", channels, size, size])],
        initializer=[numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    meta = tiny_contract(model_id, size=size, output=output).to_metadata() if metadata is None else metadata
    for key, value in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    build_tiny_onnx(folder / "unet.onnx", model_id="unet", output="rgb", seed=1)
    build_tiny_onnx(folder / "koala.onnx", model_id="koala", output="lab_ab", seed=2)
    build_tiny_onnx(folder / "cgan.onnx", model_id="cgan", output="lab_ab", size=48, seed=3)
    return folder


@pytest.fixture
def photo_rgb() -> np.ndarray:
    """A real color photo (scikit-image's bundled 'coffee', 400x600)."""
    from skimage import data

    return data.coffee()


@pytest.fixture
def photo_path(tmp_path: Path, photo_rgb: np.ndarray) -> Path:
    from PIL import Image

    path = tmp_path / "photo.jpg"
    Image.fromarray(photo_rgb).convert("L").save(path, quality=95)
    return path
