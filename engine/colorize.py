"""Colorizing one photo with one or several models.

The full-resolution luminance of the input is kept exactly; each model predicts color at its own
square working size on a letterboxed copy (aspect ratio never squashed), and only that color
(chroma) is cropped back, upsampled smoothly and recombined with the original luminance.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from engine.adjust.hints import ColorControls, ColorHint
from engine.color import chroma_of, prediction_to_rgb, recombine
from engine.contract import check_prediction, gray_to_model_input
from engine.errors import CancelledError, TintypeError
from engine.images import LoadedImage
from engine.registry import LoadedModel

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]
ModelErrorCallback = Callable[[str, TintypeError], None]


@dataclass(frozen=True)
class Letterbox:
    """Where the photo sits inside the model's ``size`` x ``size`` square."""

    size: int
    x0: int
    y0: int
    width: int
    height: int

    @classmethod
    def fit(cls, width: int, height: int, size: int) -> Letterbox:
        scale = size / max(width, height)
        w = max(1, min(size, round(width * scale)))
        h = max(1, min(size, round(height * scale)))
        return cls(size=size, x0=(size - w) // 2, y0=(size - h) // 2, width=w, height=h)


@dataclass(frozen=True)
class ModelResult:
    """One model's colorized photo: ``rgb`` uint8 ``HxWx3`` at the input's full resolution.

    ``chroma`` is the color that ``rgb`` was recombined from: float32 ``hxwx2`` (BT.601 Cb, Cr centred
    on 0, 0..255 units) at the model's resolution, covering the whole photo, as
    :func:`~engine.color.recombine` takes it; an adjust step re-recombines it without re-running the
    model (None when a step replaced ``rgb`` by other means). ``hints`` and ``controls`` are the color
    corrections applied to it (none: the model's own colors), recorded in the saved file's stamp.
    """

    model_id: str
    display_name: str
    model_version: str
    rgb: np.ndarray
    seconds: float
    inference_seconds: float
    provider: str
    chroma: np.ndarray | None = None
    hints: tuple[ColorHint, ...] = ()
    controls: ColorControls = field(default_factory=ColorControls)


@dataclass(frozen=True)
class ColorizeResult:
    """Each model's result for ``image``; ``failures`` maps a model that gave none to the reason."""

    image: LoadedImage
    results: dict[str, ModelResult]
    failures: dict[str, str] = field(default_factory=dict)


def letterbox_gray(gray: np.ndarray, box: Letterbox) -> np.ndarray:
    """uint8 ``HxW`` -> uint8 ``SxS``: resized to fit, padded by repeating the edges (not black bars,
    which models read as content)."""
    small = Image.fromarray(gray).resize((box.width, box.height), Image.Resampling.BILINEAR, reducing_gap=3.0)
    pad = ((box.y0, box.size - box.height - box.y0), (box.x0, box.size - box.width - box.x0))
    return np.pad(np.asarray(small), pad, mode="edge")


def crop_to_photo(array: np.ndarray, box: Letterbox) -> np.ndarray:
    """The part of a model-size ``SxS[xC]`` array that covers the photo (drops the padding)."""
    return array[box.y0 : box.y0 + box.height, box.x0 : box.x0 + box.width]


def predict_chroma(
    model: LoadedModel,
    gray: np.ndarray,
    *,
    boxed: dict[int, tuple[Letterbox, np.ndarray]] | None = None,
    name: str = "photo",
) -> tuple[np.ndarray, float]:
    """``model``'s color for uint8 gray ``HxW``: float32 Cb, Cr ``hxwx2`` cropped from its letterboxed
    square (what :func:`~engine.color.recombine` takes), and the model's own run time in seconds.
    ``boxed`` caches the letterboxed input per working size.

    Raises :class:`~engine.errors.ModelOutputError` (naming the photo ``name``) when the model fails to
    run or its output breaks the contract (wrong shape, NaN or infinite values, values far out of
    range): no colors are made up from such an output."""
    size = model.contract.input_size
    boxed = {} if boxed is None else boxed
    if size not in boxed:
        box = Letterbox.fit(gray.shape[1], gray.shape[0], size)
        boxed[size] = (box, letterbox_gray(gray, box))
    box, small = boxed[size]
    batch = gray_to_model_input(small)[None, None]
    infer_started = time.perf_counter()
    output = model.predict(batch)
    inference = time.perf_counter() - infer_started
    check_prediction(output, model.contract, source=f"{name}: model '{model.model_id}'")
    prediction = output[0]
    rgb_small = prediction_to_rgb(
        prediction, output=model.contract.output, gray=small, ab_scale=model.contract.ab_scale
    )
    return crop_to_photo(chroma_of(rgb_small), box), inference


def colorize_with(
    model: LoadedModel, image: LoadedImage, *, boxed: dict[int, tuple[Letterbox, np.ndarray]] | None = None
) -> ModelResult:
    """Colorize ``image`` with one ``model``. ``boxed`` caches the letterboxed input per working size.
    :class:`~engine.errors.ModelOutputError` as :func:`predict_chroma`."""
    started = time.perf_counter()
    chroma, inference = predict_chroma(model, image.gray, boxed=boxed, name=image.name)
    rgb = recombine(image.gray, chroma)
    return ModelResult(
        model_id=model.model_id,
        display_name=model.contract.display_name,
        model_version=model.contract.model_version,
        rgb=rgb,
        seconds=time.perf_counter() - started,
        inference_seconds=inference,
        provider=model.provider_label,
        chroma=chroma,
    )


def colorize(
    image: LoadedImage,
    models: Sequence[LoadedModel],
    *,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
    on_model_error: ModelErrorCallback | None = None,
) -> ColorizeResult:
    """Colorize ``image`` with each of ``models`` in order.

    ``progress(done, total, model_id)`` is called after each model; ``cancelled()`` is checked before
    each model and raises :class:`CancelledError` when it returns True. With ``on_model_error``, a
    model that fails (:class:`~engine.errors.TintypeError`) is reported to it as ``(model_id, error)``,
    recorded in ``failures``, and the other models go on; without it the error is raised.
    """
    results: dict[str, ModelResult] = {}
    failures: dict[str, str] = {}
    boxed: dict[int, tuple[Letterbox, np.ndarray]] = {}
    for done, model in enumerate(models):
        if cancelled is not None and cancelled():
            raise CancelledError("cancelled")
        try:
            results[model.model_id] = colorize_with(model, image, boxed=boxed)
            log.debug("%s: %s in %.2fs", image.name, model.model_id, results[model.model_id].seconds)
        except CancelledError:
            raise
        except TintypeError as exc:
            if on_model_error is None:
                raise
            failures[model.model_id] = str(exc)
            on_model_error(model.model_id, exc)
        if progress is not None:
            progress(done + 1, len(models), model.model_id)
    return ColorizeResult(image=image, results=results, failures=failures)
