"""Tintype desktop app (PySide6). Imports ``engine`` only: never torch, onnx or ``training``."""
