"""Losses of the study, plus the colorfulness-aware term Tintype adds against the sepia wash.

Shapes: predictions and targets ``[N,C,H,W]`` float32 in [-1,1]; probabilities ``[N]`` in (0,1).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from training.colorspace import colorfulness


def reconstruction(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The study's MSE."""
    return F.mse_loss(pred.float(), target.float())


def colorfulness_gap(pred_rgb01: torch.Tensor, true_rgb01: torch.Tensor) -> torch.Tensor:
    """Mean shortfall of the prediction's colorfulness below the ground truth's, in CF units / 100.

    MSE alone drives uncertain colors to their mean, a desaturated brown; this pushes only where
    the prediction is duller than the truth and costs nothing where it is as colorful.
    """
    return F.relu(colorfulness(true_rgb01.float()) - colorfulness(pred_rgb01.float())).mean() / 100.0


def discriminator_loss(p_real: torch.Tensor, p_fake: torch.Tensor, eps: float) -> torch.Tensor:
    """The study's buffered objective, maximised by D: ``log(p + eps) + log(1 - p_hat + eps)``."""
    return -(torch.log(p_real + eps) + torch.log(1.0 - p_fake + eps)).mean()


def generator_adversarial(p_fake: torch.Tensor, eps: float) -> torch.Tensor:
    """Non-saturating generator term ``-log(p_hat + eps)``."""
    return -torch.log(p_fake + eps).mean()
