"""Parameter sweeps: grid x Monte Carlo x repeats over any point function.

A *point function* takes keyword parameters (and optionally ``seed``) and returns a dict of
scalar results, e.g. :func:`memlab.analysis.mvm_error_point`. :func:`run_sweep` evaluates it
on every point of a :class:`SweepSpec`:

- locally on worker processes (default), in this process (``workers <= 1``), or on a Dask
  distributed cluster (``scheduler="tcp://host:port"`` or a ``distributed.Client``);
- every finished point is saved at once as its own small JSON file in the *store* folder
  (temp file + ``os.replace``), by the process that collects results. An interrupted sweep
  (Ctrl-C, kill, lost worker) resumes where it stopped: points whose file exists are not
  recomputed;
- results form a tidy table, one row per point, ordered by point index, written as CSV or
  Parquet (atomically).

Reproducibility: the point list and every point's ``seed`` follow from ``spec.seed`` alone
(:class:`numpy.random.SeedSequence`), never from the order in which points finish, so a
local run and a Dask run give identical tables. Monte Carlo draws and point seeds depend on
the (sample, repeat) index but not on the grid point: all grid points share the same random
draws (common random numbers), which keeps curves against a grid parameter smooth.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import itertools
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from memlab.errors import ConfigError, MemlabError, ParameterError

from ._io import atomic_write_json, write_table

__all__ = ["SweepSpec", "SweepPoint", "SweepResult", "run_sweep", "load_sweep_config", "sweep_points",
           "STUDIES", "resolve_function"]

#: Registered studies usable by name in sweep configs (``study: mvm_error``).
STUDIES = {
    "mvm_error": "memlab.analysis._accuracy:mvm_error_point",
    "dnn_accuracy": "memlab.analysis._dnn:dnn_accuracy_point",
}

_DISTS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "normal": ("mean", "std"),
    "lognormal": ("median", "sigma"),
    "randint": ("low", "high"),
    "choice": ("values",),
}
_CONFIG_KEYS = ("study", "function", "seed", "samples", "repeats", "fixed", "grid", "monte_carlo", "output",
                "workers", "store")


def resolve_function(ref) -> Callable:
    """A point function from a callable, a registered study name or ``"module:function"``."""
    if callable(ref):
        return ref
    if not isinstance(ref, str) or not ref:
        raise ConfigError(f"sweep 'study' = {ref!r} must be a study name {sorted(STUDIES)} or 'module:function'")
    target = STUDIES.get(ref, ref)
    if ":" not in target:
        raise ConfigError(f"sweep 'study' = {ref!r} is unknown; known studies: {sorted(STUDIES)}, "
                          "or give 'package.module:function'")
    mod_name, func_name = target.split(":", 1)
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as err:
        raise ConfigError(f"sweep 'study' = {ref!r}: cannot import module {mod_name!r} ({err})") from err
    try:
        func = getattr(mod, func_name)
    except AttributeError:
        raise ConfigError(f"sweep 'study' = {ref!r}: module {mod_name!r} has no function {func_name!r}") from None
    if not callable(func):
        raise ConfigError(f"sweep 'study' = {ref!r} is not callable")
    return func


def _func_name(ref) -> str:
    if isinstance(ref, str):
        return STUDIES.get(ref, ref)
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
    function : point function, registered study name (``"mvm_error"``, ``"dnn_accuracy"``) or
        ``"package.module:function"`` (a string is what Dask workers and config files use).
    fixed : parameters passed unchanged to every point.
    grid : name -> list of values; the points are the Cartesian product (first key slowest).
    monte_carlo : name -> distribution dict, ``{"dist": "uniform", "low": a, "high": b}``;
        also ``loguniform`` (low, high), ``normal`` (mean, std), ``lognormal`` (median, sigma),
        ``randint`` (low, high inclusive), ``choice`` (values).
    samples : number of Monte Carlo draws per grid point (needs ``monte_carlo``).
    repeats : independent seeds per (grid point, sample).
    seed : master seed; every point's seed derives from it.
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
                setattr(self, name, {})
            elif not isinstance(v, dict):
                raise ConfigError(f"sweep '{name}' = {v!r} must be a mapping of parameter names")
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
            raise ConfigError(f"sweep parameter(s) {bad} are not arguments of {_func_name(self.function)}; "
                              f"allowed: {allowed}")

    @property
    def param_names(self) -> list[str]:
        return list(self.fixed) + list(self.grid) + list(self.monte_carlo)

    @property
    def n_points(self) -> int:
        n = math.prod(len(v) for v in self.grid.values()) if self.grid else 1
        return n * max(self.samples, 1) * self.repeats

    def to_dict(self) -> dict:
        return {"function": _func_name(self.function), "fixed": self.fixed, "grid": self.grid,
                "monte_carlo": self.monte_carlo, "samples": self.samples, "repeats": self.repeats,
                "seed": self.seed}


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def _check_dist(name, d):
    if not isinstance(d, dict) or "dist" not in d:
        raise ConfigError(f"sweep monte_carlo '{name}' = {d!r} must be a mapping with a 'dist' key; "
                          f"allowed dists: {sorted(_DISTS)}")
    kind = d["dist"]
    if kind not in _DISTS:
        raise ConfigError(f"sweep monte_carlo '{name}': dist = {kind!r} is unknown; allowed: {sorted(_DISTS)}")
    need = _DISTS[kind]
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
    fname = _func_name(spec.function)
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


def _accepts_seed(func) -> bool:
    try:
        ps = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return True
    return "seed" in ps or any(p.kind is p.VAR_KEYWORD for p in ps.values())


def _evaluate(func_ref, params: dict, seed: int) -> dict:
    """Run one point (in a worker): returns ``{"ok": True, "result": {...}}`` or the error."""
    func = resolve_function(func_ref)
    try:
        out = func(**params, seed=seed) if _accepts_seed(func) else func(**params)
    except MemlabError as err:
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}
    if isinstance(out, dict):
        res = {str(k): _plain(v) for k, v in out.items()}
    elif isinstance(out, (int, float, np.generic)) and not isinstance(out, bool):
        res = {"value": _plain(out)}
    else:
        return {"ok": False, "error": f"point function returned {type(out).__name__}; expected a dict of scalars"}
    for k, v in res.items():
        if not (v is None or isinstance(v, (int, float, str, bool))):
            return {"ok": False, "error": f"result '{k}' is a {type(v).__name__}; results must be scalars"}
    return {"ok": True, "result": res}


@dataclass
class SweepResult:
    """Tidy result table of a sweep: ``rows`` (one dict per point, by point index) and
    ``columns``. ``complete`` is False when the run stopped early (``stop_after``) or a point
    failed (its row has an ``error``; it is recomputed on the next run);
    ``n_computed`` points were computed by this run, ``n_reused`` came from the store."""

    rows: list[dict]
    columns: list[str]
    complete: bool
    n_computed: int
    n_reused: int
    n_failed: int
    store: Path
    path: Path | None = None

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (missing values as NaN/None)."""
        if name not in self.columns:
            raise ParameterError(f"parameter 'name' = {name!r} is not a column; columns: {self.columns}")
        vals = [r.get(name) for r in self.rows]
        try:
            return np.array([np.nan if v is None else v for v in vals], dtype=float)
        except (TypeError, ValueError):
            return np.array(vals, dtype=object)

    def write(self, path) -> Path:
        """Write the table as CSV or Parquet (by suffix), atomically."""
        return write_table(self.rows, path, self.columns)

    def to_pandas(self):
        import pandas as pd  # optional
        return pd.DataFrame(self.rows, columns=self.columns)


def _load_store(store: Path) -> dict:
    done = {}
    if store.is_dir():
        for f in store.glob("*.json"):
            try:
                rec = json.loads(f.read_text())
            except (OSError, ValueError):
                continue  # unreadable file: the point is recomputed
            if isinstance(rec, dict) and rec.get("ok"):
                done[f.stem] = rec
    return done


class _Stop(Exception):
    pass


def run_sweep(spec: SweepSpec, *, output=None, store=None, scheduler=None, workers: int | None = None,
              progress: bool = True, stop_after: int | None = None, desc: str = "sweep") -> SweepResult:
    """Evaluate every point of ``spec`` and return the tidy table.

    Parameters
    ----------
    output : optional ``.csv`` / ``.parquet`` path; the table is written there (atomically).
    store : folder of finished points; default ``<output>.points`` next to ``output`` (needed
        when ``output`` is None). Finished points found there are not recomputed.
    scheduler : Dask scheduler address ``"tcp://host:port"`` or a ``distributed.Client``; the
        points run on that cluster. Default: local processes.
    workers : local worker processes (default ``os.cpu_count()``); ``<= 1`` runs the points in
        this process. Workers are *spawned*, so a script calling ``run_sweep`` with workers
        must keep its top level under ``if __name__ == "__main__":``.
    progress : show a tqdm progress bar.
    stop_after : stop after this many newly computed points (the rest stay for a later run);
        used to run a sweep in chunks and to test resumption.

    A point whose function raises a :class:`~memlab.errors.MemlabError` gets an ``error``
    column and is recomputed on the next run; any other exception stops the sweep (finished
    points stay saved).
    """
    if not isinstance(spec, SweepSpec):
        raise ParameterError(f"parameter 'spec' = {spec!r} must be a SweepSpec (see load_sweep_config)")
    if output is None and store is None:
        raise ParameterError("run_sweep needs 'output' or 'store' (a folder where finished points are saved)")
    if output is not None:
        output = Path(output)
        if output.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise ConfigError(f"output '{output}': unknown table format {output.suffix!r}; allowed: .csv, .parquet")
    store = Path(store) if store is not None else output.with_name(output.name + ".points")
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 0:
        raise ParameterError(f"parameter 'workers' = {workers!r} is outside the allowed range: integer >= 0")
    if stop_after is not None and (not isinstance(stop_after, (int, np.integer)) or stop_after < 0):
        raise ParameterError(f"parameter 'stop_after' = {stop_after!r} is outside the allowed range: integer >= 0")

    points = sweep_points(spec)
    store.mkdir(parents=True, exist_ok=True)
    atomic_write_json(store / "_spec.json.info", spec.to_dict())
    done = _load_store(store)
    todo = [p for p in points if p.key not in done]
    n_reused = len(points) - len(todo)
    func_ref = spec.function
    if isinstance(func_ref, str):
        func_ref = STUDIES.get(func_ref, func_ref)
    errors: dict[str, str] = {}
    counter = {"new": 0}

    from tqdm.auto import tqdm
    bar = tqdm(total=len(points), initial=n_reused, desc=desc, unit="pt", disable=not progress, leave=False)

    def finish(p: SweepPoint, rec: dict):
        if rec.get("ok"):
            rec = {"ok": True, "index": p.index, "params": p.params, "seed": p.seed, "result": rec["result"]}
            atomic_write_json(store / f"{p.key}.json", rec)
            done[p.key] = rec
        else:
            errors[p.key] = rec.get("error", "unknown error")
        counter["new"] += 1
        bar.update(1)
        if stop_after is not None and counter["new"] >= stop_after:
            raise _Stop

    complete = True
    try:
        if stop_after == 0 and todo:
            raise _Stop
        if not todo:
            pass
        elif scheduler is not None:
            _run_dask(scheduler, func_ref, todo, finish)
        elif workers <= 1:
            for p in todo:
                finish(p, _evaluate(func_ref, p.params, p.seed))
        else:
            _run_processes(workers, func_ref, todo, finish)
    except _Stop:
        complete = False
    finally:
        bar.close()

    rows, columns = _assemble(spec, points, done, errors)
    attempted_all = complete
    complete = complete and all(p.key in done for p in points)
    res = SweepResult(rows, columns, complete, counter["new"], n_reused, len(errors), store)
    if output is not None and attempted_all:
        res.path = res.write(output)  # failed points appear with their error message
    return res


def _run_processes(workers, func_ref, todo, finish):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = mp.get_context("spawn")  # no fork of a process holding numba/BLAS/Dask threads
    ex = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx)
    try:
        futs = {ex.submit(_evaluate, func_ref, p.params, p.seed): p for p in todo}
        for fut in as_completed(futs):
            finish(futs[fut], fut.result())
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _run_dask(scheduler, func_ref, todo, finish):
    try:
        from distributed import Client, as_completed
    except ImportError as err:
        raise ConfigError("a Dask scheduler was given but dask.distributed is not installed "
                          "(pip install 'dask[distributed]')") from err
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            raise ConfigError(f"cannot connect to Dask scheduler {scheduler!r}: {err}") from err
    else:
        client = scheduler
    futs = []
    try:
        by_key = {}
        for p in todo:
            f = client.submit(_evaluate, func_ref, p.params, p.seed, key=f"memlab-point-{p.key}", pure=False)
            by_key[f.key] = p
            futs.append(f)
        for fut in as_completed(futs):
            finish(by_key[fut.key], fut.result())
    finally:
        if futs:
            client.cancel([f for f in futs if not f.done()])
        if own:
            client.close()


def _assemble(spec, points, done, errors):
    pnames = spec.param_names
    rows, out_cols = [], []
    for p in points:
        row = {"point": p.index}
        if spec.samples:
            row["sample"] = p.sample
        if spec.repeats > 1:
            row["repeat"] = p.repeat
        row["seed"] = p.seed
        row.update({k: p.params[k] for k in pnames})
        rec = done.get(p.key)
        if rec is not None:
            for k, v in rec["result"].items():
                if k in row:
                    k = f"out_{k}"
                if k not in out_cols:
                    out_cols.append(k)
                row[k] = v
        if p.key in errors:
            row["error"] = errors[p.key]
        rows.append(row)
    columns = ["point"] + (["sample"] if spec.samples else []) + (["repeat"] if spec.repeats > 1 else [])
    columns += ["seed"] + pnames + out_cols + (["error"] if errors else [])
    return rows, columns


def load_sweep_config(path) -> tuple[SweepSpec, dict]:
    """Read a YAML sweep config; returns ``(spec, options)`` where options holds ``output``,
    ``workers`` and ``store`` when given. Raises :class:`ConfigError` naming the file and key.

    Example::

        study: mvm_error          # or function: package.module:function
        seed: 1
        fixed: {rows: 32, cols: 32}
        grid: {r_wire: [0.1, 1.0, 10.0], adc_bits: [4, 8]}
        monte_carlo: {spread: {dist: uniform, low: 0.0, high: 0.2}}
        samples: 4
        repeats: 1
        output: sweep.csv
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sweep config '{path}' does not exist")
    try:
        cfg = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"sweep config '{path}' is not valid YAML{where}: {problem}") from None
    if not isinstance(cfg, dict):
        raise ConfigError(f"sweep config '{path}' must be a YAML mapping with keys {list(_CONFIG_KEYS)}")
    unknown = sorted(set(cfg) - set(_CONFIG_KEYS))
    if unknown:
        raise ConfigError(f"sweep config '{path}': unknown key(s) {unknown}; allowed: {list(_CONFIG_KEYS)}")
    func = cfg.get("study", cfg.get("function"))
    if func is None:
        raise ConfigError(f"sweep config '{path}' needs 'study' (one of {sorted(STUDIES)}) or 'function'")
    try:
        spec = SweepSpec(function=func, fixed=cfg.get("fixed") or {}, grid=cfg.get("grid") or {},
                         monte_carlo=cfg.get("monte_carlo") or {}, samples=cfg.get("samples", 0),
                         repeats=cfg.get("repeats", 1), seed=cfg.get("seed", 0))
    except ConfigError as err:
        raise ConfigError(f"sweep config '{path}': {err}") from None
    options = {k: cfg[k] for k in ("output", "workers", "store") if k in cfg}
    return spec, options
