from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)


@pytest.fixture
def color_folder(tmp_path: Path) -> Path:
    """Eight small color photos (crops of scikit-image's real photos) plus one broken file."""
    from skimage import data

    folder = tmp_path / "photos"
    (folder / "nested").mkdir(parents=True)
    sources = [data.coffee(), data.astronaut(), data.chelsea(), data.rocket()]
    count = 0
    for src in sources:
        for k in range(2):
            h, w = src.shape[:2]
            crop = src[k * h // 4 : k * h // 4 + h // 2, k * w // 4 : k * w // 4 + w // 2]
            image = Image.fromarray(crop).resize((56, 48))
            sub = folder / "nested" if count % 3 == 0 else folder
            image.save(sub / f"img{count}.jpg", quality=95)
            count += 1
    (folder / "broken.jpg").write_text("not an image")
    return folder
