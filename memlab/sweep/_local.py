"""Running sweep points on local worker processes that never outlive the sweep.

Workers are *spawned* (no fork of a process holding numba/BLAS/Dask threads) and:

- die with their parent: on Linux the kernel kills them when the parent dies
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, even if the parent is SIGKILLed), elsewhere a
  watchdog thread polls the parent pid every 0.5 s. The multiprocessing resource tracker
  then sees the end of its pipe and exits too;
- ignore SIGINT: Ctrl-C reaches the whole process group, and the parent alone decides what
  to do (it stops the workers and keeps every collected point);
- a worker that dies (killed, ``os._exit``, out of memory) breaks the pool: the points
  collected until then are still handed to ``finish``, then :class:`WorkerLost` is raised.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import contextmanager

__all__ = ["run_processes", "WorkerLost", "worker_pool", "spawning", "stop_pool"]

_PR_SET_PDEATHSIG = 1


class WorkerLost(Exception):
    """A worker (local process or Dask worker) is gone; ``args[0]`` says which and how."""


def _die_with_parent(ppid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog below remains
            pass
    if os.getppid() != ppid:        # the parent died before prctl took effect
        os._exit(1)

    def watch():                    # portable fallback (and a second line of defence)
        while os.getppid() == ppid:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="memlab-parent-watchdog", daemon=True).start()


def _init_worker(ppid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(ppid)


@contextmanager
def _sigint_ignored():
    """Ignore SIGINT while workers are spawned: they inherit SIG_IGN from their first
    instruction on (the initializer alone would leave a window during interpreter start-up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _stop_workers(ex) -> None:
    """Terminate the pool's processes now (``shutdown`` alone waits for the running points)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):   # no public API before 3.14
        try:
            proc.terminate()
        except (OSError, AttributeError):  # pragma: no cover - already gone
            pass


def worker_pool(n: int):
    """A ``ProcessPoolExecutor`` of ``n`` spawned workers that die with this process and
    ignore SIGINT (module docstring). Submit the first ``n`` tasks inside
    :func:`spawning` (the workers start then); stop it with :func:`stop_pool`."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                               initargs=(os.getpid(),))


#: the context in which a pool's first tasks are submitted (its workers are spawned then)
spawning = _sigint_ignored


def stop_pool(ex, now: bool) -> None:
    """Shut ``ex`` down, terminating its workers first when ``now`` (an error or Ctrl-C:
    ``shutdown`` alone waits for the running tasks)."""
    if now:
        _stop_workers(ex)
    ex.shutdown(wait=True, cancel_futures=True)


def run_processes(workers: int, evaluate, func_ref, todo, finish) -> None:
    """Run ``evaluate(func_ref, params, seed)`` for every point of ``todo`` on ``workers``
    spawned processes; ``finish(point, record)`` is called in this process as each ends."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    n = min(workers, len(todo))
    ex = worker_pool(n)
    broken, failed = None, False
    try:
        futs = {}
        with spawning():            # the first n submits spawn the n workers
            for p in todo[:n]:
                futs[ex.submit(evaluate, func_ref, p.params, p.seed)] = p
        for p in todo[n:]:
            futs[ex.submit(evaluate, func_ref, p.params, p.seed)] = p
        for fut in as_completed(futs):
            try:
                rec = fut.result()
            except BrokenProcessPool as err:
                broken = err        # keep collecting: futures that finished before still count
                continue
            finish(futs[fut], rec)
    except BaseException:           # Ctrl-C, stop_after, an error in finish: stop the workers now
        failed = True
        raise
    finally:
        stop_pool(ex, now=failed)
    if broken is not None:
        raise WorkerLost("a local worker process died (killed by a signal, os._exit or out of memory) "
                         "while running a point")
