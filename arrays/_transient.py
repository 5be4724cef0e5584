"""Transient crossbar simulation: every cell's state evolving while the lines are driven.

The circuit is that of :class:`~memlab.arrays.Crossbar` (word lines driven at column 0
through ``r_driver``, bit lines at the last row through ``r_sense``, wire segments
``r_row``/``r_col``), with stateful cells: any dynamic :class:`memlab.devices.DeviceModel`
(1R), or a :class:`memlab.devices.SeriesCell` with one moving part (1S1R: ``Selector`` +
device; 1T1R: device + ``MOSFET`` whose gate voltage is a per-row waveform), or with a
state in each part (1S1R with a volatile threshold switch such as
:class:`~memlab.devices.MottSelector` as the selector): the state is then a pair
``(x_first, x_second)``, both integrated by the same steps and error control, each part
driven by its own voltage from the exact internal-node split of every stage.

The network is algebraic: at any instant the node voltages solve Kirchhoff's laws exactly
for the current states (:mod:`memlab.arrays._netstep`). The states follow the device ODEs
``dx/dt = r(v_dev, x)`` with ``v_dev`` the voltage across each moving device from that
solution. Integrator: ROS2, the two-stage linearly implicit Rosenbrock W-method of Verwer
et al. (SIAM J. Sci. Comput. 20, 1999) that :func:`memlab.devices.simulate` uses, applied
to the whole array at once: each stage solves the network exactly at its stage states
(two network solves per step, the second reused as the first stage of the next step),
with the devices' own d(rate)/dx as the W-matrix (second order for any such matrix), an
embedded first-order error estimate, and one global adaptive step for all cells. A step is
accepted when the estimate is at most ``rtol`` of each cell's state range and no cell
moved more than ``dx_max`` of its range (so a switching event takes at least
``1/dx_max`` steps). The state is clipped to its bounds at every stage. Every drive corner
is a step boundary. Requested output times inside a step are interpolated: states by the
cubic Hermite polynomial through both step ends and their rates (third order, kept
between the two end states), cell voltages and currents linearly.

Units: s, V, A, W, J; states in the device's state unit.
"""
from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.devices import MOSFET, DeviceModel, SeriesCell
from memlab.errors import AccuracyWarning, ConvergenceError, ParameterError, ShapeError

from ._crossbar import Crossbar
from ._linedrives import LineDrives
from ._linesolve import SERIAL_BELOW_CELLS, numba_threads
from ._netstep import Kinetics, LinearNetwork, NewtonNetwork, PairKinetics, StageResult, is_linear_in_v

__all__ = ["TransientCrossbar", "ArrayTrace"]

GAMMA = 1.0 + 1.0 / np.sqrt(2.0)
STORE = ("x", "v", "i")


@dataclass
class ArrayTrace:
    """Result of :meth:`TransientCrossbar.simulate`.

    ``t`` (K,) output times in s; ``x``, ``v``, ``i`` (K, rows, cols): state of the moving
    device (state units), voltage across each cell (V, word minus bit line) and cell
    current (A) at those times (None when not stored); ``x_final`` (rows, cols) the final
    state (for a cell with a state in each part ``x`` is (K, 2, rows, cols) and ``x_final``
    (2, rows, cols), index 0 the first part, 1 the second); ``energy`` (J) delivered by the line drivers over the run (trapezoid rule on the
    accepted steps); ``stats``: accepted/rejected steps, network solves, wall time (s).
    """

    t: np.ndarray
    x: np.ndarray | None
    v: np.ndarray | None
    i: np.ndarray | None
    x_final: np.ndarray
    energy: float
    stats: dict = field(default_factory=dict)


def _moving_part(cell, pair=False):
    """(kinetics model(s), index of the moving part of a SeriesCell, "both" or None, has a gate).

    ``pair``: the state was given per part (a tuple); both parts then carry a state."""
    if isinstance(cell, DeviceModel):
        if pair:
            raise ParameterError(f"TransientCrossbar: parameter 'state' is a pair of states but the cell {cell!r:.60} "
                                 "is a single device; give one (rows, cols) array")
        return cell, None, False
    if isinstance(cell, SeriesCell):
        parts = (cell.first, cell.second)
        moving = [k for k, p in enumerate(parts) if isinstance(p, DeviceModel) and p.rate_expr != 0]
        if pair or len(moving) > 1:
            if not all(isinstance(p, DeviceModel) and not isinstance(p, MOSFET) for p in parts):
                raise ParameterError(f"TransientCrossbar: a state in each part of {cell!r} needs two memlab "
                                     "DeviceModels (no Resistor or MOSFET part)")
            if not pair:
                raise ParameterError(f"TransientCrossbar: both parts of {cell!r} have moving states; give "
                                     "'state' as a tuple (x_first, x_second) of (rows, cols) arrays")
            return parts, "both", False
        k = moving[0] if moving else next((k for k, p in enumerate(parts) if isinstance(p, DeviceModel)
                                           and not isinstance(p, MOSFET)), None)
        if k is None:
            raise ParameterError(f"TransientCrossbar: {cell!r} has no device part (a memlab DeviceModel)")
        return parts[k], k, any(isinstance(p, MOSFET) for p in parts)
    raise ParameterError(f"TransientCrossbar: parameter 'cell' = {cell!r:.60} must be a memlab DeviceModel (1R) or "
                         "a SeriesCell (1S1R, 1T1R)")


class TransientCrossbar:
    """A crossbar of stateful cells for transient simulation (immutable).

    Parameters
    ----------
    cell : DeviceModel or SeriesCell
        The cell (module docstring); parameters may be per-cell arrays as for
        :class:`~memlab.arrays.Crossbar`.
    state : (rows, cols) array, or a tuple (x_first, x_second) of them
        Initial state of the moving device (state units), inside its bounds; a tuple (or a
        (2, rows, cols) array) gives each part of a series cell its state (needed when both
        parts move, e.g. ``SeriesCell(MottSelector(), VTEAM())``).
    r_row, r_col, r_driver, r_sense : ohm
        As for :class:`~memlab.arrays.Crossbar` (0 = short, inf = open).
    """

    def __init__(self, cell, state, *, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0):
        pair = isinstance(state, tuple) or np.ndim(state) == 3
        model, part, gated = _moving_part(cell, pair)
        x = _state_array(state, pair)
        M, N = x.shape[-2:]
        kin = PairKinetics(model, M, N) if pair else Kinetics(model, M, N)
        flat = x.ravel()
        bad = ~np.isfinite(flat) | (flat < kin.lo) | (flat > kin.hi)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            c, which = k % (M * N), (f" of part {k // (M * N)}" if pair else "")
            unit = (model[k // (M * N)] if pair else model).state.unit
            raise ParameterError(f"TransientCrossbar: parameter 'state' = {flat[k]!r} at cell ({c // N}, {c % N})"
                                 f"{which} is outside the allowed range [{kin.lo[k]:g}, {kin.hi[k]:g}] {unit}")
        res = dict(r_row=r_row, r_col=r_col, r_driver=r_driver, r_sense=r_sense)
        self._linear = part is None and is_linear_in_v(model)
        if self._linear:
            xb = Crossbar(kin.conductance(flat).reshape(M, N), **res)
        else:
            xb = Crossbar(None, cell=cell, state=_crossbar_state(x, part), **res)
        self._xb = xb
        self._kw = dict(r_row=xb.r_row, r_col=xb.r_col, r_driver=xb.r_driver, r_sense=xb.r_sense)
        self._cell, self._part, self._gated, self._kin = cell, part, gated, kin
        x.setflags(write=False)
        self._x = x
        self._shape = (M, N)

    shape = property(lambda self: self._shape, doc="(rows, cols).")
    state = property(lambda self: self._x, doc="Initial state (read-only (rows, cols); (2, rows, cols) for a state "
                                               "in each part).")
    cell = property(lambda self: self._cell)
    has_gate = property(lambda self: self._gated, doc="True for 1T1R cells (a per-row gate waveform applies).")
    bounds = property(lambda self: tuple(a.reshape(self._x.shape) for a in (self._kin.lo, self._kin.hi)),
                      doc="State bounds (lo, hi) of every cell, shaped as :attr:`state` each.")
    resistances = property(lambda self: dict(self._kw), doc="r_row, r_col, r_driver, r_sense (ohm).")

    def require_one_state(self, where: str) -> None:
        """Raise a named error when the cells carry a state in each part (write-verify,
        disturb and in-situ training assume one state per cell)."""
        if self._part == "both":
            raise ParameterError(f"{where}: parameter 'tx' has a state in each part of its cells "
                                 f"({self._cell!r:.60}); only cells with one moving part are supported here")

    def with_state(self, state) -> "TransientCrossbar":
        """The same crossbar with new cell states (a pair of states stays a pair)."""
        if self._part == "both" and not isinstance(state, tuple):
            state = np.asarray(state, dtype=np.float64)
            if state.ndim == 2:
                raise ParameterError("TransientCrossbar.with_state: this crossbar's cells have a state in each "
                                     "part; give a tuple (x_first, x_second)")
        return TransientCrossbar(self._cell, state, **self._kw)

    def conductance(self, state=None) -> np.ndarray:
        """Small-signal conductance (S) of every cell at v = 0 for ``state`` (default the initial one)."""
        return self.crossbar(state).G

    def _cell_at(self, gate):
        if gate is None or not self._gated:
            return self._cell
        return NewtonNetwork(self._kw, self._cell, self._part, self._kin, *self.shape)._cell_at(gate)

    def crossbar(self, state=None, gate=None) -> Crossbar:
        """The static :class:`~memlab.arrays.Crossbar` at ``state`` (default the initial one):
        linear conductances for linear-in-v devices, else the cell with its states; ``gate``
        (V, (rows,)) sets a 1T1R transistor's gate voltage."""
        if self._part == "both":
            x = _state_array(self._x if state is None else state, True)
        else:
            x = self._x if state is None else np.asarray(state, dtype=np.float64)
        if self._linear:
            return Crossbar(self._kin.conductance(x.ravel()).reshape(self.shape), **self._kw)
        return Crossbar(None, cell=self._cell_at(gate), state=_crossbar_state(x, self._part), **self._kw)

    def _net(self, method):
        if self._linear:
            return LinearNetwork(self._xb.topo, self._kin, method or "auto")
        return NewtonNetwork(self._kw, self._cell, self._part, self._kin, *self.shape)

    # ------------------------------------------------------------------ simulate
    def simulate(self, drives: LineDrives, *, t=None, rtol: float = 1e-4, dx_max: float = 0.05,
                 max_step: float | None = None, max_steps: int = 200_000, store=STORE,
                 method: str = "auto", x0=None, dense_output: bool = False, threads: int | None = None) -> ArrayTrace:
        """Simulate the array under ``drives`` from the initial state (or ``x0``, (rows, cols)).

        ``t``: output times (s) within the drives' duration (default: every accepted step);
        ``rtol``: local error per step as a fraction of each cell's state range;
        ``dx_max``: largest state change of any cell per step, fraction of its range;
        ``max_step`` (s): largest step; ``max_steps``: accepted-step limit
        (:class:`~memlab.errors.ConvergenceError` beyond); ``store``: which of "x", "v", "i"
        to keep at the output times; ``method``: network solver of linear-in-v cells,
        "auto", "direct" or "cg" (:mod:`memlab.arrays._netstep`); ``dense_output``: False
        makes every output time a step boundary (exact outputs), True interpolates outputs
        inside steps (fewer steps, module docstring); ``threads``: numba threads of the
        line-CG kernels (default :func:`~memlab.arrays._linesolve.numba_threads`'s; 1 is
        faster on a shared machine).
        """
        w = "TransientCrossbar.simulate"
        M, N = self.shape
        if not isinstance(drives, LineDrives):
            raise ParameterError(f"{w}: parameter 'drives' must be memlab.arrays.LineDrives, got "
                                 f"{type(drives).__name__}")
        if (drives.rows, drives.cols) != (M, N):
            raise ShapeError(f"{w}: the drives have {drives.rows} word and {drives.cols} bit lines; the crossbar is "
                             f"{M} x {N}")
        if drives.gate is not None and not self._gated:
            raise ParameterError(f"{w}: gate waveforms were given but the cell {self._cell!r} has no gate (only 1T1R "
                                 "cells, a SeriesCell with a MOSFET, have one)")
        rtol = real(rtol, "rtol", lo=0.0, hi=0.1, lo_open=True, where=w)
        dx_max = real(dx_max, "dx_max", lo=0.0, hi=1.0, lo_open=True, where=w)
        max_steps = real(max_steps, "max_steps", lo=1, integer=True, where=w)
        h_max = np.inf if max_step is None else real(max_step, "max_step", lo=0.0, lo_open=True, unit="s", where=w)
        bad = set(store) - set(STORE)
        if bad:
            raise ParameterError(f"{w}: 'store' entries {sorted(bad)} not in {STORE}")
        if method not in ("auto", "direct", "cg"):
            raise ParameterError(f"{w}: parameter 'method' = {method!r} is not one of ('auto', 'direct', 'cg')")
        if method == "cg" and not (self._linear and self._xb.topo.regular):
            raise ParameterError(f"{w}: method 'cg' needs linear-in-v cells and every resistance in (0, inf)")
        waves = drives.compile()
        T = waves.T
        if t is not None:
            t = real(t, "t", lo=0.0, hi=T * (1 + 1e-12), unit="s", where=w, array=True)
            if t.ndim != 1 or np.any(np.diff(t) <= 0):
                raise ParameterError(f"{w}: parameter 't' must be a strictly increasing 1-D array in [0, {T:g}] s")
            t = np.minimum(t, T)
        x = self._x if x0 is None else self.with_state(x0).state
        net = self._net(None if method == "auto" else method)
        if not isinstance(dense_output, bool):
            raise ParameterError(f"{w}: parameter 'dense_output' = {dense_output!r} must be True or False")
        with single_threaded(M * N, threads):
            return _integrate(self, net, waves, x, t, rtol, dx_max, h_max, max_steps, tuple(store), dense_output)


def _state_array(state, pair):
    """The initial state as a float array: (rows, cols), or (2, rows, cols) for a pair."""
    if not pair:
        x = np.array(state, dtype=np.float64)
        if x.ndim != 2:
            raise ShapeError(f"parameter 'state' has shape {x.shape}; expected (rows, cols)")
        return x
    parts = tuple(state) if isinstance(state, tuple) else tuple(np.asarray(state, dtype=np.float64))
    if len(parts) != 2:
        raise ShapeError(f"parameter 'state' holds {len(parts)} states; expected a pair (x_first, x_second)")
    try:
        a, b = np.broadcast_arrays(*(np.asarray(p, dtype=np.float64) for p in parts))
    except (ValueError, TypeError):
        raise ShapeError(f"parameter 'state': the two parts' states have shapes {[np.shape(p) for p in parts]}; "
                         "expected the same (rows, cols)") from None
    if a.ndim != 2:
        raise ShapeError(f"parameter 'state' holds states of shape {a.shape}; expected (rows, cols) each")
    return np.stack([a, b])


def _crossbar_state(x, part):
    """The state in :class:`~memlab.arrays.Crossbar`'s form for the moving part(s) ``part``."""
    if part == "both":
        return (x[0], x[1])
    return x if part is None else ((x, None) if part == 0 else (None, x))


@contextlib.contextmanager
def single_threaded(cells: int, threads: int | None = None):
    """One BLAS thread (small factorisations: threads only add overhead and stall on a shared
    machine) and numba's line kernels on :func:`~memlab.arrays._linesolve.numba_threads`'s default."""
    from threadpoolctl import threadpool_limits
    with numba_threads(threads, cells):
        if cells >= SERIAL_BELOW_CELLS:
            yield
            return
        with threadpool_limits(limits=1, user_api="blas"):
            yield


def _integrate(tx: TransientCrossbar, net, waves, x0, t_out, rtol, dx_max, h_max, max_steps, store, dense_output=True):
    """The adaptive ROS2 loop (module docstring) from state ``x0`` (rows, cols) with network solver ``net``."""
    t_wall = time.perf_counter()
    M, N = tx.shape
    xshape = tx.state.shape
    kin = tx._kin
    lo, hi = kin.lo, kin.hi
    span = np.where(hi > lo, hi - lo, 1.0)
    atol = rtol * span
    T = waves.T
    stops = waves.breakpoints()
    if t_out is not None and not dense_output:
        stops = np.union1d(stops, t_out)
    stops = np.unique(np.concatenate([[0.0], stops[(stops > 0) & (stops <= T)], [T]]))
    tol_t = 1e-12 * T

    def at(tt, x, guess):
        u = waves.value(tt)
        uu, gate = waves.split(u)
        return net.solve(x, uu, gate, guess)

    x = np.array(x0, dtype=np.float64).ravel()
    if x.size != lo.size:
        raise ParameterError(f"TransientCrossbar: a state of {x.size} values was given for {lo.size} (the cells "
                             f"{'carry a state in each part' if tx._part == 'both' else 'have one moving part'})")
    s = at(0.0, x, None)
    r = kin.rate(s.v_dev, x) if kin.moving else np.zeros_like(x)
    outs = {k: [] for k in store}
    times = []

    def keep(tt, s, x):
        times.append(tt)
        for k, a in (("x", x), ("v", s.v_cell), ("i", s.i_cell)):
            if k in outs:
                outs[k].append(a.reshape(xshape if k == "x" else (M, N)).copy())

    pending = [0]

    def dense(ta, sa, xa, ra, tb, sb, xb, rb):
        """Outputs inside the step (ta, tb]: cubic Hermite states (from both ends' rates, zero
        where pinned at a bound; kept within the two end states), linear voltages and currents."""
        k = pending[0]
        h = tb - ta
        while k < t_out.size and t_out[k] <= tb + tol_t:
            if abs(t_out[k] - tb) <= tol_t:
                keep(tb, sb, xb)
            else:
                th = (t_out[k] - ta) / h
                h00, h10, h01, h11 = (2 * th ** 3 - 3 * th ** 2 + 1, th ** 3 - 2 * th ** 2 + th,
                                      -2 * th ** 3 + 3 * th ** 2, th ** 3 - th ** 2)
                xi = h00 * xa + h10 * h * ra + h01 * xb + h11 * h * rb
                xi = np.clip(xi, np.minimum(xa, xb), np.maximum(xa, xb))
                lin = lambda a, b: (1 - th) * a + th * b  # noqa: E731
                keep(t_out[k], StageResult(None, lin(sa.v_cell, sb.v_cell), lin(sa.i_cell, sb.i_cell), 0.0, None,
                                           None), xi)
            k += 1
        pending[0] = k

    def free_rate(r, x):
        return np.where(((x <= lo) & (r < 0)) | ((x >= hi) & (r > 0)), 0.0, r)

    if t_out is None:
        keep(0.0, s, x)
    elif abs(t_out[0]) <= tol_t:
        keep(0.0, s, x)
        pending[0] = 1
    energy, steps, rejected, solves, small = 0.0, 0, 0, 1, 0
    tt = 0.0
    h = min(h_max, stops[1] - stops[0] if stops.size > 1 else T)
    for target in stops[1:]:
        while tt < target - tol_t:
            rem = target - tt
            last = h >= rem * (1 - 1e-9)
            if last:
                h = rem
            J = kin.dr_dx(s.v_dev, x) if kin.moving else np.zeros_like(x)
            pinned = ((x <= lo) & (r <= 0)) | ((x >= hi) & (r >= 0))
            J = np.where(pinned | ~np.isfinite(J), 0.0, J)
            J = np.minimum(J, 0.5 / (GAMMA * h))
            den = 1.0 - GAMMA * h * J
            k1 = r / den
            x1 = np.clip(x + h * k1, lo, hi)
            t1 = target if last else tt + h
            s1 = at(t1, x1, s.guess)
            solves += 1
            r2 = kin.rate(s1.v_dev, x1) if kin.moving else np.zeros_like(x)
            k2 = (r2 - 2.0 * k1) / den
            xn = np.clip(x + h * (1.5 * k1 + 0.5 * k2), lo, hi)
            err = float(np.max(np.abs(xn - x1) / atol, initial=0.0))
            move = float(np.max(np.abs(xn - x) / span, initial=0.0))
            if not np.isfinite(err):
                raise ConvergenceError(f"TransientCrossbar.simulate: the state rate is not finite at t = {tt:.6g} s; "
                                       "the drive takes the device outside the range its equations can represent")
            h_floor = 1e-15 * max(T, 1e-300)
            if (err <= 1.0 and move <= dx_max) or h <= h_floor:
                small += int(h <= h_floor and (err > 1.0 or move > dx_max))
                p_old, s_old, x_old, r_old, t_old = s.power, s, x, r, tt
                x = xn
                s = at(t1, x, s1.guess)
                solves += 1
                r = kin.rate(s.v_dev, x) if kin.moving else np.zeros_like(x)
                # Simpson's rule with the midpoint power of linear sources (exact for fixed cells:
                # P(u) = u . i(u) is quadratic in the line voltages, which are linear within a step)
                energy += h / 6 * (2 * p_old + 2 * s.power + s_old.u @ s.i_src + s.u @ s_old.i_src)
                tt = t1
                steps += 1
                if steps >= max_steps:
                    raise ConvergenceError(f"TransientCrossbar.simulate: {max_steps} accepted steps before t = "
                                           f"{target:.6g} s; raise max_steps or relax rtol / dx_max",
                                           iterations=steps)
                if t_out is None:
                    keep(tt, s, x)
                else:
                    dense(t_old, s_old, x_old, free_rate(r_old, x_old), tt, s, x, free_rate(r, x))
            else:
                rejected += 1
            fac = min(4.0, max(0.2, 0.9 / np.sqrt(max(err, 1e-12))))
            if move > dx_max:
                fac = min(fac, 0.9 * dx_max / move)
            h = min(h_max, h * fac) if not (last and err <= 1.0 and move <= dx_max) else min(h_max, max(h, h * fac))
        h = min(h, h_max)
    if small:
        warnings.warn(f"TransientCrossbar.simulate: {small} step(s) at the time resolution missed rtol = {rtol:g}",
                      AccuracyWarning, stacklevel=3)
    stack = lambda k: np.stack(outs[k]) if k in outs else None  # noqa: E731
    return ArrayTrace(t=np.array(times), x=stack("x"), v=stack("v"), i=stack("i"), x_final=x.reshape(xshape).copy(),
                      energy=float(energy),
                      stats={"steps": steps, "rejected": rejected, "solves": solves, "wall_time":
                             time.perf_counter() - t_wall, "network": type(net).__name__,
                             "method": getattr(net, "method", "newton"), "iterations": net.iterations})
