"""Cost of the sweep engine's fault safety per point.

Every point runs with one BLAS thread (threadpoolctl, so that every runner gives the same
digits) and its result goes through the store's JSON encoding; every finished point is
written to its own file (temp file + fsync + rename). This prints the wall time per point of
an in-process sweep of a trivial point function (so the numbers are the engine's overhead,
not the work) and of its parts.

Run:  python benchmarks/bench_sweep_faults.py [--points 200]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _timing import best_of

from memlab.sweep import SweepSpec, run_sweep
from memlab.sweep._result import round_trip
from memlab.sweep._run import _evaluate, _one_blas_thread


def trivial(x, seed=0):
    return {"y": x * 0.5, "z": float("inf")}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=200)
    args = ap.parse_args(argv)
    n = args.points
    spec = SweepSpec(trivial, grid={"x": list(range(n))})

    def sweep():
        with tempfile.TemporaryDirectory() as d:
            return run_sweep(spec, output=Path(d) / "t.csv", workers=0, progress=False)

    def blas():
        for _ in range(n):
            with _one_blas_thread():
                pass

    rows = [("whole in-process sweep (evaluate + store file + table)", best_of(sweep, 3)[0]),
            ("_evaluate (BLAS limit + JSON round trip)", best_of(lambda: [_evaluate(trivial, {"x": i}, 0)
                                                                       for i in range(n)], 3)[0]),
            ("one-BLAS-thread limit alone", best_of(blas, 3)[0]),
            ("JSON round trip alone", best_of(lambda: [round_trip({"y": i * 0.5, "z": float("inf")})
                                                        for i in range(n)], 3)[0])]
    print(f"| part | time per point (ms), {n} points |")
    print("|---|---|")
    for name, t in rows:
        print(f"| {name} | {1e3 * t / n:.3f} |")


if __name__ == "__main__":
    main()
