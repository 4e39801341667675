"""Training data: a folder of color photos (gray made on the fly with Pillow's ``convert("L")``), or
paired gray/color folders (``train_black/`` + ``train_color/``).

Samples are uint8 tensors ``gray [1,S,S]`` and ``rgb [3,S,S]``: the shorter side resized to S, a random
(train) or center (test) crop, random horizontal flips for training, and with ``zoom`` > 0 a random
zoom: a crop whose side is between ``zoom`` and 1 times S, resized back to S. Unreadable files are skipped,
counted and reported once. Files are decoded as the engine's raster formats only (never, say, a
PostScript file named .jpg). ``preload`` decodes everything once into memory (or GPU memory) for speed.
:func:`make_batches` turns a run's configuration into its train and test batches.

Training reads the engine's photo formats plus AVIF (the broad data set's format; the engine's table
reads AVIF only where Pillow has the codec, training always looks for it). With ``source_weights`` each
photo is drawn with its source's weight (sources: the first-level subfolders of the data folder),
``epoch_size`` photos per epoch, with replacement; with ``old_photo`` > 0 that share of the gray inputs
is aged (:mod:`training.aging`).
"""

from __future__ import annotations

import hashlib
import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler
from torch.utils.data.distributed import DistributedSampler

from engine.formats import IMAGE_SUFFIXES, READ_FORMATS
from engine.photos import scan_folder
from training.aging import age_gray
from training.config import TrainConfig
from training.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sample:
    color: Path
    gray: Path | None = None  # None: made from ``color``


def list_samples(folder: str | Path) -> list[Sample]:
    """Photos under ``folder``; paired layout when it holds ``*_black`` and ``*_color`` folders."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    blacks = sorted(p for p in folder.iterdir() if p.is_dir() and p.name.endswith("_black"))
    pairs = [(b, folder / (b.name[: -len("_black")] + "_color")) for b in blacks]
    pairs = [(b, c) for b, c in pairs if c.is_dir()]
    if pairs:
        samples = []
        for black, color in pairs:
            for c in _images(color):
                g = black / c.relative_to(color)
                if g.exists():
                    samples.append(Sample(color=c, gray=g))
        return samples
    return [Sample(color=p) for p in _images(folder)]


# The engine's formats plus AVIF, even where this Pillow cannot read it (such files are skipped and counted).
TRAINING_SUFFIXES: frozenset[str] = frozenset(IMAGE_SUFFIXES) | {".avif"}


def _images(folder: Path) -> list[Path]:
    return scan_folder(folder, suffixes=TRAINING_SUFFIXES, skip_results=False)


def source_of(path: Path, root: Path) -> str:
    """The source of a photo: its first-level subfolder under ``root`` ("" for a photo directly in it)."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else ""


def parse_source_weights(text: str) -> dict[str, float]:
    """``'camvid=2,clothing=0.5'`` -> ``{'camvid': 2.0, 'clothing': 0.5}``; ValueError on a malformed item
    or a negative weight."""
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if not sep or not name.strip() or weight < 0:
            raise ValueError(f"--source-weights: {item!r} is not name=weight (a weight >= 0)")
        weights[name.strip()] = weight
    return weights


def sample_weights(samples: list[Sample], root: Path, weights: dict[str, float]) -> list[float]:
    """Each photo's sampling weight: its source's (1 for a source not named). ValueError for a named
    source that has no photos (a typo would otherwise pass silently)."""
    sources = [source_of(s.color, root) for s in samples]
    unknown = sorted(set(weights) - set(sources))
    if unknown:
        raise ValueError(f"--source-weights: no photos of {unknown} under {root} (sources: {sorted(set(sources))})")
    return [weights.get(src, 1.0) for src in sources]


def split(samples: list[Sample], test_fraction: float, *, root: Path) -> tuple[list[Sample], list[Sample]]:
    """Deterministic train/test split by a hash of each file's path relative to ``root``."""
    train, test = [], []
    for s in samples:
        digest = hashlib.sha1(str(s.color.relative_to(root)).encode()).digest()
        (test if digest[0] / 256.0 < test_fraction else train).append(s)
    return train, test


def load_pair(
    sample: Sample, size: int, *, rng: random.Random | None, zoom: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Decode, resize the shorter side to ``size``, crop (random with ``rng``, else center; with ``zoom``
    a random side in [zoom * size, size], resized back to ``size``), flip. Returns gray uint8 ``SxS``
    and rgb uint8 ``SxSx3``."""
    with Image.open(sample.color, formats=READ_FORMATS) as im:
        rgb = ImageOps.exif_transpose(im).convert("RGB")
    if sample.gray is not None:
        with Image.open(sample.gray, formats=READ_FORMATS) as im:
            gray = ImageOps.exif_transpose(im).convert("L").resize(rgb.size, Image.Resampling.BICUBIC)
    else:
        gray = rgb.convert("L")
    w, h = rgb.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    rgb = rgb.resize((nw, nh), Image.Resampling.BICUBIC, reducing_gap=3.0)
    gray = gray.resize((nw, nh), Image.Resampling.BICUBIC, reducing_gap=3.0)
    side = size if rng is None or zoom <= 0 else rng.randint(round(size * zoom), size)
    if rng is None:
        x, y = (nw - side) // 2, (nh - side) // 2
    else:
        x, y = rng.randint(0, nw - side), rng.randint(0, nh - side)
    box = (x, y, x + side, y + side)
    rgb, gray = rgb.crop(box), gray.crop(box)
    if side != size:
        rgb = rgb.resize((size, size), Image.Resampling.BICUBIC)
        gray = gray.resize((size, size), Image.Resampling.BICUBIC)
    rgb_a, gray_a = np.asarray(rgb), np.asarray(gray)
    if rng is not None and rng.random() < 0.5:
        rgb_a, gray_a = rgb_a[:, ::-1], gray_a[:, ::-1]
    return np.array(gray_a, copy=True), np.array(rgb_a, copy=True)  # writable, contiguous


def check_readable(samples: list[Sample], *, label: str) -> list[Sample]:
    """Drop files Pillow cannot identify; report how many, once."""
    good, bad = [], []
    for s in samples:
        try:
            for path in (s.color, s.gray):
                if path is not None:
                    with Image.open(path, formats=READ_FORMATS) as im:
                        im.verify()
            good.append(s)
        except Exception:  # any decoder failure means: skip this file
            bad.append(s)
    if bad:
        log.warning("%s: skipped %d unreadable file(s), e.g. %s", label, len(bad), bad[0].color)
    return good


class PhotoDataset(Dataset):
    """Decodes on access (DataLoader workers). A file that fails mid-training is replaced by another
    sample and counted, so an epoch never crashes."""

    def __init__(
        self, samples: list[Sample], *, size: int, train: bool, seed: int = 0, zoom: float = 0.0, old_photo: float = 0.0
    ) -> None:
        self.samples, self.size, self.train, self.seed, self.zoom = samples, size, train, seed, zoom
        self.old_photo = old_photo
        self.failures = 0
        self._epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self._epoch = epoch

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = random.Random(hash((self.seed, self._epoch, index))) if self.train else None
        for attempt in range(len(self.samples)):
            sample = self.samples[(index + attempt) % len(self.samples)]
            try:
                gray, rgb = load_pair(sample, self.size, rng=rng, zoom=self.zoom)
                break
            except Exception as exc:  # a file broken after the readability check
                self.failures += 1
                if self.failures == 1:
                    log.warning("skipping unreadable %s (%s)", sample.color, exc)
        else:
            raise RuntimeError("no readable images left")
        if rng is not None and self.old_photo > 0 and rng.random() < self.old_photo:
            gray = age_gray(gray, np.random.default_rng(rng.getrandbits(32)))
        return torch.from_numpy(gray)[None], torch.from_numpy(rgb).permute(2, 0, 1).contiguous()


class EpochWeightedSampler(WeightedRandomSampler):
    """Weighted draws with replacement, seeded by (seed, epoch): a resumed run draws what it would have."""

    def __init__(self, weights: list[float], *, num_samples: int, seed: int) -> None:
        super().__init__(weights, num_samples=num_samples, replacement=True)
        self.seed, self.epoch = seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        self.generator = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
        return super().__iter__()


def preload(
    samples: list[Sample], *, size: int, device: torch.device, threads: int = 8
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode all samples (center crops) into uint8 tensors ``[N,1,S,S]`` and ``[N,3,S,S]`` on ``device``."""

    def one(sample: Sample):
        try:
            return load_pair(sample, size, rng=None)
        except Exception:  # counted below
            return None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        decoded = list(pool.map(one, samples))
    ok = [d for d in decoded if d is not None]
    if len(ok) < len(decoded):
        log.warning("skipped %d unreadable file(s) while preloading", len(decoded) - len(ok))
    if not ok:
        raise RuntimeError("no readable images")
    gray = torch.from_numpy(np.stack([g for g, _ in ok]))[:, None]
    rgb = torch.from_numpy(np.stack([c for _, c in ok])).permute(0, 3, 1, 2).contiguous()
    return gray.to(device), rgb.to(device)


class PreloadedBatches:
    """Shuffled batches from preloaded tensors, random horizontal flips, all on their device. With
    ``zoom`` > 0 each batch is also a random zoom crop (one crop box per batch), resized back."""

    def __init__(
        self,
        gray: torch.Tensor,
        rgb: torch.Tensor,
        *,
        batch: int,
        shuffle: bool,
        seed: int,
        rank: int = 0,
        world: int = 1,
        zoom: float = 0.0,
    ) -> None:
        self.gray, self.rgb, self.batch, self.shuffle, self.seed, self.zoom = gray, rgb, batch, shuffle, seed, zoom
        self.rank, self.world, self.epoch = rank, world, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        per_rank = len(self.gray) // self.world
        return max(1, (per_rank + self.batch - 1) // self.batch)

    def __iter__(self):
        n = len(self.gray)
        g = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
        order = torch.randperm(n, generator=g) if self.shuffle else torch.arange(n)
        order = order[self.rank : (n // self.world) * self.world : self.world]
        for start in range(0, len(order), self.batch):
            idx = order[start : start + self.batch].to(self.gray.device)
            gray, rgb = self.gray[idx], self.rgb[idx]
            if self.shuffle:
                flip = (torch.rand(len(idx), generator=g) < 0.5).to(self.gray.device)
                gray = torch.where(flip.view(-1, 1, 1, 1), gray.flip(-1), gray)
                rgb = torch.where(flip.view(-1, 1, 1, 1), rgb.flip(-1), rgb)
                if self.zoom > 0:
                    gray, rgb = self._zoom(gray, rgb, g)
            yield gray, rgb

    def _zoom(self, gray: torch.Tensor, rgb: torch.Tensor, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        size = gray.shape[-1]
        low = round(size * self.zoom)
        side = int(torch.randint(low, size + 1, (1,), generator=g))
        if side == size:
            return gray, rgb
        y, x = (
            int(torch.randint(0, gray.shape[-2] - side + 1, (1,), generator=g)),
            int(torch.randint(0, size - side + 1, (1,), generator=g)),
        )

        def resize(t: torch.Tensor) -> torch.Tensor:
            crop = t[:, :, y : y + side, x : x + side].float()
            out = torch.nn.functional.interpolate(
                crop, size=(gray.shape[-2], size), mode="bilinear", align_corners=False
            )
            return out.round().clamp(0, 255).to(torch.uint8)

        return resize(gray), resize(rgb)


def make_batches(config: TrainConfig, rt: Runtime):
    """(train batches, test batches or None, data info) of a run: ``config.data`` split deterministically
    (or ``config.test`` as the test set), each rank reading its share under torchrun. Preloaded batches
    live on the device; otherwise DataLoader workers decode on the fly."""
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
    if config.preload and (config.source_weights or config.old_photo > 0):
        raise ValueError("--source-weights and --old-photo need the DataLoader path (without --preload)")
    if config.preload:
        g, c = preload(train_s, size=config.size, device=rt.device)
        train = PreloadedBatches(
            g, c, batch=config.batch, shuffle=True, seed=config.seed, rank=rt.rank, world=rt.world, zoom=config.zoom
        )
        test = None
        if test_s:
            tg, tc = preload(test_s, size=config.size, device=rt.device)
            test = PreloadedBatches(tg, tc, batch=config.batch, shuffle=False, seed=0)
        return train, test, info
    ds = PhotoDataset(
        train_s, size=config.size, train=True, seed=config.seed, zoom=config.zoom, old_photo=config.old_photo
    )
    sampler = DistributedSampler(ds, num_replicas=rt.world, rank=rt.rank, seed=config.seed) if rt.distributed else None
    if config.source_weights:
        if rt.distributed:
            raise ValueError("--source-weights is not supported under torchrun")
        weights = sample_weights(train_s, root, parse_source_weights(config.source_weights))
        sampler = EpochWeightedSampler(weights, num_samples=config.epoch_size or len(train_s), seed=config.seed)
        info["source_weights"] = config.source_weights
    loader_args = dict(
        batch_size=config.batch, num_workers=config.workers, pin_memory=rt.cuda, persistent_workers=config.workers > 0
    )
    train = DataLoader(ds, sampler=sampler, shuffle=sampler is None, drop_last=len(ds) >= config.batch, **loader_args)
    test = None
    if test_s:
        test = DataLoader(PhotoDataset(test_s, size=config.size, train=False), shuffle=False, **loader_args)
    return train, test, info


def set_epoch(batches, epoch: int) -> None:
    """Tell the batches (and a DistributedSampler behind a DataLoader) which epoch starts: it seeds the
    shuffle and the augmentation."""
    if hasattr(batches, "set_epoch"):
        batches.set_epoch(epoch)
    sampler = getattr(batches, "sampler", None)
    if isinstance(sampler, (DistributedSampler, EpochWeightedSampler)):
        sampler.set_epoch(epoch)
