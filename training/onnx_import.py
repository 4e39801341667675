"""Read the weights of an exported (shipped) ONNX file back into its torch generator: the warm start of
``train --init-from MODEL.onnx``, so a run continues from the model users have instead of from scratch.

The exporter names most initializers after the state dict (``up.0.weight``, ``encoder.3.0.bias``), but
it folds each BatchNorm that follows a convolution into that convolution's weight and bias and gives the
result a generated name (``onnx::Conv_188``). So the convolutions are matched by order instead: the
graph's Conv/ConvTranspose nodes in graph order against the torch convolutions in execution order (a
forward pass with hooks), each pair checked by shape. A folded pair comes back as the folded convolution
and an identity BatchNorm carrying the bias (``running_mean`` 0, ``running_var`` 1 - eps): exact in eval
mode. :func:`calibrate_folded_batchnorm` then re-expresses each such BatchNorm around the statistics of a
real batch, so that training mode (batch statistics) starts where eval mode is. The frozen classifier
(Koalarization) is inside the graph too; it is skipped, since the model builds it from its package.

After loading, :func:`init_from_onnx` runs the file with onnxruntime and the torch model on the same
input and raises ValueError when they disagree: a mapping that went wrong cannot pass silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from training.config import ModelConfig
from training.models.registry import architecture

log = logging.getLogger(__name__)

CLASSIFIER_PREFIX = "classifier."
# fp32 torch vs onnxruntime: kernel order only (as training.export.PARITY_BOUND).
IMPORT_PARITY_BOUND = 2e-3
_CONV_OPS = ("Conv", "ConvTranspose")


@dataclass(frozen=True)
class ImportReport:
    """What :func:`init_from_onnx` did: folded BatchNorms (module names), tensors copied, parity."""

    folded: tuple[str, ...]
    tensors: int
    parity: float


def onnx_metadata(path: str | Path) -> dict[str, str]:
    """The ``tintype.*`` metadata of an exported file, keys without the prefix."""
    model = onnx.load(str(path), load_external_data=False)
    return {p.key.removeprefix("tintype."): p.value for p in model.metadata_props}


def _execution_order(module: nn.Module, size: int) -> list[tuple[str, nn.Module]]:
    """(name, module) of every convolution and BatchNorm in the order a forward pass runs them."""
    order: list[tuple[str, nn.Module]] = []
    names = {m: n for n, m in module.named_modules()}
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d)
    hooks = [
        m.register_forward_pre_hook(lambda mod, _inp: order.append((names[mod], mod)))
        for m in module.modules()
        if isinstance(m, kinds)
    ]
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(torch.zeros(1, 1, size, size))
    finally:
        for h in hooks:
            h.remove()
        module.train(was_training)
    return order


def load_onnx_weights(module: nn.Module, path: str | Path, *, size: int) -> ImportReport:
    """Copy the weights of the ONNX file at ``path`` into ``module`` (a generator of the same architecture
    and width). ValueError naming the file when the graph and the module do not match."""
    model = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    nodes = [n for n in model.graph.node if n.op_type in _CONV_OPS]
    order = _execution_order(module, size)
    convs = [(i, n, m) for i, (n, m) in enumerate(order) if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    if len(convs) != len(nodes):
        raise ValueError(f"{path}: {len(nodes)} convolutions in the graph, {len(convs)} in the model")
    folded: list[str] = []
    copied = 0
    with torch.no_grad():
        for (index, name, conv), node in zip(convs, nodes, strict=True):
            weight = inits.get(node.input[1])
            if weight is None or tuple(weight.shape) != tuple(conv.weight.shape):
                raise ValueError(
                    f"{path}: {node.name or node.input[1]} does not fit {name} "
                    f"{tuple(conv.weight.shape)} (found {None if weight is None else weight.shape})"
                )
            if name.startswith(CLASSIFIER_PREFIX):
                continue  # the frozen classifier comes from its package
            bias = inits.get(node.input[2]) if len(node.input) > 2 else None
            conv.weight.copy_(torch.from_numpy(weight.copy()))
            copied += 1
            if conv.bias is not None:
                conv.bias.copy_(torch.from_numpy(bias.copy()) if bias is not None else torch.zeros_like(conv.bias))
                copied += 1
                continue
            after = order[index + 1][1] if index + 1 < len(order) else None
            if bias is None:
                continue
            if not isinstance(after, nn.BatchNorm2d) or after.num_features != bias.shape[0]:
                raise ValueError(f"{path}: {name} has a bias in the graph but neither a bias nor a BatchNorm after it")
            _identity_batchnorm(after, torch.from_numpy(bias.copy()))
            folded.append(order[index + 1][0])
            copied += 1
        # Tensors kept by name (a BatchNorm not after a convolution, e.g. Koalarization's tap_norm).
        state = module.state_dict()
        for key, value in inits.items():
            if key in state and not key.startswith(CLASSIFIER_PREFIX) and tuple(state[key].shape) == tuple(value.shape):
                state[key].copy_(torch.from_numpy(value.copy()))
                copied += 1
    return ImportReport(folded=tuple(folded), tensors=copied, parity=float("nan"))


def _identity_batchnorm(bn: nn.BatchNorm2d, bias: torch.Tensor) -> None:
    """A BatchNorm that adds ``bias`` in eval mode and does nothing else."""
    bn.weight.fill_(1.0)
    bn.bias.copy_(bias)
    bn.running_mean.zero_()
    bn.running_var.fill_(1.0 - bn.eps)


@torch.no_grad()
def calibrate_folded_batchnorm(module: nn.Module, folded: tuple[str, ...], gray: torch.Tensor) -> None:
    """Re-express each folded BatchNorm (an identity plus bias, see :func:`load_onnx_weights`) around the
    mean and variance of its input on ``gray`` (``[N,1,S,S]`` in [-1,1], real photos): running statistics
    = the batch's, weight = their standard deviation, bias + their mean. Eval-mode outputs do not change
    (up to rounding); training mode, which normalises by batch statistics, then starts close to them."""
    if not folded:
        return
    by_name = dict(module.named_modules())

    def pre_hook(bn: nn.BatchNorm2d, inputs):
        x = inputs[0].float()
        mean = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
        std = torch.sqrt(var + bn.eps)
        bn.bias.add_(mean)
        bn.weight.copy_(std)
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)

    hooks = [by_name[name].register_forward_pre_hook(pre_hook) for name in folded]
    was_training = module.training
    try:
        module.eval()
        module(gray)
    finally:
        for h in hooks:
            h.remove()
        module.train(was_training)


def parity(module: nn.Module, path: str | Path, *, size: int, seed: int = 0) -> float:
    """Max |onnxruntime - torch (eval)| on a smooth pattern plus noise, ``[1,1,size,size]``."""
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    pattern = 0.6 * np.sin(xx / 7.0) * np.cos(yy / 11.0) + rng.normal(0, 0.2, (size, size))
    batch = np.clip(pattern, -1, 1).astype(np.float32)[None, None]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: batch})[0]
    was_training = module.training
    module.eval()
    with torch.no_grad():
        got = module(torch.from_numpy(batch)).numpy()
    module.train(was_training)
    return float(np.abs(got - expected).max())


def init_from_onnx(module: nn.Module, path: str | Path, config: ModelConfig) -> ImportReport:
    """Start ``module`` (a generator of ``config``) from an exported file: same family (registry) and
    output kind, same width (shapes); weights loaded and checked for parity with onnxruntime."""
    meta = onnx_metadata(path)
    source_id, output = meta.get("model_id", ""), meta.get("output", "")
    family = architecture(config.model_id).family
    try:
        source_family = architecture(source_id).family
    except ValueError:
        source_family = ""
    if source_family != family or output != config.output:
        raise ValueError(
            f"{path}: --init-from needs a {family} exported with output {config.output}, "
            f"found {source_id or 'no model id'} with output {output or '?'}"
        )
    size = int(meta.get("input_size", 128))
    report = load_onnx_weights(module, path, size=size)
    diff = parity(module, path, size=size)
    if diff > IMPORT_PARITY_BOUND:
        raise ValueError(
            f"{path}: re-imported weights differ from the file by {diff:.2e} (> {IMPORT_PARITY_BOUND:.0e})"
        )
    log.info(
        "generator initialised from %s (%d tensors, %d folded BatchNorms, parity %.1e)",
        path,
        report.tensors,
        len(report.folded),
        diff,
    )
    return ImportReport(folded=report.folded, tensors=report.tensors, parity=diff)
