"""End to end through the engine: JPEG in, colorize, stamp, JPEG out, by stage, with peak memory.

Each case runs in a fresh process so its peak resident memory is its own:
``python bench/bench_end_to_end.py CASE_MP MODELS`` prints one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODELS, peak_rss_mb, photo  # noqa: E402

SIZES_MP = (0.3, 3.0, 12.0, 24.0)


def one_case(megapixels: float, models: str, repeats: int = 3) -> dict:
    from engine.pipeline import Pipeline, SaveOptions
    from engine.registry import ModelRegistry

    registry = ModelRegistry.discover([MODELS], provider="cpu")
    chosen = registry.select(None if models == "all" else [models])
    with tempfile.TemporaryDirectory() as tmp:
        src = photo(megapixels, Path(tmp) / "photo.jpg")
        pipeline = Pipeline(models=tuple(chosen), output=SaveOptions(folder=Path(tmp), format="jpeg", overwrite=True))
        best: dict | None = None
        for _ in range(repeats):
            run = pipeline.run(src)
            stages = run.timings
            t = {
                "decode": stages.load,
                "inference": stages.inference,
                "color_math": stages.color_math,
                "encode": stages.save,
                "total": stages.total,
            }
            if best is None or t["total"] < best["total"]:
                best = t
            del run
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
