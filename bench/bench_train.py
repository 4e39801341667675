"""Training throughput (images/s) per model on the CPU, and GPU figures from the zoo's logs.

On a machine with CUDA it measures each model alone on the card with bf16 autocast and with fp32 and
writes ``bench/results/gpu_train.json`` (committed: CI has no GPU), which ``run_all.py`` reports."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.config import TrainConfig  # noqa: E402
from training.flags import field_default  # noqa: E402
from training.models import ARCHITECTURES, preset_config  # noqa: E402
from training.runtime import setup_runtime  # noqa: E402
from training.train import Trainer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GPU_RESULTS = ROOT / "bench" / "results" / "gpu_train.json"
SIZE = field_default(TrainConfig, "size")  # the training size
BATCH, STEPS = 8, 3


def measure(*, batch: int, steps: int, amp: bool) -> list[dict]:
    """Images/s of optimisation steps for each shipped model on this machine's device."""
    rows = []
    runtime = setup_runtime()
    for model_id in (arch.id for arch in ARCHITECTURES):
        mc = preset_config(model_id, "small", output="lab_ab")  # the shipped widths
        trainer = Trainer(TrainConfig(model=mc, data="-", size=SIZE, batch=batch, amp=amp), runtime)
        gray = torch.randint(0, 256, (batch, 1, SIZE, SIZE), dtype=torch.uint8, device=runtime.device)
        rgb = torch.randint(0, 256, (batch, 3, SIZE, SIZE), dtype=torch.uint8, device=runtime.device)
        for _ in range(3):
            trainer.step(gray, rgb)  # warm-up (cuDNN autotuning, allocator)
        if runtime.device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            trainer.step(gray, rgb)  # .item() in step() synchronises each step
        seconds = time.perf_counter() - start
        name = (
            torch.cuda.get_device_name()
            if runtime.device.type == "cuda"
            else f"CPU ({torch.get_num_threads()} threads)"
        )
        rows.append(
            {
                "model": model_id,
                "device": name,
                "amp": amp and runtime.device.type == "cuda",
                "size": SIZE,
                "batch": batch,
                "images_per_s": steps * batch / seconds,
            }
        )
    return rows


def cpu_rows() -> list[dict]:
    return measure(batch=BATCH, steps=STEPS, amp=False)


def gpu_rows() -> list[dict]:
    from training.checkpoint import chosen_checkpoint, load_checkpoint

    rows = []
    for path in sorted((ROOT / "runs" / "zoo").glob("general-*/loss.csv")):
        data = list(csv.DictReader(path.open()))
        ckpt = chosen_checkpoint(path.parent)
        if ckpt is None or not str(load_checkpoint(ckpt).get("device", "")).startswith("cuda"):
            continue  # only runs that trained on a GPU
        if data:
            best = max(float(r["images_per_s"]) for r in data)
            rows.append({"run": path.parent.name, "epochs": len(data), "images_per_s": best})
    return rows


if __name__ == "__main__":
    if torch.cuda.is_available():
        # On a GPU machine: bf16 mixed precision against plain fp32, one model alone on the card.
        rows = measure(batch=64, steps=30, amp=True) + measure(batch=64, steps=30, amp=False)
        print(json.dumps({"gpu": rows}, indent=1))
        GPU_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        GPU_RESULTS.write_text(
            json.dumps(
                {
                    "measured": time.strftime("%Y-%m-%d"),
                    "command": "python bench/bench_train.py",
                    "torch": torch.__version__,
                    "rows": rows,
                },
                indent=1,
            )
            + "\n"
        )
    else:
        print(json.dumps({"cpu": cpu_rows(), "gpu_zoo": gpu_rows()}, indent=1))
