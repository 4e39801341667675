"""Merge the results.csv of several evaluations of one data set into the markdown table of
docs/RESULTS.md: gray first, then U-Nets, Koalarizations and CGANs (general before produce runs, then
by name). A model evaluated more than once keeps its last row.

Usage: python scripts/results_tables.py "general/test" FID_N runs/eval/general-test runs/eval/general-test-p4 ...
"""

import csv
import sys
from pathlib import Path

label, fid_n, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
rows: dict[str, dict] = {}
for folder in folders:
    with (Path(folder) / "results.csv").open() as f:
        for row in csv.DictReader(f):
            rows[row["model"]] = row
KINDS = ("unet", "koala", "cgan")


def order(name: str) -> tuple:
    if name == "gray":
        return (-1, 0, name)
    dataset, kind = name.split("-")[:2]
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), dataset != "general", name)


first = next(iter(rows.values()))
print(f"### {label} ({first['images']} images; ground-truth CF {float(first['cf_truth']):.1f})\n")
print(f"| model | PSNR dB | SSIM | CF | delta-CF | gray MAE | LPIPS | FID (N={fid_n}) |")
print("|---|---|---|---|---|---|---|---|")
for name in sorted(rows, key=order):
    r = {k: float(v) if k not in ("model", "images") else v for k, v in rows[name].items()}
    print(f"| {name} | {r['psnr']:.2f} | {r['ssim']:.4f} | {r['cf']:.1f} | {r['delta_cf']:.1f} | {r['gray_mae']:.2f} "
          f"| {r['lpips']:.4f} | {r['fid']:.1f} |")
