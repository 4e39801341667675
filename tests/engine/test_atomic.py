"""Writes that are atomic, verified and ordinary: a full disk never replaces a good file, results
follow the umask, long names fit, and what a killed run left is cleaned up."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import atomic
from engine.colorize import colorize
from engine.errors import OutputError, OutputExistsError
from engine.images import load_image
from engine.registry import ModelRegistry
from engine.saving import save_result
from engine.stamp import read_stamp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def colorized(models_dir: Path, tmp_path: Path):
    src = tmp_path / "scan.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, size=(120, 160), dtype=np.uint8)).save(src)
    image = load_image(src)
    result = colorize(image, ModelRegistry.discover([models_dir], provider="cpu").select(["unet"])).results["unet"]
    return image, result


def test_disk_that_keeps_fewer_bytes_never_replaces_a_good_result(colorized, tmp_path, monkeypatch):
    image, result = colorized
    good = save_result(image, result, tmp_path / "out.jpg", fmt="JPEG")
    before = good.read_bytes()
    real_fsync = os.fsync

    def short_disk(fd):  # the file system kept only half of what was written
        os.ftruncate(fd, os.fstat(fd).st_size // 2)
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", short_disk)
    with pytest.raises(OutputError, match="reached the disk"):
        save_result(image, result, good, fmt="JPEG", overwrite=True)
    assert good.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])  # the two encoders that ignore a short write
def test_a_real_short_write_is_caught(colorized, models_dir, tmp_path, fmt):
    """A file-size limit makes the kernel accept only part of the last write, as a full disk does."""
    image, result = colorized
    good = save_result(image, result, tmp_path / f"out.{fmt.lower()}", fmt=fmt)
    before = good.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from engine.colorize import colorize
        from engine.images import load_image
        from engine.registry import ModelRegistry
        from engine.saving import save_result
        from engine.errors import OutputError
        image = load_image({str(image.path)!r})
        models = ModelRegistry.discover([Path({str(models_dir)!r})], provider="cpu").select(["unet"])
        result = colorize(image, models).results["unet"]
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = {len(before)} - 200
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            save_result(image, result, {str(good)!r}, fmt={fmt!r}, overwrite=True)
        except OutputError as exc:
            print("refused:", exc)
            sys.exit(3)
        print("written")
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert good.read_bytes() == before


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_results_follow_the_umask(colorized, tmp_path, umask, mode):
    image, result = colorized
    old = os.umask(umask)
    try:
        out = save_result(image, result, tmp_path / "out.png", fmt="PNG")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == mode


def test_a_long_result_name_that_fits_is_written(colorized, tmp_path):
    image, result = colorized
    name = "x" * (255 - len(".unet.colorized.png")) + ".unet.colorized.png"  # exactly 255 bytes
    out = save_result(image, result, tmp_path / name, fmt="PNG")
    assert read_stamp(out).model_id == "unet"
    assert len(os.fsencode(atomic.temp_name("é" * 200))) <= 255


def test_parts_left_by_a_killed_run_are_removed(colorized, tmp_path, monkeypatch):
    image, result = colorized
    monkeypatch.setattr(atomic, "_swept", set())
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    ).stdout.strip()
    left = tmp_path / f".out.png.tintype-{dead}-0badf00d.part"
    left.write_bytes(b"half a file")
    alive = tmp_path / f".other.png.tintype-{os.getpid()}-12345678.part"  # this process: in use
    alive.write_bytes(b"being written")
    mine = tmp_path / "notes.part"  # not Tintype's
    mine.write_bytes(b"keep")
    save_result(image, result, tmp_path / "out.png", fmt="PNG")
    assert not left.exists() and alive.exists() and mine.exists()


def test_exists_message_names_no_option(colorized, tmp_path):
    image, result = colorized
    target = tmp_path / "out.png"
    target.write_bytes(b"precious")
    with pytest.raises(OutputExistsError) as info:
        save_result(image, result, target, fmt="PNG")
    assert str(info.value) == f"{target}: already exists, not replaced" and info.value.path == target
