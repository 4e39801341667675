"""The training loop: epochs of optimisation steps, a test loss per epoch, a checkpoint, ``loss.csv`` and
a loss plot per run. The device and DDP setup are in :mod:`training.runtime`, the two algorithms in
:mod:`training.steps`, the checkpoint schema in :mod:`training.checkpoint`, the batches in
:mod:`training.data`. Only rank 0 writes files."""

from __future__ import annotations

import csv
import logging
import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from engine.contract import normalize_gray
from training.checkpoint import init_generator, load_checkpoint, restore_training_state, save_checkpoint, training_state
from training.config import TrainConfig
from training.data import make_batches, set_epoch
from training.models import architecture
from training.onnx_import import calibrate_folded_batchnorm
from training.runtime import Runtime, seed_everything, setup_runtime
from training.steps import STEPS

log = logging.getLogger(__name__)

CSV_FIELDS = ["epoch", "train_loss", "test_loss", "d_loss", "g_adv", "seconds", "images_per_s"]


class Trainer:
    """The generator, its training algorithm (the architecture's step kind) and the history of one run."""

    def __init__(self, config: TrainConfig, rt: Runtime) -> None:
        self.config, self.rt = config, rt
        arch = architecture(config.model.model_id)
        self.gen = rt.place(arch.build(config.model))
        # BatchNorms an ONNX export folded into their convolutions: calibrated on the first batch.
        self.folded: tuple[str, ...] = ()
        if config.init_from:
            self.folded = init_generator(self.gen, config.init_from, config.model)
        self.algorithm = STEPS[arch.step](config, rt, self.gen)
        self.history: list[dict] = []
        self.start_epoch = 0

    def step(self, gray_u8: torch.Tensor, rgb_u8: torch.Tensor) -> tuple[float, float, float]:
        """One optimisation step on uint8 batches. Returns (reconstruction loss, D loss, G adversarial loss)."""
        return self.algorithm.step(gray_u8, rgb_u8)

    def test_loss(self, batches) -> float:
        return self.algorithm.test_loss(batches)

    def state(self, epoch: int, info: dict) -> dict:
        a = self.algorithm
        return training_state(
            config=self.config,
            epoch=epoch,
            generator=self.gen,
            opt_g=a.opt_g,
            history=self.history,
            data_info=info,
            device=self.rt.device,
            world_size=self.rt.world,
            discriminator=a.discriminator,
            opt_d=a.opt_d,
        )

    def restore(self, state: dict) -> None:
        a = self.algorithm
        self.history, self.start_epoch = restore_training_state(
            state, generator=self.gen, opt_g=a.opt_g, discriminator=a.discriminator, opt_d=a.opt_d
        )


def train(config: TrainConfig, *, resume: bool = False, show_progress: bool = True) -> Path:
    """Train per ``config``; returns the path of the last checkpoint (``<out>/last.pt``). When the run
    validates on a split of its training folder (no ``test`` folder), the epoch with the lowest
    validation loss so far is also kept as ``<out>/best.pt``; with a test folder it is not, so that no
    checkpoint is ever chosen on the photos the models are evaluated on. Nor for an adversarial run (see
    ``training.steps.AdversarialStep.keeps_best``)."""
    rt = setup_runtime()
    seed_everything(config.seed + rt.rank)
    out = Path(config.out)
    ckpt = out / "last.pt"
    if rt.main:
        out.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(config, rt)
    if resume and ckpt.exists():
        trainer.restore(load_checkpoint(ckpt))
        if rt.main:
            log.info("resuming %s at epoch %d", ckpt, trainer.start_epoch)
    elif resume:
        log.warning("no checkpoint at %s: starting from scratch", ckpt)
    train_batches, test_batches, info = make_batches(config, rt)
    if trainer.folded and trainer.start_epoch == 0:
        gray_u8, _ = next(iter(train_batches))
        calibrate_folded_batchnorm(trainer.gen, trainer.folded, normalize_gray(gray_u8.to(rt.device).float()))
    keep_best = not config.test and trainer.algorithm.keeps_best
    started = time.perf_counter()
    bar = None
    try:
        for epoch in range(trainer.start_epoch, config.epochs):
            set_epoch(train_batches, epoch)
            if show_progress and rt.main:
                from tqdm import tqdm

                bar = tqdm(
                    total=len(train_batches),
                    desc=f"{config.model.model_id} epoch {epoch + 1}/{config.epochs}",
                    unit="batch",
                    leave=False,
                    dynamic_ncols=True,
                )
            epoch_start = time.perf_counter()
            sums, n_batches, n_images = _run_epoch(trainer, train_batches, epoch=epoch, bar=bar)
            if bar is not None:
                bar.close()
            seconds = time.perf_counter() - epoch_start
            row = {
                "epoch": epoch + 1,
                "train_loss": float(sums[0]) / max(n_batches, 1),
                "test_loss": float(trainer.test_loss(test_batches)),
                "d_loss": float(sums[1]) / max(n_batches, 1),
                "g_adv": float(sums[2]) / max(n_batches, 1),
                "seconds": float(seconds),
                "images_per_s": float(n_images * rt.world / max(seconds, 1e-9)),
            }
            best_before = min(
                (h["test_loss"] for h in trainer.history if math.isfinite(h["test_loss"])), default=math.inf
            )
            trainer.history.append(row)
            if rt.main:
                save_checkpoint(ckpt, trainer.state(epoch, info))
                if keep_best and math.isfinite(row["test_loss"]) and row["test_loss"] < best_before:
                    save_checkpoint(out / "best.pt", trainer.state(epoch, info))
                _write_csv(out / "loss.csv", trainer.history)
                print(
                    f"{config.model.model_id} epoch {epoch + 1}/{config.epochs}: train {row['train_loss']:.4f} "
                    f"test {row['test_loss']:.4f} ({seconds:.1f}s, {row['images_per_s']:.0f} img/s)",
                    flush=True,
                )
            if config.time_limit and time.perf_counter() - started > config.time_limit:
                if rt.main:
                    print(f"time limit {config.time_limit:.0f}s reached after epoch {epoch + 1}", flush=True)
                break
    finally:
        if bar is not None:
            bar.close()
        rt.barrier()
    if rt.main and trainer.history:
        from training.plots import plot_losses

        plot_losses(
            out / "loss.csv",
            out / "loss.png",
            title=f"{config.model.model_id} on {Path(config.data).parent.name}/{Path(config.data).name}",
            test_label="test MSE" if config.test else "validation MSE (split of train)",
        )
    rt.close()
    return ckpt


def _run_epoch(trainer: Trainer, batches, *, epoch: int, bar) -> tuple[np.ndarray, int, int]:
    """One pass over ``batches``: (summed step losses ``[3]``, batches, images). FloatingPointError as soon
    as a loss is not finite."""
    sums, n_batches, n_images = np.zeros(3), 0, 0
    for gray_u8, rgb_u8 in batches:
        values = trainer.step(gray_u8, rgb_u8)
        if not all(math.isfinite(v) for v in values):
            raise FloatingPointError(f"loss became {values} at epoch {epoch + 1}; lower --lr")
        sums += values
        n_batches += 1
        n_images += len(gray_u8)
        if bar is not None:
            bar.set_postfix(loss=f"{sums[0] / n_batches:.4f}")
            bar.update(1)
    return sums, n_batches, n_images


def _write_csv(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in CSV_FIELDS})
    os.replace(tmp, path)
