"""The architecture registry: one row per model, in step with the engine's ids."""

import pytest

from engine.model_ids import MODEL_IDS, kind_for
from training.config import PRESETS
from training.models import ARCHITECTURES, architecture, build_generator, preset_config
from training.models.koala import Koalarization
from training.models.unet import UNet


def test_rows_follow_the_engine_ids_and_cover_every_preset():
    assert tuple(arch.id for arch in ARCHITECTURES) == MODEL_IDS
    for arch in ARCHITECTURES:
        assert kind_for(arch.id) is not None  # a display name and description for the app
        assert set(arch.widths) == set(PRESETS)
        assert arch.step in ("regression", "adversarial")


def test_the_study_rows():
    assert [(a.id, a.step, a.family) for a in ARCHITECTURES] == [
        ("unet", "regression", "unet"),
        ("koala", "regression", "koala"),
        ("cgan", "adversarial", "unet"),
    ]
    assert isinstance(build_generator(preset_config("cgan", "tiny")), UNet)  # the CGAN's generator is the U-Net
    assert isinstance(build_generator(preset_config("koala", "tiny", classifier="none")), Koalarization)
    assert [preset_config(m, "small").width for m in MODEL_IDS] == [0.375, 0.5, 0.375]
    assert {preset_config(m, "paper").width for m in MODEL_IDS} == {1.0}


def test_unknown_preset_or_model_is_a_value_error():
    with pytest.raises(ValueError, match="preset"):
        preset_config("unet", "huge")
    with pytest.raises(ValueError, match="unknown model id 'vae'"):
        architecture("vae")


def test_description_follows_the_configuration():
    plain = kind_for("koala").description
    assert architecture("koala").description(preset_config("koala", "tiny")) == plain
    hyper = architecture("koala").description(preset_config("koala", "tiny", fusion="hypercolumn"))
    assert "feature maps (hypercolumn)" in hyper and hyper != plain
    assert architecture("unet").description(preset_config("unet", "tiny")) == kind_for("unet").description


def test_every_step_kind_has_an_algorithm():
    from training.models.registry import STEP_KINDS
    from training.steps import STEPS

    assert set(STEPS) == set(STEP_KINDS)
