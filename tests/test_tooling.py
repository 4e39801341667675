"""The tree stays lint-clean, formatted and type-checked (engine and desktop), as pyproject.toml configures."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import installed_tool

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "args",
    [["check", "."], ["format", "--check", "."]],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(args):
    proc = subprocess.run([installed_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_mypy_engine_and_desktop():
    # Files and settings come from [tool.mypy]; no cache written into the checkout.
    proc = subprocess.run(
        [installed_tool("mypy"), "--cache-dir", "/dev/null" if sys.platform != "win32" else "nul"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
