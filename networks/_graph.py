"""memlab's small network representation: a topologically ordered list of layers.

Every layer reads named tensors and writes one. Tensors are float64, batch first, images
NCHW (the ONNX layout). The *matrix layers* ("dense", "conv") are what a crossbar
computes; each has one weight matrix per group, ``y = W x + b`` with ``W`` of shape
(n_out, n_in) in memlab's convention (``AnalogMatrix``: outputs x inputs). A dense layer
stores ``W`` like that; a conv layer stores ``(C_out, C_in/groups, kh, kw)`` and is lowered
by im2col (:mod:`memlab.networks._ops`). All other layers are digital.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memlab.errors import ConfigError, ParameterError, ShapeError

from . import _ops

__all__ = ["NetLayer", "Network", "from_arrays", "MATRIX_OPS"]

MATRIX_OPS = ("dense", "conv")
_OPS = MATRIX_OPS + ("activation", "pool", "global_avg_pool", "flatten", "reshape", "add", "affine",
                     "identity")


def _finite(a, what):
    a = np.array(a, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ParameterError(f"{what} contains NaN or inf; allowed: finite values")
    return a


@dataclass(frozen=True)
class NetLayer:
    """One layer: ``op`` (one of ``_OPS``), tensor names, and its attributes (arrays copied).

    attrs per op: dense ``W`` (n_out, n_in), ``b`` (n_out,) or None; conv ``W``
    (C_out, C_in/groups, kh, kw), ``b``, ``strides``, ``pads`` (top, left, bottom, right),
    ``dilations``, ``groups``; activation ``kind`` (a key of ``ACTIVATIONS``) and its
    parameters; pool ``kind`` ("max" | "avg"), ``kernel``, ``strides``, ``pads``,
    ``count_include_pad``; flatten ``axis``; reshape ``shape`` (per ONNX, 0 copies a dim);
    affine ``scale``, ``shift`` (broadcast on axis 1); add/identity/global_avg_pool none.
    """

    name: str
    op: str
    inputs: tuple
    output: str
    attrs: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.op not in _OPS:
            raise ConfigError(f"layer '{self.name}': op {self.op!r} is not one of {_OPS}")
        attrs = {k: (np.array(v, dtype=np.float64) if isinstance(v, np.ndarray) else v)
                 for k, v in self.attrs.items()}
        if self.op in MATRIX_OPS:
            W = _finite(attrs["W"], f"layer '{self.name}' weights")
            if W.ndim != (2 if self.op == "dense" else 4) or W.size == 0:
                raise ShapeError(f"layer '{self.name}' ({self.op}): weights have shape {W.shape}")
            attrs["W"] = W
            if attrs.get("b") is not None:
                b = _finite(attrs["b"], f"layer '{self.name}' bias").reshape(-1)
                if b.size != W.shape[0]:
                    raise ShapeError(f"layer '{self.name}': bias has {b.size} values for {W.shape[0]} outputs")
                attrs["b"] = b
            else:
                attrs["b"] = None
            if self.op == "conv":
                attrs.setdefault("strides", (1, 1))
                attrs.setdefault("pads", (0, 0, 0, 0))
                attrs.setdefault("dilations", (1, 1))
                attrs.setdefault("groups", 1)
                if W.shape[0] % int(attrs["groups"]):
                    raise ShapeError(f"layer '{self.name}' (conv): {W.shape[0]} output channels are not divisible "
                                     f"by groups = {attrs['groups']}")
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "attrs", attrs)

    # ------------------------------------------------------------ matrix view
    def matrices(self):
        """List over groups of (W (n_out, n_in), b (n_out,) or None); dense has one group."""
        W, b = self.attrs["W"], self.attrs["b"]
        if self.op == "dense":
            return [(W, b)]
        g = self.attrs["groups"]
        co = W.shape[0] // g
        return [(W[k * co:(k + 1) * co].reshape(co, -1), None if b is None else b[k * co:(k + 1) * co])
                for k in range(g)]

    # ------------------------------------------------------------ evaluation
    def run(self, xs, matmul):
        """Output tensor for inputs ``xs``; ``matmul(layer, group, X (K, n_in)) -> (K, n_out)``."""
        op, a = self.op, self.attrs
        x = xs[0]
        if op == "dense":
            if x.ndim != 2 or x.shape[1] != a["W"].shape[1]:
                raise ShapeError(f"layer '{self.name}' (dense {a['W'].shape[0]}x{a['W'].shape[1]}): input has "
                                 f"shape {x.shape}; expected (batch, {a['W'].shape[1]})")
            return matmul(self, 0, x)
        if op == "conv":
            return self._conv(x, matmul)
        if op == "activation":
            return _ops.activation(a["kind"], x, a)
        if op == "pool":
            self._need_4d(x)
            return _ops.pool(x, a["kind"], a["kernel"], a["strides"], a["pads"], a.get("count_include_pad", False))
        if op == "global_avg_pool":
            self._need_4d(x)
            return x.mean(axis=(2, 3), keepdims=True)
        if op == "flatten":
            ax = a.get("axis", 1)
            return x.reshape(int(np.prod(x.shape[:ax])), -1)
        if op == "reshape":
            shape = [x.shape[i] if s == 0 else int(s) for i, s in enumerate(a["shape"])]
            if len(shape) > 1 and shape[0] != -1:
                shape[0] = x.shape[0]  # the first dimension is the batch
            try:
                return x.reshape(shape)
            except ValueError:
                raise ShapeError(f"layer '{self.name}' (reshape): cannot reshape {x.shape} to {tuple(shape)}") from None
        if op == "add":
            return xs[0] + xs[1]
        if op == "affine":
            sh = (1, -1) + (1,) * (x.ndim - 2)
            return x * a["scale"].reshape(sh) + a["shift"].reshape(sh)
        return x  # identity

    def _need_4d(self, x):
        if x.ndim != 4:
            raise ShapeError(f"layer '{self.name}' ({self.op}): input has shape {x.shape}; expected (N, C, H, W)")

    def _conv(self, x, matmul):
        a = self.attrs
        self._need_4d(x)
        W, g = a["W"], a["groups"]
        co, cig, kh, kw = W.shape
        if x.shape[1] != cig * g:
            raise ShapeError(f"layer '{self.name}' (conv): input has {x.shape[1]} channels; expected {cig * g}")
        outs = []
        for k in range(g):
            cols, (ho, wo) = _ops.im2col(x[:, k * cig:(k + 1) * cig], (kh, kw), a["strides"], a["pads"],
                                          a["dilations"])
            outs.append(matmul(self, k, cols).reshape(x.shape[0], ho, wo, co // g))
        return np.concatenate(outs, axis=3).transpose(0, 3, 1, 2)


def ideal_matmul(layer, group, X):
    """Exact float64 ``X @ W.T + b`` of one group."""
    W, b = layer.matrices()[group]
    y = X @ W.T
    return y if b is None else y + b


class Network:
    """A feed-forward graph of :class:`NetLayer` from tensor ``input`` to tensor ``output``.

    ``input_shape``: per-sample shape, e.g. ``(64,)`` or ``(1, 8, 8)`` (None: not checked).
    Layers must be in topological order (each input produced earlier or the network input).
    """

    def __init__(self, layers, *, input: str = "input", output: str | None = None, input_shape=None,
                 name: str = "network"):
        self.layers = tuple(layers)
        if not self.layers:
            raise ConfigError("a Network needs at least one layer")
        self.input = input
        self.output = self.layers[-1].output if output is None else output
        self.input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)
        self.name = name
        known = {input}
        for ly in self.layers:
            missing = [t for t in ly.inputs if t not in known]
            if missing:
                raise ConfigError(f"layer '{ly.name}' reads tensor(s) {missing} that no earlier layer produces")
            known.add(ly.output)
        if self.output not in known:
            raise ConfigError(f"network output {self.output!r} is produced by no layer")

    @property
    def matrix_layers(self):
        """The layers a crossbar computes (dense and conv), in order."""
        return [ly for ly in self.layers if ly.op in MATRIX_OPS]

    def check_input(self, x) -> np.ndarray:
        """``x`` as a float64 (batch, *input_shape) array; ShapeError naming the mismatch."""
        X = _finite(x, "parameter 'x'")
        if self.input_shape is not None:
            if X.shape == self.input_shape:
                X = X[None]
            if X.shape[1:] != self.input_shape:
                raise ShapeError(f"parameter 'x' has shape {X.shape}; network '{self.name}' expects "
                                 f"(batch, {', '.join(map(str, self.input_shape))})")
        return X

    def forward(self, x, matmul=None) -> np.ndarray:
        """Output for batch ``x``; ``matmul`` replaces the exact matrix products (see NetLayer.run)."""
        mm = ideal_matmul if matmul is None else matmul
        env = {self.input: self.check_input(x)}
        for ly in self.layers:
            env[ly.output] = ly.run([env[t] for t in ly.inputs], mm)
        return env[self.output]

    def predict(self, x) -> np.ndarray:
        """Ideal (float64) output."""
        return self.forward(x)

    def __repr__(self):
        ops = ", ".join(f"{ly.op}" for ly in self.layers)
        return f"Network('{self.name}', {len(self.layers)} layers: {ops})"


def from_arrays(weights, biases=None, *, activation: str = "relu", output_activation: str | None = None,
                name: str = "mlp") -> Network:
    """A multilayer perceptron from weight matrices ``W_k`` of shape (n_out, n_in) (``y = W x + b``).

    ``activation`` follows every layer but the last (a key of ``ACTIVATIONS`` or None);
    ``output_activation`` follows the last. ``biases``: list of (n_out,) arrays or None.
    """
    weights = list(weights)
    if not weights:
        raise ConfigError("from_arrays needs at least one weight matrix")
    biases = [None] * len(weights) if biases is None else list(biases)
    if len(biases) != len(weights):
        raise ShapeError(f"from_arrays: {len(weights)} weight matrices but {len(biases)} biases")
    for kind in (activation, output_activation):
        if kind is not None and kind not in _ops.ACTIVATIONS:
            raise ConfigError(f"activation {kind!r} is not one of {sorted(_ops.ACTIVATIONS)}")
    layers, prev = [], "input"
    for k, (W, b) in enumerate(zip(weights, biases)):
        W = np.asarray(W, dtype=np.float64)
        if k and W.ndim == 2 and W.shape[1] != np.asarray(weights[k - 1]).shape[0]:
            raise ShapeError(f"from_arrays: weight {k} has {W.shape[1]} inputs but weight {k - 1} has "
                             f"{np.asarray(weights[k - 1]).shape[0]} outputs")
        layers.append(NetLayer(f"dense{k}", "dense", (prev,), f"dense{k}", {"W": W, "b": b}))
        prev = f"dense{k}"
        act = activation if k < len(weights) - 1 else output_activation
        if act is not None:
            layers.append(NetLayer(f"{act}{k}", "activation", (prev,), f"{act}{k}_out", {"kind": act}))
            prev = f"{act}{k}_out"
    return Network(layers, input_shape=(layers[0].attrs["W"].shape[1],), name=name)
