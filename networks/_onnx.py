"""Read an ONNX graph into a :class:`memlab.networks.Network` (needs the ``onnx`` package).

Supported operators: Gemm, MatMul (constant right operand), Conv (2-D; strides, explicit or
VALID pads, dilations, groups), BatchNormalization, Add/Sub/Mul/Div with a constant (folded
into the preceding Gemm/MatMul/Conv when it is that layer's only consumer, else a digital
per-channel affine layer), Add of two tensors (residual), the elementwise activations of
:data:`memlab.networks._ops.ACTIVATIONS`, MaxPool/AveragePool/GlobalAveragePool, Flatten,
Reshape (constant shape), Identity/Dropout (inference no-ops) and Constant. Anything else
raises :class:`~memlab.errors.UnsupportedExpressionError` naming the node and operator.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from memlab.errors import DataFormatError, UnsupportedExpressionError

from ._graph import MATRIX_OPS, NetLayer, Network

__all__ = ["load_onnx", "SUPPORTED_OPS"]

_ACT = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "LeakyRelu": "leaky_relu", "Clip": "clip",
        "Elu": "elu", "Selu": "selu", "Softplus": "softplus", "HardSigmoid": "hard_sigmoid", "Abs": "abs",
        "Neg": "neg", "Exp": "exp", "Gelu": "gelu", "Softmax": "softmax"}
_CONST_BINARY = ("Add", "Sub", "Mul", "Div")
SUPPORTED_OPS = tuple(sorted(set(_ACT) | set(_CONST_BINARY) | {
    "Gemm", "MatMul", "Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten",
    "Reshape", "Identity", "Dropout", "Constant"}))


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("load_onnx needs the 'onnx' package: pip install 'memlab[networks]'") from exc
    return onnx, numpy_helper


class _Builder:
    """Walks the ONNX nodes in order, folding constants and affine steps into matrix layers."""

    def __init__(self, graph, numpy_helper, helper):
        self.nh, self.helper = numpy_helper, helper
        self.consts = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in graph.initializer}
        self.alias: dict[str, str] = {}
        self.layers: list[dict] = []
        self.producer: dict[str, int] = {}
        self.uses: dict[str, int] = {}
        for node in graph.node:
            for t in node.input:
                self.uses[t] = self.uses.get(t, 0) + 1
        for o in graph.output:
            self.uses[o.name] = self.uses.get(o.name, 0) + 1

    def fail(self, node, why):
        raise UnsupportedExpressionError(f"ONNX node '{node.name or node.output[0]}' (op {node.op_type}): {why}")

    def attrs(self, node):
        return {a.name: self.helper.get_attribute_value(a) for a in node.attribute}

    def t(self, name):
        while name in self.alias:
            name = self.alias[name]
        return name

    def const(self, node, name, what):
        if name not in self.consts:
            self.fail(node, f"{what} '{name}' must be a constant (initializer or Constant node)")
        return self.consts[name]

    def add(self, node, op, inputs, attrs):
        out = node.output[0]
        self.layers.append({"name": node.name or out, "op": op, "inputs": [self.t(i) for i in inputs],
                            "output": out, "attrs": attrs})
        self.producer[out] = len(self.layers) - 1

    def foldable(self, tensor):
        """The matrix layer producing ``tensor`` if ``tensor`` has no other reader."""
        k = self.producer.get(tensor)
        if k is None or self.layers[k]["op"] not in MATRIX_OPS or self.uses.get(tensor, 0) != 1:
            return None
        return self.layers[k]

    def affine(self, node, x, scale, shift):
        """y = x * scale + shift per output channel: folded into the producer or a digital layer."""
        ly = self.foldable(x)
        if ly is not None:
            a = ly["attrs"]
            n = a["W"].shape[0]
            s = np.broadcast_to(scale, (n,)).astype(np.float64)
            a["W"] = a["W"] * s.reshape((n,) + (1,) * (a["W"].ndim - 1))
            b = np.zeros(n) if a["b"] is None else a["b"]
            a["b"] = b * s + np.broadcast_to(shift, (n,))
            ly["output"] = node.output[0]
            self.producer[node.output[0]] = self.producer.pop(x)
        else:
            self.add(node, "affine", [x], {"scale": np.atleast_1d(scale), "shift": np.atleast_1d(shift)})

    def per_channel(self, node, c):
        """A constant broadcastable per channel (axis 1) as a 1-D array, else unsupported."""
        c = np.asarray(c, dtype=np.float64)
        if c.size == 1:
            return c.reshape(1)
        big = [k for k, d in enumerate(c.shape) if d != 1]
        # (n,) / (1, n): per feature of a 2-D tensor; (C, 1, 1) / (1, C, 1, 1): per channel of NCHW
        if len(big) == 1 and c.ndim - big[0] in (1, 3):
            return c.reshape(-1)
        self.fail(node, f"constant operand of shape {c.shape} is not a scalar or per-channel vector")

    # ------------------------------------------------------------------ operators
    def node(self, node):
        op, a = node.op_type, self.attrs(node)
        ins = [i for i in node.input]
        if op == "Constant":
            if "value" not in a:
                self.fail(node, "only the 'value' form of Constant is supported")
            self.consts[node.output[0]] = self.nh.to_array(a["value"]).astype(np.float64)
        elif op in ("Identity", "Dropout"):
            if ins[0] in self.consts:
                self.consts[node.output[0]] = self.consts[ins[0]]
            else:
                self.alias[node.output[0]] = self.t(ins[0])
        elif op == "Gemm":
            self.gemm(node, ins, a)
        elif op == "MatMul":
            if ins[0] in self.consts:
                self.fail(node, "a constant left operand (W @ x) is not supported; export x @ W")
            B = self.const(node, ins[1], "right operand")
            if B.ndim != 2:
                self.fail(node, f"right operand has shape {B.shape}; expected 2-D")
            self.add(node, "dense", ins[:1], {"W": B.T, "b": None})
        elif op == "Conv":
            self.conv(node, ins, a)
        elif op == "BatchNormalization":
            sc, B, mean, var = (self.const(node, n, "BatchNormalization parameter") for n in ins[1:5])
            s = sc / np.sqrt(var + a.get("epsilon", 1e-5))
            self.affine(node, self.t(ins[0]), s, B - mean * s)
        elif op in _CONST_BINARY:
            self.binary(node, op, ins)
        elif op in _ACT:
            self.act(node, op, ins, a)
        elif op in ("MaxPool", "AveragePool"):
            self.pool(node, op, ins, a)
        elif op == "GlobalAveragePool":
            self.add(node, "global_avg_pool", ins[:1], {})
        elif op == "Flatten":
            self.add(node, "flatten", ins[:1], {"axis": int(a.get("axis", 1))})
        elif op == "Reshape":
            self.add(node, "reshape", ins[:1], {"shape": tuple(int(s) for s in self.const(node, ins[1], "shape"))})
        else:
            self.fail(node, f"operator not supported; supported: {', '.join(SUPPORTED_OPS)}")

    def gemm(self, node, ins, a):
        if a.get("transA", 0):
            self.fail(node, "transA=1 is not supported")
        B = self.const(node, ins[1], "weight B")
        W = a.get("alpha", 1.0) * (B if a.get("transB", 0) else B.T)
        b = None
        if len(ins) > 2 and ins[2]:
            b = a.get("beta", 1.0) * np.broadcast_to(self.const(node, ins[2], "bias C").reshape(-1), (W.shape[0],))
        self.add(node, "dense", ins[:1], {"W": W, "b": b})

    def conv(self, node, ins, a):
        W = self.const(node, ins[1], "weight")
        if W.ndim != 4:
            self.fail(node, f"only 2-D convolution is supported (weight shape {W.shape})")
        pad_mode = a.get("auto_pad", b"NOTSET")
        pad_mode = pad_mode.decode() if isinstance(pad_mode, bytes) else pad_mode
        if pad_mode not in ("NOTSET", "VALID"):
            self.fail(node, f"auto_pad={pad_mode} is not supported; export with explicit pads")
        b = self.const(node, ins[2], "bias") if len(ins) > 2 and ins[2] else None
        pads = tuple(int(p) for p in a.get("pads", (0, 0, 0, 0))) if pad_mode == "NOTSET" else (0, 0, 0, 0)
        self.add(node, "conv", ins[:1], {"W": W, "b": b, "strides": tuple(a.get("strides", (1, 1))),
                                         "pads": pads, "dilations": tuple(a.get("dilations", (1, 1))),
                                         "groups": int(a.get("group", 1))})

    def binary(self, node, op, ins):
        c_idx = [k for k, n in enumerate(ins) if n in self.consts]
        if not c_idx:
            if op != "Add":
                self.fail(node, f"{op} of two computed tensors is not supported (only Add, for residuals)")
            self.add(node, "add", ins, {})
            return
        if len(c_idx) == 2:
            self.fail(node, "both operands are constants (fold them before export)")
        k = c_idx[0]
        x = self.t(ins[1 - k])
        c = self.per_channel(node, self.consts[ins[k]])
        if op in ("Sub", "Div") and k == 0:
            self.fail(node, f"constant {op.lower()}ed by a tensor (c {op} x) is not supported")
        one, zero = np.ones(1), np.zeros(1)
        scale, shift = {"Add": (one, c), "Sub": (one, -c), "Mul": (c, zero), "Div": (1.0 / c, zero)}[op]
        self.affine(node, x, scale, shift)

    def act(self, node, op, ins, a):
        kind = _ACT[op]
        attrs = {"kind": kind}
        for key in ("alpha", "beta", "gamma"):
            if key in a:
                attrs[key] = float(a[key])
        if op == "Clip":
            lo = a.get("min", -np.inf)
            hi = a.get("max", np.inf)
            if len(ins) > 1 and ins[1]:
                lo = float(self.const(node, ins[1], "min"))
            if len(ins) > 2 and ins[2]:
                hi = float(self.const(node, ins[2], "max"))
            attrs.update({"min": float(lo), "max": float(hi)})
        if op == "Softmax":
            attrs["axis"] = int(a.get("axis", -1))
        self.add(node, "activation", ins[:1], attrs)

    def pool(self, node, op, ins, a):
        if a.get("ceil_mode", 0):
            self.fail(node, "ceil_mode=1 is not supported")
        if any(d != 1 for d in a.get("dilations", (1, 1))):
            self.fail(node, "dilated pooling is not supported")
        kern = tuple(int(k) for k in a["kernel_shape"])
        if len(kern) != 2:
            self.fail(node, f"only 2-D pooling is supported (kernel {kern})")
        self.add(node, "pool", ins[:1], {"kind": "max" if op == "MaxPool" else "avg", "kernel": kern,
                                         "strides": tuple(int(s) for s in a.get("strides", (1, 1))),
                                         "pads": tuple(int(p) for p in a.get("pads", (0, 0, 0, 0))),
                                         "count_include_pad": bool(a.get("count_include_pad", 0))})


def load_onnx(model, *, name: str | None = None) -> Network:
    """A :class:`Network` from an ONNX file path or a loaded ``onnx.ModelProto``.

    The graph must have one non-constant input (batch first) and one output. BatchNorm and
    constant Add/Mul after a matrix layer are folded into its weights and bias.
    """
    onnx, nh = _onnx()
    if isinstance(model, (str, Path)):
        path = Path(model)
        if not path.is_file():
            raise DataFormatError(f"ONNX model file '{path}' does not exist or is not a file")
        try:
            model = onnx.load(str(path))
        except Exception as exc:  # onnx raises DecodeError and others; all mean "not an ONNX file"
            raise DataFormatError(f"'{path}' is not a readable ONNX model: {exc}") from exc
        name = name or path.stem
    if not hasattr(model, "graph"):
        raise DataFormatError(f"load_onnx expects a path or onnx.ModelProto, got {type(model).__name__}")
    g = model.graph
    b = _Builder(g, nh, onnx.helper)
    inputs = [i for i in g.input if i.name not in b.consts]
    if len(inputs) != 1 or len(g.output) != 1:
        raise UnsupportedExpressionError(f"ONNX graph '{g.name}' has {len(inputs)} inputs and {len(g.output)} "
                                         "outputs; exactly one of each is supported")
    for node in g.node:
        b.node(node)
    dims = inputs[0].type.tensor_type.shape.dim
    shape = [d.dim_value for d in dims[1:]]
    input_shape = tuple(shape) if shape and all(d > 0 for d in shape) else None
    layers = [NetLayer(d["name"], d["op"], d["inputs"], d["output"], d["attrs"]) for d in b.layers]
    if not layers:
        raise UnsupportedExpressionError(f"ONNX graph '{g.name}' computes nothing memlab can map")
    return Network(layers, input=inputs[0].name, output=b.t(g.output[0].name), input_shape=input_shape,
                   name=name or g.name or "onnx")
