"""Batch throughput: photos per second through the CLI path for a folder, with 1 and 2 threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MODELS, ROOT, photo  # noqa: E402

COUNT = 24
MEGAPIXELS = 1.0


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        first = photo(MEGAPIXELS, folder / "p00.jpg")
        for i in range(1, COUNT):
            (folder / f"p{i:02d}.jpg").write_bytes(first.read_bytes())
        for threads in (1, 2):
            out = Path(tmp) / f"out{threads}"
            env = {**os.environ, "TINTYPE_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
            cmd = [
                sys.executable,
                "-m",
                "engine",
                "--models-dir",
                str(MODELS),
                "colorize",
                str(folder),
                "-o",
                str(out),
                "--model",
                "unet",
                "--provider",
                "cpu",
            ]
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "threads": threads,
                    "photos": COUNT,
                    "megapixels": MEGAPIXELS,
                    "seconds": seconds,
                    "photos_per_s": COUNT / seconds,
                }
            )
    return rows


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
