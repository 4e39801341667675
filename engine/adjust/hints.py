"""Color hints and global color controls: the values, and the JSON hints file.

A hint is a point of the upright photo (the photo as shown, after its EXIF orientation) in pixels,
origin top-left, x to the right and y down, with the sRGB color that belongs there. Coordinates may be
fractional (a click between pixels); a point is inside when ``0 <= x < width`` and ``0 <= y < height``.
``radius`` (photo pixels, 0 = the point alone) widens the hint's seed.

The hints file is JSON::

    {"points": [{"x": 412, "y": 133, "color": "#b5402a", "radius": 3}, ...]}

``radius`` is optional; any other key, a bad color or a point outside the photo is a :class:`HintsError`.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import HintsError

STRENGTH_RANGE = (0.0, 2.0)
WARMTH_RANGE = (-1.0, 1.0)
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_POINT_KEYS = {"x", "y", "color", "radius"}


@dataclass(frozen=True)
class ColorHint:
    """One color point: ``rgb`` 8-bit sRGB at photo pixel (``x``, ``y``), seed ``radius`` in pixels."""

    x: float
    y: float
    rgb: tuple[int, int, int]
    radius: float = 0.0

    def __post_init__(self) -> None:
        if not (_finite(self.x) and _finite(self.y)):
            raise HintsError(f"hint ({self.x}, {self.y}): coordinates must be finite numbers")
        if len(self.rgb) != 3 or not all(isinstance(c, int) and 0 <= c <= 255 for c in self.rgb):
            raise HintsError(f"hint ({self.x}, {self.y}): color {self.rgb!r} is not three integers 0..255")
        if not (_finite(self.radius) and self.radius >= 0):
            raise HintsError(f"hint ({self.x}, {self.y}): radius {self.radius!r} must be a number >= 0")

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    def to_json(self) -> dict:
        point: dict = {"x": _plain(self.x), "y": _plain(self.y), "color": self.hex}
        if self.radius:
            point["radius"] = _plain(self.radius)
        return point


@dataclass(frozen=True)
class ColorControls:
    """Global color controls of one result, applied to the model's chroma before the hints.

    ``strength`` scales the CIELAB chroma (a*, b*) of the prediction: 0 is gray, 1 the model's own
    colors, 2 twice as saturated. ``warmth`` shifts b* (blue -1 .. +1 yellow; 1 is +25 b*).
    """

    strength: float = 1.0
    warmth: float = 0.0

    def __post_init__(self) -> None:
        low, high = STRENGTH_RANGE
        if not (_finite(self.strength) and low <= self.strength <= high):
            raise HintsError(f"color strength {self.strength!r} is outside {low:g}..{high:g}")
        low, high = WARMTH_RANGE
        if not (_finite(self.warmth) and low <= self.warmth <= high):
            raise HintsError(f"warmth {self.warmth!r} is outside {low:g}..{high:g}")

    @property
    def neutral(self) -> bool:
        """True when the controls leave the prediction as it is."""
        return self.strength == 1.0 and self.warmth == 0.0


def parse_color(text: object) -> tuple[int, int, int]:
    """``"#rrggbb"`` or ``"#rgb"`` -> (r, g, b) in 0..255; :class:`HintsError` otherwise."""
    if not isinstance(text, str) or not _HEX.fullmatch(text.strip()):
        raise HintsError(f'color {text!r} is not a hex color like "#b5402a"')
    digits = text.strip()[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def parse_hints(
    text: str | bytes, *, source: str = "hints", size: tuple[int, int] | None = None
) -> tuple[ColorHint, ...]:
    """The hints of a JSON hints file's text. ``size`` = (width, height) also checks every point lies
    inside the photo. Every problem is one :class:`HintsError` naming ``source`` and the point."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HintsError(f"{source}: not a UTF-8 text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HintsError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("points"), list):
        raise HintsError(f'{source}: expected an object {{"points": [...]}}')
    extra = sorted(set(data) - {"points"})
    if extra:
        raise HintsError(f'{source}: unknown key {extra[0]!r} (expected only "points")')
    hints = tuple(_parse_point(point, f"{source}: point {number}") for number, point in enumerate(data["points"], 1))
    if size is not None:
        check_inside(hints, size, source=source)
    return hints


def load_hints(path: str | os.PathLike, *, size: tuple[int, int] | None = None) -> tuple[ColorHint, ...]:
    """Read a hints file (see :func:`parse_hints`); an unreadable file is a :class:`HintsError` too."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HintsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_hints(data, source=str(path), size=size)


def hints_to_json(hints: Iterable[ColorHint]) -> str:
    """The hints file's text for ``hints`` (what :func:`parse_hints` reads back)."""
    return json.dumps({"points": [h.to_json() for h in hints]}, indent=1) + "\n"


def check_inside(hints: Sequence[ColorHint], size: tuple[int, int], *, source: str = "hints") -> None:
    """:class:`HintsError` for the first hint outside a photo of ``size`` = (width, height)."""
    width, height = size
    for number, hint in enumerate(hints, 1):
        if not (0 <= hint.x < width and 0 <= hint.y < height):
            raise HintsError(
                f"{source}: point {number} at ({_plain(hint.x)}, {_plain(hint.y)}) is outside the "
                f"{width}x{height} photo (x must be in 0..{width - 1}, y in 0..{height - 1})"
            )


def _parse_point(point: object, where: str) -> ColorHint:
    if not isinstance(point, dict):
        raise HintsError(f'{where}: expected an object with "x", "y" and "color"')
    unknown = sorted(set(point) - _POINT_KEYS)
    if unknown:
        raise HintsError(f"{where}: unknown key {unknown[0]!r} (expected x, y, color, radius)")
    for key in ("x", "y", "color"):
        if key not in point:
            raise HintsError(f'{where}: missing "{key}"')
    values = {}
    for key in ("x", "y", "radius"):
        value = point.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise HintsError(f'{where}: "{key}" must be a number, not {value!r}')
        values[key] = value
    if values["radius"] < 0:
        raise HintsError(f'{where}: "radius" must be >= 0, not {values["radius"]!r}')
    try:
        rgb = parse_color(point["color"])
    except HintsError as exc:
        raise HintsError(f"{where}: {exc}") from None
    return ColorHint(x=values["x"], y=values["y"], rgb=rgb, radius=values["radius"])


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _plain(value: float) -> int | float:
    """412.0 -> 412 in the JSON and in messages."""
    return int(value) if float(value).is_integer() else float(value)
