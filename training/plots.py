"""Loss curves like the study's figures, and comparison grids."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_losses(csv_path: Path, png_path: Path, *, title: str, test_label: str = "test MSE") -> None:
    with Path(csv_path).open() as f:
        rows = list(csv.DictReader(f))
    epochs = [int(r["epoch"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    ax.plot(epochs, [float(r["train_loss"]) for r in rows], label="train MSE")
    test = [float(r["test_loss"]) for r in rows]
    if not all(np.isnan(test)):
        ax.plot(epochs, test, label=test_label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path)
    plt.close(fig)


def plot_runs(csv_paths: dict[str, Path], png_path: Path, *, title: str, test_label: str = "test") -> None:
    """Train (solid) and test (dashed) loss of several runs on one figure, one color per run."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    for index, (label, path) in enumerate(csv_paths.items()):
        with Path(path).open() as f:
            rows = list(csv.DictReader(f))
        epochs = [int(r["epoch"]) for r in rows]
        color = f"C{index}"
        ax.plot(epochs, [float(r["train_loss"]) for r in rows], color=color, label=f"{label} train")
        ax.plot(
            epochs, [float(r["test_loss"]) for r in rows], color=color, linestyle="--", label=f"{label} {test_label}"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE of the model's output")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(png_path)
    plt.close(fig)


def comparison_grid(rows: list[list[np.ndarray]], headers: list[str], png_path: Path, *, cell: int = 160) -> None:
    """Rows of uint8 RGB images (gray | ground truth | each model) under column headers."""
    n_rows, n_cols = len(rows), len(headers)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(n_cols * cell / 80, n_rows * cell / 80 + 0.4), dpi=80, squeeze=False
    )
    for r, images in enumerate(rows):
        for c, image in enumerate(images):
            ax = axes[r][c]
            ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(headers[c], fontsize=9)
    fig.tight_layout(pad=0.3)
    fig.savefig(png_path)
    plt.close(fig)
