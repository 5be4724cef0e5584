"""What to sweep: :class:`SweepSpec` (fixed values, grid, Monte Carlo distributions,
repeats, master seed) and the reproducible point list :func:`sweep_points`.

The point list and every point's ``seed`` follow from ``spec.seed`` alone
(:class:`numpy.random.SeedSequence`), never from the order in which points finish. Monte
Carlo draws and point seeds depend on the (sample, repeat) index but not on the grid point:
all grid points share the same random draws (common random numbers), which keeps curves
against a grid parameter smooth.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from memlab._validate import check_memory
from memlab.errors import ConfigError

__all__ = ["SweepSpec", "SweepPoint", "sweep_points", "resolve_function", "function_name", "DISTRIBUTIONS"]

#: Monte Carlo distributions and their parameters.
DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "normal": ("mean", "std"),
    "lognormal": ("median", "sigma"),
    "randint": ("low", "high"),
    "choice": ("values",),
}


def resolve_function(ref) -> Callable:
    """A point function from a callable or a ``"package.module:function"`` string."""
    if callable(ref):
        return ref
    if not isinstance(ref, str) or not ref:
        raise ConfigError(f"sweep 'function' = {ref!r} must be a callable or 'package.module:function'")
    if ":" not in ref:
        raise ConfigError(f"sweep 'function' = {ref!r} is unknown: give a callable or 'package.module:function' "
                          "(study names such as 'mvm_error' are resolved by load_sweep_config(..., studies=))")
    mod_name, func_name = ref.split(":", 1)
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as err:
        raise ConfigError(f"sweep 'function' = {ref!r}: cannot import module {mod_name!r} ({err})") from err
    try:
        func = getattr(mod, func_name)
    except AttributeError:
        raise ConfigError(f"sweep 'function' = {ref!r}: module {mod_name!r} has no function {func_name!r}") from None
    if not callable(func):
        raise ConfigError(f"sweep 'function' = {ref!r} is not callable")
    return func


def function_name(ref) -> str:
    """``"module:qualname"`` of a point function (the string itself for a string reference)."""
    if isinstance(ref, str):
        return ref
    return f"{getattr(ref, '__module__', '?')}:{getattr(ref, '__qualname__', repr(ref))}"


@dataclass(frozen=True)
class SweepPoint:
    """One point: ``index`` in the table, its parameters, Monte Carlo ``sample``, ``repeat``
    and ``seed``; ``key`` names its result file in the store."""

    index: int
    params: dict
    sample: int
    repeat: int
    seed: int
    key: str


@dataclass
class SweepSpec:
    """What to sweep.

    Parameters
    ----------
    function : point function or ``"package.module:function"`` (a string is what config
        files use; a module-level function is sent to workers by reference).
    fixed : parameters passed unchanged to every point.
    grid : name -> list of values; the points are the Cartesian product (first key slowest).
    monte_carlo : name -> distribution dict, ``{"dist": "uniform", "low": a, "high": b}``;
        also ``loguniform`` (low, high), ``normal`` (mean, std), ``lognormal`` (median, sigma),
        ``randint`` (low, high inclusive), ``choice`` (values).
    samples : number of Monte Carlo draws per grid point (needs ``monte_carlo``).
    repeats : independent seeds per (grid point, sample).
    seed : master seed; every point's seed derives from it.

    The mappings are copied, so editing the caller's dicts later does not change the spec.
    """

    function: Any
    fixed: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)
    monte_carlo: dict = field(default_factory=dict)
    samples: int = 0
    repeats: int = 1
    seed: int = 0

    def __post_init__(self):
        for name in ("fixed", "grid", "monte_carlo"):
            v = getattr(self, name)
            if v is None:
                v = {}
            elif not isinstance(v, dict):
                raise ConfigError(f"sweep '{name}' = {v!r} must be a mapping of parameter names")
            setattr(self, name, dict(v))  # a copy: normalising the grid never edits the caller's dict
        for k, vals in self.grid.items():
            if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
                raise ConfigError(f"sweep grid '{k}' = {vals!r} must be a list of values")
            vals = [_plain(v) for v in vals]
            if not vals:
                raise ConfigError(f"sweep grid '{k}' is an empty list; give at least one value")
            self.grid[k] = vals
        for k, d in self.monte_carlo.items():
            _check_dist(k, d)
        for name in ("samples", "repeats", "seed"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ConfigError(f"sweep '{name}' = {v!r} must be an integer")
            setattr(self, name, int(v))
        if self.samples < 0:
            raise ConfigError(f"sweep 'samples' = {self.samples} must be >= 0")
        if self.repeats < 1:
            raise ConfigError(f"sweep 'repeats' = {self.repeats} must be >= 1")
        if self.seed < 0:
            raise ConfigError(f"sweep 'seed' = {self.seed} must be >= 0")
        if self.monte_carlo and self.samples == 0:
            raise ConfigError("sweep has 'monte_carlo' parameters but 'samples' = 0; set samples >= 1")
        names = list(self.fixed) + list(self.grid) + list(self.monte_carlo)
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"sweep parameter(s) {dup} appear in more than one of fixed/grid/monte_carlo")
        if "seed" in names:
            raise ConfigError("sweep parameter 'seed' is reserved: set the master seed with the 'seed' key")
        self._check_signature(names)
        self._check_size(names)

    def _check_size(self, names):
        """Refuse a point table that cannot fit in memory (before building it, which would
        otherwise run until memory runs out); the size parameter named is the largest factor."""
        n = self.n_points
        if n <= 100_000:
            return
        per_grid = self.repeats * max(self.samples, 1)
        factors = {"repeats": self.repeats, "samples": max(self.samples, 1), "grid": n // per_grid}
        # measured (tracemalloc): one SweepPoint with its params dict and key takes ~420 B + ~75 B per parameter
        check_memory(n * (400.0 + 64.0 * len(names)), f"the sweep's point table ({n:.3g} points)",
                     max(factors, key=factors.get))

    def _check_signature(self, names):
        func = resolve_function(self.function)
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            return
        ps = sig.parameters
        if any(p.kind is p.VAR_KEYWORD for p in ps.values()):
            return
        allowed = [n for n, p in ps.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "seed"]
        bad = [n for n in names if n not in allowed]
        if bad:
            raise ConfigError(f"sweep parameter(s) {bad} are not arguments of {function_name(self.function)}; "
                              f"allowed: {allowed}")

    @property
    def param_names(self) -> list[str]:
        return list(self.fixed) + list(self.grid) + list(self.monte_carlo)

    @property
    def n_points(self) -> int:
        n = math.prod(len(v) for v in self.grid.values()) if self.grid else 1
        return n * max(self.samples, 1) * self.repeats

    def to_dict(self) -> dict:
        return {"function": function_name(self.function), "fixed": self.fixed, "grid": self.grid,
                "monte_carlo": self.monte_carlo, "samples": self.samples, "repeats": self.repeats,
                "seed": self.seed}


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def _check_dist(name, d):
    if not isinstance(d, dict) or "dist" not in d:
        raise ConfigError(f"sweep monte_carlo '{name}' = {d!r} must be a mapping with a 'dist' key; "
                          f"allowed dists: {sorted(DISTRIBUTIONS)}")
    kind = d["dist"]
    if kind not in DISTRIBUTIONS:
        raise ConfigError(f"sweep monte_carlo '{name}': dist = {kind!r} is unknown; allowed: {sorted(DISTRIBUTIONS)}")
    need = DISTRIBUTIONS[kind]
    extra = sorted(set(d) - set(need) - {"dist"})
    missing = [k for k in need if k not in d]
    if missing or extra:
        raise ConfigError(f"sweep monte_carlo '{name}' ({kind}) needs keys {list(need)}; "
                          f"missing {missing}, unexpected {extra}")
    if kind == "choice":
        if not isinstance(d["values"], list) or not d["values"]:
            raise ConfigError(f"sweep monte_carlo '{name}': 'values' must be a non-empty list")
        return
    a, b = (d[k] for k in need)
    for k in need:
        if isinstance(d[k], bool) or not isinstance(d[k], (int, float)) or not math.isfinite(d[k]):
            raise ConfigError(f"sweep monte_carlo '{name}': '{k}' = {d[k]!r} must be a finite number")
    if kind in ("uniform", "randint") and not a <= b:
        raise ConfigError(f"sweep monte_carlo '{name}': low = {a} must be <= high = {b}")
    if kind == "loguniform" and not 0 < a <= b:
        raise ConfigError(f"sweep monte_carlo '{name}': need 0 < low <= high, got low = {a}, high = {b}")
    if kind == "normal" and b < 0:
        raise ConfigError(f"sweep monte_carlo '{name}': std = {b} must be >= 0")
    if kind == "lognormal" and (a <= 0 or b < 0):
        raise ConfigError(f"sweep monte_carlo '{name}': need median > 0 and sigma >= 0, got {a}, {b}")


def _draw(rng: np.random.Generator, d: dict):
    kind = d["dist"]
    if kind == "uniform":
        return float(rng.uniform(d["low"], d["high"]))
    if kind == "loguniform":
        return float(math.exp(rng.uniform(math.log(d["low"]), math.log(d["high"]))))
    if kind == "normal":
        return float(rng.normal(d["mean"], d["std"]))
    if kind == "lognormal":
        return float(d["median"] * math.exp(rng.normal(0.0, d["sigma"])))
    if kind == "randint":
        return int(rng.integers(int(d["low"]), int(d["high"]) + 1))
    return _plain(d["values"][int(rng.integers(len(d["values"])))])


def _point_key(fname: str, params: dict, seed: int) -> str:
    blob = json.dumps({"f": fname, "p": params, "s": seed}, sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:20]


def sweep_points(spec: SweepSpec) -> list[SweepPoint]:
    """All points of ``spec`` in table order (grid slowest, then sample, then repeat)."""
    fname = function_name(spec.function)
    grid_keys = list(spec.grid)
    combos = list(itertools.product(*(spec.grid[k] for k in grid_keys))) if grid_keys else [()]
    n_samples = max(spec.samples, 1)
    mc = []
    for s in range(n_samples):
        rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 1, s]))
        mc.append({k: _draw(rng, d) for k, d in spec.monte_carlo.items()})
    seeds = {(s, r): int(np.random.SeedSequence([spec.seed, 2, s, r]).generate_state(1, np.uint32)[0])
             for s in range(n_samples) for r in range(spec.repeats)}
    points = []
    for combo in combos:
        for s in range(n_samples):
            for r in range(spec.repeats):
                params = dict(spec.fixed)
                params.update(zip(grid_keys, combo))
                params.update(mc[s])
                seed = seeds[(s, r)]
                points.append(SweepPoint(len(points), params, s, r, seed, _point_key(fname, params, seed)))
    return points
