"""U-Net (Ronneberger et al.) for colorization, as in the study.

Each level: two 3x3 conv + BatchNorm + LeakyReLU; 2x2 max-pooling between levels down to 16x the base
width (64-128-256-512-1024 at width 1.0); up-convolution, concatenation with the skip, two convs,
back to full resolution; a 1x1 conv and tanh. Input sizes must be divisible by 16.
"""

from __future__ import annotations

import torch
from torch import nn

from training.config import ModelConfig

LEVELS = 5


def _ch(base: int, width: float) -> int:
    return max(4, int(round(base * width)))


class DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.2, inplace=True),
        )


class UNet(nn.Module):
    """gray ``[N,1,H,W]`` in [-1,1] (H, W divisible by 16) -> ``[N,out_channels,H,W]`` in [-1,1]."""

    def __init__(self, *, width: float = 1.0, out_channels: int = 3) -> None:
        super().__init__()
        chans = [_ch(64 * 2**i, width) for i in range(LEVELS)]
        self.channels = chans
        self.down = nn.ModuleList()
        cin = 1
        for c in chans:
            self.down.append(DoubleConv(cin, c))
            cin = c
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in range(LEVELS - 1, 0, -1):
            self.up.append(nn.ConvTranspose2d(chans[i], chans[i - 1], 2, stride=2))
            self.dec.append(DoubleConv(chans[i - 1] * 2, chans[i - 1]))
        self.head = nn.Conv2d(chans[0], out_channels, 1)

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        skips = []
        x = gray
        for i, block in enumerate(self.down):
            x = block(x)
            if i < LEVELS - 1:
                skips.append(x)
                x = self.pool(x)
        for up, dec in zip(self.up, self.dec, strict=True):
            x = up(x)
            x = dec(torch.cat([x, skips.pop()], dim=1))
        return torch.tanh(self.head(x))


def build(config: ModelConfig) -> UNet:
    """The U-Net of ``config``: the ``unet`` model, and the ``cgan``'s generator."""
    return UNet(width=config.width, out_channels=config.out_channels)
