"""Running a sweep: :func:`run_sweep` evaluates every point of a :class:`SweepSpec` in this
process, on local worker processes (:mod:`._local`) or on a Dask cluster (:mod:`._dask`), saving each
finished point at once so that an interrupted sweep resumes where it stopped."""
from __future__ import annotations

import contextlib
import inspect
import os
from pathlib import Path

import numpy as np

from memlab._io import atomic_write_json
from memlab._validate import real
from memlab.errors import ConfigError, MemlabError, ParameterError, WorkerError

from ._dask import run_dask
from ._local import WorkerLost, run_processes
from ._result import SweepResult, assemble, load_store, round_trip, save_point
from ._spec import SweepPoint, SweepSpec, _plain, resolve_function, sweep_points

__all__ = ["run_sweep"]


def _accepts_seed(func) -> bool:
    try:
        ps = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return True
    return "seed" in ps or any(p.kind is p.VAR_KEYWORD for p in ps.values())


def _evaluate(func_ref, params: dict, seed: int) -> dict:
    """Run one point (in a worker): returns ``{"ok": True, "result": {...}}`` or the error.

    Any exception of the point function (a memlab error or a bug such as ZeroDivisionError)
    makes a failed point; the text names the exception and, for non-memlab ones, where it was
    raised. The result goes through the store's JSON encoding here, so a computed point and
    one read back from the store are the same floats whatever the runner (in-process, local
    processes, Dask)."""
    func = resolve_function(func_ref)
    try:
        with _one_blas_thread():
            out = func(**params, seed=seed) if _accepts_seed(func) else func(**params)
    except MemlabError as err:
        return {"ok": False, "error": f"{type(err).__name__}: {err}".splitlines()[0]}
    except Exception as err:  # noqa: BLE001 - a bug in the user's point function is one failed point
        return {"ok": False, "error": _describe(err)}
    if isinstance(out, dict):
        res = {str(k): _plain(v) for k, v in out.items()}
    elif isinstance(out, (int, float, np.generic)) and not isinstance(out, bool):
        res = {"value": _plain(out)}
    else:
        return {"ok": False, "error": f"point function returned {type(out).__name__}; expected a dict of scalars"}
    for k, v in res.items():
        if not (v is None or isinstance(v, (int, float, str, bool))):
            return {"ok": False, "error": f"result '{k}' is a {type(v).__name__}; results must be scalars"}
    return {"ok": True, "result": round_trip(res)}


def _one_blas_thread():
    """Run a point with one BLAS thread, in every runner: the thread count changes the order
    of BLAS sums and so the last digits of results (Dask workers run with one thread,
    ``distributed``'s ``pre-spawn-environ``; a local process with all cores). Needs
    ``threadpoolctl`` (installed with scikit-learn); without it nothing is limited."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _describe(err: BaseException) -> str:
    """``"ZeroDivisionError: division by zero (at module.py:12 in func)"``, one line."""
    import traceback
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(err).__name__}: {err}".splitlines()[0] + where


class _Stop(Exception):
    """Raised by the collector after ``stop_after`` new points (caught by run_sweep)."""


def run_sweep(spec: SweepSpec, *, output=None, store=None, scheduler=None, workers: int | None = None,
              progress: bool = True, stop_after: int | None = None, desc: str = "sweep",
              worker_timeout: float = 60.0) -> SweepResult:
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
    worker_timeout : seconds (> 0, default 60 s) a Dask cluster may have no worker at all
        before the sweep gives up with a :class:`~memlab.errors.WorkerError` naming the lost
        workers and the number of points done.

    Every finished point is saved at once as its own small JSON file in the store (temp file
    + ``os.replace``) by the process that collects results, so an interrupted sweep (Ctrl-C,
    kill, lost worker) resumes where it stopped. A point whose function raises (a
    :class:`~memlab.errors.MemlabError` or any other ``Exception``) gets an ``error`` column
    (``n_failed`` counts them) and is recomputed on the next run; the other points go on.

    Faults: Ctrl-C stops the workers and raises ``KeyboardInterrupt`` whose message says how
    many points are saved; local workers die with this process, even when it is SIGKILLed
    (see :mod:`memlab.sweep._local`); a local worker that dies, or a Dask cluster without
    workers for ``worker_timeout`` s, raises :class:`~memlab.errors.WorkerError`. Finished
    points stay saved in every case, and the resumed table is byte-identical to an
    uninterrupted run's.

    Local and Dask runs give identical tables: the seeds come from ``spec.seed`` alone and
    results pass through the same JSON encoding in every path (NaN and infinities kept), and
    every point runs with one BLAS thread (with ``threadpoolctl`` installed; without it, runs
    may differ in the last digit, ~1e-15 relative, as BLAS sums in a different order). The
    point function must itself be deterministic given its arguments and seed.
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
    worker_timeout = real(worker_timeout, "worker_timeout", lo=0.0, lo_open=True, unit="s")

    points = sweep_points(spec)
    store.mkdir(parents=True, exist_ok=True)
    atomic_write_json(store / "_spec.json.info", spec.to_dict())
    done = load_store(store)
    todo = [p for p in points if p.key not in done]
    n_reused = len(points) - len(todo)
    errors: dict[str, str] = {}
    counter = {"new": 0}

    from tqdm.auto import tqdm
    bar = tqdm(total=len(points), initial=n_reused, desc=desc, unit="pt", disable=not progress, leave=False)

    def finish(p: SweepPoint, rec: dict):
        if rec.get("ok"):
            done[p.key] = save_point(store, p, rec["result"])
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
            run_dask(scheduler, _evaluate, spec.function, todo, finish, worker_timeout)
        elif workers <= 1:
            for p in todo:
                finish(p, _evaluate(spec.function, p.params, p.seed))
        else:
            run_processes(workers, _evaluate, spec.function, todo, finish)
    except _Stop:
        complete = False
    except WorkerLost as err:
        raise WorkerError(f"{err}; {_saved(points, done, store)}") from None
    except KeyboardInterrupt:
        raise KeyboardInterrupt(f"sweep interrupted; {_saved(points, done, store)}") from None
    finally:
        bar.close()

    rows, columns = assemble(spec, points, done, errors)
    attempted_all = complete
    complete = complete and all(p.key in done for p in points)
    res = SweepResult(rows, columns, complete, counter["new"], n_reused, len(errors), store)
    if output is not None and attempted_all:
        res.path = res.write(output)  # failed points appear with their error message
    return res


def _saved(points, done, store) -> str:
    n = sum(p.key in done for p in points)
    return f"{n} of {len(points)} points are done and saved in '{store}'; run again to resume"
