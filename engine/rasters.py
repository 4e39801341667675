"""Opening image bytes with the decoders of :mod:`engine.formats` only, under Tintype's own pixel limit.

``Image.open`` alone picks a decoder by content among every format Pillow knows (a PostScript file
named ``holiday.jpg`` is handed to Ghostscript), and applies Pillow's own decompression-bomb limits
(a warning at 89 MP, an error at 179 MP) whatever limit the caller states. :func:`open_raster` tries
the formats of the table in order, and leaves one limit, :func:`check_pixels`, to the caller.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence

from PIL import Image

from engine.errors import ImageLoadError
from engine.formats import READ_FORMATS, read_spec

# Scans of 24 MP and panoramas well past that are normal; more pixels than this is almost surely a
# decompression bomb (a tiny file that claims a huge canvas). ``--max-megapixels`` changes it.
DEFAULT_MAX_PIXELS = 150_000_000

# What a Pillow decoder raises while reading a header it does not accept (Image.open's own list).
_NOT_THIS_FORMAT = (SyntaxError, IndexError, TypeError, struct.error)


def open_raster(data: bytes, *, label: str, formats: Sequence[str] = READ_FORMATS) -> Image.Image:
    """``data`` opened (header read, pixels not decoded) by the first of ``formats`` that accepts it.

    :class:`ImageLoadError` with a one-line reason when none does: "damaged" when one of them knew the
    signature but not the rest, "not an image Tintype can read" otherwise. Pillow's own pixel limit
    is not applied here (see :func:`check_pixels`).
    """
    Image.init()  # registers the decoders; each is only ever used if it is in ``formats``
    stream = io.BytesIO(data)
    prefix = data[:16]
    recognised: str | None = None
    last: BaseException | None = None
    for name in formats:
        entry = Image.OPEN.get(name.upper())
        if entry is None:
            continue
        factory, accept = entry
        verdict = accept(prefix) if accept is not None else True
        if not verdict or isinstance(verdict, str):  # a string is Pillow's "looks like it, but unsupported"
            continue
        recognised = recognised or name
        stream.seek(0)
        try:
            return factory(stream, "")
        except _NOT_THIS_FORMAT as exc:
            last = exc
            continue
        except Image.DecompressionBombError:  # some decoders (WebP, GIF frames) check on their own
            raise ImageLoadError(f"{label}: the {name} header claims more pixels than Pillow's decoder takes") from None
        except (OSError, ValueError, EOFError) as exc:
            raise ImageLoadError(f"{label}: {name} data is damaged or truncated ({_short(exc)})") from None
    if recognised is not None:
        raise ImageLoadError(f"{label}: {recognised} header is damaged or truncated ({_short(last)})")
    raise ImageLoadError(f"{label}: not an image Tintype can read")


def check_pixels(image: Image.Image, *, size_bytes: int, max_pixels: int, label: str) -> None:
    """Refuse ``image`` before decoding when its header claims more pixels than a file of
    ``size_bytes`` can hold (truncated), or more than ``max_pixels`` (the one pixel limit)."""
    width, height = image.size
    megapixels = width * height / 1e6
    spec = read_spec(image.format or "")
    if spec is not None and size_bytes < spec.min_bytes_per_mp * megapixels:
        raise ImageLoadError(
            f"{label}: truncated: the header claims {width}x{height} ({megapixels:.1f} MP) but the "
            f"file holds only {size_bytes / 1024:.0f} KB"
        )
    if width * height > max_pixels:
        raise ImageLoadError(
            f"{label}: {width}x{height} is {megapixels:.1f} megapixels, over the {max_pixels / 1e6:g} MP limit"
        )


def decode_error(exc: BaseException, *, label: str, image: Image.Image | None) -> ImageLoadError:
    """A one-line :class:`ImageLoadError` for a decoder failure (``image``: the opened header, if any)."""
    text = str(exc).lower()
    claimed = f" ({image.size[0]}x{image.size[1]} claimed)" if image is not None else ""
    if isinstance(exc, Image.DecompressionBombError):
        return ImageLoadError(f"{label}: too many pixels for Pillow's decoder{claimed}")
    if "truncat" in text or isinstance(exc, EOFError):
        return ImageLoadError(f"{label}: image data is truncated{claimed}")
    return ImageLoadError(f"{label}: image data is damaged ({_short(exc)})")


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return "no decoder said why"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
