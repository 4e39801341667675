"""Color management at load: a photo's embedded ICC profile is applied or kept, never misattached.

A result is RGB. A gray or CMYK profile cannot describe it (color-managed viewers show such a file
gray, or fail to build a transform), so a gray or CMYK photo with its profile is converted through
that profile to sRGB when it is loaded, and the result carries no profile (sRGB is what viewers
assume). An RGB profile is kept: the photo's values stay in its space and so do the result's. A
profile that does not fit the pixels or cannot be read is dropped, with a warning.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache

from PIL import Image, features

log = logging.getLogger(__name__)

_SPACE_OFFSET = slice(16, 20)  # the data color space in an ICC header: b"RGB ", b"GRAY", b"CMYK"...
_APPLIED = {"L": b"GRAY", "CMYK": b"CMYK"}  # modes whose profile is applied (converted to sRGB)


def profile_space(icc: bytes) -> bytes:
    """The data color space of an ICC profile (``b"RGB "``, ``b"GRAY"``...), ``b""`` if not a profile."""
    return icc[_SPACE_OFFSET] if len(icc) >= 128 and icc[36:40] == b"acsp" else b""


def apply_profile(image: Image.Image, icc: bytes | None, *, label: str) -> tuple[Image.Image, bytes | None]:
    """``image`` (mode L, RGB or CMYK) and the profile its result carries.

    Returns an L or RGB image. A GRAY profile on L pixels or a CMYK profile on CMYK pixels is
    applied (the pixels become sRGB, no profile is carried); an RGB profile on L or RGB pixels is
    kept; anything else is dropped. CMYK without a usable profile is converted naively.
    """
    profile = icc or b""
    space = profile_space(profile)
    if space == b"RGB " and image.mode in ("L", "RGB"):
        if _usable(profile):
            return image, profile
        log.warning("%s: unreadable ICC profile dropped", label)
    elif space and space == _APPLIED.get(image.mode):
        converted = _to_srgb(image, profile, label=label)
        if converted is not None:
            return converted, None
    elif profile:
        log.warning(
            "%s: %s ICC profile does not fit %s pixels, dropped",
            label,
            space.decode("latin-1").strip() or "unknown",
            image.mode,
        )
    return (image.convert("RGB") if image.mode == "CMYK" else image), None


def _to_srgb(image: Image.Image, icc: bytes, *, label: str) -> Image.Image | None:
    if not features.check("littlecms2"):
        log.warning("%s: Pillow has no color management here; ICC profile not applied", label)
        return None
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _srgb(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        log.warning("%s: ICC profile cannot be applied, dropped (%s)", label, exc)
        return None


def _usable(icc: bytes) -> bool:
    """An RGB profile a viewer can build a transform from (checked with LittleCMS when present)."""
    if not features.check("littlecms2"):
        return True
    from PIL import ImageCms

    try:
        ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(icc)), _srgb(), "RGB", "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=1)
def _srgb():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
