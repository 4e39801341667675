import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.registry import load_model
from training.checkpoint import load_checkpoint
from training.config import TrainConfig
from training.data import list_samples
from training.export import export
from training.models import ARCHITECTURES, preset_config
from training.runtime import setup_runtime
from training.train import Trainer, train

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path, folder, model_id, **kw):
    mc = preset_config(model_id, "tiny", output=kw.pop("output", "lab_ab"), fusion=kw.pop("fusion", "global"))
    return TrainConfig(
        model=mc,
        data=str(folder),
        out=str(tmp_path / f"run-{model_id}"),
        size=32,
        batch=4,
        workers=0,
        test_fraction=0.25,
        **kw,
    )


def test_data_skips_unreadable_files(color_folder):
    from training.data import check_readable

    samples = list_samples(color_folder)
    assert len(samples) == 9
    assert len(check_readable(samples, label="x")) == 8


def test_paired_folders(tmp_path, color_folder):
    from PIL import Image

    root = tmp_path / "paired"
    (root / "train_black").mkdir(parents=True)
    (root / "train_color").mkdir()
    for p in sorted(color_folder.glob("img*.jpg"))[:3]:
        Image.open(p).save(root / "train_color" / p.name)
        Image.open(p).convert("L").save(root / "train_black" / p.name)
    samples = list_samples(root)
    assert len(samples) == 3 and all(s.gray is not None for s in samples)


@pytest.mark.parametrize("model_id", [arch.id for arch in ARCHITECTURES])
def test_steps_lower_the_loss(color_folder, model_id):
    config = TrainConfig(
        model=preset_config(model_id, "tiny", output="lab_ab"),
        data=str(color_folder),
        size=32,
        batch=8,
        lr=2e-3,
        preload=True,
        cf_weight=0.05,
        gamut_weight=1.0,
    )
    trainer = Trainer(config, setup_runtime())
    from training.data import check_readable, preload

    gray, rgb = preload(check_readable(list_samples(color_folder), label="x"), size=32, device=torch.device("cpu"))
    losses = [trainer.step(gray, rgb)[0] for _ in range(12)]
    assert np.mean(losses[-3:]) < losses[0]


def test_train_resume_export_and_parity(tmp_path, color_folder):
    config = _config(tmp_path, color_folder, "unet", epochs=2)
    ckpt = train(config, show_progress=False)
    state = load_checkpoint(ckpt)  # weights_only=True
    assert state["epoch"] == 1 and len(state["history"]) == 2
    assert state["config"]["model"]["model_id"] == "unet"
    assert (Path(config.out) / "loss.png").exists()
    rows = list(csv.DictReader((Path(config.out) / "loss.csv").open()))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    # Resume: continues at epoch 3 and keeps the history.
    from dataclasses import replace

    ckpt = train(replace(config, epochs=3), resume=True, show_progress=False)
    state = load_checkpoint(ckpt)
    assert state["epoch"] == 2 and [h["epoch"] for h in state["history"]] == [1, 2, 3]
    report = export(ckpt, tmp_path / "unet.onnx")
    assert report.parity_random < 2e-3 and report.parity_real < 2e-3
    loaded = load_model(report.path, provider="cpu")
    assert loaded.contract.model_id == "unet" and loaded.contract.input_size == 32
    assert loaded.contract.output == "lab_ab" and "photos" in loaded.contract.training_data
    assert not list(tmp_path.glob("*.onnx.data")) and not list(tmp_path.glob(".*part"))


@pytest.mark.parametrize("fusion", ["global", "hypercolumn"])
def test_koala_export_is_self_contained(tmp_path, color_folder, fusion):
    ckpt = train(_config(tmp_path, color_folder, "koala", epochs=1, output="rgb", fusion=fusion), show_progress=False)
    report = export(ckpt, tmp_path / "koala.onnx")
    assert report.size_bytes > 10_000_000  # the EfficientNet-Lite0 classifier is inside the file
    assert report.parity_random < 2e-3 and report.parity_real < 2e-3
    contract = load_model(report.path, provider="cpu").contract
    assert contract.output == "rgb"
    assert ("hypercolumn" in contract.description) == (fusion == "hypercolumn")


def test_best_checkpoint_is_the_lowest_test_loss(tmp_path, color_folder):
    ckpt = train(_config(tmp_path, color_folder, "unet", epochs=4, lr=5e-3), show_progress=False)
    history = load_checkpoint(ckpt)["history"]
    best = load_checkpoint(ckpt.with_name("best.pt"))
    losses = [h["test_loss"] for h in history]
    assert best["epoch"] + 1 == history[int(np.argmin(losses))]["epoch"]
    assert best["history"][-1]["test_loss"] == min(losses)
    # Not with a separate test folder (no checkpoint is chosen on the evaluation photos), nor for a CGAN.
    for model_id, kw in (("unet", {"test": str(color_folder)}), ("cgan", {})):
        out = train(_config(tmp_path / model_id, color_folder, model_id, epochs=1, **kw), show_progress=False)
        assert not out.with_name("best.pt").exists()


def test_zoom_augmentation_keeps_gray_and_color_aligned(color_folder):
    import random

    from training.colorspace import gray_from_rgb
    from training.data import PreloadedBatches, load_pair

    sample = next(s for s in list_samples(color_folder) if s.color.name.startswith("img"))
    gray, rgb = load_pair(sample, 32, rng=random.Random(3), zoom=0.5)
    assert gray.shape == (32, 32) and rgb.shape == (32, 32, 3)
    g = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    luma = (gray_from_rgb(g.float()).round()).to(torch.uint8)
    plain = list(PreloadedBatches(luma, g, batch=6, shuffle=True, seed=0))
    zoomed = list(PreloadedBatches(luma, g, batch=6, shuffle=True, seed=0, zoom=0.5))
    assert [b[1].shape for b in zoomed] == [b[1].shape for b in plain] and zoomed[0][1].dtype == torch.uint8
    assert not torch.equal(zoomed[0][1], plain[0][1])
    # The same crop and resize for gray and color: the gray still is the color's luma.
    zg, zc = zoomed[0]
    assert (gray_from_rgb(zc.float()) - zg.float()).abs().mean() < 1.0


def test_cgan_generator_from_unet_checkpoint(tmp_path, color_folder):
    unet_ckpt = train(_config(tmp_path, color_folder, "unet", epochs=1), show_progress=False)
    unet_weights = load_checkpoint(unet_ckpt)["generator"]
    config = _config(tmp_path, color_folder, "cgan", epochs=1, init_from=str(unet_ckpt))
    trainer = Trainer(config, setup_runtime())
    for key, value in unet_weights.items():
        assert torch.equal(trainer.gen.state_dict()[key], value), key
    ckpt = train(config, show_progress=False)
    state = load_checkpoint(ckpt)
    assert "discriminator" in state and state["history"][0]["d_loss"] != 0
    with pytest.raises(ValueError, match="width"):
        Trainer(
            _config(tmp_path, color_folder, "cgan", init_from=str(unet_ckpt)).__class__(
                model=preset_config("cgan", "small", output="lab_ab"),
                data=str(color_folder),
                size=32,
                init_from=str(unet_ckpt),
            ),
            setup_runtime(),
        )


def test_two_process_gloo_run(tmp_path, color_folder):
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        "29517",
        "-m",
        "training",
        "train",
        "--model",
        "unet",
        "--preset",
        "tiny",
        "--data",
        str(color_folder),
        "--out",
        str(out),
        "--size",
        "32",
        "--batch",
        "2",
        "--epochs",
        "1",
        "--workers",
        "0",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = load_checkpoint(out / "last.pt")
    assert state["world_size"] == 2
    names = sorted(p.name for p in out.iterdir())
    assert names in (["best.pt", "last.pt", "loss.csv", "loss.png"], ["last.pt", "loss.csv", "loss.png"])


def test_cli_info_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "training", "info", "--preset", "tiny", "--size", "32"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0 and "GFLOPs" in proc.stdout and "koala" in proc.stdout
