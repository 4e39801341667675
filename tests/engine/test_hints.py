import json

import numpy as np
import pytest
from PIL import Image

from engine.adjust import (
    ChromaEditor,
    ColorControls,
    ColorHint,
    Propagation,
    adjust_chroma,
    hints_to_json,
    load_hints,
    parse_hints,
)
from engine.adjust.propagate import EdgeAwareSpreader
from engine.color import chroma_of, recombine, rgb_to_lab
from engine.errors import HintsError, TintypeError

RED = (150, 30, 20)  # BT.601 luma 64.7


@pytest.fixture
def two_regions() -> tuple[np.ndarray, np.ndarray]:
    """A 160x240 gray photo, dark (65) left of an edge at x=120 and light (190) right of it, the edge
    soft (a 5-pixel ramp, as edges are at a working resolution), with grain, and a model-like chroma
    at 40x60: a faint green-blue everywhere."""
    rng = np.random.default_rng(0)
    ramp = np.clip((np.arange(240) - 117.5) / 5.0, 0.0, 1.0)[None, :]
    gray = 65.0 + 125.0 * ramp + rng.normal(0, 3.0, size=(160, 240))
    chroma = np.zeros((40, 60, 2), np.float32)
    chroma[..., 0], chroma[..., 1] = 4.0, -6.0
    return np.clip(np.rint(gray), 0, 255).astype(np.uint8), chroma


def lab_of(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_lab(rgb.astype(np.float32) / 255.0)


def gray_back(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.int16)


def test_a_hint_colors_its_region_and_stops_at_an_edge(two_regions):
    gray, chroma = two_regions
    editor = ChromaEditor(gray, chroma)
    before = editor.render()
    after = editor.render([ColorHint(x=40, y=80, rgb=RED, radius=2)])
    hint_ab = lab_of(np.array(RED))[1:]
    # Its own point takes the hint's color (the gray there is the hint's luma).
    assert np.abs(after[80, 40].astype(int) - RED).max() <= 4
    # Far across its own region (70 px away) the color is nearly the hint's.
    far = lab_of(after[150:, 100:115]).reshape(-1, 3)[:, 1:].mean(axis=0)
    assert np.linalg.norm(far - hint_ab) < 0.15 * np.linalg.norm(hint_ab)
    # Past the edge, a few pixels from it, the model's color stays.
    diff = np.abs(after[:, 126:].astype(int) - before[:, 126:]).mean()
    assert diff < 0.5, diff
    assert np.abs(gray_back(after) - gray).mean() <= 1.0


def test_no_hints_and_neutral_controls_are_the_identity(two_regions):
    gray, chroma = two_regions
    editor = ChromaEditor(gray, chroma)
    assert editor.chroma() is chroma
    assert adjust_chroma(gray, chroma) is chroma
    assert np.array_equal(editor.render(), recombine(gray, chroma))


def test_controls_alone_roundtrip_the_prediction(photo_rgb):
    # Strength 1 converted through Lab and back (the slow path) gives the model's chroma again.
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    chroma = chroma_of(np.asarray(Image.fromarray(photo_rgb).resize((96, 64), Image.Resampling.BOX)) / 255.0)
    editor = ChromaEditor(gray, chroma, working_size=96)
    assert editor.working_shape == (64, 96)
    back = editor.chroma(controls=ColorControls(strength=1.0, warmth=1e-9))
    assert np.abs(back - chroma).max() < 0.05


def test_strength_zero_is_gray_and_two_is_more_colorful(photo_rgb):
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    # A muted prediction (40 % of the photo's chroma), as models give, so that doubling stays in gamut.
    chroma = 0.4 * chroma_of(np.asarray(Image.fromarray(photo_rgb).resize((150, 100), Image.Resampling.BOX)) / 255.0)
    editor = ChromaEditor(gray, chroma)
    flat = editor.render(controls=ColorControls(strength=0.0))
    assert (flat.max(axis=2).astype(int) - flat.min(axis=2)).max() <= 1
    assert np.abs(flat[..., 0].astype(int) - gray).max() <= 1
    chroma_1 = np.hypot(*lab_of(editor.render())[..., 1:].transpose(2, 0, 1)).mean()
    chroma_2 = np.hypot(*lab_of(editor.render(controls=ColorControls(strength=2.0)))[..., 1:].transpose(2, 0, 1)).mean()
    assert chroma_2 > 1.7 * chroma_1


def test_warmth_shifts_blue_yellow(two_regions):
    gray, chroma = two_regions
    editor = ChromaEditor(gray, chroma)
    base = lab_of(editor.render()).reshape(-1, 3).mean(axis=0)
    warm = lab_of(editor.render(controls=ColorControls(warmth=0.4))).reshape(-1, 3).mean(axis=0)
    cool = lab_of(editor.render(controls=ColorControls(warmth=-0.4))).reshape(-1, 3).mean(axis=0)
    assert warm[2] - base[2] > 7 and base[2] - cool[2] > 7  # b*: 0.4 x 25
    assert abs(warm[1] - base[1]) < 2 and abs(cool[1] - base[1]) < 2  # a* about unchanged


def test_controls_apply_before_hints(two_regions):
    gray, chroma = two_regions
    hint = ColorHint(x=40, y=80, rgb=RED, radius=2)
    out = ChromaEditor(gray, chroma).render([hint], ColorControls(strength=0.0, warmth=-1.0))
    assert np.abs(out[80, 40].astype(int) - RED).max() <= 4  # the hint's color is not cooled or grayed
    assert (out[:, 130:].max(axis=2).astype(int) - out[:, 130:].min(axis=2)).mean() > 5  # the rest is cooled


def test_hints_from_the_truth_bring_back_a_real_photo(photo_rgb):
    # The prior is gray; ten true colors from the photo must bring the result closer to it.
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    editor = ChromaEditor(gray, np.zeros((50, 75, 2), np.float32))
    rng = np.random.default_rng(3)
    points = [(int(x), int(y)) for x, y in zip(rng.integers(0, 600, 10), rng.integers(0, 400, 10), strict=True)]
    hints = [ColorHint(x=x, y=y, rgb=tuple(int(c) for c in photo_rgb[y, x]), radius=2) for x, y in points]

    def psnr(rgb: np.ndarray) -> float:
        return 10 * np.log10(255**2 / np.mean((rgb.astype(float) - photo_rgb) ** 2))

    assert psnr(editor.render(hints)) > psnr(editor.render()) + 2.0
    assert editor.working_shape == (341, 512)


def test_gray_fidelity_with_hints_and_controls(photo_rgb):
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    chroma = np.random.default_rng(2).normal(0, 40, size=(40, 60, 2)).astype(np.float32)
    hints = [ColorHint(x=10, y=10, rgb=(0, 0, 255), radius=5), ColorHint(x=500, y=300, rgb=(255, 255, 0))]
    out = ChromaEditor(gray, chroma).render(hints, ColorControls(strength=1.7, warmth=0.5))
    assert np.abs(gray_back(out) - gray).mean() <= 1.0


def test_deterministic(photo_rgb):
    gray = np.asarray(Image.fromarray(photo_rgb).convert("L"))
    chroma = np.random.default_rng(2).normal(0, 20, size=(40, 60, 2)).astype(np.float32)
    hints = [ColorHint(x=100.5, y=50.25, rgb=(200, 120, 40), radius=3), ColorHint(x=400, y=300, rgb=(20, 90, 160))]
    first = ChromaEditor(gray, chroma).render(hints, ColorControls(strength=1.3, warmth=0.2))
    second = ChromaEditor(gray, chroma).render(hints, ColorControls(strength=1.3, warmth=0.2))
    assert np.array_equal(first, second)


def test_a_preview_reuses_the_editor(two_regions):
    gray, chroma = two_regions
    editor = ChromaEditor(gray, chroma)
    preview = np.asarray(Image.fromarray(gray).resize((120, 80), Image.Resampling.BILINEAR))
    hints = [ColorHint(x=40, y=80, rgb=RED)]
    small = editor.render(hints, gray=preview)
    assert small.shape == (80, 120, 3)
    assert np.array_equal(small, recombine(preview, editor.chroma(hints)))


def test_spreading_is_edge_aware_and_normalized():
    guide = np.full((64, 64), 0.5, np.float32)
    spreader = EdgeAwareSpreader(guide, Propagation(spread=0.1))
    seeds = np.zeros((1, 64, 64), np.float32)
    seeds[0, 32, 32] = 1.0
    flat = spreader.spread(seeds)[0]
    assert flat[32, 32] == pytest.approx(spreader.peak, rel=0.05)  # the analytic peak, borders aside
    assert flat.sum() == pytest.approx(1.0, rel=1e-3)  # spreading moves weight, it does not make any
    guide[:, 40:] = 0.9
    walled = EdgeAwareSpreader(guide, Propagation(spread=0.1)).spread(seeds)[0]
    assert walled[:, 41:].sum() < 1e-3 * flat[:, 41:].sum()


def test_hints_file_roundtrip_and_defaults():
    text = '{"points": [{"x": 412, "y": 133, "color": "#b5402a", "radius": 3}, {"x": 1.5, "y": 2, "color": "#FFF"}]}'
    hints = parse_hints(text, size=(500, 400))
    assert hints == (ColorHint(x=412, y=133, rgb=(181, 64, 42), radius=3), ColorHint(x=1.5, y=2, rgb=(255, 255, 255)))
    assert parse_hints(hints_to_json(hints)) == hints
    assert json.loads(hints_to_json(hints))["points"][1] == {"x": 1.5, "y": 2, "color": "#ffffff"}
    assert parse_hints('{"points": []}') == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"points": [', "not valid JSON"),
        ("[1, 2]", 'expected an object {"points"'),
        ('{"point": []}', 'expected an object {"points"'),
        ('{"points": [], "strength": 1}', "unknown key 'strength'"),
        ('{"points": [3]}', "point 1: expected an object"),
        ('{"points": [{"x": 1, "y": 2}]}', 'point 1: missing "color"'),
        ('{"points": [{"x": 1, "y": 2, "color": "red"}]}', "point 1: color 'red' is not a hex color"),
        ('{"points": [{"x": 1, "y": 2, "color": "#12345"}]}', "is not a hex color"),
        ('{"points": [{"x": 1, "y": 2, "color": 255}]}', "is not a hex color"),
        ('{"points": [{"x": true, "y": 2, "color": "#123456"}]}', '"x" must be a number'),
        ('{"points": [{"x": 1, "y": "2", "color": "#123456"}]}', '"y" must be a number'),
        ('{"points": [{"x": 1, "y": 2, "color": "#123456", "radius": -1}]}', '"radius" must be >= 0'),
        ('{"points": [{"x": 1, "y": 2, "color": "#123456", "raduis": 1}]}', "unknown key 'raduis'"),
        (
            '{"points": [{"x": 1, "y": 2, "color": "#123456"}, {"x": 500, "y": 2, "color": "#123456"}]}',
            "point 2 at (500, 2) is outside the 500x400 photo",
        ),
        ('{"points": [{"x": 1, "y": -0.5, "color": "#123456"}]}', "outside the 500x400 photo"),
    ],
)
def test_hints_file_errors(text, message):
    with pytest.raises(HintsError) as caught:
        parse_hints(text, source="h.json", size=(500, 400))
    assert str(caught.value).startswith("h.json: ")
    assert message in str(caught.value)
    assert isinstance(caught.value, TintypeError)


def test_hints_file_unreadable_or_not_text(tmp_path):
    with pytest.raises(HintsError, match="cannot read"):
        load_hints(tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(HintsError, match="not a UTF-8 text file"):
        load_hints(binary)
    good = tmp_path / "good.json"
    good.write_text('{"points": [{"x": 3, "y": 4, "color": "#00ff00"}]}')
    assert load_hints(good, size=(10, 10)) == (ColorHint(x=3, y=4, rgb=(0, 255, 0)),)


def test_editor_refuses_points_outside_and_bad_controls(two_regions):
    gray, chroma = two_regions
    with pytest.raises(HintsError, match="outside the 240x160 photo"):
        ChromaEditor(gray, chroma).chroma([ColorHint(x=240, y=0, rgb=RED)])
    with pytest.raises(HintsError, match="strength 2.5 is outside 0..2"):
        ColorControls(strength=2.5)
    with pytest.raises(HintsError, match="warmth"):
        ColorControls(warmth=float("nan"))
    with pytest.raises(HintsError, match="three integers"):
        ColorHint(x=1, y=1, rgb=(1, 2, 300))
