"""Restoration: defect detection, inpainting, grain, fade, the switches, a user's mask, and bad input.

Damage comes from training/damage.py (seeded specks, scratches, grain, fading; its true defect mask
is the ground truth). Photos are scikit-image's bundled ones and a smooth synthetic print.
"""

import cv2
import numpy as np
import pytest

from engine.errors import RestoreError, TintypeError
from engine.restore import (
    NOISE_FLOOR,
    DustSettings,
    FadeSettings,
    GrainSettings,
    RestoreSettings,
    detect_defects,
    estimate_noise,
    inpaint_defects,
    restore,
    tonal_range,
)
from training.damage import DamageSpec, damage

OFF = RestoreSettings(dust=DustSettings(enabled=False), grain=GrainSettings(enabled=False))


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    mse = float(np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    return 100.0 if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


@pytest.fixture
def coffee_gray(photo_rgb) -> np.ndarray:
    """A real photo's luma, uint8 400x600."""
    return cv2.cvtColor(photo_rgb, cv2.COLOR_RGB2GRAY)


@pytest.fixture
def smooth_print() -> np.ndarray:
    """A smooth synthetic print, uint8 300x400, gray levels about 15-240: shading and soft shapes."""
    yy, xx = np.mgrid[0:300, 0:400].astype(np.float32)
    image = 70 + 0.25 * xx + 0.15 * yy
    image += 60 * np.exp(-(((xx - 120) / 60) ** 2 + ((yy - 150) / 50) ** 2))
    image -= 45 * np.exp(-(((xx - 300) / 40) ** 2 + ((yy - 90) / 70) ** 2))
    image = cv2.GaussianBlur(image, (0, 0), 3)
    image = 15 + (image - image.min()) * (225 / (image.max() - image.min()))
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def dilated(mask: np.ndarray, radius: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def test_detection_finds_specks_and_scratches(smooth_print):
    """On a quiet print the mask is almost all damage, and covers the damage that matters most.

    The figures measured with the shipped detector: precision 1.0, pixel recall 0.47, recall of the
    damage's squared error 0.62 (a wide dark scratch is only partly found, and the faint rims of
    specks are left; see docs/RESULTS.md).
    """
    hit = damage(smooth_print, DamageSpec(specks=4, scratches=3, grain=3), seed=3)
    mask = detect_defects(hit.gray)
    assert mask.dtype == bool and mask.shape == smooth_print.shape
    error = (hit.gray.astype(float) - smooth_print) ** 2 * hit.defects
    assert dilated(hit.defects, 2)[mask].mean() >= 0.95
    assert mask[hit.defects].mean() >= 0.4
    assert (error * mask).sum() / error.sum() >= 0.55


def test_detected_mask_is_the_mask_restore_uses(coffee_gray):
    """The app shows detect_defects' mask before restoring; restore must fill exactly that one."""
    hit = damage(coffee_gray, seed=12)
    for strength in (0.3, 0.5, 0.9):
        settings = RestoreSettings(dust=DustSettings(strength=strength))
        assert np.array_equal(detect_defects(hit.gray, settings.dust), restore(hit.gray, settings).defect_mask)


def test_restore_improves_damaged_photos(photo_rgb, smooth_print):
    camera = cv2.resize(cv2.cvtColor(photo_rgb, cv2.COLOR_RGB2GRAY), (600, 400))
    from skimage import data

    for clean, gain in ((smooth_print, 3.0), (data.camera(), 1.5), (camera, 0.5)):
        for seed in (1, 2):
            hit = damage(clean, seed=seed)
            result = restore(hit.gray)
            assert psnr(clean, result.gray) >= psnr(clean, hit.gray) + gain
            assert result.steps_applied == ("dust", "grain")


def test_clean_photo_comes_out_practically_unchanged(coffee_gray, smooth_print):
    from skimage import data

    assert psnr(coffee_gray, restore(coffee_gray).gray) >= 35.0
    assert psnr(data.camera(), restore(data.camera()).gray) >= 40.0
    result = restore(smooth_print)
    assert result.steps_applied == () and np.array_equal(result.gray, smooth_print)


def test_everything_off_returns_an_equal_copy(coffee_gray):
    result = restore(coffee_gray, OFF)
    assert np.array_equal(result.gray, coffee_gray) and result.gray is not coffee_gray
    assert result.steps_applied == () and not result.defect_mask.any()


def test_dust_switch(smooth_print):
    hit = damage(smooth_print, DamageSpec(grain=0), seed=4)
    on = restore(hit.gray, RestoreSettings(grain=GrainSettings(enabled=False)))
    off = restore(hit.gray, OFF)
    assert on.steps_applied == ("dust",) and on.defect_mask.any()
    assert off.steps_applied == () and not off.defect_mask.any()
    # Measured +2.45 dB: the learned detector is unsure of the wide dark scratch on this grainless
    # synthetic print and leaves part of it (the hand-made detector it replaced gained over 3 dB
    # here, but far less than the net on damaged real photos: docs/RESULTS.md, "Restoration").
    assert psnr(smooth_print, on.gray) > psnr(smooth_print, off.gray) + 2
    # Only masked pixels change.
    assert np.array_equal(on.gray[~on.defect_mask], hit.gray[~on.defect_mask])


def test_dust_strength_is_sensitivity(coffee_gray):
    hit = damage(coffee_gray, seed=5)
    areas = [detect_defects(hit.gray, DustSettings(strength=s)).sum() for s in (0.0, 0.5, 1.0)]
    assert areas[0] < areas[1] < areas[2]


def test_grain_switch_and_strength(smooth_print):
    noisy = damage(smooth_print, DamageSpec(specks=0, scratches=0, grain=8), seed=6).gray
    dust_off = DustSettings(enabled=False)
    on = restore(noisy, RestoreSettings(dust=dust_off))
    off = restore(noisy, RestoreSettings(dust=dust_off, grain=GrainSettings(enabled=False)))
    assert on.steps_applied == ("grain",) and abs(on.noise_sigma - 8) < 1.5
    assert np.array_equal(off.gray, noisy)
    errors = [
        psnr(smooth_print, restore(noisy, RestoreSettings(dust=dust_off, grain=GrainSettings(strength=s))).gray)
        for s in (0.1, 0.5)
    ]
    assert errors[1] > errors[0] > psnr(smooth_print, noisy)
    # A level given by the user is used even on a clean photo.
    given = restore(smooth_print, RestoreSettings(dust=dust_off, grain=GrainSettings(sigma=6.0)))
    assert given.steps_applied == ("grain",) and given.noise_sigma == 6.0


def test_noise_estimate(smooth_print, coffee_gray):
    assert estimate_noise(smooth_print) < NOISE_FLOOR
    assert estimate_noise(coffee_gray) < NOISE_FLOOR
    rng = np.random.default_rng(0)
    for sigma in (3.0, 10.0):
        noisy = np.clip(smooth_print + rng.normal(0, sigma, smooth_print.shape), 0, 255).round().astype(np.uint8)
        assert abs(estimate_noise(noisy) - sigma) < 0.15 * sigma
    big = np.clip(cv2.resize(smooth_print, (2400, 1800)) + rng.normal(0, 5, (1800, 2400)), 0, 255).astype(np.uint8)
    assert abs(estimate_noise(big) - 5) < 0.75  # measured on blocks


def test_fade_is_off_by_default_and_stretches_when_on(smooth_print):
    faded = damage(smooth_print, DamageSpec(specks=0, scratches=0, grain=0, fade=0.8), seed=7).gray
    low, high = tonal_range(faded)
    assert low > 60 and high < 210
    assert "fade" not in restore(faded).steps_applied
    result = restore(faded, RestoreSettings(fade=FadeSettings(enabled=True)))
    assert result.steps_applied == ("fade",)
    new_low, new_high = tonal_range(result.gray)
    assert new_high - new_low > 1.8 * (high - low)
    assert psnr(smooth_print, result.gray) > psnr(smooth_print, faded) + 3
    half = restore(faded, RestoreSettings(fade=FadeSettings(enabled=True, strength=0.5)))
    assert high - low < np.subtract(*tonal_range(half.gray)[::-1]) < new_high - new_low
    # Gray order is kept: the stretch is monotonic.
    order = np.argsort(faded.ravel(), kind="stable")
    assert np.all(np.diff(result.gray.ravel()[order].astype(int)) >= 0)


def test_fade_leaves_a_full_range_photo_alone_and_local_contrast_is_a_step(smooth_print):
    settings = RestoreSettings(
        dust=DustSettings(enabled=False), grain=GrainSettings(enabled=False), fade=FadeSettings(enabled=True)
    )
    full = restore(smooth_print, settings).gray  # stretched once: a second stretch has nothing to do
    assert tonal_range(full)[0] <= 2 and tonal_range(full)[1] >= 253
    assert restore(full, settings).steps_applied == ()
    local = RestoreSettings(
        dust=DustSettings(enabled=False),
        grain=GrainSettings(enabled=False),
        fade=FadeSettings(enabled=True, local_contrast=0.5),
    )
    result = restore(full, local)
    assert result.steps_applied == ("local-contrast",) and not np.array_equal(result.gray, full)


def test_user_mask_replaces_detection(smooth_print):
    image = smooth_print.copy()
    image[100:140, 200:260] = 255  # a big white stain: too large for the detector
    assert not detect_defects(image)[100:140, 200:260].any()
    painted = np.zeros(image.shape, bool)
    painted[96:144, 196:264] = True
    settings = RestoreSettings(grain=GrainSettings(enabled=False))
    for mask in (painted, painted.astype(np.uint8) * 255):
        result = restore(image, settings, mask=mask)
        assert np.array_equal(result.defect_mask, painted) and result.steps_applied == ("dust",)
        assert np.abs(result.gray[100:140, 200:260].astype(int) - smooth_print[100:140, 200:260]).mean() < 10
        assert np.array_equal(result.gray[~painted], image[~painted])
    # An erased mask: nothing is filled, even where the detector would have found something.
    hit = damage(smooth_print, DamageSpec(grain=0), seed=8)
    erased = restore(hit.gray, settings, mask=np.zeros(image.shape, bool))
    assert erased.steps_applied == () and np.array_equal(erased.gray, hit.gray)


def test_deterministic_and_input_untouched(coffee_gray):
    hit = damage(coffee_gray, DamageSpec(fade=0.3), seed=9)
    before = hit.gray.copy()
    settings = RestoreSettings(fade=FadeSettings(enabled=True, local_contrast=0.3))
    first, second = restore(hit.gray, settings), restore(hit.gray, settings)
    assert np.array_equal(first.gray, second.gray) and np.array_equal(first.defect_mask, second.defect_mask)
    assert first.steps_applied == second.steps_applied == ("dust", "grain", "fade", "local-contrast")
    assert np.array_equal(hit.gray, before)
    assert np.array_equal(damage(coffee_gray, seed=9).gray, damage(coffee_gray, seed=9).gray)


def test_odd_sizes_and_big_photos(smooth_print):
    # 1283x811 takes the reduced-resolution surround path with sizes that do not divide evenly.
    big = cv2.resize(smooth_print, (1283, 811), interpolation=cv2.INTER_CUBIC)
    hit = damage(big, seed=10)
    result = restore(hit.gray)
    assert result.gray.shape == big.shape and result.defect_mask.shape == big.shape
    assert psnr(big, result.gray) >= psnr(big, hit.gray) + 2.0
    assert restore(np.full((8, 9), 128, np.uint8)).gray.shape == (8, 9)


def test_tiled_inpainting_matches_one_call(coffee_gray):
    image = cv2.resize(coffee_gray, (1100, 700))
    hit = damage(image, DamageSpec(grain=0), seed=11)
    mask = dilated(hit.defects, 1)
    tiled = inpaint_defects(hit.gray, mask).astype(int)
    whole = cv2.inpaint(hit.gray, mask.astype(np.uint8), 3, cv2.INPAINT_NS).astype(int)
    assert np.array_equal(tiled[~mask], hit.gray[~mask])
    assert np.abs(tiled - whole).mean() < 0.05 and np.abs(tiled - whole)[mask].mean() < 2.0


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((20, 20), np.float32),
        np.zeros((20, 20, 3), np.uint8),
        np.zeros(400, np.uint8),
        np.zeros((4, 20), np.uint8),
        [[0, 1], [2, 3]],
    ],
)
def test_bad_images_raise_restore_error(bad):
    with pytest.raises(RestoreError):
        restore(bad)


def test_bad_masks_and_settings_raise_restore_error(smooth_print):
    with pytest.raises(RestoreError, match="mask"):
        restore(smooth_print, mask=np.zeros((10, 10), bool))
    with pytest.raises(RestoreError, match="mask"):
        restore(smooth_print, mask=np.zeros(smooth_print.shape, np.float32))
    with pytest.raises(RestoreError, match="dust"):
        restore(
            smooth_print, RestoreSettings(dust=DustSettings(enabled=False)), mask=np.zeros(smooth_print.shape, bool)
        )
    with pytest.raises(RestoreError):
        restore(smooth_print, settings=DustSettings())
    for make in (
        lambda: DustSettings(strength=1.5),
        lambda: GrainSettings(strength=-0.1),
        lambda: GrainSettings(sigma=-1.0),
        lambda: FadeSettings(local_contrast=2),
        lambda: FadeSettings(strength=True),
        lambda: RestoreSettings(dust=GrainSettings()),
    ):
        with pytest.raises(RestoreError) as caught:
            make()
        assert isinstance(caught.value, TintypeError) and isinstance(caught.value, ValueError)


def test_a_missing_or_broken_detector_is_a_clear_error(tmp_path, smooth_print):
    from engine.errors import ModelLoadError
    from engine.restore.defects import defect_probability

    with pytest.raises(ModelLoadError, match="dust and scratch detector is missing"):
        defect_probability(smooth_print, model=tmp_path / "defects.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelLoadError):
        defect_probability(smooth_print, model=broken)
