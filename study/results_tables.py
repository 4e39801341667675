"""Merge the results.csv of several evaluations of one data set into the markdown table of
docs/RESULTS.md: gray first, then U-Nets, Koalarizations and CGANs (general before produce runs, then
by name). A model evaluated more than once keeps its last row.

Usage: python study/results_tables.py "general/test" FID_N runs/eval/general-test runs/eval/general-test-p4 ...
"""

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.model_ids import MODEL_IDS as KINDS  # noqa: E402
from training.evaluate import markdown_table  # noqa: E402


def order(name: str) -> tuple:
    if name == "gray":
        return (-1, 0, name)
    dataset, kind = name.split("-")[:2]
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), dataset != "general", name)


label, fid_n, folders = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows: dict[str, dict] = {}
for folder in folders:
    with (Path(folder) / "results.csv").open() as f:
        for row in csv.DictReader(f):
            rows[row["model"]] = {k: v if k in ("model", "images") else float(v) for k, v in row.items()}
print("\n".join(markdown_table([rows[name] for name in sorted(rows, key=order)], label=label, fid_n=fid_n)))
