"""Build the PyInstaller bundle from this checkout and run the frozen self-test (slow, run in CI)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_frozen_app_selftest(tmp_path):
    if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("PyInstaller is part of the 'package' extra, which the test command installs")
    dist, work = tmp_path / "dist", tmp_path / "work"
    # CPU-only keeps the CI build small and fast; the CUDA provider changes nothing a CPU runner can check.
    env = {**os.environ, "TINTYPE_CPU_ONLY": "1", "QT_QPA_PLATFORM": "offscreen"}
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "pyinstaller.spec"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    app = dist / "Tintype"
    internal = app / "_internal"
    assert (internal / "resources" / "models" / "unet.onnx").exists()
    assert (internal / "resources" / "restore" / "defects.onnx").exists()
    assert not (internal / "torch").exists() and not (internal / "training").exists()
    assert not list(internal.rglob("*providers_cuda*"))
    # OpenCV (restoration) is in, without the GUI build's Qt 5 (see pyinstaller.spec).
    assert (internal / "cv2").is_dir()
    assert not (internal / "cv2" / "qt").exists(), (
        "the bundle carries OpenCV's GUI build (Qt 5): cv2 in this environment is opencv-python, installed after "
        "opencv-python-headless; the README's test command reinstalls the headless build last"
    )
    assert not (internal / "opencv_python.libs").exists() and not list(internal.glob("libQt5*"))
    gui = app / ("Tintype.exe" if sys.platform == "win32" else "Tintype")
    run = subprocess.run([str(gui), "--selftest"], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == "self-test passed"
    assert sum(line.startswith("PASS") for line in lines) >= 12 and not any(line.startswith("FAIL") for line in lines)
    cli = app / ("tintype" if sys.platform.startswith("linux") else "tintype-cli")
    models = subprocess.run(
        [str(cli), "models", "--provider", "cpu"], env=env, capture_output=True, text=True, timeout=300
    )
    assert models.returncode == 0 and "unet:" in models.stdout, models.stdout + models.stderr
