"""Before | defect mask | after, on the real old prints of ../shared/datasets/oldphotos (no ground truth).

``python bench/figure_restore.py`` writes docs/figures/restore_oldphotos.jpg. The scratched prints
go through the automatic mode at dust strength 0.5 (the default) and 0.8; the faded ones through
the automatic mode with fade repair on. The mask column shows the pixels that were filled in, red.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.restore import DustSettings, FadeSettings, RestoreSettings, restore  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "datasets" / "oldphotos"
if not PHOTOS.is_dir():
    PHOTOS = Path("/work/shared/datasets/oldphotos")
OUT = ROOT / "docs" / "figures" / "restore_oldphotos.jpg"
HEIGHT = 300
CASES = [
    ("scratched_a.jpg", "auto", RestoreSettings()),
    ("scratched_b.jpg", "auto", RestoreSettings()),
    ("scratched_b.jpg", "dust 0.8", RestoreSettings(dust=DustSettings(strength=0.8))),
    ("scratched_c.jpg", "auto", RestoreSettings()),
    ("scratched_d.jpg", "auto", RestoreSettings()),
    ("scratched_d.jpg", "dust 0.8", RestoreSettings(dust=DustSettings(strength=0.8))),
    ("faded_a.jpg", "auto + fade", RestoreSettings(fade=FadeSettings(enabled=True))),
    ("faded_c.jpg", "auto + fade", RestoreSettings(fade=FadeSettings(enabled=True))),
    ("faded_f.jpg", "auto + fade + local 0.4", RestoreSettings(fade=FadeSettings(enabled=True, local_contrast=0.4))),
]


def panel(gray: np.ndarray, mask: np.ndarray | None = None) -> Image.Image:
    rgb = np.repeat(gray[..., None], 3, axis=2)
    if mask is not None:
        rgb = rgb.copy()
        rgb[mask] = (255, 0, 0)
    image = Image.fromarray(rgb)
    return image.resize((round(image.width * HEIGHT / image.height), HEIGHT), Image.Resampling.LANCZOS)


def main() -> None:
    rows = []
    for name, label, settings in CASES:
        with Image.open(PHOTOS / name) as source:
            gray = np.asarray(source.convert("L"))
        result = restore(gray, settings)
        panels = [panel(gray), panel(gray, result.defect_mask), panel(result.gray)]
        row = Image.new("RGB", (sum(p.width for p in panels) + 20, HEIGHT + 18), "white")
        x = 0
        for p in panels:
            row.paste(p, (x, 18))
            x += p.width + 10
        steps = ", ".join(result.steps_applied) or "nothing"
        caption = (
            f"{name} ({gray.shape[1]}x{gray.shape[0]}), {label}: {steps}; "
            f"mask {100 * result.defect_mask.mean():.1f}%, noise {result.noise_sigma:.1f}"
        )
        ImageDraw.Draw(row).text((2, 3), caption, fill="black")
        rows.append(row)
        print(caption)
    width = max(r.width for r in rows)
    figure = Image.new("RGB", (width, sum(r.height for r in rows)), "white")
    y = 0
    for r in rows:
        figure.paste(r, (0, y))
        y += r.height
    OUT.parent.mkdir(parents=True, exist_ok=True)
    figure.save(OUT, quality=85, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {figure.width}x{figure.height})")


if __name__ == "__main__":
    main()
