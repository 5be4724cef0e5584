"""memlab.sweep: parameter sweeps (grid x Monte Carlo x repeats) over any point function.

A *point function* takes keyword parameters (and optionally ``seed``) and returns a dict of
scalar results, e.g. :func:`memlab.analysis.mvm_error_point`. :func:`run_sweep` evaluates it
on every point of a :class:`SweepSpec`:

- in this process (``workers <= 1``), on local worker processes (default), or on a Dask
  distributed cluster (``scheduler="tcp://host:port"`` or a ``distributed.Client``);
- every finished point is saved at once as its own small JSON file in the *store* folder
  (temp file + ``os.replace``), by the process that collects results. An interrupted sweep
  (Ctrl-C, kill, lost worker) resumes where it stopped: points whose file exists are not
  recomputed;
- faults are survived: Ctrl-C stops the workers (finished points kept), local workers die
  with the sweep even when it is SIGKILLed, a dead worker or a Dask cluster left without
  workers is a :class:`~memlab.errors.WorkerError` saying how many points are done, and a
  point whose function raises is a failed point (``error`` column) while the rest go on;
- results form a tidy table (:class:`SweepResult`), one row per point, ordered by point
  index, written as CSV or Parquet (atomically; :func:`write_table`, :func:`read_table`).

Reproducibility: the point list and every point's ``seed`` follow from ``spec.seed`` alone
(:func:`sweep_points`); results pass through the store's JSON encoding (NaN and infinities
kept) and run with one BLAS thread, so in-process, local-process and Dask runs, interrupted
and resumed or not, give byte-identical tables.

This package is ground: it imports no memlab layer (only :mod:`memlab.errors`,
:mod:`memlab._io` and :mod:`memlab._table`), so every layer may use it. Study names such as
``mvm_error`` belong to the layer that defines the studies (``memlab.analysis.STUDIES``) and
are passed to :func:`load_sweep_config` as ``studies=``.

Modules: ``_spec`` (spec and point list), ``_config`` (YAML configs), ``_run`` (run_sweep,
in process), ``_local`` (local worker processes), ``_dask`` (Dask runner), ``_result`` (store and table).
"""
from memlab._table import read_table, write_table
from memlab.sweep._config import load_sweep_config
from memlab.sweep._result import SweepResult
from memlab.sweep._run import run_sweep
from memlab.sweep._spec import DISTRIBUTIONS, SweepPoint, SweepSpec, function_name, resolve_function, sweep_points

__all__ = ["SweepSpec", "SweepPoint", "SweepResult", "run_sweep", "load_sweep_config", "sweep_points",
           "resolve_function", "function_name", "DISTRIBUTIONS", "write_table", "read_table"]
