import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.adjust import ColorControls, ColorHint
from engine.batch import run_batch
from engine.color import recombine
from engine.colorize import ModelResult
from engine.errors import CancelledError, HintsError, OutputError
from engine.images import LoadedImage, load_image
from engine.pipeline import (
    Pipeline,
    SaveOptions,
    plan_save,
    save_colorized,
    save_restored_gray,
)
from engine.registry import ModelRegistry
from engine.stamp import read_any_stamp, read_stamp
from engine.steps import ColorAdjustment, Restoration


@dataclasses.dataclass(frozen=True)
class Invert:
    """A restore step: gray in, gray out."""

    name: str = "invert"
    seen: list = dataclasses.field(default_factory=list, compare=False)

    def restore(self, gray: np.ndarray) -> np.ndarray:
        self.seen.append(gray.copy())
        return 255 - gray


@dataclasses.dataclass(frozen=True)
class Desaturate:
    """An adjust step: each model's result in, its gray version out."""

    name: str = "desaturate"
    seen: list = dataclasses.field(default_factory=list, compare=False)

    def adjust(self, image: LoadedImage, result: ModelResult) -> ModelResult:
        self.seen.append(result.model_id)
        return dataclasses.replace(result, rgb=np.repeat(image.gray[..., None], 3, axis=2))


@pytest.fixture
def models(models_dir: Path):
    return tuple(ModelRegistry.discover([models_dir], provider="cpu").models)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    path = tmp_path / "photo.jpg"
    Image.fromarray(rng.integers(0, 256, size=(40, 60), dtype=np.uint8)).save(path, quality=95)
    return path


def test_steps_are_listed_in_order(models):
    assert Pipeline(models=models).steps == ("load", "colorize", "stamp", "save")
    pipeline = Pipeline(models=models, restore=(Invert(),), adjust=(Desaturate(),))
    assert pipeline.steps == ("load", "invert", "colorize", "desaturate", "stamp", "save")


def test_restore_step_feeds_the_models(models, photo_path):
    step = Invert()
    image = load_image(photo_path)
    result = Pipeline(models=models, restore=(step,)).colorize(image)
    assert len(step.seen) == 1 and np.array_equal(step.seen[0], image.gray)
    assert np.array_equal(result.image.gray, 255 - image.gray)
    for model_result in result.results.values():  # the results keep the restored gray as luminance
        back = np.asarray(Image.fromarray(model_result.rgb).convert("L"), dtype=np.int16)
        assert np.abs(back - result.image.gray).mean() <= 1.0


def test_restore_step_must_keep_gray_and_shape(models, photo):
    @dataclasses.dataclass(frozen=True)
    class Crop:
        name: str = "crop"

        def restore(self, gray: np.ndarray) -> np.ndarray:
            return gray[1:]

    with pytest.raises(ValueError, match="restore step 'crop'"):
        Pipeline(models=models, restore=(Crop(),)).colorize(load_image(photo))


def test_adjust_step_runs_once_per_model_and_reaches_the_file(models, photo, tmp_path):
    step = Desaturate()
    pipeline = Pipeline(models=models, adjust=(step,), output=SaveOptions(folder=tmp_path / "out"))
    (tmp_path / "out").mkdir()
    run = pipeline.run(photo)
    assert step.seen == ["unet", "koala", "cgan"]
    assert [p.name for p in run.written] == [f"photo.{m}.colorized.jpg" for m in ("unet", "koala", "cgan")]
    with Image.open(run.written[0]) as saved:
        rgb = np.asarray(saved.convert("RGB"), dtype=np.int16)
    assert (rgb.max(axis=2) - rgb.min(axis=2)).mean() < 2  # saved as adjusted: gray


def test_run_times_every_stage(models, photo, tmp_path):
    run = Pipeline(models=models, output=SaveOptions(folder=tmp_path)).run(photo)
    t = run.timings
    assert min(t.load, t.restore, t.colorize, t.inference, t.adjust, t.save) >= 0
    assert t.inference > 0 and t.colorize >= t.inference and t.color_math >= 0
    assert t.total == pytest.approx(t.load + t.restore + t.colorize + t.adjust + t.save)
    assert read_stamp(run.written[-1]).model_id == "cgan"


def test_cancel_stops_before_the_next_step(models, photo):
    with pytest.raises(CancelledError):
        Pipeline(models=models, restore=(Invert(),)).colorize(load_image(photo), cancelled=lambda: True)


def test_batch_counts_files_of_a_photo_that_fails_later(models, photo, tmp_path):
    (tmp_path / "photo.koala.colorized.jpg").mkdir()  # in the way of the second result (not a result)
    failures = []
    pipeline = Pipeline(models=models[:2], output=SaveOptions(folder=tmp_path))
    summary = run_batch(
        pipeline, [photo, tmp_path / "ghost.png"], on_failure=lambda path, reason: failures.append(reason)
    )
    assert (summary.photos, summary.failed, summary.written, summary.done) == (2, 2, 1, 0)
    assert "already exists" in failures[0] and "no such file" in failures[1]
    assert (tmp_path / "photo.unet.colorized.jpg").exists()


def test_save_sequence_plans_or_takes_a_chosen_file(models, photo, tmp_path):
    image = load_image(photo)
    result = Pipeline(models=models[:1]).colorize(image).results["unet"]
    options = SaveOptions(format="png")
    plan = plan_save(image, "unet", options)
    assert (plan.path, plan.fmt) == (photo.parent / "photo.unet.colorized.png", "PNG")
    assert save_colorized(image, result, options) == plan.path
    chosen = save_colorized(image, result, options, target=tmp_path / "mine.webp")
    with Image.open(chosen) as saved:
        assert saved.format == "WEBP"
    assert read_stamp(chosen).source_sha256 == image.sha256


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    """A smooth gray print, 120x90, with dark and bright 3x3 specks (PNG: they stay sharp)."""
    yy, xx = np.mgrid[0:90, 0:120]
    gray = (60 + 0.8 * xx + 0.5 * yy).astype(np.uint8)
    for y, x, value in SPECKS:
        gray[y - 1 : y + 2, x - 1 : x + 2] = value
    path = tmp_path / "scan.png"
    Image.fromarray(gray).save(path)
    return path


SPECKS = ((20, 30, 250), (45, 80, 5), (70, 20, 245), (60, 100, 10))


def test_colorize_hands_over_the_chroma_it_recombined(models, photo):
    image = load_image(photo)
    for result in Pipeline(models=models).colorize(image).results.values():
        assert result.chroma.dtype == np.float32 and result.chroma.ndim == 3 and result.chroma.shape[2] == 2
        assert np.array_equal(recombine(image.gray, result.chroma), result.rgb)  # the model need not run again
        assert result.hints == () and result.controls.neutral


def test_restoration_step_records_its_steps_and_results_keep_the_restored_gray(models, scan):
    image = load_image(scan)
    pipeline = Pipeline(models=models[:1], restore=(Restoration(),))
    assert pipeline.steps == ("load", "restore", "colorize", "stamp", "save")
    result = pipeline.colorize(image)
    assert result.image.restored == ("dust",) and image.restored == ()
    assert all(abs(int(result.image.gray[y, x]) - 60 - 0.8 * x - 0.5 * y) <= 3 for y, x, _ in SPECKS)
    back = np.asarray(Image.fromarray(result.results["unet"].rgb).convert("L"), dtype=np.int16)
    assert np.abs(back - result.image.gray).mean() <= 1.0  # "the gray is kept": the restored gray
    # A step that returns a plain array is recorded under its name.
    assert Pipeline(models=models[:1], restore=(Invert(),)).restored(image).restored == ("invert",)


def test_restore_only_pipeline_saves_the_restored_gray(scan, tmp_path):
    pipeline = Pipeline(models=(), restore=(Restoration(),), output=SaveOptions(folder=tmp_path), keep_restored=True)
    assert pipeline.steps == ("load", "restore", "stamp", "save")
    run = pipeline.run(scan)
    assert [p.name for p in run.written] == ["scan.restored.png"]
    assert read_any_stamp(run.written[0]).edits.restore == ("dust",)


def test_batch_keeping_the_restored_gray_makes_only_what_is_missing(models, photo, tmp_path):
    pipeline = Pipeline(models=models[:1], restore=(Invert(),), output=SaveOptions(folder=tmp_path), keep_restored=True)
    (tmp_path / "photo.restored.jpg").write_bytes(b"an earlier run's")
    summary = run_batch(pipeline, [photo])
    assert (summary.done, summary.written, summary.skipped) == (1, 1, 0)
    assert (tmp_path / "photo.restored.jpg").read_bytes() == b"an earlier run's"  # kept, not redone
    assert read_stamp(tmp_path / "photo.unet.colorized.jpg").edits.restore == ("invert",)
    assert run_batch(pipeline, [photo]).skipped == 1  # everything exists now
    (tmp_path / "photo.restored.jpg").unlink()
    summary = run_batch(pipeline, [photo])
    assert (summary.done, summary.written) == (1, 1)
    assert read_any_stamp(tmp_path / "photo.restored.jpg").edits.restore == ("invert",)


def test_restored_gray_is_never_written_over_the_original(photo, tmp_path):
    image = Pipeline(models=(), restore=(Invert(),)).restored(load_image(photo))
    before = photo.read_bytes()
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="refusing to write over the original photo"):
            save_restored_gray(image, SaveOptions(overwrite=overwrite), target=photo)
    assert photo.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["photo.jpg"]


def test_neutral_color_adjustment_changes_nothing_and_hints_do(models, photo_path):
    image = load_image(photo_path)
    plain = Pipeline(models=models).colorize(image)
    same = Pipeline(models=models, adjust=(ColorAdjustment(),)).colorize(image)
    for model_id, result in plain.results.items():
        assert np.array_equal(same.results[model_id].rgb, result.rgb)
        assert ColorAdjustment().adjust(image, result) is result
    hint = ColorHint(x=450, y=200, rgb=(220, 30, 30), radius=4)  # a quiet area of mid gray (83)
    step = ColorAdjustment(hints=(hint,), controls=ColorControls(strength=0.5))
    hinted = Pipeline(models=models, adjust=(step,)).colorize(image)
    for model_id, result in hinted.results.items():
        assert result.hints == (hint,) and result.controls.strength == 0.5
        red = result.rgb[196:205, 446:455].astype(int)
        assert (red[..., 0] - red[..., 1]).mean() > 40
        assert not np.array_equal(result.rgb, plain.results[model_id].rgb)
        back = np.asarray(Image.fromarray(result.rgb).convert("L"), dtype=np.int16)
        assert np.abs(back - image.gray).mean() <= 1.0


def test_color_adjustment_refuses_a_result_without_chroma(models, photo):
    image = load_image(photo)
    result = dataclasses.replace(Pipeline(models=models[:1]).colorize(image).results["unet"], chroma=None)
    with pytest.raises(HintsError, match="no model colors"):
        ColorAdjustment(controls=ColorControls(warmth=0.2)).adjust(image, result)
