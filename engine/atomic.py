"""Atomic, verified writes: a temporary file beside the destination, checked, then linked into place.

- The bytes are written by Python, which raises on a short write (disk full, quota), then flushed
  and synced; the size on disk and the bytes read back must equal what was written before the file
  takes the destination's name. So a full disk never puts a truncated file in place, and with
  ``overwrite`` a good earlier result survives.
- The temporary file is created with mode 0666 less the umask, like any file a program makes, so
  results are readable where the user's other files are (shared folders, media servers).
- Its name is ``.<destination name>.tintype-<pid>-<random>.part``, cut to fit 255 bytes: a long
  result name that fits does not fail on the temporary one. A run that was killed leaves such a
  file; the next write in that folder removes those whose process is gone (or that are a day old).
- Without ``overwrite``, ``link`` places the file: it fails if the destination appeared meanwhile,
  so no race can make us overwrite.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from pathlib import Path

from engine.errors import OutputError, OutputExistsError

log = logging.getLogger(__name__)

NAME_MAX = 255  # bytes in one file name on every common file system
STALE_AFTER = 24 * 3600  # seconds: a temporary file this old is stale whatever its process id says
_PART = re.compile(r"^\..*\.tintype-(\d+)-[0-9a-f]{8}\.part$", re.DOTALL)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_swept: set[str] = set()
_sweep_lock = threading.Lock()


def write_atomic(destination: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``destination`` atomically and verified; :class:`OutputError` says why not,
    :class:`OutputExistsError` when it exists and not ``overwrite``. Nothing is left behind on failure."""
    folder = destination.parent
    remove_stale_parts(folder)
    tmp = folder / temp_name(destination.name)
    try:
        fd = os.open(tmp, _CREATE, 0o666)  # the umask applies
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here ({exc.strerror or exc})") from None
    try:
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as exc:
            raise OutputError(
                f"{destination}: could not be written ({exc.strerror or exc}); nothing replaced"
            ) from None
        _verify(tmp, data, destination)
        _place(tmp, destination, overwrite=overwrite)
    finally:
        tmp.unlink(missing_ok=True)


def temp_name(name: str) -> str:
    """A fresh temporary name for a file called ``name``, at most :data:`NAME_MAX` bytes."""
    tail = f".tintype-{os.getpid()}-{secrets.token_hex(4)}.part"
    head = "." + name
    while len(os.fsencode(head + tail)) > NAME_MAX:
        head = head[:-1]
    return head + tail


def remove_stale_parts(folder: Path) -> int:
    """Remove the temporary files killed runs left in ``folder`` (once per folder per process);
    the number removed."""
    key = os.path.abspath(folder)
    with _sweep_lock:
        if key in _swept:
            return 0
        _swept.add(key)
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        match = _PART.match(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if _owner_alive(int(match.group(1))) and time.time() - entry.stat().st_mtime < STALE_AFTER:
                continue
            os.unlink(entry.path)
            removed += 1
        except OSError:  # in use (Windows), or gone meanwhile: not ours to fight over
            continue
    if removed:
        log.info("%s: removed %d temporary file(s) left by an interrupted run", folder, removed)
    return removed


def _owner_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        # os.kill would terminate the process on Windows; a file still open there cannot be deleted anyway.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, another user's
        return True
    return True


def _verify(tmp: Path, data: bytes, destination: Path) -> None:
    try:
        size = tmp.stat().st_size
        same = size == len(data) and tmp.read_bytes() == data
    except OSError as exc:
        raise OutputError(f"{destination}: could not be checked ({exc.strerror or exc}); nothing replaced") from None
    if not same:
        what = f"only {size} of {len(data)} bytes" if size < len(data) else "not the bytes written"
        raise OutputError(f"{destination}: {what} reached the disk (is it full?); nothing replaced")


def _place(tmp: Path, destination: Path, *, overwrite: bool) -> None:
    try:
        if overwrite:
            os.replace(tmp, destination)
            return
        try:
            os.link(tmp, destination)
        except FileExistsError:
            raise OutputExistsError(destination) from None
        except OSError:
            # File systems without hard links (some network and FAT drives): check, then rename.
            if os.path.lexists(destination):
                raise OutputExistsError(destination) from None
            os.replace(tmp, destination)
    except OSError as exc:
        raise OutputError(f"{destination}: could not be written ({exc.strerror or exc})") from None
