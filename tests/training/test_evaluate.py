import csv

from tests.conftest import build_tiny_onnx
from training.evaluate import evaluate


def test_evaluate_writes_tables_and_grid(tmp_path, color_folder, monkeypatch):
    # LPIPS needs AlexNet conv weights; the real ones lie beside the checkout (../shared/weights), which
    # a clone elsewhere lacks. Untrained ones of the same shapes test the same code path.
    import torch
    from torchvision.models import alexnet

    weights = tmp_path / "alex.pth"
    torch.save(alexnet(weights=None).features.state_dict(), weights)
    monkeypatch.setenv("TINTYPE_ALEX_WEIGHTS", str(weights))
    models = tmp_path / "m"
    models.mkdir()
    build_tiny_onnx(models / "unet.onnx", model_id="unet")
    build_tiny_onnx(models / "cgan.onnx", model_id="cgan", output="lab_ab")
    (color_folder / "broken.jpg").unlink()
    from PIL import Image

    # Photos of different shapes in one FID batch (as in produce/).
    Image.open(color_folder / "img1.jpg").resize((40, 64)).save(color_folder / "a_tall.jpg")
    out = tmp_path / "eval"
    rows = evaluate(models=[models], data=color_folder, out=out, limit=6, grid_rows=3, lpips=True, fid=True)
    assert [r["model"] for r in rows] == ["gray", "unet", "cgan"]
    gray = rows[0]
    assert gray["cf"] == 0 and gray["gray_mae"] == 0 and gray["psnr"] > 10
    for r in rows:
        assert r["images"] == 6 and 0 <= r["ssim"] <= 1 and r["lpips"] >= 0 and r["fid"] == r["fid"]
        assert r["gray_mae"] <= 1.0
    table = (out / "results.md").read_text()
    assert "| gray |" in table and "FID (N=6)" in table
    assert list(csv.DictReader((out / "results.csv").open()))[1]["model"] == "unet"
    assert (out / "grid.png").stat().st_size > 1000


def test_evaluate_reads_avif_and_writes_a_row_per_source(tmp_path, color_folder):
    from PIL import Image

    data = tmp_path / "val"
    photos = sorted(color_folder.rglob("img*.jpg"))
    for source, picked in (("faces", photos[:2]), ("scenes", photos[2:5])):
        (data / source).mkdir(parents=True)
        for p in picked:
            Image.open(p).save(data / source / (p.stem + ".avif"))
    models = tmp_path / "m"
    models.mkdir()
    build_tiny_onnx(models / "unet.onnx", model_id="unet")
    out = tmp_path / "eval"
    rows = evaluate(models=[models], data=data, out=out, grid_rows=0, lpips=False, fid=False)
    assert rows[0]["images"] == 5 and not (out / "grid.png").exists()  # --grid 0: no grid
    by_source = {r["source"]: r for r in csv.DictReader((out / "sources.csv").open())}
    assert list(by_source) == ["faces", "scenes", "all"]
    assert [by_source[s]["images"] for s in by_source] == ["2", "3", "5"]
    assert abs(float(by_source["all"]["unet_psnr"]) - rows[1]["psnr"]) < 1e-9
    table = (out / "sources.md").read_text()
    assert "| faces | 2 |" in table and "| source | images | truth CF | gray | unet |" in table
