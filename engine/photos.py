"""Finding photos: the recursive folder scan (for the file types of :mod:`engine.formats`), the bundled samples.

One home for the rule every front end (command line, app, self-test, training data, benchmarks) uses
to turn the paths a person gives into a list of photos.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

# The file types a folder scan looks for (every extension of the format table); a file named
# explicitly is tried whatever its suffix.
from engine.formats import IMAGE_SUFFIXES

# Tintype's own results carry one of these in their name (``<stem>.<model>.colorized.<ext>``,
# ``<stem>.restored.<ext>``); a folder scan skips them so a second run does not colorize or restore the
# results of the first.
RESULT_MARKER = ".colorized."
RESTORED_MARKER = ".restored."
RESULT_MARKERS = (RESULT_MARKER, RESTORED_MARKER)


def resources_dir() -> Path:
    """``resources/`` of a source checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def is_photo_file(path: Path, *, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> bool:
    """True for a file whose suffix (any case) is one of ``suffixes``."""
    return path.suffix.lower() in suffixes and path.is_file()


def scan_folder(
    folder: str | os.PathLike, *, suffixes: Iterable[str] = IMAGE_SUFFIXES, skip_results: bool = True
) -> list[Path]:
    """Photos under ``folder``, recursively, sorted by path. Earlier Tintype results are skipped
    unless ``skip_results`` is False (training and evaluation sets have none)."""
    suffixes = frozenset(s.lower() for s in suffixes)
    return [
        found
        for found in sorted(Path(folder).rglob("*"))
        if is_photo_file(found, suffixes=suffixes) and not (skip_results and is_result_name(found.name))
    ]


def is_result_name(name: str) -> bool:
    """True for the file name of a Tintype result (colorized or restored)."""
    return any(marker in name for marker in RESULT_MARKERS)


def iter_photos(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files as given (whatever their suffix: the loader says if one is not a photo), and photos found
    recursively in folders, in the order given."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from scan_folder(path)
        else:
            yield path


def find_photos(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """:func:`iter_photos` as a list."""
    return list(iter_photos(paths))


def sample_photos() -> list[Path]:
    """The sample photos bundled in ``resources/samples`` (the app opens them when given nothing)."""
    folder = resources_dir() / "samples"
    return sorted(p for p in folder.glob("*") if is_photo_file(p))
