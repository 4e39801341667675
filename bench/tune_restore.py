"""Choosing the defect detector's threshold: ``python bench/tune_restore.py [MODEL.onnx] [--photos N]``.

On seeded subsets of broad/val and general/test that are not the benchmark's (subset seed 7, damage
seeds 1000 + index; bench_restore.py uses subset seed 2024 and damage seeds = index, so the two may
share a few photos but never their damage), each photo is damaged with training/damage.py and
restored with the masks the detector gives at several thresholds (with and without growing the
mask by one pixel). Reported per threshold: the gain over the damaged photo, and on the clean photo
the PSNR of the mean error, the 10th percentile and the number of photos under 35 dB. Writes
bench/results/tune_restore.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_restore import DATASETS, load_gray, psnr, psnr_of_mse  # noqa: E402
from engine.restore import restore  # noqa: E402
from engine.restore.defects import defect_probability, model_path  # noqa: E402
from training.damage import damage  # noqa: E402

OUT = ROOT / "bench" / "results" / "tune_restore.json"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def subset(folder: Path, pattern: str, count: int) -> list[Path]:
    files = sorted(folder.glob(pattern))
    rng = np.random.default_rng(7)
    return [files[i] for i in sorted(rng.choice(len(files), size=min(count, len(files)), replace=False))]


def grow(mask: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.dilate(mask.view(np.uint8), np.ones((3, 3), np.uint8)).view(bool)


def tune(paths: list[Path], model: Path) -> list[dict]:
    rows: dict[tuple[float, bool], dict[str, list[float]]] = {}
    damaged = []
    for index, path in enumerate(paths):
        clean = load_gray(path)
        hit = damage(clean, seed=1000 + index)
        damaged.append(psnr(clean, hit.gray))
        on_hit, on_clean = defect_probability(hit.gray, model=model), defect_probability(clean, model=model)
        for threshold in THRESHOLDS:
            for grown in (False, True):
                mask, clean_mask = on_hit > threshold, on_clean > threshold
                if grown:
                    mask, clean_mask = grow(mask), grow(clean_mask)
                row = rows.setdefault((threshold, grown), {"restored": [], "clean": [], "recall": []})
                row["restored"].append(psnr(clean, restore(hit.gray, mask=mask).gray))
                kept = restore(clean, mask=clean_mask).gray
                row["clean"].append(float(np.mean((clean.astype(np.float64) - kept) ** 2)))
                row["recall"].append(float(mask[hit.defects].mean()) if hit.defects.any() else 1.0)
    out = []
    for (threshold, grown), row in rows.items():
        clean_psnr = np.array([psnr_of_mse(m) for m in row["clean"]])
        out.append(
            {
                "threshold": threshold,
                "grown": grown,
                "gain_db": round(float(np.mean(row["restored"]) - np.mean(damaged)), 3),
                "clean_psnr_of_mean_mse": round(psnr_of_mse(float(np.mean(row["clean"]))), 2),
                "clean_psnr_p10": round(float(np.percentile(clean_psnr, 10)), 2),
                "clean_below_35db": int((clean_psnr < 35).sum()),
                "recall": round(float(np.mean(row["recall"])), 3),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, nargs="?", default=model_path())
    parser.add_argument("--photos", type=int, default=80, help="photos per dataset (default 80)")
    args = parser.parse_args()
    sets = {
        "broad/val": subset(DATASETS / "broad" / "val", "*/*.avif", args.photos),
        "general/test": subset(DATASETS / "general" / "test", "*.jpg", args.photos),
    }
    results = {"model": str(args.model), "photos": args.photos, "sets": {}}
    for name, paths in sets.items():
        results["sets"][name] = tune(paths, args.model)
        for row in results["sets"][name]:
            print(name, json.dumps(row))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
