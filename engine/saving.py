"""Writing results: format choice, default names, the stamp, atomic no-overwrite writes.

A write goes to a temporary file in the destination folder and is then linked/renamed into place,
so an error (disk full, encoder failure, cancel) never leaves a half-written file, and an existing
file is never replaced unless ``overwrite`` is set.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from engine import __version__
from engine.colorize import ModelResult
from engine.errors import OutputError
from engine.images import LoadedImage
from engine.stamp import XMP_TIFF_TAG, Stamp, build_xmp, exif_with_stamp

log = logging.getLogger(__name__)

# Pillow format name -> file extension, for the formats that can carry the stamp.
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp"}
FORMAT_CHOICES = ("same", "jpeg", "png", "tiff", "webp")
JPEG_QUALITY = 92
_IFD_POINTERS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, Interop sub-IFD offsets: not copyable as values
WEBP_QUALITY = 90


def output_format(input_format: str, requested: str = "same") -> str:
    """Pillow format to write: the input's when it can hold the stamp (JPEG stays JPEG), else PNG."""
    if requested and requested != "same":
        name = requested.upper().replace("JPG", "JPEG").replace("TIF", "TIFF").replace("TIFFF", "TIFF")
        if name not in FORMATS:
            raise OutputError(f"unknown output format '{requested}' (choose from {', '.join(FORMAT_CHOICES)})")
        return name
    fmt = (input_format or "").upper()
    if fmt == "MPO":  # multi-picture JPEGs from phones
        fmt = "JPEG"
    return fmt if fmt in FORMATS else "PNG"


def default_output_path(source: Path | None, model_id: str, fmt: str, *, folder: Path | None = None) -> Path:
    """``<stem>.<model>.colorized.<ext>`` next to the source, or in ``folder``."""
    stem = source.stem if source else "image"
    where = folder if folder is not None else (source.parent if source else Path.cwd())
    return where / f"{stem}.{model_id}.colorized{FORMATS[fmt]}"


def make_stamp(image: LoadedImage, result: ModelResult) -> Stamp:
    return Stamp(
        model_id=result.model_id,
        model_name=result.display_name,
        model_version=result.model_version,
        app_version=__version__,
        colorized_at=dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        source_name=image.name,
        source_sha256=image.sha256,
    )


def save_result(
    image: LoadedImage,
    result: ModelResult,
    destination: Path,
    *,
    fmt: str,
    overwrite: bool = False,
    keep_exif: bool = True,
    jpeg_quality: int = JPEG_QUALITY,
) -> Path:
    """Write ``result`` stamped as colorized to ``destination``; returns the path written.
    ``jpeg_quality`` (1-100) applies when ``fmt`` is JPEG.

    Raises :class:`OutputError` when the file exists (and not ``overwrite``), when the destination
    is the source itself, or when the folder cannot be written.
    """
    destination = Path(destination)
    if image.path is not None and _same_file(image.path, destination):
        raise OutputError(f"{destination}: refusing to write over the original photo")
    if destination.exists() and not overwrite:
        raise OutputError(f"{destination}: already exists (use overwrite to replace it)")
    folder = destination.parent
    if not folder.is_dir():
        raise OutputError(f"{folder}: output folder does not exist")
    pil = _to_pil(result.rgb, image.alpha if fmt != "JPEG" else None)
    stamp = make_stamp(image, result)
    options = _save_options(fmt, stamp, image, keep_exif=keep_exif, jpeg_quality=jpeg_quality)
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            pil.save(stream, format=fmt, **options)
            stream.flush()
            os.fsync(stream.fileno())
        _place(tmp, destination, overwrite=overwrite)
    except OutputError:
        raise
    except (OSError, ValueError) as exc:
        raise OutputError(f"{destination}: could not be written ({exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return destination


def _place(tmp: Path, destination: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, destination)
        return
    try:
        # link() fails if the destination appeared meanwhile: no race can make us overwrite.
        os.link(tmp, destination)
    except FileExistsError:
        raise OutputError(f"{destination}: already exists (use overwrite to replace it)") from None
    except OSError:
        # File systems without hard links (some network and FAT drives): check, then rename.
        if destination.exists():
            raise OutputError(f"{destination}: already exists (use overwrite to replace it)") from None
        os.replace(tmp, destination)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _to_pil(rgb: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    if alpha is not None:
        return Image.fromarray(np.dstack([rgb, alpha]), mode="RGBA")
    return Image.fromarray(rgb, mode="RGB")


def _save_options(fmt: str, stamp: Stamp, image: LoadedImage, *, keep_exif: bool, jpeg_quality: int) -> dict:
    xmp = build_xmp(stamp)
    exif_tags = exif_with_stamp(image.exif if keep_exif else None, stamp)
    exif = exif_tags.tobytes()
    options: dict = {}
    if image.icc_profile:
        options["icc_profile"] = image.icc_profile
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        info.add_text("Description", stamp.description)
        info.add_text("Software", stamp.software)
        options.update(pnginfo=info, exif=exif)
    elif fmt == "JPEG":
        options.update(quality=jpeg_quality, subsampling="4:2:0", optimize=False, xmp=xmp, exif=exif)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY, method=4, xmp=xmp, exif=exif)
    elif fmt == "TIFF":
        # TIFF keeps EXIF's IFD0 tags (ImageDescription, Software...) as its own baseline tags.
        tags = {tag: value for tag, value in exif_tags.items() if tag not in _IFD_POINTERS}
        options.update(compression="tiff_adobe_deflate", tiffinfo={**tags, XMP_TIFF_TAG: xmp})
    return options
