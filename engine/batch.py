"""Planning the results of a batch before any model runs: one set of names per photo, and which
photos are already done.

The rule for names (README, "Command line"): a photo's results are ``<stem>.<model>.colorized.<ext>``
(:func:`engine.saving.plan_output`). When a photo of the batch would get a result name an earlier
photo of the same batch already has (``2019/scan001.jpg`` and ``2020/scan001.jpg`` with one output
folder; ``photo.png`` and ``photo.bmp``, both saved as PNG), it gets ``<stem>-2``, then ``-3``...,
in the order the photos are processed (as given; folders sorted by path). Names are compared without
regard to case, as Windows and macOS do. So every photo gets its own results, and the same batch run
again plans the same names: a photo whose results all exist is skipped.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from engine.files import read_head
from engine.formats import READ_FORMATS, SAME, output_format, read_spec
from engine.saving import plan_output

_HEAD = 16  # bytes a decoder's signature check reads (as in Image.open)


@dataclass(frozen=True)
class PhotoPlan:
    """Where the results of one photo go: ``targets`` maps each model id to its result path."""

    path: Path
    targets: dict[str, Path]

    def existing(self) -> set[str]:
        """The model ids whose result file is already there."""
        return {model_id for model_id, target in self.targets.items() if target.is_file()}


class BatchPlanner:
    """Plans the photos of one batch in order (see the module docstring for the naming rule)."""

    def __init__(self, model_ids: Sequence[str], *, folder: Path | None, format: str = SAME) -> None:
        self.model_ids = tuple(model_ids)
        self.folder = folder
        self.format = format
        self._taken: set[str] = set()

    def plan(self, path: Path) -> PhotoPlan:
        """The result paths of ``path``, distinct from every result planned before in this batch."""
        fmt = output_format(sniff_format(path) or "", self.format)
        stem, number = path.stem, 1
        while True:
            targets = {
                mid: plan_output(path, mid, fmt, folder=self.folder, stem=stem if number > 1 else None)
                for mid in self.model_ids
            }
            keys = {_key(target) for target in targets.values()}
            if not keys & self._taken:
                self._taken |= keys
                return PhotoPlan(path=path, targets=targets)
            number += 1
            stem = f"{path.stem}-{number}"


def sniff_format(path: Path) -> str | None:
    """The Pillow format of ``path`` by its first bytes, as the loader will decode it (None when it
    cannot be read or is no format Tintype reads; then its extension decides)."""
    head = read_head(path, _HEAD)
    if head:
        Image.init()
        for name in READ_FORMATS:
            entry = Image.OPEN.get(name)
            if entry is not None:
                accept = entry[1]
                verdict = accept(head) if accept is not None else True
                if verdict and not isinstance(verdict, str):
                    return name
    spec = next((f for f in (read_spec(n) for n in READ_FORMATS) if f and path.suffix.lower() in f.extensions), None)
    return spec.pillow if spec else None


def _key(path: Path) -> str:
    return unicodedata.normalize("NFC", os.path.abspath(path)).casefold()
