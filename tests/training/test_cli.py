"""``python -m training train``: flags derived from the config dataclasses, defaults written once."""

import dataclasses

import pytest

from training import cli
from training.checkpoint import checkpoint_configs
from training.config import ModelConfig, TrainConfig
from training.flags import flag_fields
from training.models import preset_config


@pytest.fixture
def trained(monkeypatch):
    calls = []
    monkeypatch.setattr("training.train.train", lambda config, resume=False: calls.append((config, resume)) or "ckpt")
    return calls


def test_defaults_are_the_config_defaults(trained):
    assert cli.main(["train", "--model", "koala", "--data", "d"]) == 0
    config, resume = trained[0]
    assert config == TrainConfig(model=preset_config("koala", "small"), data="d", out="runs/koala") and not resume


def test_every_flag_reaches_the_config(trained):
    argv = [
        "--model",
        "cgan",
        "--data",
        "d",
        "--preset",
        "tiny",
        "--width",
        "0.2",
        "--test",
        "t",
        "--out",
        "o",
        "--output",
        "lab_ab",
        "--classifier",
        "none",
        "--classifier-weights",
        "w",
        "--fusion",
        "hypercolumn",
        "--epochs",
        "3",
        "--size",
        "64",
        "--batch",
        "8",
        "--lr",
        "1e-3",
        "--seed",
        "4",
        "--workers",
        "0",
        "--preload",
        "--zoom",
        "0.7",
        "--no-amp",
        "--cf-weight",
        "0.1",
        "--gamut-weight",
        "2",
        "--l1-lambda",
        "10",
        "--d-lr-scale",
        "0.1",
        "--init-from",
        "x.pt",
        "--time-limit",
        "30",
        "--limit",
        "5",
        "--resume",
    ]
    assert cli.main(["train", *argv]) == 0
    config, resume = trained[0]
    assert resume and config == TrainConfig(
        model=ModelConfig(
            "cgan", width=0.2, output="lab_ab", classifier="none", classifier_weights="w", fusion="hypercolumn"
        ),
        data="d",
        test="t",
        out="o",
        epochs=3,
        size=64,
        batch=8,
        lr=1e-3,
        seed=4,
        workers=0,
        preload=True,
        zoom=0.7,
        amp=False,
        cf_weight=0.1,
        gamut_weight=2.0,
        l1_lambda=10.0,
        d_lr_scale=0.1,
        init_from="x.pt",
        time_limit=30.0,
        limit=5,
    )
    # Every field is a flag but the nested model and those only the API sets.
    flags = {field.name for field, _ in flag_fields(TrainConfig)}
    assert {f.name for f in dataclasses.fields(TrainConfig)} - flags == {"model", "test_fraction", "gan_eps"}
    assert {field.name for field, _ in flag_fields(ModelConfig)} == {f.name for f in dataclasses.fields(ModelConfig)}


def test_size_must_be_divisible_by_16(trained, capsys):
    assert cli.main(["train", "--model", "unet", "--data", "d", "--size", "30"]) == 2 and not trained
    assert "divisible by 16" in capsys.readouterr().err


def test_checkpoints_with_removed_fields_still_load():
    config = TrainConfig(model=preset_config("unet", "tiny"), data="d")
    old = config.to_dict()
    old["extra"], old["model"]["disc_size"] = {}, 128  # written before these unread fields were removed
    assert checkpoint_configs({"config": old}) == (config, config.model)
