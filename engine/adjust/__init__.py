"""Correcting a prediction's colors: global color controls and color hints (see ``editor``)."""

from engine.adjust.editor import ChromaEditor, adjust_chroma
from engine.adjust.hints import (
    ColorControls,
    ColorHint,
    check_inside,
    hints_to_json,
    load_hints,
    parse_color,
    parse_hints,
)
from engine.adjust.propagate import Propagation

__all__ = [
    "ChromaEditor",
    "ColorControls",
    "ColorHint",
    "Propagation",
    "adjust_chroma",
    "check_inside",
    "hints_to_json",
    "load_hints",
    "parse_color",
    "parse_hints",
]
