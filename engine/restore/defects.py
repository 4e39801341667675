"""Dust specks and thin scratches: the defect mask (inpainting is in engine.restore.inpaint).

A small U-Net (``resources/restore/defects.onnx``, 64k weights) gives each pixel of the gray photo
the probability that a speck or scratch covers it; the mask is the pixels above a threshold set by
the strength. The net was trained by ``python -m training defects`` on crops of broad/train damaged
by training/damage.py (specks, scratches, grain and fading of random amounts, and clean and
only-grainy crops so it learns what to leave alone); the threshold was chosen on a damaged subset
of broad/val and general/test that the benchmark does not report (docs/RESULTS.md, "Restoration").

The net works at the damage's unit scale: a photo whose short side is over 256 px is shrunk by
:func:`defect_scale` first (a 12 MP scan to about 1 MP), and the probabilities are enlarged back.
Big photos run in overlapping tiles, so memory stays bounded. It runs on the CPU through
onnxruntime: at about 7,000 multiply-adds per unit-scale pixel it takes a fraction of a second on
a 12 MP scan, less than copying the photo to a GPU and back would save.

What it cannot tell apart it misses or mistakes: thin real lines (wires, rims, glints) can read as
scratches and stars as dust; damage much larger than the training's (tears, missing corners, big
stains) is left for the user's brush.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import cv2
import numpy as np

from engine.errors import ModelLoadError
from engine.photos import resources_dir
from engine.restore.settings import DustSettings

log = logging.getLogger(__name__)

AUTOMATIC_DUST = DustSettings()

THRESHOLD = 0.9  # probability a pixel needs at strength 0.5 ...
_LOGIT_SPAN = 4.0  # ... and how far (in logits) strength 0 and 1 move it: to 0.998 and 0.14
_SPECK_RADIUS = 3.95  # the largest speck the damage makes, times the scale (inpainting's tile margin)
_MULTIPLE = 8  # the net halves the size three times
_TILE = 1024  # unit-scale pixels per tile side, margins included
_MARGIN = 32  # context each tile is run with beyond what it keeps
_lock = threading.Lock()
_sessions: dict[Path, object] = {}


def model_path() -> Path:
    return resources_dir() / "restore" / "defects.onnx"


def defect_scale(shape: tuple[int, ...]) -> float:
    """How many pixels a defect's size unit is: 1 up to 256 px, sqrt(short side / 256) above."""
    return max(1.0, min(shape[:2]) / 256.0) ** 0.5


def largest_speck_radius(shape: tuple[int, ...]) -> float:
    """Radius in pixels of the largest dust speck in an image of ``shape``."""
    return _SPECK_RADIUS * defect_scale(shape)


def threshold(strength: float) -> float:
    """The probability a pixel needs to be masked: ``THRESHOLD`` at strength 0.5, lower when higher."""
    logit = np.log(THRESHOLD / (1.0 - THRESHOLD)) - _LOGIT_SPAN * (strength - 0.5) * 2.0
    return float(1.0 / (1.0 + np.exp(-logit)))


def _session(path: Path):
    with _lock:
        if path not in _sessions:
            from engine.providers import create_session

            try:
                data = path.read_bytes()
            except OSError as error:
                raise ModelLoadError(f"the dust and scratch detector is missing: {path} ({error.strerror})") from error
            _sessions[path], _ = create_session(data, provider="cpu", source=str(path))
        return _sessions[path]


def _run(session, image: np.ndarray) -> np.ndarray:
    """The net on float32 ``HxW`` in [0, 1], padded (mirrored) to a multiple of 8 and cropped back."""
    height, width = image.shape
    pad_y, pad_x = -height % _MULTIPLE, -width % _MULTIPLE
    if pad_y or pad_x:
        image = cv2.copyMakeBorder(image, 0, pad_y, 0, pad_x, cv2.BORDER_REFLECT_101)
    (out,) = session.run(None, {"gray": image[None, None]})
    return out[0, 0, :height, :width]


def defect_probability(gray: np.ndarray, *, model: Path | None = None) -> np.ndarray:
    """float32 ``HxW`` in [0, 1]: how likely each pixel of uint8 ``HxW`` gray is dust or a scratch."""
    session = _session(model or model_path())
    height, width = gray.shape
    scale = defect_scale(gray.shape)
    small = gray
    if scale > 1.0:
        size = (max(_MULTIPLE, round(width / scale)), max(_MULTIPLE, round(height / scale)))
        small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    image = small.astype(np.float32) * (1.0 / 255.0)
    sh, sw = image.shape
    if max(sh, sw) <= _TILE:
        prob = _run(session, image)
    else:
        prob = np.empty_like(image)
        step = _TILE - 2 * _MARGIN
        for y0 in range(0, sh, step):
            for x0 in range(0, sw, step):
                ya, xa = max(y0 - _MARGIN, 0), max(x0 - _MARGIN, 0)
                y1, x1 = min(y0 + step, sh), min(x0 + step, sw)
                yb, xb = min(y1 + _MARGIN, sh), min(x1 + _MARGIN, sw)
                tile = _run(session, np.ascontiguousarray(image[ya:yb, xa:xb]))
                prob[y0:y1, x0:x1] = tile[y0 - ya : y1 - ya, x0 - xa : x1 - xa]
    if prob.shape != gray.shape:
        prob = cv2.resize(prob, (width, height), interpolation=cv2.INTER_LINEAR)
    return prob


def detect_defects(gray: np.ndarray, settings: DustSettings = AUTOMATIC_DUST) -> np.ndarray:
    """The defect mask of uint8 ``HxW`` gray: bool ``HxW``, True on dust specks and thin scratches."""
    mask = defect_probability(gray) > threshold(settings.strength)
    log.debug("defect mask: %.3f%% of %dx%d", 100 * mask.mean(), gray.shape[1], gray.shape[0])
    return mask
