"""Drive waveforms of every line of a crossbar, and the write schedules (V/2, V/3, row-parallel).

A :class:`LineDrives` holds one :class:`memlab.devices.Drive` per word line (driven through
``r_driver`` at column 0), per bit line (through ``r_sense`` at the last row) and, for 1T1R
cells, per gate line (one per row). Every drive must have the same duration. The
simulator evaluates them together: the corners of all piecewise-linear drives (PWL,
PulseTrain, Triangle, expanded over their repeats) are merged into one time grid, on which
every line is exactly linear between neighbouring corners, so one vectorised
interpolation gives all line voltages; other drives (Sine) are evaluated by their own
``value`` and get a step boundary every 1/32 of their period. All corners are step
boundaries of the transient simulator.

:func:`write_drives` builds the biasing of one write pulse: word line ``row`` at ``V``,
bit line ``j`` of a selected column at ``V - a_j`` (so the selected cell sees ``a_j``),
unselected word lines at ``V/2`` (V/2 scheme) or ``V/3`` (V/3 scheme) and unselected bit
lines at ``V/2`` or ``2V/3``, with ``V = a`` of the largest magnitude; ``a_j`` may differ
per column (row-parallel writes with per-column data). Volts and seconds throughout.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab._validate import real
from memlab.devices import PWL, Drive, PulseTrain
from memlab.errors import ParameterError, ShapeError

__all__ = ["LineDrives", "write_drives", "pulse_duration", "SCHEMES"]

SCHEMES = ("V/2", "V/3")


def _as_drives(seq, name, n=None):
    if isinstance(seq, Drive):
        raise ParameterError(f"parameter '{name}' must be a sequence of memlab Drives (one per line); got one "
                             f"{type(seq).__name__} (use [drive] * n)")
    try:
        out = tuple(seq)
    except TypeError:
        raise ParameterError(f"parameter '{name}' = {seq!r:.60} must be a sequence of memlab Drives") from None
    for k, d in enumerate(out):
        if not isinstance(d, Drive):
            raise ParameterError(f"parameter '{name}[{k}]' = {d!r:.60} must be a memlab Drive (PWL, PulseTrain, "
                                 "Sine, Triangle)")
    if not out:
        raise ShapeError(f"parameter '{name}' is empty; give one Drive per line")
    if n is not None and len(out) != n:
        raise ShapeError(f"parameter '{name}' has {len(out)} drives; expected {n}")
    return out


@dataclass(frozen=True, eq=False)
class LineDrives:
    """Per-line drives (V over s): ``word`` (rows,), ``bit`` (cols,), ``gate`` (rows,) or None.

    Every drive's ``r_series`` must be 0 (line resistances belong to the crossbar:
    ``r_driver``/``r_sense``). Durations must agree to 1e-9 relative.
    """

    word: tuple
    bit: tuple
    gate: tuple | None = None

    def __post_init__(self):
        w = _as_drives(self.word, "word")
        b = _as_drives(self.bit, "bit")
        g = None if self.gate is None else _as_drives(self.gate, "gate", len(w))
        object.__setattr__(self, "word", w)
        object.__setattr__(self, "bit", b)
        object.__setattr__(self, "gate", g)
        every = w + b + (g or ())
        durs = np.array([d.duration for d in every])
        if np.ptp(durs) > 1e-9 * durs.max():
            k = int(np.argmax(np.abs(durs - durs[0])))
            raise ShapeError(f"line drives of mismatched length: drive {k} lasts {durs[k]:g} s, drive 0 "
                             f"{durs[0]:g} s; every word, bit and gate drive must have the same duration")
        for k, d in enumerate(every):
            if np.any(np.asarray(d.r_series) != 0):
                raise ParameterError(f"line drive {k} has r_series = {d.r_series!r}; allowed: 0 ohm (give line "
                                     "resistances to the crossbar as r_driver / r_sense)")
        object.__setattr__(self, "_duration", float(durs.max()))

    rows = property(lambda self: len(self.word))
    cols = property(lambda self: len(self.bit))
    duration = property(lambda self: self._duration, doc="Duration in s.")

    @classmethod
    def from_samples(cls, t, v_word, v_bit, v_gate=None) -> "LineDrives":
        """Piecewise-linear drives through samples: ``t`` (K,) s from 0, ``v_word`` (rows, K),
        ``v_bit`` (cols, K), ``v_gate`` (rows, K) or None, in V."""
        t = real(t, "t", lo=0.0, unit="s", where="LineDrives.from_samples", array=True)
        if t.ndim != 1 or t.size < 2:
            raise ShapeError(f"parameter 't' has shape {t.shape}; expected (K,) with K >= 2")
        out = []
        for name, v in (("v_word", v_word), ("v_bit", v_bit), ("v_gate", v_gate)):
            if v is None:
                out.append(None)
                continue
            a = real(v, name, unit="V", where="LineDrives.from_samples", array=True)
            if a.ndim != 2 or a.shape[1] != t.size:
                raise ShapeError(f"drive waveforms of mismatched length: parameter '{name}' has shape {a.shape}; "
                                 f"expected (lines, {t.size}) like 't'")
            out.append(tuple(PWL(tuple(t), tuple(row), n_points=2) for row in a))
        return cls(out[0], out[1], out[2])

    def compile(self) -> "_Waves":
        """The merged, vectorised form used by the simulator."""
        return _Waves(self)


class _Waves:
    """All line voltages as functions of time: ``value(t)`` -> (word, bit, gate or None)."""

    def __init__(self, d: LineDrives):
        every = d.word + d.bit + (d.gate or ())
        self.n_word, self.n_bit = d.rows, d.cols
        self.T = d.duration
        groups: dict = {}
        for k, dr in enumerate(every):
            groups.setdefault(id(dr), (dr, []))[1].append(k)
        pwl = [(dr, ks) for dr, ks in groups.values() if dr.encode()[0] == 1]
        self.other = [(dr, np.array(ks)) for dr, ks in groups.values() if dr.encode()[0] != 1]
        bps = [np.array([0.0, self.T])] + [dr.breakpoints() for dr, _ in pwl]
        # smooth drives (Sine) have no corners: step boundaries every 1/32 period resolve them
        bps += [np.arange(0.0, self.T, dr.period / 32) for dr, _ in self.other if dr.period]
        tk = np.unique(np.concatenate(bps))
        tk = tk[(tk >= 0) & (tk <= self.T)]
        self.tk = tk
        self.n = len(every)
        self.pwl_idx = np.concatenate([np.array(ks) for _, ks in pwl]) if pwl else np.zeros(0, int)
        self.Vk = np.concatenate([np.broadcast_to(dr.value(tk), (len(ks), tk.size)) for dr, ks in pwl]) \
            if pwl else np.zeros((0, tk.size))

    def breakpoints(self) -> np.ndarray:
        return self.tk

    def value(self, t: float) -> np.ndarray:
        """All line voltages (V) at time ``t`` (s), word lines first, then bit, then gate lines."""
        out = np.empty(self.n)
        if self.pwl_idx.size:
            tk = self.tk
            k = int(np.clip(np.searchsorted(tk, t, side="right") - 1, 0, max(tk.size - 2, 0)))
            if tk.size == 1:
                out[self.pwl_idx] = self.Vk[:, 0]
            else:
                w = (t - tk[k]) / (tk[k + 1] - tk[k])
                w = min(max(w, 0.0), 1.0)
                out[self.pwl_idx] = self.Vk[:, k] + w * (self.Vk[:, k + 1] - self.Vk[:, k])
        for dr, ks in self.other:
            out[ks] = float(dr.value(np.array([t]))[0])
        return out

    def split(self, u: np.ndarray):
        M, N = self.n_word, self.n_bit
        return u[:M + N], (u[M + N:] if u.size > M + N else None)


def write_drives(shape, row: int, v_write, *, cols=None, scheme: str = "V/2", width: float, rise: float | None = None,
                 gap: float = 0.0, v_gate=None) -> LineDrives:
    """One write pulse on row ``row`` of a (rows, cols) crossbar, as :class:`LineDrives`.

    ``v_write`` (V): the voltage wanted across the selected cells: a scalar for every
    selected column, or one value per column (cols,) (row-parallel data; 0 leaves a column
    unselected). ``cols``: the selected column(s), an int, a sequence, or None for every
    column with a non-zero ``v_write``. ``scheme``: "V/2" or "V/3" (module docstring).
    ``width`` (s): flat top; ``rise`` (s): each edge (default ``width/20``); ``gap`` (s):
    time at 0 V before and after the pulse (half each side). ``v_gate`` (V, 1T1R only):
    gate voltage of every row during the whole pulse, scalar or (rows,), held constant.
    """
    M, N = (int(s) for s in shape)
    where = "write_drives"
    if scheme not in SCHEMES:
        raise ParameterError(f"{where}: parameter 'scheme' = {scheme!r} is not one of {SCHEMES}")
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < M:
        raise ParameterError(f"{where}: parameter 'row' = {row!r} is outside the allowed range [0, {M - 1}] (integer)")
    a = real(v_write, "v_write", unit="V", where=where, array=True)
    if a.ndim == 0:
        a = np.full(N, float(a))
        if cols is None:
            cols = range(N)
    if a.shape != (N,):
        raise ShapeError(f"{where}: parameter 'v_write' has shape {a.shape}; expected a scalar or ({N},)")
    sel = np.zeros(N, dtype=bool)
    if cols is None:
        sel = a != 0
    else:
        cl = np.atleast_1d(np.asarray(cols))
        if cl.dtype.kind not in "iu" or cl.ndim != 1 or np.any((cl < 0) | (cl >= N)):
            raise ParameterError(f"{where}: parameter 'cols' = {cols!r} must be column indices in [0, {N - 1}]")
        sel[cl] = True
    a = np.where(sel, a, 0.0)
    if not np.any(a):
        raise ParameterError(f"{where}: no cell selected (every selected 'v_write' is 0 V)")
    signs = np.sign(a[a != 0])
    if np.any(signs != signs[0]):
        raise ParameterError(f"{where}: parameter 'v_write' mixes polarities in one pulse; write SET and RESET "
                             "columns in separate pulses")
    V = float(a[np.argmax(np.abs(a))])
    width = real(width, "width", lo=0.0, lo_open=True, unit="s", where=where)
    rise = width / 20 if rise is None else real(rise, "rise", lo=0.0, lo_open=True, unit="s", where=where)
    gap = real(gap, "gap", lo=0.0, unit="s", where=where)
    k = 2.0 if scheme == "V/2" else 3.0
    vw = np.full(M, V / k)
    vw[row] = V
    vb = np.where(sel, V - a, V / 2 if k == 2.0 else 2 * V / 3)
    cache: dict = {}

    def pulse(level):
        level = float(level)
        if level not in cache:
            cache[level] = PulseTrain([level], [width], gap=gap, rise=rise)
        return cache[level]

    gate = None
    if v_gate is not None:
        g = np.broadcast_to(real(v_gate, "v_gate", unit="V", where=where, array=True), (M,))
        T = pulse(0.0).duration
        gate = [PWL((0.0, T), (float(x), float(x)), n_points=2) for x in g]
    return LineDrives([pulse(x) for x in vw], [pulse(x) for x in vb], gate)


def pulse_duration(width: float, rise: float | None, gap: float) -> float:
    """Duration (s) of one :func:`write_drives` pulse."""
    rise = width / 20 if rise is None else rise
    return gap + 2 * rise + width
