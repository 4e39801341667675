"""Restoration: speed on a 12 MP scan, and quality on damaged real photos. Writes bench/results/restore.json.

``python bench/bench_restore.py`` (about a minute on 2 cores; ``--photos N`` per dataset, default 100).

Speed: a 12 MP (4000x3000) gray photo (scikit-image's 'coffee', upscaled), clean and with the
damage generator's default damage (about 2,000 specks and a dozen scratches), restored in the
automatic mode; the median of several runs after a warm-up, with the load average around it
(the machine is shared).

Quality: a seeded subset of ``broad/val`` (every source) and of ``general/test``. Each clean photo
(its Rec. 601 luma) is damaged with ``training/damage.py`` (seed = its index) and restored; PSNR to
the clean photo, damaged and restored (and with only one of the two automatic steps). The clean
photo is restored too: the automatic mode must leave it practically unchanged (PSNR to the input;
"unchanged" counts photos where no step acted). The detector's threshold was chosen with
``bench/tune_restore.py`` on another seeded subset of the same folders (subset seed 7, other damage
seeds; the subsets may share a few photos). A second damage adds fading and is restored with fade
repair on; a third adds crack networks (``DamageSpec(cracks=1.5)``, not part of the goal).
Detection is scored against the generator's true defect pixels: recall (true pixels masked) and
precision (masked pixels within 2 px of a true one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.restore import DustSettings, FadeSettings, GrainSettings, RestoreSettings, restore  # noqa: E402
from training.damage import DamageSpec, damage  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
if not DATASETS.is_dir():
    DATASETS = Path("/work/shared/datasets")
OUT = Path(__file__).resolve().parent / "results" / "restore.json"
SUBSET_SEED = 2024
FADED = DamageSpec(fade=0.6)
CRACKED = DamageSpec(cracks=1.5)


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    mse = float(np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    return 100.0 if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def psnr_of_mse(mse: float) -> float:
    return 100.0 if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def subset(folder: Path, pattern: str, count: int) -> list[Path]:
    files = sorted(folder.glob(pattern))
    rng = np.random.default_rng(SUBSET_SEED)
    return [files[i] for i in sorted(rng.choice(len(files), size=min(count, len(files)), replace=False))]


def load_gray(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L"))


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    import cv2

    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def quality(paths: list[Path]) -> dict:
    rows = []
    fade_on = RestoreSettings(fade=FadeSettings(enabled=True))
    dust_only = RestoreSettings(grain=GrainSettings(enabled=False))
    grain_only = RestoreSettings(dust=DustSettings(enabled=False))
    for index, path in enumerate(paths):
        clean = load_gray(path)
        hit = damage(clean, seed=index)
        start = time.perf_counter()
        result = restore(hit.gray)
        seconds = time.perf_counter() - start
        untouched = restore(clean)
        faded = damage(clean, FADED, seed=index)
        cracked = damage(clean, CRACKED, seed=index)
        mask, truth = result.defect_mask, hit.defects
        rows.append(
            {
                "damaged": psnr(clean, hit.gray),
                "restored": psnr(clean, result.gray),
                "dust_only": psnr(clean, restore(hit.gray, dust_only).gray),
                "grain_only": psnr(clean, restore(hit.gray, grain_only).gray),
                "clean_restored": psnr(clean, untouched.gray),
                "clean_mse": float(np.mean((clean.astype(np.float64) - untouched.gray) ** 2)),
                "clean_changed": bool(untouched.steps_applied),
                "clean_mask_fraction": float(untouched.defect_mask.mean()),
                "faded_damaged": psnr(clean, faded.gray),
                "faded_restored": psnr(clean, restore(faded.gray, fade_on).gray),
                "faded_restored_without_fade": psnr(clean, restore(faded.gray).gray),
                "cracked_damaged": psnr(clean, cracked.gray),
                "cracked_restored": psnr(clean, restore(cracked.gray).gray),
                "recall": float(mask[truth].mean()) if truth.any() else None,
                "precision": float(dilate(truth, 2)[mask].mean()) if mask.any() else None,
                "noise_sigma": result.noise_sigma,
                "seconds": seconds,
            }
        )

    def mean(key: str) -> float:
        values = [row[key] for row in rows if row[key] is not None]
        return round(float(np.mean(values)), 3)

    clean = np.array([row["clean_restored"] for row in rows])
    return {
        "photos": len(rows),
        "psnr_damaged": mean("damaged"),
        "psnr_restored": mean("restored"),
        "gain_db": round(mean("restored") - mean("damaged"), 3),
        "photos_improved": int(sum(row["restored"] > row["damaged"] for row in rows)),
        "psnr_dust_only": mean("dust_only"),
        "psnr_grain_only": mean("grain_only"),
        # PSNR of the mean squared error: an unchanged photo (infinite PSNR) counts as error 0.
        "clean_psnr_of_mean_mse": round(psnr_of_mse(float(np.mean([row["clean_mse"] for row in rows]))), 3),
        "clean_psnr_median": round(float(np.median(clean)), 3),
        "clean_psnr_p10": round(float(np.percentile(clean, 10)), 3),
        "clean_below_35db": int((clean < 35).sum()),
        "clean_unchanged": int(sum(not row["clean_changed"] for row in rows)),
        "clean_mask_fraction_mean": mean("clean_mask_fraction"),
        "faded_psnr_damaged": mean("faded_damaged"),
        "faded_psnr_restored_fade_on": mean("faded_restored"),
        "faded_psnr_restored_fade_off": mean("faded_restored_without_fade"),
        "cracked_psnr_damaged": mean("cracked_damaged"),
        "cracked_psnr_restored": mean("cracked_restored"),
        "mask_recall": mean("recall"),
        "mask_precision": mean("precision"),
        "noise_sigma_mean": mean("noise_sigma"),
        "seconds_per_photo": mean("seconds"),
    }


def speed(runs: int) -> dict:
    import cv2
    from skimage import data

    base = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2GRAY)
    clean = cv2.resize(base, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    damaged = damage(clean, seed=0).gray
    out = {"size": "4000x3000", "cv2_threads": cv2.getNumThreads(), "opencv": cv2.__version__}
    for name, gray in (("clean", clean), ("damaged", damaged)):
        restore(gray)  # warm-up
        load_before = os.getloadavg()[0]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = restore(gray)
            times.append(time.perf_counter() - start)
        out[name] = {
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            "runs": runs,
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "steps": list(result.steps_applied),
            "mask_fraction": round(float(result.defect_mask.mean()), 5),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="photos per dataset (default 100)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per 12 MP case (default 7)")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    results: dict = {"cpu_count": os.cpu_count()}
    if not args.skip_speed:
        results["speed_12mp"] = speed(args.runs)
        print(json.dumps(results["speed_12mp"], indent=1), flush=True)
    sets = {
        "broad/val": subset(DATASETS / "broad" / "val", "*/*.avif", args.photos),
        "general/test": subset(DATASETS / "general" / "test", "*.jpg", args.photos),
    }
    results["damage"] = {"default": vars(DamageSpec()), "faded": vars(FADED), "cracked": vars(CRACKED)}
    results["quality"] = {}
    for name, paths in sets.items():
        results["quality"][name] = quality(paths)
        print(name, json.dumps(results["quality"][name], indent=1), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
