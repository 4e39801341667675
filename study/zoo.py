"""The model zoo: every run of the results report (study/runs.py), phase after phase (runs that start
from another run's checkpoint wait for it). Each run is a ``python -m training train`` process; runs of
a phase train in parallel: on one GPU this keeps it busy, as each model alone is too small to fill it.

``python -m study.zoo --data-root DIR --out runs/zoo`` (from the checkout's root) where DIR holds
``general/train``, ``general/test``, ``produce/train`` and ``produce/test``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from study.runs import PHASE_SECONDS, RUNS, Run
from training.checkpoint import chosen_checkpoint
from training.config import TrainConfig
from training.flags import field_default


def command(
    run: Run,
    *,
    data_root: Path,
    out: Path,
    size: int,
    batch: int,
    epochs: int,
    seconds: float,
    preload: bool,
    limit: int = 0,
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "training",
        "train",
        "--model",
        run.model,
        "--preset",
        "small",
        "--width",
        str(run.width),
        "--output",
        run.output,
        "--cf-weight",
        str(run.cf_weight),
        "--gamut-weight",
        str(run.gamut_weight),
        "--fusion",
        run.fusion,
        "--zoom",
        str(run.zoom),
        "--d-lr-scale",
        str(run.d_lr_scale),
        "--data",
        str(data_root / run.dataset / "train"),
        "--out",
        str(out / run.name),
        "--size",
        str(size),
        "--batch",
        str(run.batch or batch),
        "--epochs",
        str(run.epochs or epochs),
        "--lr",
        str(run.lr),
        # A run with its own epoch count is not cut by the phase's time budget.
        "--time-limit",
        str(0.0 if run.epochs else seconds),
        "--resume",
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
    parser = argparse.ArgumentParser(prog="python -m study.zoo", description=__doc__)
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/zoo"))
    parser.add_argument("--size", type=int, default=field_default(TrainConfig, "size"))
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=150, help="upper bound; the time budget usually stops first")
    parser.add_argument(
        "--phase-seconds",
        type=float,
        nargs=len(PHASE_SECONDS),
        default=tuple(PHASE_SECONDS.values()),
        help="time budget of each run in phases 1 to 5",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=0.0,
        help="time budget of each run in every phase run (default: --phase-seconds)",
    )
    parser.add_argument("--only", nargs="*", default=None, help="run names to run (default: all)")
    parser.add_argument(
        "--where", choices=("gpu", "cpu"), default=None, help="only the runs meant for this device (default: all)"
    )
    parser.add_argument(
        "--phases", nargs="*", type=int, default=list(PHASE_SECONDS), help="phases to run (default: all)"
    )
    parser.add_argument("--parallel", type=int, default=16, help="runs at once within a phase")
    parser.add_argument("--no-preload", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="images per run (smoke tests)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for phase, seconds in enumerate(args.phase_seconds, start=1):
        if phase not in args.phases:
            continue
        seconds = args.budget or seconds
        runs = [
            r
            for r in RUNS
            if r.phase == phase
            and (args.only is None or r.name in args.only)
            and (args.where is None or r.where == args.where)
        ]
        pending = list(runs)
        active: list[tuple[Run, subprocess.Popen]] = []
        started = time.time()
        while pending or active:
            while pending and len(active) < args.parallel:
                run = pending.pop(0)
                cmd = command(
                    run,
                    data_root=args.data_root,
                    out=args.out,
                    size=args.size,
                    batch=args.batch,
                    epochs=args.epochs,
                    seconds=seconds,
                    preload=not args.no_preload,
                    limit=args.limit,
                )
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
