"""Sweeps: reproducible point lists, identical tables locally / in-process / on Dask, resume
after interruption recomputes exactly the missing points, tidy CSV/Parquet output."""
import json
import os
from pathlib import Path

import numpy as np
import pytest

import sweep_helpers as H
from memlab.analysis import STUDIES
from memlab.cli import main
from memlab.sweep import SweepSpec, load_sweep_config, read_table, run_sweep, sweep_points
from memlab.errors import ConfigError, ParameterError


def _calls(d):
    return len([f for f in os.listdir(d)])


def _spec(counter, seed=5, **kw):
    args = dict(fixed={"counter_dir": str(counter)}, grid={"x": [0, 1, 2, 3]},
                monte_carlo={"a": {"dist": "uniform", "low": 0.5, "high": 1.5}}, samples=3, repeats=2, seed=seed)
    args.update(kw)
    return SweepSpec(H.noisy_quadratic, **args)


def test_points_are_seeded_and_complete(tmp_path):
    s = _spec(tmp_path)
    p1, p2 = sweep_points(s), sweep_points(_spec(tmp_path))
    assert len(p1) == s.n_points == 4 * 3 * 2
    assert [(p.params, p.seed, p.key) for p in p1] == [(p.params, p.seed, p.key) for p in p2]
    assert len({p.key for p in p1}) == len(p1)
    other = sweep_points(_spec(tmp_path, seed=6))
    assert [p.params["a"] for p in other] != [p.params["a"] for p in p1]
    a = np.array([p.params["a"] for p in p1])
    assert np.all((a >= 0.5) & (a <= 1.5))
    # common random numbers: the same (sample, repeat) gets the same draws at every grid point
    by_x = {x: [(p.params["a"], p.seed) for p in p1 if p.params["x"] == x] for x in range(4)}
    assert by_x[0] == by_x[1] == by_x[3]


def test_local_processes_serial_and_dask_give_identical_tables(tmp_path):
    # regression: Dask worker processes run BLAS with one thread, this process with several, and
    # 64x64 results differed in the 15th digit; every runner now evaluates with one BLAS thread
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("threadpoolctl")
    spec = SweepSpec(STUDIES["mvm_error"], fixed={"rows": 64, "cols": 64, "r_wire": 2.0, "n_inputs": 16},
                     grid={"adc_bits": [0, 4]}, monte_carlo={"spread": {"dist": "uniform", "low": 0, "high": 0.3}},
                     samples=2, repeats=2, seed=11)
    serial = run_sweep(spec, output=tmp_path / "serial.csv", workers=0, progress=False)
    local = run_sweep(spec, output=tmp_path / "local.csv", workers=2, progress=False)
    cfg = tmp_path / "s.yaml"
    cfg.write_text("study: mvm_error\nfixed: {rows: 64, cols: 64, r_wire: 2.0, n_inputs: 16}\n"
                   "grid: {adc_bits: [0, 4]}\nmonte_carlo: {spread: {dist: uniform, low: 0, high: 0.3}}\n"
                   "samples: 2\nrepeats: 2\nseed: 11\n")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = run_sweep(spec, output=tmp_path / "dask.csv", scheduler=cluster.scheduler_address, progress=False)
        # the same through the command line
        assert main(["sweep", str(cfg), "--scheduler", cluster.scheduler_address, "--out",
                     str(tmp_path / "cli.csv"), "--no-progress"]) == 0
    assert serial.complete and local.complete and dask.complete
    assert dask.n_computed == local.n_computed == spec.n_points == 8
    assert serial.rows == local.rows == dask.rows
    text = (tmp_path / "serial.csv").read_text()
    assert text == (tmp_path / "local.csv").read_text() == (tmp_path / "dask.csv").read_text()
    assert text == (tmp_path / "cli.csv").read_text()
    # tidy: one row per point, parameter and result columns
    assert len(serial.rows) == 8 and {"point", "sample", "repeat", "seed", "adc_bits", "spread",
                                       "rel_error"} <= set(serial.columns)
    assert read_table(tmp_path / "dask.csv") == serial.rows


def test_resume_recomputes_only_missing_points(tmp_path):
    counter = tmp_path / "calls"
    counter.mkdir()
    spec = _spec(counter)
    out = tmp_path / "res.csv"
    part = run_sweep(spec, output=out, workers=0, progress=False, stop_after=7)
    assert not part.complete and part.n_computed == 7 and not out.exists()
    assert _calls(counter) == 7 and len(list((tmp_path / "res.csv.points").glob("*.json"))) == 7
    full = run_sweep(spec, output=out, workers=0, progress=False)
    assert full.complete and full.n_reused == 7 and full.n_computed == spec.n_points - 7
    assert _calls(counter) == spec.n_points          # every point computed exactly once overall
    fresh = run_sweep(spec, output=tmp_path / "fresh.csv", workers=0, progress=False)
    assert fresh.rows == full.rows
    again = run_sweep(spec, output=out, workers=0, progress=False)   # nothing left to do
    assert again.n_computed == 0 and _calls(counter) == 2 * spec.n_points


def test_resume_after_stop_with_worker_processes(tmp_path):
    counter = tmp_path / "calls"
    counter.mkdir()
    spec = _spec(counter)
    out = tmp_path / "res.csv"
    run_sweep(spec, output=out, workers=2, progress=False, stop_after=5)
    saved = len(list((tmp_path / "res.csv.points").glob("*.json")))
    calls_before = _calls(counter)
    assert saved >= 5 and calls_before >= saved          # points running at the stop may be lost
    res = run_sweep(spec, output=out, workers=2, progress=False)
    assert res.complete and res.n_reused == saved
    assert _calls(counter) - calls_before == spec.n_points - saved


def test_interrupt_keeps_finished_points(tmp_path):
    flag, counter = tmp_path / "flag", tmp_path / "calls"
    flag.mkdir()
    counter.mkdir()
    (flag / "armed").touch()
    spec = SweepSpec(H.interrupt_once, fixed={"flag_dir": str(flag), "counter_dir": str(counter)},
                     grid={"x": [0, 1, 2, 3, 4, 5]})
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    assert len(list((tmp_path / "r.csv.points").glob("*.json"))) == 3 and _calls(counter) == 4
    res = run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    assert res.complete and res.n_reused == 3 and res.n_computed == 3 and _calls(counter) == 7
    assert [r["y"] for r in res.rows] == [float(x) ** 2 for x in range(6)]


def test_failed_points_are_reported_and_retried(tmp_path):
    spec = SweepSpec(H.fails_on_negative, grid={"x": [-1.0, 2.0]})
    res = run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    assert not res.complete and res.n_failed == 1
    assert "ParameterError" in res.rows[0]["error"] and res.rows[1]["y"] == 2.0
    assert (tmp_path / "r.csv").exists()
    again = run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    assert again.n_reused == 1 and again.n_computed == 1          # the failed point is retried


def test_parquet_matches_csv(tmp_path):
    pytest.importorskip("pyarrow")
    spec = _spec(tmp_path / "c", samples=1, repeats=1)
    (tmp_path / "c").mkdir()
    a = run_sweep(spec, output=tmp_path / "t.parquet", workers=0, progress=False)
    b = run_sweep(spec, output=tmp_path / "t.csv", workers=0, progress=False)
    assert read_table(tmp_path / "t.parquet") == read_table(tmp_path / "t.csv") == a.rows == b.rows


def test_store_files_are_whole_json(tmp_path):
    spec = _spec(tmp_path / "c", samples=1, repeats=1)
    (tmp_path / "c").mkdir()
    run_sweep(spec, output=tmp_path / "t.csv", workers=0, progress=False)
    files = list((tmp_path / "t.csv.points").glob("*.json"))
    assert len(files) == 4
    for f in files:
        rec = json.loads(f.read_text())
        assert rec["ok"] and set(rec["result"]) == {"y", "u"}
    assert not list((tmp_path / "t.csv.points").glob("*.tmp"))
    # a truncated store file (e.g. a kill mid-write of a non-atomic tool) is ignored and recomputed
    files[0].write_text('{"ok": tr')
    res = run_sweep(spec, output=tmp_path / "t.csv", workers=0, progress=False)
    assert res.n_computed == 1 and res.complete


@pytest.mark.parametrize("kwargs,match", [
    (dict(grid={"x": []}), "empty"),
    (dict(grid={"x": 3}), "list"),
    (dict(grid={"nope": [1]}), "not arguments"),
    (dict(grid={"x": [1]}, monte_carlo={"a": {"dist": "gauss"}}, samples=2), "unknown"),
    (dict(grid={"x": [1]}, monte_carlo={"a": {"dist": "uniform", "low": 2, "high": 1}}, samples=2), "low"),
    (dict(grid={"x": [1]}, monte_carlo={"a": {"dist": "uniform", "low": 0, "high": 1}}), "samples"),
    (dict(grid={"x": [1]}, repeats=0), "repeats"),
    (dict(grid={"x": [1]}, fixed={"x": 2}), "more than one"),
])
def test_spec_validation(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SweepSpec(H.noisy_quadratic, **kwargs)


def test_run_sweep_rejects_bad_arguments(tmp_path):
    spec = SweepSpec(H.noisy_quadratic, grid={"x": [1]})
    with pytest.raises(ParameterError, match="workers"):
        run_sweep(spec, output=tmp_path / "a.csv", workers=-1)
    with pytest.raises(ConfigError, match="format"):
        run_sweep(spec, output=tmp_path / "a.xlsx")
    with pytest.raises(ConfigError, match="unknown"):
        SweepSpec("no_such_study", grid={"x": [1]})


def test_load_sweep_config(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text("study: mvm_error\nseed: 3\nfixed: {rows: 4, cols: 4}\ngrid: {r_wire: [0.0, 1.0]}\n"
                    "output: res.csv\nworkers: 0\n")
    spec, opts = load_sweep_config(good, studies=STUDIES)
    assert spec.n_points == 2 and opts == {"output": "res.csv", "workers": 0}
    bad = tmp_path / "b.yaml"
    bad.write_text("study: mvm_error\ngrid: {r_wire: [0.0, 1.0\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_sweep_config(bad)
    bad.write_text("study: mvm_error\ngird: {r_wire: [1]}\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_sweep_config(bad)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_sweep_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_sweep_config(tmp_path / "missing.yaml")


def test_sigkill_of_the_cli_then_resume(tmp_path):
    """A real kill: `memlab sweep` is SIGKILLed while a point runs; the rerun computes exactly
    the points without a saved result."""
    import signal
    import subprocess
    import sys
    import time

    gate, counter = tmp_path / "gate", tmp_path / "calls"
    gate.mkdir()
    counter.mkdir()
    cfg = tmp_path / "s.yaml"
    cfg.write_text(f"function: sweep_helpers:block_at\nfixed: {{gate_dir: '{gate}', counter_dir: '{counter}'}}\n"
                   "grid: {x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\nworkers: 0\n")
    memlab = Path(sys.executable).with_name("memlab")
    env = {**os.environ, "PYTHONPATH": os.path.dirname(H.__file__)}
    out = tmp_path / "r.csv"
    p = subprocess.Popen([str(memlab), "sweep", str(cfg), "--out", str(out), "--no-progress"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (gate / "reached").exists():          # wait for the event, not for a fixed time
        assert p.poll() is None and time.monotonic() < deadline, "sweep ended before reaching the gate"
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    saved = len(list((tmp_path / "r.csv.points").glob("*.json")))
    assert saved == 5 and _calls(counter) == 6 and not out.exists()
    (gate / "open").touch()
    q = subprocess.run([str(memlab), "sweep", str(cfg), "--out", str(out), "--no-progress"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert q.returncode == 0, q.stderr
    assert "5 computed locally, 5 reused" in q.stdout
    assert _calls(counter) == 6 + 5                    # exactly the 5 missing points were recomputed
    assert [r["y"] for r in read_table(out)] == [x + 0.5 for x in range(10)]


def test_lost_dask_worker_loses_no_finished_point(tmp_path):
    """A Dask worker process dies in the middle of the sweep: the scheduler reruns its task
    elsewhere, every point finished before is kept, and the table is complete and correct."""
    distributed = pytest.importorskip("distributed")
    flag, counter = tmp_path / "flag", tmp_path / "calls"
    flag.mkdir()
    counter.mkdir()
    (flag / "armed").touch()
    spec = SweepSpec(H.crash_worker_once, fixed={"flag_dir": str(flag), "counter_dir": str(counter)},
                     grid={"x": list(range(10))})
    import sys
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env={"PYTHONPATH": os.pathsep.join(sys.path)}) as cluster:
        res = run_sweep(spec, output=tmp_path / "r.csv", scheduler=cluster.scheduler_address, progress=False)
    assert not (flag / "armed").exists()               # the crash happened
    assert res.complete and [r["y"] for r in res.rows] == [3.0 * x for x in range(10)]
    assert len(list((tmp_path / "r.csv.points").glob("*.json"))) == 10
    assert _calls(counter) >= 11                         # the crashed point ran again


def test_spec_does_not_edit_the_callers_mappings():
    # regression: SweepSpec normalised the grid in place, replacing the caller's values
    grid, fixed = {"x": (0, np.int64(1))}, {"a": 2.0}
    spec = SweepSpec(H.noisy_quadratic, grid=grid, fixed=fixed)
    assert grid == {"x": (0, np.int64(1))} and type(grid["x"]) is tuple
    fixed["a"] = 5.0
    assert spec.fixed == {"a": 2.0} and spec.grid == {"x": [0, 1]}


def test_study_names_come_from_the_caller(tmp_path):
    # the sweep engine knows no study: names are resolved through the mapping the caller passes
    cfg = tmp_path / "s.yaml"
    cfg.write_text("study: mvm_error\ngrid: {r_wire: [0.0]}\n")
    with pytest.raises(ConfigError, match="unknown"):
        load_sweep_config(cfg)
    cfg.write_text("study: quad\ngrid: {x: [1.0, 2.0]}\n")
    spec, _ = load_sweep_config(cfg, studies={"quad": H.noisy_quadratic})
    assert spec.function is H.noisy_quadratic and spec.n_points == 2


def test_sweep_imports_no_layer():
    # memlab.sweep is ground: it may use memlab.errors, memlab._io, memlab._validate and memlab._table only
    import ast
    import memlab.sweep
    allowed = {"memlab.errors", "memlab._io", "memlab._validate", "memlab._table"}
    bad = []
    for f in Path(memlab.sweep.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            bad += [f"{f.name}: {n}" for n in names
                    if (n == "memlab" or n.startswith("memlab.")) and n not in allowed and not n.startswith("memlab.sweep")]
    assert bad == []
