"""Parameter counts and forward-pass FLOPs (multiply-adds x 2) of the models, via forward hooks."""

from __future__ import annotations

import torch
from torch import nn

from training.config import ModelConfig
from training.models import build_generator


def forward_flops(model: nn.Module, example: torch.Tensor) -> int:
    """FLOPs of convolutions, transposed convolutions and linear layers in one forward pass."""
    total = 0

    def conv_hook(module: nn.Module, inputs, output) -> None:
        nonlocal total
        kernel = (
            module.weight[0].numel()
            if isinstance(module, nn.Conv2d)
            else module.weight.shape[1] * module.weight[0, 0].numel()
        )
        if isinstance(module, nn.Conv2d):
            total += 2 * output.numel() * kernel
        else:  # ConvTranspose2d: every input position scatters a kernel over out_channels
            total += 2 * inputs[0].numel() * module.weight.shape[1] * module.weight[0, 0].numel()

    def linear_hook(module: nn.Linear, inputs, output) -> None:
        nonlocal total
        total += 2 * output.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model.eval()(example)
    for h in handles:
        h.remove()
    return total


def count_parameters(module: nn.Module, *, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def describe(config: ModelConfig, *, size: int) -> tuple[int, int, int]:
    """(trainable parameters, all parameters, FLOPs at ``size``) of a model."""
    model = build_generator(config)
    flops = forward_flops(model, torch.zeros(1, 1, size, size))
    return count_parameters(model, trainable_only=True), count_parameters(model), flops
