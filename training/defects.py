"""The learned dust and scratch detector: a small U-Net that marks defect pixels in a gray photo.

``python -m training defects --photos DIR --out DIR`` draws crops from the photos under DIR, damages
them with :mod:`training.damage` (specks, scratches, crack networks, grain, fading, each with a random
amount; some crops are left clean or only grainy, some get a print's border, so the net learns what
not to mark), trains the net to predict the generator's true defect pixels, and exports
``defects.onnx`` for the engine (:mod:`engine.restore.defects`; the shipped one is
``resources/restore/defects.onnx``). Training checkpoints every ``--save-every`` steps and resumes
(``--resume``); ``--init`` starts a fine-tune from another run's weights. The crops are kept in
``<out>/samples.npz`` and reused while their count matches: a new damage recipe needs a new ``--out``.

The net works at the damage's unit scale (a photo whose short side is at most 256 px); the engine
shrinks bigger photos by :func:`engine.restore.defects.defect_scale` before running it, the same
factor the generator grows its defects by.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.photos import scan_folder
from training.checkpoint import load_checkpoint, save_checkpoint
from training.config import DefectTrainConfig
from training.damage import DamageSpec, damage
from training.data import TRAINING_SUFFIXES

log = logging.getLogger(__name__)

CROP = 128
OPSET = 17
INPUT = "gray"  # float32 Nx1xHxW in [0, 1]; H and W divisible by 8
OUTPUT = "defect"  # float32 Nx1xHxW, probability that a pixel is a defect
LEVELS = 3  # the net halves the size this many times: inputs are padded to a multiple of 2**LEVELS


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DefectNet(nn.Module):
    """A U-Net with ``LEVELS`` poolings: two convolutions a level down, one a level up, a 1x1 head."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        w = [width, 2 * width, 4 * width, 4 * width]
        self.down = nn.ModuleList([nn.Sequential(_conv(1, w[0]), _conv(w[0], w[0]))])
        for i in range(1, LEVELS + 1):
            self.down.append(nn.Sequential(_conv(w[i - 1], w[i]), _conv(w[i], w[i])))
        self.up = nn.ModuleList([_conv(w[i + 1] + w[i], w[i]) for i in reversed(range(LEVELS))])
        self.head = nn.Conv2d(w[0], 1, 1)

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        """Logits, Nx1xHxW, of gray in [0, 1]."""
        x = gray - 0.5
        skips = []
        for i, block in enumerate(self.down):
            x = block(F.max_pool2d(x, 2) if i else x)
            skips.append(x)
        for block in self.up:
            skips.pop()
            x = block(torch.cat([F.interpolate(x, scale_factor=2.0, mode="nearest"), skips[-1]], 1))
        return self.head(x)


class _Exported(nn.Module):
    def __init__(self, net: DefectNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(gray))


def random_spec(rng: np.random.Generator) -> DamageSpec:
    """Damage of a random kind and amount: a tenth of crops clean, a tenth only grainy, the rest with
    specks and scratches, some with crack networks, some faded."""
    roll = rng.random()
    grain = 0.0 if rng.random() < 0.25 else float(rng.uniform(1.0, 14.0))
    grain_size = 0.0 if rng.random() < 0.6 else float(rng.uniform(0.5, 1.5))
    if roll < 0.1:
        return DamageSpec(specks=0.0, scratches=0.0, grain=0.0)
    if roll < 0.2:
        return DamageSpec(specks=0.0, scratches=0.0, grain=grain, grain_size=grain_size)
    fade = 0.0 if rng.random() < 0.7 else float(rng.uniform(0.1, 1.0))
    cracks = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.3, 5.0))
    return DamageSpec(
        specks=float(rng.uniform(0.0, 7.0)),
        scratches=float(rng.uniform(0.0, 5.0)),
        grain=grain,
        grain_size=grain_size,
        fade=fade,
        cracks=cracks,
    )


def _load_gray(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L"))


def _framed(piece: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``piece`` with the edge of a print along one side: a band of paper, mat or scan bed (any gray,
    2 to 24 px, a slightly uneven edge). Not damage: the net must leave a print's border alone."""
    out = np.array(piece)
    side = out.shape[0]
    width = rng.uniform(2, 24) + rng.normal(0, 1.0, side).cumsum() * 0.3
    inside = np.arange(side)[None, :] < np.clip(width, 1, side // 3)[:, None]
    out[inside] = int(rng.integers(0, 256))
    return np.rot90(out, int(rng.integers(0, 4)))


def make_samples(
    paths: list[Path], count: int, *, seed: int, crop: int = CROP, big: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` damaged crops (uint8 Nx crop x crop) and their true defect masks (bool, same shape).

    Each crop is cut from a photo in ``paths`` (in turn, from a seeded shuffle; photos smaller than
    ``crop`` are skipped), turned by a multiple of 90 degrees or mirrored, then damaged with
    :func:`random_spec`; some get a print's border along one side first. A ``big`` part of them
    stand for crops of big scans, as the engine sees them: the photo is enlarged to a scale of 1.1
    to 3.5, damaged at that scale (bigger specks, wider scratches), and shrunk back by it the way
    the engine shrinks a scan before the net; a pixel of their mask is a defect when a third of it was.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(paths))
    grays = np.zeros((count, crop, crop), np.uint8)
    masks = np.zeros((count, crop, crop), bool)
    made, tried = 0, 0
    while made < count:
        if tried >= 2 * len(paths) and made == 0:
            raise ValueError(f"no photo of at least {crop}x{crop} px among {len(paths)}")
        path = paths[order[tried % len(order)]]
        tried += 1
        try:
            gray = _load_gray(path)
        except OSError as error:
            log.warning("skipped %s: %s", path, error)
            continue
        height, width = gray.shape
        if height < crop or width < crop:
            continue
        y, x = int(rng.integers(0, height - crop + 1)), int(rng.integers(0, width - crop + 1))
        piece = np.rot90(gray[y : y + crop, x : x + crop], int(rng.integers(0, 4)))
        if rng.random() < 0.5:
            piece = piece[:, ::-1]
        if rng.random() < 0.15:
            piece = _framed(piece, rng)
        spec, damage_seed = random_spec(rng), int(rng.integers(0, 2**31))
        if rng.random() < big:
            scale = float(rng.uniform(1.1, 3.5))
            side = round(crop * scale)
            large = cv2.resize(np.ascontiguousarray(piece), (side, side), interpolation=cv2.INTER_CUBIC)
            hit = damage(large, spec, seed=damage_seed, scale=scale)
            grays[made] = cv2.resize(hit.gray, (crop, crop), interpolation=cv2.INTER_AREA)
            cover = cv2.resize(hit.defects.astype(np.float32), (crop, crop), interpolation=cv2.INTER_AREA)
            masks[made] = cover >= 1 / 3
        else:
            hit = damage(np.ascontiguousarray(piece), spec, seed=damage_seed)
            grays[made], masks[made] = hit.gray, hit.defects
        made += 1
    return grays, masks


def _samples(config: DefectTrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The training crops, made once and kept in ``<out>/samples.npz``."""
    cache = Path(config.out) / "samples.npz"
    if cache.is_file():
        data = np.load(cache)
        if len(data["grays"]) == config.samples:
            return data["grays"], data["masks"]
    paths = scan_folder(config.photos, suffixes=TRAINING_SUFFIXES, skip_results=False)
    if not paths:
        raise FileNotFoundError(f"no photos under {config.photos}")
    start = time.perf_counter()
    grays, masks = make_samples(paths, config.samples, seed=config.seed)
    log.info("made %d damaged crops from %d photos in %.0f s", len(grays), len(paths), time.perf_counter() - start)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, grays=grays, masks=masks)
    tmp.replace(cache)
    return grays, masks


def train_defects(config: DefectTrainConfig, *, resume: bool = False) -> Path:
    """Train the detector; returns the path of the exported ONNX model (``<out>/defects.onnx``)."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    grays, masks = _samples(config)
    net = DefectNet(config.width)
    if config.init:
        net.load_state_dict(load_checkpoint(config.init)["net"])
        log.info("started from the weights of %s", config.init)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=1e-4)
    step, history = 0, []
    last = out / "last.pt"
    if resume and last.is_file():
        state = load_checkpoint(last)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        step, history = state["step"], state["history"]
        log.info("resumed at step %d", step)
    rng = np.random.default_rng(config.seed + step)
    pos_weight = torch.tensor(config.pos_weight)
    net.train()
    start, losses = time.perf_counter(), []
    while step < config.steps:
        for group in opt.param_groups:  # cosine decay to a twentieth
            group["lr"] = config.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / config.steps)))
        pick = rng.integers(0, len(grays), config.batch)
        side = min(config.window, grays.shape[1])
        y0, x0 = (int(v) for v in rng.integers(0, grays.shape[1] - side + 1, 2))
        window = (pick, slice(y0, y0 + side), slice(x0, x0 + side))
        x = torch.from_numpy(grays[window]).float().div_(255.0).unsqueeze(1)
        y = torch.from_numpy(masks[window]).float().unsqueeze(1)
        loss = F.binary_cross_entropy_with_logits(net(x), y, pos_weight=pos_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
        if step % config.save_every == 0 or step == config.steps:
            history.append({"step": step, "loss": float(np.mean(losses)), "seconds": time.perf_counter() - start})
            log.info(
                "step %d: loss %.4f (%.2f s/step)", step, history[-1]["loss"], history[-1]["seconds"] / len(losses)
            )
            start, losses = time.perf_counter(), []
            state = {"net": net.state_dict(), "opt": opt.state_dict(), "step": step, "history": history}
            state["config"] = asdict(config)
            save_checkpoint(last, state)
    return export_defects(net, out / "defects.onnx")


def export_defects(net: DefectNet, path: Path) -> Path:
    """Write ``net`` as ONNX (input ``gray`` Nx1xHxW in [0, 1], output ``defect`` probabilities)."""
    wrapped = _Exported(net).eval()
    example = torch.rand(1, 1, 64, 96)
    tmp = path.with_name(path.name + ".tmp")
    dims = {0: "batch", 2: "height", 3: "width"}
    torch.onnx.export(
        wrapped,
        (example,),
        str(tmp),
        input_names=[INPUT],
        output_names=[OUTPUT],
        dynamic_axes={INPUT: dims, OUTPUT: dims},
        opset_version=OPSET,
        dynamo=False,
    )
    tmp.replace(path)
    return path
