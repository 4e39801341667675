"""End to end through the engine: JPEG in, colorize, stamp, JPEG out, by stage, with peak memory.

Each case runs in a fresh process so its peak resident memory is its own:
``python bench/bench_end_to_end.py CASE_MP MODELS`` prints one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODELS, peak_rss_mb, photo  # noqa: E402

SIZES_MP = (0.3, 3.0, 12.0, 24.0)


def one_case(megapixels: float, models: str, repeats: int = 3) -> dict:
    from engine.colorize import colorize
    from engine.images import load_image
    from engine.registry import ModelRegistry
    from engine.saving import default_output_path, save_result

    registry = ModelRegistry.discover([MODELS], provider="cpu")
    chosen = registry.select(None if models == "all" else [models])
    with tempfile.TemporaryDirectory() as tmp:
        src = photo(megapixels, Path(tmp) / "photo.jpg")
        best: dict | None = None
        for _ in range(repeats):
            start = time.perf_counter()
            image = load_image(src)
            decoded = time.perf_counter()
            result = colorize(image, chosen)
            colorized = time.perf_counter()
            for model_result in result.results.values():
                target = default_output_path(src, model_result.model_id, "JPEG", folder=Path(tmp))
                save_result(image, model_result, target, fmt="JPEG", overwrite=True)
            done = time.perf_counter()
            inference = sum(r.inference_seconds for r in result.results.values())
            t = {
                "decode": decoded - start,
                "inference": inference,
                "color_math": (colorized - decoded) - inference,
                "encode": done - colorized,
                "total": done - start,
            }
            if best is None or t["total"] < best["total"]:
                best = t
            del image, result
        best.update(megapixels=megapixels, models=models, peak_rss_mb=peak_rss_mb())
        best["outside_inference"] = best["total"] - best["inference"]
        return best


def run() -> list[dict]:
    rows = []
    for mp in SIZES_MP:
        for models in ("unet", "all"):
            proc = subprocess.run([sys.executable, __file__, str(mp), models], capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-2000:])
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(one_case(float(sys.argv[1]), sys.argv[2])))
    else:
        print(json.dumps(run(), indent=1))
