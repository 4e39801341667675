"""Helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "resources" / "models"


def median_time(fn, *, warmup: int = 3, runs: int = 20) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(n: int = 2048) -> float:
    """Measured float32 matrix-multiply rate through numpy's BLAS: the practical compute limit."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    seconds = median_time(lambda: a @ b, warmup=2, runs=7)
    return 2 * n**3 / seconds / 1e9


def photo(megapixels: float, path: Path) -> Path:
    """A real photo (scikit-image's 'coffee') scaled to about ``megapixels``, saved as gray JPEG q90."""
    from PIL import Image
    from skimage import data

    base = Image.fromarray(data.coffee()).convert("L")
    scale = (megapixels * 1e6 / (base.width * base.height)) ** 0.5
    base.resize((round(base.width * scale), round(base.height * scale)), Image.Resampling.BICUBIC).save(
        path, quality=90
    )
    return path


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
