"""Running sweep points on a Dask distributed cluster (optional dependency ``dask[distributed]``)."""
from __future__ import annotations

from memlab.errors import ConfigError

__all__ = ["run_dask"]


def run_dask(scheduler, evaluate, func_ref, todo, finish):
    """Submit ``evaluate(func_ref, params, seed)`` for every point of ``todo`` to ``scheduler``
    (an address ``"tcp://host:port"`` or a ``distributed.Client``) and call ``finish(point,
    record)`` in this process as each one completes. Unfinished tasks are cancelled on exit."""
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
            f = client.submit(evaluate, func_ref, p.params, p.seed, key=f"memlab-point-{p.key}", pure=False)
            by_key[f.key] = p
            futs.append(f)
        for fut in as_completed(futs):
            finish(by_key[fut.key], fut.result())
    finally:
        if futs:
            client.cancel([f for f in futs if not f.done()])
        if own:
            client.close()
