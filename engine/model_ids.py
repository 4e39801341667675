"""The one registry of model ids, used for file names, the CLI, metadata and the GUI.

Hand-listed on purpose (no scanning): the order here is the order users see.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelKind:
    id: str
    display_name: str
    description: str


MODEL_KINDS: tuple[ModelKind, ...] = (
    ModelKind(
        id="unet",
        display_name="U-Net",
        description="U-Net (Ronneberger et al.) regression of color from gray, MSE loss",
    ),
    ModelKind(
        id="koala",
        display_name="Deep Koalarization",
        description="Conv encoder fused with a frozen ImageNet classifier's global vector (Baldassarre et al.)",
    ),
    ModelKind(
        id="cgan",
        display_name="Conditional GAN",
        description="pix2pix-style conditional GAN, U-Net generator, adversarial + L1 loss",
    ),
)

MODEL_IDS: tuple[str, ...] = tuple(kind.id for kind in MODEL_KINDS)
_BY_ID = {kind.id: kind for kind in MODEL_KINDS}


def kind_for(model_id: str) -> ModelKind | None:
    """The registered kind of ``model_id``, or None for a model outside the three of the study."""
    return _BY_ID.get(model_id)


def sort_key(model_id: str) -> tuple[int, str]:
    """Stable order: unet, koala, cgan, then any other id by name."""
    if model_id in _BY_ID:
        return (MODEL_IDS.index(model_id), "")
    return (len(MODEL_IDS), model_id)
