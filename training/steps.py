"""The two training algorithms, one optimisation step each: ``regression`` (the generator alone) and
``adversarial`` (the study's conditional GAN: a discriminator against the generator, plus L1). An
architecture's registry row (:mod:`training.models.registry`) names which one it trains with.

Batches arrive as uint8 tensors ``gray [N,1,S,S]`` and ``rgb [N,3,S,S]`` (see :mod:`training.data`);
the generator sees gray in [-1,1] and predicts ``[N,C,S,S]`` in [-1,1] (rgb, or Lab a*, b* / AB_SCALE).
"""

from __future__ import annotations

import torch
from torch import nn

from engine.contract import normalize_gray
from training import losses
from training.colorspace import gamut_excess, prediction_to_rgb01, target_for
from training.config import TrainConfig
from training.models.discriminator import Discriminator
from training.models.registry import StepKind
from training.runtime import Runtime

# The study's Adam settings, for the generator and the discriminator alike.
BETAS = (0.5, 0.999)


def to_inputs(gray_u8: torch.Tensor, rgb_u8: torch.Tensor, device: torch.device, output: str):
    """uint8 batches -> (gray in [-1,1], rgb in [0,1], the training target of ``output``) on ``device``."""
    gray = normalize_gray(gray_u8.to(device, non_blocking=True).float())
    rgb01 = rgb_u8.to(device, non_blocking=True).float() / 255.0
    return gray, rgb01, target_for(rgb01, output)


class Step:
    """What both algorithms share: the generator's optimizer, its forward pass (bf16 autocast and
    channels-last on CUDA, DDP under torchrun), the optional colorfulness and gamut terms, the test loss.

    ``step`` runs one optimisation step on a batch and returns (reconstruction MSE, D loss, G adversarial
    loss), the last two 0 without a discriminator.
    """

    # Whether the epoch with the lowest validation MSE is worth keeping as best.pt (training.train.train).
    keeps_best = True
    discriminator: nn.Module | None = None
    opt_d: torch.optim.Optimizer | None = None

    def __init__(self, config: TrainConfig, rt: Runtime, gen: nn.Module) -> None:
        self.config, self.rt, self.gen = config, rt, gen
        self.output = config.model.output
        self.amp = config.amp and rt.cuda
        params = [p for p in gen.parameters() if p.requires_grad]
        self.opt_g = torch.optim.Adam(params, lr=config.lr, betas=BETAS)
        self.gen_ddp = rt.parallel(gen)

    def step(self, gray_u8: torch.Tensor, rgb_u8: torch.Tensor) -> tuple[float, float, float]:
        raise NotImplementedError

    def _predict(self, gray_u8: torch.Tensor, rgb_u8: torch.Tensor):
        gray, rgb01, target = to_inputs(gray_u8, rgb_u8, self.rt.device, self.output)
        gray = self.rt.place_input(gray)
        with self.rt.autocast(self.amp):
            pred = self.gen_ddp(gray)
        return gray, rgb01, target, pred.float()

    def _cf_term(self, pred: torch.Tensor, gray: torch.Tensor, rgb01: torch.Tensor) -> torch.Tensor:
        """Colorfulness gap plus gamut penalty, weighted (0 unless ``cf_weight`` > 0)."""
        if self.config.cf_weight <= 0:
            return pred.new_zeros(())
        gap = losses.colorfulness_gap(prediction_to_rgb01(pred.float(), gray, self.output), rgb01)
        return self.config.cf_weight * gap + self.config.gamut_weight * gamut_excess(pred.float(), gray, self.output)

    @torch.no_grad()
    def test_loss(self, batches) -> float:
        """Mean MSE on the test split (the same reconstruction loss for every model, so curves compare)."""
        if batches is None:
            return float("nan")
        self.gen.eval()
        total, count = 0.0, 0
        for gray_u8, rgb_u8 in batches:
            gray, _, target = to_inputs(gray_u8, rgb_u8, self.rt.device, self.output)
            with self.rt.autocast(self.amp):
                pred = self.gen(gray)
            total += losses.reconstruction(pred.float(), target).item() * len(gray)
            count += len(gray)
        self.gen.train()
        return total / max(count, 1)


class RegressionStep(Step):
    """The generator alone: the study's MSE to the target, plus the optional terms."""

    def step(self, gray_u8: torch.Tensor, rgb_u8: torch.Tensor) -> tuple[float, float, float]:
        gray, rgb01, target, pred = self._predict(gray_u8, rgb_u8)
        loss = losses.reconstruction(pred, target) + self._cf_term(pred, gray, rgb01)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        return losses.reconstruction(pred.detach(), target).item(), 0.0, 0.0


class AdversarialStep(Step):
    """The study's conditional GAN: the discriminator learns to tell (gray, truth) from (gray, prediction);
    the generator learns to fool it, plus ``l1_lambda`` x L1 to the truth (and the optional terms).
    """

    # The lowest MSE would pick the epoch least changed by the adversarial term, not what it trains for.
    keeps_best = False
    discriminator: nn.Module
    opt_d: torch.optim.Optimizer

    def __init__(self, config: TrainConfig, rt: Runtime, gen: nn.Module) -> None:
        super().__init__(config, rt, gen)
        self.discriminator = rt.place(Discriminator(size=config.size, width=config.model.width))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr * config.d_lr_scale, betas=BETAS)
        self.disc_ddp = rt.parallel(self.discriminator)

    def step(self, gray_u8: torch.Tensor, rgb_u8: torch.Tensor) -> tuple[float, float, float]:
        gray, rgb01, target, pred = self._predict(gray_u8, rgb_u8)
        eps = self.config.gan_eps
        fake_rgb = prediction_to_rgb01(pred, gray, self.output) * 2 - 1
        real_rgb = rgb01 * 2 - 1
        # Discriminator: maximise log(p + eps) + log(1 - p_hat + eps).
        with self.rt.autocast(self.amp):
            p_real = self.disc_ddp(gray, real_rgb)
            p_fake = self.disc_ddp(gray, fake_rgb.detach())
        d_loss = losses.discriminator_loss(p_real.float(), p_fake.float(), eps)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        # Generator: fool D, plus lambda * L1 to the truth.
        with self.rt.autocast(self.amp):
            p_fake_g = self.disc_ddp(gray, fake_rgb)
        adv = losses.generator_adversarial(p_fake_g.float(), eps)
        l1 = torch.nn.functional.l1_loss(pred, target)
        g_loss = adv + self.config.l1_lambda * l1 + self._cf_term(pred, gray, rgb01)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return losses.reconstruction(pred.detach(), target).item(), d_loss.item(), adv.item()


STEPS: dict[StepKind, type[Step]] = {"regression": RegressionStep, "adversarial": AdversarialStep}
