"""Screen-sized previews of finished photos, kept as JPEG files in a private cache folder.

Memory holds none of the full-resolution results (three 10 MP results are about 90 MB; a folder of a
thousand would not fit) and only the few previews decoded last. Workers write previews (any thread);
the UI thread reads them back as QImages. The folder is removed when the store closes (the app quits)
or is collected, and folders left by a crashed run are removed by the next one.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QImage

from desktop.queue_model import Previews

log = logging.getLogger(__name__)

PREVIEW_MAX_SIDE = 2048  # about a screen: larger photos are shown downscaled, saved at full size
PREVIEW_QUALITY = 92
DECODED_KEPT = 3  # photos whose decoded previews stay in memory (the current one and its neighbours)
PREFIX = "tintype-previews-"
MASK_COLOR = (230, 20, 20, 150)  # RGBA of a defect in the mask overlay: red, about 60 % opaque


def preview_size(width: int, height: int, max_side: int = PREVIEW_MAX_SIDE) -> tuple[int, int]:
    """(width, height) of the preview of a ``width`` x ``height`` photo: the photo's own when small enough."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class PreviewStore:
    def __init__(self, root: Path | None = None, *, max_side: int = PREVIEW_MAX_SIDE) -> None:
        """``root``: where the store makes its folder (default: the user's cache folder, not /tmp, which
        is often in memory)."""
        root = root if root is not None else default_root()
        root.mkdir(parents=True, exist_ok=True)
        remove_stale(root)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
        self.max_side = max_side
        self._decoded: OrderedDict[Path, Previews[QImage]] = OrderedDict()  # by the gray preview's file
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, True)

    def write(
        self, item_id: int, gray: np.ndarray, results: Mapping[str, np.ndarray], *, tag: str = ""
    ) -> Previews[Path]:
        """Previews of one photo: ``gray`` uint8 ``HxW``, ``results`` uint8 ``HxWx3`` per model id (full
        resolution); returns their files. Safe from any thread (names are unique per item and ``tag``: a
        photo computed again, restored, gets new files beside the first ones)."""
        size = preview_size(gray.shape[1], gray.shape[0], self.max_side)
        gray_path = self._encode(gray, size, f"{item_id}{tag}-gray.jpg")
        paths = {
            mid: self._encode(rgb, size, f"{item_id}{tag}-{index}.jpg")
            for index, (mid, rgb) in enumerate(results.items())
        }
        return Previews(gray=gray_path, results=paths)

    def write_mask(self, item_id: int, mask: np.ndarray, *, tag: str = "") -> Path:
        """A defect mask (bool ``HxW``, full resolution) at the previews' size as a red, half-transparent
        RGBA PNG to lay over the gray. A preview pixel is marked when any photo pixel under it is, so a
        scratch one pixel wide still shows."""
        height, width = mask.shape
        size = preview_size(width, height, self.max_side)
        levels = mask.astype(np.uint8) * 255
        if size != (width, height):
            marked = np.asarray(Image.fromarray(levels).resize(size, Image.Resampling.BOX)) > 0
        else:
            marked = levels > 0
        rgba = np.zeros((*marked.shape, 4), np.uint8)
        rgba[marked] = MASK_COLOR
        path = self.folder / f"{item_id}{tag}-mask.png"
        Image.fromarray(rgba, "RGBA").save(path, format="PNG", compress_level=1)
        return path

    def read_image(self, path: Path) -> QImage:
        """A picture the store wrote (a mask), as a QImage (null when gone)."""
        return _read(path)

    def discard_file(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def load(self, files: Previews[Path]) -> Previews[QImage]:
        """The previews as QImages (null where a file is gone); the last few stay decoded."""
        if files.gray in self._decoded:
            self._decoded.move_to_end(files.gray)
            return self._decoded[files.gray]
        images = Previews(gray=_read(files.gray), results={mid: _read(p) for mid, p in files.results.items()})
        self._decoded[files.gray] = images
        while len(self._decoded) > DECODED_KEPT:
            self._decoded.popitem(last=False)
        return images

    def discard(self, files: Previews[Path]) -> None:
        """Delete one photo's previews (its item left the queue)."""
        self._decoded.pop(files.gray, None)
        for path in (files.gray, *files.results.values()):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._decoded.clear()
        self._finalizer()

    def _encode(self, array: np.ndarray, size: tuple[int, int], name: str) -> Path:
        image = Image.fromarray(array)
        if image.size != size:
            image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        path = self.folder / name
        image.save(path, format="JPEG", quality=PREVIEW_QUALITY, subsampling=0)
        return path


def _read(path: Path) -> QImage:
    image = QImage(str(path))
    if image.isNull():
        log.warning("%s: preview is missing or unreadable", path)
    return image


def default_root() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(location) if location else Path(tempfile.gettempdir())


def remove_stale(root: Path) -> None:
    """Remove folders of runs that ended without cleaning up (a crash). POSIX only: there a process id
    can be asked about without touching the process."""
    if sys.platform == "win32":
        return
    for folder in root.glob(f"{PREFIX}*"):
        try:
            pid = int(folder.name.removeprefix(PREFIX).split("-", 1)[0])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue  # alive, someone else's
