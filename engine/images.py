"""Loading user photos into the engine's form: full-resolution gray, alpha, and the metadata to keep.

Every image Pillow reads is accepted (JPEG, PNG, TIFF, WebP, BMP, GIF's first frame) in modes
1, L, LA, P, PA, RGB, RGBA, CMYK, I;16 and I. EXIF orientation is applied; the ICC profile and the
EXIF block (orientation reset) are kept for the output. A color photo is treated as its luminance.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import ImageLoadError

log = logging.getLogger(__name__)

# Scans of 24 MP and panoramas well past that are normal; a bigger pixel count is almost surely a
# decompression bomb (a tiny file that claims a huge canvas).
DEFAULT_MAX_PIXELS = 150_000_000
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class LoadedImage:
    """A photo ready to colorize. ``gray`` is uint8 ``HxW``; ``alpha`` uint8 ``HxW`` or None.

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
    restored: tuple[str, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return self.gray.shape[1], self.gray.shape[0]

    @property
    def name(self) -> str:
        return self.path.name if self.path else "image"


def load_image(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read ``path``; raise :class:`ImageLoadError` with a one-line reason on any failure."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageLoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageLoadError(f"{path}: is a folder, not an image") from None
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_image(data, path=path, max_pixels=max_pixels)


def decode_image(data: bytes, *, path: Path | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode image bytes (see :func:`load_image`)."""
    label = str(path) if path else "image"
    if not data:
        raise ImageLoadError(f"{label}: empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageLoadError(
                    f"{label}: {width}x{height} is {width * height / 1e6:.0f} megapixels, over the "
                    f"{max_pixels / 1e6:.0f} MP limit (possible decompression bomb)"
                )
            image.seek(0)
            image.load()
    except ImageLoadError:
        raise
    except UnidentifiedImageError:
        raise ImageLoadError(f"{label}: not an image Tintype can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageLoadError(f"{label}: too many pixels (possible decompression bomb)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = "truncated or damaged" if "truncat" in str(exc).lower() else f"damaged ({exc})"
        raise ImageLoadError(f"{label}: image data is {reason}") from None

    fmt = image.format or "PNG"
    icc = image.info.get("icc_profile") or None
    exif = _exif_without_orientation(image)
    image = ImageOps.exif_transpose(image)
    gray, alpha = _gray_and_alpha(image)
    return LoadedImage(
        path=path,
        gray=gray,
        alpha=alpha,
        format=fmt,
        icc_profile=icc,
        exif=exif,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _exif_without_orientation(image: Image.Image) -> bytes | None:
    # A copy: resetting the orientation on image.getexif() itself would stop exif_transpose.
    exif = Image.Exif()
    exif.load(image.getexif().tobytes())
    if not len(exif):
        return None
    if ORIENTATION_TAG in exif:
        exif[ORIENTATION_TAG] = 1
    return exif.tobytes()


def _gray_and_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Luminance uint8 ``HxW`` and alpha (or None), whatever the mode."""
    mode = image.mode
    alpha = None
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("LA", "PA", "RGBA", "La", "RGBa"):
        alpha = np.asarray(image.getchannel("A"), dtype=np.uint8).copy()
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        # 16-bit data is scaled to 8 bits (Pillow's own convert("L") would clip it instead).
        top = 65535.0 if values.max(initial=0) > 255 or mode.startswith("I;16") else 255.0
        gray = np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
        return gray, alpha
    if mode == "CMYK":
        image = image.convert("RGB")
    if image.mode != "L":
        image = image.convert("RGB").convert("L") if image.mode not in ("RGB", "1") else image.convert("L")
    return np.asarray(image, dtype=np.uint8).copy(), alpha
