"""Broad training data: AVIF files, per-source sampling weights, aged gray inputs."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from training import aging
from training.data import (
    EpochWeightedSampler,
    PhotoDataset,
    list_samples,
    parse_source_weights,
    sample_weights,
    source_of,
)


def _sources(tmp_path: Path) -> Path:
    """Two sources: ``faces`` (2 AVIF photos) and ``scenes`` (6 JPEG photos)."""
    root = tmp_path / "broad"
    rng = np.random.default_rng(0)
    for source, count, suffix in (("faces", 2, ".avif"), ("scenes", 6, ".jpg")):
        (root / source).mkdir(parents=True)
        for i in range(count):
            Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(root / source / f"{i}{suffix}")
    return root


def test_avif_photos_are_training_photos(tmp_path):
    root = _sources(tmp_path)
    samples = list_samples(root)
    assert len(samples) == 8
    assert Counter(source_of(s.color, root) for s in samples) == {"faces": 2, "scenes": 6}


def test_parse_source_weights():
    assert parse_source_weights("camvid=2, clothing=0.5,") == {"camvid": 2.0, "clothing": 0.5}
    assert parse_source_weights("") == {}
    for bad in ("camvid", "camvid=x", "=2", "camvid=-1"):
        with pytest.raises(ValueError, match="name=weight"):
            parse_source_weights(bad)


def test_weighted_sampling_follows_the_source_weights(tmp_path):
    root = _sources(tmp_path)
    samples = list_samples(root)
    weights = sample_weights(samples, root, {"faces": 9.0})  # 2 x 9 against 6 x 1: faces 75 %
    assert sorted(set(weights)) == [1.0, 9.0]
    sampler = EpochWeightedSampler(weights, num_samples=4000, seed=0)
    drawn = Counter(source_of(samples[i].color, root) for i in sampler)
    assert abs(drawn["faces"] / 4000 - 0.75) < 0.03
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first  # a new draw per epoch...
    sampler.set_epoch(0)
    assert list(sampler) == first  # ...that a resumed run repeats
    with pytest.raises(ValueError, match="no photos of"):
        sample_weights(samples, root, {"facez": 2.0})


def _photo() -> np.ndarray:
    yy, xx = np.mgrid[0:64, 0:64]
    return (128 + 60 * np.sin(xx / 6.0) * np.cos(yy / 9.0)).astype(np.uint8)


def test_each_defect_changes_the_photo_its_way():
    gray = _photo()
    rng = lambda: np.random.default_rng(3)  # noqa: E731
    faded = aging.fade(gray, rng())
    assert faded.std() < gray.std()
    edges = np.zeros((32, 32), np.uint8)
    edges[:, ::4] = 255  # thin lines: a blur spreads them
    sharpness = lambda im: np.abs(np.diff(im.astype(np.float32), axis=1)).mean()  # noqa: E731
    assert sharpness(aging.blur(edges, rng())) < 0.8 * sharpness(edges)
    grainy = aging.grain(gray, rng())
    assert np.abs(grainy - gray).std() > 1.0
    assert (aging.dust(gray, rng()) != gray).sum() >= 3
    scratched = aging.scratches(gray, rng())
    changed = scratched != gray
    assert changed.any() and (scratched[changed] > gray[changed]).mean() > 0.9  # light lines


def test_age_gray_is_seeded_and_keeps_shape_and_type():
    gray = _photo()
    a = aging.age_gray(gray, np.random.default_rng(7))
    b = aging.age_gray(gray, np.random.default_rng(7))
    assert a.dtype == np.uint8 and a.shape == gray.shape
    assert np.array_equal(a, b) and not np.array_equal(a, gray)


def test_dataset_ages_only_training_gray(tmp_path):
    root = _sources(tmp_path)
    samples = list_samples(root)
    clean = PhotoDataset(samples, size=32, train=True, seed=1)
    aged = PhotoDataset(samples, size=32, train=True, seed=1, old_photo=1.0)
    test = PhotoDataset(samples, size=32, train=False, old_photo=1.0)
    (g0, c0), (g1, c1) = clean[0], aged[0]
    assert torch.equal(c0, c1) and not torch.equal(g0, g1)  # the target stays clean
    assert torch.equal(test[0][0], PhotoDataset(samples, size=32, train=False)[0][0])
