"""Keeping a photo's own XMP (rights, creator, title, keywords) beside the colorized stamp.

The source packet's ``rdf:Description`` elements are copied into the stamp's packet as further
descriptions of the same resource, less what the stamp states itself (the digital source type, the
description, the creator tool, the dates, any earlier Tintype stamp) and what described the source
file's layout (orientation, size, color mode, document instance). A packet that cannot be parsed,
or that declares a DTD (entity expansion), is left out: the stamp alone is written.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

log = logging.getLogger(__name__)

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_TINTYPE = "http://ns.tintype.app/colorized/1.0/"
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "tintype": NS_TINTYPE,
}
# Prefixes for the copied descriptions (others are written as ns0, ns1...: valid, only less readable).
for _prefix, _uri in (*_NS.items(), ("rdf", NS_RDF)):
    ET.register_namespace(_prefix, _uri)

_OWNED = {
    "Iptc4xmpExt": ("DigitalSourceType",),
    "dc": ("description",),
    "xmp": ("CreatorTool", "ModifyDate", "MetadataDate"),
    "xmpMM": ("InstanceID", "DocumentID"),
    "photoshop": ("ColorMode", "ICCProfile"),
    "tiff": (
        "Orientation",
        "ImageWidth",
        "ImageLength",
        "BitsPerSample",
        "Compression",
        "PhotometricInterpretation",
        "SamplesPerPixel",
        "PlanarConfiguration",
        "YCbCrSubSampling",
        "YCbCrPositioning",
        "YCbCrCoefficients",
        "ReferenceBlackWhite",
        "TransferFunction",
        "WhitePoint",
        "PrimaryChromaticities",
        "NativeDigest",
    ),
    "exif": (
        "PixelXDimension",
        "PixelYDimension",
        "ColorSpace",
        "ComponentsConfiguration",
        "CompressedBitsPerPixel",
        "NativeDigest",
    ),
}
OWNED: frozenset[str] = frozenset(f"{{{_NS[p]}}}{name}" for p, names in _OWNED.items() for name in names)
_DESCRIPTION = f"{{{NS_RDF}}}Description"
_ABOUT = f"{{{NS_RDF}}}about"


def merge_xmp(stamp_packet: bytes, source: bytes | None, *, label: str = "") -> bytes:
    """``stamp_packet`` (the stamp's XMP, UTF-8) with the descriptions kept from ``source`` (a
    photo's XMP packet, or None) added before its closing ``</rdf:RDF>``."""
    kept = source_descriptions(source, label=label) if source else []
    if not kept:
        return stamp_packet
    text = stamp_packet.decode("utf-8")
    end = text.rindex("</rdf:RDF>")
    extra = "".join("\n  " + ET.tostring(d, encoding="unicode") for d in kept)
    return (text[:end].rstrip() + extra + "\n " + text[end:]).encode("utf-8")


def source_descriptions(packet: bytes, *, label: str = "") -> list[ET.Element]:
    """The ``rdf:Description`` elements of ``packet`` less :data:`OWNED` properties; those left empty
    are dropped. An unreadable packet gives none (logged)."""
    text = packet.decode("utf-8", errors="replace")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        log.warning("%s: XMP with a DTD not kept", label)
        return []
    root = _root(text, label=label)
    if root is None:
        return []
    kept = []
    for desc in root.iter(_DESCRIPTION):
        for name in [n for n in desc.attrib if n in OWNED or n.startswith(f"{{{NS_TINTYPE}}}")]:
            del desc.attrib[name]
        for child in [c for c in desc if c.tag in OWNED or c.tag.startswith(f"{{{NS_TINTYPE}}}")]:
            desc.remove(child)
        if len(desc) or any(name != _ABOUT for name in desc.attrib):
            desc.tail = None
            kept.append(desc)
    return kept


def _root(text: str, *, label: str) -> ET.Element | None:
    for start_tag, end_tag in (("<x:xmpmeta", "</x:xmpmeta>"), ("<rdf:RDF", "</rdf:RDF>")):
        start, end = text.find(start_tag), text.rfind(end_tag)
        if start >= 0 and end > start:
            try:
                return ET.fromstring(text[start : end + len(end_tag)])
            except ET.ParseError as exc:
                log.warning("%s: unreadable XMP not kept (%s)", label, exc)
                return None
    return None
