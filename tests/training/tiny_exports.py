"""Tiny generators exported through training.export, for the tests that read ONNX files back."""

from pathlib import Path

import torch

from training.checkpoint import save_checkpoint, training_state
from training.config import TrainConfig
from training.export import export
from training.models import build_generator, preset_config

SIZE = 32


def export_tiny(
    folder: Path, name: str, model_id: str, *, seed: int = 0, random_batchnorm: bool = False, **model
) -> tuple[Path, object, torch.nn.Module]:
    """``folder/name.onnx`` (version ``name``) of a seeded tiny ``model_id``; with ``random_batchnorm`` its
    BatchNorms get non-trivial statistics. Returns the file, the model config and the module (eval mode)."""
    torch.manual_seed(seed)
    config = TrainConfig(model=preset_config(model_id, "tiny", output="lab_ab", **model), data="-", size=SIZE)
    gen = build_generator(config.model)
    if random_batchnorm:
        with torch.no_grad():
            for module_name, module in gen.named_modules():
                if isinstance(module, torch.nn.BatchNorm2d) and not module_name.startswith("classifier."):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
                    module.running_mean.uniform_(-0.3, 0.3)
                    module.running_var.uniform_(0.5, 2.0)
    state = training_state(
        config=config,
        epoch=0,
        generator=gen,
        opt_g=torch.optim.Adam(gen.parameters()),
        history=[],
        data_info={},
        device=torch.device("cpu"),
        world_size=1,
    )
    ckpt = folder / f"{name}.pt"
    save_checkpoint(ckpt, state)
    path = export(ckpt, folder / f"{name}.onnx", version=name).path
    return path, config.model, gen.eval()
