"""A JPEG grid of photos colorized by several ONNX files through the engine (as users get them): one row
per photo, the gray input first, then one column per file (named by its stem), and with ``--truth`` the
color original last (for photos that have one; ``oldphotos/`` has none). ``--every N`` takes every Nth
photo of the folder (sorted), for a sample of a large set.

Usage: python study/photo_grid.py OUT.jpg PHOTO_FOLDER MODEL.onnx... [--height 150] [--quality 80] [--truth] [--every N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.images import decode_image  # noqa: E402
from engine.photos import scan_folder  # noqa: E402
from engine.pipeline import Pipeline  # noqa: E402
from engine.registry import load_model  # noqa: E402
from training.data import TRAINING_SUFFIXES  # noqa: E402

HEADER = 18


def _fit(rgb: np.ndarray, height: int, width: int) -> Image.Image:
    """``rgb`` scaled to ``height``, centered on a white cell ``width`` wide (cropped if wider)."""
    im = Image.fromarray(rgb)
    im = im.resize((max(1, round(im.width * height / im.height)), height), Image.Resampling.LANCZOS)
    cell = Image.new("RGB", (width, height), "white")
    cell.paste(im, ((width - im.width) // 2, 0))
    return cell


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("photos", type=Path)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--height", type=int, default=150)
    parser.add_argument("--width", type=int, default=0, help="cell width (default: 1.3 x height)")
    parser.add_argument("--quality", type=int, default=80)
    parser.add_argument("--truth", action="store_true", help="add the color original as the last column")
    parser.add_argument("--every", type=int, default=1, help="every Nth photo only")
    args = parser.parse_args()
    models = [load_model(p, provider="cpu") for p in args.models]
    pipelines = [Pipeline(models=(m,)) for m in models]
    photos = scan_folder(args.photos, suffixes=TRAINING_SUFFIXES, skip_results=False)[:: args.every]
    h, w = args.height, args.width or round(args.height * 1.3)
    cols = 1 + len(models) + int(args.truth)
    sheet = Image.new("RGB", (cols * w, HEADER + len(photos) * h), "white")
    draw = ImageDraw.Draw(sheet)
    for c, name in enumerate(["gray input", *(p.stem for p in args.models), *(["original"] if args.truth else [])]):
        draw.text((c * w + 4, 3), name, fill="black")
    for r, path in enumerate(photos):
        image = decode_image(path.read_bytes(), path=path)
        cells = [np.repeat(image.gray[..., None], 3, axis=2)]
        for model, pipeline in zip(models, pipelines, strict=True):
            cells.append(pipeline.colorize(image).results[model.model_id].rgb)
        if args.truth:
            with Image.open(path) as original:
                cells.append(np.asarray(ImageOps.exif_transpose(original).convert("RGB")))
        for c, rgb in enumerate(cells):
            sheet.paste(_fit(rgb, h, w), (c * w, HEADER + r * h))
        print(f"{r + 1}/{len(photos)} {path.name}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=args.quality, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {sheet.width}x{sheet.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
