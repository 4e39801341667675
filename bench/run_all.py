"""Run every benchmark and write docs/PERFORMANCE.md with the figures measured on this machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_batch  # noqa: E402
import bench_end_to_end  # noqa: E402
import bench_models  # noqa: E402

from engine.model_ids import MODEL_IDS  # noqa: E402

OUT = HERE.parent / "docs" / "PERFORMANCE.md"


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    models = bench_models.run()
    e2e = bench_end_to_end.run()
    batch = bench_batch.run()
    train = subprocess.run([sys.executable, str(HERE / "bench_train.py")], capture_output=True, text=True, check=True)
    train = json.loads(train.stdout[train.stdout.index("{") :])
    lines = [
        "# Performance",
        "",
        f"Measured {date.today()} with `python bench/run_all.py` on {cpu_name()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, CPU execution provider. Medians after warm-up.",
        "",
        "## Models (onnxruntime, one image at the model's size)",
        "",
        f"Measured float32 matrix-multiply rate (numpy BLAS, 2048^3): **{models['matmul_gflops']:.0f} GFLOP/s**.",
        "",
        "| model | input | file MB | GFLOPs | median ms | achieved GFLOP/s | share of matmul rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in models["models"]:
        lines.append(
            f"| {r['model']} | {r['size']}x{r['size']} | {r['file_mb']:.1f} | {r['gflops']:.2f} | {r['ms']:.1f} | "
            f"{r['achieved']:.0f} | {100 * r['achieved'] / models['matmul_gflops']:.0f}% |"
        )
    lines += [
        "",
        "FLOPs are counted on the ONNX graph (Conv, ConvTranspose, Gemm, MatMul). ONNX shape inference cannot "
        "follow the Koalarization's classifier past its Resize to 224x224, so koala's figure leaves most of "
        "EfficientNet-Lite0 out and is a lower bound (counted in torch by `training.flops.describe`: "
        "2.05 GFLOPs for the shipped hypercolumn model).",
        "",
        "## End to end (gray JPEG in, colorize, stamp, JPEG out)",
        "",
        "Best of three runs; each case in a fresh process, so the peak resident memory (VmHWM) is its own.",
        "",
        "| photo | models | decode s | inference s | color math s | encode+stamp s | total s "
        "| outside inference s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in e2e:
        lines.append(
            f"| {r['megapixels']:g} MP | {r['models']} | {r['decode']:.3f} | {r['inference']:.3f} "
            f"| {r['color_math']:.3f} | "
            f"{r['encode']:.3f} | {r['total']:.3f} | {r['outside_inference']:.3f} | {r['peak_rss_mb']:.0f} |"
        )
    twelve = next(r for r in e2e if r["megapixels"] == 12 and r["models"] == "unet")
    big = next(r for r in e2e if r["megapixels"] == 24 and r["models"] == "all")
    lines += [
        "",
        "Targets (2-core CPU): 12 MP JPEG in/out with one model in at most 1.5 s, at most 0.5 s of it outside "
        f"inference: measured **{twelve['total']:.2f} s**, **{twelve['outside_inference']:.2f} s** outside inference "
        f"({'met' if twelve['total'] <= 1.5 and twelve['outside_inference'] <= 0.5 else 'MISSED'}). "
        f"24 MP with all three models under 1.5 GB peak: **{big['peak_rss_mb']:.0f} MB** "
        f"({'met' if big['peak_rss_mb'] < 1536 else 'MISSED'}).",
        "",
        "## Batch throughput (CLI, a folder of 1 MP JPEGs, U-Net)",
        "",
        "| onnxruntime threads | photos | seconds | photos/s |",
        "|---|---|---|---|",
    ]
    for r in batch:
        lines.append(f"| {r['threads']} | {r['photos']} | {r['seconds']:.1f} | {r['photos_per_s']:.2f} |")
    lines += [
        "",
        "The whole process is timed (Python start, model loading, writing files), as a user sees it.",
        "",
        "## Training throughput",
        "",
        "| model | device | size | images/s |",
        "|---|---|---|---|",
    ]
    for r in train["cpu"]:
        lines.append(f"| {r['model']} | {r['device']} | {r['size']} | {r['images_per_s']:.1f} |")
    if train["gpu_zoo"]:
        lines += [
            "",
            "On the lent NVIDIA H200 (bf16 autocast, channels-last, data preloaded on the GPU; from the zoo's "
            "`loss.csv`). These runs shared the GPU: 8 runs at once in phase 1, 2 in phase 2, 6 in phases 3 "
            "and 4, 4 in phase 5, so "
            "each figure is that run's share, not the card's limit:",
            "",
            "| run | epochs | best images/s |",
            "|---|---|---|",
        ]
        for r in train["gpu_zoo"]:
            lines.append(f"| {r['run']} | {r['epochs']} | {r['images_per_s']:.0f} |")
    gpu = HERE / "results" / "gpu_train.json"
    if gpu.exists():
        measured = json.loads(gpu.read_text())
        rows = {(r["model"], r["amp"]): r for r in measured["rows"]}
        device = measured["rows"][0]["device"]
        lines += [
            "",
            f"Mixed precision against fp32 on the lent {device} (torch {measured['torch']}; "
            f"`{measured['command']}` there, {measured['measured']}; each model alone on the card, batch "
            f"{measured['rows'][0]['batch']} at {measured['rows'][0]['size']} px, 30 optimisation steps after 3 "
            "warm-up steps; kept in `bench/results/gpu_train.json` because CI has no GPU):",
            "",
            "| model | bf16 autocast images/s | fp32 images/s | bf16 / fp32 |",
            "|---|---|---|---|",
        ]
        for model in MODEL_IDS:
            if (model, True) in rows and (model, False) in rows:
                a, f = rows[(model, True)]["images_per_s"], rows[(model, False)]["images_per_s"]
                lines.append(f"| {model} | {a:.0f} | {f:.0f} | {a / f:.2f} |")
        lines += [
            "",
            "At these small widths and 128 px, bf16 autocast speeds up only the U-Net; the Koalarization and the "
            "CGAN (a generator and a discriminator step per batch) train as fast in fp32. Not profiled further: "
            "at a few thousand images per second, steps of these sizes are likely bound by kernel launches and "
            "the per-step synchronisation for the loss value rather than by arithmetic. The zoo trains in bf16.",
        ]
    else:
        lines += [
            "",
            "Mixed precision against fp32 on a GPU: not measured yet. On a GPU machine, `python bench/bench_train.py` "
            "prints both and writes bench/results/gpu_train.json, which this report then includes.",
        ]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
