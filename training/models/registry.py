"""The architecture registry: one row per model the training package can build and train.

Hand-listed on purpose (no scanning), in the order of :data:`engine.model_ids.MODEL_IDS`, which stays the
source of the ids shared with the app (file names, CLI, metadata, panel titles). A row says how to build
the generator from a :class:`~training.config.ModelConfig`, its width in each preset, which training
algorithm it uses (:mod:`training.steps`) and which family of generators it can start from.

Adding a model: its network in ``training/models/<id>.py`` with a ``build(config)`` function, its id in
``engine/model_ids.py`` (display name and description for the app), and one row below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from torch import nn

from engine.model_ids import MODEL_IDS, kind_for
from training.config import PRESETS, ModelConfig
from training.models import koala, unet

StepKind = Literal["regression", "adversarial"]
STEP_KINDS: tuple[str, ...] = ("regression", "adversarial")


@dataclass(frozen=True)
class Architecture:
    """One trainable model.

    ``build`` returns the generator: gray ``[N,1,H,W]`` in [-1,1] -> ``[N,C,H,W]`` in [-1,1] (tanh).
    ``step``: ``regression`` (the generator alone, MSE) or ``adversarial`` (with the study's
    discriminator). ``family``: generators of one family share their weights' layout, so a run may start
    from another family member's checkpoint (``--init-from``: the CGAN from a trained U-Net).
    ``describe`` adapts the engine's description to a configuration (None: the description as is).
    """

    id: str
    build: Callable[[ModelConfig], nn.Module]
    widths: Mapping[str, float]  # width multiplier per preset (training.config.PRESETS)
    step: StepKind
    family: str
    describe: Callable[[ModelConfig, str], str] | None = None

    def description(self, config: ModelConfig) -> str:
        """The description an exported file carries (the engine's, adapted to ``config``)."""
        kind = kind_for(self.id)
        text = kind.description if kind else ""
        return self.describe(config, text) if self.describe else text


ARCHITECTURES: tuple[Architecture, ...] = (
    Architecture(
        "unet", build=unet.build, widths={"paper": 1.0, "small": 0.375, "tiny": 0.125}, step="regression", family="unet"
    ),
    Architecture(
        "koala",
        build=koala.build,
        widths={"paper": 1.0, "small": 0.5, "tiny": 0.125},
        step="regression",
        family="koala",
        describe=koala.describe,
    ),
    Architecture(
        "cgan",
        build=unet.build,
        widths={"paper": 1.0, "small": 0.375, "tiny": 0.125},
        step="adversarial",
        family="unet",
    ),
)

_BY_ID = {arch.id: arch for arch in ARCHITECTURES}


def _check_rows() -> None:
    """Import-time guard: the rows and the engine's ids agree, each row is complete."""
    ids = tuple(arch.id for arch in ARCHITECTURES)
    if ids != MODEL_IDS:
        raise RuntimeError(f"training architectures {ids} do not match engine.model_ids {MODEL_IDS}")
    for arch in ARCHITECTURES:
        if set(arch.widths) != set(PRESETS):
            raise RuntimeError(f"{arch.id}: widths for presets {sorted(arch.widths)}, expected {sorted(PRESETS)}")
        if arch.step not in STEP_KINDS:
            raise RuntimeError(f"{arch.id}: step must be one of {STEP_KINDS}, not {arch.step!r}")


_check_rows()


def architecture(model_id: str) -> Architecture:
    """The row of ``model_id``; ValueError naming the known ids otherwise."""
    try:
        return _BY_ID[model_id]
    except KeyError:
        raise ValueError(f"unknown model id {model_id!r} (known: {', '.join(_BY_ID)})") from None


def build_generator(config: ModelConfig) -> nn.Module:
    """The colorization network: gray ``[N,1,H,W]`` in [-1,1] -> ``[N,C,H,W]`` in [-1,1] (tanh)."""
    return architecture(config.model_id).build(config)


def preset_config(model_id: str, preset: str, **overrides) -> ModelConfig:
    """``model_id`` at ``preset``'s width, with ``overrides`` (any ModelConfig field) applied."""
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, not {preset!r}")
    return replace(ModelConfig(model_id=model_id, width=architecture(model_id).widths[preset]), **overrides)
