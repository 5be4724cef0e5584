"""``memlab sweep``: a grid / Monte Carlo sweep from a YAML config, locally or on Dask."""
from __future__ import annotations

import sys
from pathlib import Path

from ._args import float_in, nonneg_int


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("sweep", help="run a grid / Monte Carlo sweep from a YAML config (local or Dask)",
                       description="Run the sweep described in CONFIG (see memlab.sweep.load_sweep_config; "
                       "'study:' names one of memlab.analysis.STUDIES). Finished points are saved as they finish "
                       "(folder <output>.points), so an interrupted sweep resumes where it stopped when run again. "
                       "The table (CSV or Parquet, one row per point) is written when all points are done. "
                       "Ctrl-C stops the sweep (exit 130; finished points are kept); a failed point, a dead "
                       "worker or a Dask cluster without workers exits 1 with one line.")
    s.add_argument("config", help="sweep YAML file")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:port); default: local worker processes")
    s.add_argument("--workers", type=nonneg_int, default=None,
                   help="local worker processes (default: config or CPU count; 0 or 1: this process)")
    s.add_argument("--out", default=None, help="table path .csv or .parquet (default: config 'output')")
    s.add_argument("--stop-after", type=nonneg_int, default=None, metavar="N",
                   help="stop after N newly computed points (run again to continue)")
    s.add_argument("--worker-timeout", type=float_in(0.0, lo_open=True), default=60.0, metavar="SECONDS",
                   help="give up when the Dask cluster has had no worker for this long (default 60 s)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=run_sweep_command)


def run_sweep_command(a) -> int:
    from memlab.analysis import STUDIES
    from memlab.errors import ConfigError
    from memlab.sweep import load_sweep_config, run_sweep

    spec, opts = load_sweep_config(a.config, studies=STUDIES)
    output = a.out or opts.get("output")
    if output is None:
        output = Path(a.config).with_suffix(".csv")
    workers = a.workers if a.workers is not None else opts.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
        raise ConfigError(f"sweep config '{a.config}': 'workers' = {workers!r} must be an integer >= 0")
    try:
        res = run_sweep(spec, output=output, store=opts.get("store"), scheduler=a.scheduler, workers=workers,
                        progress=not a.no_progress, stop_after=a.stop_after, worker_timeout=a.worker_timeout)
    except KeyboardInterrupt as err:    # Ctrl-C: workers stopped, finished points saved
        print(f"memlab: {err or 'sweep interrupted'}".splitlines()[0], file=sys.stderr)
        return 130
    where = f"on {a.scheduler}" if a.scheduler else "locally"
    print(f"sweep {spec.to_dict()['function']}: {len(res.rows)} points ({res.n_computed} computed {where}, "
          f"{res.n_reused} reused from {res.store}, {res.n_failed} failed)")
    if res.path is not None:
        print(f"wrote {res.path}")
    else:
        print("sweep stopped before the end; run the same command again to compute the remaining points "
              "(the table is written when all points are done)")
    failed = [r for r in res.rows if r.get("error")]
    if failed:
        table = f"the 'error' column of {res.path}" if res.path is not None else "the 'error' column"
        print(f"memlab: error: {len(failed)} of {len(res.rows)} points failed (first: point {failed[0]['point']}: "
              f"{failed[0]['error']}); see {table}; run again to retry them", file=sys.stderr)
        return 1
    return 0
