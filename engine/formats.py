"""The image formats Tintype knows: one table, and everything about formats derives from it.

A row per format: the file extensions (the first is the one written), Pillow's format name, whether a
saved file can carry the colorized stamp (only those are offered as output formats; a photo in any
other format is saved as PNG), whether it keeps an alpha channel, the encoder settings, how the
stamp is embedded (see :mod:`engine.saving`), and the smallest size a complete file can have.
Photos are decoded with these formats' Pillow decoders only (:data:`READ_FORMATS`). The folder scan's
suffixes, the ``--format`` choices, the app's format list and the result names all read this table.

To add an output format: one row here, and a stamp carrier in :mod:`engine.saving` if none fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from PIL import features

from engine.errors import OutputError

# How a format embeds the stamp (engine.saving has one writer per carrier).
PNG_TEXT = "png_text"  # iTXt XMP + tEXt Description/Software + eXIf
XMP_EXIF = "xmp_exif"  # Pillow's xmp= and exif= (JPEG APP1, WebP chunks)
TIFF_TAGS = "tiff_tags"  # tag 700 XMP + EXIF's IFD0 tags as TIFF baseline tags


@dataclass(frozen=True)
class ImageFormat:
    """One row of the format table."""

    pillow: str  # Pillow's format name: what Image.format reports and Image.save(format=) takes
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the one written
    carries_stamp: bool = False  # a saved file can hold the stamp: offered as an output format
    keeps_alpha: bool = False  # a saved file keeps the photo's transparency
    save_options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    stamp_carrier: str = ""  # one of PNG_TEXT, XMP_EXIF, TIFF_TAGS for the formats that carry the stamp
    also_reads: tuple[str, ...] = ()  # other Pillow names saved as this format (phones' multi-picture JPEG)
    # The fewest bytes a complete file of this format can hold per megapixel (0: no useful bound). A
    # smaller file that claims that many pixels is truncated: refused before a pixel is decoded.
    min_bytes_per_mp: int = 0
    requires: str = ""  # a Pillow feature (PIL.features.check) this format needs, e.g. "avif"
    max_side: int = 0  # the longest side a file of this format can have (0: no limit that matters)

    @property
    def available(self) -> bool:
        """True when this Pillow reads the format (always, unless it needs an optional codec)."""
        return not self.requires or bool(features.check(self.requires))

    @property
    def choice(self) -> str:
        """The name a person types (``--format``, the app's settings): ``jpeg``, ``png``..."""
        return self.pillow.lower()

    @property
    def extension(self) -> str:
        """The extension of the files written, with the dot."""
        return self.extensions[0]


FORMATS: tuple[ImageFormat, ...] = (
    ImageFormat(
        pillow="JPEG",
        extensions=(".jpg", ".jpeg"),
        carries_stamp=True,
        # 95: a restoration keeps quality (--quality changes it); JPEG then adds about 1.3 gray levels.
        save_options=MappingProxyType({"quality": 95, "subsampling": "4:2:0", "optimize": False}),
        stamp_carrier=XMP_EXIF,
        also_reads=("MPO",),
        # Huffman-coded JPEG spends at least ~2 bits per 8x8 block even on a blank page (~4 KB/MP).
        min_bytes_per_mp=256,
        max_side=65535,
    ),
    ImageFormat(
        pillow="PNG",
        extensions=(".png",),
        carries_stamp=True,
        keeps_alpha=True,
        stamp_carrier=PNG_TEXT,
        min_bytes_per_mp=100,  # deflate packs at most 1032:1; a bilevel PNG is 125 KB/MP raw
    ),
    ImageFormat(
        pillow="TIFF",
        extensions=(".tif", ".tiff"),
        carries_stamp=True,
        keeps_alpha=True,
        save_options=MappingProxyType({"compression": "tiff_adobe_deflate"}),
        stamp_carrier=TIFF_TAGS,
    ),
    ImageFormat(
        pillow="WEBP",
        extensions=(".webp",),
        carries_stamp=True,
        keeps_alpha=True,
        save_options=MappingProxyType({"quality": 90, "method": 4}),
        stamp_carrier=XMP_EXIF,
        max_side=16383,
    ),
    # Read, never written: no place for the stamp, so their photos are saved as PNG.
    ImageFormat(pillow="BMP", extensions=(".bmp",), min_bytes_per_mp=1000),  # RLE: 2 bytes per 255 pixels
    ImageFormat(pillow="GIF", extensions=(".gif",), min_bytes_per_mp=100),  # 12-bit LZW codes of <= 4096 pixels
    ImageFormat(pillow="AVIF", extensions=(".avif",), requires="avif"),
)

OUTPUT_FORMATS: tuple[ImageFormat, ...] = tuple(f for f in FORMATS if f.carries_stamp)
FALLBACK = "PNG"  # what a photo in a format that cannot carry the stamp is saved as
SAME = "same"  # the output format choice "the photo's own format"
FORMAT_CHOICES: tuple[str, ...] = (SAME, *(f.choice for f in OUTPUT_FORMATS))
# Every extension of every format this Pillow reads: what a folder scan looks for.
IMAGE_SUFFIXES: frozenset[str] = frozenset(ext for f in FORMATS if f.available for ext in f.extensions)
# The Pillow decoders a photo may be opened with, and no other: Pillow otherwise picks a decoder by the
# file's content, so a PostScript program named holiday.jpg would be run by Ghostscript. (A phone's MPO
# is opened by the JPEG decoder, which Image.open(formats=READ_FORMATS) accepts as it is.)
READ_FORMATS: tuple[str, ...] = tuple(f.pillow for f in FORMATS if f.available)

_BY_PILLOW = {name: f for f in FORMATS for name in (f.pillow, *f.also_reads)}
_OUTPUT_BY_PILLOW = {f.pillow: f for f in OUTPUT_FORMATS}
# What a person may type for an output format: its name or any of its extensions, any case.
_BY_REQUEST = {name: f for f in OUTPUT_FORMATS for name in (f.choice, *(e.lstrip(".") for e in f.extensions))}


def read_spec(pillow: str) -> ImageFormat | None:
    """The table row of a format Tintype reads (its Pillow name, e.g. ``"MPO"``), or None."""
    return _BY_PILLOW.get((pillow or "").upper())


def format_spec(pillow: str) -> ImageFormat:
    """The table row of an output format (its Pillow name, e.g. ``"JPEG"``); OutputError if none."""
    spec = _OUTPUT_BY_PILLOW.get(pillow.upper())
    if spec is None:
        raise OutputError(f"unknown output format '{pillow}' (choose from {', '.join(FORMAT_CHOICES)})")
    return spec


def output_format(input_format: str, requested: str = SAME) -> str:
    """Pillow format to write: ``requested`` (a :data:`FORMAT_CHOICES` entry or an extension such as
    ``jpg``), or for ``same`` the input's own when it can carry the stamp (JPEG stays JPEG), else PNG."""
    if requested and requested != SAME:
        spec = _BY_REQUEST.get(requested.lower())
        if spec is None:
            raise OutputError(f"unknown output format '{requested}' (choose from {', '.join(FORMAT_CHOICES)})")
        return spec.pillow
    spec = _BY_PILLOW.get((input_format or "").upper())
    return spec.pillow if spec is not None and spec.carries_stamp else FALLBACK


def format_for_target(input_format: str, target: Path, requested: str = SAME) -> str:
    """Pillow format for a file name a person chose: the one its extension names, else ``requested``
    (see :func:`output_format`)."""
    return output_format(input_format, target.suffix.lstrip(".") or requested)
