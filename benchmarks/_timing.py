"""Shared timing helper for the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""
from __future__ import annotations

import time

import numpy as np


def best_of(fn, n: int = 3, *, warmup: bool = True):
    """Best wall time (s) of ``n`` calls of ``fn`` and the last result; one untimed warm-up first."""
    if warmup:
        fn()
    best, out = np.inf, None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
