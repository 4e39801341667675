"""Deep Koalarization (Baldassarre et al.), adapted as in the study.

Encoder: 3x3 convs with ReLU, 1 -> 64, 128, 128, 256, 256, 512, 512, 256 (times ``width``), stride 2
on the first of each pair with the same count (output at 1/8 resolution). Fusion: a frozen ImageNet
classifier's global vector is appended to every position of the encoding (256 + 1000 = 1256
channels at full width) and mixed by a 1x1 conv back to 256. Decoder: 3x3 conv to 128, then
alternating x2 upsampling and 3x3 convs 128 -> 64 -> 32 -> out, ReLU, tanh before the last upsampling.

``fusion="hypercolumn"`` (Tintype's extension, in the spirit of Larsson et al.'s hypercolumns) also
appends the same frozen classifier's intermediate feature maps (EfficientNet-Lite0: strides 8, 16, 32;
40 + 112 + 320 channels), resized to the encoding's grid and batch-normalized: the global vector says
what the photo shows, the maps say where. They come from the classifier pass the fusion makes anyway,
so the extension adds only the wider 1x1 fusion conv (about 60 k weights at width 0.5).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from training.config import FUSIONS, ModelConfig
from training.models.classifiers import build_classifier

ENCODER = [(64, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (512, 1), (256, 1)]


def _ch(base: int, width: float) -> int:
    return max(4, int(round(base * width)))


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.ReLU(inplace=True))


class Koalarization(nn.Module):
    """gray ``[N,1,H,W]`` in [-1,1] (H, W divisible by 8) -> ``[N,out_channels,H,W]`` in [-1,1]."""

    def __init__(
        self,
        *,
        width: float = 1.0,
        out_channels: int = 3,
        classifier: str = "efficientnet-lite0",
        classifier_weights: str = "",
        fusion: str = "global",
    ) -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
        self.hypercolumn = fusion == "hypercolumn"
        layers, cin = [], 1
        for base, stride in ENCODER:
            layers.append(_conv(cin, _ch(base, width), stride))
            cin = _ch(base, width)
        self.encoder = nn.Sequential(*layers)
        self.classifier = build_classifier(classifier, classifier_weights)
        enc = _ch(256, width)
        taps = sum(self.classifier.tap_channels) if self.hypercolumn else 0
        self.tap_norm = nn.BatchNorm2d(taps) if taps else None
        self.fusion = nn.Sequential(nn.Conv2d(enc + self.classifier.dim + taps, enc, 1), nn.ReLU(inplace=True))
        c128, c64, c32 = _ch(128, width), _ch(64, width), _ch(32, width)
        self.decoder = nn.Sequential(
            _conv(enc, c128),
            nn.Upsample(scale_factor=2, mode="nearest"),
            _conv(c128, c64),
            nn.Upsample(scale_factor=2, mode="nearest"),
            _conv(c64, c32),
            nn.Conv2d(c32, out_channels, 3, padding=1),
            nn.Tanh(),
        )

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        encoded = self.encoder(gray)
        grid = encoded.shape[2], encoded.shape[3]
        parts = [encoded]
        with torch.no_grad():
            if self.hypercolumn:
                vector, maps = self.classifier.features(gray)
                maps = [
                    F.interpolate(m.to(encoded.dtype), size=grid, mode="bilinear", align_corners=False) for m in maps
                ]
            else:
                vector, maps = self.classifier(gray), []
        parts.append(vector.to(encoded.dtype)[:, :, None, None].expand(-1, -1, *grid))
        if maps:
            parts.append(self.tap_norm(torch.cat(maps, dim=1)))
        fused = self.fusion(torch.cat(parts, dim=1))
        out = self.decoder(fused)
        return F.interpolate(out, scale_factor=2, mode="bilinear", align_corners=False)


def build(config: ModelConfig) -> Koalarization:
    """The Koalarization of ``config`` (classifier, its weights and the fusion come from it)."""
    return Koalarization(
        width=config.width,
        out_channels=config.out_channels,
        classifier=config.classifier,
        classifier_weights=config.classifier_weights,
        fusion=config.fusion,
    )


def describe(config: ModelConfig, description: str) -> str:
    """The engine's description of ``koala``, naming the hypercolumn fusion when ``config`` uses it."""
    if config.fusion == "hypercolumn":
        return description.replace("global vector", "global vector and feature maps (hypercolumn)")
    return description
