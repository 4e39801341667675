"""The study's models, built from a :class:`~training.config.ModelConfig`."""

from __future__ import annotations

from torch import nn

from training.config import ModelConfig
from training.models.koala import Koalarization
from training.models.unet import UNet


def build_generator(config: ModelConfig) -> nn.Module:
    """The colorization network: gray ``[N,1,H,W]`` in [-1,1] -> ``[N,C,H,W]`` in [-1,1] (tanh)."""
    if config.model_id in ("unet", "cgan"):
        return UNet(width=config.width, out_channels=config.out_channels)
    if config.model_id == "koala":
        return Koalarization(
            width=config.width,
            out_channels=config.out_channels,
            classifier=config.classifier,
            classifier_weights=config.classifier_weights,
            fusion=config.fusion,
        )
    raise ValueError(f"unknown model id {config.model_id!r}")


def count_parameters(module: nn.Module, *, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
