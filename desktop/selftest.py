"""``Tintype --selftest``: checks the (frozen) app without a screen. One line per check; exit 0 only
if all pass. Uses CUDA when present, the CPU otherwise."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from engine import __version__
from engine.errors import TintypeError
from engine.images import load_image
from engine.photos import resources_dir, sample_photos
from engine.pipeline import Pipeline, SaveOptions, plan_save, save_colorized
from engine.registry import ModelRegistry, default_model_dirs
from engine.stamp import read_stamp


GRAY_MAE_LIMIT = 1.0


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
                check(stamp.model_id == model.model_id and stamp.source_sha256 == image.sha256,
                      f"{model.model_id}: saved {fmt} carries the colorized stamp")
            except TintypeError as exc:
                check(False, f"{model.model_id}: save and stamp: {exc}")
    print("self-test passed" if failures == 0 else f"self-test: {failures} check(s) failed")
    return 0 if failures == 0 else 1
