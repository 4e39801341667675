"""The colorized stamp: XMP (IPTC DigitalSourceType + Tintype fields) and EXIF text, and reading it back.

Where each format keeps it:
  PNG  iTXt ``XML:com.adobe.xmp`` (Pillow ignores ``xmp=`` for PNG) + tEXt Description/Software + eXIf
  JPEG APP1 XMP + EXIF ImageDescription/Software
  TIFF tag 700 (XMLPacket) + EXIF ImageDescription/Software
  WebP XMP chunk + EXIF chunk
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, fields
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

from engine.errors import ImageLoadError, StampError
from engine.exif import read_exif
from engine.files import read_regular_file
from engine.rasters import open_raster
from engine.text import printable

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_TINTYPE = "http://ns.tintype.app/colorized/1.0/"
XMP_TIFF_TAG = 700
EXIF_DESCRIPTION = 0x010E
EXIF_SOFTWARE = 0x0131
EXIF_ORIENTATION = 0x0112
MAX_STAMPED_FILE = 2 << 30  # bytes: the largest file read back for its stamp


@dataclass(frozen=True)
class Stamp:
    """What Tintype records in every file it saves."""

    model_id: str
    model_name: str
    model_version: str
    app_version: str
    colorized_at: str
    source_name: str
    source_sha256: str

    @property
    def description(self) -> str:
        return (
            f"Colorized by Tintype {self.app_version} with {self.model_name} ({self.model_id} "
            f"{self.model_version}) from {self.source_name}; the colors are a model's guess, not the original."
        )

    @property
    def software(self) -> str:
        return f"Tintype {self.app_version}"


_FIELDS = {f.name: "".join(part.capitalize() for part in f.name.split("_")) for f in fields(Stamp)}


def build_xmp(stamp: Stamp) -> bytes:
    """An XMP packet (UTF-8) carrying the IPTC digital source type and the Tintype fields. Control
    characters and undecodable bytes in the values are stored escaped (:func:`engine.text.printable`):
    XML cannot hold them."""
    attrs = "\n    ".join(f"tintype:{_FIELDS[name]}={quoteattr(printable(getattr(stamp, name)))}" for name in _FIELDS)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="{NS_RDF}">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="{NS_IPTC_EXT}"
    xmlns:xmp="{NS_XMP}"
    xmlns:dc="{NS_DC}"
    xmlns:tintype="{NS_TINTYPE}"
    Iptc4xmpExt:DigitalSourceType="{DIGITAL_SOURCE_TYPE}"
    xmp:CreatorTool={quoteattr(printable(stamp.software))}
    xmp:ModifyDate={quoteattr(printable(stamp.colorized_at))}
    {attrs}>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(printable(stamp.description))}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def parse_xmp(packet: bytes | str) -> Stamp:
    """The Stamp in an XMP packet; :class:`StampError` when it is not a Tintype colorized stamp."""
    text = packet.decode("utf-8", errors="replace") if isinstance(packet, bytes) else packet
    start, end = text.find("<x:xmpmeta"), text.rfind("</x:xmpmeta>")
    if start < 0 or end < 0:
        raise StampError("no XMP metadata")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # XMP has no DTD; one here could expand entities
        raise StampError("XMP declares a DTD, not read")
    try:
        root = ET.fromstring(text[start : end + len("</x:xmpmeta>")])
    except ET.ParseError as exc:
        raise StampError(f"unreadable XMP ({exc})") from None
    for desc in root.iter(f"{{{NS_RDF}}}Description"):
        source_type = desc.get(f"{{{NS_IPTC_EXT}}}DigitalSourceType")
        values = {name: desc.get(f"{{{NS_TINTYPE}}}{tag}") for name, tag in _FIELDS.items()}
        if source_type == DIGITAL_SOURCE_TYPE and all(v is not None for v in values.values()):
            return Stamp(**values)
    raise StampError("XMP has no Tintype colorized stamp")


def exif_with_stamp(original: bytes | None, stamp: Stamp) -> Image.Exif:
    """The original EXIF (orientation reset to 1) plus ImageDescription and Software."""
    exif = Image.Exif()
    if original:
        exif.load(original)
    if EXIF_ORIENTATION in exif:
        exif[EXIF_ORIENTATION] = 1
    exif[EXIF_DESCRIPTION] = printable(stamp.description)
    exif[EXIF_SOFTWARE] = printable(stamp.software)
    return exif


def read_xmp(image: Image.Image) -> bytes | None:
    """The raw XMP packet of an opened image, wherever its format keeps it."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = image.info.get(key)
        if value:
            return value.encode("utf-8") if isinstance(value, str) else value
    tags = getattr(image, "tag_v2", None)
    if tags is not None and XMP_TIFF_TAG in tags:
        value = tags[XMP_TIFF_TAG]
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return None


def _open_saved(path: str | Path) -> Image.Image:
    """A saved file's header (pixels not decoded, no pixel limit: only metadata is read), from a
    regular file of bounded size; :class:`StampError` when it cannot be opened."""
    data = read_regular_file(path, limit=MAX_STAMPED_FILE, error=StampError)
    try:
        return open_raster(data, label=str(path))
    except ImageLoadError as exc:
        raise StampError(str(exc)) from None


def read_stamp(path: str | Path) -> Stamp:
    """The stamp of a saved file; :class:`StampError` when it has none (or cannot be opened)."""
    with _open_saved(path) as image:
        try:
            packet = read_xmp(image)
        except (OSError, SyntaxError, ValueError, TypeError, KeyError) as exc:
            raise StampError(f"{path}: unreadable metadata ({exc})") from None
    if packet is None:
        raise StampError(f"{path}: no XMP metadata, so no Tintype stamp")
    try:
        return parse_xmp(packet)
    except StampError as exc:
        raise StampError(f"{path}: {exc}") from None


def read_exif_text(path: str | Path) -> dict[str, str]:
    """ImageDescription and Software from a file's EXIF (empty when absent or unreadable)."""
    with _open_saved(path) as image:
        exif = read_exif(image, label=str(path))
    out: dict[str, str] = {}
    if exif is None:
        return out
    if EXIF_DESCRIPTION in exif:
        out["ImageDescription"] = str(exif[EXIF_DESCRIPTION])
    if EXIF_SOFTWARE in exif:
        out["Software"] = str(exif[EXIF_SOFTWARE])
    return out


