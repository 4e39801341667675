"""The layer rules of ../shared/STYLE.md: import-linter contracts, and no torch behind the app."""

import os
import subprocess
import sys
from pathlib import Path

from tests.tools import installed_tool

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    exe = installed_tool("lint-imports")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or "0 broken" in proc.stdout.lower()


def test_engine_and_desktop_do_not_load_torch():
    code = (
        "import sys, engine.cli, engine.colorize, engine.pipeline, engine.saving, desktop.app\n"
        "bad = [m for m in ('torch', 'torchvision', 'training', 'onnx') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
