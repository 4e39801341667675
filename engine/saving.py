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
from engine.photos import RESTORED_MARKER, RESULT_MARKER
from engine.stamp import (
    XMP_TIFF_TAG,
    Edits,
    RestoreStamp,
    Stamp,
    build_xmp,
    exif_with_stamp,
)

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
    "save_restored",
    "save_result",
]

_IFD_POINTERS = (0x8769, 0x8825, 0xA005)  # Exif, GPS, Interop sub-IFD offsets: not copyable as values


def plan_output(source: Path | None, model_id: str | None, fmt: str, *, folder: Path | None = None) -> Path:
    """Where a result goes: ``<stem>.<model>.colorized.<ext>`` next to ``source``, or in ``folder``;
    with ``model_id`` None, the restored gray: ``<stem>.restored.<ext>``.

    ``fmt`` is an output format's Pillow name (see :func:`engine.formats.output_format`); the
    ``.colorized.`` and ``.restored.`` markers are what a later folder scan skips.
    """
    stem = source.stem if source else "image"
    where = folder if folder is not None else (source.parent if source else Path.cwd())
    marker = RESTORED_MARKER if model_id is None else f".{model_id}{RESULT_MARKER}"
    return where / f"{stem}{marker}{format_spec(fmt).extension.lstrip('.')}"


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
        colorized_at=_now(),
        source_name=image.name,
        source_sha256=image.sha256,
        edits=Edits(restore=image.restored, controls=result.controls, hints=result.hints),
    )


def make_restore_stamp(image: LoadedImage) -> RestoreStamp:
    """The stamp of ``image``'s restored gray: the steps are ``image.restored``."""
    return RestoreStamp(app_version=__version__, restored_at=_now(), source_name=image.name,
                        source_sha256=image.sha256, edits=Edits(restore=image.restored))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def save_result(
    image: LoadedImage,
    result: ModelResult,
    destination: Path,
    *,
    fmt: str,
    overwrite: bool = False,
    keep_exif: bool = True,
    quality: int | None = None,
) -> Path:
    """Write ``result`` stamped as colorized to ``destination``; returns the path written.
    ``quality`` (1..100) replaces the format's own for JPEG and WebP.

    Raises :class:`OutputError` when the file exists (and not ``overwrite``), when the destination
    is the source itself, or when the folder cannot be written.
    """
    return _save_stamped(image, result.rgb, make_stamp(image, result), destination, fmt=fmt, overwrite=overwrite,
                         keep_exif=keep_exif, quality=quality)


def save_restored(
    image: LoadedImage, destination: Path, *, fmt: str, overwrite: bool = False, keep_exif: bool = True
) -> Path:
    """Write ``image.gray`` (restored: see :attr:`LoadedImage.restored`) as a gray file stamped as
    algorithmically enhanced, with the steps; otherwise as :func:`save_result`. The photo's ICC
    profile is kept only when it is a gray one (an RGB profile does not describe gray pixels)."""
    return _save_stamped(image, image.gray, make_restore_stamp(image), destination, fmt=fmt, overwrite=overwrite,
                         keep_exif=keep_exif)


def _save_stamped(
    image: LoadedImage,
    pixels: np.ndarray,
    stamp: Stamp | RestoreStamp,
    destination: Path,
    *,
    fmt: str,
    overwrite: bool,
    keep_exif: bool,
    quality: int | None = None,
) -> Path:
    """The atomic, never-overwriting write of uint8 RGB ``HxWx3`` or gray ``HxW`` ``pixels``."""
    destination = Path(destination)
    if image.path is not None and _same_file(image.path, destination):
        raise OutputError(f"{destination}: refusing to write over the original photo")
    if destination.exists() and not overwrite:
        raise OutputError(f"{destination}: already exists (use overwrite to replace it)")
    folder = destination.parent
    if not folder.is_dir():
        raise OutputError(f"{folder}: output folder does not exist")
    spec = format_spec(fmt)
    pil = _to_pil(pixels, image.alpha if spec.keeps_alpha else None)
    options = _save_options(spec, stamp, image, keep_exif=keep_exif, gray=pixels.ndim == 2, quality=quality)
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
    if rgb.ndim == 2:  # gray
        return Image.fromarray(np.dstack([rgb, alpha]), mode="LA") if alpha is not None else Image.fromarray(rgb, mode="L")
    if alpha is not None:
        return Image.fromarray(np.dstack([rgb, alpha]), mode="RGBA")
    return Image.fromarray(rgb, mode="RGB")


def _save_options(spec: ImageFormat, stamp: Stamp | RestoreStamp, image: LoadedImage, *, keep_exif: bool,
                  gray: bool = False, quality: int | None = None) -> dict:
    """Pillow ``save`` keywords: the format's encoder settings, the ICC profile and the stamp."""
    xmp = build_xmp(stamp)
    exif_tags = exif_with_stamp(image.exif if keep_exif else None, stamp)
    exif = exif_tags.tobytes()
    options: dict = {}
    if image.icc_profile and (not gray or _icc_color_space(image.icc_profile) == b"GRAY"):
        options["icc_profile"] = image.icc_profile
    options.update(spec.save_options)
    if quality is not None and "quality" in options:
        options["quality"] = quality
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


def _icc_color_space(profile: bytes) -> bytes:
    """An ICC profile's data color space signature (header bytes 16-19: ``GRAY``, ``RGB ``...)."""
    return profile[16:20]
