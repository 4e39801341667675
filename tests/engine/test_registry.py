from pathlib import Path

import numpy as np
import pytest

from engine.errors import ModelLoadError
from engine.registry import ModelRegistry, load_model
from tests.conftest import build_tiny_onnx


def test_loads_and_orders_models(models_dir: Path):
    build_tiny_onnx(models_dir / "zebra.onnx", model_id="zebra")
    build_tiny_onnx(models_dir / "alpha.onnx", model_id="alpha")
    registry = ModelRegistry.discover([models_dir], provider="cpu")
    assert registry.ids == ["unet", "koala", "cgan", "alpha", "zebra"]
    assert registry.failures == []
    model = registry.get("cgan")
    assert model.contract.input_size == 48 and model.provider_label == "CPU"
    out = model.predict(np.zeros((1, 1, 48, 48), dtype=np.float32))
    assert out.shape == (1, 2, 48, 48)


def test_bad_files_are_refused_and_others_keep_working(models_dir: Path):
    (models_dir / "notonnx.onnx").write_text("hello, I am a text file")
    (models_dir / "empty.onnx").write_bytes(b"")
    good = (models_dir / "unet.onnx").read_bytes()
    (models_dir / "truncated.onnx").write_bytes(good[: len(good) // 2])
    build_tiny_onnx(models_dir / "nometa.onnx", metadata={})
    registry = ModelRegistry.discover([models_dir], provider="cpu")
    assert registry.ids == ["unet", "koala", "cgan"]
    messages = sorted(str(f) for f in registry.failures)
    assert len(messages) == 4
    # The file rides as data, so front ends never parse it out of the message.
    assert sorted(f.path.name for f in registry.failures) == [
        "empty.onnx",
        "nometa.onnx",
        "notonnx.onnx",
        "truncated.onnx",
    ]
    for name in ("notonnx.onnx", "empty.onnx", "truncated.onnx", "nometa.onnx"):
        assert any(name in m for m in messages), name
    assert any("not a Tintype model" in m for m in messages)
    assert any("empty file" in m for m in messages)


def test_user_folder_overrides_bundled(models_dir: Path, tmp_path: Path):
    user = tmp_path / "user"
    user.mkdir()
    build_tiny_onnx(user / "my-unet.onnx", model_id="unet", size=64)
    registry = ModelRegistry.discover([models_dir, user], provider="cpu")
    assert registry.get("unet").contract.input_size == 64
    assert registry.ids[:3] == ["unet", "koala", "cgan"]


def test_select(models_dir: Path):
    registry = ModelRegistry.discover([models_dir], provider="cpu")
    assert [m.model_id for m in registry.select(["cgan", "unet"])] == ["cgan", "unet"]
    assert len(registry.select(["all"])) == 3
    with pytest.raises(ModelLoadError, match="'nope' is not available"):
        registry.select(["nope"])


def test_forced_cuda_without_cuda_is_a_clear_error(models_dir: Path):
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        try:
            load_model(models_dir / "unet.onnx", provider="cuda")
        except ModelLoadError as exc:  # no usable GPU here: the message says so
            assert "CUDA" in str(exc)
    else:
        with pytest.raises(ModelLoadError, match="CUDA"):
            load_model(models_dir / "unet.onnx", provider="cuda")


def test_auto_provider_falls_back_quietly(models_dir: Path, capfd):
    model = load_model(models_dir / "unet.onnx", provider="auto")
    assert model.provider in ("CPUExecutionProvider", "CUDAExecutionProvider")
    err = capfd.readouterr().err
    assert err.count("\n") < 3, err  # no wall of CUDA loader errors


def test_a_fifo_named_onnx_is_refused_not_waited_on(models_dir: Path):
    import os
    import threading

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(models_dir / "pipe.onnx")
    found: list = []
    thread = threading.Thread(
        target=lambda: found.append(ModelRegistry.discover([models_dir], provider="cpu")), daemon=True
    )
    thread.start()
    thread.join(10)
    assert found, "discovering models blocked on a FIFO"
    (failure,) = found[0].failures
    assert failure.path.name == "pipe.onnx" and "not a regular file" in str(failure)
    assert found[0].ids == ["unet", "koala", "cgan"]
