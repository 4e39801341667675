"""Draw docs/figures/hints_example.jpg: a model's colors, the same with a few color hints, the original.

    python bench/figure_hints.py

The photo is a held-out broad/val clothing photo (CC0, alexeygrigorev/clothing-dataset); the hints'
colors are taken from its color original (mean over 5x5 pixels), as a user who knows them would pick.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_hints import DATASETS, MODELS, model_chroma, psnr, read  # noqa: E402

from engine.adjust import ChromaEditor, ColorHint  # noqa: E402
from engine.registry import ModelRegistry  # noqa: E402

PHOTO = DATASETS / "val" / "clothing" / "images_f28fb711-b7bf-4d6e-9935-6970a311a14e.avif"
MODEL = "koala"
POINTS = [(120, 110), (135, 300), (28, 200), (208, 170), (232, 60)]  # bodice, skirt, two sleeves, wall
SCALE = 2
OUT = ROOT / "docs" / "figures" / "hints_example.jpg"


def main() -> None:
    truth, gray = read(PHOTO)
    model = ModelRegistry.discover([MODELS], provider="cpu").get(MODEL)
    editor = ChromaEditor(gray, model_chroma(model, gray))
    hints = []
    for x, y in POINTS:
        patch = truth[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(axis=0)
        hints.append(ColorHint(x=x, y=y, rgb=tuple(int(v) for v in np.rint(patch)), radius=2))
    before, after = editor.render(), editor.render(hints)
    panels = [
        (before, f"{model.contract.display_name} ({psnr(truth, before):.1f} dB)"),
        (after, f"with {len(hints)} color hints ({psnr(truth, after):.1f} dB)"),
        (truth, "color original"),
    ]
    height, width = gray.shape
    w, h, caption = width * SCALE, height * SCALE, 28
    canvas = Image.new("RGB", (3 * w + 2 * 8, h + caption), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=18)
    for i, (rgb, label) in enumerate(panels):
        x0 = i * (w + 8)
        canvas.paste(Image.fromarray(rgb).resize((w, h), Image.Resampling.LANCZOS), (x0, caption))
        draw.text((x0 + 4, 4), label, fill="black", font=font)
        if i < 2:
            for hint in hints:
                cx, cy, r = x0 + (hint.x + 0.5) * SCALE, caption + (hint.y + 0.5) * SCALE, 9
                draw.ellipse((cx - r - 2, cy - r - 2, cx + r + 2, cy + r + 2), fill="white")
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=hint.rgb, outline="black", width=2)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(OUT, quality=88)
    print(f"{OUT}: {OUT.stat().st_size / 1e3:.0f} kB; hints {[h.hex for h in hints]}")


if __name__ == "__main__":
    main()
