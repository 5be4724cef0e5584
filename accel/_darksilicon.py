"""Power- and area-capped multicore ("dark silicon"), after Esmaeilzadeh, Blem, St. Amant,
Sankaralingam & Burger, "Dark Silicon and the End of Multicore Scaling", ISCA 2011 (and the
ACM TOCS 2012 version).

Three models are combined, as in the paper:

* **device scaling** (M-Device): from 45 nm to ``node_nm`` a core's area scales by
  ``area_factor[node]`` (halves per node), its frequency (hence performance) by
  ``freq_factor_<scaling>[node]`` and its power by ``power_factor_<scaling>[node]``;
  ``scaling`` is ``"itrs"`` or ``"conservative"`` (the paper's two projections);
* **core scaling** (M-Core): the 45 nm Pareto frontiers of core power and area against
  single-thread performance ``q`` (SPECmark), ``P(q) = sum_i p_i q^i`` (W) and
  ``A(q) = sum_i a_i q^i`` (mm^2), fitted by the paper to measured 45 nm processors;
* **multicore scaling** (M-CMP, the Amdahl / Hill-Marty form of CmpM): a chip of area
  ``area_budget_mm2`` and power ``tdp_W`` runs a workload whose parallel fraction is ``f``.

Topologies (CPU-like; q_L a large core, q_S a small one, perf = q * freq_factor)::

    symmetric : N = floor(min(A_b / A(q), P_b / P(q)))
                t = (1-f)/perf(q) + f/(N perf(q))
    asymmetric: N = floor(min((A_b - A(q_L)) / A(q_S), (P_b - P(q_L)) / P(q_S)))
                t = (1-f)/perf(q_L) + f/(perf(q_L) + N perf(q_S))
    dynamic   : N = floor(min((A_b - A(q_L)) / A(q_S), P_b / P(q_S)))   (the large core is
                off while the small ones run): t = (1-f)/perf(q_L) + f/(N perf(q_S))

``P_b = tdp_W - p_uncore_W``. Off-chip bandwidth caps the parallel phase (CmpM_U's memory
bound, reduced to one number): the parallel throughput is at most ``bandwidth_roof`` x the
baseline chip's (``baseline_cores`` x q_base), the same at every node. The design (q, or q_L
and q_S, on a grid of ``q_points`` values in [q_min, q_max]) with the largest speedup
``1/t`` is kept; the speedup is relative to the baseline: ``baseline_cores`` identical 45 nm
cores filling the area budget (the paper's quad-core reference). The dark fraction is the
share of the built core area that cannot be powered: ``1 - powered area / built area``
(built = as many cores as the area allows).
Composed (fused) and GPU-like organisations and the paper's detailed CmpM_U
(caches, per-benchmark memory traffic) are not modelled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from memlab.errors import ConfigError, ParameterError, out_of_range

from ._params import Preset, Spec, resolve

__all__ = ["DarkSiliconModel", "NODES_NM", "DarkSiliconResult", "TOPOLOGIES"]

NODES_NM = (45, 32, 22, 16, 11, 8)
TOPOLOGIES = ("symmetric", "asymmetric", "dynamic")


@dataclass(frozen=True)
class DarkSiliconResult:
    """The best design at one node: ``q_large``/``q_small`` are 45 nm-equivalent SPECmark
    performances (equal for a symmetric chip), ``n_small`` the small cores (all the cores of
    a symmetric chip), ``n_area`` the cores the area allows, ``n_active`` those powered,
    powers in W, ``speedup`` relative to the 45 nm baseline (1)."""

    node_nm: int
    topology: str
    q_large: float
    q_small: float
    n_small: int
    n_area: int
    n_active: int
    dark_fraction: float
    core_power_W: float
    chip_power_W: float
    speedup: float
    kind: str = "predicted"     # "calibrated" only at the preset's calibration point


def _poly(coeffs, q):
    """sum_i c_i q^i with ``coeffs`` lowest order first."""
    return sum(c * q ** i for i, c in enumerate(coeffs))


class DarkSiliconModel:
    """``DarkSiliconModel(preset, **overrides).at(node_nm)`` / ``.sweep()`` / ``.speedup(node_nm)``."""

    MODEL = "darksilicon"
    #: the model as a whole holds one fitted constant (``bandwidth_roof``), so it is labelled
    #: calibrated; each result says whether it IS the calibration point or a prediction
    KIND = "calibrated"
    #: (node_nm, scaling, topology) whose published speedup (7.9x, ISCA'11 abstract) the
    #: preset's ``bandwidth_roof`` was fitted to; every other result is a prediction
    CALIBRATION = (8, "itrs", "symmetric")
    #: overriding any of these moves the model away from its calibration
    _CAL_INPUTS = frozenset({"bandwidth_roof", "parallel_fraction", "area_budget_mm2", "tdp_W", "p_uncore_W",
                             "baseline_cores", "pareto_power_W", "pareto_area_mm2"})
    REQUIRED = {
        "area_budget_mm2": Spec("mm^2"), "tdp_W": Spec("W"), "p_uncore_W": Spec("W", lo=0.0, lo_open=False),
        "parallel_fraction": Spec("1", lo=0.0, hi=1.0, lo_open=False),
        "scaling": Spec("", kind="choice", choices=("itrs", "conservative")),
        "topology": Spec("", kind="choice", choices=TOPOLOGIES + ("best",)),
        "baseline_cores": Spec("1", kind="int"), "bandwidth_roof": Spec("1"),
        "q_min": Spec("SPECmark"), "q_max": Spec("SPECmark"), "q_points": Spec("1", lo=2, lo_open=False, kind="int"),
    }
    TABLES = ("area_factor", "power_factor_itrs", "power_factor_conservative", "freq_factor_itrs",
              "freq_factor_conservative")
    FRONTIERS = ("pareto_power_W", "pareto_area_mm2")

    def __init__(self, preset: Preset, **overrides):
        self.v, self.preset = resolve(preset, self.REQUIRED, overrides, self.MODEL)
        self._recalibrated = bool(self._CAL_INPUTS & set(overrides))
        self.name = self.preset.name
        where = f"preset '{self.name}'"
        for t in self.TABLES + self.FRONTIERS:
            if t not in self.preset:
                raise ConfigError(f"{where} for the darksilicon model is missing constant '{t}'")
        for t in self.TABLES:
            tab = self.preset[t]
            if not isinstance(tab, dict) or set(tab) != set(NODES_NM) or not all(
                    isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in tab.values()):
                raise out_of_range(t, tab, f"a positive factor for each node {list(NODES_NM)}", where)
        for t in self.FRONTIERS:
            c = self.preset[t]
            if not isinstance(c, (tuple, list)) or not c or not all(
                    isinstance(x, (int, float)) and math.isfinite(x) for x in c):
                raise out_of_range(t, c, "a tuple of finite polynomial coefficients, lowest order first", where)
        if self.v["q_max"] <= self.v["q_min"]:
            raise out_of_range("q_max", self.v["q_max"], f"> q_min = {self.v['q_min']}", where)
        self.tables = {t: dict(self.preset[t]) for t in self.TABLES}
        self.q = np.linspace(self.v["q_min"], self.v["q_max"], int(self.v["q_points"]))
        self.power45 = _poly(self.preset["pareto_power_W"], self.q)
        self.area45 = _poly(self.preset["pareto_area_mm2"], self.q)
        if not (np.all(self.power45 > 0) and np.all(self.area45 > 0)):
            raise out_of_range("q_min", self.v["q_min"], "a range where both Pareto frontiers are positive", where)
        self.q_base = self._baseline_q()

    def __repr__(self):
        return f"DarkSiliconModel({self.name!r})"

    # ------------------------------------------------------------------ baseline
    def _baseline_q(self) -> float:
        """45 nm performance of the baseline core: ``baseline_cores`` x A(q) = area budget."""
        target = self.v["area_budget_mm2"] / self.v["baseline_cores"]
        a = self.area45
        if not (a[0] <= target <= a[-1]):
            raise ParameterError(f"DarkSiliconModel '{self.name}': a baseline core of {target:.4g} mm^2 "
                                 f"('area_budget_mm2' / 'baseline_cores') is outside the frontier's area range "
                                 f"[{a[0]:.4g}, {a[-1]:.4g}] mm^2 over q in [q_min, q_max]")
        fine = np.linspace(self.q[0], self.q[-1], 20001)
        return float(fine[np.argmin(np.abs(_poly(self.preset["pareto_area_mm2"], fine) - target))])

    def _amdahl_baseline(self) -> float:
        f, n = self.v["parallel_fraction"], self.v["baseline_cores"]
        return 1.0 / ((1 - f) / self.q_base + f / (n * self.q_base))

    # ------------------------------------------------------------------ search
    def _scaled(self, node_nm):
        sc = self.v["scaling"]
        return (self.q * self.tables[f"freq_factor_{sc}"][node_nm], self.area45 * self.tables["area_factor"][node_nm],
                self.power45 * self.tables[f"power_factor_{sc}"][node_nm])

    def _design(self, node_nm, topology):
        v, f = self.v, self.v["parallel_fraction"]
        perf, area, power = self._scaled(node_nm)
        roof = v["bandwidth_roof"] * v["baseline_cores"] * self.q_base
        ab, pb = v["area_budget_mm2"], v["tdp_W"] - v["p_uncore_W"]
        if pb <= 0:
            raise out_of_range("p_uncore_W", v["p_uncore_W"], f"< tdp_W = {v['tdp_W']}", f"preset '{self.name}'")
        if topology == "symmetric":
            n_area = np.floor(ab / area)
            n = np.minimum(n_area, np.floor(pb / power))
            with np.errstate(divide="ignore"):
                t = np.where(n >= 1, (1 - f) / perf + f / np.minimum(np.maximum(n, 1) * perf, roof), np.inf)
            i = int(np.argmin(t))
            if not np.isfinite(t[i]):
                return None
            return (t[i], i, i, int(n[i]), int(n_area[i]), int(n[i]), power[i], n[i] * power[i], n[i] / n_area[i])
        # large core index along axis 0, small along axis 1
        aL, pL, sL = area[:, None], power[:, None], perf[:, None]
        aS, pS, sS = area[None, :], power[None, :], perf[None, :]
        n_area = np.floor((ab - aL) / aS)
        if topology == "asymmetric":
            n = np.minimum(n_area, np.floor((pb - pL) / pS))
            par = sL + np.maximum(n, 0) * sS
            ok = (n >= 0) & (aL <= ab) & (pL <= pb)
        else:  # dynamic
            n = np.minimum(n_area, np.floor(pb / pS))
            par = np.maximum(n, 1) * sS
            ok = (n >= 1) & (aL <= ab) & (pL <= pb)
        ok &= np.arange(len(self.q))[None, :] < np.arange(len(self.q))[:, None]    # q_S < q_L
        t = np.where(ok, (1 - f) / sL + f / np.minimum(par, roof), np.inf)
        i, j = np.unravel_index(int(np.argmin(t)), t.shape)
        if not np.isfinite(t[i, j]):
            return None
        nn, na = int(n[i, j]), int(n_area[i, j])
        if topology == "asymmetric":
            powered, built = area[i] + nn * area[j], area[i] + na * area[j]
            chip_p = power[i] + nn * power[j]
        else:  # the large core is dark while the small ones run
            powered, built = nn * area[j], area[i] + na * area[j]
            chip_p = nn * power[j]
        return (t[i, j], i, j, nn, na + 1, nn + (topology == "asymmetric"), power[j], chip_p, powered / built)

    def at(self, node_nm: int) -> DarkSiliconResult:
        """The best design of the preset's topology at one technology node (nm)."""
        if node_nm not in NODES_NM:
            raise out_of_range("node_nm", node_nm, f"one of {list(NODES_NM)}", f"DarkSiliconModel '{self.name}'")
        topo = self.v["topology"]
        cands = [(self._design(node_nm, t), t) for t in (TOPOLOGIES if topo == "best" else (topo,))]
        cands = [(d, t) for d, t in cands if d is not None]
        if not cands:
            raise ParameterError(f"DarkSiliconModel '{self.name}': no core of the frontier fits "
                                 f"'area_budget_mm2' = {self.v['area_budget_mm2']} and 'tdp_W' = {self.v['tdp_W']} "
                                 f"at {node_nm} nm")
        (t, i, j, n, n_area, n_act, p_core, p_chip, lit), topo_used = min(cands, key=lambda c: c[0][0])
        cal = (not self._recalibrated and (node_nm, self.v["scaling"], topo) == self.CALIBRATION)
        return DarkSiliconResult(node_nm, topo_used, float(self.q[i]), float(self.q[j]), n, n_area, n_act,
                                 float(1.0 - lit), float(p_core), float(p_chip + self.v["p_uncore_W"]),
                                 float(1.0 / t / self._amdahl_baseline()), "calibrated" if cal else "predicted")

    def speedup(self, node_nm: int) -> float:
        """Best speedup at ``node_nm`` over the 45 nm baseline (1)."""
        return self.at(node_nm).speedup

    def sweep(self) -> list[DarkSiliconResult]:
        return [self.at(n) for n in NODES_NM]

    def table(self) -> list[dict]:
        """One row per node (for :mod:`memlab._table`), with the estimate kind of each row
        ("calibrated" at the calibration point, "predicted" elsewhere)."""
        return [{"node_nm": r.node_nm, "topology": r.topology, "q_large": r.q_large, "q_small": r.q_small,
                 "cores_built": r.n_area, "cores_lit": r.n_active, "dark_fraction": r.dark_fraction,
                 "chip_power_W": r.chip_power_W, "speedup": r.speedup, "estimate": r.kind}
                for r in self.sweep()]
