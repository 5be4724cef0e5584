"""Evolutionary design-space search of a memristor PIM chip for one network: :func:`design_search`.

A *design* is one choice per parameter of ``space`` (a dict ``name -> list of values``):

- ``rows``: square crossbar size (rows = cols), also the tile the network is mapped on;
- parameters of :func:`memlab.networks.map_network` (``adc_bits``, ``weight_mapping``,
  ``weight_bits``, ``bits_per_cell``, ``dac_bits``, ``input_mode``, ``g_min``, ``g_max``,
  ``v_read``, ``adc_share``): the mapping;
- constants of :class:`PIMChip` (``tiles``, ``adc_rate`` (the read clock, Hz),
  ``imas_per_tile``, ``arrays_per_ima``, ``adcs_per_ima``, ``r_wire``, ...): the chip.
  When ``tiles`` varies and ``p_static`` does not, the chip's static power scales with its
  tile count (``p_static x tiles / preset tiles``).

Every design is mapped (one mapping per distinct set of mapping parameters) with the chip's
own array physics by default (window ``[g_off, g_on]``, ``v_read``, wire resistance
``r_wire`` on rows and columns, ADC range calibrated on ``x``) and pipelined on the chip
(:meth:`PIMChip.pipeline`); its three objectives, all minimised, come from that one mapping:
``energy_J`` (per inference, J), ``latency_s`` (one inference, s) and ``error`` (1 - accuracy
on ``x``, ``y``). The result holds every evaluated design and the Pareto front among them.

Search: ``method="nsga2"`` runs NSGA-II (pymoo, Deb et al. 2002) on integer indices into
the value lists (integer random sampling, SBX crossover and polynomial mutation with
rounding), ``population`` designs for ``generations`` generations, seeded by ``seed``
(numpy's global random state is restored afterwards); ``method="exhaustive"`` evaluates
every combination. Evaluations are cached per call, so a design the GA proposes twice is
computed once. The sweep engine (:mod:`memlab.sweep`) is not used: its point functions take
scalar parameters and store JSON rows, while here every design needs the network and the
data in memory and each generation depends on the last.
"""
from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass, field

import numpy as np

from memlab._table import to_csv, to_markdown, to_text
from memlab._validate import positive_int, real
from memlab.errors import ConfigError

__all__ = ["design_search", "DesignSearchResult", "DESIGN_OBJECTIVES"]

#: objectives of every design, all minimised: energy per inference (J), latency (s), 1 - accuracy
DESIGN_OBJECTIVES = ("energy_J", "latency_s", "error")


@dataclass
class DesignSearchResult:
    """Designs of a :func:`design_search` (SI units): ``evaluated`` (one dict per distinct
    design: its parameters, :data:`DESIGN_OBJECTIVES`, accuracy, throughput, tiles used, whether
    the network fits) and ``front`` (the non-dominated ones, sorted by energy)."""

    space: dict
    evaluated: list
    front: list
    method: str
    seed: int | None
    network: str
    columns: list = field(default_factory=list)

    @property
    def n_evaluations(self) -> int:
        return len(self.evaluated)

    def table(self, front_only: bool = True) -> list[dict]:
        """The front (or every evaluated design) as table rows."""
        return [dict(r) for r in (self.front if front_only else self.evaluated)]

    def to_text(self, front_only: bool = True) -> str:
        return to_text(self.table(front_only), self.columns)

    def to_markdown(self, front_only: bool = True) -> str:
        return to_markdown(self.table(front_only), self.columns)

    def to_csv(self, front_only: bool = True) -> str:
        return to_csv(self.table(front_only), self.columns)

    def __str__(self):
        return (f"design search ({self.method}) for '{self.network}': {self.n_evaluations} designs, "
                f"{len(self.front)} on the Pareto front\n" + self.to_text())

    def plot(self, ax=None):
        """Latency (s) against energy per inference (J), log-log, every design coloured by its
        accuracy; the Pareto front (energy, latency, accuracy) drawn larger with a black edge,
        each point numbered by its row in :meth:`table`. Returns the axes."""
        if ax is None:
            import matplotlib.pyplot as plt
            _fig, ax = plt.subplots(figsize=(7.5, 5.0))
        lat = np.array([r["latency_s"] for r in self.evaluated])
        en = np.array([r["energy_J"] for r in self.evaluated])
        acc = np.array([r["accuracy"] for r in self.evaluated])
        sc = ax.scatter(lat, en, c=acc, cmap="viridis", s=18, alpha=0.6, label="evaluated designs")
        fl = np.array([r["latency_s"] for r in self.front])
        fe = np.array([r["energy_J"] for r in self.front])
        fa = np.array([r["accuracy"] for r in self.front])
        ax.scatter(fl, fe, c=fa, cmap="viridis", vmin=acc.min(), vmax=acc.max(), s=70, edgecolors="black",
                   linewidths=1.2, label="Pareto front")
        seen: dict = {}
        for i, r in enumerate(self.front):           # number = row of the front table (1-based)
            pos = (r["latency_s"], r["energy_J"])
            k = seen[pos] = seen.get(pos, -1) + 1
            ax.annotate(str(i + 1), pos, fontsize=7, xytext=(6 + 8 * k, 4), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("latency of one inference (s)")
        ax.set_ylabel("energy per inference (J)")
        ax.set_title(f"PIM design search ({self.method}): {self.network}; numbers = rows of the front table",
                     fontsize=9)
        ax.figure.colorbar(sc, ax=ax, label="accuracy (1)")
        ax.legend(fontsize=7, loc="upper right")
        ax.grid(True, which="both", alpha=0.3)
        return ax


def _map_params():
    from memlab.networks import map_network
    return set(inspect.signature(map_network).parameters) - {"net", "tile", "calibration", "seed"}


def _classify(space, chip_required):
    if not isinstance(space, dict) or not space:
        raise ConfigError(f"parameter 'space' = {space!r:.80} must be a non-empty dict name -> list of values")
    map_keys = _map_params()
    kinds = {}
    for k, vals in space.items():
        if not isinstance(vals, (list, tuple)) or len(vals) == 0:
            raise ConfigError(f"parameter 'space' entry '{k}' = {vals!r:.60} must be a non-empty list of values")
        if len(set(map(repr, vals))) != len(vals):
            raise ConfigError(f"parameter 'space' entry '{k}' = {vals!r:.60} repeats a value")
        if k == "rows":
            kinds[k] = "tile"
        elif k in map_keys:
            kinds[k] = "map"
        elif k in chip_required:
            kinds[k] = "chip"
        else:
            raise ConfigError(f"parameter 'space' has an unknown entry '{k}': give 'rows', a map_network parameter "
                              f"({sorted(map_keys)}) or a PIMChip constant ({sorted(chip_required)})")
    return kinds


def _pareto_mask(F):
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
    idx = NonDominatedSorting().do(np.asarray(F, dtype=float), only_non_dominated_front=True)
    mask = np.zeros(len(F), dtype=bool)
    mask[np.asarray(idx, dtype=int)] = True
    return mask


def design_search(network, x, y, *, space: dict, chip="ISAAC", map_kwargs: dict | None = None,
                  method: str = "nsga2", population: int = 16, generations: int = 10, seed: int | None = 0,
                  batch: int = 1, energy_samples: int = 4) -> DesignSearchResult:
    """Search ``space`` for the energy-latency-accuracy Pareto front of ``network`` (see the
    module docstring). ``network``: a :class:`memlab.networks.Network` or a
    :class:`~memlab.networks.MappedNetwork` (its network is re-mapped per design); ``x``,
    ``y``: inputs and integer labels for the accuracy; ``chip``: preset name of a PIM chip;
    ``map_kwargs``: fixed :func:`~memlab.networks.map_network` parameters (override the
    chip-physics defaults); ``batch``: inferences per reprogramming (:meth:`PIMChip.pipeline`)."""
    from memlab.networks import MappedNetwork, Network, map_network

    from ._chips import make_chip
    from ._pim import PIMChip
    from ._pim_mapped import network_report

    if isinstance(network, MappedNetwork):
        network = network.network
    if not isinstance(network, Network):
        raise ConfigError(f"parameter 'network' must be a memlab.networks Network or MappedNetwork, got "
                          f"{type(network).__name__}")
    if method not in ("nsga2", "exhaustive"):
        raise ConfigError(f"parameter 'method' = {method!r} must be 'nsga2' or 'exhaustive'")
    if y is None:
        raise ConfigError("parameter 'y' = None: design_search needs integer labels of x for the accuracy objective")
    population, generations = positive_int(population, "population"), positive_int(generations, "generations")
    if seed is not None:
        seed = int(real(seed, "seed", lo=0, integer=True))
    base = make_chip(chip)
    if not isinstance(base, PIMChip):
        raise ConfigError(f"parameter 'chip' = {chip!r} is not a PIM chip preset (model '{base.MODEL}')")
    kinds = _classify(space, PIMChip.REQUIRED)
    names = list(space)
    x = np.asarray(x, dtype=np.float64)
    bv = base.v
    fixed_map = dict(g_min=bv["g_off"], g_max=bv["g_on"], v_read=bv["v_read"], r_row=bv["r_wire"],
                     r_col=bv["r_wire"], adc_range="calibrated")
    fixed_map.update(map_kwargs or {})
    mappings, cache = {}, {}

    def evaluate(choice: tuple) -> dict:
        if choice in cache:
            return cache[choice]
        params = dict(zip(names, choice))
        m_kw = dict(fixed_map, **{k: v for k, v in params.items() if kinds[k] == "map"})
        c_kw = {k: v for k, v in params.items() if kinds[k] == "chip"}
        rows = params.get("rows", bv["rows"])
        c_kw.update(rows=rows, cols=rows)
        if "tiles" in c_kw and "p_static" not in c_kw:
            c_kw["p_static"] = bv["p_static"] * c_kw["tiles"] / bv["tiles"]
        mkey = (rows, tuple(sorted((k, repr(v)) for k, v in m_kw.items())))
        if mkey not in mappings:
            m = map_network(network, tile=(rows, rows), calibration=x, **m_kw)
            mappings[mkey] = (m, network_report(m, x, y, energy_samples=energy_samples))
        m, rep = mappings[mkey]
        res = make_chip(chip, **c_kw).pipeline(m, x, y, batch=batch, energy_samples=energy_samples, report=rep)
        row = dict(params, energy_J=res.energy_per_inference_J, latency_s=res.latency_s,
                   error=1.0 - res.accuracy, accuracy=res.accuracy, throughput_per_s=res.throughput_per_s,
                   fits=res.fits, tiles_used=len(m.tiles))
        cache[choice] = row
        return row

    if method == "exhaustive":
        for choice in itertools.product(*(space[k] for k in names)):
            evaluate(tuple(choice))
    else:
        _nsga2(space, names, evaluate, population, generations, seed)
    evaluated = list(cache.values())
    F = [[r[o] for o in DESIGN_OBJECTIVES] for r in evaluated]
    mask = _pareto_mask(F)
    front = sorted((r for r, keep in zip(evaluated, mask) if keep), key=lambda r: (r["energy_J"], r["latency_s"]))
    cols = names + list(DESIGN_OBJECTIVES) + ["accuracy", "throughput_per_s", "fits", "tiles_used"]
    return DesignSearchResult(dict(space), evaluated, front, method, seed, network.name, cols)


def _nsga2(space, names, evaluate, population, generations, seed):
    """NSGA-II over integer indices into the value lists; numpy's global state is restored."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    from pymoo.optimize import minimize

    upper = np.array([len(space[k]) - 1 for k in names], dtype=float)

    class _Designs(Problem):
        def __init__(self):
            super().__init__(n_var=len(names), n_obj=len(DESIGN_OBJECTIVES), xl=np.zeros(len(names)), xu=upper, vtype=int)

        def _evaluate(self, X, out, *args, **kwargs):
            rows = [evaluate(tuple(space[k][int(round(i))] for k, i in zip(names, xi))) for xi in X]
            out["F"] = np.array([[r[o] for o in DESIGN_OBJECTIVES] for r in rows], dtype=float)

    algo = NSGA2(pop_size=population, sampling=IntegerRandomSampling(),
                 crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
                 mutation=PM(eta=20, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    state = np.random.get_state()
    try:
        minimize(_Designs(), algo, ("n_gen", generations), seed=seed, verbose=False)
    finally:
        np.random.set_state(state)
