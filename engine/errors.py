"""Typed exceptions. Every message names the file it is about and says what is wrong, in words a user reads."""

from __future__ import annotations

from pathlib import Path


class TintypeError(Exception):
    """Base class of every error Tintype reports to a user."""


class ImageLoadError(TintypeError):
    """An input image could not be read (missing, empty, not an image, truncated, too large)."""


class ModelLoadError(TintypeError):
    """A model file could not be loaded: not ONNX, truncated, or it breaks the model contract.

    ``path`` names the model file as data (set by ``ModelRegistry.discover``), so a front end never
    recovers it from the message text.
    """

    path: Path | None = None


class ContractError(ModelLoadError):
    """A model file loads but its metadata or inputs/outputs break the Tintype ONNX contract."""


class OutputError(TintypeError):
    """A result could not be written (folder not writable, file exists, encoder failure)."""


class OutputExistsError(OutputError):
    """A result's file exists and replacing it was not asked for; ``path`` names it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: already exists, not replaced")
        self.path = path


class ModelOutputError(TintypeError):
    """A model ran but gave no usable colors for a photo: NaN or infinite values, values far outside
    its contract's range, or an array of the wrong shape."""


class StampError(TintypeError):
    """A file carries no readable Tintype stamp."""


class CancelledError(TintypeError):
    """The user cancelled the work."""


class RestoreError(TintypeError, ValueError):
    """Restoration was given something it cannot work on: not a uint8 ``HxW`` gray image, a defect mask
    of another size, or a setting out of its range. A ``ValueError`` too, since the input is at fault."""


class HintsError(TintypeError):
    """Color hints or color controls are invalid: a hints file that is not JSON or not in the hints
    format, a bad color, a point outside the photo, a control out of range."""
