"""A model that gives no usable colors fails for that photo, with a clear reason, and only that
model: checked outputs, checked shapes at load, contained failures, models found without surprises."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.batch import run_batch
from engine.colorize import colorize
from engine.errors import ModelOutputError
from engine.images import load_image
from engine.pipeline import Pipeline, SaveOptions
from engine.registry import ModelRegistry, load_model
from tests.conftest import build_tiny_onnx
from tests.engine.crafted import scaled_gray_onnx


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 256, size=(40, 60), dtype=np.uint8)).save(path)
    return path


@pytest.mark.parametrize(
    "factor, reason",
    [
        (float("nan"), "NaN or infinite values"),
        (float("inf"), "NaN or infinite values"),
        (1000.0, r"values reach \d+, far outside the contract's \[-1, 1\]"),
    ],
)
def test_broken_outputs_fail_the_model_with_a_reason(tmp_path, photo, factor, reason):
    model = load_model(scaled_gray_onnx(tmp_path / "bad.onnx", model_id="bad", factor=factor), provider="cpu")
    with pytest.raises(ModelOutputError, match=reason) as info:
        colorize(load_image(photo), [model])
    assert "photo.png: model 'bad'" in str(info.value)


def test_a_model_within_range_is_fine(tmp_path, photo):
    model = load_model(scaled_gray_onnx(tmp_path / "ok.onnx", model_id="ok", factor=1.2), provider="cpu")
    assert colorize(load_image(photo), [model]).results["ok"].rgb.shape == (40, 60, 3)


def test_wrong_output_size_is_refused_at_load_or_at_run(tmp_path, photo):
    fixed = scaled_gray_onnx(tmp_path / "half.onnx", model_id="half", factor=0.5, pool=True, out_dims=[16, 16])
    registry = ModelRegistry.discover([tmp_path], provider="cpu")
    assert [f.path.name for f in registry.failures] == ["half.onnx"]
    assert "output shape" in str(registry.failures[0]) and "[N, 3, 32, 32]" in str(registry.failures[0])
    fixed.unlink()
    hidden = load_model(
        scaled_gray_onnx(
            tmp_path / "hidden.onnx",
            model_id="hidden",
            factor=0.5,
            pool=True,
            in_dims=["h", "w"],
            out_dims=["h2", "w2"],
        ),
        provider="cpu",
    )
    with pytest.raises(ModelOutputError, match=r"output of shape \[1, 3, 16, 16\], not \[1, 3, 32, 32\]"):
        colorize(load_image(photo), [hidden])


def test_one_failing_model_does_not_stop_the_others(models_dir, tmp_path, photo):
    scaled_gray_onnx(models_dir / "broken.onnx", model_id="broken", factor=float("nan"))
    models = tuple(ModelRegistry.discover([models_dir], provider="cpu").models)
    assert [m.model_id for m in models] == ["unet", "koala", "cgan", "broken"]
    result = Pipeline(models=models).colorize(load_image(photo))
    assert sorted(result.results) == ["cgan", "koala", "unet"] and list(result.failures) == ["broken"]
    out = tmp_path / "out"
    out.mkdir()
    failures = []
    summary = run_batch(
        Pipeline(models=models, output=SaveOptions(folder=out)),
        [photo],
        on_failure=lambda path, reason: failures.append(reason),
    )
    assert sorted(p.name for p in out.iterdir()) == [f"photo.{m}.colorized.png" for m in ("cgan", "koala", "unet")]
    assert (summary.written, summary.failed) == (3, 1)
    assert len(failures) == 1 and "model 'broken'" in failures[0] and "NaN" in failures[0]


def test_a_model_failing_at_run_time_is_contained(models_dir, photo, monkeypatch):
    models = tuple(ModelRegistry.discover([models_dir], provider="cpu").models)

    class Exploding:
        def run(self, *args, **kwargs):
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : out of device memory")

    monkeypatch.setattr(models[1], "session", Exploding())
    result = Pipeline(models=models).colorize(load_image(photo))
    assert "koala" not in result.results and "unet" in result.results
    assert "model 'koala' (koala.onnx) failed to run" in result.failures["koala"]


def test_every_model_failing_raises(tmp_path, photo):
    model = load_model(scaled_gray_onnx(tmp_path / "bad.onnx", model_id="bad", factor=float("nan")), provider="cpu")
    with pytest.raises(ModelOutputError):
        Pipeline(models=(model,)).colorize(load_image(photo))


def test_weights_in_an_external_data_file_load(tmp_path, photo):
    import onnx

    source = build_tiny_onnx(tmp_path / "plain.onnx", model_id="sepia")
    folder = tmp_path / "models"
    folder.mkdir()
    onnx.save_model(
        onnx.load(str(source)),
        str(folder / "sepia.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="sepia.onnx.data",
        size_threshold=0,
    )
    assert (folder / "sepia.onnx.data").exists()
    registry = ModelRegistry.discover([folder], provider="cpu")
    assert registry.failures == [] and registry.ids == ["sepia"]
    assert colorize(load_image(photo), registry.models).results["sepia"].rgb.shape == (40, 60, 3)


def test_two_files_with_one_id_say_which_is_used(models_dir, tmp_path):
    build_tiny_onnx(models_dir / "unet-retrained.onnx", model_id="unet", size=64)
    user = tmp_path / "user"
    user.mkdir()
    build_tiny_onnx(user / "my-koala.onnx", model_id="koala", size=48)
    registry = ModelRegistry.discover([models_dir, user], provider="cpu")
    pairs = {s.model_id: s for s in registry.shadowed}
    assert pairs["unet"].used.name == "unet.onnx" and pairs["unet"].ignored.name == "unet-retrained.onnx"
    assert pairs["koala"].used == user / "my-koala.onnx" and pairs["koala"].ignored.name == "koala.onnx"
    assert registry.get("koala").path == user / "my-koala.onnx"
    assert str(pairs["unet"]).startswith("model 'unet' is in two files: using ")
