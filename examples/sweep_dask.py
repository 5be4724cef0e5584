"""The same sweep on local processes and on a Dask cluster gives the same table.
Run: python examples/sweep_dask.py   (starts a small LocalCluster; pass an address to use yours)"""
import sys

from memlab.analysis import STUDIES
from memlab.sweep import SweepSpec, run_sweep


def main():
    spec = SweepSpec(STUDIES["mvm_error"], fixed={"rows": 16, "cols": 16, "r_wire": 1.0, "n_inputs": 8},
                     grid={"adc_bits": [3, 5, 8]},
                     monte_carlo={"spread": {"dist": "uniform", "low": 0.0, "high": 0.2}}, samples=3, seed=7)
    local = run_sweep(spec, output="sweep_local.csv", workers=2)
    if len(sys.argv) > 1:
        remote = run_sweep(spec, output="sweep_dask.csv", scheduler=sys.argv[1])
    else:
        from distributed import LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
            remote = run_sweep(spec, output="sweep_dask.csv", scheduler=cluster.scheduler_address)
    print(f"{len(local.rows)} points; identical tables: {local.rows == remote.rows}")


if __name__ == "__main__":  # worker processes are spawned: they re-import this file
    main()
