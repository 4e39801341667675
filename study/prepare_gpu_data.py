"""Shrink the training photos so they travel to a lent GPU machine (64 MiB limit): shorter side to
--size (default 128) as JPEG (quality 80 by default; --full-chroma keeps the color channels at full
resolution, 4:4:4, where 4:2:0 would halve them), same folder layout. Training there runs at that size."""

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps

parser = argparse.ArgumentParser()
parser.add_argument("src", type=Path)
parser.add_argument("dst", type=Path)
parser.add_argument("--size", type=int, default=128)
parser.add_argument("--quality", type=int, default=80)
parser.add_argument("--full-chroma", action="store_true", help="4:4:4 chroma (no subsampling)")
parser.add_argument("--every", type=int, default=1, help="keep every N-th file (sorted), to fit the transfer")
args = parser.parse_args()


def one(path: Path) -> None:
    out = args.dst / path.relative_to(args.src).with_suffix(".jpg")
    out.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        scale = args.size / min(im.size)
        im = im.resize(
            (max(args.size, round(im.width * scale)), max(args.size, round(im.height * scale))),
            Image.Resampling.LANCZOS,
        )
        im.save(out, quality=args.quality, **({"subsampling": 0} if args.full_chroma else {}))


files = sorted(p for p in args.src.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})[:: args.every]
with ThreadPoolExecutor(4) as pool:
    list(pool.map(one, files))
print(f"{len(files)} images -> {args.dst}")
