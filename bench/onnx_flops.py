"""FLOPs of one forward pass of an ONNX model (2 x multiply-adds of Conv, ConvTranspose, Gemm, MatMul)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference


def onnx_flops(path) -> int:
    model = onnx.load(str(path))
    for value in list(model.graph.input) + list(model.graph.output):
        for dim in value.type.tensor_type.shape.dim:
            if dim.dim_param:
                dim.dim_value = 1  # batch of one
    model = shape_inference.infer_shapes(model)
    shapes = {}
    for value in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        dims = [d.dim_value for d in value.type.tensor_type.shape.dim]
        shapes[value.name] = dims
    inits = {i.name: numpy_helper.to_array(i).shape for i in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            w = inits.get(node.input[1]) or shapes.get(node.input[1])
            if not w:
                continue
            if node.op_type == "Conv":
                out = shapes.get(node.output[0])
                if out:
                    total += 2 * int(np.prod(out)) * int(np.prod(w[1:]))
            else:
                inp = shapes.get(node.input[0])
                if inp:
                    total += 2 * int(np.prod(inp)) * int(np.prod(w[1:]))
        elif node.op_type in ("Gemm", "MatMul"):
            a, out = shapes.get(node.input[0]), shapes.get(node.output[0])
            if a and out:
                total += 2 * int(np.prod(out)) * a[-1]
    return total
