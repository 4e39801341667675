"""Writing results: result names, the stamp, atomic no-overwrite writes.

A write goes to a temporary file in the destination folder and is then linked/renamed into place,
so an error (disk full, encoder failure, cancel) never leaves a half-written file, and an existing
file is never replaced unless ``overwrite`` is set. Formats and their encoder settings come from the
table in :mod:`engine.formats`; the whole save sequence (plan, format, stamp, write) is
:func:`engine.pipeline.save_colorized`.
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
from engine.formats import (
    FORMAT_CHOICES,
    PNG_TEXT,
    TIFF_TAGS,
    XMP_EXIF,
    ImageFormat,
    format_spec,
    output_format,
)
from engine.images import LoadedImage
from engine.photos import RESULT_MARKER
from engine.stamp import XMP_TIFF_TAG, Stamp, build_xmp, exif_with_stamp

log = logging.getLogger(__name__)

# FORMAT_CHOICES, output_format and default_output_path are the app's old names, kept until it imports
# them from their homes (engine.formats, plan_output).
__all__ = [
    "FORMAT_CHOICES",
    "default_output_path",
    "ensure_output_folder",
    "make_stamp",
    "output_format",
    "plan_output",
    "save_result",
]

_IFD_POINTERS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, Interop sub-IFD offsets: not copyable as values


def plan_output(source: Path | None, model_id: str, fmt: str, *, folder: Path | None = None) -> Path:
    """Where a result goes: ``<stem>.<model>.colorized.<ext>`` next to ``source``, or in ``folder``.

    ``fmt`` is an output format's Pillow name (see :func:`engine.formats.output_format`); the
    ``.colorized.`` marker is what a later folder scan skips.
    """
    stem = source.stem if source else "image"
    where = folder if folder is not None else (source.parent if source else Path.cwd())
    return where / f"{stem}.{model_id}{RESULT_MARKER}{format_spec(fmt).extension.lstrip('.')}"


default_output_path = plan_output  # the app's old name (see __all__)


def ensure_output_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if needed; OutputError when it cannot be made or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create output folder ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{folder}: output folder is not writable")


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
) -> Path:
    """Write ``result`` stamped as colorized to ``destination``; returns the path written.

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
    spec = format_spec(fmt)
    pil = _to_pil(result.rgb, image.alpha if spec.keeps_alpha else None)
    stamp = make_stamp(image, result)
    options = _save_options(spec, stamp, image, keep_exif=keep_exif)
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            pil.save(stream, format=spec.pillow, **options)
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


def _save_options(spec: ImageFormat, stamp: Stamp, image: LoadedImage, *, keep_exif: bool) -> dict:
    """Pillow ``save`` keywords: the format's encoder settings, the ICC profile and the stamp."""
    xmp = build_xmp(stamp)
    exif_tags = exif_with_stamp(image.exif if keep_exif else None, stamp)
    exif = exif_tags.tobytes()
    options: dict = {}
    if image.icc_profile:
        options["icc_profile"] = image.icc_profile
    options.update(spec.save_options)
    if spec.stamp_carrier == PNG_TEXT:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        info.add_text("Description", stamp.description)
        info.add_text("Software", stamp.software)
        options.update(pnginfo=info, exif=exif)
    elif spec.stamp_carrier == XMP_EXIF:
        options.update(xmp=xmp, exif=exif)
    elif spec.stamp_carrier == TIFF_TAGS:
        # TIFF keeps EXIF's IFD0 tags (ImageDescription, Software...) as its own baseline tags.
        tags = {tag: value for tag, value in exif_tags.items() if tag not in _IFD_POINTERS}
        options.update(tiffinfo={**tags, XMP_TIFF_TAG: xmp})
    else:
        raise OutputError(f"{spec.pillow}: no way to carry the colorized stamp")
    return options
