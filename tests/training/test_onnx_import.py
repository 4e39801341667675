"""``--init-from MODEL.onnx``: an exported model read back into torch gives the same outputs."""

import pytest
import torch

from tests.training.tiny_exports import SIZE, export_tiny
from training.checkpoint import init_generator
from training.config import TrainConfig
from training.models import build_generator, preset_config
from training.onnx_import import calibrate_folded_batchnorm, init_from_onnx, onnx_metadata


def _exported(tmp_path, model_id: str, **model):
    """A tiny generator with non-trivial BatchNorm statistics, exported through training.export."""
    return export_tiny(tmp_path, model_id, model_id, random_batchnorm=True, **model)


def _gray(n: int = 4) -> torch.Tensor:
    torch.manual_seed(1)
    return torch.rand(n, 1, SIZE, SIZE) * 2 - 1


@pytest.mark.parametrize("model_id", ["unet", "cgan"])
def test_unet_family_round_trips_through_onnx(tmp_path, model_id):
    path, config, original = _exported(tmp_path, model_id)
    fresh = build_generator(config)
    report = init_from_onnx(fresh, path, config)
    assert len(report.folded) == 18  # every BatchNorm of the U-Net follows a convolution
    assert report.parity < 1e-4
    gray = _gray()
    with torch.no_grad():
        expected = original(gray)
        assert torch.allclose(fresh.eval()(gray), expected, atol=1e-4)
        # Calibrating the folded BatchNorms on a batch leaves eval outputs as they were...
        calibrate_folded_batchnorm(fresh, report.folded, gray)
        assert torch.allclose(fresh.eval()(gray), expected, atol=1e-4)
        # ...and makes training mode (batch statistics) start there on that batch.
        assert torch.allclose(fresh.train()(gray), expected, atol=1e-3)


def test_koala_round_trips_and_skips_the_classifier(tmp_path):
    path, config, original = _exported(tmp_path, "koala", fusion="hypercolumn")
    fresh = build_generator(config)
    classifier_before = {k: v.clone() for k, v in fresh.state_dict().items() if k.startswith("classifier.")}
    init_generator(fresh, path, config)
    gray = _gray()
    with torch.no_grad():
        assert torch.allclose(fresh.eval()(gray), original(gray), atol=1e-4)
    after = fresh.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in classifier_before.items())
    assert onnx_metadata(path)["model_id"] == "koala"


def test_init_from_onnx_refuses_another_family_or_width(tmp_path):
    path, _, _ = _exported(tmp_path, "unet")
    koala = preset_config("koala", "tiny", output="lab_ab", classifier="none")
    with pytest.raises(ValueError, match="needs a koala"):
        init_from_onnx(build_generator(koala), path, koala)
    wider = preset_config("unet", "small", output="lab_ab")
    with pytest.raises(ValueError, match="does not fit"):
        init_from_onnx(build_generator(wider), path, wider)
    rgb = preset_config("unet", "tiny", output="rgb")
    with pytest.raises(ValueError, match="output rgb"):
        init_from_onnx(build_generator(rgb), path, rgb)


def test_train_starts_from_an_onnx_file(tmp_path, color_folder):
    from training.train import train

    path, config, original = _exported(tmp_path, "unet")
    run = TrainConfig(
        model=config,
        data=str(color_folder),
        out=str(tmp_path / "run"),
        size=SIZE,
        batch=4,
        workers=0,
        epochs=1,
        lr=1e-6,
        init_from=str(path),
    )
    from training.checkpoint import load_checkpoint

    state = load_checkpoint(train(run, show_progress=False))
    # One epoch at a tiny learning rate: the head is (almost) the exported one.
    assert torch.allclose(state["generator"]["head.weight"], original.state_dict()["head.weight"], atol=1e-3)


def test_exported_contract_names_weighted_epochs_and_the_start():
    from training.export import contract_for

    config = TrainConfig(
        model=preset_config("unet", "tiny", output="lab_ab"),
        data="/d/broad/train",
        size=SIZE,
        epoch_size=640,
        init_from="resources/models/unet.onnx",
    )
    state = {"config": config.to_dict(), "epoch": 4, "data_info": {"train_images": 31150}}
    text = contract_for(state, version="1.2 (broad-unet-ft)").training_data
    assert text == "broad/train (31150 photos, source-weighted), 5 x 640 photos, from unet.onnx"
