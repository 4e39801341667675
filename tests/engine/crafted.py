"""Hand-built bytes for the files a user's archive holds and Pillow will not write: raw EXIF with any
tag type, PNG headers that claim a size, gray and CMYK ICC profiles."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def exif_block(entries: list[tuple[int, int, int, bytes]], *, prefix: bool = True) -> bytes:
    """A little-endian EXIF block with one IFD of ``(tag, type, count, value bytes)`` entries."""
    count = len(entries)
    ifd = struct.pack("<H", count)
    data = b""
    start = 8 + 2 + 12 * count + 4
    for tag, typ, n, value in sorted(entries):
        if len(value) <= 4:
            ifd += struct.pack("<HHI", tag, typ, n) + value.ljust(4, b"\0")
        else:
            ifd += struct.pack("<HHII", tag, typ, n, start + len(data))
            data += value + (b"\0" if len(value) % 2 else b"")
    body = b"II*\0" + struct.pack("<I", 8) + ifd + b"\0\0\0\0" + data
    return (b"Exif\0\0" if prefix else b"") + body


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, *, bits: int = 8, color_type: int = 0, rows: bytes | None = None) -> bytes:
    """A PNG claiming ``width`` x ``height``: with ``rows`` (raw filtered scanlines) compressed as its
    data, or with no image data at all."""
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bits, color_type, 0, 0, 0))
    body = _chunk(b"IDAT", zlib.compress(rows, 9)) if rows is not None else b""
    return head + body + _chunk(b"IEND", b"")


def blank_bilevel_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG of a blank page: tiny on disk, ``width * height`` pixels."""
    row = b"\0" + b"\xff" * ((width + 7) // 8)
    return png_bytes(width, height, bits=1, rows=row * height)


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _icc(space: bytes, pcs: bytes, device_class: bytes, tags: dict[bytes, bytes]) -> bytes:
    """An ICC v2 profile with ``tags`` (signature -> tag data)."""
    header_size, table = 128, 4 + 12 * len(tags)
    offset, body, entries = header_size + table, b"", b""
    for sig, data in tags.items():
        data += b"\0" * (-len(data) % 4)
        entries += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    total = header_size + table + len(body)
    header = (
        struct.pack(">I", total)
        + b"none"
        + struct.pack(">I", 0x02100000)
        + device_class
        + space
        + pcs
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 4
        + b"\0" * 4
        + b"\0" * 8
        + b"\0" * 8
        + b"\0" * 4
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 4
    )
    header += b"\0" * (header_size - len(header))
    return header + struct.pack(">I", len(tags)) + entries + body


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0\0\0" + b"\0" * 67


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def gray_icc(gamma: float) -> bytes:
    """A gray ICC profile: a pure-gamma tone curve (gamma 1.0: linear light)."""
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    return _icc(
        b"GRAY",
        b"XYZ ",
        b"mntr",
        {
            b"desc": _desc(f"Gray gamma {gamma}"),
            b"wtpt": _xyz(0.9642, 1.0, 0.8249),
            b"kTRC": curve,
            b"cprt": b"text\0\0\0\0none\0",
        },
    )


def cmyk_icc() -> bytes:
    """A CMYK ICC profile (lut8 A2B0 to Lab) of a simple subtractive press: ink c, m, y, k in 0..1
    gives sRGB ((1-c)(1-k), (1-m)(1-k), (1-y)(1-k))."""
    from engine.color import rgb_to_lab

    grid = 2
    corners = np.array([[c, m, y, k] for c in (0, 1) for m in (0, 1) for y in (0, 1) for k in (0, 1)], dtype=np.float32)
    rgb = np.stack([(1 - corners[:, i]) * (1 - corners[:, 3]) for i in range(3)], axis=-1)
    lab = rgb_to_lab(rgb)
    encoded = np.stack([lab[:, 0] * 255 / 100, lab[:, 1] + 128, lab[:, 2] + 128], axis=-1)
    clut = np.clip(np.rint(encoded), 0, 255).astype(np.uint8).tobytes()
    identity = bytes(range(256))
    matrix = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    lut = b"mft1\0\0\0\0" + bytes([4, 3, grid, 0]) + matrix + identity * 4 + clut + identity * 3
    return _icc(
        b"CMYK",
        b"Lab ",
        b"prtr",
        {
            b"desc": _desc("Simple CMYK"),
            b"wtpt": _xyz(0.9642, 1.0, 0.8249),
            b"A2B0": lut,
            b"cprt": b"text\0\0\0\0none\0",
        },
    )


def scaled_gray_onnx(
    path,
    *,
    model_id: str,
    factor: float,
    size: int = 32,
    output: str = "rgb",
    out_dims: list | None = None,
    in_dims: list | None = None,
    pool: bool = False,
):
    """A Tintype model whose colors are the gray input times ``factor`` in every channel (NaN, inf or
    1000 make a broken model); ``pool`` halves the output size at run time, which symbolic
    ``in_dims`` and ``out_dims`` (the declared spatial dims) hide from the check at load."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from tests.conftest import tiny_contract

    channels = 3 if output == "rgb" else 2
    nodes = [
        helper.make_node("Concat", ["gray"] * channels, ["stack"], axis=1),
        helper.make_node("Mul", ["stack", "k"], ["scaled" if pool else "color"]),
    ]
    if pool:
        nodes.append(helper.make_node("MaxPool", ["scaled"], ["color"], kernel_shape=[2, 2], strides=[2, 2]))
    dims = out_dims if out_dims is not None else [size, size]
    graph = helper.make_graph(
        nodes,
        "scaled",
        [helper.make_tensor_value_info("gray", TensorProto.FLOAT, ["batch", 1, *(in_dims or [size, size])])],
        [helper.make_tensor_value_info("color", TensorProto.FLOAT, ["batch", channels, *dims])],
        initializer=[numpy_helper.from_array(np.array(factor, dtype=np.float32), "k")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in tiny_contract(model_id, size=size, output=output).to_metadata().items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    return path
