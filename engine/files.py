"""Reading a file a person named: only regular files, and never more than a stated number of bytes.

Photos, model files and the files ``tintype inspect`` reads all come through :func:`read_regular_file`,
so a FIFO never blocks (it is opened without waiting for a writer, then refused), a device such as
``/dev/zero`` is refused instead of read until memory runs out, and a file that is larger than
anything Tintype could use is refused by its size before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.errors import TintypeError

# Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK returns at once, and
# fstat then tells us what it is. It changes nothing for regular files. (Windows has no FIFOs.)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_regular_file(path: str | os.PathLike, *, limit: int, error: type[TintypeError]) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them; ``error`` (an engine error type) with a
    one-line reason naming the file when it is missing, a folder, not a regular file, too large or
    unreadable."""
    path = Path(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: not a regular file (a pipe, socket or device), not read")
        if info.st_size > limit:
            raise error(f"{path}: {_size(info.st_size)}, larger than the {_size(limit)} Tintype reads")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)  # one byte more: a file that grew meanwhile is still caught
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise error(f"{path}: larger than the {_size(limit)} Tintype reads")
    return data


def read_head(path: str | os.PathLike, count: int) -> bytes:
    """The first ``count`` bytes of ``path`` if it is a regular file, else ``b""`` (never blocks)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return b""
    try:
        return os.read(fd, count) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
