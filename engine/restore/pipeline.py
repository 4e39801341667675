"""The restoration step: dust and scratches, then grain, then fade, on the full-resolution gray.

Order matters: defects are filled before smoothing (the smoothing would otherwise spread a
speck's edge into its neighbours and leave it harder to find), and the tonal stretch comes last
so it does not amplify grain before the grain is measured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from engine.errors import RestoreError
from engine.restore.defects import detect_defects
from engine.restore.fade import repair_fade
from engine.restore.grain import NOISE_FLOOR, estimate_noise, reduce_grain
from engine.restore.inpaint import inpaint_defects
from engine.restore.settings import RestoreSettings

log = logging.getLogger(__name__)

MIN_SIDE = 8
AUTOMATIC = RestoreSettings()


@dataclass(frozen=True)
class RestoreResult:
    """``gray``: the restored uint8 ``HxW``. ``defect_mask``: bool ``HxW``, the pixels filled in
    (all False when dust removal is off). ``steps_applied``: the steps that changed the photo, in
    order, from ``dust``, ``grain``, ``fade``, ``local-contrast``. ``noise_sigma``: the grain level
    used, in gray levels (measured unless the settings gave it)."""

    gray: np.ndarray
    defect_mask: np.ndarray
    steps_applied: tuple[str, ...]
    noise_sigma: float


def check_gray(gray: object) -> np.ndarray:
    """``gray`` if it is a uint8 ``HxW`` array of at least ``MIN_SIDE`` pixels a side, else RestoreError."""
    if not isinstance(gray, np.ndarray):
        raise RestoreError(f"restore needs a numpy array, not {type(gray).__name__}")
    if gray.dtype != np.uint8:
        raise RestoreError(f"restore needs uint8 gray, not {gray.dtype}")
    if gray.ndim != 2:
        raise RestoreError(f"restore needs a gray HxW image, not shape {gray.shape}")
    if min(gray.shape) < MIN_SIDE:
        raise RestoreError(f"image {gray.shape[1]}x{gray.shape[0]} is too small to restore (under {MIN_SIDE} px)")
    return np.ascontiguousarray(gray)


def check_mask(mask: object, shape: tuple[int, int]) -> np.ndarray:
    """A user's defect mask as bool ``HxW``: bool, or uint8 where nonzero means defect."""
    if not isinstance(mask, np.ndarray):
        raise RestoreError(f"the defect mask must be a numpy array, not {type(mask).__name__}")
    if mask.dtype not in (np.bool_, np.uint8):
        raise RestoreError(f"the defect mask must be bool or uint8, not {mask.dtype}")
    if mask.shape != shape:
        raise RestoreError(f"the defect mask is {mask.shape}, the image {shape}")
    return np.ascontiguousarray(mask if mask.dtype == np.bool_ else mask > 0)


def restore(
    gray: np.ndarray, settings: RestoreSettings = AUTOMATIC, *, mask: np.ndarray | None = None
) -> RestoreResult:
    """Restore uint8 ``HxW`` gray; the input is not modified.

    ``mask``: a defect mask the user edited (bool ``HxW``, or uint8 where nonzero is a defect),
    usually :func:`detect_defects`' with areas painted in or out. It replaces detection, and needs
    dust removal on: a mask given while that step is off raises RestoreError rather than being
    silently ignored.
    """
    gray = check_gray(gray)
    if not isinstance(settings, RestoreSettings):
        raise RestoreError(f"settings must be RestoreSettings, not {type(settings).__name__}")
    if mask is not None:
        mask = check_mask(mask, gray.shape)
        if not settings.dust.enabled:
            raise RestoreError("a defect mask was given but dust and scratch removal is off")
    sigma = settings.grain.sigma if settings.grain.sigma is not None else estimate_noise(gray)
    steps: list[str] = []
    out = gray
    defect_mask = np.zeros(gray.shape, bool)
    if settings.dust.enabled:
        defect_mask = mask if mask is not None else detect_defects(gray, settings.dust)
        if defect_mask.any():
            out = inpaint_defects(out, defect_mask)
            steps.append("dust")
    # A measured level under the floor is a clean photo; a level the user gave is always used.
    if (
        settings.grain.enabled
        and settings.grain.strength > 0
        and (settings.grain.sigma is not None or sigma >= NOISE_FLOOR)
    ):
        out = reduce_grain(out, sigma, settings.grain.strength)
        steps.append("grain")
    if settings.fade.enabled:
        out, fade_steps = repair_fade(out, settings.fade)
        steps.extend(fade_steps)
    if out is gray:
        out = gray.copy()
    log.info(
        "restored %dx%d: %s (noise %.1f, defects %.2f%%)",
        gray.shape[1],
        gray.shape[0],
        ", ".join(steps) or "nothing to do",
        sigma,
        100 * defect_mask.mean(),
    )
    return RestoreResult(gray=out, defect_mask=defect_mask, steps_applied=tuple(steps), noise_sigma=float(sigma))
