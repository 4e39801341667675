"""The study's CGAN discriminator: sees the gray image with a color image (4 channels).

Three strided 4x4 convs with BatchNorm and LeakyReLU (to 128, 256, 512 channels at width 1.0), a
conv mapping 512 channels to 1, flattened into an MLP with hidden size 15 and one sigmoid output.
"""

from __future__ import annotations

import torch
from torch import nn

HIDDEN = 15


class Discriminator(nn.Module):
    """(gray ``[N,1,S,S]``, rgb ``[N,3,S,S]``, both in [-1,1]) -> probability real ``[N]``.

    ``size`` S is fixed (the MLP reads the flattened map) and must be divisible by 8.
    """

    def __init__(self, *, size: int, width: float = 1.0) -> None:
        super().__init__()
        chans = [max(8, int(round(c * width))) for c in (128, 256, 512)]
        layers, cin = [], 4
        for c in chans:
            layers += [
                nn.Conv2d(cin, c, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(c),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            cin = c
        self.features = nn.Sequential(*layers, nn.Conv2d(cin, 1, 3, padding=1))
        self.mlp = nn.Sequential(
            nn.Flatten(), nn.Linear((size // 8) ** 2, HIDDEN), nn.LeakyReLU(0.2, inplace=True), nn.Linear(HIDDEN, 1)
        )

    def forward(self, gray: torch.Tensor, rgb: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.mlp(self.features(torch.cat([gray, rgb], dim=1))).float()).squeeze(1)
