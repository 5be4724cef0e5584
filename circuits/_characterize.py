"""Cell characterisation in ngspice (or natively) and point-by-point comparison.

:func:`characterize` writes the cell netlist (generated subcircuits, source, series
resistance, a 0 V sense source), runs it in ngspice's shared library and returns a
:class:`~memlab.devices.Trace` with ``source="ngspice"`` on the same time grid as the
native simulator (the drive's ``time_grid()``), so :func:`compare` can match them point
by point. ngspice's own time points are kept in ``trace.stats["t_raw"]`` etc.

Drives: :class:`~memlab.devices.Sine`, :func:`~memlab.devices.Triangle`,
:func:`~memlab.devices.PulseTrain`, :class:`~memlab.devices.PWL` (transient) and
:class:`DCSweep` (DC sweep at frozen state).
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np

from memlab._validate import real
from memlab.errors import ConvergenceError, ParameterError, NetlistError
from memlab.devices import Drive, Trace
from memlab.circuits._cells import Cell, OneR, OneS1R, OneT1R
from memlab.circuits._subckt import subcircuit
from memlab.circuits._printers import _num
from memlab.circuits._ngspice import run_netlist, check_timeout, _RunTimeout

__all__ = ["characterize", "cell_netlist", "compare_traces", "TraceComparison", "DCSweep", "NGSPICE_OPTIONS"]

#: transient options: gear integration, tight tolerances (tuned for the agreement tests;
#: chgtol/abstol small because currents go down to nA and the state charge is <= 1 C)
NGSPICE_OPTIONS = {"method": "gear", "reltol": 1e-8, "abstol": 1e-15, "vntol": 1e-9, "chgtol": 1e-20,
                   "trtol": 1, "itl4": 200, "itl1": 500}


@dataclass(frozen=True)
class DCSweep:
    """DC sweep of the source voltage from ``start`` to ``stop`` (V) in steps ``step`` (V),
    with the device state frozen at ``x0`` (quasi-static I-V at fixed state)."""

    start: float = -1.0
    stop: float = 1.0
    step: float = 0.01
    r_series: float = 0.0

    def __post_init__(self):
        for n in ("start", "stop", "step"):
            real(getattr(self, n), n, unit="V", where="DCSweep")
        real(self.r_series, "r_series", lo=0.0, unit="ohm", where="DCSweep")
        if self.step == 0 or (self.stop - self.start) / self.step < 0:
            raise ParameterError(f"DCSweep: parameter 'step' = {self.step!r} must be non-zero and point from "
                                 f"start = {self.start} V to stop = {self.stop} V")
        if self.r_series < 0:
            raise ParameterError(f"DCSweep: parameter 'r_series' = {self.r_series!r} is outside [0, inf) ohm")

    def values(self) -> np.ndarray:
        n = int(math.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        return self.start + self.step * np.arange(n)


# ------------------------------------------------------------------ netlist
def _source_line(drive: Drive, name="Vsrc", node="in"):
    """ngspice source line: SIN for :class:`Sine`, PWL otherwise (periodic PWLs expanded)."""
    from memlab.devices import Sine
    if isinstance(drive, Sine):
        ph = math.degrees(drive.phase)
        return f"{name} {node} 0 dc 0 sin({_num(drive.offset)} {_num(drive.amplitude)} {_num(drive.frequency)} 0 0 {_num(ph)})"
    kind, dp, tp, vp = drive.encode()
    if kind != 1:
        raise ParameterError(f"characterize: drive {type(drive).__name__} is not supported in ngspice")
    tp = np.asarray(tp, float)
    vp = np.asarray(vp, float)
    if dp[0] > 0:  # periodic: expand the repeats
        T = dp[0]
        nrep = int(math.ceil(drive.duration / T - 1e-12))
        ts, vs = [tp], [vp]
        for k in range(1, nrep):
            t_k, v_k = tp + k * T, vp
            if v_k[0] == vs[-1][-1]:
                t_k, v_k = t_k[1:], v_k[1:]
            else:
                t_k = t_k.copy()
                t_k[0] += 1e-9 * T
            ts.append(t_k)
            vs.append(v_k)
        tp, vp = np.concatenate(ts), np.concatenate(vs)
    pairs = [f"{_num(a)} {_num(b)}" for a, b in zip(tp, vp)]
    body = [" ".join(pairs[j:j + 8]) for j in range(0, len(pairs), 8)]
    return f"{name} {node} 0 dc {_num(vp[0])} pwl(\n" + "\n".join("+ " + b for b in body) + "\n+ )"


def cell_netlist(cell: Cell, drive, *, x0=None, t_step=None, t_stop=None, max_step=None, options=None,
                 title=None, rate_cap: float = 100.0, edge: float = 1e-4, smooth_rate: float = 0.0) -> str:
    """Full ngspice netlist text (``"\\n"`` line endings) of ``cell`` driven by ``drive``.

    Transient drives produce ``.tran t_step t_stop 0 max_step uic``; a :class:`DCSweep`
    produces ``.dc Vsrc start stop step`` with the state frozen at ``x0``.

    ``rate_cap``: the device's normalised state rate is capped at ``rate_cap / max_step``
    (1/s); ``edge``: bound limiting time ``tedge = edge * max_step`` (s); ``smooth_rate``:
    relative blend width of state-dependent rate thresholds (0 = exact). See
    :func:`~memlab.circuits.subcircuit`. Times in s, voltages in V, resistances in ohm.
    """
    if not isinstance(cell, Cell):
        raise ParameterError(f"cell_netlist: 'cell' must be a OneR, OneS1R or OneT1R, got {type(cell).__name__}")
    m = cell.device
    dc = isinstance(drive, DCSweep)
    if not dc:
        if not isinstance(drive, Drive):
            raise ParameterError(f"cell_netlist: 'drive' must be a memlab Drive or DCSweep, got {type(drive).__name__}")
        for name, val in (("t_step", t_step), ("t_stop", t_stop), ("max_step", max_step)):
            real(val, name, lo=0.0, lo_open=True, unit="s", where="cell_netlist")
    rate_cap = real(rate_cap, "rate_cap", lo=0.0, lo_open=True, where="cell_netlist")
    edge = real(edge, "edge", lo=0.0, lo_open=True, where="cell_netlist")
    smooth_rate = real(smooth_rate, "smooth_rate", lo=0.0, where="cell_netlist")
    sub = subcircuit(m, static=dc, smooth_rate=smooth_rate)
    lines = [title or f"memlab {cell.kind} {m.name}", sub.text]
    r_tot = float(cell.r_series) + float(drive.r_series)
    bottom = {"1R": "0", "1S1R": "m", "1T1R": "d"}[cell.kind]
    if isinstance(cell, OneS1R):
        ssub = subcircuit(cell.selector, static=dc)
        lines.append(ssub.text)
    if isinstance(cell, OneT1R):
        lines.append(cell.model_line())
    if dc:
        lines.append(f"Vsrc in 0 dc {_num(drive.start)}")
    else:
        lines.append(_source_line(drive))
    if r_tot > 0:
        lines.append(f"Rs in a {_num(r_tot)}")
        lines.append("Vsense a te dc 0")
    else:
        lines.append("Vsense in te dc 0")
    rate_max = None if (dc or max_step is None) else rate_cap / max_step
    t_edge = None if (dc or max_step is None) else edge * max_step
    lines.append(sub.instance("1", "te", bottom, x0=x0, rate_max=rate_max, t_edge=t_edge))
    if isinstance(cell, OneS1R):   # a moving selector (threshold switch) gets its state node x2.xs
        lines.append(ssub.instance("2", "m", "0", rate_max=rate_max, t_edge=t_edge))
    if isinstance(cell, OneT1R):
        mo = cell.mosfet.values
        lines.append(f"M1 d g 0 bulk nmos_memlab w={_num(mo['w'])} l={_num(mo['l'])}")
        lines.append(f"Vg g 0 dc {_num(cell.v_gate)}")
        lines.append(f"Vb bulk 0 dc {_num(cell.bulk_voltage)}")
    opts = dict(NGSPICE_OPTIONS)
    opts.update(options or {})
    lines.append(".options " + " ".join(f"{k}={v}" for k, v in opts.items()))
    if dc:
        lines.append(f".dc Vsrc {_num(drive.start)} {_num(drive.stop)} {_num(drive.step)}")
    else:
        lines.append(f".tran {_num(t_step)} {_num(t_stop)} 0 {_num(max_step)} uic")
    lines.append(".end")
    return "\n".join(lines)


# ------------------------------------------------------------------ characterize
def _check_timing(drive, t_step, max_step):
    for name, val in (("t_step", t_step), ("max_step", max_step)):
        if val is None:
            continue
        val = real(val, name, lo=0.0, lo_open=True, unit="s", where="characterize")
        per = drive.period or drive.duration
        if val > per:
            raise ParameterError(f"characterize: parameter '{name}' = {val!r} s is longer than the drive period "
                                 f"{per:g} s; allowed range (0, {per:g}] s")


def characterize(cell, drive, *, x0=None, simulator: str = "ngspice", max_step: float | None = None,
                 steps_per_output: float | None = None, options: dict | None = None, rtol: float = 1e-6,
                 t_step: float | None = None, t=None, retries: int = 2, save=(),
                 smooth_rate: float | None = None, timeout: float | None = None) -> Trace:
    """Characterise a cell under a drive, in ngspice (default) or natively.

    Parameters
    ----------
    cell : OneR, OneS1R, OneT1R, or a DeviceModel (taken as a 1R cell)
    drive : Sine, Triangle/PWL, PulseTrain, or DCSweep
        Source voltage (V); its ``r_series`` (ohm) adds to the cell's.
    x0 : float, optional
        Initial (or, for DC sweeps, frozen) state in state units; default the model's x0.
    simulator : {"ngspice", "native"}
    max_step : float, optional
        Largest ngspice time step in s; default output spacing / ``steps_per_output``.
        Must be positive and not longer than the drive period.
    steps_per_output : float, optional
        ngspice steps per output interval when ``max_step`` is not given (default 4 for
        a sine, 20 for PWL drives, whose sharp edges would otherwise show linear
        interpolation error in the current).
    options : dict, optional
        Extra ngspice ``.options`` (override :data:`NGSPICE_OPTIONS`).
    rtol : float
        Native simulator tolerance (relative to the state range).
    t_step : float, optional
        ngspice ``.tran`` print step in s (default: the output spacing).
    retries : int
        If ngspice stops with a convergence failure ("timestep too small"), run again,
        up to ``retries`` times: first with state-dependent rate thresholds blended
        (``smooth_rate`` 1e-6, when the model has such thresholds and ``smooth_rate`` is
        not given), then with half the ``max_step``. Each attempt is independent; the
        failures are listed in ``trace.stats["failures"]`` and the settings that worked
        in ``stats["max_step"]`` and ``stats["smooth_rate"]``.
    save : sequence of str
        Extra cell node voltages to return in ``trace.stats["nodes"]`` (ngspice only;
        names from ``cell.nodes()``); an unknown name raises NetlistError.
    smooth_rate : float, optional
        Relative width of the logistic blend that replaces state-dependent thresholds of
        the rate in ngspice (see :func:`subcircuit`). Default: exact thresholds, blended
        (1e-6) only on a retry after a convergence failure. Stanford-PKU's F_min gate
        makes the exact state equation jump where the solution slides along the
        threshold; the blend costs several times the run time, so it is not the default.
    t : array or "ngspice", optional
        Output times in s (default ``drive.time_grid()``). ngspice's results are linearly
        interpolated onto them; ``t="ngspice"`` returns ngspice's own time points
        instead (no interpolation: pass that ``trace.t`` to the native run to compare
        point by point, e.g. for pulse trains whose sharp edges make interpolation error
        visible).
    timeout : float, optional
        Wall-time limit in s for the whole call (all ngspice attempts; default none). A run
        still going then is halted and ConvergenceError naming the timeout is raised (not
        retried). Ctrl-C halts ngspice too and raises KeyboardInterrupt.

    Returns
    -------
    Trace
        On ``drive.time_grid()`` (transient) or on the sweep points (DC: ``t`` is the
        sweep index, ``v_source`` the swept voltage). ``source`` is "ngspice" or "native".
    """
    from memlab.devices import DeviceModel
    from memlab.circuits._native import simulate_cell, dc_native
    if isinstance(cell, DeviceModel):
        cell = OneR(cell)
    if not isinstance(cell, Cell):
        raise ParameterError(f"characterize: 'cell' must be a OneR, OneS1R, OneT1R or DeviceModel, "
                             f"got {type(cell).__name__}")
    if simulator not in ("ngspice", "native"):
        raise ParameterError(f"characterize: parameter 'simulator' = {simulator!r} is not one of ('ngspice', 'native')")
    m = cell.device
    x0v = real(m.state.x0 if x0 is None else x0, "x0", unit=m.state.unit, where="characterize")
    timeout = check_timeout(timeout, "characterize")
    rtol = real(rtol, "rtol", lo=0.0, hi=1.0, lo_open=True, hi_open=True, where="characterize")
    lo, hi = (float(b) for b in m.bounds())
    if not (math.isfinite(x0v) and lo <= x0v <= hi):
        raise ParameterError(f"characterize: parameter 'x0' = {x0!r} is outside the allowed range "
                             f"[{lo:g}, {hi:g}] {m.state.unit}")
    if isinstance(drive, DCSweep):
        if simulator == "native":
            c = dataclasses.replace(cell, r_series=cell.r_series + drive.r_series)
            return dc_native(c, drive.values(), x0v)
        return _dc_ngspice(cell, drive, x0v, timeout)
    if not isinstance(drive, Drive):
        raise ParameterError(f"characterize: 'drive' must be a memlab Drive or DCSweep, got {type(drive).__name__}")
    _check_timing(drive, t_step, max_step)
    retries = real(retries, "retries", lo=0, integer=True, where="characterize")
    if steps_per_output is not None:
        steps_per_output = real(steps_per_output, "steps_per_output", lo=0.0, lo_open=True, where="characterize")
    if smooth_rate is not None:
        smooth_rate = real(smooth_rate, "smooth_rate", lo=0.0, where="characterize")
    if isinstance(t, str) and (t != "ngspice" or simulator == "native"):
        raise ParameterError(f"characterize: parameter 't' = {t!r}; allowed: an array of times (s), or "
                             f"'ngspice' with simulator='ngspice'")
    if t is not None and not isinstance(t, str):
        t = np.asarray(t, dtype=float)
        if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0) or t[0] < 0:
            raise ParameterError("characterize: parameter 't' must be a finite, strictly increasing 1-D array of "
                                 ">= 2 times >= 0 s")
        if t[-1] > drive.duration * (1 + 1e-12):
            raise ParameterError(f"characterize: parameter 't' ends at {t[-1]!r} s, after the drive "
                                 f"(duration {drive.duration:g} s); allowed range [0, {drive.duration:g}] s")
    save = (save,) if isinstance(save, str) else tuple(save)
    unknown = [n for n in save if n not in cell.nodes()]
    if unknown:
        raise NetlistError(f"characterize: unknown node name(s) {unknown} for a {cell.kind} cell; "
                           f"known nodes: {list(cell.nodes())} (and ground '0')")
    if simulator == "native":
        if save:
            raise ParameterError("characterize: 'save' needs simulator='ngspice'")
        return simulate_cell(cell, drive, x0=x0v, rtol=rtol, max_step=max_step, t=t)
    t_out = drive.time_grid()
    if t_step is None:
        t_step = float(np.median(np.diff(t_out)))
    if steps_per_output is None:
        from memlab.devices import Sine
        steps_per_output = 4.0 if isinstance(drive, Sine) else 20.0
    if max_step is None:
        max_step = min(float(np.median(np.diff(t_out))) / steps_per_output, drive.duration / 50)
    t_req = t
    t0 = time.perf_counter()
    failures = []
    has_state_threshold = smooth_rate is None and _state_thresholds(m)
    sr = 0.0 if smooth_rate is None else float(smooth_rate)
    for attempt in range(int(retries) + 1):
        text = cell_netlist(cell, drive, x0=x0v, t_step=t_step, t_stop=float(t_out[-1]), max_step=max_step,
                            options=options, smooth_rate=sr)
        left = None if timeout is None else max(timeout - (time.perf_counter() - t0), 1e-3)
        try:
            res = run_netlist(text, what=f"{cell.kind} {m.name} transient", timeout=left)
            break
        except _RunTimeout as exc:
            raise _RunTimeout(f"characterize: {exc} (timeout = {timeout!r} s for the call, attempt {attempt + 1})",
                              log=exc.log) from exc
        except ConvergenceError as exc:
            failures.append(f"max_step={max_step:.3g} s, smooth_rate={sr:g}: {exc}")
            if attempt == int(retries):
                raise ConvergenceError(f"{exc} (tried {attempt + 1} settings: " + "; ".join(
                    f.split(':')[0] for f in failures) + ")", log=exc.log) from exc
            if has_state_threshold and sr == 0.0:
                sr = 1e-6
            else:
                max_step = max_step / 2
    wall = time.perf_counter() - t0
    t = res.vec("time")
    i_raw = res.vec("vsense#branch")
    v_te = res.vec("te")
    v_bot = res.vec({"1R": "te", "1S1R": "m", "1T1R": "d"}[cell.kind]) if cell.kind != "1R" else np.zeros_like(t)
    v_in = res.vec("in")
    if m.rate_expr == 0:
        x_raw = np.full_like(t, x0v)
    else:
        s = res.vec("x1.xs")
        x_raw = lo + (hi - lo) * np.clip(s, 0.0, 1.0)
    v_raw = v_te - v_bot
    sel_x = _selector_state(cell, res)
    if isinstance(t_req, str):
        t_out = t
    elif t_req is not None:
        t_out = t_req
    interp = lambda a: np.interp(t_out, t, a)
    nodes = {n: interp(res.vec(n)) for n in save}
    return Trace(t=t_out, v=interp(v_raw), i=interp(i_raw), x=interp(x_raw), v_source=drive.value(t_out),
                 model=m.name, state_name=m.state.name, state_unit=m.state.unit,
                 r_series=float(cell.r_series) + float(drive.r_series), period=drive.period, source="ngspice",
                 stats={"cell": cell.kind, "t_raw": t, "i_raw": i_raw, "x_raw": x_raw, "v_raw": v_raw,
                        "v_source_raw": v_in, "n_points": int(t.size), "wall_time": wall, "max_step": max_step,
                        "netlist": text, "x_final": float(x_raw[-1]),
                        "failures": failures, "nodes": nodes, "smooth_rate": sr, **{
                            k: (interp(a) if k == "x_selector" else a) for k, a in sel_x.items()}})


def _selector_state(cell, res) -> dict:
    """``{"x_selector": raw state, "selector_state_unit": unit}`` of a moving selector, else {}."""
    if not isinstance(cell, OneS1R) or cell.selector.rate_expr == 0:
        return {}
    lo, hi = (float(b) for b in cell.selector.bounds())
    return {"x_selector": lo + (hi - lo) * np.clip(res.vec("x2.xs"), 0.0, 1.0),
            "selector_state_unit": cell.selector.state.unit}


def _state_thresholds(model) -> bool:
    """True if a Piecewise condition of the rate depends on the state."""
    import sympy as sp
    return any(any(model.x in c.free_symbols for _, c in pw.args)
               for pw in model.rate_expr.atoms(sp.Piecewise))


def _dc_ngspice(cell, drive, x0v, timeout=None):
    m = cell.device
    text = cell_netlist(cell, drive, x0=x0v)
    res = run_netlist(text, what=f"{cell.kind} {m.name} DC sweep", timeout=timeout)
    vs = res.vec("v-sweep") if "v-sweep" in res.vectors else res.vec("in")
    i = res.vec("vsense#branch")
    v_te = res.vec("te")
    v_bot = res.vec({"1S1R": "m", "1T1R": "d"}[cell.kind]) if cell.kind != "1R" else 0.0
    return Trace(t=np.arange(vs.size, dtype=float), v=v_te - v_bot, i=i, x=np.full(vs.size, x0v), v_source=vs,
                 model=m.name, state_name=m.state.name, state_unit=m.state.unit,
                 r_series=float(cell.r_series) + float(drive.r_series), period=None, source="ngspice",
                 stats={"analysis": "dc", "netlist": text})


# ------------------------------------------------------------------ compare
@dataclass(frozen=True)
class TraceComparison:
    """Point-by-point difference of two traces (b is the reference).

    ``i_max`` = max|i_a - i_b| / max|i_b|, ``i_rms`` = rms(i_a - i_b) / max|i_b|
    (dimensionless, normalised by the reference's peak current); ``x_max`` =
    max|x_a - x_b| / (state range or max|x_b|); ``n`` points compared.
    """

    i_max: float
    i_rms: float
    x_max: float
    n: int
    i_peak: float

    def __str__(self):
        return (f"current error: max {100 * self.i_max:.3g} %, rms {100 * self.i_rms:.3g} % of peak "
                f"{self.i_peak:.4g} A; state error max {100 * self.x_max:.3g} % ({self.n} points)")


def compare_traces(trace_a: Trace, trace_b: Trace, *, state_range: float | None = None) -> TraceComparison:
    """Compare two traces point by point (same time grid, one device each).

    Normalisation: currents by the peak |i| of ``trace_b``; states by ``state_range``
    (default: the span of ``trace_b.x``, or its peak |x| if it does not move).
    Traces on different grids are compared at their common times (at least 90 % of
    ``trace_b``'s points must be found in ``trace_a``), otherwise ShapeError is raised.
    """
    from memlab.errors import ShapeError
    if state_range is not None:
        state_range = real(state_range, "state_range", lo=0.0, lo_open=True, where="compare_traces")
    for tr, nm in ((trace_a, "trace_a"), (trace_b, "trace_b")):
        if not isinstance(tr, Trace):
            raise ParameterError(f"compare: '{nm}' must be a Trace, got {type(tr).__name__}")
        if np.ndim(tr.i) != 1:
            raise ShapeError(f"compare: '{nm}' holds a population ({np.shape(tr.i)}); compare one device (trace[k])")
    ta, tb = np.asarray(trace_a.t, float), np.asarray(trace_b.t, float)
    ia, ib = np.asarray(trace_a.i, float), np.asarray(trace_b.i, float)
    xa, xb = np.asarray(trace_a.x, float), np.asarray(trace_b.x, float)
    if ta.shape != tb.shape or not np.allclose(ta, tb, rtol=1e-9, atol=0):
        # different grids: compare at the times both hold (e.g. the native run on ngspice's
        # time points, where the native integrator added the drive's breakpoints)
        tol = 1e-9 * max(float(tb[-1] - tb[0]), 1e-300)
        j = np.clip(np.searchsorted(ta, tb), 1, max(ta.size - 1, 1))
        jn = np.where(np.abs(ta[j - 1] - tb) <= np.abs(ta[j] - tb), j - 1, j)
        ok = np.abs(ta[jn] - tb) <= tol
        if ok.sum() < 0.9 * tb.size:
            raise ShapeError(f"compare: the time grids differ (trace_a has {ta.size} points, trace_b {tb.size}; "
                             f"{int(ok.sum())} times in common); run both on the same times")
        ia, xa = ia[jn[ok]], xa[jn[ok]]
        ib, xb, tb = ib[ok], xb[ok], tb[ok]
        ta = tb
    peak = float(np.max(np.abs(ib)))
    scale = peak if peak > 0 else 1.0
    d = ia - ib
    if state_range is None:
        state_range = float(np.ptp(xb)) or float(np.max(np.abs(xb))) or 1.0
    return TraceComparison(i_max=float(np.max(np.abs(d)) / scale), i_rms=float(np.sqrt(np.mean(d * d)) / scale),
                      x_max=float(np.max(np.abs(xa - xb)) / state_range), n=int(ta.size), i_peak=peak)
