"""Fault tests of sweeps: SIGKILL and SIGINT of local and Dask sweeps (no orphan process, no
point lost or duplicated, the resumed table byte-identical), dying workers (a one-line
memlab error within a timeout), failing points, NaN/inf fidelity, oversized specs and
unreadable configs. Every wait polls for an event with a generous deadline (loaded 2-core
machine); nothing sleeps a fixed time."""
import contextlib
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

import sweep_helpers as H
from memlab.cli import main
from memlab.errors import MemlabError, ParameterError
from memlab.sweep import SweepSpec, read_table, run_sweep

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc for orphans")

MEMLAB = Path(sys.executable).with_name("memlab")
N = 10          # points of the blocking sweeps (x = 0..9)
AT = 5          # points x >= AT block until the gate opens


def _wait_for(cond, what, timeout=120.0, proc=None):
    deadline = time.monotonic() + timeout
    while not cond():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"process ended ({proc.returncode}) before {what}: {err[-2000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _with_token(token):
    """PIDs of live processes whose environment holds MEMLAB_FAULT_TOKEN=token (their children
    inherit it: workers, the multiprocessing resource tracker)."""
    needle = f"MEMLAB_FAULT_TOKEN={token}".encode()
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{d}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in env and state != "Z":
            pids.append(int(d))
    return pids


def _no_orphans_within(token, timeout=5.0):
    deadline = time.monotonic() + timeout
    while _with_token(token):
        if time.monotonic() > deadline:
            left = _with_token(token)
            for pid in left:   # clean up what the test started, then fail
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            raise AssertionError(f"processes still running {timeout} s after the sweep died: {left}")
        time.sleep(0.05)


_STARTED = []


@pytest.fixture(autouse=True)
def _kill_leftovers():
    """Whatever a failing test leaves running is killed (the test has failed already)."""
    yield
    while _STARTED:
        token = _STARTED.pop()
        for pid in _with_token(token):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


class Blocking:
    """A `memlab sweep` of H.block_from (x = 0..9, x >= 5 blocks at a gate) in a subprocess."""

    def __init__(self, tmp_path, *extra):
        self.gate, self.counter = tmp_path / "gate", tmp_path / "calls"
        self.gate.mkdir()
        self.counter.mkdir()
        self.cfg = tmp_path / "s.yaml"
        self.cfg.write_text(f"function: sweep_helpers:block_from\nfixed: {{gate_dir: '{self.gate}', "
                            f"counter_dir: '{self.counter}', at: {AT}}}\ngrid: {{x: {list(range(N))}}}\n")
        self.out = tmp_path / "r.csv"
        self.store = tmp_path / "r.csv.points"
        self.token = uuid.uuid4().hex
        _STARTED.append(self.token)
        self.env = {**os.environ, "PYTHONPATH": os.path.dirname(H.__file__), "MEMLAB_FAULT_TOKEN": self.token}
        self.args = [str(MEMLAB), "sweep", str(self.cfg), "--out", str(self.out), "--no-progress", *extra]

    def start(self):
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        return self.proc

    def saved(self):
        return len(list(self.store.glob("*.json"))) if self.store.is_dir() else 0

    def calls(self):
        return len(os.listdir(self.counter))

    def reached(self, n):
        return len(list(self.gate.glob("reached-*"))) >= n

    def interrupt_then_resume(self, tmp_path):
        """Ctrl-C (SIGINT to the whole process group, as a terminal sends it): exit 130 with
        one line saying how many points are saved, no process left, then a clean resume."""
        os.killpg(self.proc.pid, signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 130, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "interrupted" in lines[0] and f"{AT} of {N}" in lines[0], err
        _no_orphans_within(self.token, 5.0)
        assert self.saved() == AT and not self.out.exists()
        self.resume_and_compare(tmp_path)

    def resume_and_compare(self, tmp_path, *extra):
        """Open the gate, run the same command again: the table equals, byte for byte, the
        table of an uninterrupted in-process run, and every point is in the store once."""
        (self.gate / "open").touch()
        q = subprocess.run(self.args + list(extra), env=self.env, capture_output=True, text=True, timeout=300)
        assert q.returncode == 0, q.stderr
        ref = tmp_path / "ref.csv"
        r = subprocess.run([str(MEMLAB), "sweep", str(self.cfg), "--out", str(ref), "--no-progress",
                            "--workers", "0"], env=self.env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert self.out.read_bytes() == ref.read_bytes()
        rows = read_table(self.out)
        assert [row["point"] for row in rows] == list(range(N))          # none lost, none duplicated
        assert [row["y"] for row in rows] == [x + 0.5 for x in range(N)]
        assert math.isnan(rows[2]["z"]) and rows[3]["z"] == math.inf and rows[4]["z"] == -math.inf
        assert self.saved() == N
        return q


def test_sigkill_of_parent_with_workers_leaves_no_process(tmp_path):
    b = Blocking(tmp_path, "--workers", "2")
    p = b.start()
    _wait_for(lambda: b.reached(2) and b.saved() == AT, "both workers blocked", proc=p)
    assert len(_with_token(b.token)) >= 3                # the parent, two workers (+ resource tracker)
    os.kill(p.pid, signal.SIGKILL)                       # the parent only, not its process group
    p.wait(timeout=60)          # not communicate(): orphaned workers would hold its pipes open
    _no_orphans_within(b.token, 5.0)
    p.communicate(timeout=60)   # the pipes are closed now that no worker holds them
    assert b.saved() == AT and not b.out.exists()
    b.resume_and_compare(tmp_path)


@pytest.mark.parametrize("workers", [0, 2])
def test_sigint_of_a_local_sweep_stops_resumably(tmp_path, workers):
    b = Blocking(tmp_path, "--workers", str(workers))
    p = b.start()
    _wait_for(lambda: b.reached(max(workers, 1)) and b.saved() == AT, "the points at the gate", proc=p)
    b.interrupt_then_resume(tmp_path)


@contextlib.contextmanager
def blocked_dask_sweep(tmp_path):
    """A Blocking sweep on a one-worker Dask cluster that belongs to this test (the sweep's own
    process is the client), started and waited for until its worker blocks at the gate."""
    distributed = pytest.importorskip("distributed")
    b = Blocking(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env={"PYTHONPATH": os.pathsep.join(sys.path)}) as cluster:
        b.args += ["--scheduler", cluster.scheduler_address, "--worker-timeout", "120"]
        p = b.start()
        _wait_for(lambda: b.reached(1) and b.saved() == AT, "the Dask worker blocked", proc=p)
        yield b, p


def test_sigint_of_a_dask_sweep_stops_resumably(tmp_path):
    with blocked_dask_sweep(tmp_path) as (b, _):
        b.interrupt_then_resume(tmp_path)


def test_sigkill_of_a_dask_sweep_client_then_resume(tmp_path):
    with blocked_dask_sweep(tmp_path) as (b, p):
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=60)
        _no_orphans_within(b.token, 5.0)                  # nothing the sweep started is left
        p.communicate(timeout=60)
        assert b.saved() == AT and not b.out.exists()
        b.resume_and_compare(tmp_path)                    # the blocked task is rerun, not lost or doubled


def _in_thread(fn, timeout):
    """Run fn() in a thread; fail (instead of hanging the suite) when it does not end in time."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box["error"] = err
    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"still running after {timeout} s"
    return box


def test_losing_the_only_dask_worker_is_a_clear_error(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = SweepSpec(H.crash_worker_at, grid={"x": list(range(8))}, fixed={"at": 4})
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        # a worker without a nanny: when it dies nothing restarts it
        w = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                              "--no-nanny", "--nthreads", "1", "--no-dashboard"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with distributed.Client(cluster) as c:
                c.wait_for_workers(1, timeout=120)
            t0 = time.monotonic()
            box = _in_thread(lambda: run_sweep(spec, output=tmp_path / "r.csv", scheduler=cluster.scheduler_address,
                                               progress=False, worker_timeout=5), 120)
            w.wait(timeout=60)                      # the worker really died
        finally:
            if w.poll() is None:
                w.kill()
    err = box.get("error")
    assert isinstance(err, MemlabError), box
    msg = str(err)
    saved = len(list((tmp_path / "r.csv.points").glob("*.json")))
    # points 0-3 ran before the crash; those whose result died with the worker before it was fetched are not saved
    assert "\n" not in msg and "no worker" in msg and "tcp://" in msg and f"{saved} of 8 points" in msg, msg
    assert saved <= 4 and time.monotonic() - t0 < 100


def test_a_dying_local_worker_is_a_one_line_error(tmp_path, capsys):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("function: sweep_helpers:crash_worker_at\nfixed: {at: 4}\ngrid: {x: [0, 1, 2, 3, 4, 5]}\n")
    token = uuid.uuid4().hex
    _STARTED.append(token)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(H.__file__), "MEMLAB_FAULT_TOKEN": token}
    q = subprocess.run([str(MEMLAB), "sweep", str(cfg), "--out", str(tmp_path / "r.csv"), "--no-progress",
                        "--workers", "2"], env=env, capture_output=True, text=True, timeout=300)
    lines = q.stderr.strip().splitlines()
    assert q.returncode == 1 and len(lines) == 1, q.stderr
    assert lines[0].startswith("memlab: error:") and "worker process" in lines[0] and "of 6 points" in lines[0]
    saved = len(list((tmp_path / "r.csv.points").glob("*.json")))
    assert f"{saved} of 6 points" in lines[0] and saved >= 1     # points collected before the crash are kept
    _no_orphans_within(token, 5.0)


def test_a_non_memlab_exception_is_a_failed_point(tmp_path, capsys):
    spec = SweepSpec(H.divide, grid={"x": [1.0, 0.0, 2.0, 3.0, 4.0]})
    res = run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    assert res.n_failed == 2 and res.n_computed == 5 and not res.complete
    assert [r.get("y") for r in res.rows] == [1.0, None, 0.5, None, 1.0]
    assert res.rows[1]["error"].startswith("ZeroDivisionError: float division by zero (at sweep_helpers.py:")
    cfg = tmp_path / "s.yaml"
    cfg.write_text("function: sweep_helpers:divide\ngrid: {x: [1.0, 0.0, 2.0, 3.0, 4.0]}\nworkers: 0\n")
    assert main(["sweep", str(cfg), "--out", str(tmp_path / "c.csv"), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 of 5 points failed" in err[0] and "ZeroDivisionError" in err[0], err


def test_resumed_table_keeps_nan_and_inf(tmp_path):
    spec = SweepSpec(H.inf_result, grid={"x": [0, 1, 2, 3]})
    run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False, stop_after=3)
    resumed = run_sweep(spec, output=tmp_path / "r.csv", workers=0, progress=False)
    fresh = run_sweep(spec, output=tmp_path / "f.csv", workers=0, progress=False)
    assert resumed.n_reused == 3 and fresh.n_reused == 0
    assert (tmp_path / "r.csv").read_text() == (tmp_path / "f.csv").read_text()
    assert "nan" in (tmp_path / "f.csv").read_text()
    assert str(resumed.rows) == str(fresh.rows)        # the same floats in memory too (nan != nan)


def test_inf_results_write_to_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    spec = SweepSpec(H.inf_result, grid={"x": [0, 1, 2, 3]})
    run_sweep(spec, output=tmp_path / "r.parquet", workers=0, progress=False, stop_after=2)
    res = run_sweep(spec, output=tmp_path / "r.parquet", workers=0, progress=False)
    assert res.complete
    rows = read_table(tmp_path / "r.parquet")
    assert [r["y"] for r in rows] == [0.0, math.inf, 2.0, 3.0]
    assert [r["z"] for r in rows if r["point"] != 2] == [-math.inf] * 3 and math.isnan(rows[2]["z"])


@pytest.mark.parametrize("field", ["repeats", "samples"])
def test_a_point_table_that_cannot_fit_is_refused(field):
    kw = {"repeats": 10**11} if field == "repeats" else {
        "samples": 10**11, "monte_carlo": {"a": {"dist": "uniform", "low": 0, "high": 1}}}
    t0 = time.monotonic()
    with pytest.raises(ParameterError, match=f"'{field}'.*GiB"):
        SweepSpec(H.noisy_quadratic, grid={"x": [1, 2]}, **kw)
    assert time.monotonic() - t0 < 5


def _unreadable(tmp_path, kind):
    if kind == "binary":
        p = tmp_path / "b.yaml"
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    elif kind == "directory":
        p = tmp_path / "d.yaml"
        p.mkdir()
    elif kind == "under a file":
        (tmp_path / "f").write_text("x")
        p = tmp_path / "f" / "s.yaml"
    else:
        if os.geteuid() == 0:
            # root reads a mode-000 file, so use a file whose read fails (EIO: address 0 of this
            # process's memory is unmapped) for the same "cannot be read" path
            return Path("/proc/self/mem")
        p = tmp_path / "u.yaml"
        p.write_text("study: mvm_error\n")
        p.chmod(0)
    return p


@pytest.mark.parametrize("kind", ["binary", "directory", "under a file", "mode 000"])
def test_unreadable_configs_are_one_line_errors(tmp_path, capsys, kind):
    p = _unreadable(tmp_path, kind)
    assert main(["sweep", str(p), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("memlab: error: sweep config") and str(p) in err[0], err


def test_a_config_whose_point_table_cannot_fit_is_one_line(tmp_path, capsys):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("function: sweep_helpers:noisy_quadratic\ngrid: {x: [1, 2]}\nrepeats: 100000000000\n")
    assert main(["sweep", str(cfg), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(cfg) in err[0] and "'repeats'" in err[0] and "GiB" in err[0], err


def test_a_point_that_keeps_killing_dask_workers_is_a_failed_point(tmp_path):
    """The nanny restarts the worker; the scheduler gives up on the point (KilledWorker) and
    the sweep records it as failed and completes the others."""
    distributed = pytest.importorskip("distributed")
    import dask
    spec = SweepSpec(H.crash_worker_at, grid={"x": list(range(6))}, fixed={"at": 4})
    # one task per worker thread at a time: no innocent bystander is blamed for the crash
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                     env={"PYTHONPATH": os.pathsep.join(sys.path)}) as cluster:
        res = run_sweep(spec, output=tmp_path / "r.csv", scheduler=cluster.scheduler_address, progress=False,
                        worker_timeout=120)
    assert res.n_failed == 1 and "KilledWorker" in res.rows[4]["error"] and "\n" not in res.rows[4]["error"]
    assert [r.get("y") for r in res.rows] == [0.0, 1.0, 2.0, 3.0, None, 5.0]
