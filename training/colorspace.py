"""Differentiable color conversions in torch, with the constants of :mod:`engine.color` (defined once).

Tensors are NCHW float32: rgb in [0, 1] with 3 channels, Lab with L in [0, 100].
"""

from __future__ import annotations

import torch

from engine.color import LUMA, RGB_TO_XYZ, WHITE_D65, XYZ_TO_RGB
from engine.contract import AB_SCALE, model_input_to_unit


def _mat(matrix, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(matrix, dtype=like.dtype, device=like.device)


def gray_from_rgb(rgb01: torch.Tensor) -> torch.Tensor:
    """BT.601 luma (Pillow's convert("L")) ``[N,3,H,W]`` -> ``[N,1,H,W]``, same range."""
    return torch.einsum("nchw,c->nhw", rgb01, _mat(LUMA, rgb01))[:, None]


def rgb_to_lab(rgb01: torch.Tensor) -> torch.Tensor:
    v = rgb01.clamp(0, 1)
    lin = torch.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    xyz = torch.einsum("nchw,dc->ndhw", lin, _mat(RGB_TO_XYZ, v)) / _mat(WHITE_D65, v).view(1, 3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-8) ** (1 / 3), 7.787 * xyz + 16.0 / 116.0)
    return torch.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], dim=1)


def lab_to_linear_rgb(lab: torch.Tensor) -> torch.Tensor:
    """Lab -> linear-light RGB, not clipped (values outside [0, 1] are out of the sRGB gamut)."""
    fy = (lab[:, 0] + 16.0) / 116.0
    f = torch.stack([fy + lab[:, 1] / 500.0, fy, fy - lab[:, 2] / 200.0], dim=1)
    xyz = torch.where(f > 0.206893, f**3, (f - 16.0 / 116.0) / 7.787) * _mat(WHITE_D65, lab).view(1, 3, 1, 1)
    return torch.einsum("nchw,dc->ndhw", xyz, _mat(XYZ_TO_RGB, lab))


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    lin = lab_to_linear_rgb(lab).clamp(0, 1)
    return torch.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin.clamp_min(1e-8) ** (1 / 2.4) - 0.055)


def gamut_excess(pred: torch.Tensor, gray: torch.Tensor, output: str) -> torch.Tensor:
    """Mean amount by which predicted colors leave the sRGB gamut (0 when all are inside).

    A colorfulness reward alone finds a cheap way up: saturated cyan in white highlights, colors
    that do not exist at that lightness. This term closes it.
    """
    if output == "rgb":
        return pred.new_zeros(())
    g = model_input_to_unit(gray).expand(-1, 3, -1, -1)
    lin = lab_to_linear_rgb(torch.cat([rgb_to_lab(g)[:, :1], pred * AB_SCALE], dim=1))
    return (torch.relu(lin - 1) + torch.relu(-lin)).mean()


def target_for(rgb01: torch.Tensor, output: str) -> torch.Tensor:
    """Training target for a model output kind: rgb in [-1,1], or Lab a*, b* / AB_SCALE."""
    if output == "rgb":
        return rgb01 * 2 - 1
    return rgb_to_lab(rgb01)[:, 1:] / AB_SCALE


def prediction_to_rgb01(pred: torch.Tensor, gray: torch.Tensor, output: str) -> torch.Tensor:
    """A model's output -> rgb in [0, 1]; ``gray`` ``[N,1,H,W]`` in [-1,1] supplies L* for lab_ab."""
    if output == "rgb":
        return (pred + 1) * 0.5
    g = model_input_to_unit(gray).expand(-1, 3, -1, -1)
    lightness = rgb_to_lab(g)[:, :1]
    return lab_to_rgb(torch.cat([lightness, pred * AB_SCALE], dim=1))


def colorfulness(rgb01: torch.Tensor) -> torch.Tensor:
    """Hasler-Suesstrunk colorfulness per image with absolute opponent channels, rgb in [0,1]
    scaled to 0..255 -> ``[N]``."""
    rgb = rgb01 * 255.0
    rg = (rgb[:, 0] - rgb[:, 1]).abs()
    yb = (0.5 * (rgb[:, 0] + rgb[:, 1]) - rgb[:, 2]).abs()
    std = torch.sqrt(rg.var(dim=(1, 2), unbiased=False) + yb.var(dim=(1, 2), unbiased=False) + 1e-6)
    mean = torch.sqrt(rg.mean(dim=(1, 2)) ** 2 + yb.mean(dim=(1, 2)) ** 2 + 1e-6)
    return std + 0.3 * mean
