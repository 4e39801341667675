"""Training throughput (images/s) per model on the CPU, and GPU figures from the zoo's logs."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.config import TrainConfig, preset_config  # noqa: E402
from training.train import Trainer, setup_runtime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZE, BATCH, STEPS = 128, 8, 3


def cpu_rows() -> list[dict]:
    rows = []
    for model_id, width in (("unet", 0.375), ("koala", 0.5), ("cgan", 0.375)):
        mc = preset_config(model_id, "small", width=width, output="lab_ab")
        trainer = Trainer(TrainConfig(model=mc, data="-", size=SIZE, batch=BATCH), setup_runtime())
        gray = torch.randint(0, 256, (BATCH, 1, SIZE, SIZE), dtype=torch.uint8)
        rgb = torch.randint(0, 256, (BATCH, 3, SIZE, SIZE), dtype=torch.uint8)
        trainer.step(gray, rgb)  # warm-up
        start = time.perf_counter()
        for _ in range(STEPS):
            trainer.step(gray, rgb)
        rows.append({"model": model_id, "device": "CPU (2 cores)", "size": SIZE,
                     "images_per_s": STEPS * BATCH / (time.perf_counter() - start)})
    return rows


def gpu_rows() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "runs" / "zoo").glob("general-*/loss.csv")):
        data = list(csv.DictReader(path.open()))
        if data:
            best = max(float(r["images_per_s"]) for r in data)
            rows.append({"run": path.parent.name, "epochs": len(data), "images_per_s": best})
    return rows


if __name__ == "__main__":
    print(json.dumps({"cpu": cpu_rows(), "gpu_zoo": gpu_rows()}, indent=1))
