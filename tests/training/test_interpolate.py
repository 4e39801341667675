"""``python -m training interpolate``: weight-space mixing of two exports of one model (WiSE-FT)."""

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from engine.registry import load_model
from tests.training.tiny_exports import SIZE, export_tiny
from training.cli import main
from training.interpolate import interpolate


def _export(tmp_path, name: str, seed: int, model_id: str = "unet"):
    return export_tiny(tmp_path, name, model_id, seed=seed)[0]


def _weights(path):
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}


def test_mix_is_the_weighted_mean_and_keeps_the_end_contract(tmp_path):
    start, end = _export(tmp_path, "start", 1), _export(tmp_path, "end", 2)
    done = interpolate(start, end, tmp_path / "mix.onnx", alpha=0.25, version="9 (mix)")
    assert done.tensors > 0
    ws, we, wm = _weights(start), _weights(end), _weights(done.path)
    name = next(n for n, w in we.items() if w.dtype.kind == "f" and not np.allclose(w, ws[n]))
    assert np.allclose(wm[name], 0.75 * ws[name] + 0.25 * we[name], atol=1e-6)
    model = load_model(done.path, provider="cpu")
    assert model.contract.model_version == "9 (mix)" and model.model_id == "unet"
    assert "0.25 x this run + 0.75 x start.onnx (start)" in model.contract.training_data
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_the_ends_reproduce_their_model(tmp_path, alpha):
    start, end = _export(tmp_path, "start", 1), _export(tmp_path, "end", 2)
    mix = interpolate(start, end, tmp_path / "mix.onnx", alpha=alpha, version="x").path
    batch = np.random.default_rng(3).uniform(-1, 1, (2, 1, SIZE, SIZE)).astype(np.float32)
    expected = load_model(start if alpha == 0 else end, provider="cpu").predict(batch)
    assert np.abs(load_model(mix, provider="cpu").predict(batch) - expected).max() < 1e-5


def test_different_models_are_refused_and_nothing_written(tmp_path, capsys):
    unet, koala = _export(tmp_path, "u", 1), _export(tmp_path, "k", 1, model_id="cgan")
    out = tmp_path / "mix.onnx"
    assert main(["interpolate", str(unet), str(koala), "--alpha", "0.5", "-o", str(out), "--version", "x"]) == 2
    assert "only one model's weights mix" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".*.part"))
    with pytest.raises(ValueError, match="alpha"):
        interpolate(unet, unet, out, alpha=1.5, version="x")
