import numpy as np
import pytest

from engine.contract import (
    ModelContract,
    check_graph,
    gray_to_model_input,
    model_input_to_unit,
    parse_contract,
)
from engine.errors import ContractError
from tests.conftest import tiny_contract


def test_round_trip_through_metadata():
    contract = tiny_contract("koala", size=64, output="lab_ab")
    assert parse_contract(contract.to_metadata(), source="x.onnx") == contract


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tintype.contract_version": "99"}, "contract version 99"),
        ({"tintype.output": "hsv"}, "output 'hsv'"),
        ({"tintype.input_size": "big"}, "malformed number"),
        ({"tintype.input_size": "4"}, "outside"),
        ({"tintype.model_id": "../evil"}, "model_id"),
    ],
)
def test_refusals_name_the_file_and_the_problem(change, message):
    meta = {**tiny_contract().to_metadata(), **change}
    with pytest.raises(ContractError, match=message) as info:
        parse_contract(meta, source="models/bad.onnx")
    assert "models/bad.onnx" in str(info.value)


def test_missing_keys_and_foreign_models():
    meta = tiny_contract().to_metadata()
    del meta["tintype.training_data"]
    with pytest.raises(ContractError, match="lacks tintype.training_data"):
        parse_contract(meta, source="m.onnx")
    with pytest.raises(ContractError, match="not a Tintype model"):
        parse_contract({"author": "someone"}, source="m.onnx")


def test_graph_checks():
    c: ModelContract = tiny_contract(size=32, output="rgb")
    check_graph(c, inputs={"gray": ["N", 1, 32, 32]}, outputs={"color": ["N", 3, 32, 32]}, source="m")
    with pytest.raises(ContractError, match="input shape"):
        check_graph(c, inputs={"gray": ["N", 3, 32, 32]}, outputs={"color": ["N", 3, 32, 32]}, source="m")
    with pytest.raises(ContractError, match="3 channels"):
        check_graph(c, inputs={"gray": ["N", 1, 32, 32]}, outputs={"color": ["N", 2, 32, 32]}, source="m")
    with pytest.raises(ContractError, match="one input named 'gray'"):
        check_graph(c, inputs={"image": ["N", 1, 32, 32]}, outputs={"color": ["N", 3, 32, 32]}, source="m")


def test_input_normalization():
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    normalized = gray_to_model_input(gray)
    assert normalized.dtype == np.float32 and normalized.shape == gray.shape
    assert normalized[0, 0] == -1.0 and abs(normalized[-1, -1] - 1.0) < 1e-6
    assert np.array_equal(normalized, gray.astype(np.float32) * np.float32(2 / 255) - np.float32(1))
    assert np.allclose(model_input_to_unit(normalized), gray / 255.0, atol=1e-6)
