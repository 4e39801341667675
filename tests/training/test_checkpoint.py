"""The checkpoint schema: save and restore a run, slim it, start a generator from another run."""

import pytest
import torch

from training.checkpoint import (
    FORMAT,
    init_generator,
    load_checkpoint,
    restore_training_state,
    save_checkpoint,
    slim_state,
    training_state,
)
from training.config import TrainConfig
from training.models import build_generator, preset_config
from training.models.discriminator import Discriminator


def _saved_run(tmp_path, model_id: str, **model):
    config = TrainConfig(model=preset_config(model_id, "tiny", **model), data="-", size=32)
    gen = build_generator(config.model)
    disc = Discriminator(size=32, width=config.model.width) if model_id == "cgan" else None
    opt_g = torch.optim.Adam(gen.parameters())
    opt_d = torch.optim.Adam(disc.parameters()) if disc is not None else None
    state = training_state(
        config=config,
        epoch=2,
        generator=gen,
        opt_g=opt_g,
        history=[{"epoch": 3}],
        data_info={"train_images": 1},
        device=torch.device("cpu"),
        world_size=1,
        discriminator=disc,
        opt_d=opt_d,
    )
    path = tmp_path / f"{model_id}.pt"
    save_checkpoint(path, state)
    return path, config, gen, disc


def test_schema_round_trip_with_the_discriminator(tmp_path):
    path, config, gen, disc = _saved_run(tmp_path, "cgan")
    state = load_checkpoint(path)
    assert state["format"] == FORMAT and list(state)[-2:] == ["discriminator", "opt_d"]
    gen2, disc2 = build_generator(config.model), Discriminator(size=32, width=config.model.width)
    history, start = restore_training_state(
        state,
        generator=gen2,
        opt_g=torch.optim.Adam(gen2.parameters()),
        discriminator=disc2,
        opt_d=torch.optim.Adam(disc2.parameters()),
    )
    assert history == [{"epoch": 3}] and start == 3
    assert all(torch.equal(a, b) for a, b in zip(disc.state_dict().values(), disc2.state_dict().values(), strict=True))
    assert "discriminator" not in load_checkpoint(_saved_run(tmp_path, "unet")[0])


def test_slim_keeps_the_generator_without_the_classifier(tmp_path):
    path, *_ = _saved_run(tmp_path, "koala", classifier="none")
    slim = slim_state(load_checkpoint(path), fp16=True)
    assert "opt_g" not in slim and slim["format"] == FORMAT and slim["epoch"] == 2
    assert not any(k.startswith("classifier.") for k in slim["generator"])
    assert {v.dtype for v in slim["generator"].values() if v.is_floating_point()} == {torch.float16}


def test_generator_starts_only_from_its_family(tmp_path):
    unet_path, *_ = _saved_run(tmp_path, "unet")
    cgan_config = preset_config("cgan", "tiny")
    gen = build_generator(cgan_config)
    init_generator(gen, unet_path, cgan_config)  # the CGAN's generator is a U-Net
    assert torch.equal(gen.state_dict()["head.weight"], load_checkpoint(unet_path)["generator"]["head.weight"])
    koala_config = preset_config("koala", "tiny", classifier="none")
    with pytest.raises(ValueError, match="needs a koala"):
        init_generator(build_generator(koala_config), unet_path, koala_config)
