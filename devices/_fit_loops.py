"""Steady-state evaluation of measured loops: the simulation settings shared by fitting,
evaluation and prediction, and the per-loop error.

The model is driven the way the experiment was: the measurement's source waveform (an
analytic sine when the source samples are one, else a periodic piecewise-linear source)
through its series resistor, simulated with :func:`~memlab.devices.simulate` for
``FitSettings.periods`` periods; only the last period is compared with the data
(periodic steady state; the change between the last two periods is reported).

Per-loop error: the normalised RMS current error ``e = RMS(i_model - i_meas) / max|i_meas|``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from memlab.errors import AccuracyWarning, ParameterError
from memlab.devices._io import Measurement
from memlab.devices._model import DeviceModel
from memlab.devices._simulate import Trace, simulate

__all__ = ["FitSettings", "loop_error", "loop_direction", "evaluate", "simulate_loop", "as_measurements"]

@dataclass(frozen=True)
class FitSettings:
    """Simulation settings shared by fitting, evaluation and prediction.

    Attributes
    ----------
    periods : int
        Drive periods simulated; the last one is compared with the data (>= 2 so that the
        change between the last two periods, the periodic-steady-state check, is known).
    points_per_period : int
        Output (and step-boundary) samples per period in addition to the measurement times.
    rtol : float
        Integrator tolerance (fraction of the state range per step), see ``simulate``.
    method : {"adaptive", "fixed"}
        Integrator stepping, see ``simulate``.
    max_step : float or None
        Largest integrator step as a fraction of the period (None: no limit).
    pss_tol : float
        Largest accepted change of the normalised current between the last two periods;
        above it an :class:`~memlab.errors.AccuracyWarning` says to simulate more periods.
    """

    periods: int = 3
    points_per_period: int = 200
    rtol: float = 1e-5
    method: str = "adaptive"
    max_step: float | None = None
    pss_tol: float = 1e-3

    def __post_init__(self):
        if not (isinstance(self.periods, (int, np.integer)) and 2 <= self.periods <= 1000):
            raise ParameterError(f"FitSettings: parameter 'periods' = {self.periods!r} is outside the allowed "
                                 f"range [2, 1000] (integer)")
        if not (isinstance(self.points_per_period, (int, np.integer)) and self.points_per_period >= 8):
            raise ParameterError(f"FitSettings: parameter 'points_per_period' = {self.points_per_period!r} is "
                                 f"outside the allowed range [8, inf) (integer)")
        if not (0 < self.rtol < 0.1):
            raise ParameterError(f"FitSettings: parameter 'rtol' = {self.rtol!r} is outside the allowed range (0, 0.1)")
        if self.method not in ("adaptive", "fixed"):
            raise ParameterError(f"FitSettings: parameter 'method' = {self.method!r} is not one of ('adaptive', 'fixed')")
        if self.max_step is not None and not (0 < self.max_step <= 1):
            raise ParameterError(f"FitSettings: parameter 'max_step' = {self.max_step!r} is outside the allowed "
                                 f"range (0, 1] periods")
        if not (self.pss_tol > 0):
            raise ParameterError(f"FitSettings: parameter 'pss_tol' = {self.pss_tol!r} is outside the allowed "
                                 f"range (0, inf)")


def loop_error(i_model, i_meas) -> np.ndarray:
    """Normalised RMS current error ``RMS(i_model - i_meas) / max|i_meas|`` (last axis)."""
    i_meas = np.asarray(i_meas, dtype=float)
    scale = np.max(np.abs(i_meas))       # divide first: squaring 1e300 A would overflow to inf
    return np.sqrt(np.mean(((np.asarray(i_model) - i_meas) / scale) ** 2, axis=-1))


def loop_direction(meas: Measurement) -> int:
    """+1 when the measured device turns ON (conductance rises) under positive voltage, else -1.

    Compares the mean chord conductance ``i/v`` on the falling and the rising branch of the
    positive half-cycle, where ``v > 0.3 max(v)``: after switching ON the falling branch
    carries more current. Returns 0 when the two differ by less than 1 %.
    """
    dv = np.gradient(meas.v_source[np.argsort(meas.t)])
    t_sorted = np.argsort(meas.t)
    v, i = meas.v[t_sorted], meas.i[t_sorted]
    pos = v > 0.3 * np.max(v)
    rise, fall = pos & (dv > 0), pos & (dv < 0)
    if not (rise.any() and fall.any()):
        return 0
    g_r, g_f = np.mean(i[rise] / v[rise]), np.mean(i[fall] / v[fall])
    if abs(g_f - g_r) <= 0.01 * max(abs(g_f), abs(g_r)):
        return 0
    return 1 if g_f > g_r else -1


# ---------------------------------------------------------------------- simulation of loops
def _time_grid(meas: Measurement, s: FitSettings):
    T = meas.period
    grid = np.linspace(0.0, s.periods * T, s.periods * s.points_per_period + 1)
    last = (s.periods - 1) * T + meas.t
    prev = (s.periods - 2) * T + meas.t
    return np.unique(np.concatenate([grid, last, prev])), last, prev


def simulate_loop(model: DeviceModel, meas: Measurement, s: FitSettings, x0, polarity: int, circuit: str,
                   full: bool = False):
    """Simulate ``meas`` for every device of ``model``.

    Returns (i at the measurement times of the last period, shape (n_sets, n),
    normalised change from the period before (n_sets,), last-period Trace or None).
    Currents and voltages are in the measurement's orientation.
    """
    drive = meas.drive(s.periods, s.points_per_period, polarity=polarity, circuit=circuit)
    t_out, last, prev = _time_grid(meas, s)
    max_step = None if s.max_step is None else s.max_step * meas.period
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AccuracyWarning)
        tr = simulate(model, drive, x0=x0, t=t_out, rtol=s.rtol, max_step=max_step, method=s.method,
                      store=("v", "i", "x") if full else ("i",))
    i = np.atleast_2d(tr.i) * polarity
    k_last = np.searchsorted(tr.t, last)
    k_prev = np.searchsorted(tr.t, prev)
    i_last, i_prev = i[:, k_last], i[:, k_prev]
    pss = np.sqrt(np.mean((i_last - i_prev) ** 2, axis=1)) / meas.i_scale
    trace = None
    if full:
        lp = tr.last_period()
        trace = Trace(lp.t - lp.t[0], lp.v * polarity, lp.i * polarity, lp.x,
                      None if lp.v_source is None else lp.v_source * polarity, lp.model, lp.state_name,
                      lp.state_unit, lp.r_series, lp.period, lp.source,
                      {**lp.stats, "polarity": polarity, "circuit": circuit,
                       "warnings": [str(w.message) for w in caught]})
    return i_last, pss, trace


# ---------------------------------------------------------------------- evaluation without fitting
def evaluate(model: DeviceModel, measurements, *, settings: FitSettings | None = None, x0=None,
             polarity: int = 1, circuit: str = "series") -> np.ndarray:
    """Normalised RMS current error of ``model`` on each measurement (no fitting).

    ``model`` may be a population (array parameters): the result is then (n_loops, n_devices).
    """
    settings = settings or FitSettings()
    meas = as_measurements(measurements)
    errs = [loop_error(simulate_loop(model, m, settings, x0, polarity, circuit)[0], m.i) for m in meas]
    out = np.array(errs)
    return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out


def as_measurements(measurements) -> list:
    if isinstance(measurements, Measurement):
        return [measurements]
    meas = list(measurements)
    if not meas or not all(isinstance(m, Measurement) for m in meas):
        raise ParameterError("fit: 'measurements' must be a Measurement or a non-empty sequence of them "
                             "(see load_knowm, load_loop_csv, Measurement.from_arrays)")
    return meas
