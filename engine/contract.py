"""The ONNX model contract: metadata the exporter writes and the engine checks at load.

This module knows nothing of onnxruntime or onnx: it turns a plain ``dict[str, str]`` of ONNX
``metadata_props`` (plus the graph's input/output shapes) into a typed :class:`ModelContract`, or
raises :class:`~engine.errors.ContractError` saying what is wrong. It is also the one home of the
input normalization and of the a*, b* scale: the engine, training and the exporter all use these.

Graph contract (version 1):
  input  ``gray``  float32 ``[N, 1, S, S]``: luminance (Pillow ``convert("L")``) scaled to [-1, 1].
  output ``color`` float32 ``[N, 3, S, S]``: sRGB in [-1, 1] (``output = "rgb"``), or
         ``[N, 2, S, S]``: CIE Lab a*, b* divided by ``ab_scale`` (``output = "lab_ab"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import ContractError, ModelOutputError

CONTRACT_VERSION = 1
PREFIX = "tintype."
INPUT_NAME = "gray"
OUTPUT_NAME = "color"
INPUT_KINDS = ("gray",)
# The one input normalization: gray 0..255 -> [-1, 1] as ``gray * GRAY_SCALE - 1``.
MINUS_ONE_ONE = "minus_one_one"
GRAY_SCALE = 2.0 / 255.0
INPUT_NORMALIZATIONS = (MINUS_ONE_ONE,)
OUTPUT_KINDS = ("rgb", "lab_ab")
# lab_ab outputs are a*, b* divided by this, so a tanh output covers the sRGB gamut (|a|, |b| < ~110).
# Tintype's exporter writes it as the contract's ``ab_scale``; the engine reads ``ab_scale`` per model.
AB_SCALE = 110.0
# Outputs are in [-1, 1] (a tanh, or a clamp). A little past it is clipped, as a model without a final
# tanh overshoots; past this the model is not scaled to the contract and its colors are garbage.
OUTPUT_LIMIT = 1.5


# The functions below take a numpy float32 array (the engine) or a torch float32 tensor
# (training): the same arithmetic on both, so both feed the models the same numbers.
def normalize_gray(gray: Any) -> Any:
    """Gray in 0..255, already float32 (numpy array or torch tensor, any shape) -> [-1, 1], same type."""
    return gray * GRAY_SCALE - 1.0


def gray_to_model_input(gray: np.ndarray) -> np.ndarray:
    """uint8 gray ``HxW`` -> float32 ``HxW`` in [-1, 1] (the ``minus_one_one`` normalization)."""
    return normalize_gray(gray.astype(np.float32))


def model_input_to_unit(gray: Any) -> Any:
    """A model input in [-1, 1] (array or tensor) -> gray in [0, 1], same type."""
    return (gray + 1) * 0.5


REQUIRED_KEYS = (
    "contract_version",
    "model_id",
    "display_name",
    "input_size",
    "input",
    "input_normalization",
    "output",
    "training_data",
    "model_version",
)


@dataclass(frozen=True)
class ModelContract:
    contract_version: int
    model_id: str
    display_name: str
    input_size: int
    input: str
    input_normalization: str
    output: str
    training_data: str
    model_version: str
    ab_scale: float = 1.0
    description: str = ""

    def to_metadata(self) -> dict[str, str]:
        """The ``metadata_props`` the exporter writes (all values are strings, keys prefixed)."""
        values = {
            "contract_version": str(self.contract_version),
            "model_id": self.model_id,
            "display_name": self.display_name,
            "input_size": str(self.input_size),
            "input": self.input,
            "input_normalization": self.input_normalization,
            "output": self.output,
            "training_data": self.training_data,
            "model_version": self.model_version,
            "ab_scale": repr(float(self.ab_scale)),
            "description": self.description,
        }
        return {PREFIX + key: value for key, value in values.items()}

    @property
    def output_channels(self) -> int:
        return 3 if self.output == "rgb" else 2


def parse_contract(metadata: dict[str, str], *, source: str) -> ModelContract:
    """Read and validate the contract from ONNX metadata; ``source`` names the file in messages."""
    values = {key[len(PREFIX) :]: value for key, value in metadata.items() if key.startswith(PREFIX)}
    missing = [key for key in REQUIRED_KEYS if key not in values]
    if len(missing) == len(REQUIRED_KEYS):
        raise ContractError(f"{source}: not a Tintype model (no '{PREFIX}*' metadata in the ONNX file)")
    if missing:
        raise ContractError(f"{source}: model metadata lacks {', '.join(PREFIX + k for k in missing)}")
    try:
        version = int(values["contract_version"])
        size = int(values["input_size"])
        ab_scale = float(values.get("ab_scale", "1.0"))
    except ValueError as exc:
        raise ContractError(f"{source}: malformed number in model metadata ({exc})") from None
    if version != CONTRACT_VERSION:
        raise ContractError(
            f"{source}: model contract version {version}, this Tintype reads version {CONTRACT_VERSION}"
        )
    if size < 16 or size > 4096:
        raise ContractError(f"{source}: input_size {size} is outside 16..4096")
    checks = (
        ("input", INPUT_KINDS),
        ("input_normalization", INPUT_NORMALIZATIONS),
        ("output", OUTPUT_KINDS),
    )
    for key, allowed in checks:
        if values[key] not in allowed:
            raise ContractError(f"{source}: {key} '{values[key]}' is not one of {', '.join(allowed)}")
    model_id = values["model_id"].strip()
    if not model_id or not all(c.isalnum() or c in "-_" for c in model_id):
        raise ContractError(f"{source}: model_id '{model_id}' must be letters, digits, '-' or '_'")
    if values["output"] == "lab_ab" and not ab_scale > 0:
        raise ContractError(f"{source}: ab_scale must be positive for lab_ab output")
    return ModelContract(
        contract_version=version,
        model_id=model_id,
        display_name=values["display_name"],
        input_size=size,
        input=values["input"],
        input_normalization=values["input_normalization"],
        output=values["output"],
        training_data=values["training_data"],
        model_version=values["model_version"],
        ab_scale=ab_scale,
        description=values.get("description", ""),
    )


def check_graph(
    contract: ModelContract,
    *,
    inputs: dict[str, list],
    outputs: dict[str, list],
    source: str,
) -> None:
    """Check the graph's input/output names and shapes against the contract.

    ``inputs``/``outputs`` map names to shapes as onnxruntime reports them (ints, or strings/None
    for symbolic dimensions).
    """
    if INPUT_NAME not in inputs or len(inputs) != 1:
        raise ContractError(f"{source}: expects one input named '{INPUT_NAME}', found {sorted(inputs)}")
    if OUTPUT_NAME not in outputs:
        raise ContractError(f"{source}: expects an output named '{OUTPUT_NAME}', found {sorted(outputs)}")
    in_shape, out_shape = inputs[INPUT_NAME], outputs[OUTPUT_NAME]
    size = contract.input_size
    if len(in_shape) != 4 or in_shape[1] != 1 or _fixed(in_shape[2:]) not in ((size, size), (None, None)):
        raise ContractError(f"{source}: input shape {in_shape} is not [N, 1, {size}, {size}]")
    if len(out_shape) != 4 or out_shape[1] != contract.output_channels:
        raise ContractError(
            f"{source}: output shape {out_shape} does not have {contract.output_channels} channels "
            f"for output '{contract.output}'"
        )
    if any(d is not None and d != size for d in _fixed(out_shape[2:])):
        raise ContractError(
            f"{source}: output shape {out_shape} is not [N, {contract.output_channels}, {size}, {size}]"
        )


def check_prediction(prediction: np.ndarray, contract: ModelContract, *, source: str) -> None:
    """A model's raw output for one photo, float ``[1, C, S, S]``: the contract's shape, finite, and
    within :data:`OUTPUT_LIMIT`; :class:`~engine.errors.ModelOutputError` naming ``source`` otherwise."""
    size, channels = contract.input_size, contract.output_channels
    expected = (1, channels, size, size)
    if tuple(prediction.shape) != expected:
        raise ModelOutputError(f"{source}: output of shape {list(prediction.shape)}, not {list(expected)}")
    finite = np.isfinite(prediction)
    if not finite.all():
        raise ModelOutputError(f"{source}: output has {int((~finite).sum())} NaN or infinite values")
    peak = float(np.abs(prediction).max(initial=0.0))
    if peak > OUTPUT_LIMIT:
        raise ModelOutputError(f"{source}: output values reach {peak:.3g}, far outside the contract's [-1, 1]")


def _fixed(dims: list) -> tuple:
    return tuple(d if isinstance(d, int) else None for d in dims)
