"""Power-capped multicore ("dark silicon"), after Esmaeilzadeh et al., ISCA 2011.

A chip of fixed area ``area_budget_mm2`` and power ``tdp_W`` is filled with copies of one
core. From the 45 nm reference core (``core_area_45_mm2``, ``core_power_45_W``), a node
scales the core area by ``area_factor[node]`` (area halves per node) and its power by the
published per-device power factor ``power_factor[node]`` (ITRS or conservative, Lumos-
style tables in docs/notes/hardware.md §2-3)::

    N_area   = floor(area_budget / (A_45 * area_factor))
    P_core   = P_45 * power_factor
    n_active = min(N_area, floor((tdp - p_uncore) / P_core))
    dark     = 1 - n_active / N_area
    speedup  = Amdahl over n_active cores x per-core frequency factor, relative to 45 nm

Only ``dynamic`` scaling is tabulated; leakage is inside the per-device factor.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from memlab.errors import ParameterError, out_of_range

from ._params import Preset, Spec, resolve

__all__ = ["DarkSiliconModel", "NODES_NM", "DarkSiliconResult"]

NODES_NM = (45, 32, 22, 16, 11, 8)


@dataclass(frozen=True)
class DarkSiliconResult:
    node_nm: int
    n_area: int
    n_active: int
    dark_fraction: float
    core_power_W: float
    chip_power_W: float
    speedup: float


class DarkSiliconModel:
    """``DarkSiliconModel(preset, **overrides).at(node_nm)`` / ``.sweep()``."""

    MODEL = "darksilicon"
    REQUIRED = {
        "area_budget_mm2": Spec("mm^2"), "tdp_W": Spec("W"), "p_uncore_W": Spec("W", lo=0.0, lo_open=False),
        "core_area_45_mm2": Spec("mm^2"), "core_power_45_W": Spec("W"),
        "parallel_fraction": Spec("1", lo=0.0, hi=1.0, lo_open=False),
        "scaling": Spec("", kind="choice", choices=("itrs", "conservative")),
    }
    TABLES = ("area_factor", "power_factor_itrs", "power_factor_conservative", "freq_factor_itrs")

    def __init__(self, preset: Preset, **overrides):
        self.v, self.preset = resolve(preset, self.REQUIRED, overrides, self.MODEL)
        self.name = self.preset.name
        for t in self.TABLES:
            if t not in self.preset:
                from memlab.errors import ConfigError
                raise ConfigError(f"preset '{self.name}' for the darksilicon model is missing constant '{t}'")
            tab = self.preset[t]
            if set(tab) != set(NODES_NM) or not all(x > 0 for x in tab.values()):
                raise out_of_range(t, tab, f"a positive factor for each node {list(NODES_NM)}", f"preset '{self.name}'")
        self.tables = {t: dict(self.preset[t]) for t in self.TABLES}

    def at(self, node_nm: int) -> DarkSiliconResult:
        """Figures at one technology node (nm)."""
        if node_nm not in NODES_NM:
            raise out_of_range("node_nm", node_nm, f"one of {list(NODES_NM)}", f"DarkSiliconModel '{self.name}'")
        v = self.v
        pf = self.tables[f"power_factor_{v['scaling']}"][node_nm]
        ff = self.tables["freq_factor_itrs"][node_nm] if v["scaling"] == "itrs" else 1.0
        a_core = v["core_area_45_mm2"] * self.tables["area_factor"][node_nm]
        n_area = math.floor(v["area_budget_mm2"] / a_core)
        if n_area < 1:
            raise ParameterError(f"DarkSiliconModel '{self.name}': one core ({a_core} mm^2) does not fit "
                                 f"'area_budget_mm2' = {v['area_budget_mm2']}")
        p_core = v["core_power_45_W"] * pf
        n_power = math.floor(max(0.0, v["tdp_W"] - v["p_uncore_W"]) / p_core)
        n_act = min(n_area, n_power)
        f = v["parallel_fraction"]

        def amdahl(n, freq):
            return 0.0 if n == 0 else freq / ((1 - f) + f / n)

        ref = self.at(45) if node_nm != 45 else None
        s = amdahl(n_act, ff)
        s_ref = amdahl(ref.n_active, 1.0) if ref else s
        return DarkSiliconResult(node_nm, n_area, n_act, 1 - n_act / n_area, p_core,
                                 n_act * p_core + v["p_uncore_W"], s / s_ref if s_ref else float("nan"))

    def sweep(self) -> list[DarkSiliconResult]:
        return [self.at(n) for n in NODES_NM]
