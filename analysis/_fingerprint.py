"""Memristor fingerprints (Chua 1971/2011; Adhikari et al. 2013): pinch, lobe area vs
frequency with the critical frequency, loop collapse (docs/notes/devices.md §7).

All functions take :class:`~memlab.devices.Trace` objects (SI units: V, A, s) and work on
one device; pick a device of a population with ``trace[k]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memlab.errors import ParameterError, ShapeError

__all__ = ["pinch", "PinchResult", "lobe_areas", "loop_width", "area_vs_frequency", "AreaSweep",
           "critical_frequency"]


def _single(trace, who):
    from memlab.devices import Trace
    if not isinstance(trace, Trace):
        raise ParameterError(f"{who}: parameter 'trace' = {trace!r:.60} must be a memlab.devices.Trace "
                             "(the result of simulate or characterize)")
    if trace.i is None or trace.v is None:
        raise ParameterError(f"{who}: the trace must store 'v' and 'i'")
    if np.ndim(trace.i) != 1:
        raise ShapeError(f"{who}: expected one device, got a population of {trace.n_devices}; "
                         f"pass trace[k]")
    return np.asarray(trace.v, float), np.asarray(trace.i, float)


@dataclass
class PinchResult:
    """Current at the zeros of the voltage.

    Attributes: ``times`` (s) and ``currents`` (A) at each v = 0 crossing (linear
    interpolation of i against v between the bracketing samples; exact zeros taken
    as they are), ``ratio`` = max |i at crossings| / max |i|, ``ok`` = ratio <= tol.
    """

    times: np.ndarray
    currents: np.ndarray
    ratio: float
    tol: float
    ok: bool


def pinch(trace, tol: float = 1e-9) -> PinchResult:
    """Fingerprint (a): the I-V locus passes through the origin at every zero of v."""
    v, i = _single(trace, "pinch")
    t = np.asarray(trace.t, float)
    imax = np.max(np.abs(i))
    if imax == 0:
        raise ParameterError("pinch: the trace carries no current (max |i| = 0)")
    exact = np.flatnonzero(v == 0)
    s = np.sign(v)
    cross = np.flatnonzero(s[:-1] * s[1:] < 0)
    w = v[cross] / (v[cross] - v[cross + 1])
    i_c = i[cross] + w * (i[cross + 1] - i[cross])
    t_c = t[cross] + w * (t[cross + 1] - t[cross])
    times = np.concatenate([t[exact], t_c])
    currents = np.concatenate([i[exact], i_c])
    order = np.argsort(times)
    ratio = float(np.max(np.abs(currents)) / imax) if currents.size else 0.0
    return PinchResult(times[order], currents[order], ratio, tol, ratio <= tol)


def _shoelace(v, i):
    return 0.5 * abs(float(np.sum(v[:-1] * i[1:] - v[1:] * i[:-1]) + v[-1] * i[0] - v[0] * i[-1]))


def lobe_areas(trace, *, last_period: bool = True) -> tuple[float, float]:
    """Shoelace area (V*A) of the positive-voltage and the negative-voltage lobe.

    With ``last_period`` (default) only the last drive period is used, i.e. the periodic
    steady state when enough periods were simulated.
    """
    tr = trace.last_period() if last_period and trace.period else trace
    v, i = _single(tr, "lobe_areas")
    pos, neg = v >= 0, v <= 0
    a_pos = _shoelace(v[pos], i[pos]) if pos.sum() > 2 else 0.0
    a_neg = _shoelace(v[neg], i[neg]) if neg.sum() > 2 else 0.0
    return a_pos, a_neg


def loop_width(trace, n_grid: int = 200) -> float:
    """Normalised loop width max |i_up - i_down| / max |i| over the last period.

    Each half-cycle is split at its voltage extremum into a rising and a falling branch;
    both are interpolated onto a common voltage grid. Tends to 0 as f -> infinity
    (fingerprint c).
    """
    tr = trace.last_period() if trace.period else trace
    v, i = _single(tr, "loop_width")
    imax = np.max(np.abs(i))
    width = 0.0
    for sgn in (1, -1):
        m = sgn * v > 0
        if m.sum() < 4:
            continue
        idx = np.flatnonzero(m)
        # longest run of consecutive samples of this sign
        runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        run = max(runs, key=len)
        vv, ii = sgn * v[run], i[run]
        k = int(np.argmax(vv))
        up_v, up_i = vv[: k + 1], ii[: k + 1]
        dn_v, dn_i = vv[k:][::-1], ii[k:][::-1]
        if up_v.size < 2 or dn_v.size < 2:
            continue
        hi = min(up_v.max(), dn_v.max())
        lo = max(up_v.min(), dn_v.min())
        g = np.linspace(lo, hi, n_grid)
        a = np.interp(g, *_monotone(up_v, up_i))
        b = np.interp(g, *_monotone(dn_v, dn_i))
        width = max(width, float(np.max(np.abs(a - b))))
    return width / imax if imax > 0 else 0.0


def _monotone(v, i):
    order = np.argsort(v, kind="stable")
    return v[order], i[order]


@dataclass
class AreaSweep:
    """Lobe areas against drive frequency.

    ``frequencies`` (Hz), ``area_pos``/``area_neg`` (V*A, last period), ``widths``
    (normalised loop width), ``f_critical`` (Hz, see :func:`critical_frequency`),
    ``monotone_above`` (True when the total area falls strictly above f_critical).
    """

    frequencies: np.ndarray
    area_pos: np.ndarray
    area_neg: np.ndarray
    widths: np.ndarray
    f_critical: float
    monotone_above: bool
    traces: list = field(default_factory=list, repr=False)

    @property
    def area(self) -> np.ndarray:
        return self.area_pos + self.area_neg


def critical_frequency(frequencies, areas) -> float:
    """The lowest frequency above which the area decreases strictly monotonically.

    Sorted by frequency; returns the frequency of the last local maximum of the area
    (fingerprint b's omega*), or the lowest frequency if the area falls throughout.
    """
    f = np.asarray(frequencies, float)
    a = np.asarray(areas, float)
    if f.shape != a.shape or f.ndim != 1 or f.size < 2:
        raise ShapeError("critical_frequency: 'frequencies' and 'areas' must be 1-D of equal length >= 2")
    if not np.isfinite(f).all() or not np.isfinite(a).all():
        raise ParameterError("critical_frequency: parameters 'frequencies' and 'areas' must be finite "
                             f"(got {int((~np.isfinite(f)).sum())} and {int((~np.isfinite(a)).sum())} non-finite values)")
    order = np.argsort(f)
    f, a = f[order], a[order]
    k = f.size - 1
    while k > 0 and a[k - 1] > a[k]:
        k -= 1
    return float(f[k])


def area_vs_frequency(model, amplitude: float, frequencies, *, x0=None, periods: int = 3,
                      r_series: float = 0.0, points_per_period: int = 2000, rtol: float = 1e-6,
                      keep_traces: bool = False) -> AreaSweep:
    """Simulate a sine of ``amplitude`` (V) at each frequency (Hz) and measure the loop.

    ``periods`` periods are simulated and the last one is used (periodic steady state).
    """
    from memlab.devices import Sine, simulate

    freqs = np.asarray(frequencies, float)
    if freqs.ndim != 1 or freqs.size < 2 or np.any(~np.isfinite(freqs)) or np.any(freqs <= 0):
        raise ParameterError("area_vs_frequency: 'frequencies' must be >= 2 positive finite values in Hz")
    if int(periods) < 1:
        raise ParameterError(f"area_vs_frequency: parameter 'periods' = {periods!r} is outside the allowed range [1, inf)")
    ap, an, w, traces = [], [], [], []
    for f in freqs:
        tr = simulate(model, Sine(amplitude, f, periods=int(periods), r_series=r_series,
                                  points_per_period=points_per_period), x0=x0, rtol=rtol)
        a, b = lobe_areas(tr)
        ap.append(a); an.append(b); w.append(loop_width(tr))
        if keep_traces:
            traces.append(tr)
    ap, an = np.array(ap), np.array(an)
    fc = critical_frequency(freqs, ap + an)
    order = np.argsort(freqs)
    tot = (ap + an)[order]
    above = freqs[order] >= fc
    mono = bool(np.all(np.diff(tot[above]) < 0)) if above.sum() > 1 else True
    return AreaSweep(freqs, ap, an, np.array(w), fc, mono, traces)
