"""Evaluate exported models exactly as users get them: through the engine, on every image of a folder.

Writes ``<out>/results.csv`` and ``results.md`` (one row per model plus the gray baseline: PSNR,
SSIM, colorfulness CF, delta-CF, gray fidelity, LPIPS, FID with N) and ``grid.png`` (gray | ground
truth | each model). When the folder's photos lie in first-level subfolders (sources, as in
``broad/val/<source>/``), ``sources.csv`` and ``sources.md`` add one row per source: its image count,
the truth's CF, and each column's PSNR and CF. Reads AVIF too (training's suffixes).
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from engine.formats import READ_FORMATS
from engine.images import decode_image
from engine.model_ids import sort_key
from engine.photos import scan_folder
from engine.pipeline import Pipeline
from engine.registry import load_model
from training import metrics
from training.data import TRAINING_SUFFIXES, source_of
from training.plots import comparison_grid

log = logging.getLogger(__name__)

BASELINE = "gray"
FID_BATCH = 32


def _model_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.onnx")) if p.is_dir() else [p]
    return files


def evaluate(
    *,
    models: list[Path],
    data: Path,
    out: Path,
    limit: int = 0,
    grid_rows: int = 6,
    lpips: bool = True,
    fid: bool = True,
    fid_max: int = 0,
    label: str = "",
) -> list[dict]:
    loaded = [load_model(f, provider="auto") for f in _model_files(models)]
    loaded.sort(key=lambda m: (sort_key(m.model_id), m.path.stem))
    # Names: the file stem, so variants of one model id stay apart in the table.
    names = [m.path.stem for m in loaded]
    # One pipeline per model: variants of one model id (general-unet, general-unet-ft) stay apart.
    pipelines = [Pipeline(models=(m,)) for m in loaded]
    images = scan_folder(data, suffixes=TRAINING_SUFFIXES, skip_results=False)
    if limit:
        images = images[:limit]
    sources = [source_of(p, data) for p in images]
    if not images:
        raise FileNotFoundError(f"{data}: no images")
    out.mkdir(parents=True, exist_ok=True)
    lp = metrics.Lpips() if lpips else None
    fd = metrics.Fid() if fid else None
    columns = [BASELINE, *names]
    per: dict[str, dict[str, list[float]]] = {c: defaultdict(list) for c in columns}
    feats: dict[str, list[np.ndarray]] = {c: [] for c in ["truth", *columns]}
    pending: dict[str, list[np.ndarray]] = {c: [] for c in ["truth", *columns]}
    # FID costs an Inception-v3 pass per image and column: ``fid_max`` spreads a smaller sample evenly.
    fid_n = min(len(images), fid_max) if fid_max else len(images)
    fid_at = set(np.linspace(0, len(images) - 1, fid_n).round().astype(int).tolist())
    grid_at = set(np.linspace(0, len(images) - 1, min(grid_rows, len(images))).round().astype(int).tolist())
    grid: list[list[np.ndarray]] = []
    started = time.perf_counter()

    def flush(force: bool = False) -> None:
        for key, batch in pending.items():
            if batch and (force or len(batch) >= FID_BATCH):
                feats[key].append(fd.features(batch))
                batch.clear()

    for index, path in enumerate(images):
        raw = path.read_bytes()  # read once: the ground truth and the engine's input come from it
        with Image.open(io.BytesIO(raw), formats=READ_FORMATS) as im:
            truth = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        image = decode_image(raw, path=path)
        preds = {BASELINE: np.repeat(image.gray[..., None], 3, axis=2)}
        for name, pipeline in zip(names, pipelines, strict=True):
            preds[name] = pipeline.colorize(image).results[pipeline.models[0].model_id].rgb
        for name, pred in preds.items():
            row = per[name]
            row["psnr"].append(metrics.psnr(truth, pred))
            row["ssim"].append(metrics.ssim(truth, pred))
            row["cf"].append(metrics.colorfulness(pred))
            row["cf_truth"].append(metrics.colorfulness(truth))
            row["gray_mae"].append(metrics.gray_fidelity(image.gray, pred))
        if lp is not None:
            scores = lp([truth] * len(preds), list(preds.values()))
            for name, score in zip(preds, scores, strict=True):
                per[name]["lpips"].append(score)
        if fd is not None and index in fid_at:
            pending["truth"].append(truth)
            for name, pred in preds.items():
                pending[name].append(pred)
            flush()
        if index in grid_at:
            grid.append([image.gray, truth, *[preds[n] for n in names]])
        if (index + 1) % 100 == 0:
            log.info("%d/%d images (%.0fs)", index + 1, len(images), time.perf_counter() - started)
    rows = []
    if fd is not None:
        flush(force=True)
        truth_feats = np.concatenate(feats["truth"])
    for name in columns:
        values = per[name]
        cf_gap = np.abs(np.array(values["cf"]) - np.array(values["cf_truth"]))
        row = {
            "model": name,
            "images": len(values["psnr"]),
            "psnr": float(np.mean(values["psnr"])),
            "ssim": float(np.mean(values["ssim"])),
            "cf": float(np.mean(values["cf"])),
            "cf_truth": float(np.mean(values["cf_truth"])),
            "delta_cf": float(np.mean(cf_gap)),
            "gray_mae": float(np.mean(values["gray_mae"])),
            "lpips": float(np.mean(values["lpips"])) if values.get("lpips") else float("nan"),
            "fid": metrics.Fid.distance(truth_feats, np.concatenate(feats[name])) if fd is not None else float("nan"),
        }
        rows.append(row)
    _write(rows, out, label=label or data.name, fid_n=len(fid_at) if fd is not None else 0)
    if len(set(sources)) > 1:
        _write_sources(source_rows(per, columns, sources), columns, out, label=label or data.name)
    if grid:  # --grid 0: no grid
        comparison_grid(grid, ["gray input", "ground truth", *names], out / "grid.png")
    log.info("evaluated %d images with %d models in %.0fs", len(images), len(names), time.perf_counter() - started)
    return rows


def _write(rows: list[dict], out: Path, *, label: str, fid_n: int) -> None:
    with (out / "results.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = markdown_table(rows, label=label, fid_n=fid_n)
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def source_rows(per: dict[str, dict[str, list[float]]], columns: list[str], sources: list[str]) -> list[dict]:
    """One row per source (sorted), then ``all``: images, the truth's CF, each column's PSNR and CF."""
    rows = []
    for source in [*sorted(set(sources)), None]:
        at = [i for i, s in enumerate(sources) if source is None or s == source]
        row: dict = {
            "source": source if source is not None else "all",
            "images": len(at),
            "cf_truth": float(np.mean([per[columns[0]]["cf_truth"][i] for i in at])),
        }
        for name in columns:
            row[f"{name}_psnr"] = float(np.mean([per[name]["psnr"][i] for i in at]))
            row[f"{name}_cf"] = float(np.mean([per[name]["cf"][i] for i in at]))
        rows.append(row)
    return rows


def _write_sources(rows: list[dict], columns: list[str], out: Path, *, label: str) -> None:
    with (out / "sources.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = [
        f"### {label} per source (PSNR dB / CF; gray: PSNR)",
        "",
        "| source | images | truth CF | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for r in rows:
        cells = [
            f"{r[f'{c}_psnr']:.2f}" if c == BASELINE else f"{r[f'{c}_psnr']:.2f} / {r[f'{c}_cf']:.1f}" for c in columns
        ]
        lines.append(f"| {r['source']} | {r['images']} | {r['cf_truth']:.1f} | " + " | ".join(cells) + " |")
    (out / "sources.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def markdown_table(rows: list[dict], *, label: str, fid_n: int) -> list[str]:
    """The results table of docs/RESULTS.md: a heading, then one line per row (numbers as floats)."""
    fid_head = f"FID (N={fid_n})" if fid_n else "FID"
    lines = [
        f"### {label} ({rows[0]['images']} images; ground-truth CF {rows[0]['cf_truth']:.1f})",
        "",
        f"| model | PSNR dB | SSIM | CF | delta-CF | gray MAE | LPIPS | {fid_head} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['psnr']:.2f} | {r['ssim']:.4f} | {r['cf']:.1f} | {r['delta_cf']:.1f} | "
            f"{r['gray_mae']:.2f} | {r['lpips']:.4f} | {r['fid']:.1f} |"
        )
    return lines
