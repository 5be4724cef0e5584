"""Write a :class:`Network` as an ONNX model (so numpy-trained networks reach any ONNX tool)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from memlab._io import atomic_write_bytes
from memlab.errors import ConfigError, UnsupportedExpressionError

from ._graph import Network
from ._onnx import _ACT, _onnx

__all__ = ["to_onnx"]

_OP_OF = {v: k for k, v in _ACT.items()}
_ATTR_KEYS = ("alpha", "beta", "gamma")


def _layer_nodes(ly, helper, const):
    """ONNX nodes of one layer; ``const(name, array)`` registers an initializer."""
    a, name, out = ly.attrs, ly.name, ly.output
    ins = list(ly.inputs)
    if ly.op in ("dense", "conv"):
        ins += [const(f"{name}.W", a["W"])] + ([const(f"{name}.b", a["b"])] if a["b"] is not None else [])
        if ly.op == "dense":
            return [helper.make_node("Gemm", ins, [out], name=name, transB=1)]
        kh, kw = a["W"].shape[2:]
        return [helper.make_node("Conv", ins, [out], name=name, kernel_shape=[kh, kw], strides=list(a["strides"]),
                                 pads=list(a["pads"]), dilations=list(a["dilations"]), group=a["groups"])]
    if ly.op == "activation":
        kind = a["kind"]
        if kind == "clip":
            ins += [const(f"{name}.min", np.array(a.get("min", -np.inf))),
                    const(f"{name}.max", np.array(a.get("max", np.inf)))]
            return [helper.make_node("Clip", ins, [out], name=name)]
        extra = {k: a[k] for k in _ATTR_KEYS if k in a}
        if kind == "softmax":
            extra["axis"] = a.get("axis", -1)
        return [helper.make_node(_OP_OF[kind], ins, [out], name=name, **extra)]
    if ly.op == "pool":
        op = "MaxPool" if a["kind"] == "max" else "AveragePool"
        extra = {} if op == "MaxPool" else {"count_include_pad": int(a.get("count_include_pad", False))}
        return [helper.make_node(op, ins, [out], name=name, kernel_shape=list(a["kernel"]),
                                 strides=list(a["strides"]), pads=list(a["pads"]), **extra)]
    if ly.op == "reshape":
        return [helper.make_node("Reshape", ins + [const(f"{name}.shape", np.array(a["shape"], np.int64))], [out],
                                 name=name)]
    simple = {"global_avg_pool": ("GlobalAveragePool", {}), "flatten": ("Flatten", {"axis": a.get("axis", 1)}),
              "add": ("Add", {}), "identity": ("Identity", {})}
    if ly.op not in simple:
        raise UnsupportedExpressionError(f"layer '{name}' (op {ly.op}) cannot be written to ONNX "
                                         "(an unfolded affine layer has no unambiguous ONNX form)")
    op, extra = simple[ly.op]
    return [helper.make_node(op, ins, [out], name=name, **extra)]


def to_onnx(net: Network, path=None, *, opset: int = 17):
    """An ``onnx.ModelProto`` of ``net`` (float32 weights; batch dimension symbolic).

    With ``path`` the model is also written there (atomically). ``load_onnx`` reads it back.
    """
    onnx, nh = _onnx()
    helper, TP = onnx.helper, onnx.TensorProto
    inits = []

    def const(name, arr):
        arr = np.asarray(arr)
        inits.append(nh.from_array(arr if arr.dtype == np.int64 else arr.astype(np.float32), name))
        return name

    nodes = [n for ly in net.layers for n in _layer_nodes(ly, helper, const)]
    if net.input_shape is None:
        raise ConfigError(f"network '{net.name}' has no input_shape; ONNX needs the input and output shapes")
    out_shape = net.forward(np.zeros((1,) + net.input_shape)).shape[1:]
    x = helper.make_tensor_value_info(net.input, TP.FLOAT, ["N"] + list(net.input_shape))
    y = helper.make_tensor_value_info(net.output, TP.FLOAT, ["N"] + list(out_shape))
    model = helper.make_model(helper.make_graph(nodes, net.name, [x], [y], initializer=inits),
                              opset_imports=[helper.make_opsetid("", opset)], producer_name="memlab")
    model.ir_version = 8
    onnx.checker.check_model(model)
    if path is not None:
        atomic_write_bytes(Path(path), model.SerializeToString())
    return model
