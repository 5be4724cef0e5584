"""Steady-state evaluation of measured loops: the simulation settings shared by fitting,
evaluation and prediction, and the per-loop error.

The model is driven the way the experiment was: the measurement's source waveform (an
analytic sine when the source samples are one, else a periodic piecewise-linear source)
through its series resistor, simulated with :func:`~memlab.devices.simulate` until
periodic steady state: rounds of ``FitSettings.periods`` periods, each further round
starting from the extrapolated fixed point of the period map, until the loop current
changes by at most ``pss_tol`` between the last two periods or ``max_periods`` is reached
(then a warning names the limit). Only the last period is compared with the data. Fitting,
evaluation and prediction all go through :func:`simulate_loop`, so they agree.

Per-loop error: the normalised RMS current error ``e = RMS(i_model - i_meas) / max|i_meas|``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from memlab.errors import AccuracyWarning, ConvergenceError, NonFiniteError, ParameterError
from memlab.devices._io import Measurement
from memlab.devices._model import DeviceModel
from memlab.devices._simulate import Trace, simulate

__all__ = ["FitSettings", "loop_error", "loop_direction", "evaluate", "simulate_loop", "as_measurements", "warn_pss"]

@dataclass(frozen=True)
class FitSettings:
    """Simulation settings shared by fitting, evaluation and prediction.

    Attributes
    ----------
    periods : int
        Drive periods simulated per round; the last one is compared with the data (>= 2 so
        that the change between the last two periods, the periodic-steady-state check, is
        known).
    max_periods : int
        Most periods simulated in all (rounds of ``periods``): a device whose loop current
        still changes by more than ``pss_tol`` starts another round from the extrapolated
        fixed point of its period map, until this limit (then an AccuracyWarning names it).
    max_steps : int
        Accepted integrator steps per candidate and round in the search; a candidate
        exceeding it counts as failing to integrate and is penalised (this bounds the cost of
        pathological corners of the search box). Evaluation and prediction of a fitted model
        use :func:`~memlab.devices.simulate`'s own limit. 400,000: since simulate integrates
        the distance to the nearer bound (windows that vanish at a bound), a candidate that
        saturates deep against a bound takes many more steps than before, and at 50,000 the
        good candidates of a Yakopcic fit were penalised (tests/devices/test_fit.py: Vp off
        by 15 % instead of 1 %).
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
        above it another round is simulated (see ``max_periods``).
    """

    periods: int = 3
    max_periods: int = 60
    max_steps: int = 400_000
    points_per_period: int = 200
    rtol: float = 1e-5
    method: str = "adaptive"
    max_step: float | None = None
    pss_tol: float = 1e-3

    def __post_init__(self):
        if not (isinstance(self.periods, (int, np.integer)) and 2 <= self.periods <= 1000):
            raise ParameterError(f"FitSettings: parameter 'periods' = {self.periods!r} is outside the allowed "
                                 f"range [2, 1000] (integer)")
        if not (isinstance(self.max_periods, (int, np.integer)) and self.periods <= self.max_periods <= 100_000):
            raise ParameterError(f"FitSettings: parameter 'max_periods' = {self.max_periods!r} is outside the "
                                 f"allowed range [periods = {self.periods}, 100000] (integer)")
        if not (isinstance(self.max_steps, (int, np.integer)) and self.max_steps >= 100):
            raise ParameterError(f"FitSettings: parameter 'max_steps' = {self.max_steps!r} is outside the "
                                 f"allowed range [100, inf) (integer)")
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
    t_out = np.unique(np.concatenate([grid, last, prev]))
    ends = np.searchsorted(t_out, np.arange(s.periods + 1) * T - 1e-9 * T)
    return t_out, last, prev, ends


def _take(model: DeviceModel, rows, n: int) -> DeviceModel:
    """The devices ``rows`` of a population of ``n`` (scalar parameters stay scalar)."""
    kw = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,))[rows] if np.ndim(v) > 0 else v
          for k, v in model.values.items()}
    return model.with_params(**kw)


def _run(model, drive, x0, t_out, s: FitSettings, period: float, store, robust: bool, n: int):
    """One simulation of ``n`` devices; returns (Trace or None, i (n, n_t), x (n, n_t)).

    ``robust``: when a population's integration fails (step limit, overflow) its devices
    are simulated one by one; the failing ones get NaN rows (the objective penalises
    them), the others their normal result.
    """
    max_step = None if s.max_step is None else s.max_step * period
    try:
        tr = simulate(model, drive, x0=x0, t=t_out, rtol=s.rtol, max_step=max_step, method=s.method, store=store,
                      **({"max_steps": s.max_steps} if robust else {}))
    except (ConvergenceError, NonFiniteError, ValueError) as err:
        # ValueError: simulate's overflow diagnosis of a failing population probes the rate
        # with a 2-vector against (n,) parameters (devices/_simulate.py _check_finite) and
        # fails to broadcast; a single device is diagnosed correctly, so simulate them one by one
        if not robust or (n == 1 and not isinstance(err, (ConvergenceError, NonFiniteError))):
            raise
        if n == 1:
            return None, np.full((1, t_out.size), np.nan), np.full((1, t_out.size), np.nan)
        # one device at a time: each failing device costs its step limit once (a bisection
        # would pay it once per level)
        x0a = np.broadcast_to(np.asarray(x0, dtype=float), (n,))
        outs = [_run(_take(model, np.array([r]), n), drive, x0a[r:r + 1], t_out, s, period, store, True, 1)
                for r in range(n)]
        return None, np.vstack([o[1] for o in outs]), np.vstack([o[2] for o in outs])
    return tr, np.atleast_2d(tr.i), np.atleast_2d(tr.x)


def _aitken(xe, lo, hi):
    """Fixed point of the period map estimated from the last three period-end states.

    Contracting sequences (ratio of successive changes ``|r| < 1``): Aitken's
    delta-squared. A monotone drift that does not slow down (``r >= 1``: the state moves
    by the same or a growing amount every period, as a device whose ON threshold is never
    reached while its OFF motion goes on) has no fixed point ahead of it but the bound it
    is moving to: start there (the next round checks it; a device that is not pinned there
    moves back and is extrapolated from the other side). Plain iteration otherwise
    (``r <= -1``, or no change). Before this, linear drift (r = 1.0000002) was iterated
    plainly and crossed 30 % of the range in 60 periods (tests/devices/test_fit_pss.py).
    """
    a, b, c = xe[:, -3], xe[:, -2], xe[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (c - b) / (b - a)
    ok = np.isfinite(r) & (np.abs(r) < 1.0)
    jump = np.where(ok, (c - b) * np.where(ok, r, 0.0) / (1.0 - np.where(ok, r, 0.0)), 0.0)
    drift = np.isfinite(r) & (r >= 1.0) & (c != b)
    out = np.where(drift, np.where(c > b, hi, lo), c + jump)
    return np.clip(out, lo, hi)


def simulate_loop(model: DeviceModel, meas: Measurement, s: FitSettings, x0, polarity: int, circuit: str,
                  full: bool = False, robust: bool = False):
    """Simulate ``meas`` for every device of ``model`` until periodic steady state.

    Rounds of ``s.periods`` periods: after each, devices whose normalised loop current
    changed by more than ``s.pss_tol`` between the last two periods start a new round from
    the extrapolated fixed point of the period map (Aitken's delta-squared on the
    period-end states), until ``s.max_periods`` periods in all have been simulated.

    Returns (i at the measurement times of the last period, shape (n_sets, n),
    normalised current change from the period before (n_sets,), last-period Trace or
    None). Currents and voltages are in the measurement's orientation. ``robust``:
    devices whose integration fails get NaN currents instead of raising. ``full``
    (single device only) returns the last period as a Trace whose ``stats`` hold
    ``periods`` (simulated in all) and ``pss_change``.
    """
    n = model.n_devices
    drive = meas.drive(s.periods, s.points_per_period, polarity=polarity, circuit=circuit)
    t_out, last, prev, ends = _time_grid(meas, s)
    k_last, k_prev = np.searchsorted(t_out, last), np.searchsorted(t_out, prev)
    bounds = None                    # state bounds, evaluated only when a further round is needed
    x_start = np.broadcast_to(np.asarray(model.state.x0 if x0 is None else x0, dtype=float), (n,)).copy()
    store = ("v", "i", "x") if full else ("i", "x")
    i_last = np.full((n, meas.n_points), np.nan)
    pss = np.full(n, np.inf)
    used = np.zeros(n, dtype=int)
    rows, sub, tr = np.arange(n), model, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AccuracyWarning)
        while True:
            xs = x_start[rows] if model.is_population else float(x_start[0])   # scalar: a single-device Trace
            tr, i, x = _run(sub, drive, xs, t_out, s, meas.period, store, robust, rows.size)
            i = i * polarity
            i_last[rows] = i[:, k_last]
            change = np.sqrt(np.mean((i[:, k_last] - i[:, k_prev]) ** 2, axis=1)) / meas.i_scale
            pss[rows] = np.where(np.isfinite(change), change, np.inf)
            used[rows] += s.periods
            again = (pss[rows] > s.pss_tol) & np.all(np.isfinite(x[:, ends]), axis=1)
            if not again.any() or used[rows[0]] + s.periods > s.max_periods:
                break
            if bounds is None:
                bounds = [np.broadcast_to(np.asarray(b, dtype=float), (n,)) for b in model.bounds()]
            x_start[rows[again]] = _aitken(x[again][:, ends], bounds[0][rows[again]], bounds[1][rows[again]])
            rows = rows[again]
            sub = _take(model, rows, n) if n > 1 else model
    trace = None
    if full and tr is not None:
        lp = tr.last_period()
        trace = Trace(lp.t - lp.t[0], lp.v * polarity, lp.i * polarity, lp.x,
                      None if lp.v_source is None else lp.v_source * polarity, lp.model, lp.state_name,
                      lp.state_unit, lp.r_series, lp.period, lp.source,
                      {**lp.stats, "polarity": polarity, "circuit": circuit, "periods": int(used[0]),
                       "pss_change": float(pss[0]), "warnings": [str(w.message) for w in caught]})
    return i_last, pss, trace


def warn_pss(where: str, labels, pss, s: FitSettings, stacklevel: int = 3) -> None:
    """AccuracyWarning naming the loops that did not reach periodic steady state and the limit."""
    pss = np.atleast_1d(np.asarray(pss, dtype=float))
    bad = [lab for lab, p in zip(labels, pss) if not p <= s.pss_tol]
    if bad:
        warnings.warn(f"{where}: loops {bad} did not reach periodic steady state: the loop current still changed "
                      f"by more than pss_tol = {s.pss_tol:g} (of max |i|) between the last two periods after "
                      f"FitSettings.max_periods = {s.max_periods} periods; raise max_periods", AccuracyWarning,
                      stacklevel=stacklevel)


# ---------------------------------------------------------------------- evaluation without fitting
def evaluate(model: DeviceModel, measurements, *, settings: FitSettings | None = None, x0=None,
             polarity: int = 1, circuit: str = "series") -> np.ndarray:
    """Normalised RMS current error of ``model`` on each measurement (no fitting).

    ``model`` may be a population (array parameters): the result is then (n_loops, n_devices).
    """
    settings = settings or FitSettings()
    meas = as_measurements(measurements)
    errs, pss = [], []
    for m in meas:
        i_last, ps, _ = simulate_loop(model, m, settings, x0, polarity, circuit)
        errs.append(loop_error(i_last, m.i))
        pss.append(np.max(ps))
    warn_pss("evaluate", [m.label for m in meas], pss, settings)
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
