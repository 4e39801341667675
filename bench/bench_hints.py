"""Color hints: PSNR against the number of true-color points, and the speed of an interactive edit.

Like the interactive colorization paper (Zhang et al. 2017, Fig. 5): for each photo of a seeded subset
of a folder, N points drawn at random (seeded per photo; the first N of one draw, so 5 points are
among the 10) reveal the ground truth's mean color over a 5x5 patch (radius 2); each shipped model's
prediction is corrected with them (``engine.adjust``) and compared with the truth: PSNR on RGB at full
resolution, mean over photos, and the gray fidelity of the result (mean |gray(result) - input gray|).

``--tune`` instead scores a grid of propagation settings on photos of broad/train (never the measured
set). The speed part times the preview update after each added point on a 12 MP photo and the save's
extra color math. Writes ``bench/results/hints.json``:

    python bench/bench_hints.py                 # PSNR on 150 photos of broad/val, then the speed
    python bench/bench_hints.py --tune --count 30   # the propagation grid on 30 photos of broad/train
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODELS, photo  # noqa: E402

from engine.adjust import ChromaEditor, ColorHint, Propagation  # noqa: E402
from engine.color import recombine  # noqa: E402
from engine.colorize import predict_chroma  # noqa: E402
from engine.images import decode_image, load_image  # noqa: E402
from engine.registry import LoadedModel, ModelRegistry  # noqa: E402

DATASETS = Path("/work/shared/datasets/broad")
POINTS = (0, 1, 5, 10, 50)
PATCH_RADIUS = 2
OUT = Path(__file__).resolve().parent / "results" / "hints.json"
SUFFIXES = (".avif", ".jpg", ".jpeg", ".png", ".webp")


def model_chroma(model: LoadedModel, gray: np.ndarray) -> np.ndarray:
    """The model's Cb, Cr for the photo: what the pipeline's colorize step hands to the adjust step."""
    return predict_chroma(model, gray)[0]


def sample_hints(truth: np.ndarray, count: int, seed: int) -> list[ColorHint]:
    """``count`` points uniformly at random, each with the truth's mean color over its 5x5 patch."""
    height, width = truth.shape[:2]
    rng = np.random.default_rng(seed)
    xs, ys = rng.integers(0, width, count), rng.integers(0, height, count)
    hints = []
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        patch = truth[max(0, y - PATCH_RADIUS) : y + PATCH_RADIUS + 1, max(0, x - PATCH_RADIUS) : x + PATCH_RADIUS + 1]
        rgb = tuple(int(v) for v in np.rint(patch.reshape(-1, 3).mean(axis=0)))
        hints.append(ColorHint(x=x, y=y, rgb=rgb, radius=PATCH_RADIUS))
    return hints


def psnr(truth: np.ndarray, pred: np.ndarray) -> float:
    mse = np.mean((truth.astype(np.float64) - pred.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def gray_error(gray: np.ndarray, rgb: np.ndarray) -> float:
    back = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)
    return float(np.abs(back - gray.astype(np.int16)).mean())


def photos(folder: Path, count: int, seed: int) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
    chosen = np.random.default_rng(seed).choice(len(files), size=min(count, len(files)), replace=False)
    return [files[i] for i in sorted(chosen.tolist())]


def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(truth RGB, the engine's gray) from one file, as ``training.evaluate`` reads them."""
    raw = path.read_bytes()
    with Image.open(io.BytesIO(raw)) as im:
        truth = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    return truth, decode_image(raw, path=path).gray


def measure(files: list[Path], models: list[LoadedModel], points: tuple[int, ...], settings: list[Propagation]) -> dict:
    """Mean PSNR and gray error per (settings, model, points)."""
    scores: dict = {}
    started = time.perf_counter()
    for index, path in enumerate(files):
        truth, gray = read(path)
        draws = sample_hints(truth, max(points), seed=index)
        for model in models:
            chroma = model_chroma(model, gray)
            for k, propagation in enumerate(settings):
                editor = ChromaEditor(gray, chroma, propagation=propagation)
                for n in points:
                    rgb = editor.render(draws[:n])
                    row = scores.setdefault((k, model.model_id, n), {"psnr": [], "gray": []})
                    row["psnr"].append(psnr(truth, rgb))
                    row["gray"].append(gray_error(gray, rgb))
        if (index + 1) % 25 == 0:
            print(f"  {index + 1}/{len(files)} photos, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return {key: {m: float(np.mean(v)) for m, v in row.items()} for key, row in scores.items()}


def tune(registry: ModelRegistry, count: int) -> list[dict]:
    """Scored with the first model (the U-Net) to keep it to minutes on 2 cores."""
    models = registry.models[:1]
    files = photos(DATASETS / "train", count, seed=1)
    grid = [
        Propagation(spread=s, edge=e, prior=p)
        for s, e, p in itertools.product((0.1, 0.2, 0.4), (0.03, 0.05, 0.08, 0.12), (0.002, 0.02, 0.2))
    ]
    points = (0, 1, 10, 50)
    scores = measure(files, models, points, grid)
    rows = []
    for k, setting in enumerate(grid):
        gains = {
            n: np.mean([scores[(k, m.model_id, n)]["psnr"] - scores[(k, m.model_id, 0)]["psnr"] for m in models])
            for n in points[1:]
        }
        rows.append(
            {
                "spread": setting.spread,
                "edge": setting.edge,
                "prior": setting.prior,
                **{f"gain_{n}": float(g) for n, g in gains.items()},
            }
        )
    rows.sort(key=lambda r: -(r["gain_1"] + r["gain_10"] + r["gain_50"]))
    for r in rows[:10]:
        print(json.dumps(r))
    return rows


def speed(model: LoadedModel, *, megapixels: float = 12.0, preview_long_side: int = 2000, repeats: int = 7) -> dict:
    """12 MP photo: preview redraw after each of 10 added points, and the save's extra cost."""
    with tempfile.TemporaryDirectory() as tmp:
        image = load_image(photo(megapixels, Path(tmp) / "photo.jpg"))
    gray = image.gray
    height, width = gray.shape
    chroma = model_chroma(model, gray)
    scale = preview_long_side / max(width, height)
    preview = np.asarray(
        Image.fromarray(gray).resize(
            (round(width * scale), round(height * scale)), Image.Resampling.BILINEAR, reducing_gap=3.0
        )
    )
    rng = np.random.default_rng(0)
    hints = [
        ColorHint(
            x=float(rng.integers(0, width)),
            y=float(rng.integers(0, height)),
            rgb=tuple(int(c) for c in rng.integers(0, 256, 3)),
            radius=6,
        )
        for _ in range(10)
    ]

    started = time.perf_counter()
    editor = ChromaEditor(gray, chroma)
    setup = time.perf_counter() - started
    editor.render(gray=preview)  # the preview as drawn before any point: its gray ranges kept
    updates = []
    for n in range(1, len(hints) + 1):
        started = time.perf_counter()
        editor.render(hints[:n], gray=preview)
        updates.append(time.perf_counter() - started)

    def timed(fn) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    today = timed(lambda: recombine(gray, chroma))
    with_hints = timed(lambda: ChromaEditor(gray, chroma).render(hints[:5]))
    return {
        "load_average_1min": os.getloadavg()[0],  # the machine is shared: what else was running
        "photo": f"{width}x{height}",
        "preview": f"{preview.shape[1]}x{preview.shape[0]}",
        "working_grid": f"{editor.working_shape[1]}x{editor.working_shape[0]}",
        "editor_setup_s": setup,
        "preview_update_s": {
            "first_point": updates[0],
            "median_points_1_10": statistics.median(updates),
            "max": max(updates),
        },
        "save_color_math_s": {"today": today, "with_5_hints": with_hints, "extra": with_hints - today},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATASETS / "val")
    parser.add_argument("--count", type=int, default=150, help="photos in the seeded subset (--tune: use 30)")
    parser.add_argument("--tune", action="store_true", help="score propagation settings on broad/train instead")
    parser.add_argument("--part", choices=("all", "psnr", "speed"), default="all")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    registry = ModelRegistry.discover([MODELS], provider="cpu")
    report: dict = json.loads(args.out.read_text()) if args.out.exists() else {}
    if args.tune:
        report["tune"] = {
            "data": str(DATASETS / "train"),
            "photos": args.count,
            "subset_seed": 1,
            "model": registry.models[0].model_id,
            "settings": tune(registry, args.count),
        }
    elif args.part in ("all", "psnr"):
        files = photos(args.data, args.count, seed=0)
        started = time.perf_counter()
        scores = measure(files, registry.models, POINTS, [Propagation()])
        report["psnr"] = {
            "data": str(args.data),
            "photos": len(files),
            "subset_seed": 0,
            "patch": "5x5 mean, radius 2",
            "propagation": vars(Propagation()),
            "seconds": round(time.perf_counter() - started),
            "models": {m.model_id: {str(n): scores[(0, m.model_id, n)] for n in POINTS} for m in registry.models},
        }
        for m in registry.models:
            row = report["psnr"]["models"][m.model_id]
            print(m.model_id, " ".join(f"{n}:{row[str(n)]['psnr']:.2f}dB/{row[str(n)]['gray']:.2f}" for n in POINTS))
    if not args.tune and args.part in ("all", "speed"):
        report["speed"] = speed(registry.models[0])
        print(json.dumps(report["speed"], indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
