import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.cli import main
from engine.stamp import read_stamp
from tests.conftest import build_tiny_onnx

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in ("a.jpg", "sub/b.png"):
        Image.fromarray(rng.integers(0, 256, size=(40, 50), dtype=np.uint8)).save(folder / name)
    (folder / "broken.jpg").write_text("this is not a photo")
    (folder / "empty.png").write_bytes(b"")
    return folder


def test_colorize_batch_with_failures(batch, models_dir, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--models-dir", str(models_dir), "colorize", str(batch), "-o", str(out), "--model", "unet", "--model", "cgan"])
    captured = capsys.readouterr()
    assert code == 1
    failures = [line for line in captured.err.splitlines() if line.startswith("tintype: failed")]
    assert len(failures) == 2 and any("broken.jpg" in f for f in failures) and any("empty.png" in f for f in failures)
    assert "Traceback" not in captured.err
    assert "2 of 4 photos colorized" in captured.out
    written = sorted(p.name for p in out.iterdir())
    assert written == ["a.cgan.colorized.jpg", "a.unet.colorized.jpg", "b.cgan.colorized.png", "b.unet.colorized.png"]
    assert read_stamp(out / "a.cgan.colorized.jpg").model_id == "cgan"


def test_second_run_does_not_overwrite_and_skips_outputs(batch, models_dir, capsys):
    good = batch / "sub"
    assert main(["--models-dir", str(models_dir), "colorize", str(good), "--model", "unet"]) == 0
    assert (good / "b.unet.colorized.png").exists()
    capsys.readouterr()
    before = (good / "b.unet.colorized.png").read_bytes()
    # Running again: the earlier output is not taken as input, and the result is not overwritten: the
    # photo whose results exist is skipped (a resumable batch), which is not a failure.
    assert main(["--models-dir", str(models_dir), "colorize", str(good), "--model", "unet"]) == 0
    captured = capsys.readouterr()
    assert "failed" not in captured.err
    assert "0 of 1 photos colorized" in captured.out and "1 skipped: results exist, --overwrite redoes them" in captured.out
    assert (good / "b.unet.colorized.png").read_bytes() == before
    assert main(["--models-dir", str(models_dir), "colorize", str(good), "--model", "unet", "--overwrite"]) == 0
    assert "1 of 1 photos colorized" in capsys.readouterr().out


def test_format_option_and_missing_path(batch, models_dir, tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["--models-dir", str(models_dir), "colorize", str(batch / "a.jpg"), str(tmp_path / "ghost.jpg"),
                 "-o", str(out), "--model", "koala", "--format", "png"])
    assert code == 1
    assert "ghost.jpg: no such file" in capsys.readouterr().err
    assert (out / "a.koala.colorized.png").exists()


def test_model_takes_any_loaded_id(batch, models_dir, tmp_path, capsys):
    build_tiny_onnx(models_dir / "sepia.onnx", model_id="sepia", seed=4)  # a user's own model
    out = tmp_path / "o"
    args = ["--models-dir", str(models_dir), "colorize", str(batch / "a.jpg")]
    assert main([*args, "-o", str(out), "--model", "sepia"]) == 0
    assert read_stamp(out / "a.sepia.colorized.jpg").model_id == "sepia"
    capsys.readouterr()
    code = main([*args, "--model", "nope"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "tintype: model 'nope' is not available (available: unet, koala, cgan, sepia)"


def test_unwritable_output_folder(batch, models_dir, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["--models-dir", str(models_dir), "colorize", str(batch), "-o", str(blocker / "sub")])
    assert code == 2
    assert "cannot create output folder" in capsys.readouterr().err


def test_models_and_inspect(models_dir, batch, tmp_path, capsys):
    assert main(["--models-dir", str(models_dir), "models", "--provider", "cpu"]) == 0
    out = capsys.readouterr().out
    assert out.index("unet:") < out.index("koala:") < out.index("cgan:")
    assert "providers available" in out and "lab_ab" in out
    main(["--models-dir", str(models_dir), "colorize", str(batch / "a.jpg"), "-o", str(tmp_path / "o"), "--model", "unet"])
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "o" / "a.unet.colorized.jpg")]) == 0
    assert "model_id" in capsys.readouterr().out
    assert main(["inspect", str(batch / "a.jpg")]) == 1
    assert "no Tintype stamp" in capsys.readouterr().err


def test_console_script_runs_without_torch(models_dir, tmp_path):
    """The installed entry point works and never imports torch."""
    code = "import sys, engine.cli; rc = engine.cli.main(sys.argv[1:]); assert 'torch' not in sys.modules; sys.exit(rc)"
    proc = subprocess.run([sys.executable, "-c", code, "--models-dir", str(models_dir), "models", "--provider", "cpu"],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
