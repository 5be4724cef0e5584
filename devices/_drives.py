"""Voltage drives for the native simulator: sine, triangle, pulse train, piecewise-linear.

Each drive may include a series resistance ``r_series`` (ohm) between the source and the
device; the simulator then solves the implicit circuit equation
``v_source = v + r_series * i(v, x)`` for the device voltage ``v``.

All times in seconds, voltages in volts, frequencies in hertz.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError

__all__ = ["Drive", "Sine", "Triangle", "PulseTrain", "PWL"]

SINE, PWL_KIND = 0, 1


def _finite(owner, name, value, lo=-math.inf, hi=math.inf, lo_open=False):
    """``value`` (scalar or array) as a float array, checked by :func:`memlab._validate.real`."""
    return real(value, name, lo=lo, hi=hi, lo_open=lo_open, where=owner, array=True)


class Drive:
    """Base class: a source voltage v_source(t) in V plus an optional series resistance."""

    r_series: float

    @property
    def duration(self) -> float:
        """Total simulated time in s."""
        raise NotImplementedError

    def encode(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """(kind, scalar params, PWL times, PWL values) for the compiled integrator."""
        raise NotImplementedError

    def time_grid(self) -> np.ndarray:
        """Output times in s (include every breakpoint of the waveform)."""
        raise NotImplementedError

    @property
    def period(self) -> float | None:
        """Period in s for periodic drives, else None."""
        return None

    def breakpoints(self) -> np.ndarray:
        """Corner times of the waveform (s); the integrator steps exactly onto them."""
        return np.zeros(0)

    def value(self, t) -> np.ndarray:
        """Source voltage (V) at times ``t`` (s)."""
        kind, dp, tp, vp = self.encode()
        t = np.asarray(t, dtype=float)
        if kind == SINE:
            return dp[3] + dp[0] * np.sin(2 * np.pi * dp[1] * t + dp[2])
        if dp[0] > 0:
            t = np.mod(t, dp[0])
        return np.interp(t, tp, vp)

    def _check_rs(self):
        _finite(type(self).__name__, "r_series", self.r_series, lo=0.0)


@dataclass(frozen=True)
class Sine(Drive):
    """``v(t) = offset + amplitude sin(2 pi frequency t + phase)`` for ``periods`` periods.

    Parameters: amplitude (V), frequency (Hz, > 0), periods (> 0), phase (rad), offset
    (V), r_series (ohm, >= 0), points_per_period (output samples per period, >= 8).
    """

    amplitude: float = 1.0
    frequency: float = 1.0
    periods: float = 1.0
    phase: float = 0.0
    offset: float = 0.0
    r_series: float = 0.0
    points_per_period: int = 1000

    def __post_init__(self):
        n = type(self).__name__
        _finite(n, "amplitude", self.amplitude)
        _finite(n, "frequency", self.frequency, lo=0.0, lo_open=True)
        _finite(n, "periods", self.periods, lo=0.0, lo_open=True)
        _finite(n, "phase", self.phase)
        _finite(n, "offset", self.offset)
        _finite(n, "points_per_period", self.points_per_period, lo=8)
        self._check_rs()

    @property
    def duration(self):
        return self.periods / self.frequency

    @property
    def period(self):
        return 1.0 / self.frequency

    def encode(self):
        return SINE, np.array([self.amplitude, self.frequency, self.phase, self.offset], float), \
            np.zeros(1), np.zeros(1)

    def time_grid(self):
        n = int(round(self.periods * self.points_per_period))
        return np.linspace(0.0, self.duration, max(n, 2) + 1)


@dataclass(frozen=True)
class PWL(Drive):
    """Piecewise-linear source through the points ``(t, v)`` (s, V), held after the end.

    ``periodic=True`` repeats the waveform with period ``t[-1]`` for ``repeats`` times.
    ``n_points`` output samples are spread evenly (every breakpoint is added).
    """

    t: tuple = (0.0, 1.0)
    v: tuple = (0.0, 0.0)
    r_series: float = 0.0
    n_points: int = 1000
    periodic: bool = False
    repeats: float = 1.0

    def __post_init__(self):
        n = type(self).__name__
        t = _finite(n, "t", self.t)
        v = _finite(n, "v", self.v)
        if t.ndim != 1 or t.shape != v.shape or t.size < 2:
            raise ParameterError(f"{n}: 't' and 'v' must be 1-D of the same length >= 2 (got {t.shape} and {v.shape})")
        if np.any(np.diff(t) <= 0) or t[0] != 0.0:
            raise ParameterError(f"{n}: parameter 't' must start at 0 and increase strictly")
        _finite(n, "n_points", self.n_points, lo=2)
        _finite(n, "repeats", self.repeats, lo=0.0, lo_open=True)
        self._check_rs()
        object.__setattr__(self, "t", tuple(float(a) for a in t))
        object.__setattr__(self, "v", tuple(float(a) for a in v))

    @property
    def duration(self):
        return self.t[-1] * (self.repeats if self.periodic else 1.0)

    @property
    def period(self):
        return self.t[-1] if self.periodic else None

    def encode(self):
        return PWL_KIND, np.array([self.t[-1] if self.periodic else 0.0]), np.array(self.t), np.array(self.v)

    def breakpoints(self) -> np.ndarray:
        """Corner times of the waveform within the duration, s."""
        T = self.duration
        tp = np.asarray(self.t)
        if self.periodic:
            k = np.arange(int(math.ceil(self.repeats)) + 1)
            tp = (tp[None, :] + k[:, None] * self.t[-1]).ravel()
        return tp[tp <= T]

    def time_grid(self):
        base = np.linspace(0.0, self.duration, int(self.n_points))
        return np.unique(np.concatenate([base, self.breakpoints()]))


@dataclass(frozen=True, repr=False)
class _DerivedPWL(PWL):
    """Base of PWL drives computed from parameters of their own: the PWL fields are set by
    ``__post_init__`` and left out of ``__init__`` and ``repr`` (``r_series`` stays, keyword
    only), so that ``dataclasses.replace`` and equality work on the subclass's parameters."""

    t: tuple = field(init=False, repr=False)
    v: tuple = field(init=False, repr=False)
    r_series: float = field(default=0.0, kw_only=True)
    n_points: int = field(init=False, repr=False)
    periodic: bool = field(init=False, repr=False)
    repeats: float = field(init=False, repr=False)

    def _set(self, **values):
        for name, val in values.items():
            object.__setattr__(self, name, val)


@dataclass(frozen=True, repr=False)
class Triangle(_DerivedPWL):
    """Triangle 0 -> +amplitude -> -amplitude -> 0 per period: a periodic :class:`PWL`.

    Parameters: amplitude (V), frequency (Hz, > 0), periods (> 0), r_series (ohm, >= 0),
    points_per_period (output samples per period, >= 2). The corner times and voltages are
    the inherited ``t`` (s) and ``v`` (V).
    """

    amplitude: float = 1.0
    frequency: float = 1.0
    periods: float = 1.0
    points_per_period: int = field(default=1000, kw_only=True)

    def __post_init__(self):
        n = type(self).__name__
        _finite(n, "amplitude", self.amplitude)
        _finite(n, "frequency", self.frequency, lo=0.0, lo_open=True)
        _finite(n, "periods", self.periods, lo=0.0, lo_open=True)
        _finite(n, "points_per_period", self.points_per_period, lo=2)
        self._set(amplitude=float(self.amplitude), frequency=float(self.frequency), periods=float(self.periods),
                  points_per_period=int(self.points_per_period))
        a, T = self.amplitude, 1.0 / self.frequency
        self._set(t=(0.0, T / 4, 3 * T / 4, T), v=(0.0, a, -a, 0.0), periodic=True, repeats=self.periods,
                  n_points=int(round(self.periods * self.points_per_period)) + 1)
        super().__post_init__()

    def __repr__(self) -> str:
        return (f"Triangle(amplitude={self.amplitude!r}, frequency={self.frequency!r}, periods={self.periods!r}, "
                f"r_series={self.r_series!r}, points_per_period={self.points_per_period!r})")


@dataclass(frozen=True, repr=False)
class PulseTrain(_DerivedPWL):
    """A sequence of trapezoidal pulses: a :class:`PWL` through their corners.

    Parameters
    ----------
    levels : sequence of float
        Pulse amplitudes in V (e.g. ``[+1.2, 0.1, -1.0, 0.1]`` for SET, read, RESET, read).
    widths : float or sequence of float
        Flat-top width of each pulse in s (> 0).
    gap : float
        Time at ``base`` between pulses, s (>= 0), half before and half after each pulse.
    rise, fall : float
        Edge times in s (> 0; fall defaults to rise).
    base : float
        Voltage between pulses, V.
    repeat : int
        How many times the whole sequence is repeated (>= 1).
    r_series : float
        Series resistance, ohm (>= 0).
    points_per_segment : int
        Output samples per linear segment.
    """

    levels: tuple
    widths: tuple
    gap: float = field(default=1e-6, kw_only=True)
    rise: float = field(default=1e-9, kw_only=True)
    fall: float | None = field(default=None, kw_only=True)
    base: float = field(default=0.0, kw_only=True)
    repeat: int = field(default=1, kw_only=True)
    points_per_segment: int = field(default=20, kw_only=True)

    def __post_init__(self):
        n = type(self).__name__
        levels = _finite(n, "levels", np.atleast_1d(np.asarray(self.levels, dtype=float)))
        if levels.ndim != 1:
            raise ParameterError(f"{n}: parameter 'levels' must be 1-D, got shape {levels.shape}")
        try:
            widths = np.broadcast_to(np.asarray(self.widths, dtype=float), levels.shape)
        except ValueError as exc:
            raise ParameterError(f"{n}: parameter 'widths' must be one width or one per level "
                                 f"({levels.size}), got shape {np.shape(self.widths)}") from exc
        widths = _finite(n, "widths", widths, lo=0.0, lo_open=True)
        _finite(n, "gap", self.gap, lo=0.0)
        _finite(n, "rise", self.rise, lo=0.0, lo_open=True)
        fall = self.rise if self.fall is None else self.fall
        _finite(n, "fall", fall, lo=0.0, lo_open=True)
        _finite(n, "base", self.base)
        _finite(n, "repeat", self.repeat, lo=1)
        _finite(n, "points_per_segment", self.points_per_segment, lo=1)
        self._set(levels=tuple(map(float, levels)), widths=tuple(map(float, widths)), gap=float(self.gap),
                  rise=float(self.rise), fall=float(fall), base=float(self.base), repeat=int(self.repeat),
                  points_per_segment=int(self.points_per_segment))
        ts, vs = self._corners()
        self._set(t=tuple(ts), v=tuple(vs), periodic=False, repeats=1.0,
                  n_points=max(2, (len(ts) - 1) * self.points_per_segment))
        super().__post_init__()

    def _corners(self):
        ts, vs = [0.0], [self.base]
        t, half = 0.0, self.gap / 2
        for _ in range(self.repeat):
            for lv, w in zip(self.levels, self.widths):
                if half > 0:
                    t += half
                    ts.append(t); vs.append(self.base)
                for dt, val in ((self.rise, lv), (w, lv), (self.fall, self.base)):
                    t += dt
                    ts.append(t); vs.append(val)
                if half > 0:
                    t += half
                    ts.append(t); vs.append(self.base)
        return ts, vs

    def __repr__(self) -> str:
        return (f"PulseTrain(levels={self.levels!r}, widths={self.widths!r}, gap={self.gap!r}, rise={self.rise!r}, "
                f"fall={self.fall!r}, base={self.base!r}, repeat={self.repeat!r}, r_series={self.r_series!r}, "
                f"points_per_segment={self.points_per_segment!r})")
