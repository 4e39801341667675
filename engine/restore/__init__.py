"""Restoration before color: dust and scratches, grain, fading, on the full-resolution gray.

Pure functions on uint8 ``HxW`` gray; a small ONNX net finds dust and scratches, OpenCV does the
rest (inpainting, smoothing, tone). ``restore(gray)`` is the automatic mode; :class:`RestoreSettings`
switches each step and sets its strength; ``detect_defects`` gives the mask a user may edit and hand
back to ``restore(..., mask=...)``.
"""

from engine.restore.defects import defect_scale, detect_defects
from engine.restore.fade import repair_fade, tonal_range
from engine.restore.grain import NOISE_FLOOR, estimate_noise, reduce_grain
from engine.restore.inpaint import inpaint_defects
from engine.restore.pipeline import RestoreResult, check_gray, restore
from engine.restore.settings import (
    DustSettings,
    FadeSettings,
    GrainSettings,
    RestoreSettings,
)

__all__ = [
    "NOISE_FLOOR",
    "DustSettings",
    "FadeSettings",
    "GrainSettings",
    "RestoreResult",
    "RestoreSettings",
    "check_gray",
    "defect_scale",
    "detect_defects",
    "estimate_noise",
    "inpaint_defects",
    "reduce_grain",
    "repair_fade",
    "restore",
    "tonal_range",
]
