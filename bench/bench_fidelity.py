"""Gray fidelity per output format: how far a saved result's luminance is from the photo's gray.

The engine keeps the gray exactly up to rounding (engine.color.recombine); the file format then adds
its own error (none for PNG and TIFF, JPEG's and WebP's quantization otherwise). For each bundled
model and each format, the mean absolute difference, in gray levels (0..255), between Pillow's
``convert("L")`` of the decoded result and the photo's gray, averaged over real photos (the bundled
samples and scikit-image's). ``python bench/bench_fidelity.py`` prints a Markdown table.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.colorize import colorize
from engine.images import decode_image
from engine.registry import ModelRegistry
from engine.saving import save_result

ROOT = Path(__file__).resolve().parent.parent
CASES = (("PNG", None), ("TIFF", None), ("WEBP", None), ("JPEG", 95), ("JPEG", 92), ("JPEG", 85))


def photos() -> list[tuple[str, bytes]]:
    import io

    from PIL import Image
    from skimage import data

    found = [(p.name, p.read_bytes()) for p in sorted((ROOT / "resources" / "samples").glob("*.jpg"))]
    for name in ("coffee", "astronaut", "chelsea", "rocket"):
        buf = io.BytesIO()
        Image.fromarray(getattr(data, name)()).convert("L").save(buf, "PNG")
        found.append((name, buf.getvalue()))
    return found


def run() -> list[dict]:
    from PIL import Image

    registry = ModelRegistry.discover([ROOT / "resources" / "models"], provider="cpu")
    errors: dict[tuple[str, int | None], list[float]] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        for name, raw in photos():
            image = decode_image(raw, path=Path(name))
            for result in colorize(image, registry.models).results.values():
                for fmt, quality in CASES:
                    out = save_result(
                        image, result, Path(tmp) / f"r.{fmt.lower()}", fmt=fmt, quality=quality, overwrite=True
                    )
                    with Image.open(out) as saved:
                        luma = np.asarray(saved.convert("RGB").convert("L"), dtype=np.int16)
                    errors[(fmt, quality)].append(float(np.abs(luma - image.gray).mean()))
    return [
        {"format": fmt, "quality": quality, "mean": float(np.mean(v)), "worst": float(np.max(v))}
        for (fmt, quality), v in errors.items()
    ]


if __name__ == "__main__":
    print("| format | quality | mean gray error (levels) | worst photo |")
    print("|---|---|---|---|")
    for row in run():
        quality = (
            row["quality"]
            if row["quality"] is not None
            else ("90 (default)" if row["format"] == "WEBP" else "lossless")
        )
        print(f"| {row['format']} | {quality} | {row['mean']:.2f} | {row['worst']:.2f} |")
