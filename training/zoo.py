"""The model zoo: every run of the results report, with its exact settings, run in two phases
(CGANs that start from a trained U-Net wait for it). Runs of a phase train in parallel: on one
GPU this keeps it busy, as each model alone is too small to fill it.

``python -m training zoo --data-root DIR --out runs/zoo`` where DIR holds ``general/train``,
``general/test``, ``produce/train`` and ``produce/test``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from training.checkpoint import chosen_checkpoint


@dataclass(frozen=True)
class Run:
    name: str
    model: str
    dataset: str
    width: float
    output: str = "lab_ab"
    cf_weight: float = 0.0
    gamut_weight: float = 0.0
    init_from: str = ""  # name of another run whose checkpoint starts the generator
    phase: int = 1
    lr: float = 2e-4
    epochs: int = 0  # 0: the zoo's --epochs (the time budget usually stops first)
    batch: int = 0  # 0: the zoo's --batch
    fusion: str = "global"  # Koalarization: "hypercolumn" also fuses the classifier's feature maps
    zoom: float = 0.0  # random zoom crops (data augmentation), smallest side fraction
    test_folder: bool = True  # False: validate on a 10% split of train (and keep best.pt, chosen on it)
    d_lr_scale: float = 1.0  # CGAN: discriminator learning rate / lr


# 'general' widths are the app's 'small' preset; 'produce' (723 photos) uses smaller U-Nets.
RUNS: tuple[Run, ...] = (
    Run("general-unet-rgb", "unet", "general", 0.375, output="rgb"),  # the study: RGB, MSE
    Run("general-unet", "unet", "general", 0.375, cf_weight=0.1),  # Lab ab, MSE + colorfulness gap
    Run("general-unet-cf03", "unet", "general", 0.375, cf_weight=0.3),  # a stronger colorfulness term
    Run("general-koala", "koala", "general", 0.5, cf_weight=0.1),
    Run("general-cgan-scratch", "cgan", "general", 0.375),
    Run("produce-unet", "unet", "produce", 0.25, cf_weight=0.1),
    Run("produce-koala", "koala", "produce", 0.25, cf_weight=0.1),
    Run("produce-cgan-scratch", "cgan", "produce", 0.25),
    Run("general-cgan", "cgan", "general", 0.375, init_from="general-unet", phase=2),
    Run("produce-cgan", "cgan", "produce", 0.25, init_from="produce-unet", phase=2),
    # Phase 3: phase 1 showed the colorfulness term alone paints white highlights cyan (colors outside
    # the gamut at that lightness) and costs PSNR; these fine-tune with a weaker term plus a gamut
    # penalty. The CGAN's L1 is weighted 50, so its terms are scaled up to balance it.
    Run("general-unet-ft", "unet", "general", 0.375, cf_weight=0.03, gamut_weight=1.0, init_from="general-cgan-scratch", phase=3),
    Run("general-unet-mse", "unet", "general", 0.375, init_from="general-cgan-scratch", phase=3),
    Run("general-koala-ft", "koala", "general", 0.5, cf_weight=0.02, gamut_weight=1.0, init_from="general-koala", phase=3),
    Run("general-koala-mse", "koala", "general", 0.5, init_from="general-koala", phase=3),
    Run("general-cgan-cf1", "cgan", "general", 0.375, cf_weight=1.0, gamut_weight=20.0, init_from="general-cgan-scratch", phase=3),
    Run("general-cgan-cf3", "cgan", "general", 0.375, cf_weight=3.0, gamut_weight=50.0, init_from="general-cgan-scratch", phase=3),
    # No U-Net trained with MSE beat the gray baseline on PSNR (they overfit or over-saturate). This
    # one starts from the L1-trained generator of general-cgan-scratch and fine-tunes it with the
    # study's MSE at a low rate for 3 epochs: run on the CPU, after the GPU time was spent.
    Run("general-unet-cpu", "unet", "general", 0.375, init_from="general-cgan-scratch", phase=3, lr=2e-5, epochs=3, batch=16),
    # Phase 4 (second session): the general Koalarization overfit (train MSE 0.007, test 0.018) and no
    # model reached 24 dB with CF >= 25. These add the classifier's feature maps to the fusion
    # (hypercolumn) and random zoom crops, each validated on a split of train so best.pt is chosen
    # without the test photos; two ablations separate the two changes.
    Run("general-koala-hc", "koala", "general", 0.5, fusion="hypercolumn", zoom=0.7, phase=4, test_folder=False),
    Run("general-koala-hc-cf", "koala", "general", 0.5, fusion="hypercolumn", zoom=0.7, cf_weight=0.02, gamut_weight=1.0,
        phase=4, test_folder=False),
    Run("general-koala-hc-cf05", "koala", "general", 0.5, fusion="hypercolumn", zoom=0.7, cf_weight=0.05, gamut_weight=2.0,
        phase=4, test_folder=False),
    Run("general-koala-hc-flat", "koala", "general", 0.5, fusion="hypercolumn", phase=4, test_folder=False),
    Run("general-koala-zoom", "koala", "general", 0.5, zoom=0.7, phase=4, test_folder=False),
    Run("general-unet-zoom", "unet", "general", 0.375, zoom=0.7, phase=4, test_folder=False),
    # Phase 5: phase 4's recipe (zoom crops, validation split, colorfulness 0.02 + gamut 1.0) for the
    # U-Net, and CGANs started from general-unet-zoom (the study's recipe) with a discriminator that
    # learns 10x slower, against the saturation seen in every earlier CGAN run.
    Run("general-unet-zoom-cf", "unet", "general", 0.375, zoom=0.7, cf_weight=0.02, gamut_weight=1.0, phase=5,
        test_folder=False),
    Run("general-unet-zoom-cf05", "unet", "general", 0.375, zoom=0.7, cf_weight=0.05, gamut_weight=2.0, phase=5,
        test_folder=False),
    Run("general-cgan-zoom", "cgan", "general", 0.375, zoom=0.7, init_from="general-unet-zoom", d_lr_scale=0.1,
        phase=5, test_folder=False),
    Run("general-cgan-zoom-cf", "cgan", "general", 0.375, zoom=0.7, cf_weight=1.0, gamut_weight=20.0,
        init_from="general-unet-zoom", d_lr_scale=0.1, phase=5, test_folder=False),
)


def command(run: Run, *, data_root: Path, out: Path, size: int, batch: int, epochs: int, seconds: float, preload: bool,
            limit: int = 0) -> list[str]:
    cmd = [
        sys.executable, "-m", "training", "train", "--model", run.model, "--preset", "small",
        "--width", str(run.width), "--output", run.output, "--cf-weight", str(run.cf_weight),
        "--gamut-weight", str(run.gamut_weight),
        "--fusion", run.fusion, "--zoom", str(run.zoom), "--d-lr-scale", str(run.d_lr_scale), "--data", str(data_root / run.dataset / "train"),
        "--out", str(out / run.name), "--size", str(size), "--batch", str(run.batch or batch),
        "--epochs", str(run.epochs or epochs), "--lr", str(run.lr),
        # A run with its own epoch count is not cut by the phase's time budget.
        "--time-limit", str(0.0 if run.epochs else seconds), "--resume",
    ]
    if run.test_folder:
        cmd += ["--test", str(data_root / run.dataset / "test")]
    if preload:
        cmd.append("--preload")
    if limit:
        cmd += ["--limit", str(limit)]
    if run.init_from:
        # The run's chosen epoch (best.pt where it validated on a split, else its last); last.pt when
        # the run has not trained yet, as when the commands are listed before a phase starts.
        init = chosen_checkpoint(out / run.init_from) or out / run.init_from / "last.pt"
        cmd += ["--init-from", str(init)]
    return cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training zoo", description=__doc__)
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/zoo"))
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=150, help="upper bound; the time budget usually stops first")
    parser.add_argument("--phase-seconds", type=float, nargs=5, default=(250.0, 140.0, 170.0, 330.0, 230.0),
                        help="time budget of each run in phases 1 to 5")
    parser.add_argument("--only", nargs="*", default=None, help="run names to run (default: all)")
    parser.add_argument("--phases", nargs="*", type=int, default=[1, 2, 3, 4, 5], help="phases to run (default: all)")
    parser.add_argument("--parallel", type=int, default=16, help="runs at once within a phase")
    parser.add_argument("--no-preload", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="images per run (smoke tests)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for phase, seconds in enumerate(args.phase_seconds, start=1):
        if phase not in args.phases:
            continue
        runs = [r for r in RUNS if r.phase == phase and (args.only is None or r.name in args.only)]
        pending = list(runs)
        active: list[tuple[Run, subprocess.Popen]] = []
        started = time.time()
        while pending or active:
            while pending and len(active) < args.parallel:
                run = pending.pop(0)
                cmd = command(run, data_root=args.data_root, out=args.out, size=args.size, batch=args.batch,
                              epochs=args.epochs, seconds=seconds, preload=not args.no_preload, limit=args.limit)
                (args.out / run.name).mkdir(parents=True, exist_ok=True)
                log = (args.out / run.name / "train.log").open("a")
                print(f"[phase {phase}] start {run.name}: {' '.join(cmd[1:])}", flush=True)
                active.append((run, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)))
            time.sleep(2)
            for item in list(active):
                run, proc = item
                if proc.poll() is not None:
                    active.remove(item)
                    status = "done" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
                    print(f"[phase {phase}] {run.name} {status} after {time.time() - started:.0f}s", flush=True)
                    if proc.returncode:
                        failed.append(run.name)
    print("failed: " + ", ".join(failed) if failed else "all runs finished", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
