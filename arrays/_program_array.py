"""Write-verify programming of a whole crossbar to a target conductance matrix, through the transient simulator.

Every pulse is a transient of the whole array (:class:`~memlab.arrays.TransientCrossbar`):
all cells' states evolve under the write biasing (V/2 or V/3, :func:`write_drives`), with
the wire resistance, the half-selected cells and the IR drop of the real circuit. Every
verify is a read of the row being programmed through the same network: word line ``row``
at ``v_read``, every other word line and every bit line at 0 V, and the read conductance
of cell ``(row, j)`` is the current into bit line ``j``'s sense amplifier over ``v_read``
(so sneak currents and IR drop enter the verify as they would on the chip).

Loop per row (``mode="row"``, row-parallel: one pulse for every column that needs the
same direction) or per cell (``mode="cell"``)::

    read; columns below their band -> SET pulse, above -> RESET pulse (separate pulses);
    inside the band -> left alone; stop when every column is in its band or after
    ``max_pulses`` pulses (per row, or per cell).

The amplitude of each pulse comes from a policy (:class:`ISPP`: incremental step pulse
programming, ``v + v_step * n`` for the ``n``-th consecutive pulse in the same direction,
restarting after a direction change; :class:`FixedPulses`: always ``v``); any object with
the same ``amplitude(direction, n_same)`` method and ``width``/``rise`` fields works.

Units: S, V, s, J; states in the device's state unit; disturb as a fraction of the range.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError, ShapeError

from ._linedrives import SCHEMES, write_drives
from ._transient import TransientCrossbar, _integrate, single_threaded

__all__ = ["ISPP", "FixedPulses", "ProgramReport", "program_array", "read_conductance"]


@dataclass(frozen=True)
class ISPP:
    """Incremental step pulses: SET amplitude ``v_set + sign(v_set) v_step n`` (V) for the
    ``n``-th consecutive SET pulse of a cell (n = 0, 1, ...), likewise RESET, each capped at
    ``v_max`` in magnitude; ``width``/``rise`` in s. Polarities are the device's (VTEAM
    sets with a negative voltage)."""

    v_set: float
    v_reset: float
    width: float
    v_step: float = 0.0
    v_max: float | None = None
    rise: float | None = None

    def __post_init__(self):
        w = type(self).__name__
        for name in ("v_set", "v_reset"):
            if real(getattr(self, name), name, unit="V", where=w) == 0:
                raise ParameterError(f"{w}: parameter '{name}' = 0 V must be non-zero")
        if np.sign(self.v_set) == np.sign(self.v_reset):
            raise ParameterError(f"{w}: 'v_set' = {self.v_set!r} and 'v_reset' = {self.v_reset!r} V must have "
                                 "opposite polarities")
        real(self.width, "width", lo=0.0, lo_open=True, unit="s", where=w)
        real(self.v_step, "v_step", lo=0.0, unit="V", where=w)
        if self.v_max is not None:
            real(self.v_max, "v_max", lo=max(abs(self.v_set), abs(self.v_reset)), unit="V", where=w)
        if self.rise is not None:
            real(self.rise, "rise", lo=0.0, lo_open=True, unit="s", where=w)

    def amplitude(self, direction: np.ndarray, n_same: np.ndarray) -> np.ndarray:
        """Pulse amplitude (V) per cell for ``direction`` +1 (SET) / -1 (RESET) / 0 (none)."""
        base = np.where(direction > 0, self.v_set, np.where(direction < 0, self.v_reset, 0.0))
        a = np.abs(base) + self.v_step * n_same
        if self.v_max is not None:
            a = np.minimum(a, self.v_max)
        return np.sign(base) * a


@dataclass(frozen=True)
class FixedPulses(ISPP):
    """Fixed-amplitude pulses (:class:`ISPP` with ``v_step = 0``)."""

    def __post_init__(self):
        if self.v_step != 0:
            raise ParameterError(f"FixedPulses: parameter 'v_step' = {self.v_step!r} must be 0 (use ISPP)")
        super().__post_init__()


@dataclass
class ProgramReport:
    """Outcome of :func:`program_array` (arrays are (rows, cols)).

    ``g_target``/``g_final``: target and final read conductance (S, read through the
    network, row by row); ``error``: ``g_final / g_target - 1``; ``success``: inside the
    band; ``pulses``: pulses each cell received as a selected cell; ``row_pulses`` (rows,):
    pulses applied per row; ``disturb``: accumulated |state change| of each cell during
    pulses that did not select it (fraction of its range); ``x_initial``/``x_final``:
    states; ``energy`` (J) delivered by the line drivers during all pulses; ``time`` (s):
    total pulse time; ``stats``: wall time (s), reads, network solves.
    """

    g_target: np.ndarray
    g_final: np.ndarray
    error: np.ndarray
    success: np.ndarray
    pulses: np.ndarray
    row_pulses: np.ndarray
    disturb: np.ndarray
    x_initial: np.ndarray
    x_final: np.ndarray
    energy: float
    time: float
    stats: dict = field(default_factory=dict)

    @property
    def yield_(self) -> float:
        """Fraction of cells inside their band."""
        return float(np.mean(self.success))

    def summary(self) -> dict:
        """Headline numbers: yield, pulses (mean/max), |error| (median/max), energy (J), time (s)."""
        e = np.abs(self.error)
        return {"yield": self.yield_, "pulses_mean": float(self.pulses.mean()), "pulses_max": int(self.pulses.max()),
                "error_median": float(np.median(e)), "error_max": float(e.max()),
                "disturb_max": float(self.disturb.max()), "energy": self.energy, "time": self.time,
                "wall_time": float(self.stats.get("wall_time", 0.0))}


class _Reader:
    """Verify reads of one row through the network (warm-started solves, held by one programming run)."""

    def __init__(self, tx: TransientCrossbar, v_read: float):
        self.tx = tx
        self.net = tx._net(None)
        self.v_read = v_read
        self.guess = {}
        self.count = 0

    def row(self, x_flat, r):
        M, N = self.tx.shape
        u = np.zeros(M + N)
        u[r] = self.v_read
        s = self.net.solve(x_flat, u, None, self.guess.get(r))
        self.guess[r] = s.guess
        self.count += 1
        return s.i_out / self.v_read


def read_conductance(tx: TransientCrossbar, state=None, *, v_read: float = 0.1) -> np.ndarray:
    """Read conductance (S) of every cell, row by row through the network (module docstring)."""
    v_read = real(v_read, "v_read", unit="V", where="read_conductance")
    if v_read == 0:
        raise ParameterError("read_conductance: parameter 'v_read' must be non-zero (V)")
    x = (tx.state if state is None else tx.with_state(state).state).ravel()
    rd = _Reader(tx, v_read)
    with single_threaded(x.size):
        return np.stack([rd.row(x, r) for r in range(tx.shape[0])])


def _band(tx, target, tolerance, v_read):
    """(g_target, lo, hi) after checking the band against the device's conductance range."""
    M, N = tx.shape
    G = np.array(target, dtype=np.float64)
    if G.shape != (M, N):
        raise ShapeError(f"program_array: parameter 'target' has shape {G.shape}; expected ({M}, {N})")
    if not np.all(np.isfinite(G)) or np.any(G <= 0):
        raise ParameterError("program_array: parameter 'target' must hold finite conductances > 0 S")
    tol = real(tolerance, "tolerance", lo=0.0, hi=1.0, lo_open=True, hi_open=True, where="program_array")
    lo_x, hi_x = tx.bounds
    g_a, g_b = tx.conductance(lo_x), tx.conductance(hi_x)
    g_min, g_max = np.minimum(g_a, g_b), np.maximum(g_a, g_b)
    lo, hi = G * (1 - tol), G * (1 + tol)
    bad = (hi < g_min) | (lo > g_max)
    if bad.any():
        i, j = (int(a[0]) for a in np.nonzero(bad))
        raise ParameterError(f"program_array: verify band [{lo[i, j]:.4g}, {hi[i, j]:.4g}] S of cell ({i}, {j}) is "
                             f"outside the device range [{g_min[i, j]:.4g}, {g_max[i, j]:.4g}] S")
    return G, lo, hi


def program_array(tx: TransientCrossbar, target, *, policy, tolerance: float = 0.05, v_read: float = 0.1,
                  scheme: str = "V/2", mode: str = "row", max_pulses: int = 20, rows=None, rtol: float = 1e-3,
                  dx_max: float = 0.05, gap: float = 0.0) -> ProgramReport:
    """Program ``tx`` (from its state) to the conductance matrix ``target`` (S) by write-verify.

    ``policy``: :class:`ISPP` or :class:`FixedPulses` (module docstring); ``tolerance``:
    relative half-width of the verify band ``target * (1 +- tolerance)``, which must meet
    the device's conductance range; ``v_read`` (V): verify read voltage; ``scheme``: "V/2"
    or "V/3"; ``mode``: "row" (row-parallel) or "cell"; ``max_pulses``: per row ("row")
    or per cell ("cell"); ``rows``: rows to program (default all); ``rtol``/``dx_max``:
    the transient tolerances (:meth:`TransientCrossbar.simulate`); ``gap`` (s): 0 V time
    around each pulse.
    """
    w = "program_array"
    t_wall = time.perf_counter()
    if not isinstance(tx, TransientCrossbar):
        raise ParameterError(f"{w}: parameter 'tx' must be a memlab.arrays.TransientCrossbar, got {type(tx).__name__}")
    tx.require_one_state(w)
    if not (hasattr(policy, "amplitude") and hasattr(policy, "width")):
        raise ParameterError(f"{w}: parameter 'policy' = {policy!r:.60} must be an ISPP / FixedPulses (amplitude(), "
                             "width)")
    if scheme not in SCHEMES:
        raise ParameterError(f"{w}: parameter 'scheme' = {scheme!r} is not one of {SCHEMES}")
    if mode not in ("row", "cell"):
        raise ParameterError(f"{w}: parameter 'mode' = {mode!r} is not one of ('row', 'cell')")
    if isinstance(max_pulses, (bool, float)):
        raise ParameterError(f"{w}: parameter 'max_pulses' = {max_pulses!r} must be an integer >= 1")
    max_pulses = real(max_pulses, "max_pulses", lo=1, integer=True, where=w)
    v_read = real(v_read, "v_read", unit="V", where=w)
    if v_read == 0:
        raise ParameterError(f"{w}: parameter 'v_read' = 0 V must be non-zero")
    M, N = tx.shape
    G, lo, hi = _band(tx, target, tolerance, v_read)
    rows = range(M) if rows is None else [int(r) for r in np.atleast_1d(rows)]
    if any(not 0 <= r < M for r in rows):
        raise ParameterError(f"{w}: parameter 'rows' = {rows!r} must be row indices in [0, {M - 1}]")
    kin = tx._kin
    span = np.where(kin.hi > kin.lo, kin.hi - kin.lo, 1.0)
    x = tx.state.ravel().copy()
    x_init = x.copy()
    reader = _Reader(tx, v_read)
    net = tx._net(None)
    pulses = np.zeros((M, N), dtype=np.int64)
    row_pulses = np.zeros(M, dtype=np.int64)
    disturb = np.zeros(M * N)
    energy, t_total, solves = 0.0, 0.0, 0

    def pulse(r, amps):
        nonlocal x, energy, t_total, solves
        d = write_drives((M, N), r, amps, scheme=scheme, width=policy.width, rise=policy.rise, gap=gap)
        waves = d.compile()
        tr = _integrate(tx, net, waves, x.reshape(M, N), np.array([0.0, waves.T]), rtol, dx_max, np.inf,
                        200_000, ())
        sel = np.zeros((M, N), dtype=bool)
        sel[r, amps != 0] = True
        xn = tr.x_final.ravel()
        disturb[:] += np.where(sel.ravel(), 0.0, np.abs(xn - x) / span)
        x = xn
        energy += tr.energy
        t_total += waves.T
        solves += tr.stats["solves"]
        pulses[sel] += 1
        row_pulses[r] += 1

    with single_threaded(M * N):
        for r in rows:
            last = np.zeros(N, dtype=np.int64)
            n_same = np.zeros(N, dtype=np.int64)
            groups = [np.arange(N)] if mode == "row" else [np.array([j]) for j in range(N)]
            for cols in groups:
                used = 0
                while True:
                    g = reader.row(x, r)
                    d = np.where(g < lo[r], 1, np.where(g > hi[r], -1, 0))
                    d = np.where(np.isin(np.arange(N), cols), d, 0)
                    if not d.any() or used >= max_pulses:
                        break
                    n_same = np.where((d == last) & (d != 0), n_same + 1, 0)
                    last = np.where(d != 0, d, last)
                    amps = policy.amplitude(d, n_same)
                    for direction in (1, -1):
                        if used < max_pulses and np.any(d == direction):
                            pulse(r, np.where(d == direction, amps, 0.0))
                            used += 1
        g_final = np.stack([reader.row(x, r) for r in range(M)])
    inside = (g_final >= lo) & (g_final <= hi)
    return ProgramReport(g_target=G, g_final=g_final, error=g_final / G - 1, success=inside, pulses=pulses,
                         row_pulses=row_pulses, disturb=disturb.reshape(M, N), x_initial=x_init.reshape(M, N),
                         x_final=x.reshape(M, N), energy=energy, time=t_total,
                         stats={"wall_time": time.perf_counter() - t_wall, "reads": reader.count, "solves": solves,
                                "mode": mode, "scheme": scheme})
