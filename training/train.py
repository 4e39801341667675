"""The training loop: CUDA with bf16 autocast and channels-last when present, CPU otherwise,
DistributedDataParallel under torchrun (NCCL on GPUs, gloo on CPUs). Only rank 0 writes files."""

from __future__ import annotations

import csv
import logging
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from training import losses
from training.checkpoint import load_checkpoint, load_generator_weights, save_checkpoint, strip_module_prefix
from training.colorspace import gamut_excess, prediction_to_rgb01, target_for
from training.config import TrainConfig
from training.data import PhotoDataset, PreloadedBatches, check_readable, list_samples, preload, split
from training.models import architecture, build_generator
from training.models.discriminator import Discriminator

log = logging.getLogger(__name__)

CSV_FIELDS = ["epoch", "train_loss", "test_loss", "d_loss", "g_adv", "seconds", "images_per_s"]


@dataclass
class Runtime:
    device: torch.device
    rank: int
    world: int
    distributed: bool

    @property
    def main(self) -> bool:
        return self.rank == 0


def setup_runtime() -> Runtime:
    """Single process, or one rank of a torchrun job (reads RANK, WORLD_SIZE, LOCAL_RANK)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():
            torch.cuda.set_device(local)
            device = torch.device("cuda", local)
            backend = "nccl"
        else:
            device, backend = torch.device("cpu"), "gloo"
        if not dist.is_initialized():
            dist.init_process_group(backend=backend)
        return Runtime(device=device, rank=rank, world=world, distributed=True)
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    return Runtime(device=device, rank=0, world=1, distributed=False)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _data(config: TrainConfig, rt: Runtime):
    root = Path(config.data)
    samples = check_readable(list_samples(root), label=str(root))
    if config.test:
        train_s = samples
        test_s = check_readable(list_samples(config.test), label=config.test)
    else:
        train_s, test_s = split(samples, config.test_fraction, root=root)
    if config.limit:
        train_s, test_s = train_s[: config.limit], test_s[: max(1, config.limit // 4)]
    if not train_s:
        raise RuntimeError(f"{root}: no training images")
    info = {"train_images": len(train_s), "test_images": len(test_s), "data": str(root), "test": config.test}
    if config.preload:
        g, c = preload(train_s, size=config.size, device=rt.device)
        train = PreloadedBatches(g, c, batch=config.batch, shuffle=True, seed=config.seed, rank=rt.rank, world=rt.world,
                                 zoom=config.zoom)
        test = None
        if test_s:
            tg, tc = preload(test_s, size=config.size, device=rt.device)
            test = PreloadedBatches(tg, tc, batch=config.batch, shuffle=False, seed=0)
        return train, test, info
    cuda = rt.device.type == "cuda"
    ds = PhotoDataset(train_s, size=config.size, train=True, seed=config.seed, zoom=config.zoom)
    sampler = DistributedSampler(ds, num_replicas=rt.world, rank=rt.rank, seed=config.seed) if rt.distributed else None
    loader_args = dict(batch_size=config.batch, num_workers=config.workers, pin_memory=cuda,
                       persistent_workers=config.workers > 0)
    train = DataLoader(ds, sampler=sampler, shuffle=sampler is None, drop_last=len(ds) >= config.batch, **loader_args)
    test = None
    if test_s:
        test = DataLoader(PhotoDataset(test_s, size=config.size, train=False), shuffle=False, **loader_args)
    return train, test, info


def _to_inputs(gray_u8: torch.Tensor, rgb_u8: torch.Tensor, device: torch.device, output: str):
    gray = gray_u8.to(device, non_blocking=True).float() * (2.0 / 255.0) - 1.0
    rgb01 = rgb_u8.to(device, non_blocking=True).float() / 255.0
    return gray, rgb01, target_for(rgb01, output)


class Trainer:
    """Holds the models, optimizers and history of one run."""

    def __init__(self, config: TrainConfig, rt: Runtime) -> None:
        self.config, self.rt = config, rt
        mc = config.model
        self.output = mc.output
        self.gan = architecture(mc.model_id).step == "adversarial"
        self.gen = build_generator(mc).to(rt.device)
        self.disc = Discriminator(size=config.size, width=mc.width).to(rt.device) if self.gan else None
        self.amp = config.amp and rt.device.type == "cuda"
        if rt.device.type == "cuda":
            self.gen = self.gen.to(memory_format=torch.channels_last)
            if self.disc is not None:
                self.disc = self.disc.to(memory_format=torch.channels_last)
        if config.init_from:
            self._init_generator(config.init_from)
        params = [p for p in self.gen.parameters() if p.requires_grad]
        self.opt_g = torch.optim.Adam(params, lr=config.lr, betas=(0.5, 0.999))
        self.opt_d = (torch.optim.Adam(self.disc.parameters(), lr=config.lr * config.d_lr_scale, betas=(0.5, 0.999))
                      if self.gan else None)
        self.history: list[dict] = []
        self.start_epoch = 0
        self.gen_ddp: nn.Module = self.gen
        self.disc_ddp: nn.Module | None = self.disc
        if rt.distributed:
            ids = [rt.device.index] if rt.device.type == "cuda" else None
            self.gen_ddp = DistributedDataParallel(self.gen, device_ids=ids)
            if self.disc is not None:
                self.disc_ddp = DistributedDataParallel(self.disc, device_ids=ids)

    def _init_generator(self, path: str) -> None:
        """Start the generator from another run's weights: the CGAN from a trained U-Net (the study's
        best fruit variant), or any model from an earlier run of the same architecture (fine-tuning)."""
        state = load_checkpoint(path)
        source = state["config"]["model"]
        mc = self.config.model
        family = architecture(mc.model_id).family
        if architecture(source["model_id"]).family != family or source["width"] != mc.width or source["output"] != mc.output:
            raise ValueError(
                f"{path}: generator init needs a {family} with width {mc.width} and output {mc.output}, "
                f"found {source['model_id']} width {source['width']} output {source['output']}"
            )
        load_generator_weights(self.gen, state["generator"], source=path)
        log.info("generator initialised from %s", path)

    def _autocast(self):
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=self.amp)

    def _cf_term(self, pred, gray, rgb01):
        if self.config.cf_weight <= 0:
            return pred.new_zeros(())
        gap = losses.colorfulness_gap(prediction_to_rgb01(pred.float(), gray, self.output), rgb01)
        return self.config.cf_weight * gap + self.config.gamut_weight * gamut_excess(pred.float(), gray, self.output)

    def step(self, gray_u8, rgb_u8) -> tuple[float, float, float]:
        """One optimisation step. Returns (reconstruction loss, D loss, G adversarial loss)."""
        gray, rgb01, target = _to_inputs(gray_u8, rgb_u8, self.rt.device, self.output)
        if self.rt.device.type == "cuda":
            gray = gray.contiguous(memory_format=torch.channels_last)
        with self._autocast():
            pred = self.gen_ddp(gray)
        pred = pred.float()
        if not self.gan:
            loss = losses.reconstruction(pred, target) + self._cf_term(pred, gray, rgb01)
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_g.step()
            return losses.reconstruction(pred.detach(), target).item(), 0.0, 0.0
        eps = self.config.gan_eps
        fake_rgb = prediction_to_rgb01(pred, gray, self.output) * 2 - 1
        real_rgb = rgb01 * 2 - 1
        # Discriminator: maximise log(p + eps) + log(1 - p_hat + eps).
        with self._autocast():
            p_real = self.disc_ddp(gray, real_rgb)
            p_fake = self.disc_ddp(gray, fake_rgb.detach())
        d_loss = losses.discriminator_loss(p_real.float(), p_fake.float(), eps)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        # Generator: fool D, plus lambda * L1 to the truth.
        with self._autocast():
            p_fake_g = self.disc_ddp(gray, fake_rgb)
        adv = losses.generator_adversarial(p_fake_g.float(), eps)
        l1 = torch.nn.functional.l1_loss(pred, target)
        g_loss = adv + self.config.l1_lambda * l1 + self._cf_term(pred, gray, rgb01)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return losses.reconstruction(pred.detach(), target).item(), d_loss.item(), adv.item()

    @torch.no_grad()
    def test_loss(self, batches) -> float:
        """Mean MSE on the test split (the same reconstruction loss for every model, so curves compare)."""
        if batches is None:
            return float("nan")
        self.gen.eval()
        total, count = 0.0, 0
        for gray_u8, rgb_u8 in batches:
            gray, _, target = _to_inputs(gray_u8, rgb_u8, self.rt.device, self.output)
            with self._autocast():
                pred = self.gen(gray)
            total += losses.reconstruction(pred.float(), target).item() * len(gray)
            count += len(gray)
        self.gen.train()
        return total / max(count, 1)

    def state(self, epoch: int, info: dict) -> dict:
        state = {
            "format": "tintype-checkpoint-1",
            "config": self.config.to_dict(),
            "epoch": epoch,
            "generator": self.gen.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "history": self.history,
            "data_info": info,
            "device": str(self.rt.device),
            "world_size": self.rt.world,
        }
        if self.gan:
            state["discriminator"] = self.disc.state_dict()
            state["opt_d"] = self.opt_d.state_dict()
        return state

    def restore(self, state: dict) -> None:
        self.gen.load_state_dict(strip_module_prefix(state["generator"]))
        self.opt_g.load_state_dict(state["opt_g"])
        if self.gan:
            self.disc.load_state_dict(strip_module_prefix(state["discriminator"]))
            self.opt_d.load_state_dict(state["opt_d"])
        self.history = list(state["history"])
        self.start_epoch = int(state["epoch"]) + 1


def train(config: TrainConfig, *, resume: bool = False, show_progress: bool = True) -> Path:
    """Train per ``config``; returns the path of the last checkpoint (``<out>/last.pt``). When the run
    validates on a split of its training folder (no ``test`` folder), the epoch with the lowest
    validation loss so far is also kept as ``<out>/best.pt``; with a test folder it is not, so that no
    checkpoint is ever chosen on the photos the models are evaluated on. Nor for a CGAN: the lowest
    MSE would pick the epoch least changed by the adversarial term, which is not what it trains for."""
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
    train_batches, test_batches, info = _data(config, rt)
    keep_best = not config.test and not trainer.gan
    started = time.perf_counter()
    bar = None
    try:
        for epoch in range(trainer.start_epoch, config.epochs):
            if hasattr(train_batches, "set_epoch"):
                train_batches.set_epoch(epoch)
            sampler = getattr(train_batches, "sampler", None)
            if isinstance(sampler, DistributedSampler):
                sampler.set_epoch(epoch)
            if show_progress and rt.main:
                from tqdm import tqdm

                bar = tqdm(total=len(train_batches), desc=f"{config.model.model_id} epoch {epoch + 1}/{config.epochs}",
                           unit="batch", leave=False, dynamic_ncols=True)
            epoch_start = time.perf_counter()
            sums, n_batches, n_images = np.zeros(3), 0, 0
            for gray_u8, rgb_u8 in train_batches:
                values = trainer.step(gray_u8, rgb_u8)
                if not all(math.isfinite(v) for v in values):
                    raise FloatingPointError(f"loss became {values} at epoch {epoch + 1}; lower --lr")
                sums += values
                n_batches += 1
                n_images += len(gray_u8)
                if bar is not None:
                    bar.set_postfix(loss=f"{sums[0] / n_batches:.4f}")
                    bar.update(1)
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
            best_before = min((h["test_loss"] for h in trainer.history if math.isfinite(h["test_loss"])), default=math.inf)
            trainer.history.append(row)
            if rt.main:
                save_checkpoint(ckpt, trainer.state(epoch, info))
                if keep_best and math.isfinite(row["test_loss"]) and row["test_loss"] < best_before:
                    save_checkpoint(out / "best.pt", trainer.state(epoch, info))
                _write_csv(out / "loss.csv", trainer.history)
                print(f"{config.model.model_id} epoch {epoch + 1}/{config.epochs}: train {row['train_loss']:.4f} "
                      f"test {row['test_loss']:.4f} ({seconds:.1f}s, {row['images_per_s']:.0f} img/s)", flush=True)
            if config.time_limit and time.perf_counter() - started > config.time_limit:
                if rt.main:
                    print(f"time limit {config.time_limit:.0f}s reached after epoch {epoch + 1}", flush=True)
                break
    finally:
        if bar is not None:
            bar.close()
        if rt.distributed:
            dist.barrier()
    if rt.main and trainer.history:
        from training.plots import plot_losses

        plot_losses(out / "loss.csv", out / "loss.png", title=f"{config.model.model_id} on {Path(config.data).parent.name}/{Path(config.data).name}",
                    test_label="test MSE" if config.test else "validation MSE (split of train)")
    if rt.distributed:
        dist.destroy_process_group()
    return ckpt


def _write_csv(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in CSV_FIELDS})
    os.replace(tmp, path)
