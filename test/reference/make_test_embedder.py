"""Writes a small but real ONNX face embedder with an ArcFace-style interface, for the registry tests.

Input  "data": float32 [1, 3, S, S] (S = 112 by default), output "fc1": float32 [1, D] (D = 512).
The network pools 8x8 patches of the three channels and projects them with a fixed random matrix:
not a face model, but a genuine ONNX graph that onnxruntime loads and runs, whose output depends
on the aligned face, so configuration alone decides whether a 512-d embedder plugs in.
Usage: python make_test_embedder.py OUT.onnx [DIM] [SIZE]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, dim, size = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 512, int(sys.argv[3]) if len(sys.argv) > 3 else 112
cells = (size // 8) ** 2 * 3
rng = np.random.default_rng(42)
weights = numpy_helper.from_array(rng.standard_normal((cells, dim)).astype(np.float32), name="projection")
shape = numpy_helper.from_array(np.array([1, cells], dtype=np.int64), name="flat_shape")
graph = helper.make_graph(
    [
        helper.make_node("AveragePool", ["data"], ["pooled"], kernel_shape=[8, 8], strides=[8, 8]),
        helper.make_node("Reshape", ["pooled", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "projection"], ["fc1"]),
    ],
    "test_embedder",
    [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, size, size])],
    [helper.make_tensor_value_info("fc1", TensorProto.FLOAT, [1, dim])],
    initializer=[weights, shape],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kyc-face-match-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
