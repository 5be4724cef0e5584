"""Running sweep points on a Dask distributed cluster (optional dependency ``dask[distributed]``)."""
from __future__ import annotations

import time

from memlab.errors import ConfigError

from ._local import WorkerLost

__all__ = ["run_dask"]

_POLL = 1.0     # s between checks that the cluster still has a worker
_FETCH = 10.0   # s to fetch a finished point's result before it counts as lost


def run_dask(scheduler, evaluate, func_ref, todo, finish, worker_timeout: float):
    """Submit ``evaluate(func_ref, params, seed)`` for every point of ``todo`` to ``scheduler``
    (an address ``"tcp://host:port"`` or a ``distributed.Client``) and call ``finish(point,
    record)`` in this process as each one completes. Unfinished tasks are cancelled on exit
    (Ctrl-C included).

    A task that fails on the cluster side (e.g. ``KilledWorker``: it killed its worker
    several times) is a failed point. When the cluster has had no worker for
    ``worker_timeout`` seconds, :class:`WorkerLost` names the workers that were lost.
    """
    try:
        from distributed import Client, wait
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
    where = scheduler if own else getattr(client.scheduler, "address", "the Dask cluster")
    futs = []
    try:
        by_key = {}
        for p in todo:
            f = client.submit(evaluate, func_ref, p.params, p.seed, key=f"memlab-point-{p.key}", pure=False)
            by_key[f.key] = p
            futs.append(f)
        pending = set(futs)
        seen: set[str] = set()
        alone_since = None
        while pending:
            try:
                done, _ = wait(list(pending), timeout=_POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = ()
            for fut in done:
                rec = _record(fut)
                if rec is not None:     # None: its result was lost with a worker; it is recomputed
                    pending.discard(fut)
                    finish(by_key[fut.key], rec)
            if not pending:
                break
            try:
                workers = set(client.nthreads())
            except (OSError, TimeoutError) as err:
                raise WorkerLost(f"lost the connection to the Dask scheduler {where} ({err})") from None
            seen |= workers
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since >= worker_timeout:
                lost = ", ".join(sorted(seen)) if seen else "none had connected"
                raise WorkerLost(f"the Dask cluster {where} has had no worker for {worker_timeout:g} s "
                                 f"(worker_timeout; lost: {lost})")
    finally:
        if futs:
            client.cancel([f for f in futs if not f.done()])
        if own:
            client.close()


def _record(fut) -> dict | None:
    """The point's record; a task the cluster could not run becomes a failed point; None
    when the result cannot be fetched in time (held by a worker that just died)."""
    try:
        return fut.result(timeout=_FETCH)
    except TimeoutError:
        return None
    except Exception as err:  # noqa: BLE001 - KilledWorker, CancelledError, ...: the point failed
        return {"ok": False, "error": f"{type(err).__name__}: {err}".splitlines()[0]}
