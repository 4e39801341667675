"""Which EXIF a result keeps: descriptive tags only, never the source file's structure.

A TIFF's first IFD is both its EXIF and its layout (bits per sample, photometric interpretation,
strip offsets, page number...). Copied into a result, the layout describes the gray source, not the
RGB file written, and the file becomes unreadable or wrongly colored. So a photo's EXIF is reduced,
once, at load, to the tags that describe the photo (camera, date, author, rights, resolution, GPS,
the EXIF sub-IFD without its layout tags), and every result format writes only that plus the stamp.

A tag whose value does not fit its type (an orientation stored as text) is dropped, not fatal;
damaged EXIF as a whole is dropped with a warning.
"""

from __future__ import annotations

import logging
import struct

from PIL import Image, TiffImagePlugin

log = logging.getLogger(__name__)

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825

# IFD0 tags that describe the photo, not the file's layout.
DESCRIPTIVE_TAGS = frozenset(
    {
        0x010D,  # DocumentName
        0x010E,  # ImageDescription
        0x010F,  # Make
        0x0110,  # Model
        ORIENTATION,  # kept as 1: the pixels are stored upright
        0x011A,  # XResolution
        0x011B,  # YResolution
        0x0128,  # ResolutionUnit
        0x0131,  # Software
        0x0132,  # DateTime
        0x013B,  # Artist
        0x013C,  # HostComputer
        0x4746,  # Rating
        0x4749,  # RatingPercent
        0x8298,  # Copyright
        0x9C9B,
        0x9C9C,
        0x9C9D,
        0x9C9E,
        0x9C9F,  # Windows XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject
    }
)
# Sub-IFDs kept, with the tags dropped from each: layout tags, offsets that would dangle, and the
# maker note (camera-private data full of absolute offsets, which a copy breaks).
SUB_IFDS: dict[int, frozenset[int]] = {
    EXIF_IFD: frozenset(
        {
            0x9101,  # ComponentsConfiguration
            0x9102,  # CompressedBitsPerPixel
            0x927C,  # MakerNote
            0xA001,  # ColorSpace: the result's profile says it
            0xA002,  # PixelXDimension
            0xA003,  # PixelYDimension
            0xA005,  # Interoperability IFD offset
        }
    ),
    GPS_IFD: frozenset(),
}
_VALUE_ERRORS = (struct.error, TypeError, ValueError, OverflowError, KeyError, UnicodeError)


def read_exif(image: Image.Image, *, label: str) -> Image.Exif | None:
    """The EXIF of an opened image, or None when it has none or it cannot be read (logged)."""
    try:
        exif = image.getexif()
        return exif if len(exif) else None
    except (*_VALUE_ERRORS, SyntaxError, OSError, EOFError) as exc:
        log.warning("%s: damaged EXIF ignored (%s)", label, exc)
        return None


def orientation(exif: Image.Exif | None) -> int:
    """The EXIF orientation (1..8), 1 when absent or not a valid value."""
    value = exif.get(ORIENTATION, 1) if exif is not None else 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def descriptive_exif(exif: Image.Exif | None, *, label: str) -> bytes | None:
    """The EXIF block a result keeps: :data:`DESCRIPTIVE_TAGS` and the cleaned :data:`SUB_IFDS`,
    orientation reset to 1; None when nothing is left."""
    if exif is None:
        return None
    kept = Image.Exif()
    for tag in DESCRIPTIVE_TAGS:
        if tag in exif:
            value = 1 if tag == ORIENTATION else exif.get(tag)
            if _writable({tag: value}):
                kept[tag] = value
            else:
                log.debug("%s: EXIF tag 0x%04X has a value of the wrong type, dropped", label, tag)
    for tag, dropped in SUB_IFDS.items():
        entries = _sub_ifd(exif, tag, label=label)
        entries = {k: v for k, v in entries.items() if k not in dropped and _writable({tag: {k: v}})}
        if entries:
            kept[tag] = entries
    if not len(kept):
        return None
    try:
        return kept.tobytes()
    except _VALUE_ERRORS as exc:  # each tag passed alone; together they should too
        log.warning("%s: EXIF not kept (%s)", label, exc)
        return None


def load_exif(data: bytes | None) -> Image.Exif:
    """An Exif object for a block from :func:`descriptive_exif` (empty for None); its sub-IFDs
    readable with ``get_ifd``."""
    exif = Image.Exif()
    if data:
        try:
            exif.load(data)
        except (*_VALUE_ERRORS, SyntaxError, OSError, EOFError) as exc:
            log.warning("damaged EXIF block ignored (%s)", exc)
            return Image.Exif()
    return exif


def sub_ifds(exif: Image.Exif) -> dict[int, dict[int, object]]:
    """The kept sub-IFDs of ``exif`` as plain dicts (the TIFF writer needs them apart)."""
    return {tag: dict(exif.get_ifd(tag)) for tag in SUB_IFDS if tag in exif and exif.get_ifd(tag)}


def append_sub_ifds(tiff: bytes, ifds: dict[int, dict[int, object]]) -> bytes:
    """``tiff`` (a classic TIFF) with ``ifds`` (EXIF and GPS sub-IFDs, as :func:`sub_ifds` gives them)
    appended and pointed to from its first IFD. libtiff, which Pillow uses to write compressed TIFF,
    cannot write them: a copy of the first IFD with the pointers added replaces it; nothing moves."""
    if not ifds:
        return tiff
    order = tiff[:2]
    endian = {b"II": "<", b"MM": ">"}.get(order)
    if endian is None or struct.unpack(endian + "H", tiff[2:4])[0] != 42:
        raise ValueError("not a classic TIFF")
    (first,) = struct.unpack(endian + "I", tiff[4:8])
    entries = _entries(tiff, first, endian)
    (count,) = struct.unpack(endian + "H", tiff[first : first + 2])
    next_ifd = tiff[first + 2 + 12 * count : first + 6 + 12 * count]
    out = bytearray(tiff + b"\0" * (len(tiff) % 2))
    # Pillow writes the sub-IFDs (with each group's tag types) behind a small IFD of pointers; its
    # pointer entries join the first IFD, the small IFD itself is left unused.
    pointers = TiffImagePlugin.ImageFileDirectory_v2(ifh=tiff[:4] + b"\0\0\0\0")
    for tag, values in ifds.items():
        pointers[tag] = values
    start = len(out)
    out += pointers.tobytes(start)
    entries.update({tag: entry for tag, entry in _entries(bytes(out), start, endian).items() if tag in ifds})
    out += b"\0" * (len(out) % 2)
    table = struct.pack(endian + "H", len(entries)) + b"".join(entries[tag] for tag in sorted(entries)) + next_ifd
    out[4:8] = struct.pack(endian + "I", len(out))
    return bytes(out + table)


def _entries(data: bytes, offset: int, endian: str) -> dict[int, bytes]:
    (count,) = struct.unpack(endian + "H", data[offset : offset + 2])
    raw = (data[offset + 2 + 12 * i : offset + 14 + 12 * i] for i in range(count))
    return {struct.unpack(endian + "H", entry[:2])[0]: entry for entry in raw}


def _sub_ifd(exif: Image.Exif, tag: int, *, label: str) -> dict[int, object]:
    if tag not in exif:
        return {}
    try:
        return dict(exif.get_ifd(tag))
    except (*_VALUE_ERRORS, SyntaxError, OSError, EOFError, AttributeError) as exc:
        log.debug("%s: EXIF sub-IFD 0x%04X unreadable, dropped (%s)", label, tag, exc)
        return {}


def _writable(entries: dict) -> bool:
    probe = Image.Exif()
    try:
        for tag, value in entries.items():
            probe[tag] = value
        probe.tobytes()
    except _VALUE_ERRORS:
        return False
    return True
