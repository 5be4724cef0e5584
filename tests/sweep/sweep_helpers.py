"""Point functions for the sweep tests (importable by spawned workers and Dask workers)."""
import os
import uuid

import numpy as np

from memlab.errors import ParameterError


def noisy_quadratic(x, a=1.0, counter_dir=None, seed=0):
    """y = a x^2 + N(0, 1) noise drawn from the point's seed; counts calls in counter_dir."""
    if counter_dir:
        open(os.path.join(counter_dir, uuid.uuid4().hex), "w").close()
    rng = np.random.default_rng(seed)
    return {"y": a * x * x + float(rng.normal()), "u": float(rng.uniform())}


def fails_on_negative(x, seed=0):
    if x < 0:
        raise ParameterError(f"parameter 'x' = {x} is outside the allowed range [0, inf)")
    return {"y": float(x)}


def interrupt_at(x, at=3, seed=0):
    """Simulates a Ctrl-C (KeyboardInterrupt) when it reaches x == at."""
    if x == at:
        raise KeyboardInterrupt
    return {"y": float(x)}


def interrupt_once(x, flag_dir, counter_dir=None, at=3, seed=0):
    """Raises KeyboardInterrupt (a simulated Ctrl-C) at x == at while flag_dir/armed exists,
    removing the flag, so the next run goes through."""
    if counter_dir:
        open(os.path.join(counter_dir, uuid.uuid4().hex), "w").close()
    flag = os.path.join(flag_dir, "armed")
    if x == at and os.path.exists(flag):
        os.remove(flag)
        raise KeyboardInterrupt
    return {"y": float(x) ** 2}


def block_at(x, gate_dir, counter_dir, at=5, seed=0):
    """At x == at: write gate_dir/reached and wait until gate_dir/open exists (the test kills
    the process while it waits). Counts calls in counter_dir."""
    import time
    open(os.path.join(counter_dir, uuid.uuid4().hex), "w").close()
    if x == at:
        open(os.path.join(gate_dir, "reached"), "w").close()
        while not os.path.exists(os.path.join(gate_dir, "open")):
            time.sleep(0.01)
    return {"y": float(x) + 0.5}


def crash_worker_once(x, flag_dir, counter_dir, at=4, seed=0):
    """At x == at, while flag_dir/armed exists: remove it and kill this worker process
    (os._exit), as a lost Dask worker would. Counts calls in counter_dir."""
    open(os.path.join(counter_dir, uuid.uuid4().hex), "w").close()
    flag = os.path.join(flag_dir, "armed")
    if x == at and os.path.exists(flag):
        os.remove(flag)
        os._exit(1)
    return {"y": float(x) * 3.0}


def block_from(x, gate_dir, counter_dir, at=5, seed=0):
    """Every point with x >= at writes gate_dir/reached-<x> and waits until gate_dir/open
    exists (the test signals the sweep while they wait). Counts calls in counter_dir. Results
    include a NaN (x == 2) and infinities (x == 3) to check that they survive a resume."""
    import time
    open(os.path.join(counter_dir, uuid.uuid4().hex), "w").close()
    if x >= at:
        open(os.path.join(gate_dir, f"reached-{x}"), "w").close()
        while not os.path.exists(os.path.join(gate_dir, "open")):
            time.sleep(0.01)
    z = float("nan") if x == 2 else float("inf") if x == 3 else -float("inf") if x == 4 else x / 3.0
    return {"y": float(x) + 0.5, "z": z}


def divide(x, seed=0):
    """1 / (x mod 3): x = 0 and 3 raise ZeroDivisionError (a user bug, not a memlab error)."""
    return {"y": 1 / (x % 3)}


def crash_worker_at(x, at=4, seed=0):
    """Kills its worker process (os._exit) at x == at, every time."""
    if x == at:
        os._exit(3)
    return {"y": float(x)}


def inf_result(x, seed=0):
    return {"y": float("inf") if x == 1 else float(x), "z": float("nan") if x == 2 else -float("inf")}
