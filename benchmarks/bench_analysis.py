"""Sweep throughput (this process / 2 local processes / Dask LocalCluster) and the cost of one
accuracy point. Prints a table; run: .venv/bin/python benchmarks/bench_analysis.py"""
import tempfile
import time
from pathlib import Path


def main():
    from memlab.analysis import STUDIES, dnn_accuracy_point, mvm_error_point, train_digits_mlp
    from memlab.sweep import SweepSpec, run_sweep

    rows = []
    spec = SweepSpec(STUDIES["mvm_error"], fixed={"rows": 32, "cols": 32, "r_wire": 1.0, "n_inputs": 16},
                     grid={"adc_bits": [4, 6, 8]},
                     monte_carlo={"spread": {"dist": "uniform", "low": 0.0, "high": 0.2}}, samples=8, seed=0)
    with tempfile.TemporaryDirectory() as d:
        for label, kw in (("this process", dict(workers=0)), ("2 local processes", dict(workers=2))):
            t = time.perf_counter()
            run_sweep(spec, output=Path(d) / f"{kw['workers']}.csv", progress=False, **kw)
            rows.append((f"sweep {spec.n_points} MVM points 32x32, {label}", time.perf_counter() - t))
        from distributed import LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
            t = time.perf_counter()
            run_sweep(spec, output=Path(d) / "dask.csv", scheduler=c.scheduler_address, progress=False)
            rows.append((f"sweep {spec.n_points} MVM points 32x32, Dask LocalCluster (2 processes)",
                         time.perf_counter() - t))
    for n in (64, 128, 256):
        t = time.perf_counter()
        mvm_error_point(rows=n, cols=n, r_wire=1.0, adc_bits=6, seed=0)
        rows.append((f"one MVM point {n}x{n}, 1 ohm wires, 32 inputs", time.perf_counter() - t))
    t = time.perf_counter()
    train_digits_mlp(64, 0)
    rows.append(("train the digits MLP (64-64-10)", time.perf_counter() - t))
    for cfg in ({}, {"r_wire": 2.0}, {"read_noise": 0.05}):
        t = time.perf_counter()
        dnn_accuracy_point(seed=0, **cfg)
        rows.append((f"one DNN point on crossbars {cfg or '(ideal)'}", time.perf_counter() - t))
    w = max(len(r[0]) for r in rows)
    print(f"{'case':<{w}}  wall time (s)")
    for name, sec in rows:
        print(f"{name:<{w}}  {sec:10.2f}")


if __name__ == "__main__":
    main()
