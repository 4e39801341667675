import pytest
import torch

from training.colorspace import colorfulness, gray_from_rgb, lab_to_rgb, rgb_to_lab
from training.flops import describe
from training.models import ARCHITECTURES, build_generator, preset_config
from training.models.discriminator import Discriminator

MODEL_IDS = [arch.id for arch in ARCHITECTURES]


@pytest.mark.parametrize("model_id", MODEL_IDS)
@pytest.mark.parametrize("output", ["rgb", "lab_ab"])
def test_forward_at_two_sizes(model_id, output):
    model = build_generator(preset_config(model_id, "tiny", output=output)).eval()
    for size in (32, 64):
        with torch.no_grad():
            out = model(torch.rand(2, 1, size, size) * 2 - 1)
        assert out.shape == (2, 3 if output == "rgb" else 2, size, size)
        assert out.abs().max() <= 1.0


def test_paper_unet_has_the_study_widths():
    model = build_generator(preset_config("unet", "paper"))
    assert model.channels == [64, 128, 256, 512, 1024]


def test_koala_fusion_has_1256_channels_and_frozen_classifier():
    model = build_generator(preset_config("koala", "paper"))
    assert model.fusion[0].in_channels == 1256
    assert model.classifier.dim == 1000
    assert not any(p.requires_grad for p in model.classifier.parameters())
    model.train()
    assert not model.classifier.training  # stays in eval mode: BatchNorm statistics frozen


def test_koala_hypercolumn_fuses_the_classifier_feature_maps():
    model = build_generator(
        preset_config("koala", "tiny", output="lab_ab", classifier="none", fusion="hypercolumn")
    ).eval()
    assert model.fusion[0].in_channels == 32 + 1000 + sum(model.classifier.tap_channels)
    for size in (32, 64):
        with torch.no_grad():
            out = model(torch.rand(2, 1, size, size) * 2 - 1)
        assert out.shape == (2, 2, size, size)
    with pytest.raises(ValueError, match="fusion"):
        preset_config("koala", "tiny", fusion="everything")


def test_efficientnet_feature_taps_match_its_forward():
    """The block-by-block pass that keeps the maps (strides 8, 16, 32) gives the package's own output."""
    model = build_generator(preset_config("koala", "tiny", fusion="hypercolumn")).eval()
    gray = torch.rand(2, 1, 64, 64) * 2 - 1
    classifier = model.classifier
    with torch.no_grad():
        vector, maps = classifier.features(gray)
        package = torch.softmax(classifier.net((classifier._prepare(gray) * 255.0 - 127.0) / 128.0), dim=1)
        assert torch.allclose(vector, package, atol=1e-6)
    assert [tuple(m.shape[1:]) for m in maps] == [(40, 28, 28), (112, 14, 14), (320, 7, 7)]
    assert model.fusion[0].in_channels == 32 + 1000 + 472


def test_discriminator_shape():
    d = Discriminator(size=32, width=0.125)
    p = d(torch.zeros(3, 1, 32, 32), torch.zeros(3, 3, 32, 32))
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()
    assert d.mlp[1].out_features == 15


def test_colorspace_matches_engine():
    import numpy as np

    from engine.color import rgb_to_lab as np_rgb_to_lab

    rgb = torch.rand(2, 3, 8, 8)
    lab = rgb_to_lab(rgb)
    ref = np_rgb_to_lab(rgb.permute(0, 2, 3, 1).numpy())
    assert np.abs(lab.permute(0, 2, 3, 1).numpy() - ref).max() < 1e-3
    assert (lab_to_rgb(lab) - rgb).abs().max() < 2e-3
    gray = gray_from_rgb(rgb)
    assert torch.allclose(gray[:, 0], 0.299 * rgb[:, 0] + 0.587 * rgb[:, 1] + 0.114 * rgb[:, 2], atol=1e-6)
    assert torch.allclose(colorfulness(gray.expand(-1, 3, -1, -1)), torch.zeros(2), atol=0.01)


def test_info_counts():
    trainable, total, flops = describe(preset_config("unet", "tiny"), size=32)
    assert trainable == total > 0 and flops > 0
    trainable, total, _ = describe(preset_config("koala", "tiny"), size=32)
    assert trainable < total  # the classifier is frozen


def test_koala_with_local_vgg16_conv_weights():
    """The study's VGG16, from the conv weights in ../shared/weights: the fusion vector is 512-d."""
    from pathlib import Path

    weights = Path(__file__).resolve().parents[3] / "shared" / "weights" / "vgg_features_imagenet_torchvision.pth"
    if not weights.exists():
        pytest.skip("shared VGG16 weights not present beside this checkout")
    model = build_generator(
        preset_config("koala", "tiny", classifier="vgg16-features", classifier_weights=str(weights))
    ).eval()
    assert model.classifier.dim == 512 and model.fusion[0].in_channels == 512 + 32
    with torch.no_grad():
        vector = model.classifier(torch.zeros(1, 1, 32, 32))
        out = model(torch.zeros(1, 1, 32, 32))
    assert vector.shape == (1, 512) and vector.abs().sum() > 0 and out.shape == (1, 3, 32, 32)
