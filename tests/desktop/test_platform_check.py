"""The launcher on a plain Linux desktop: a missing X library is named in one line, before Qt aborts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import desktop.platform_check as platform_check
from desktop.app import main
from desktop.platform_check import XCB_LIBRARIES, startup_problem, uses_xcb

ROOT = Path(__file__).resolve().parents[2]
X11 = {"DISPLAY": ":0"}


def lacking(*missing: str):
    """A loader that finds every library but these."""
    asked: list[str] = []

    def load(soname: str) -> object:
        asked.append(soname)
        if soname in missing:
            raise OSError(f"{soname}: cannot open shared object file: No such file or directory")
        return object()

    load.asked = asked
    return load


def test_a_missing_library_is_named_with_its_package():
    problem = startup_problem(X11, platform="linux", loader=lacking("libxcb-cursor.so.0"))
    assert problem == (
        "Qt's X11 platform needs libxcb-cursor.so.0, which is not installed: "
        "on Debian/Ubuntu, sudo apt install libxcb-cursor0 (see docs/INSTALL.md)"
    )
    several = startup_problem(X11, platform="linux", loader=lacking("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, which are" in several
    assert "apt install libxcb-icccm4 libxcb-keysyms1 " in several and "\n" not in several


def test_nothing_is_said_when_everything_is_there_or_xcb_is_not_used():
    load = lacking()
    assert startup_problem(X11, platform="linux", loader=load) is None
    assert load.asked == [soname for soname, _ in XCB_LIBRARIES]
    never = lacking(*[soname for soname, _ in XCB_LIBRARIES])
    assert startup_problem({**X11, "QT_QPA_PLATFORM": "offscreen"}, platform="linux", loader=never) is None
    assert startup_problem({**X11, "WAYLAND_DISPLAY": "wayland-0"}, platform="linux", loader=never) is None
    assert startup_problem(X11, platform="win32", loader=never) is None
    assert startup_problem(X11, platform="darwin", loader=never) is None
    assert never.asked == []
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb:dpi=96", "WAYLAND_DISPLAY": "w"}, "linux")


def test_no_display_is_said_plainly():
    problem = startup_problem({}, platform="linux", loader=lacking())
    assert problem.startswith("no display to open a window on (DISPLAY is not set)")


def test_the_launcher_prints_one_line_and_exits_non_zero(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(platform_check.sys, "platform", "linux")  # as on the Linux desktop in question
    monkeypatch.setattr(platform_check, "load_library", lacking("libxcb-cursor.so.0"))
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("tintype-app: cannot start: Qt's X11 platform needs libxcb-cursor.so.0")


@pytest.mark.parametrize("doc", ["scripts/build_installer", "README.md", "docs/INSTALL.md"])
def test_the_packages_are_listed_where_users_and_the_deb_look(doc):
    text = (ROOT / doc).read_text()
    named = set(re.findall(r"lib[a-z0-9.+-]+", text))
    missing = [package for _, package in XCB_LIBRARIES if package not in named]
    assert not missing, f"{doc} does not name {missing}"
