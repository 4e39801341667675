"""``python -m training defects``: damaged crops, training with resume, and the export the engine runs."""

import numpy as np
import pytest
import torch
from PIL import Image

from engine.restore.defects import defect_probability
from training.cli import main
from training.damage import damage
from training.defects import DefectNet, export_defects, make_samples, random_spec


@pytest.fixture
def gray_folder(tmp_path):
    """Three gray photos big enough for a crop, one too small, and a broken file."""
    from skimage import data

    folder = tmp_path / "photos"
    folder.mkdir()
    for i, photo in enumerate((data.camera(), data.moon(), data.coins())):
        Image.fromarray(photo[:160, :170]).save(folder / f"p{i}.png")
    Image.fromarray(data.camera()[:60, :60]).save(folder / "small.png")
    (folder / "broken.jpg").write_text("not an image")
    return folder


def test_samples_are_damaged_crops_with_their_true_masks(gray_folder):
    paths = sorted(gray_folder.iterdir())
    grays, masks = make_samples(paths, 40, seed=1, crop=64)
    assert grays.shape == masks.shape == (40, 64, 64) and grays.dtype == np.uint8 and masks.dtype == bool
    # Most crops carry damage, some none (the net must learn to leave clean photos alone).
    per_crop = masks.mean(axis=(1, 2))
    assert (per_crop > 0).sum() >= 20 and (per_crop == 0).sum() >= 2
    again = make_samples(paths, 40, seed=1, crop=64)
    assert np.array_equal(grays, again[0]) and np.array_equal(masks, again[1])
    with pytest.raises(ValueError, match="no photo of at least 200x200"):
        make_samples(paths, 4, seed=1, crop=200)


def test_random_spec_covers_clean_grainy_and_damaged():
    rng = np.random.default_rng(0)
    specs = [random_spec(rng) for _ in range(200)]
    clean = [s for s in specs if s.specks == s.scratches == s.grain == 0]
    grainy = [s for s in specs if s.specks == s.scratches == 0 and s.grain > 0]
    assert 8 <= len(clean) <= 40 and 5 <= len(grainy) <= 40
    assert any(s.fade > 0 for s in specs) and any(s.grain_size > 0 for s in specs) and any(s.cracks > 0 for s in specs)


def test_train_resume_and_export_run_in_the_engine(gray_folder, tmp_path):
    out = tmp_path / "run"
    args = ["defects", "--photos", str(gray_folder), "--out", str(out), "--samples", "24", "--width", "4"]
    assert main([*args, "--steps", "2", "--save-every", "1", "--batch", "2"]) == 0
    first = torch.load(out / "last.pt", weights_only=True)
    assert first["step"] == 2 and (out / "samples.npz").is_file()
    assert main([*args, "--steps", "3", "--save-every", "1", "--batch", "2", "--resume"]) == 0
    state = torch.load(out / "last.pt", weights_only=True)
    assert state["step"] == 3 and [h["step"] for h in state["history"]] == [1, 2, 3]
    # --init: a fine-tune starts from that checkpoint's weights (one AdamW step moves each by about lr).
    # A fresh net (another seed) differs from it by tenths.
    tuned = tmp_path / "tuned"
    init = ["--init", str(out / "last.pt"), "--seed", "5", "--steps", "1", "--batch", "2"]
    assert (
        main(["defects", "--photos", str(gray_folder), "--out", str(tuned), "--samples", "24", "--width", "4", *init])
        == 0
    )
    tuned_net = torch.load(tuned / "last.pt", weights_only=True)["net"]
    assert (tuned_net["head.weight"] - state["net"]["head.weight"]).abs().max() < 3 * 2e-3
    # The exported net, run by the engine, gives the torch net's probabilities on any size.
    net = DefectNet(4)
    net.load_state_dict(state["net"])
    net.eval()
    gray = damage(np.asarray(Image.open(gray_folder / "p0.png")), seed=0).gray[:101, :133]
    prob = defect_probability(gray, model=out / "defects.onnx")
    assert prob.shape == gray.shape and prob.dtype == np.float32
    padded = np.pad(gray, ((0, 3), (0, 3)), mode="reflect").astype(np.float32) / 255
    with torch.no_grad():
        expected = torch.sigmoid(net(torch.from_numpy(padded)[None, None]))[0, 0, :101, :133].numpy()
    assert np.abs(prob - expected).max() < 1e-4


def test_export_then_tiled_run_matches_one_run(tmp_path):
    """Photos too big for one run go in tiles with context; the seams must not show."""
    torch.manual_seed(1)
    path = export_defects(DefectNet(4).eval(), tmp_path / "d.onnx")
    rng = np.random.default_rng(0)
    # Short side 256 (scale 1), long side over the tile: three tiles across.
    gray = rng.integers(0, 256, (256, 2100), dtype=np.uint8)
    tiled = defect_probability(gray, model=path)
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    padded = np.pad(gray, ((0, 0), (0, 4)), mode="reflect").astype(np.float32) / 255
    whole = session.run(None, {"gray": padded[None, None]})[0][0, 0, :, :2100]
    assert np.abs(tiled - whole).max() < 1e-4
