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
    from engine.colorize import Letterbox, letterbox_gray, upsample_chroma
    from engine.color import apply_chroma, chroma_of, gray_to_model_input, prediction_to_rgb
    from engine.images import load_image
    from engine.registry import ModelRegistry
    from engine.saving import default_output_path, save_result
    from engine.colorize import ModelResult

    registry = ModelRegistry.discover([MODELS], provider="cpu")
    chosen = registry.select(None if models == "all" else [models])
    with tempfile.TemporaryDirectory() as tmp:
        src = photo(megapixels, Path(tmp) / "photo.jpg")
        best: dict | None = None
        for attempt in range(repeats):
            t = {"decode": 0.0, "color_math": 0.0, "inference": 0.0, "encode": 0.0}
            start = time.perf_counter()
            image = load_image(src)
            t["decode"] = time.perf_counter() - start
            boxed = {}
            for model in chosen:
                s0 = time.perf_counter()
                size = model.contract.input_size
                if size not in boxed:
                    box = Letterbox.fit(*image.size, size)
                    boxed[size] = (box, letterbox_gray(image.gray, box))
                box, small = boxed[size]
                batch = gray_to_model_input(small)[None, None]
                s1 = time.perf_counter()
                pred = model.predict(batch)[0]
                s2 = time.perf_counter()
                rgb_small = prediction_to_rgb(pred, output=model.contract.output, gray=small, ab_scale=model.contract.ab_scale)
                cb, cr = upsample_chroma(chroma_of(rgb_small), box, *image.size)
                rgb = apply_chroma(image.gray, cb, cr)
                del cb, cr
                s3 = time.perf_counter()
                result = ModelResult(model.model_id, model.contract.display_name, model.contract.model_version, rgb,
                                     s3 - s0, s2 - s1, "CPU")
                save_result(image, result, default_output_path(src, model.model_id, "JPEG", folder=Path(tmp)), fmt="JPEG",
                            overwrite=True)
                s4 = time.perf_counter()
                t["color_math"] += (s1 - s0) + (s3 - s2)
                t["inference"] += s2 - s1
                t["encode"] += s4 - s3
                del rgb, result
            t["total"] = time.perf_counter() - start
            if best is None or t["total"] < best["total"]:
                best = t
            del image
        best.update(megapixels=megapixels, models=models, width_height=None, peak_rss_mb=peak_rss_mb())
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
