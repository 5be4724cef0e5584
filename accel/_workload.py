"""Workloads: layers with shapes and bit widths; work and bytes derived from the shapes.

All counts are per sample (one image, one sequence) unless a name says otherwise;
:class:`Workload` multiplies by its ``batch``. Bytes are ``count * bits / 8``.

Formulas (``docs/notes/hardware.md`` §4):

* conv: ``MACs = K * (C/g) * P * Q * R * S`` with ``P = (H + 2*pad - R)//stride + 1``;
* GEMM / fully connected: ``MACs = M * K * N``;
* recurrent cell (LSTM 4 gates, GRU 3, vanilla 1): ``MACs = T * gates * h * (i + h)``;
* attention core (scores and context): ``MACs = 2 * L^2 * d_model`` (weights-free GEMMs);
* spiking: dense-equivalent ``MACs = T * n_in * n_out``; synaptic events
  ``= rate * n_in * T * fanout``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import ClassVar

from memlab._io import read_text
from memlab.errors import ConfigError, DataFormatError, ParameterError, out_of_range

__all__ = ["Layer", "Conv2d", "Linear", "Gemm", "Recurrent", "Attention", "Spiking",
           "GemmOp", "Workload", "load_workload", "LAYER_KINDS"]


@dataclass(frozen=True)
class GemmOp:
    """One matrix product ``(m x k) @ (k x n)`` repeated ``count`` times per sample.

    ``static``: the (k x n) operand is a constant weight matrix (mappable to a crossbar or a
    weight-stationary array); ``steps``: sequential repetitions that reuse the same weights
    but depend on each other (recurrent time steps).
    """

    m: int
    k: int
    n: int
    count: int = 1
    static: bool = True
    steps: int = 1

    @property
    def macs(self) -> int:
        return self.m * self.k * self.n * self.count * self.steps


def _pos_int(layer, name: str, value, minimum: int = 1):
    if isinstance(value, bool) or not isinstance(value, (int,)) or value < minimum:
        # allow integral floats from JSON/YAML
        if isinstance(value, float) and value.is_integer() and value >= minimum:
            return int(value)
        raise out_of_range(name, value, f"integer >= {minimum}", where=f"{type(layer).__name__} '{layer.name}'")
    return int(value)


@dataclass(frozen=True)
class Layer:
    """Base class. ``w_bits``/``a_bits``: weight and activation widths (bits)."""

    name: str
    w_bits: int = field(default=8, kw_only=True)
    a_bits: int = field(default=8, kw_only=True)

    kind: ClassVar[str] = "layer"
    _int_fields: ClassVar[tuple] = ()
    _nonneg_int_fields: ClassVar[tuple] = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f"{type(self).__name__}: parameter 'name' = {self.name!r} must be a non-empty string")
        for f in self._int_fields + ("w_bits", "a_bits"):
            object.__setattr__(self, f, _pos_int(self, f, getattr(self, f)))
        for f in self._nonneg_int_fields:
            object.__setattr__(self, f, _pos_int(self, f, getattr(self, f), minimum=0))
        for f in ("w_bits", "a_bits"):
            if getattr(self, f) > 64:
                raise out_of_range(f, getattr(self, f), "[1, 64]", where=f"{type(self).__name__} '{self.name}'")
        self._validate()

    def _validate(self):
        pass

    # --- to be provided by subclasses (per sample) ---
    def gemms(self) -> list[GemmOp]:
        raise NotImplementedError

    @property
    def weights(self) -> int:
        """Number of weight values (static operands)."""
        return sum(g.k * g.n * g.count for g in self.gemms() if g.static)

    @property
    def inputs(self) -> int:
        """Input activation values per sample."""
        raise NotImplementedError

    @property
    def outputs(self) -> int:
        """Output activation values per sample."""
        raise NotImplementedError

    # --- derived ---
    @property
    def macs(self) -> int:
        """Multiply-accumulates per sample."""
        return sum(g.macs for g in self.gemms())

    @property
    def weight_bytes(self) -> float:
        return self.weights * self.w_bits / 8

    @property
    def input_bytes(self) -> float:
        return self.inputs * self.a_bits / 8

    @property
    def output_bytes(self) -> float:
        return self.outputs * self.a_bits / 8

    @property
    def dtype(self) -> str:
        """Arithmetic class used to pick a peak rate: 'int8', 'fp16' or 'fp32'."""
        b = max(self.w_bits, self.a_bits)
        return "int8" if b <= 8 else ("fp16" if b <= 16 else "fp32")

    def to_dict(self) -> dict:
        d = {"kind": self.kind}
        for f in fields(self):
            d[f.name] = getattr(self, f.name)
        return d


@dataclass(frozen=True)
class Conv2d(Layer):
    """2-D convolution: ``in_channels`` C, ``out_channels`` K, input ``in_h`` x ``in_w``,
    kernel ``kernel_h`` x ``kernel_w``, ``stride``, ``padding``, ``groups``."""

    in_channels: int = 1
    out_channels: int = 1
    in_h: int = 1
    in_w: int = 1
    kernel_h: int = 1
    kernel_w: int = 1
    stride: int = 1
    padding: int = 0
    groups: int = 1

    kind: ClassVar[str] = "conv"
    _int_fields: ClassVar[tuple] = ("in_channels", "out_channels", "in_h", "in_w", "kernel_h",
                                    "kernel_w", "stride", "groups")
    _nonneg_int_fields: ClassVar[tuple] = ("padding",)

    def _validate(self):
        w = f"Conv2d '{self.name}'"
        if self.in_channels % self.groups:
            raise out_of_range("groups", self.groups, f"a divisor of in_channels={self.in_channels}", w)
        if self.out_channels % self.groups:
            raise out_of_range("groups", self.groups, f"a divisor of out_channels={self.out_channels}", w)
        if self.in_h + 2 * self.padding < self.kernel_h:
            raise out_of_range("kernel_h", self.kernel_h, f"<= in_h + 2*padding = {self.in_h + 2 * self.padding}", w)
        if self.in_w + 2 * self.padding < self.kernel_w:
            raise out_of_range("kernel_w", self.kernel_w, f"<= in_w + 2*padding = {self.in_w + 2 * self.padding}", w)

    @property
    def out_h(self) -> int:
        return (self.in_h + 2 * self.padding - self.kernel_h) // self.stride + 1

    @property
    def out_w(self) -> int:
        return (self.in_w + 2 * self.padding - self.kernel_w) // self.stride + 1

    def gemms(self):
        g = self.groups
        return [GemmOp(m=self.out_h * self.out_w, k=(self.in_channels // g) * self.kernel_h * self.kernel_w,
                       n=self.out_channels // g, count=g)]

    @property
    def inputs(self):
        return self.in_channels * self.in_h * self.in_w

    @property
    def outputs(self):
        return self.out_channels * self.out_h * self.out_w


@dataclass(frozen=True)
class Gemm(Layer):
    """Matrix product ``(m x k) @ (k x n)`` per sample; ``static=False`` when both operands
    are activations (no weights)."""

    m: int = 1
    k: int = 1
    n: int = 1
    count: int = 1
    static: bool = True

    kind: ClassVar[str] = "gemm"
    _int_fields: ClassVar[tuple] = ("m", "k", "n", "count")

    def gemms(self):
        return [GemmOp(self.m, self.k, self.n, self.count, bool(self.static))]

    @property
    def inputs(self):
        return self.m * self.k * self.count + (0 if self.static else self.k * self.n * self.count)

    @property
    def outputs(self):
        return self.m * self.n * self.count


@dataclass(frozen=True)
class Linear(Layer):
    """Fully connected layer ``in_features -> out_features`` applied to ``tokens`` vectors
    per sample (1 for an MLP, the sequence length for a transformer)."""

    in_features: int = 1
    out_features: int = 1
    tokens: int = 1

    kind: ClassVar[str] = "fc"
    _int_fields: ClassVar[tuple] = ("in_features", "out_features", "tokens")

    def gemms(self):
        return [GemmOp(self.tokens, self.in_features, self.out_features)]

    @property
    def inputs(self):
        return self.tokens * self.in_features

    @property
    def outputs(self):
        return self.tokens * self.out_features


_GATES = {"lstm": 4, "gru": 3, "rnn": 1}


@dataclass(frozen=True)
class Recurrent(Layer):
    """Recurrent cell (``cell`` in lstm/gru/rnn) over ``seq_len`` steps:
    ``gates * hidden_size`` outputs from ``[x_t, h_{t-1}]`` each step."""

    input_size: int = 1
    hidden_size: int = 1
    seq_len: int = 1
    cell: str = "lstm"

    kind: ClassVar[str] = "recurrent"
    _int_fields: ClassVar[tuple] = ("input_size", "hidden_size", "seq_len")

    def _validate(self):
        if self.cell not in _GATES:
            raise out_of_range("cell", self.cell, f"one of {sorted(_GATES)}", f"Recurrent '{self.name}'")

    @property
    def gates(self) -> int:
        return _GATES[self.cell]

    def gemms(self):
        return [GemmOp(1, self.input_size + self.hidden_size, self.gates * self.hidden_size, steps=self.seq_len)]

    @property
    def inputs(self):
        return self.seq_len * self.input_size

    @property
    def outputs(self):
        return self.seq_len * self.hidden_size


@dataclass(frozen=True)
class Attention(Layer):
    """Multi-head attention core: scores ``Q K^T`` and context ``softmax(.) V`` for
    ``seq_len`` tokens, ``d_model`` width, ``heads`` heads (projections are separate
    :class:`Linear` layers). Both GEMMs have activation operands only."""

    seq_len: int = 1
    d_model: int = 1
    heads: int = 1

    kind: ClassVar[str] = "attention"
    _int_fields: ClassVar[tuple] = ("seq_len", "d_model", "heads")

    def _validate(self):
        if self.d_model % self.heads:
            raise out_of_range("heads", self.heads, f"a divisor of d_model={self.d_model}", f"Attention '{self.name}'")

    def gemms(self):
        L, dh = self.seq_len, self.d_model // self.heads
        return [GemmOp(L, dh, L, count=self.heads, static=False),
                GemmOp(L, L, dh, count=self.heads, static=False)]

    @property
    def inputs(self):
        return 3 * self.seq_len * self.d_model

    @property
    def outputs(self):
        return self.seq_len * self.d_model


@dataclass(frozen=True)
class Spiking(Layer):
    """Dense spiking layer: ``n_in`` presynaptic neurons firing at ``rate`` spikes per neuron
    per time step for ``timesteps`` steps into ``n_out`` neurons (``fanout`` synapses per
    spike, default ``n_out``)."""

    n_in: int = 1
    n_out: int = 1
    timesteps: int = 1
    rate: float = 0.1
    fanout: int = 0

    kind: ClassVar[str] = "spiking"
    _int_fields: ClassVar[tuple] = ("n_in", "n_out", "timesteps")
    _nonneg_int_fields: ClassVar[tuple] = ("fanout",)

    def _validate(self):
        w = f"Spiking '{self.name}'"
        if isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or not (0 < self.rate <= 1):
            raise out_of_range("rate", self.rate, "(0, 1] spikes per neuron per step", w)
        if self.fanout == 0:
            object.__setattr__(self, "fanout", self.n_out)
        if self.fanout > self.n_out:
            raise out_of_range("fanout", self.fanout, f"[1, n_out={self.n_out}]", w)

    def gemms(self):
        return [GemmOp(self.timesteps, self.n_in, self.n_out)]

    @property
    def weights(self):
        return self.n_in * self.fanout

    @property
    def inputs(self):
        return self.n_in * self.timesteps

    @property
    def outputs(self):
        return self.n_out * self.timesteps

    @property
    def synaptic_events(self) -> float:
        return self.rate * self.n_in * self.timesteps * self.fanout


LAYER_KINDS = {"conv": Conv2d, "gemm": Gemm, "fc": Linear, "linear": Linear, "recurrent": Recurrent,
               "lstm": Recurrent, "attention": Attention, "spiking": Spiking}


@dataclass(frozen=True)
class Workload:
    """A network: ordered ``layers`` evaluated for ``batch`` samples."""

    name: str
    layers: tuple
    batch: int = 1
    description: str = ""
    source: str = ""

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise ParameterError(f"Workload '{self.name}': parameter 'layers' is empty; give at least one layer")
        for i, l in enumerate(self.layers):
            if not isinstance(l, Layer):
                raise ParameterError(f"Workload '{self.name}': layers[{i}] is a {type(l).__name__}, expected a Layer")
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or self.batch < 1:
            raise out_of_range("batch", self.batch, "integer >= 1", where=f"Workload '{self.name}'")
        names = [l.name for l in self.layers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ParameterError(f"Workload '{self.name}': duplicate layer names {dup}")

    def with_batch(self, batch: int) -> "Workload":
        return Workload(self.name, self.layers, batch, self.description, self.source)

    @property
    def macs(self) -> int:
        """MACs for the whole batch."""
        return self.batch * sum(l.macs for l in self.layers)

    @property
    def macs_per_sample(self) -> int:
        return sum(l.macs for l in self.layers)

    @property
    def weights(self) -> int:
        return sum(l.weights for l in self.layers)

    @property
    def weight_bytes(self) -> float:
        return sum(l.weight_bytes for l in self.layers)

    @property
    def activation_bytes(self) -> float:
        """Input + output activation bytes of every layer, whole batch."""
        return self.batch * sum(l.input_bytes + l.output_bytes for l in self.layers)

    @property
    def intensity(self) -> float:
        """Compulsory arithmetic intensity 2*MACs / (weight + activation bytes), ops/byte."""
        return 2 * self.macs / (self.weight_bytes + self.activation_bytes)

    def summary(self) -> dict:
        return {"name": self.name, "batch": self.batch, "layers": len(self.layers), "macs": self.macs,
                "weights": self.weights, "weight_bytes": self.weight_bytes,
                "activation_bytes": self.activation_bytes, "intensity_ops_per_B": self.intensity}

    def to_dict(self) -> dict:
        return {"name": self.name, "batch": self.batch, "description": self.description,
                "source": self.source, "layers": [l.to_dict() for l in self.layers]}


def layer_from_dict(d: dict, where: str) -> Layer:
    """Build a layer from ``{"kind": ..., "name": ..., <fields>}``; errors name the field."""
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(d).__name__}")
    if "kind" not in d:
        raise ConfigError(f"{where}: field 'kind' is missing; allowed kinds: {sorted(LAYER_KINDS)}")
    kind = d["kind"]
    if kind not in LAYER_KINDS:
        raise ConfigError(f"{where}: field 'kind' = {kind!r} is not a known layer kind; "
                          f"allowed: {sorted(LAYER_KINDS)}")
    cls = LAYER_KINDS[kind]
    known = {f.name for f in fields(cls)}
    args = {k: v for k, v in d.items() if k != "kind"}
    unknown = sorted(set(args) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {unknown} for layer kind {kind!r}; allowed: {sorted(known)}")
    if "name" not in args:
        raise ConfigError(f"{where}: field 'name' is missing")
    try:
        return cls(**args)
    except ParameterError as e:
        raise ConfigError(f"{where}: {e}") from e


def load_workload(source) -> Workload:
    """Load a workload from a YAML or JSON file (path) or an already-parsed dict.

    Format::

        name: tiny
        batch: 4
        layers:
          - {kind: conv, name: c1, in_channels: 3, out_channels: 8, in_h: 32, in_w: 32,
             kernel_h: 3, kernel_w: 3, padding: 1}
          - {kind: fc, name: f1, in_features: 8192, out_features: 10}

    Errors (:class:`ConfigError` / :class:`DataFormatError`) name the file and the field.
    """
    if isinstance(source, dict):
        data, where = source, "workload"
    else:
        path = Path(source)
        where = str(path)
        import yaml
        text = read_text(path, "workload file")
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as e:
            raise DataFormatError(f"workload file '{path}' is not valid {path.suffix or 'YAML'}: "
                                  f"{' '.join(str(e).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: top level must be a mapping with 'name' and 'layers'")
    unknown = sorted(set(data) - {"name", "batch", "layers", "description", "source"})
    if unknown:
        raise ConfigError(f"{where}: unknown top-level field(s) {unknown}; allowed: name, batch, layers, description, source")
    if "layers" not in data or not isinstance(data["layers"], list):
        raise ConfigError(f"{where}: field 'layers' is missing or not a list")
    layers = [layer_from_dict(d, f"{where}: layers[{i}]") for i, d in enumerate(data["layers"])]
    try:
        return Workload(data.get("name", Path(where).stem), layers, data.get("batch", 1),
                        data.get("description", ""), data.get("source", where))
    except ParameterError as e:
        raise ConfigError(f"{where}: {e}") from e
