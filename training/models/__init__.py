"""The study's models: the networks (``unet``, ``koala``, ``discriminator``), the frozen classifiers,
and the architecture registry (:mod:`training.models.registry`) that builds them from a ModelConfig."""

from __future__ import annotations

from training.models.registry import ARCHITECTURES, Architecture, architecture, build_generator, preset_config

__all__ = ["ARCHITECTURES", "Architecture", "architecture", "build_generator", "preset_config"]
