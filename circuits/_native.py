"""Native (no ngspice) simulation of series cells: 1S1R and 1T1R.

The 1R cell goes to :func:`memlab.devices.simulate` (ROS2) with the cell's series
resistance added to the drive's. For cells with a second nonlinear element the circuit
is solved at every right-hand-side evaluation: with the device voltage ``vd`` and the
bottom-node voltage ``u``::

    v_source = vd + u + R_s i_dev(vd, x)        (loop)
    i_dev(vd, x) = i_low(u)                      (KCL at the bottom node)

``i_low`` is the selector's or the transistor's (:class:`memlab.devices.MOSFET`) current.
``u`` is found by a safeguarded Newton iteration on a bracket (the residual is monotone in ``u``), with an inner
safeguarded Newton for ``vd``. The state ODE is integrated by scipy's ``solve_ivp``
(BDF, tolerances relative to the state range) with the same clipping semantics as the
ngspice subcircuit: the state is clamped where it is evaluated and does not move outward
at a bound.

A 1S1R cell whose selector has a moving state too (a volatile threshold switch such as
:class:`~memlab.devices.MottSelector`, state T) is integrated as one ODE system in both
normalised states ``[s_device, s_selector]``: the loop equations above are solved exactly
at both states at every evaluation (the selector's current ``i_low(u, x_sel)``), each
state moves with its own part's voltage (``vd`` for the device, ``u`` for the selector),
and one BDF error control covers both. The selector's state is returned in
``trace.stats["x_selector"]`` (its unit in ``stats["selector_state_unit"]``).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from memlab._validate import real
from memlab.errors import ConvergenceError, ParameterError
from memlab.devices import Drive, Trace, simulate

__all__ = ["simulate_cell", "solve_cell", "dc_native"]


def _mono_solve(f, lo, hi, x0, tol=1e-13, maxit=200):
    """Root of an increasing function ``f -> (value, slope)`` on [lo, hi] (safeguarded Newton)."""
    x = min(max(x0, lo), hi)
    for _ in range(maxit):
        F, dF = f(x)
        if F == 0.0:
            return x
        if F > 0:
            hi = x
        else:
            lo = x
        xn = x - F / dF if dF > 0 and math.isfinite(dF) else 0.5 * (lo + hi)
        if not (lo < xn < hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= tol * (1.0 + abs(x)) or (hi - lo) <= tol * (1.0 + abs(x)):
            return xn
        x = xn
    return x


class _CellSolver:
    """Solves the loop equations of a series cell at given source voltage and state."""

    def __init__(self, cell, r_extra=0.0):
        from memlab.circuits._cells import OneS1R, OneT1R
        self.cell = cell
        self.R = float(cell.r_series) + float(r_extra)
        m = cell.device
        self.k = m.scalar_kernel()
        self.p = m.param_matrix(1)[0]
        self.kind = cell.kind
        lower = None
        if isinstance(cell, OneS1R):
            lower = cell.selector
        elif isinstance(cell, OneT1R):
            if cell.card:
                raise ParameterError("simulate_cell: a 1T1R cell with a custom MOSFET card can only be run in ngspice")
            lower = cell.transistor  # memlab.devices.MOSFET: the same sympy equations as everywhere
        if lower is not None:
            self.kl = lower.scalar_kernel()
            self.pl = lower.param_matrix(1)[0]
            self.xl = float(lower.state.x0)
        #: the selector has a moving state of its own (a volatile threshold switch)
        self.lower_moves = isinstance(cell, OneS1R) and cell.selector.rate_expr != 0
        self._u = 0.0
        self._vd = 0.0

    def low(self, u, xl=None):
        """Current (A) and conductance (S) of the bottom element (selector or transistor) at voltage u
        (and selector state ``xl``, default its x0)."""
        if self.kind == "1R":
            return 0.0, math.inf
        o = self.kl(u, self.xl if xl is None else xl, self.pl)
        return o[0], o[1]

    def low_rate(self, u, xl):
        """d(state)/dt of the selector (its state unit per s) at voltage ``u`` (V) and state ``xl``."""
        return self.kl(u, xl, self.pl)[3]

    def dev(self, vd, x):
        o = self.k(vd, x, self.p)
        return o[0], o[1], o[3]

    def vdev(self, w, x):
        """Device voltage for a voltage ``w`` across device + series resistor."""
        if self.R == 0.0:
            return w
        lo, hi = min(0.0, w), max(0.0, w)

        def f(v):
            i, g, _ = self.dev(v, x)
            return v + self.R * i - w, 1.0 + self.R * g
        return _mono_solve(f, lo, hi, self._vd)

    def solve(self, vs, x, xl=None):
        """(vd, u, i, rate) at source voltage ``vs`` (V), device state ``x`` and selector state ``xl``."""
        if self.kind == "1R":
            vd = self.vdev(vs, x)
            i, g, r = self.dev(vd, x)
            self._vd = vd
            return vd, 0.0, i, r
        lo, hi = min(0.0, vs), max(0.0, vs)

        def F(u):
            vd = self.vdev(vs - u, x)
            i, g, _ = self.dev(vd, x)
            il, gl = self.low(u, xl)
            # d/du of (il - i): gl + g * dvd/du with dvd/du = -1/(1 + R g)
            return il - i, gl + g / (1.0 + self.R * g)
        u = _mono_solve(F, lo, hi, self._u)
        vd = self.vdev(vs - u, x)
        i, g, r = self.dev(vd, x)
        self._u, self._vd = u, vd
        return vd, u, i, r


def simulate_cell(cell, drive: Drive, x0=None, *, t=None, rtol: float = 1e-6, max_step: float | None = None,
                  x0_selector=None) -> Trace:
    """Native transient of a cell; returns a :class:`~memlab.devices.Trace` (source="native").

    1R cells use :func:`memlab.devices.simulate`; 1S1R/1T1R use the loop solver above.
    ``rtol`` is relative to the state range; ``max_step`` in s. ``x0_selector``: initial
    state of a 1S1R cell's moving selector (its state unit, default its model's x0).
    """
    from scipy.integrate import solve_ivp
    m = cell.device
    rtol = real(rtol, "rtol", lo=0.0, hi=1.0, lo_open=True, hi_open=True, where="simulate_cell")
    if max_step is not None:
        max_step = real(max_step, "max_step", lo=0.0, lo_open=True, unit="s", where="simulate_cell")
    if cell.kind == "1R":
        d = dataclasses.replace(drive, r_series=float(drive.r_series) + float(cell.r_series))
        tr = simulate(m, d, x0=x0, t=t, rtol=rtol, max_step=max_step)
        tr.r_series = d.r_series
        tr.stats["cell"] = "1R"
        return tr
    solver = _CellSolver(cell, r_extra=float(drive.r_series))
    t_out = drive.time_grid() if t is None else np.asarray(t, dtype=float)
    parts = [_Part(m, x0, "x0")]
    if solver.lower_moves:
        parts.append(_Part(cell.selector, x0_selector, "x0_selector"))
    moving = [k for k, pt in enumerate(parts) if pt.moves]

    def states(y):
        """(device state, selector state or None) from the normalised moving states ``y``."""
        s = [pt.s0 for pt in parts]
        for j, k in enumerate(moving):
            s[k] = y[j]
        xs = [pt.x(sk) for pt, sk in zip(parts, s)]
        return xs[0], (xs[1] if len(xs) > 1 else None)

    def rhs(tt, y):
        xd, xl = states(y)
        vs = float(drive.value(tt))
        _, u, _, r = solver.solve(vs, xd, xl)
        rates = (r, solver.low_rate(u, xl) if xl is not None else 0.0)
        return [parts[k].clip_rate(rates[k], y[j]) for j, k in enumerate(moving)]

    nfev = 0
    if not moving:
        y_t = np.empty((0, t_out.size))
    else:
        # integrate between the drive's breakpoints so none of them is stepped over
        bps = np.unique(np.concatenate([[t_out[0], t_out[-1]], _breakpoints(drive, t_out)]))
        y_t = np.empty((len(moving), t_out.size))
        y_cur = [parts[k].s0 for k in moving]
        # the integrator would step over a drive that starts at 0 V (zero rate) in one step: limit
        # the step to the output spacing, as the ngspice runs do
        hmax = max_step if max_step is not None else float(np.median(np.diff(t_out)))
        method = "LSODA" if solver.lower_moves else "BDF"
        for a, b in zip(bps[:-1], bps[1:]):
            sel = (t_out >= a) & (t_out <= b)
            te = np.unique(np.concatenate([t_out[sel], [a, b]]))
            # BDF, not LSODA: where a state-dependent threshold switches the rate off (Stanford-PKU
            # at the 1T1R compliance) LSODA can get stuck at a constant step of ~1e-14 s after the
            # switch (millions of steps with zero rate); BDF recovers its step in a few steps
            # LSODA with a moving selector: at the thermal equilibrium of a threshold switch the rate is
            # a difference of nearly equal powers (Joule heating and loss) whose rounding noise makes the
            # Newton test of scipy's BDF and Radau fail at every step until the step underflows
            sol = solve_ivp(rhs, (a, b), y_cur, method=method, t_eval=te, rtol=rtol,
                            atol=rtol * 1e-2, max_step=min(hmax, (b - a)))
            if sol.status < 0:
                raise ConvergenceError(f"simulate_cell: the state integration failed at t = {a:g} s: {sol.message}")
            for j in range(len(moving)):
                y_t[j, sel] = np.interp(t_out[sel], sol.t, sol.y[j])
            y_cur = [float(c) for c in sol.y[:, -1]]
            nfev += sol.nfev
    vsrc = drive.value(t_out)
    n = t_out.size
    v, i, x = np.empty(n), np.empty(n), np.empty(n)
    xsel = np.empty(n) if len(parts) > 1 else None
    for k in range(n):
        xd, xl = states(y_t[:, k])
        vd, u, ik, _ = solver.solve(float(vsrc[k]), xd, xl)
        v[k], i[k], x[k] = vd, ik, xd
        if xsel is not None:
            xsel[k] = xl
    stats = {"cell": cell.kind, "nfev": nfev, "rtol": rtol, "x_final": float(x[-1])}
    if xsel is not None:
        stats.update(x_selector=xsel, selector_state_unit=cell.selector.state.unit)
    return Trace(t=t_out, v=v, i=i, x=x, v_source=vsrc, model=m.name, state_name=m.state.name,
                 state_unit=m.state.unit, r_series=solver.R, period=drive.period, source="native", stats=stats)


class _Part:
    """One element's state, normalised to ``s = (x - lo) / (hi - lo)`` in [0, 1]."""

    def __init__(self, model, x0, name):
        self.lo, self.hi = (float(b) for b in model.bounds())
        self.span = self.hi - self.lo
        x0 = model.state.x0 if x0 is None else real(x0, name, unit=model.state.unit, where="simulate_cell")
        if not (self.lo <= x0 <= self.hi):
            raise ParameterError(f"simulate_cell: parameter {name!r} = {x0!r} is outside the allowed range "
                                 f"[{self.lo:g}, {self.hi:g}] {model.state.unit}")
        self.s0 = (x0 - self.lo) / self.span if self.span > 0 else 0.0
        self.moves = model.rate_expr != 0

    def x(self, s):
        return self.lo + self.span * min(max(s, 0.0), 1.0)

    def clip_rate(self, r, s):
        """Normalised rate (1/s); 0 where not finite or pushing outward at a bound."""
        r = r / self.span if self.span > 0 else 0.0
        if not math.isfinite(r) or (s >= 1.0 and r > 0) or (s <= 0.0 and r < 0):
            return 0.0
        return r


def _breakpoints(drive, t_out):
    kind, dp, tp, vp = drive.encode()
    if kind == 0:
        return np.empty(0)
    tp = np.asarray(tp, dtype=float)
    if dp[0] > 0:
        k = np.arange(int(math.ceil(t_out[-1] / dp[0])) + 1)
        tp = (tp[None, :] + k[:, None] * dp[0]).ravel()
    return tp[(tp > t_out[0]) & (tp < t_out[-1])]


def solve_cell(cell, v_source, x):
    """Quasi-static operating point(s): device voltage, bottom-node voltage, current.

    ``v_source`` (V) may be an array; ``x`` is the (fixed) device state.
    Returns ``(v_device, v_bottom, i)`` arrays.
    """
    v_source = np.atleast_1d(real(v_source, "v_source", unit="V", where="solve_cell", array=True))
    x = real(x, "x", unit=cell.device.state.unit, where="solve_cell")
    solver = _CellSolver(cell)
    out = np.array([solver.solve(float(vs), float(x))[:3] for vs in v_source])
    if cell.kind == "1R":
        out[:, 1] = 0.0
    return out[:, 0], out[:, 1], out[:, 2]


def dc_native(cell, v_sweep, x):
    """Native DC sweep at fixed state; returns a Trace (t = sweep index, v_source = sweep)."""
    v_sweep = np.asarray(v_sweep, dtype=float)
    vd, _, i = solve_cell(cell, v_sweep, x)
    m = cell.device
    return Trace(t=np.arange(v_sweep.size, dtype=float), v=vd, i=i, x=np.full(v_sweep.size, float(x)),
                 v_source=v_sweep, model=m.name, state_name=m.state.name, state_unit=m.state.unit,
                 r_series=float(cell.r_series), period=None, source="native", stats={"analysis": "dc"})
