"""Results of ``HardwareModel.evaluate``: per-layer and whole-workload figures (SI units)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["COMPONENTS", "KINDS", "LayerResult", "Report"]

#: energy components every report carries (J); absent ones are 0. ``write``: reprogramming
#: an array (memristor cell-write pulses), kept apart from the ``compute`` of reading it
COMPONENTS = ("compute", "onchip", "dram", "adc", "dac", "interconnect", "write", "static")

#: what a report's figures are (see :class:`Report`)
KINDS = ("bound", "calibrated", "predicted")


@dataclass
class LayerResult:
    """One layer on one chip.

    ``latency_s`` = ``overhead_s`` + max of the per-resource times in ``times_s`` (s): the
    resources overlap, the overhead (kernel launch, framework) is serial; ``bound`` names
    the largest (``compute``, ``memory:<level>``, ``power`` (the TDP cap), ``adc``,
    ``array``, ``spikes``, ``neuron``, ``sync``, ``digital``) or ``overhead`` when the
    overhead alone is longer; ``energy_J`` maps each of :data:`COMPONENTS` to joules;
    ``utilisation`` = useful MACs / (peak MAC rate x latency).
    """

    name: str
    kind: str
    macs: float
    dram_bytes: float
    onchip_bytes: float
    times_s: dict
    latency_s: float
    bound: str
    energy_J: dict
    utilisation: float
    extra: dict = field(default_factory=dict)
    overhead_s: float = 0.0

    @property
    def ops(self) -> float:
        return 2.0 * self.macs

    @property
    def energy_total_J(self) -> float:
        return float(sum(self.energy_J.values()))

    @property
    def intensity(self) -> float:
        """Operations per DRAM byte (inf when the layer needs no DRAM traffic)."""
        return self.ops / self.dram_bytes if self.dram_bytes > 0 else float("inf")

    @property
    def achieved_ops_per_s(self) -> float:
        return self.ops / self.latency_s if self.latency_s > 0 else 0.0


@dataclass
class Report:
    """A workload on a chip: ``layers`` (list of :class:`LayerResult`) and totals.

    Layers run one after the other (latency adds up); ``peak_ops_per_s`` and
    ``dram_bw_Bps`` are the chip's roofline numbers for the dominant data type.

    ``kind`` says what the figures are: ``"bound"`` (an optimistic limit, e.g. a roofline),
    ``"calibrated"`` (constants fitted to the measurements named in ``calibration``) or
    ``"predicted"`` (a model evaluated on a case it was not calibrated on);
    ``validation_error`` maps a named published measurement to the model's relative error
    against it (1), when one is known for this chip and workload.
    """

    chip: str
    chip_kind: str
    workload: str
    batch: int
    layers: list
    peak_ops_per_s: float
    dram_bw_Bps: float
    area_mm2: float | None = None
    notes: list = field(default_factory=list)
    kind: str = "bound"
    calibration: tuple = ()
    validation_error: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            from memlab.errors import ConfigError
            raise ConfigError(f"Report kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def latency_s(self) -> float:
        return float(sum(l.latency_s for l in self.layers))

    @property
    def macs(self) -> float:
        return float(sum(l.macs for l in self.layers))

    @property
    def energy_J(self) -> dict:
        """Energy by component, whole workload (J)."""
        return {c: float(sum(l.energy_J.get(c, 0.0) for l in self.layers)) for c in COMPONENTS}

    @property
    def energy_total_J(self) -> float:
        return float(sum(self.energy_J.values()))

    @property
    def throughput_ops_per_s(self) -> float:
        """Operations (2 per MAC) per second over the whole workload (op/s)."""
        return 2 * self.macs / self.latency_s

    @property
    def inferences_per_s(self) -> float:
        """Inferences per second: batch / latency (1/s)."""
        return self.batch / self.latency_s

    @property
    def energy_per_inference_J(self) -> float:
        """Total energy per inference of the batch (J)."""
        return self.energy_total_J / self.batch

    @property
    def dynamic_energy_per_inference_J(self) -> float:
        """Energy per inference above the static (idle) power: (total - static) / batch (J)."""
        return (self.energy_total_J - self.energy_J.get("static", 0.0)) / self.batch

    @property
    def ops_per_J(self) -> float:
        """Energy efficiency: operations per joule (op/J)."""
        return 2 * self.macs / self.energy_total_J

    @property
    def average_power_W(self) -> float:
        """Mean power over the workload: energy / latency (W)."""
        return self.energy_total_J / self.latency_s

    @property
    def utilisation(self) -> float:
        """Achieved / peak operation rate (1)."""
        return self.throughput_ops_per_s / self.peak_ops_per_s

    @property
    def bound_share(self) -> dict:
        """Fraction of total latency spent in layers bound by each resource."""
        tot = self.latency_s
        out: dict = {}
        for l in self.layers:
            out[l.bound] = out.get(l.bound, 0.0) + l.latency_s / tot
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    @property
    def dominant_bound(self) -> str:
        return next(iter(self.bound_share))

    def summary(self) -> dict:
        """One flat row for comparison tables (SI units)."""
        row = {"chip": self.chip, "kind": self.chip_kind, "estimate": self.kind,
               "workload": self.workload, "batch": self.batch,
               "latency_s": self.latency_s, "energy_J": self.energy_total_J,
               "energy_per_inference_J": self.energy_per_inference_J,
               "throughput_ops_per_s": self.throughput_ops_per_s, "inferences_per_s": self.inferences_per_s,
               "ops_per_J": self.ops_per_J, "average_power_W": self.average_power_W,
               "utilisation": self.utilisation, "bound": self.dominant_bound,
               "area_mm2": self.area_mm2 if self.area_mm2 is not None else float("nan"),
               "validation_error": (max(self.validation_error.values(), key=abs) if self.validation_error
                                    else float("nan"))}
        for c, e in self.energy_J.items():
            row[f"E_{c}_J"] = e
        return row

    def layer_table(self) -> list[dict]:
        return [{"layer": l.name, "kind": l.kind, "macs": l.macs, "latency_s": l.latency_s, "bound": l.bound,
                 "energy_J": l.energy_total_J, "intensity_ops_per_B": l.intensity,
                 "utilisation": l.utilisation, **{f"E_{c}_J": l.energy_J.get(c, 0.0) for c in COMPONENTS}}
                for l in self.layers]
