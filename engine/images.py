"""Loading user photos into the engine's form: full-resolution gray, alpha, and the metadata to keep.

Photos are read as regular files only (:mod:`engine.files`), decoded by the formats of the table
only (:mod:`engine.rasters`: JPEG, PNG, TIFF, WebP, BMP, GIF's first frame, AVIF where Pillow has
it), in modes 1, L, LA, P, PA, RGB, RGBA, CMYK, LAB, YCbCr, I;16, I and F. EXIF orientation is
applied; the descriptive EXIF (:mod:`engine.exif`), the XMP packet and an RGB ICC profile are kept
for the output, and a gray or CMYK profile is applied (:mod:`engine.icc`). A color photo is treated
as its luminance.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from engine.color import lab_to_rgb
from engine.errors import ImageLoadError
from engine.exif import descriptive_exif, orientation, read_exif
from engine.files import read_regular_file
from engine.icc import apply_profile
from engine.rasters import DEFAULT_MAX_PIXELS, check_pixels, decode_error, open_raster

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_MAX_PIXELS", "LoadedImage", "decode_image", "file_limit", "load_image"]

ORIENTATION_TAG = 0x0112
MAX_XMP_BYTES = 1 << 20  # a source XMP packet larger than this is not carried into the results
_TRANSPOSE = {  # EXIF orientation -> the transpose that makes the pixels upright (as ImageOps does)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HIGH_DEPTH = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


@dataclass(frozen=True)
class LoadedImage:
    """A photo ready to colorize. ``gray`` is uint8 ``HxW``; ``alpha`` uint8 ``HxW`` or None.

    ``icc_profile`` is an RGB profile the results carry (None: sRGB), ``exif`` the descriptive EXIF
    block (orientation 1), ``xmp`` the photo's own XMP packet (kept beside the stamp).
    ``restored``: the restoration steps applied to ``gray`` since it was read (empty: the gray as read;
    see :meth:`engine.pipeline.Pipeline.restored`), recorded in the stamp of what is saved from it.
    """

    path: Path | None
    gray: np.ndarray
    alpha: np.ndarray | None
    format: str
    icc_profile: bytes | None
    exif: bytes | None
    sha256: str
    xmp: bytes | None = None
    restored: tuple[str, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return self.gray.shape[1], self.gray.shape[0]

    @property
    def name(self) -> str:
        return self.path.name if self.path else "image"


def file_limit(max_pixels: int) -> int:
    """The largest photo file read for a pixel limit: 8 bytes a pixel (16-bit RGBA, uncompressed) and
    64 MB for metadata; a bigger file cannot be a photo within the limit."""
    return max_pixels * 8 + (64 << 20)


def load_image(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read ``path`` (a regular file); raise :class:`ImageLoadError` with a one-line reason on any failure."""
    path = Path(path)
    data = read_regular_file(path, limit=file_limit(max_pixels), error=ImageLoadError)
    return decode_image(data, path=path, max_pixels=max_pixels)


def decode_image(data: bytes, *, path: Path | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode image bytes (see :func:`load_image`)."""
    label = str(path) if path else "image"
    if not data:
        raise ImageLoadError(f"{label}: empty file")
    image = None
    try:
        image = open_raster(data, label=label)
        check_pixels(image, size_bytes=len(data), max_pixels=max_pixels, label=label)
        image.seek(0)
        image.load()
    except ImageLoadError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, Image.DecompressionBombError) as exc:
        raise decode_error(exc, label=label, image=image) from None

    exif = read_exif(image, label=label)
    xmp = _xmp_of(image)
    working, alpha = _working(image)
    working, icc = apply_profile(working, image.info.get("icc_profile") or None, label=label)
    gray = np.asarray(working.convert("L") if working.mode != "L" else working, dtype=np.uint8)
    gray, alpha = _upright(gray, alpha, orientation(exif))
    return LoadedImage(
        path=path,
        gray=gray,
        alpha=alpha,
        format=image.format or "PNG",
        icc_profile=icc,
        exif=descriptive_exif(exif, label=label),
        sha256=hashlib.sha256(data).hexdigest(),
        xmp=xmp,
    )


def _working(image: Image.Image) -> tuple[Image.Image, np.ndarray | None]:
    """The pixels as an 8-bit L, RGB or CMYK image (what a profile applies to) and the alpha, if any."""
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("PA", "RGBa", "RGBX"):
        image = image.convert("RGBA" if mode != "RGBX" else "RGB")
    elif mode == "La":
        image = image.convert("LA")
    elif mode == "1":
        image = image.convert("L")
    elif mode in ("YCbCr", "HSV"):
        image = image.convert("RGB")
    elif mode == "LAB":
        return Image.fromarray(_gray_of_lightness(image)), None
    elif mode in _HIGH_DEPTH:
        return Image.fromarray(_to_eight_bits(image)), None
    alpha = None
    if image.mode in ("LA", "RGBA"):
        alpha = np.array(image.getchannel("A"), dtype=np.uint8)
        image = image.convert("L" if image.mode == "LA" else "RGB")
    if image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    return image, alpha


def _to_eight_bits(image: Image.Image) -> np.ndarray:
    """16-bit, 32-bit integer and float gray -> uint8, scaled by the range the values are stored in
    (Pillow's own convert("L") would clip them instead): floats in 0..1, then 0..255, 0..65535, or
    the largest value. NaN and infinities read as 0."""
    values = np.asarray(image, dtype=np.float64)
    values = np.where(np.isfinite(values), values, 0.0)
    peak = float(values.max(initial=0.0))
    if image.mode == "F" and peak <= 1.0:
        top = 1.0
    elif peak <= 255.0 and not image.mode.startswith("I;16"):
        top = 255.0
    elif peak <= 65535.0:
        top = 65535.0
    else:
        top = peak
    return np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)


def _gray_of_lightness(image: Image.Image) -> np.ndarray:
    """A CIE L*a*b* image -> the sRGB gray of the same lightness, uint8 ``HxW``."""
    lightness = np.asarray(image.getchannel("L"), dtype=np.float32) * (100.0 / 255.0)
    neutral = np.stack([lightness, np.zeros_like(lightness), np.zeros_like(lightness)], axis=-1)
    return np.clip(np.rint(lab_to_rgb(neutral)[..., 1] * 255.0), 0, 255).astype(np.uint8)


def _upright(gray: np.ndarray, alpha: np.ndarray | None, orient: int) -> tuple[np.ndarray, np.ndarray | None]:
    method = _TRANSPOSE.get(orient)
    if method is None:
        return np.ascontiguousarray(gray), alpha

    def turn(plane: np.ndarray) -> np.ndarray:
        return np.asarray(Image.fromarray(plane).transpose(method))

    return turn(gray), (turn(alpha) if alpha is not None else None)


def _xmp_of(image: Image.Image) -> bytes | None:
    """The photo's XMP packet wherever its format keeps it (None if absent or too large)."""
    value = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not value:
        tags = getattr(image, "tag_v2", None)
        value = tags.get(700) if tags is not None else None
    if not value:
        return None
    packet = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return packet if len(packet) <= MAX_XMP_BYTES else None
