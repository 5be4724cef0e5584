"""Common interface of the hardware models: ``Model(preset, **overrides).evaluate(workload)``."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ._params import Preset, resolve
from ._report import COMPONENTS, LayerResult, Report
from ._workload import Layer, Workload

__all__ = ["HardwareModel", "energy_dict"]


def energy_dict(**parts) -> dict:
    """Energy by component with every :data:`COMPONENTS` key present (J)."""
    d = {c: 0.0 for c in COMPONENTS}
    for k, v in parts.items():
        d[k] = d.get(k, 0.0) + float(v)
    return d


class HardwareModel(ABC):
    """Base class: validates the preset against ``REQUIRED`` and evaluates layer by layer.

    Subclasses give ``MODEL`` (the preset model kind), ``REQUIRED`` (constant specs) and
    ``_layer(layer, batch, first, last) -> LayerResult``; they may override ``_setup``.
    Constants are read from ``self.v`` (validated SI values); ``self.preset`` keeps provenance.
    """

    MODEL: ClassVar[str] = ""
    REQUIRED: ClassVar[dict] = {}
    #: what this model's figures are (:data:`KINDS`); a model that is only a limit says "bound"
    KIND: ClassVar[str] = "bound"
    #: the published measurements its constants were fitted to (names), if any
    CALIBRATION: ClassVar[tuple] = ()
    #: other preset models this class accepts (a GPU preset also holds every roofline constant)
    ACCEPTS: ClassVar[tuple] = ()

    def __init__(self, preset: Preset, **overrides):
        from memlab.errors import ConfigError
        if getattr(preset, "model", self.MODEL) not in (self.MODEL, *self.ACCEPTS):
            raise ConfigError(f"preset '{preset.name}' is for the '{preset.model}' model, "
                              f"not '{self.MODEL}' ({type(self).__name__})")
        self.v, self.preset = resolve(preset, self.REQUIRED, overrides, self.MODEL)
        self.name = self.preset.name
        self.chip_kind = self.preset.chip_kind or self.MODEL
        self.calibration = tuple(self.CALIBRATION)
        self._setup()

    def _setup(self):
        pass

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"

    # --- roofline numbers (used by reports and plots) ---
    @abstractmethod
    def peak_ops_per_s(self, dtype: str = "int8") -> float:
        """Peak operations per second (2 per MAC) for ``dtype``."""

    @abstractmethod
    def dram_bw_Bps(self) -> float:
        """Off-chip bandwidth (B/s)."""

    def area_mm2(self) -> float | None:
        return self.v.get("area_mm2")

    @abstractmethod
    def _layer(self, layer: Layer, batch: int, first: bool, last: bool) -> LayerResult:
        ...

    def evaluate(self, workload, batch: int | None = None) -> Report:
        """Evaluate ``workload`` (Workload, zoo name or YAML/JSON path) -> :class:`Report`."""
        from ._zoo import get_workload
        wl: Workload = get_workload(workload, batch)
        n = len(wl.layers)
        layers = [self._layer(l, wl.batch, i == 0, i == n - 1) for i, l in enumerate(wl.layers)]
        dt = max((l.dtype for l in wl.layers), key=lambda d: {"int8": 0, "fp16": 1, "fp32": 2}[d])
        rep = Report(self.name, self.chip_kind, wl.name, wl.batch, layers, self.peak_ops_per_s(dt),
                     self.dram_bw_Bps(), self.area_mm2(), kind=self.report_kind(wl), calibration=self.calibration)
        from ._measurements import measurements_for, relative_error
        for m in measurements_for(chip=self.name, workload=wl.name, batch=wl.batch):
            rep.validation_error[m.name] = relative_error(rep, m)
        return rep

    def report_kind(self, wl: Workload) -> str:
        """``KIND`` for a bound; for a calibrated model "calibrated" on one of its calibration
        points (chip, workload, batch) and "predicted" everywhere else."""
        if self.KIND == "bound":
            return "bound"
        from ._measurements import MEASUREMENTS
        points = {(m.chip, m.workload, m.batch) for m in MEASUREMENTS if m.name in self.calibration}
        return "calibrated" if (self.name, wl.name, wl.batch) in points else "predicted"
