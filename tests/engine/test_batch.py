"""A hostile batch on the command line: every failure contained to its photo, every photo its own
results, a second run resumes, and nothing from outside reaches the terminal raw."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import engine.pipeline
from engine.cli import main
from engine.registry import LoadedModel
from engine.stamp import read_stamp

ROOT = Path(__file__).resolve().parents[2]


def _photo(path: Path, seed: int = 0, size: tuple[int, int] = (40, 50)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, size=size, dtype=np.uint8)).save(path)
    return path


def _run(models_dir: Path, *args: str) -> int:
    return main(["--models-dir", str(models_dir), "colorize", *args])


def test_one_photos_unforeseen_error_is_one_line_and_the_batch_goes_on(models_dir, tmp_path, capsys, monkeypatch):
    first, second = _photo(tmp_path / "in" / "a.png"), _photo(tmp_path / "in" / "b.png", 1)
    real = engine.pipeline.load_image

    def flaky(path, **kwargs):
        if Path(path).name == "a.png":
            raise ValueError("something nobody foresaw")
        return real(path, **kwargs)

    monkeypatch.setattr(engine.pipeline, "load_image", flaky)
    code = _run(models_dir, str(first), str(second), "--model", "unet")
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    (line,) = [line for line in captured.err.splitlines() if "failed" in line]
    assert line == f"tintype: failed: {first}: unexpected error (ValueError: something nobody foresaw)"
    assert "1 of 2 photos colorized" in captured.out
    assert (second.parent / "b.unet.colorized.png").exists()


def test_an_encoder_crash_fails_that_photo_only(models_dir, tmp_path, capsys, monkeypatch):
    first, second = _photo(tmp_path / "a.tif"), _photo(tmp_path / "b.png", 1)
    Image.open(first).save(first, "TIFF")
    real_save = Image.Image.save

    def save(self, fp, format=None, **params):
        if format == "TIFF":
            raise RuntimeError("Error setting from dictionary")
        return real_save(self, fp, format=format, **params)

    monkeypatch.setattr(Image.Image, "save", save)
    assert _run(models_dir, str(first), str(second), "--model", "unet") == 1
    captured = capsys.readouterr()
    assert "the TIFF encoder failed (Error setting from dictionary)" in captured.err
    assert "1 of 2 photos colorized" in captured.out and (tmp_path / "b.unet.colorized.png").exists()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names there must be valid Unicode")
def test_a_file_name_that_is_not_utf8(models_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    path = _photo(folder / os.fsdecode(b"caf\xe9.png"))
    assert _run(models_dir, str(folder), "--model", "unet") == 0
    (result,) = [p for p in folder.iterdir() if ".colorized." in p.name]
    assert read_stamp(result).source_name == "caf\\xe9.png"
    capsys.readouterr()
    path.write_bytes(b"not an image")
    _run(models_dir, str(path), "--model", "unet", "--overwrite")
    err = capsys.readouterr().err
    assert "caf\\xe9.png" in err
    err.encode("utf-8")  # printable: no lone surrogates reach the terminal


def test_control_characters_never_reach_the_terminal(models_dir, tmp_path, capsys):
    evil = tmp_path / "in" / "a\x1b[2J\x1b]0;pwned\x07.png"
    evil.parent.mkdir()
    evil.write_bytes(b"not an image")
    _run(models_dir, str(evil), "--model", "unet")
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err
    assert "a\\x1b[2J\\x1b]0;pwned\\x07.png" in captured.err


def test_model_metadata_is_shown_escaped(models_dir, capsys):
    from tests.conftest import build_tiny_onnx, tiny_contract

    meta = tiny_contract("sepia").to_metadata()
    meta["tintype.display_name"] = "Sepia\x1b[31m red"
    build_tiny_onnx(models_dir / "sepia.onnx", metadata=meta)
    main(["--models-dir", str(models_dir), "models", "--provider", "cpu"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "Sepia\\x1b[31m red" in out


def test_results_of_same_named_photos_never_collide(models_dir, tmp_path, capsys):
    a = _photo(tmp_path / "in" / "2019" / "scan001.jpg", 1)
    b = _photo(tmp_path / "in" / "2020" / "scan001.jpg", 2)
    png, bmp = _photo(tmp_path / "in" / "photo.png", 3), _photo(tmp_path / "in" / "photo.bmp", 4)
    out = tmp_path / "out"
    for overwrite in ([], ["--overwrite"]):
        assert _run(models_dir, str(tmp_path / "in"), "-o", str(out), "--model", "unet", *overwrite) == 0
        assert sorted(p.name for p in out.iterdir()) == [
            "photo-2.unet.colorized.png",
            "photo.unet.colorized.png",
            "scan001-2.unet.colorized.jpg",
            "scan001.unet.colorized.jpg",
        ]
        sources = {read_stamp(p).source_sha256 for p in out.iterdir()}
        assert len(sources) == 4  # each photo its own result, none written over another
    stamped = {read_stamp(out / n).source_name for n in ("photo.unet.colorized.png", "photo-2.unet.colorized.png")}
    assert stamped == {png.name, bmp.name}
    assert a.name == b.name


def test_a_second_run_skips_what_is_done_before_any_model_runs(models_dir, tmp_path, capsys, monkeypatch):
    photos = [_photo(tmp_path / "in" / f"p{i}.png", i) for i in range(3)]
    assert _run(models_dir, str(tmp_path / "in"), "--model", "unet", "--model", "koala") == 0
    (photos[1].parent / "p1.koala.colorized.png").unlink()  # interrupted: one result missing
    runs: list[str] = []
    real = LoadedModel.predict
    monkeypatch.setattr(LoadedModel, "predict", lambda self, gray: runs.append(self.model_id) or real(self, gray))
    capsys.readouterr()
    assert _run(models_dir, str(tmp_path / "in"), "--model", "unet", "--model", "koala") == 0
    assert runs == ["koala"]  # only the missing result was made
    out = capsys.readouterr().out
    assert "1 of 3 photos colorized" in out and "2 skipped: results exist, --overwrite redoes them" in out
    runs.clear()
    assert _run(models_dir, str(tmp_path / "in"), "--model", "unet", "--overwrite") == 0
    assert runs == ["unet"] * 3


def test_max_megapixels_is_the_one_limit(models_dir, tmp_path, capsys):
    big = _photo(tmp_path / "big.png", size=(1200, 1000))
    assert _run(models_dir, str(big), "--model", "unet", "--max-megapixels", "1") == 1
    assert f"{big}: 1000x1200 is 1.2 megapixels, over the 1 MP limit" in capsys.readouterr().err
    assert _run(models_dir, str(big), "--model", "unet", "--max-megapixels", "1.5") == 0
    with pytest.raises(SystemExit):
        _run(models_dir, str(big), "--max-megapixels", "0")


def test_quality_option(models_dir, tmp_path, capsys):
    photo = _photo(tmp_path / "in" / "p.jpg", size=(120, 160))
    assert _run(models_dir, str(photo), "-o", str(tmp_path / "hi"), "--model", "unet") == 0
    assert _run(models_dir, str(photo), "-o", str(tmp_path / "lo"), "--model", "unet", "--quality", "30") == 0
    name = "p.unet.colorized.jpg"
    assert (tmp_path / "lo" / name).stat().st_size < (tmp_path / "hi" / name).stat().st_size
    with pytest.raises(SystemExit):
        _run(models_dir, str(photo), "--quality", "101")
    assert "quality must be 1..100" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_a_batch_fails_fast(models_dir, tmp_path, capsys):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(_run(models_dir, str(fifo), "--model", "unet")), daemon=True)
    thread.start()
    thread.join(20)
    assert done == [1], "the batch blocked on a FIFO"
    assert "not a regular file" in capsys.readouterr().err


def test_a_name_starting_with_a_dash_gets_a_hint(models_dir, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run(models_dir, "-x.jpg")
    err = capsys.readouterr().err
    assert (
        "'-x.jpg' was read as an option; to name a file that starts with '-', write ./-x.jpg or put -- before it" in err
    )


def test_refused_models_are_reported_once_and_as_refused(models_dir, tmp_path, capfd, monkeypatch):
    good = (models_dir / "unet.onnx").read_bytes()
    (models_dir / "truncated.onnx").write_bytes(good[:300])
    assert main(["--models-dir", str(models_dir), "models", "--provider", "cpu"]) == 1
    captured = capfd.readouterr()
    assert captured.err.count("truncated.onnx") == 1
    assert "onnxruntime" not in captured.err.replace("[ONNXRuntimeError]", "")  # no log lines of its own
    import engine.providers

    monkeypatch.setattr(engine.providers, "cuda_compiled_in", lambda: False)  # --provider cuda refuses every model
    assert main(["--models-dir", str(models_dir), "models", "--provider", "cuda"]) == 1
    captured = capfd.readouterr()
    assert "no models found" not in captured.out and "no usable models: 4 refused (reasons above)" in captured.out
    assert _run(models_dir, "x.jpg", "--provider", "cuda") == 2
    assert "no usable models: 4 refused" in capfd.readouterr().err


def test_models_says_whether_cuda_is_usable(models_dir, capsys, monkeypatch):
    import engine.cli

    monkeypatch.setattr(engine.cli, "cuda_compiled_in", lambda: True)
    monkeypatch.setattr(engine.cli, "cuda_usable", lambda: False)
    monkeypatch.setattr(engine.cli, "available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    main(["--models-dir", str(models_dir), "models", "--provider", "cpu"])
    line = capsys.readouterr().out.splitlines()[0]
    assert line == "providers available: CPU (CUDA is installed but not usable here: libraries or GPU missing)"
    monkeypatch.setattr(engine.cli, "cuda_usable", lambda: True)
    main(["--models-dir", str(models_dir), "models", "--provider", "cpu"])
    assert capsys.readouterr().out.splitlines()[0] == "providers available: CUDA, CPU"


def test_two_model_files_with_one_id_are_named(models_dir, tmp_path, capsys):
    from tests.conftest import build_tiny_onnx

    build_tiny_onnx(models_dir / "zz-unet.onnx", model_id="unet", seed=9)
    main(["--models-dir", str(models_dir), "models", "--provider", "cpu"])
    err = capsys.readouterr().err
    assert (
        f"model 'unet' is in two files: using {models_dir / 'zz-unet.onnx'}, ignoring {models_dir / 'unet.onnx'}" in err
    )


@pytest.fixture
def stamped(models_dir, tmp_path) -> Path:
    photo = _photo(tmp_path / "p.png")
    assert _run(models_dir, str(photo), "--model", "unet") == 0
    return tmp_path / "p.unet.colorized.png"


def test_inspect_a_huge_header(stamped, capsys):
    data = bytearray(stamped.read_bytes())
    data[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width, height: 10 gigapixels claimed
    import zlib

    data[29:33] = (zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF).to_bytes(4, "big")
    stamped.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["inspect", str(stamped)]) == 0
    assert "model_id      unet" in capsys.readouterr().out


def test_inspect_a_stamped_png_with_damaged_exif(models_dir, tmp_path, capsys):
    from PIL import PngImagePlugin

    from engine.stamp import Stamp, build_xmp

    info = PngImagePlugin.PngInfo()
    info.add_itxt(
        "XML:com.adobe.xmp", build_xmp(Stamp("unet", "U-Net", "1", "0.1", "now", "p.png", "ab")).decode(), zip=False
    )
    path = tmp_path / "damaged.png"
    Image.new("RGB", (8, 8)).save(path, pnginfo=info, exif=b"Exif\0\0MM\0\xf9\0\0\0\x08\0\0")  # bad TIFF header
    assert main(["inspect", str(path)]) == 0
    captured = capsys.readouterr()
    assert "model_id      unet" in captured.out and "Traceback" not in captured.err


def test_inspect_piped_into_a_closed_reader(stamped):
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "inspect", str(stamped)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    proc.stdout.close()  # like `| head -0`: gone before the first line is printed
    err = proc.stderr.read().decode()
    proc.wait(60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_a_fresh_process_reports_each_refused_model_once_and_no_onnxruntime_lines(models_dir):
    """In a process of its own (the CUDA probe runs once per process): with --provider cuda where
    CUDA is missing, every model is refused in one line each; onnxruntime prints nothing itself."""
    (models_dir / "truncated.onnx").write_bytes((models_dir / "unet.onnx").read_bytes()[:300])
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "--models-dir", str(models_dir), "models", "--provider", "cuda"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "[E:onnxruntime" not in proc.stderr and "[W:onnxruntime" not in proc.stderr, proc.stderr
    for name in ("truncated.onnx", "unet.onnx", "koala.onnx", "cgan.onnx"):
        assert proc.stderr.count(f"{name}:") <= 1, proc.stderr
    assert proc.stderr.count("truncated.onnx:") == 1
    if "CUDA" not in proc.stdout.splitlines()[0].split("(")[0]:  # CUDA not usable here: all refused, said so
        assert "no usable models: 4 refused (reasons above)" in proc.stdout


def test_the_naming_rule_is_the_documented_one(tmp_path):
    from engine.batch import BatchPlanner

    planner = BatchPlanner(["unet"], folder=tmp_path / "out")
    first = planner.plan(_photo(tmp_path / "2019" / "scan001.jpg"))
    second = planner.plan(_photo(tmp_path / "2020" / "scan001.jpg"))
    assert first.targets["unet"].name == "scan001.unet.colorized.jpg"
    assert second.targets["unet"].name == "scan001-2.unet.colorized.jpg"
    readme = (ROOT / "README.md").read_text()
    assert "scan001-2.unet.colorized.jpg" in readme and "A photo whose results all exist is skipped" in readme
