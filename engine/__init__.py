"""Tintype engine: torch-free colorization inference, color math, metadata stamp and CLI.

Only numpy, Pillow, onnxruntime and the standard library are imported here; see ``../shared/STYLE.md``.
"""

__version__ = "0.1.0"
