"""The loss figures of docs/RESULTS.md from the zoo's loss.csv files (runs/zoo/<run>/loss.csv).

Usage: python study/plot_zoo_losses.py [ZOO_DIR] [FIGURES_DIR]   (defaults runs/zoo, docs/figures)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from study.runs import RUNS  # noqa: E402
from training.plots import plot_runs  # noqa: E402

zoo = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/zoo")
figures = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/figures")
figures.mkdir(parents=True, exist_ok=True)
FIGURES = [
    (
        "loss_general_phase12.png",
        "general/train, phases 1-2",
        lambda r: r.dataset == "general" and r.phase in (1, 2),
        "test",
    ),
    (
        "loss_general_phase3.png",
        "general/train, phase 3 (fine-tuning)",
        lambda r: r.dataset == "general" and r.phase == 3,
        "test",
    ),
    ("loss_produce.png", "produce/train", lambda r: r.dataset == "produce", "test"),
    (
        "loss_general_phase4.png",
        "general/train, phase 4 (dashed: validation split)",
        lambda r: r.dataset == "general" and r.phase == 4,
        "val",
    ),
    (
        "loss_general_phase5.png",
        "general/train, phase 5 (dashed: validation split)",
        lambda r: r.dataset == "general" and r.phase == 5,
        "val",
    ),
]
for name, title, keep, test_label in FIGURES:
    paths = {r.name: zoo / r.name / "loss.csv" for r in RUNS if keep(r) and (zoo / r.name / "loss.csv").exists()}
    if paths:
        plot_runs(paths, figures / name, title=title, test_label=test_label)
        print(f"{figures / name}: {', '.join(paths)}")
