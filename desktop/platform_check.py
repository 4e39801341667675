"""Before Qt starts on Linux: is there a display, and are the system libraries of Qt's X11 (xcb) platform
there? Qt itself aborts (exit 134) with a long message when one is missing; the launcher says in one line
which library and which package instead.

The list is what the xcb platform plugin of PySide6 6.x links against beyond Qt's own libraries
(``ldd Qt/plugins/platforms/libqxcb.so Qt/lib/libQt6XcbQpa.so.6``). The .deb's Depends, README and
docs/INSTALL.md name the same packages (a test keeps them in step).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# (soname, Debian/Ubuntu package), in the order a minimal system most often lacks them.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb.so.1", "libxcb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libX11.so.6", "libx11-6"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
)

Loader = Callable[[str], object]  # raises OSError when the library cannot be loaded


def load_library(soname: str) -> object:
    """dlopen ``soname`` as Qt will; in a frozen app also from the bundle's own folder."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle is None:
            raise
        return ctypes.CDLL(str(Path(bundle) / soname))


def uses_xcb(env: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will start its X11 platform: Linux, no other platform asked for, no Wayland session."""
    if not platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(":", 1)[0].split(";", 1)[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def startup_problem(
    env: Mapping[str, str] | None = None, *, platform: str | None = None, loader: Loader | None = None
) -> str | None:
    """One line saying why Qt cannot start here (no display, missing libraries), or None. Defaults: this
    process's environment, ``sys.platform`` and :func:`load_library`."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    loader = load_library if loader is None else loader
    if not uses_xcb(env, platform):
        return None
    if not env.get("DISPLAY"):
        return (
            "no display to open a window on (DISPLAY is not set): start it from a desktop session "
            "(or set QT_QPA_PLATFORM=offscreen to run without a screen)"
        )
    missing = []
    for soname, package in XCB_LIBRARIES:
        try:
            loader(soname)
        except OSError:
            missing.append((soname, package))
    if not missing:
        return None
    names = ", ".join(soname for soname, _ in missing)
    packages = " ".join(package for _, package in missing)
    return (
        f"Qt's X11 platform needs {names}, which {'is' if len(missing) == 1 else 'are'} not installed: "
        f"on Debian/Ubuntu, sudo apt install {packages} (see docs/INSTALL.md)"
    )
