import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.cli import main
from engine.stamp import (
    ENHANCED_SOURCE_TYPE,
    RestoreStamp,
    read_any_stamp,
    read_stamp,
    read_xmp,
)
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
    code = main(
        ["--models-dir", str(models_dir), "colorize", str(batch), "-o", str(out), "--model", "unet", "--model", "cgan"]
    )
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
    assert (
        "0 of 1 photos colorized" in captured.out
        and "1 skipped: results exist, --overwrite redoes them" in captured.out
    )
    assert (good / "b.unet.colorized.png").read_bytes() == before
    assert main(["--models-dir", str(models_dir), "colorize", str(good), "--model", "unet", "--overwrite"]) == 0
    assert "1 of 1 photos colorized" in capsys.readouterr().out


def test_format_option_and_missing_path(batch, models_dir, tmp_path, capsys):
    out = tmp_path / "o"
    code = main(
        [
            "--models-dir",
            str(models_dir),
            "colorize",
            str(batch / "a.jpg"),
            str(tmp_path / "ghost.jpg"),
            "-o",
            str(out),
            "--model",
            "koala",
            "--format",
            "png",
        ]
    )
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
    main(
        [
            "--models-dir",
            str(models_dir),
            "colorize",
            str(batch / "a.jpg"),
            "-o",
            str(tmp_path / "o"),
            "--model",
            "unet",
        ]
    )
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "o" / "a.unet.colorized.jpg")]) == 0
    assert "model_id" in capsys.readouterr().out
    assert main(["inspect", str(batch / "a.jpg")]) == 1
    assert "no Tintype stamp" in capsys.readouterr().err


def test_console_script_runs_without_torch(models_dir, tmp_path):
    """The installed entry point works and never imports torch."""
    code = "import sys, engine.cli; rc = engine.cli.main(sys.argv[1:]); assert 'torch' not in sys.modules; sys.exit(rc)"
    proc = subprocess.run(
        [sys.executable, "-c", code, "--models-dir", str(models_dir), "models", "--provider", "cpu"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr


SPECKS = ((20, 30, 250), (45, 80, 5), (70, 20, 245), (60, 100, 10))


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    """A folder with one smooth gray print, 120x90, with dark and bright 3x3 specks (PNG: they stay sharp)."""
    yy, xx = np.mgrid[0:90, 0:120]
    gray = (60 + 0.8 * xx + 0.5 * yy).astype(np.uint8)
    for y, x, value in SPECKS:
        gray[y - 1 : y + 2, x - 1 : x + 2] = value
    folder = tmp_path / "scans"
    folder.mkdir()
    Image.fromarray(gray).save(folder / "scan.png")
    return folder / "scan.png"


def clean_value(y: int, x: int) -> float:
    return 60 + 0.8 * x + 0.5 * y


def gray_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.int16)


def test_restore_writes_a_gray_stamped_restored_file(scan, models_dir, capsys):
    assert main(["restore", str(scan)]) == 0
    assert "1 of 1 photos restored (1 files written, 0 failed)" in capsys.readouterr().out
    out = scan.with_name("scan.restored.png")
    with Image.open(out) as saved:
        assert saved.mode == "L" and saved.size == (120, 90)
        assert ENHANCED_SOURCE_TYPE.encode() in read_xmp(saved)
    restored = gray_of(out)
    assert all(abs(restored[y, x] - clean_value(y, x)) <= 3 for y, x, _ in SPECKS)  # specks filled in
    stamp = read_any_stamp(out)
    assert isinstance(stamp, RestoreStamp) and stamp.edits.restore == ("dust",) and stamp.source_name == "scan.png"
    assert main(["inspect", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "restored by Tintype" in printed and "algorithmically enhanced" in printed
    assert "  restored      dust\n" in printed and "restored (dust) from scan.png" in printed
    # A folder scan does not pick the restored file up again, for restore or colorize.
    assert main(["restore", str(scan.parent), "--overwrite"]) == 0
    assert "1 of 1 photos restored" in capsys.readouterr().out
    assert main(["--models-dir", str(models_dir), "colorize", str(scan.parent), "--model", "unet"]) == 0
    assert "1 of 1 photos colorized" in capsys.readouterr().out
    assert sorted(p.name for p in scan.parent.iterdir()) == ["scan.png", "scan.restored.png", "scan.unet.colorized.png"]


def test_restore_switches_format_and_folder(scan, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["restore", str(scan), "--no-dust", "--no-grain", "--fade", "-o", str(out), "--format", "jpeg"]) == 0
    written = out / "scan.restored.jpg"
    assert [p.name for p in out.iterdir()] == [written.name]
    stamp = read_any_stamp(written)
    assert stamp.edits.restore == ("fade",)  # the gradient's 60..224 range is stretched
    restored = gray_of(written)
    assert restored[20, 30] > 200 and restored[45, 80] < 60  # the specks were left
    capsys.readouterr()
    assert main(["restore", str(scan), "--no-dust", "--no-grain", "-o", str(tmp_path / "plain")]) == 0
    assert read_any_stamp(tmp_path / "plain" / "scan.restored.png").edits.restore == ()
    assert main(["inspect", str(tmp_path / "plain" / "scan.restored.png")]) == 0
    assert "restored      nothing (no damage found)" in capsys.readouterr().out


def test_restore_resumes_names_each_photo_and_never_overwrites(scan, tmp_path, capsys):
    """The restore command keeps colorize's guarantees: a re-run skips what exists, a second photo of the
    same name gets its own file, an existing file is kept without --overwrite, the pixel limit holds."""
    second = tmp_path / "more" / "scan.png"
    second.parent.mkdir()
    Image.fromarray(np.full((30, 40), 128, np.uint8)).save(second)
    out = tmp_path / "out"
    assert main(["restore", str(scan), str(second), "-o", str(out), "--format", "jpeg", "--quality", "60"]) == 0
    assert "2 of 2 photos restored (2 files written, 0 failed)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["scan-2.restored.jpg", "scan.restored.jpg"]
    assert read_any_stamp(out / "scan-2.restored.jpg").source_name == "scan.png"
    with Image.open(out / "scan-2.restored.jpg") as saved, Image.open(out / "scan.restored.jpg") as first:
        assert saved.size == (40, 30) and first.size == (120, 90)
        Image.new("L", (8, 8)).save(tmp_path / "q60.jpg", quality=60)
        with Image.open(tmp_path / "q60.jpg") as ref:
            assert saved.quantization[0] == ref.quantization[0]  # --quality reached the restored file
    before = (out / "scan.restored.jpg").read_bytes()
    assert main(["restore", str(scan), str(second), "-o", str(out), "--format", "jpeg"]) == 0
    captured = capsys.readouterr()
    assert "0 of 2 photos restored (0 files written, 0 failed, 2 skipped" in captured.out and not captured.err
    assert (out / "scan.restored.jpg").read_bytes() == before
    assert main(["restore", str(scan), "-o", str(out), "--format", "jpeg", "--overwrite"]) == 0
    assert "1 of 1 photos restored (1 files written" in capsys.readouterr().out
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    assert main(["restore", str(scan), "-o", str(tmp_path / "big"), "--max-megapixels", "0.001"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tintype: failed: ") and "scan.png" in err and "Traceback" not in err
    assert not (tmp_path / "big" / "scan.restored.png").exists()


def test_colorize_restore_lists_the_steps_and_keeps_the_restored_gray(scan, models_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["--models-dir", str(models_dir), "colorize", str(scan), "--restore", "--model", "unet", "-o", str(out)])
        == 0
    )
    assert main(["restore", str(scan), "-o", str(out)]) == 0
    colorized = out / "scan.unet.colorized.png"
    stamp = read_stamp(colorized)
    assert stamp.edits.restore == ("dust",) and "Restored first (dust)." in stamp.description
    assert np.abs(gray_of(colorized) - gray_of(out / "scan.restored.png")).mean() <= 1.0
    capsys.readouterr()
    assert main(["inspect", str(colorized)]) == 0
    assert "  restored      dust\n" in capsys.readouterr().out
    # Without --restore the specks stay, and the restore switches need --restore.
    assert (
        main(["--models-dir", str(models_dir), "colorize", str(scan), "--model", "unet", "-o", str(tmp_path / "o2")])
        == 0
    )
    assert read_stamp(tmp_path / "o2" / "scan.unet.colorized.png").edits.restore == ()
    assert abs(gray_of(tmp_path / "o2" / "scan.unet.colorized.png")[20, 30] - 250) <= 2
    capsys.readouterr()
    assert main(["--models-dir", str(models_dir), "colorize", str(scan), "--fade"]) == 2
    assert capsys.readouterr().err.strip() == "tintype: --no-dust, --no-grain and --fade go with --restore"


def test_hints_change_the_color_near_the_point_and_inspect_prints_them(photo_path, models_dir, tmp_path, capsys):
    hints = tmp_path / "hints.json"
    hints.write_text(
        '{"points": [{"x": 450, "y": 200, "color": "#dc1e1e", "radius": 4}, {"x": 12.5, "y": 3, "color": "#00f"}]}'
    )
    args = ["--models-dir", str(models_dir), "colorize", str(photo_path), "--model", "koala", "--format", "png"]
    assert main([*args, "-o", str(tmp_path / "plain")]) == 0
    assert main([*args, "-o", str(tmp_path / "hinted"), "--hints", str(hints)]) == 0
    with (
        Image.open(tmp_path / "plain" / "photo.koala.colorized.png") as a,
        Image.open(tmp_path / "hinted" / "photo.koala.colorized.png") as b,
    ):
        plain, hinted = (np.asarray(im.convert("RGB"), dtype=np.int16) for im in (a, b))
    near = (slice(196, 205), slice(446, 455))  # a quiet mid-gray area around the point (450, 200)
    redness = [(rgb[near][..., 0] - rgb[near][..., 1]).mean() for rgb in (plain, hinted)]
    assert redness[1] > redness[0] + 60
    assert np.abs(gray_of(tmp_path / "hinted" / "photo.koala.colorized.png") - gray_of(photo_path)).mean() <= 1.0
    stamp = read_stamp(tmp_path / "hinted" / "photo.koala.colorized.png")
    assert [h.to_json() for h in stamp.edits.hints] == [
        {"x": 450, "y": 200, "color": "#dc1e1e", "radius": 4},
        {"x": 12.5, "y": 3, "color": "#0000ff"},
    ]
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "hinted" / "photo.koala.colorized.png")]) == 0
    printed = capsys.readouterr().out
    assert "  hints         2 points\n    x=450 y=200 color=#dc1e1e radius=4\n    x=12.5 y=3 color=#0000ff\n" in printed
    assert "  strength      1\n  warmth        +0\n" in printed
    assert "restored" not in printed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"points": [', "not valid JSON"),
        ('{"points": [{"x": 600, "y": 10, "color": "#ff0000"}]}', "point 1 at (600, 10) is outside the 600x400 photo"),
        ('{"points": [{"x": 5, "y": -1, "color": "#ff0000"}]}', "outside the 600x400 photo"),
        ('{"points": [{"x": 5, "y": 10, "color": "red"}]}', "point 1: color 'red' is not a hex color"),
        ('{"dots": []}', 'expected an object {"points": [...]}'),
    ],
)
def test_bad_hints_are_one_error_and_write_nothing(photo_path, models_dir, tmp_path, capsys, content, message):
    hints = tmp_path / "hints.json"
    hints.write_text(content)
    out = tmp_path / "out"
    code = main(["--models-dir", str(models_dir), "colorize", str(photo_path), "--hints", str(hints), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"tintype: {hints}: ") and message in err, err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["hints.json", "models", "photo.jpg"]


def test_hints_need_one_photo_and_controls_are_checked(photo_path, batch, models_dir, tmp_path, capsys):
    hints = tmp_path / "hints.json"
    hints.write_text('{"points": []}')
    base = ["--models-dir", str(models_dir), "colorize"]
    assert main([*base, str(batch / "sub"), str(photo_path), "--hints", str(hints)]) == 2
    assert capsys.readouterr().err.strip() == (
        "tintype: --hints is for one photo (its points are pixels of that photo), not 2 photos"
    )
    assert main([*base, str(photo_path), "--strength", "2.5"]) == 2
    assert capsys.readouterr().err.strip() == "tintype: color strength 2.5 is outside 0..2"
    assert main([*base, str(photo_path), "--warmth", "-1.5"]) == 2
    assert capsys.readouterr().err.strip() == "tintype: warmth -1.5 is outside -1..1"
    assert not list(photo_path.parent.glob("*.colorized.*")) and not list(batch.rglob("*.colorized.*"))


def test_strength_and_warmth_with_several_photos(batch, photo_path, models_dir, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "--models-dir",
            str(models_dir),
            "colorize",
            str(batch / "sub"),
            str(photo_path),
            "--model",
            "cgan",
            "--strength",
            "0",
            "--format",
            "png",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    for name in ("b.cgan.colorized.png", "photo.cgan.colorized.png"):
        with Image.open(out / name) as saved:
            rgb = np.asarray(saved.convert("RGB"), dtype=np.int16)
        assert (rgb.max(axis=2) - rgb.min(axis=2)).max() <= 2  # strength 0: gray
        edits = read_stamp(out / name).edits
        assert edits.controls.strength == 0 and edits.hints == ()
    warm, plain = tmp_path / "warm", tmp_path / "plain"
    args = ["--models-dir", str(models_dir), "colorize", str(photo_path), "--model", "cgan", "--format", "png"]
    assert main([*args, "--warmth", "0.5", "-o", str(warm)]) == 0
    assert main([*args, "-o", str(plain)]) == 0
    yellowness = []
    for folder in (plain, warm):
        with Image.open(folder / "photo.cgan.colorized.png") as saved:
            rgb = np.asarray(saved.convert("RGB"), dtype=np.int16)
        yellowness.append((rgb[..., 0] + rgb[..., 1] - 2 * rgb[..., 2]).mean())
    assert yellowness[1] > yellowness[0] + 10
    capsys.readouterr()
    assert main(["inspect", str(warm / "photo.cgan.colorized.png")]) == 0
    assert "  warmth        +0.5\n  hints         0 points\n" in capsys.readouterr().out


def test_neutral_controls_and_no_hints_leave_the_output_unchanged(photo_path, models_dir, tmp_path):
    args = ["--models-dir", str(models_dir), "colorize", str(photo_path), "--format", "png"]
    assert main([*args, "-o", str(tmp_path / "a")]) == 0
    assert main([*args, "-o", str(tmp_path / "b"), "--strength", "1", "--warmth", "0"]) == 0
    for model_id in ("unet", "koala", "cgan"):
        name = f"photo.{model_id}.colorized.png"
        with Image.open(tmp_path / "a" / name) as a, Image.open(tmp_path / "b" / name) as b:
            assert np.array_equal(np.asarray(a), np.asarray(b))
            xmp_a, xmp_b = (re.sub(rb'"\d{4}-\d\d-\d\dT[^"]*"', b'"T"', read_xmp(im)) for im in (a, b))
        assert xmp_a == xmp_b and b"ColorStrength" not in xmp_b  # the same stamp, but for the time
