"""Writing results: result names, the stamp, verified atomic no-overwrite writes.

A result is encoded in memory with its stamp and the photo's kept metadata, decoded back to check
it is a readable image of the right size, then written through :func:`engine.atomic.write_atomic`
(a temporary file, verified on disk, then linked or renamed into place), so an error (disk full,
encoder failure, cancel) never leaves a half-written file, and an existing file is never replaced
unless ``overwrite`` is set. Formats and their encoder settings come from the table in
:mod:`engine.formats`; the whole save sequence (plan, format, stamp, write) is
:func:`engine.pipeline.save_colorized`.

A restored gray (:func:`save_restored`, ``<stem>.restored.<ext>``) goes through the same write.

Metadata written: the stamp (:mod:`engine.stamp`), the photo's descriptive EXIF (:mod:`engine.exif`;
never the source file's layout tags), its own XMP beside the stamp (:mod:`engine.xmp`), and an RGB
ICC profile when the photo had one (:mod:`engine.icc`; color results only). When an encoder refuses
the photo's own metadata (a JPEG's 64 KB EXIF limit), the result is written with the stamp alone and
a warning.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import struct
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from engine import __version__
from engine.atomic import write_atomic
from engine.colorize import ModelResult
from engine.errors import ImageLoadError, OutputError, OutputExistsError
from engine.exif import SUB_IFDS, append_sub_ifds, descriptive_exif, load_exif, sub_ifds
from engine.formats import (
    FORMAT_CHOICES,
    PNG_TEXT,
    TIFF_TAGS,
    XMP_EXIF,
    ImageFormat,
    format_spec,
    output_format,
)
from engine.icc import profile_space
from engine.images import LoadedImage
from engine.photos import RESTORED_MARKER, RESULT_MARKER
from engine.rasters import open_raster
from engine.stamp import (
    XMP_TIFF_TAG,
    Edits,
    RestoreStamp,
    Stamp,
    build_xmp,
    exif_with_stamp,
)
from engine.text import printable
from engine.xmp import merge_xmp

log = logging.getLogger(__name__)

# FORMAT_CHOICES, output_format and default_output_path are the app's old names, kept until it imports
# them from their homes (engine.formats, plan_output).
__all__ = [
    "FORMAT_CHOICES",
    "default_output_path",
    "encode_stamped",
    "ensure_output_folder",
    "make_stamp",
    "output_format",
    "plan_output",
    "save_restored",
    "save_result",
]

# The ICC color space a profile must have to be written with pixels of each mode.
_PROFILE_SPACE = {"RGB": b"RGB ", "RGBA": b"RGB ", "L": b"GRAY", "LA": b"GRAY"}

# What Pillow's encoders raise for data they refuse (a tag of the wrong type, EXIF too long, libtiff).
_ENCODER_ERRORS = (OSError, ValueError, TypeError, KeyError, RuntimeError, struct.error, OverflowError)


def plan_output(
    source: Path | None, model_id: str | None, fmt: str, *, folder: Path | None = None, stem: str | None = None
) -> Path:
    """Where a result goes: ``<stem>.<model>.colorized.<ext>`` next to ``source``, or in ``folder``;
    with ``model_id`` None, the restored gray: ``<stem>.restored.<ext>``.

    ``fmt`` is an output format's Pillow name (see :func:`engine.formats.output_format`); the
    ``.colorized.`` and ``.restored.`` markers are what a later folder scan skips. ``stem`` replaces
    the photo's own (a batch gives a second photo of the same name its own, see :mod:`engine.batch`).
    """
    stem = stem if stem is not None else (source.stem if source else "image")
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
    """The stamp of one result; text from outside (the file name, the model's metadata) is made
    printable (:func:`engine.text.printable`)."""
    return Stamp(
        model_id=printable(result.model_id),
        model_name=printable(result.display_name),
        model_version=printable(result.model_version),
        app_version=__version__,
        colorized_at=_now(),
        source_name=printable(image.name),
        source_sha256=image.sha256,
        edits=Edits(restore=image.restored, controls=result.controls, hints=result.hints),
    )


def make_restore_stamp(image: LoadedImage) -> RestoreStamp:
    """The stamp of ``image``'s restored gray: the steps are ``image.restored``."""
    return RestoreStamp(
        app_version=__version__,
        restored_at=_now(),
        source_name=printable(image.name),
        source_sha256=image.sha256,
        edits=Edits(restore=image.restored),
    )


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

    ``quality`` (1..100) replaces the format's own for JPEG and WebP. Raises
    :class:`OutputExistsError` when the file exists (and not ``overwrite``), :class:`OutputError`
    when the destination is the source itself, the folder cannot be written, the encoder fails or
    the file does not reach the disk whole.
    """
    return _save_stamped(
        image,
        result.rgb,
        make_stamp(image, result),
        destination,
        fmt=fmt,
        overwrite=overwrite,
        keep_exif=keep_exif,
        quality=quality,
    )


def save_restored(
    image: LoadedImage,
    destination: Path,
    *,
    fmt: str,
    overwrite: bool = False,
    keep_exif: bool = True,
    quality: int | None = None,
) -> Path:
    """Write ``image.gray`` (restored: see :attr:`LoadedImage.restored`) as a gray file stamped as
    algorithmically enhanced, with the steps; otherwise as :func:`save_result` (the same checks,
    verified atomic write and errors). The photo's ICC profile is kept only when it is a gray one: an
    RGB profile does not describe gray pixels, and a gray photo's own profile was applied when it was
    loaded (:mod:`engine.icc`), so its gray is already sRGB's and the file carries no profile."""
    return _save_stamped(
        image,
        image.gray,
        make_restore_stamp(image),
        destination,
        fmt=fmt,
        overwrite=overwrite,
        keep_exif=keep_exif,
        quality=quality,
    )


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
    """The verified, atomic, never-overwriting write of uint8 RGB ``HxWx3`` or gray ``HxW`` ``pixels``."""
    destination = Path(destination)
    if image.path is not None and _same_file(image.path, destination):
        raise OutputError(f"{destination}: refusing to write over the original photo")
    if os.path.lexists(destination) and not overwrite:
        raise OutputExistsError(destination)
    folder = destination.parent
    if not folder.is_dir():
        raise OutputError(f"{folder}: output folder does not exist")
    data = encode_stamped(
        image, pixels, stamp, format_spec(fmt), keep_exif=keep_exif, quality=quality, label=str(destination)
    )
    write_atomic(destination, data, overwrite=overwrite)
    return destination


def encode_stamped(
    image: LoadedImage,
    pixels: np.ndarray,
    stamp: Stamp | RestoreStamp,
    spec: ImageFormat,
    *,
    keep_exif: bool = True,
    quality: int | None = None,
    label: str = "result",
) -> bytes:
    """The bytes of a file of ``pixels`` (uint8 RGB ``HxWx3`` or gray ``HxW``, with ``image.alpha`` where
    the format keeps it) in format ``spec``: stamped, with the photo's metadata when ``keep_exif``
    (its EXIF and XMP), decoded back to check; :class:`OutputError` if it cannot be made."""
    if spec.max_side and max(image.size) > spec.max_side:
        raise OutputError(
            f"{label}: {image.size[0]}x{image.size[1]} is larger than {spec.pillow} allows "
            f"({spec.max_side} pixels a side); save it as PNG or TIFF"
        )
    pil = _to_pil(pixels, image.alpha if spec.keeps_alpha else None)
    with_source = (True, False) if keep_exif and (image.exif or image.xmp) else (False,)
    for keep in with_source:
        try:
            data = _encode(pil, spec, stamp, image, keep_source=keep, quality=quality)
        except _ENCODER_ERRORS as exc:
            if keep:
                log.warning(
                    "%s: the photo's own metadata not kept: the %s encoder refused it (%s)", label, spec.pillow, exc
                )
                continue
            raise OutputError(f"{label}: the {spec.pillow} encoder failed ({exc})") from None
        _check_reads_back(data, spec, pil, label=label)
        return data
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _encode(
    pil: Image.Image,
    spec: ImageFormat,
    stamp: Stamp | RestoreStamp,
    image: LoadedImage,
    *,
    keep_source: bool,
    quality: int | None,
) -> bytes:
    """Pillow ``save`` with the format's encoder settings, the ICC profile and the stamp carrier."""
    xmp = build_xmp(stamp)
    if keep_source:
        xmp = merge_xmp(xmp, image.xmp, label=image.name)
    # The photo's EXIF reduced to descriptive tags again: a LoadedImage made elsewhere may carry more.
    source_exif = descriptive_exif(load_exif(image.exif), label=image.name) if keep_source else None
    exif_tags = exif_with_stamp(source_exif, stamp)
    options: dict = {}
    if image.icc_profile and profile_space(image.icc_profile) == _PROFILE_SPACE[pil.mode]:
        options["icc_profile"] = image.icc_profile  # never misattached: an RGB profile cannot describe gray pixels
    options.update(spec.save_options)
    if quality is not None and "quality" in options:
        options["quality"] = quality
    subs: dict[int, dict[int, object]] = {}
    if spec.stamp_carrier == PNG_TEXT:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        info.add_text("Description", stamp.description)
        info.add_text("Software", stamp.software)
        options.update(pnginfo=info, exif=exif_tags.tobytes())
    elif spec.stamp_carrier == XMP_EXIF:
        options.update(xmp=xmp, exif=exif_tags.tobytes())
    elif spec.stamp_carrier == TIFF_TAGS:
        # The first IFD gets the descriptive tags (ImageDescription, Software, Artist...) and the XMP;
        # Pillow sets the layout tags for the RGB(A) data written. The sub-IFDs are added after.
        subs = sub_ifds(exif_tags)
        tags = {tag: exif_tags[tag] for tag in exif_tags if tag not in SUB_IFDS}
        options.update(tiffinfo={**tags, XMP_TIFF_TAG: xmp})
    else:
        raise OutputError(f"{spec.pillow}: no way to carry the colorized stamp")
    buffer = io.BytesIO()
    pil.save(buffer, format=spec.pillow, **options)
    data = buffer.getvalue()
    return append_sub_ifds(data, subs) if subs else data


def _check_reads_back(data: bytes, spec: ImageFormat, pil: Image.Image, *, label: str) -> None:
    """Decode what was encoded: an image of ``pil``'s size and mode, or :class:`OutputError`."""
    try:
        with open_raster(data, label=label, formats=(spec.pillow,)) as check:
            size, mode = check.size, check.mode
            if spec.pillow == "JPEG":
                check.draft(mode, (max(1, size[0] // 8), max(1, size[1] // 8)))  # every byte parsed, less work
            check.load()
    except (ImageLoadError, *_ENCODER_ERRORS, SyntaxError, EOFError) as exc:
        raise OutputError(f"{label}: the {spec.pillow} file made does not read back ({exc}); not written") from None
    modes = {pil.mode}
    if pil.mode in ("RGBA", "LA") and pil.getchannel("A").getextrema() == (255, 255):
        modes.add(pil.mode[:-1])  # WebP drops an alpha that is opaque everywhere
    if spec.pillow == "WEBP":
        modes |= {{"L": "RGB", "LA": "RGBA"}.get(m, m) for m in modes}  # WebP stores gray as RGB
    if size != pil.size or mode not in modes:
        raise OutputError(f"{label}: the {spec.pillow} file made reads back as {mode} {size[0]}x{size[1]}; not written")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _to_pil(rgb: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    if rgb.ndim == 2:  # gray
        return (
            Image.fromarray(np.dstack([rgb, alpha]), mode="LA") if alpha is not None else Image.fromarray(rgb, mode="L")
        )
    if alpha is not None:
        return Image.fromarray(np.dstack([rgb, alpha]), mode="RGBA")
    return Image.fromarray(rgb, mode="RGB")
