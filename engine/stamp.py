"""The colorized stamp: XMP (IPTC DigitalSourceType + Tintype fields) and EXIF text, and reading it back.

A colorized file is stamped "composite with trained algorithmic media" (:class:`Stamp`); a restored gray
file (``tintype restore``) "algorithmically enhanced" (:class:`RestoreStamp`). Either may carry
:class:`Edits` beside it: the restoration steps, the color controls and the color hints used (written
only when there are some, so a plain result's stamp is as before).

Where each format keeps it:
  PNG  iTXt ``XML:com.adobe.xmp`` (Pillow ignores ``xmp=`` for PNG) + tEXt Description/Software + eXIf
  JPEG APP1 XMP + EXIF ImageDescription/Software
  TIFF tag 700 (XMLPacket) + EXIF ImageDescription/Software
  WebP XMP chunk + EXIF chunk
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

from engine.adjust.hints import ColorControls, ColorHint, parse_color
from engine.errors import HintsError, ImageLoadError, StampError
from engine.exif import read_exif
from engine.files import read_regular_file
from engine.rasters import open_raster
from engine.text import printable

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
ENHANCED_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicallyEnhanced"
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
class Edits:
    """What Tintype changed besides a model's colors: ``restore``, the restoration steps applied to the
    gray first, in order (``dust``, ``grain``...: engine.restore's ``steps_applied``); ``controls`` and
    ``hints``, the color corrections (engine.adjust). Empty: nothing."""

    restore: tuple[str, ...] = ()
    controls: ColorControls = field(default_factory=ColorControls)
    hints: tuple[ColorHint, ...] = ()

    @property
    def color_edited(self) -> bool:
        return bool(self.hints) or not self.controls.neutral

    @property
    def summary(self) -> str:
        """One or two sentences for the EXIF description ("" when there is nothing to say)."""
        parts = []
        if self.restore:
            parts.append(f"Restored first ({', '.join(self.restore)}).")
        if self.color_edited:
            parts.append(
                f"Colors corrected: strength {self.controls.strength:g}, warmth {self.controls.warmth:+g}, "
                f"{len(self.hints)} color hint{'' if len(self.hints) == 1 else 's'}."
            )
        return " ".join(parts)


NO_EDITS = Edits()


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
    edits: Edits = NO_EDITS

    @property
    def description(self) -> str:
        text = (
            f"Colorized by Tintype {self.app_version} with {self.model_name} ({self.model_id} "
            f"{self.model_version}) from {self.source_name}; the colors are a model's guess, not the original."
        )
        return f"{text} {self.edits.summary}" if self.edits.summary else text

    @property
    def software(self) -> str:
        return f"Tintype {self.app_version}"


@dataclass(frozen=True)
class RestoreStamp:
    """What Tintype records in a restored gray file; the steps are ``edits.restore``."""

    app_version: str
    restored_at: str
    source_name: str
    source_sha256: str
    edits: Edits = NO_EDITS

    @property
    def description(self) -> str:
        steps = self.edits.restore
        done = f"restored ({', '.join(steps)})" if steps else "found nothing to restore"
        return (
            f"Tintype {self.app_version} {done} from {self.source_name}; the gray photo was algorithmically enhanced."
        )

    @property
    def software(self) -> str:
        return f"Tintype {self.app_version}"


def _xmp_names(kind: type) -> dict[str, str]:
    """Field name -> XMP property name (``source_sha256`` -> ``SourceSha256``), edits aside."""
    return {f.name: "".join(part.capitalize() for part in f.name.split("_")) for f in fields(kind) if f.name != "edits"}


_FIELDS = _xmp_names(Stamp)
# The digital source type, the fields and the date field of each kind of stamp.
_KINDS: dict[type, tuple[str, dict[str, str], str]] = {
    Stamp: (DIGITAL_SOURCE_TYPE, _FIELDS, "colorized_at"),
    RestoreStamp: (ENHANCED_SOURCE_TYPE, _xmp_names(RestoreStamp), "restored_at"),
}


def build_xmp(stamp: Stamp | RestoreStamp) -> bytes:
    """An XMP packet (UTF-8) carrying the IPTC digital source type, the Tintype fields and the edits.
    Control characters and undecodable bytes in the values are stored escaped
    (:func:`engine.text.printable`): XML cannot hold them."""
    source_type, names, date = _KINDS[type(stamp)]
    attrs = "\n    ".join(
        [f"tintype:{names[name]}={quoteattr(printable(getattr(stamp, name)))}" for name in names]
        + _edit_attrs(stamp.edits)
    )
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="{NS_RDF}">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="{NS_IPTC_EXT}"
    xmlns:xmp="{NS_XMP}"
    xmlns:dc="{NS_DC}"
    xmlns:tintype="{NS_TINTYPE}"
    Iptc4xmpExt:DigitalSourceType="{source_type}"
    xmp:CreatorTool={quoteattr(printable(stamp.software))}
    xmp:ModifyDate={quoteattr(printable(getattr(stamp, date)))}
    {attrs}>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(printable(stamp.description))}</rdf:li></rdf:Alt></dc:description>{_edit_elements(stamp.edits)}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def _edit_attrs(edits: Edits) -> list[str]:
    if not edits.color_edited:
        return []
    return [
        f'tintype:ColorStrength="{_number(edits.controls.strength)}"',
        f'tintype:ColorWarmth="{_number(edits.controls.warmth)}"',
    ]


def _edit_elements(edits: Edits) -> str:
    """The restoration steps and the color hints as XMP ordered arrays ("" when there are none)."""
    out = ""
    if edits.restore:
        items = "".join(f"<rdf:li>{escape(printable(step))}</rdf:li>" for step in edits.restore)
        out += f"\n   <tintype:Restoration><rdf:Seq>{items}</rdf:Seq></tintype:Restoration>"
    if edits.hints:
        items = "".join(
            f'<rdf:li rdf:parseType="Resource"><tintype:X>{_number(h.x)}</tintype:X>'
            f"<tintype:Y>{_number(h.y)}</tintype:Y>"
            f"<tintype:Color>{escape(h.hex)}</tintype:Color><tintype:Radius>{_number(h.radius)}</tintype:Radius></rdf:li>"
            for h in edits.hints
        )
        out += f"\n   <tintype:ColorHints><rdf:Seq>{items}</rdf:Seq></tintype:ColorHints>"
    return out


def _number(value: float) -> str:
    """412.0 -> "412"; other values exactly (repr), so a hint reads back as it was."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_xmp(packet: bytes | str) -> Stamp:
    """The Stamp in an XMP packet; :class:`StampError` when it is not a Tintype colorized stamp."""
    for stamp in _stamps_in(packet):
        if isinstance(stamp, Stamp):
            return stamp
    raise StampError("XMP has no Tintype colorized stamp")


def parse_any_xmp(packet: bytes | str) -> Stamp | RestoreStamp:
    """The colorized or restored stamp in an XMP packet; :class:`StampError` when it has neither."""
    found = _stamps_in(packet)
    if not found:
        raise StampError("XMP has no Tintype stamp")
    return found[0]


def _stamps_in(packet: bytes | str) -> list[Stamp | RestoreStamp]:
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
    found: list[Stamp | RestoreStamp] = []
    for desc in root.iter(f"{{{NS_RDF}}}Description"):
        source_type = desc.get(f"{{{NS_IPTC_EXT}}}DigitalSourceType")
        for kind, (kind_source_type, names, _date) in _KINDS.items():
            values = {name: desc.get(f"{{{NS_TINTYPE}}}{tag}") for name, tag in names.items()}
            if source_type == kind_source_type and all(v is not None for v in values.values()):
                found.append(kind(**values, edits=_parse_edits(desc)))
    return found


def _parse_edits(desc: ET.Element) -> Edits:
    tintype, rdf = f"{{{NS_TINTYPE}}}", f"{{{NS_RDF}}}"
    try:
        restore = tuple((li.text or "").strip() for li in desc.iterfind(f"{tintype}Restoration/{rdf}Seq/{rdf}li"))
        strength, warmth = desc.get(f"{tintype}ColorStrength"), desc.get(f"{tintype}ColorWarmth")
        controls = ColorControls(
            strength=1.0 if strength is None else float(strength), warmth=0.0 if warmth is None else float(warmth)
        )
        hints = tuple(
            ColorHint(
                x=float(li.findtext(f"{tintype}X", "")),
                y=float(li.findtext(f"{tintype}Y", "")),
                rgb=parse_color(li.findtext(f"{tintype}Color", "")),
                radius=float(li.findtext(f"{tintype}Radius", "0")),
            )
            for li in desc.iterfind(f"{tintype}ColorHints/{rdf}Seq/{rdf}li")
        )
    except (ValueError, HintsError) as exc:
        raise StampError(f"unreadable Tintype edits in XMP ({exc})") from None
    return Edits(restore=restore, controls=controls, hints=hints)


def exif_with_stamp(original: bytes | None, stamp: Stamp | RestoreStamp) -> Image.Exif:
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
    return _read_with(path, parse_xmp)


def read_any_stamp(path: str | Path) -> Stamp | RestoreStamp:
    """The colorized or restored stamp of a saved file (see :func:`read_stamp`)."""
    return _read_with(path, parse_any_xmp)


def _read_with(path: str | Path, parse: Callable[[bytes], Stamp | RestoreStamp]):
    with _open_saved(path) as image:
        try:
            packet = read_xmp(image)
        except (OSError, SyntaxError, ValueError, TypeError, KeyError) as exc:
            raise StampError(f"{path}: unreadable metadata ({exc})") from None
    if packet is None:
        raise StampError(f"{path}: no XMP metadata, so no Tintype stamp")
    try:
        return parse(packet)
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
