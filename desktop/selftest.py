"""``Tintype --selftest``: checks the (frozen) app without a screen. One line per check; exit 0 only
if all pass. Uses CUDA when present, the CPU otherwise."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from engine import __version__
from engine.adjust import ColorHint
from engine.colorize import ModelResult
from engine.errors import TintypeError
from engine.images import LoadedImage, load_image
from engine.photos import resources_dir, sample_photos
from engine.pipeline import Pipeline, SaveOptions, plan_save, save_colorized
from engine.registry import ModelRegistry, default_model_dirs
from engine.stamp import RestoreStamp, read_any_stamp, read_stamp
from engine.steps import ColorAdjustment, Restoration

GRAY_MAE_LIMIT = 1.0
# Dark and bright 3x3 specks (row, column, gray) on the restore check's synthetic print.
SPECKS = ((12, 16, 250), (30, 40, 5), (20, 52, 245))


def run_selftest(model_dirs: list[Path] | None = None) -> int:
    failures = 0

    def check(ok: bool, text: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {text}", flush=True)

    print(f"Tintype {__version__} self-test (Python {sys.version.split()[0]})")
    registry = ModelRegistry.discover(model_dirs or [resources_dir() / "models"], provider="auto")
    for failure in registry.failures:
        check(False, f"model loads: {failure}")
    for model in registry.models:
        check(True, f"model loads: {model.model_id} ({model.contract.display_name}) on {model.provider_label}")
    check(bool(registry.models), f"at least one model found in {model_dirs or default_model_dirs()[0]}")
    samples = sample_photos()
    check(bool(samples), f"bundled sample photo found in {resources_dir() / 'samples'}")
    if not samples or not registry.models:
        print(f"self-test: {failures} check(s) failed")
        return 1
    sample = samples[0]
    try:
        image = load_image(sample)
    except TintypeError as exc:
        check(False, f"sample loads: {exc}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        _check_restore(check, Path(tmp))
        output = SaveOptions(folder=Path(tmp))
        for model in registry.models:
            try:
                result = Pipeline(models=(model,), output=output).colorize(image).results[model.model_id]
            except TintypeError as exc:
                check(False, f"{model.model_id}: colorize {sample.name}: {exc}")
                continue
            back = np.asarray(Image.fromarray(result.rgb).convert("L"), dtype=np.int16)
            mae = float(np.abs(back - image.gray).mean())
            spread = float((result.rgb.max(axis=2).astype(int) - result.rgb.min(axis=2)).mean())
            check(mae <= GRAY_MAE_LIMIT, f"{model.model_id}: gray fidelity {mae:.2f} levels (limit {GRAY_MAE_LIMIT})")
            check(spread > 2.0, f"{model.model_id}: result has color (mean channel spread {spread:.1f})")
            fmt = plan_save(image, model.model_id, output).fmt
            try:
                stamp = read_stamp(save_colorized(image, result, output))
                check(
                    stamp.model_id == model.model_id and stamp.source_sha256 == image.sha256,
                    f"{model.model_id}: saved {fmt} carries the colorized stamp",
                )
            except TintypeError as exc:
                check(False, f"{model.model_id}: save and stamp: {exc}")
            if model is registry.models[0]:
                _check_hints(check, image, result, Path(tmp))
    print("self-test passed" if failures == 0 else f"self-test: {failures} check(s) failed")
    return 0 if failures == 0 else 1


def _check_restore(check, folder: Path) -> None:
    """Restoration (OpenCV) on a tiny synthetic print with specks: they are filled in, and the saved
    gray carries the 'algorithmically enhanced' stamp with the steps."""
    yy, xx = np.mgrid[0:48, 0:64]
    clean = (60 + xx + 0.5 * yy).astype(np.uint8)
    damaged = clean.copy()
    for y, x, value in SPECKS:
        damaged[y - 1 : y + 2, x - 1 : x + 2] = value
    path = folder / "specks.png"
    Image.fromarray(damaged).save(path)
    pipeline = Pipeline(models=(), restore=(Restoration(),), output=SaveOptions(folder=folder), keep_restored=True)
    try:
        run = pipeline.run(path)
        stamp = read_any_stamp(run.written[0])
    except TintypeError as exc:
        check(False, f"restore: {exc}")
        return
    restored = run.result.image
    error = max(abs(int(restored.gray[y, x]) - int(clean[y, x])) for y, x, _ in SPECKS)
    check(
        "dust" in restored.restored and error <= 4,
        f"restore: {len(SPECKS)} specks filled in (steps {', '.join(restored.restored) or 'none'}, "
        f"largest error {error} levels)",
    )
    check(
        isinstance(stamp, RestoreStamp) and stamp.edits.restore == restored.restored,
        "restore: saved gray carries the algorithmically enhanced stamp with its steps",
    )


def _check_hints(check, image: LoadedImage, result: ModelResult, folder: Path) -> None:
    """A red color hint at the mid-gray pixel nearest the photo's centre turns that area red, keeps
    the gray, and is recorded in the saved file's stamp."""
    height, width = image.gray.shape
    middle = image.gray[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4].astype(np.int16)
    row, col = np.unravel_index(np.argmin(np.abs(middle - 128)), middle.shape)
    y, x = int(row) + height // 4, int(col) + width // 4
    hint = ColorHint(x=x, y=y, rgb=(200, 40, 40), radius=3)
    try:
        adjusted = ColorAdjustment(hints=(hint,)).adjust(image, result)
        stamp = read_stamp(save_colorized(image, adjusted, SaveOptions(), target=folder / "hinted.png"))
    except TintypeError as exc:
        check(False, f"{result.model_id}: color hint: {exc}")
        return

    def redness(rgb: np.ndarray) -> float:
        patch = rgb[max(0, y - 2) : y + 3, max(0, x - 2) : x + 3].astype(np.int16)
        return float((patch[..., 0] - patch[..., 1]).mean())

    gain = redness(adjusted.rgb) - redness(result.rgb)
    back = np.asarray(Image.fromarray(adjusted.rgb).convert("L"), dtype=np.int16)
    mae = float(np.abs(back - image.gray).mean())
    check(
        gain > 20 and mae <= GRAY_MAE_LIMIT,
        f"{result.model_id}: a red color hint at ({x}, {y}) reddens it by {gain:.0f} levels, gray fidelity {mae:.2f}",
    )
    check(stamp.edits.hints == (hint,), f"{result.model_id}: the saved file records the color hint")
