"""Command-line tools the test command installs (dev and package extras), found beside this Python first."""

import shutil
import sys
from pathlib import Path

import pytest


def installed_tool(name: str, *, extra: str = "dev") -> str:
    """The path of ``name`` (this venv's, else the PATH's); fails the test, naming the extra, when absent."""
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is part of the '{extra}' extra, which the test command installs")
    return exe
