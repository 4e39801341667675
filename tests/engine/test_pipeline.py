import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.colorize import ModelResult
from engine.errors import CancelledError
from engine.images import LoadedImage, load_image
from engine.pipeline import Pipeline, SaveOptions, plan_save, run_batch, save_colorized
from engine.registry import ModelRegistry
from engine.stamp import read_stamp


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
    summary = run_batch(pipeline, [photo, tmp_path / "ghost.png"], on_failure=lambda path, reason: failures.append(reason))
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
