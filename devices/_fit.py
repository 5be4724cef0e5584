"""Least-squares fitting of compact models to measured I-V loops, judged by prediction.

The model is driven the way the experiment was: the measurement's source waveform (an
analytic sine when the source samples are one, else a periodic piecewise-linear source)
through its series resistor, simulated with :func:`~memlab.devices.simulate` for
``FitSettings.periods`` periods; only the last period is compared with the data
(periodic steady state; the change between the last two periods is reported). The same
:class:`FitSettings` are used for fitting, evaluating and predicting.

Objective: for each loop the normalised RMS current error
``e = RMS(i_model - i_meas) / max|i_meas|``; the fit minimises ``sum(w_l^2 e_l^2)`` over
the loops given (several frequencies, amplitudes or series resistors in one objective).

Parameters are optimised in a unit box: ``u = (z - z_lo)/(z_hi - z_lo)`` with
``z = ln|p|`` for parameters flagged ``log`` (or spanning decades) and ``z = p``
otherwise; the box is the parameter's allowed range (``Param.lo``/``hi``) intersected
with a finite search range (per-model defaults in :data:`FIT_DEFAULTS`, overridable).

Search: a global stage over the unit box, then local refinement.
``strategy="de"`` (default): differential evolution (``scipy.optimize.differential_evolution``,
``vectorized=True``) whose initial population is ``n_starts`` scrambled Sobol points (plus the
model's own values unless ``use_model_values=False``); every generation is ONE population
simulation per loop. ``strategy="multistart"``: the Sobol points are only screened (one
population call) and the best are refined. The ``n_local`` best distinct candidates are then
refined with a bounded trust-region least-squares solver (``scipy.optimize.least_squares``,
``dogbox``) whose central finite-difference Jacobian is again one population simulation per
loop (``2 k`` parameter sets). With ``polarity="auto"`` the device orientation is one more
search coordinate. The uncertainty of the fitted parameters comes from that Jacobian at the
optimum: ``cov = s^2 (J^T J)^+`` with ``s^2 = SSR/(N - k)`` (parameters in null directions
of J get an infinite standard error).

Why the series circuit: the Knowm files' device voltage is derived (``v_source - R i``);
driving a model with it hides how fast the device switches (references.md Part D).
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from memlab.errors import AccuracyWarning, ParameterError
from memlab.devices._io import Measurement
from memlab.devices._model import DeviceModel
from memlab.devices._simulate import Trace, simulate

__all__ = ["FitSettings", "FitResult", "FIT_DEFAULTS", "fit", "evaluate", "loop_error", "loop_direction"]

#: Default free parameters and search ranges (SI units) per model class name. The search
#: range is intersected with each parameter's allowed range. ``log`` lists parameters
#: searched on a log scale in addition to those declared ``Param.log`` (negative ones
#: on the log of their magnitude). ``"vmax"`` stands for the largest source-voltage magnitude of
#: the loops being fitted (a threshold above it cannot act on the data); ``"tmin"``/``"tmax"``
#: stand for 1e-3 x the shortest and 10 x the longest drive period (time constants outside
#: cannot be resolved by the loops; below it the MSS tau trades off with V_on).
#: ``on_positive``: the model's conductance rises under positive voltage (used by
#: ``polarity="auto"`` together with the measured loop direction, see :func:`loop_direction`).
FIT_DEFAULTS: dict[str, dict] = {
    "KnowmMSS": {
        "params": ("R_on", "R_off", "tau", "V_on", "V_off", "beta"),
        "search": {"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "tau": ("tmin", "tmax"), "V_on": (0.0, "vmax"),
                   "V_off": (0.0, "vmax"), "beta": (1.0, 200.0)},
        "log": (),
        "on_positive": True,
    },
    "Yakopcic": {
        "params": ("a1", "a2", "b", "Vp", "Vn", "Ap", "An", "xp", "xn", "alpha_p", "alpha_n"),
        "search": {"a1": (1e-7, 1.0), "a2": (1e-7, 1.0), "b": (0.01, 20.0), "Vp": (0.0, "vmax"), "Vn": (0.0, "vmax"),
                   "Ap": (1.0, 1e7), "An": (1.0, 1e7), "xp": (0.0, 0.99), "xn": (0.0, 0.99),
                   "alpha_p": (0.0, 20.0), "alpha_n": (0.0, 20.0)},
        "log": (),
        "on_positive": True,
    },
    "VTEAM": {
        "params": ("R_on", "R_off", "k_off", "k_on", "alpha_off", "alpha_on", "v_off", "v_on"),
        "search": {"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "k_off": (1e-13, 1e-3), "k_on": (-1e-3, -1e-13),
                   "alpha_off": (0.5, 10.0), "alpha_on": (0.5, 10.0), "v_off": (1e-3, "vmax"), "v_on": ("-vmax", -1e-3)},
        "log": ("k_on",),
        "on_positive": False,
    },
    "TEAM": {
        "params": ("R_on", "R_off", "k_off", "k_on", "alpha_off", "alpha_on", "i_off", "i_on"),
        "search": {"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "k_off": (1e-15, 1.0), "k_on": (-1.0, -1e-15),
                   "alpha_off": (0.5, 12.0), "alpha_on": (0.5, 12.0), "i_off": (1e-9, 1e-2),
                   "i_on": (-1e-2, -1e-9)},
        "log": ("k_on", "i_off", "i_on"),
        "on_positive": False,
    },
    "HPLinearDrift": {
        "params": ("R_on", "R_off", "mu_v"),
        "search": {"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "mu_v": (1e-20, 1e-8)},
        "log": (),
        "on_positive": True,
    },
}

_PENALTY = 2.0     # normalised error given to parameter sets the model rejects (e.g. R_on >= R_off)
_CHUNK = 512       # parameter sets per population simulation


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
    return np.sqrt(np.mean((np.asarray(i_model) - i_meas) ** 2, axis=-1)) / np.max(np.abs(i_meas))


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


def _simulate_loop(model: DeviceModel, meas: Measurement, s: FitSettings, x0, polarity: int, circuit: str,
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


# ---------------------------------------------------------------------- parameter space
class _Space:
    """Map between the unit box and physical parameter values."""

    def __init__(self, model: DeviceModel, names, bounds: dict | None, log: tuple | None, vmax: float = 1.0,
                 periods: tuple = (1e-3, 1.0)):
        defaults = FIT_DEFAULTS.get(type(model).__name__, {})
        search = dict(defaults.get("search", {}))
        search.update(bounds or {})
        extra_log = set(defaults.get("log", ())) | set(log or ())
        self.names = tuple(names)
        self.zlo, self.zhi, self.islog, self.sign = [], [], [], []
        self.lo, self.hi = [], []
        where = f"fit({type(model).__name__})"
        for n in self.names:
            if n not in model.params:
                raise ParameterError(f"{where}: unknown parameter {n!r}; known: {list(model.param_names)}")
            p = model.params[n]
            if p.integer:
                raise ParameterError(f"{where}: parameter {n!r} is integer-valued and cannot be fitted; fix it")
            lo, hi = search.get(n, (p.lo, p.hi))
            sub = {"vmax": vmax, "-vmax": -vmax, "tmin": 1e-3 * min(periods), "tmax": 10.0 * max(periods)}
            lo, hi = float(sub.get(lo, lo)), float(sub.get(hi, hi))
            # intersect with the allowed range, nudging open ends inwards
            span = hi - lo if math.isfinite(hi - lo) else 1.0
            if lo < p.lo or (p.lo_open and lo <= p.lo):
                lo = p.lo + (1e-9 * span if p.lo_open else 0.0)
            if hi > p.hi or (p.hi_open and hi >= p.hi):
                hi = p.hi - (1e-9 * span if p.hi_open else 0.0)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ParameterError(f"{where}: parameter {n!r} needs a finite search range inside {p.allowed}; "
                                     f"got ({lo:g}, {hi:g}); pass bounds={{{n!r}: (lo, hi)}}")
            use_log = (p.log or n in extra_log) and (lo > 0 or hi < 0)
            if (p.log or n in extra_log) and not use_log:
                raise ParameterError(f"{where}: log-scaled parameter {n!r} needs a search range of one sign, "
                                     f"got ({lo:g}, {hi:g})")
            sign = -1.0 if hi < 0 else 1.0
            if use_log:
                a, b = sorted((math.log(abs(lo)), math.log(abs(hi))))
            else:
                a, b = lo, hi
            self.zlo.append(a); self.zhi.append(b); self.islog.append(use_log); self.sign.append(sign)
            self.lo.append(lo); self.hi.append(hi)
        self.zlo, self.zhi = np.array(self.zlo), np.array(self.zhi)
        self.islog, self.sign = np.array(self.islog), np.array(self.sign)
        self.width = self.zhi - self.zlo

    @property
    def k(self) -> int:
        return len(self.names)

    def to_values(self, U):
        U = np.clip(np.asarray(U, dtype=float), 0.0, 1.0)
        z = self.zlo + U * self.width
        vals = np.where(self.islog, self.sign * np.exp(np.where(self.islog, z, 0.0)), z)
        # keep exact end points inside the (possibly open) ranges
        return np.clip(vals, np.array(self.lo), np.array(self.hi))

    def to_unit(self, values):
        v = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(self.islog, np.log(np.abs(np.where(v == 0, np.nan, v))), v)
        return np.clip((z - self.zlo) / self.width, 0.0, 1.0)

    def std_from_unit(self, values, cov_u):
        """Standard deviations (physical units) and relative ones from a unit-box covariance."""
        D = np.diag(self.width)
        cov_z = D @ cov_u @ D
        sz = np.sqrt(np.clip(np.diag(cov_z), 0.0, None))
        absv = np.abs(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            std = np.where(self.islog, absv * sz, sz)
            rel = np.where(self.islog, sz, sz / absv)
        return std, rel, cov_z


# ---------------------------------------------------------------------- the objective
class _Problem:
    def __init__(self, model, names, measurements, weights, settings, x0, circuit, bounds, log):
        self.model = model
        self.meas = list(measurements)
        vmax = max(float(np.max(np.abs(m.v_source if circuit == "series" else m.v))) for m in self.meas)
        self.space = _Space(model, names, bounds, log, vmax, tuple(m.period for m in self.meas))
        self.weights = np.ones(len(self.meas)) if weights is None else np.asarray(weights, dtype=float)
        if self.weights.shape != (len(self.meas),) or np.any(~np.isfinite(self.weights)) or np.any(self.weights <= 0):
            raise ParameterError(f"fit: parameter 'weights' must be {len(self.meas)} positive numbers, got {weights!r}")
        self.settings = settings
        self.x0 = x0
        self.circuit = circuit
        self.n_eval = 0
        self.n_sets = 0
        self.sqrt_n = [math.sqrt(m.n_points) for m in self.meas]

    @property
    def n_points(self) -> int:
        return sum(m.n_points for m in self.meas)

    def population(self, V):
        """Model population for value rows V (m, k); rows the model rejects are replaced."""
        kw = {n: V[:, j] for j, n in enumerate(self.space.names)}
        try:
            return self.model.with_params(**kw), np.ones(V.shape[0], bool)
        except ParameterError:
            ok = np.zeros(V.shape[0], bool)
            for r in range(V.shape[0]):
                try:
                    self.model.with_params(**{n: V[r, j] for j, n in enumerate(self.space.names)})
                    ok[r] = True
                except ParameterError:
                    pass
            if not ok.any():
                return None, ok
            V = V.copy()
            V[~ok] = V[np.flatnonzero(ok)[0]]
            return self.model.with_params(**{n: V[:, j] for j, n in enumerate(self.space.names)}), ok

    def residuals(self, U, polarity: int):
        """Weighted normalised residuals (m, N) for unit-box rows U (m, k)."""
        U = np.atleast_2d(U)
        m = U.shape[0]
        out = np.empty((m, self.n_points))
        for c0 in range(0, m, _CHUNK):
            sl = slice(c0, min(m, c0 + _CHUNK))
            V = self.space.to_values(U[sl])
            pop, ok = self.population(V)
            col = 0
            for w, meas, sn in zip(self.weights, self.meas, self.sqrt_n):
                n = meas.n_points
                if pop is None:
                    out[sl, col:col + n] = _PENALTY * w / sn
                else:
                    i_last, _, _ = _simulate_loop(pop, meas, self.settings, self.x0, polarity, self.circuit)
                    r = w * (i_last - meas.i) / (meas.i_scale * sn)
                    r[~ok] = _PENALTY * w / sn
                    r[~np.isfinite(r)] = _PENALTY * w / sn
                    out[sl, col:col + n] = r
                col += n
            self.n_eval += 1
            self.n_sets += sl.stop - sl.start
        return out

    def jacobian(self, u, polarity: int, h: float = 1e-3):
        """Central-difference Jacobian in the unit box (one-sided at the box edges); one population call."""
        k = u.size
        up = np.tile(u, (k, 1)); um = np.tile(u, (k, 1))
        hp = np.minimum(h, 1.0 - u); hm = np.minimum(h, u)
        idx = np.arange(k)
        up[idx, idx] += hp
        um[idx, idx] -= hm
        R = self.residuals(np.vstack([up, um]), polarity)
        den = (hp + hm)
        den = np.where(den > 0, den, 1.0)
        return ((R[:k] - R[k:]) / den[:, None]).T


# ---------------------------------------------------------------------- results
@dataclass
class FitResult:
    """Outcome of :func:`fit`.

    Attributes
    ----------
    model : DeviceModel
        The model with the fitted parameter values.
    free : tuple of str
        Names of the fitted parameters.
    values, std, rel_std : dict
        Fitted values (SI), their standard errors (SI) and relative standard errors,
        from the Jacobian at the optimum.
    at_bound : dict
        True for parameters that ended on their search-range edge (their error is not
        meaningful: widen ``bounds`` or fix them).
    identifiable : dict
        True when the parameter is inside its range with relative standard error below
        ``identifiable_tol`` (default 0.1).
    correlation : ndarray (k, k)
        Correlation matrix of the fitted parameters (in their fitting coordinates).
    errors : ndarray (n_loops,)
        Normalised RMS current error of each fitted loop.
    residuals : list of ndarray
        ``i_model - i_meas`` (A) per loop at the measured samples.
    traces : list of Trace
        Last simulated period of each loop (fine grid), in the measurement orientation.
    pss_change : ndarray
        Normalised current change between the last two simulated periods per loop.
    aic, bic : float
        ``N ln(SSR/N) + 2k`` and ``N ln(SSR/N) + k ln N`` on the normalised residuals
        (N samples, k free parameters); comparable between models fitted to the same loops.
    """

    model: DeviceModel
    free: tuple
    values: dict
    std: dict
    rel_std: dict
    at_bound: dict
    identifiable: dict
    correlation: np.ndarray
    errors: np.ndarray
    residuals: list
    traces: list
    pss_change: np.ndarray
    measurements: list
    settings: FitSettings
    x0: float | None
    polarity: int
    circuit: str
    cost: float
    n_points: int
    aic: float
    bic: float
    bounds: dict
    jacobian: np.ndarray
    starts: int = 0
    local_costs: list = field(default_factory=list)
    n_evaluations: int = 0
    n_parameter_sets: int = 0
    elapsed: float = 0.0
    message: str = ""
    #: errors on extra loops evaluated without refit (filled by :func:`fit_files`), label -> error
    validation: dict = field(default_factory=dict)

    @property
    def n_params(self) -> int:
        return len(self.free)

    @property
    def model_name(self) -> str:
        opts = self.model.option_values
        extra = ", ".join(f"{k}={v}" for k, v in opts.items() if k == "iv")
        return f"{self.model.name} ({extra})" if extra else self.model.name

    @property
    def labels(self) -> list:
        return [m.label for m in self.measurements]

    def predict(self, measurement: Measurement, *, full: bool = True):
        """Simulate the fitted model on another measurement with the same settings.

        Returns ``(error, trace)``: the normalised RMS error and the last-period Trace.
        """
        i_last, _, tr = _simulate_loop(self.model, measurement, self.settings, self.x0, self.polarity,
                                       self.circuit, full=full)
        return float(loop_error(i_last[0], measurement.i)), tr

    def evaluate(self, measurements) -> np.ndarray:
        """Normalised RMS errors of the fitted model on ``measurements`` (no refit)."""
        return evaluate(self.model, measurements, settings=self.settings, x0=self.x0, polarity=self.polarity,
                        circuit=self.circuit)

    def summary(self) -> str:
        """Text table of the fitted parameters, errors and fit statistics."""
        lines = [f"{self.model_name}: {self.n_params} parameters, {len(self.measurements)} loop(s), "
                 f"polarity {self.polarity:+d}, circuit {self.circuit}",
                 f"{'parameter':<10} {'value':>12} {'std':>10} {'rel':>8}  unit    note"]
        for n in self.free:
            p = self.model.params[n]
            note = "at bound" if self.at_bound[n] else ("" if self.identifiable[n] else "poorly identified")
            lines.append(f"{n:<10} {self.values[n]:>12.5g} {self.std[n]:>10.3g} {self.rel_std[n]:>8.2%}  "
                         f"{p.unit:<7} {note}")
        for lab, e, ps in zip(self.labels, self.errors, self.pss_change):
            lines.append(f"loop {lab}: normalised RMS error {e:.4f} (periodic-steady-state change {ps:.1e})")
        lines.append(f"AIC {self.aic:.1f}  BIC {self.bic:.1f}  N = {self.n_points}; "
                     f"{self.starts} starts screened, {len(self.local_costs)} refined; "
                     f"{self.n_parameter_sets} parameter sets simulated in {self.elapsed:.1f} s")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Plain-data summary (for JSON output)."""
        return {"model": self.model_name, "polarity": self.polarity, "circuit": self.circuit,
                "parameters": {n: {"value": float(self.values[n]), "std": float(self.std[n]),
                                   "rel_std": float(self.rel_std[n]), "unit": self.model.params[n].unit,
                                   "at_bound": bool(self.at_bound[n]), "identifiable": bool(self.identifiable[n])}
                               for n in self.free},
                "fixed": {n: float(np.asarray(v)) for n, v in self.model.values.items() if n not in self.free},
                "loops": [{"label": lab, "error": float(e), "pss_change": float(p)}
                          for lab, e, p in zip(self.labels, self.errors, self.pss_change)],
                "validation": {k: float(v) for k, v in self.validation.items()},
                "aic": float(self.aic), "bic": float(self.bic), "n_points": self.n_points,
                "settings": self.settings.__dict__.copy()}

    def plot(self, measurements=None, axes=None):
        """Overlay of measured and fitted loops; see :func:`plot_fit`."""
        from memlab.devices._fit_report import plot_fit
        return plot_fit(self, measurements=measurements, axes=axes)


def _info_criteria(ssr: float, n: int, k: int):
    ssr = max(ssr, 1e-300)
    base = n * math.log(ssr / n)
    return base + 2 * k, base + k * math.log(n)


# ---------------------------------------------------------------------- public functions
def evaluate(model: DeviceModel, measurements, *, settings: FitSettings | None = None, x0=None,
             polarity: int = 1, circuit: str = "series") -> np.ndarray:
    """Normalised RMS current error of ``model`` on each measurement (no fitting).

    ``model`` may be a population (array parameters): the result is then (n_loops, n_devices).
    """
    settings = settings or FitSettings()
    meas = _as_list(measurements)
    errs = [loop_error(_simulate_loop(model, m, settings, x0, polarity, circuit)[0], m.i) for m in meas]
    out = np.array(errs)
    return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out


def _as_list(measurements) -> list:
    if isinstance(measurements, Measurement):
        return [measurements]
    meas = list(measurements)
    if not meas or not all(isinstance(m, Measurement) for m in meas):
        raise ParameterError("fit: 'measurements' must be a Measurement or a non-empty sequence of them "
                             "(see load_knowm, load_loop_csv, Measurement.from_arrays)")
    return meas


def fit(model: DeviceModel, measurements, params=None, *, circuit: str = "series", bounds: dict | None = None,
        log=None, x0=None, weights=None, polarity="auto", strategy: str = "de", n_starts: int = 64,
        generations: int = 40, n_local: int = 2, use_model_values: bool = True,
        settings: FitSettings | None = None, seed: int = 0, max_nfev: int = 60,
        identifiable_tol: float = 0.1, progress: bool | None = None) -> FitResult:
    """Fit ``params`` of ``model`` to one or several measured loops at once.

    Parameters
    ----------
    model : DeviceModel
        Model (its options, fixed parameter values and, when inside the search range, its
        free parameter values as one of the starts).
    measurements : Measurement or sequence of Measurement
        Loops fitted together (several frequencies, amplitudes or series resistors).
    params : sequence of str, optional
        Free parameters; default ``FIT_DEFAULTS[model class]["params"]``.
    circuit : {"series", "device"}
        ``"series"`` (default): each loop's source through its series resistor, as
        measured. ``"device"``: the measured device voltage applied directly (the
        approach references.md Part D warns against; kept for comparison).
    bounds : dict name -> (lo, hi), optional
        Search ranges (SI) overriding :data:`FIT_DEFAULTS`; always intersected with the
        parameter's allowed range.
    log : sequence of str, optional
        Extra parameters to search on a log scale (besides those declared ``Param.log``).
    x0 : float, optional
        Initial state of every simulation (default: the model's ``state.x0``).
    weights : sequence of float, optional
        Per-loop weights of the objective (default 1).
    polarity : {"auto", 1, -1}
        Device orientation: -1 connects it reversed (e.g. VTEAM, whose positive voltage
        switches OFF, against a device that switches ON at positive voltage). ``"auto"``:
        from the measured loop direction (:func:`loop_direction`) and the model's
        ``FIT_DEFAULTS`` ``on_positive`` when both are known, else searched by the global stage.
    strategy : {"de", "multistart"}
        Global stage: differential evolution (default) or Sobol screening only.
    n_starts : int
        Sobol points of the initial population / screening (one population simulation per
        loop per generation).
    generations : int
        Differential-evolution generations (``strategy="de"``).
    n_local : int
        Best distinct candidates refined by local least squares.
    use_model_values : bool
        Add the model's current parameter values to the starting points.
    settings : FitSettings
        Simulation settings, also used by :meth:`FitResult.predict` and :func:`evaluate`.
    seed : int
        Seed of the scrambled Sobol sequence.
    max_nfev : int
        Objective evaluations per local refinement.
    identifiable_tol : float
        Relative standard error below which a parameter counts as identifiable.
    progress : bool or None
        tqdm progress bar over the refinements (None: only on a terminal).

    Returns
    -------
    FitResult

    Raises
    ------
    ParameterError
        Unknown or integer parameters, a missing finite search range, bad options.
    """
    from scipy.optimize import least_squares
    from scipy.stats import qmc
    from tqdm.auto import tqdm

    t_start = time.perf_counter()
    if not isinstance(model, DeviceModel):
        raise ParameterError(f"fit: 'model' must be a memlab DeviceModel, got {type(model).__name__}")
    if model.is_population:
        raise ParameterError("fit: 'model' must be a single device (scalar parameters), not a population")
    meas = _as_list(measurements)
    if circuit not in ("series", "device"):
        raise ParameterError(f"fit: parameter 'circuit' = {circuit!r} is not one of ('series', 'device')")
    if polarity not in ("auto", 1, -1):
        raise ParameterError(f"fit: parameter 'polarity' = {polarity!r} is not one of ('auto', 1, -1)")
    if not (isinstance(n_starts, (int, np.integer)) and n_starts >= 0):
        raise ParameterError(f"fit: parameter 'n_starts' = {n_starts!r} is outside the allowed range [0, inf) (integer)")
    if strategy not in ("de", "multistart"):
        raise ParameterError(f"fit: parameter 'strategy' = {strategy!r} is not one of ('de', 'multistart')")
    if not (isinstance(generations, (int, np.integer)) and generations >= 1):
        raise ParameterError(f"fit: parameter 'generations' = {generations!r} is outside the allowed range "
                             f"[1, inf) (integer)")
    if not (isinstance(n_local, (int, np.integer)) and n_local >= 1):
        raise ParameterError(f"fit: parameter 'n_local' = {n_local!r} is outside the allowed range [1, inf) (integer)")
    settings = settings or FitSettings()
    if params is None:
        d = FIT_DEFAULTS.get(type(model).__name__)
        if d is None:
            raise ParameterError(f"fit: no default free parameters for {type(model).__name__}; pass params=[...] "
                                 f"from {list(model.param_names)}")
        params = d["params"]
    if isinstance(params, str):
        params = [p.strip() for p in params.split(",") if p.strip()]
    params = tuple(params)
    if not params or len(set(params)) != len(params):
        raise ParameterError(f"fit: parameter 'params' = {params!r} must name distinct parameters of {model.name}")
    if polarity == "auto":
        # the measured loop direction and the model's switching sense fix the orientation
        # when both are known; otherwise the orientation is searched as one more coordinate
        on_pos = FIT_DEFAULTS.get(type(model).__name__, {}).get("on_positive")
        dirs = {loop_direction(m) for m in meas}
        if on_pos is not None and len(dirs) == 1 and 0 not in dirs:
            polarity = dirs.pop() * (1 if on_pos else -1)
    prob = _Problem(model, params, meas, weights, settings, x0, circuit, bounds, log)
    sp_ = prob.space

    # ---- global stage: candidate rows (unit box) with their polarity and cost
    u_model = sp_.to_unit([float(np.asarray(model.values[n])) for n in params])
    k = sp_.k
    kk = k + (1 if polarity == "auto" else 0)        # extra coordinate: orientation (< 0.5: +1)
    pol_of = (lambda c: np.where(c[:, k] < 0.5, 1, -1)) if polarity == "auto" else \
        (lambda c: np.full(c.shape[0], int(polarity)))

    def costs(C):
        C = np.atleast_2d(C)
        out = np.empty(C.shape[0])
        pv = pol_of(C)
        for pol in (1, -1):
            rows = np.flatnonzero(pv == pol)
            if rows.size:
                out[rows] = np.sum(prob.residuals(C[rows, :k], pol) ** 2, axis=1)
        return out

    sob = qmc.Sobol(d=kk, scramble=True, seed=seed)
    n0 = max(n_starts, 2 * kk) if strategy == "de" else n_starts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # Sobol balance needs powers of 2; not needed here
        C0 = sob.random(n0) if n0 > 0 else np.empty((0, kk))
    if use_model_values:
        extra = [np.concatenate([u_model, [0.25]]), np.concatenate([u_model, [0.75]])] if polarity == "auto" \
            else [u_model]
        C0 = np.vstack([np.array(extra), C0])
    if C0.shape[0] == 0:
        raise ParameterError("fit: no starting points (n_starts = 0 and use_model_values = False)")
    if strategy == "de":
        from scipy.optimize import differential_evolution
        bar = tqdm(total=generations, desc=f"fit {model.name} (global)", disable=progress is False
                   if progress is not None else None, leave=False)

        def cb(*_a, **_k):
            bar.update(1)

        with np.errstate(all="ignore"):
            de = differential_evolution(lambda X: costs(X.T), [(0.0, 1.0)] * kk, maxiter=generations,
                                        init=C0, vectorized=True, updating="deferred", polish=False, seed=seed,
                                        tol=0.0, atol=0.0, mutation=(0.5, 1.0), recombination=0.9, callback=cb)
        bar.close()
        pool, pool_cost = de.population, de.population_energies
    else:
        pool, pool_cost = C0, costs(C0)
    order = np.argsort(pool_cost)
    starts = []
    for j in order:
        c, pol, u = float(pool_cost[j]), int(pol_of(pool[j:j + 1])[0]), pool[j, :k]
        if all(pol != p or np.max(np.abs(u - v)) > 0.05 for _, p, v in starts):
            starts.append((c, pol, u))
        if len(starts) >= n_local:
            break

    # ---- local refinement (dogbox trust region; Jacobian = one population call per loop)
    best = None
    local_costs = []
    for c0, pol, u0 in tqdm(starts, desc=f"fit {model.name} (local)", disable=progress is False
                            if progress is not None else None, leave=False):

        def fun(u, pol=pol):
            return prob.residuals(u[None, :], pol)[0]

        def jac(u, pol=pol):
            return prob.jacobian(u, pol)

        with np.errstate(all="ignore"):
            sol = least_squares(fun, np.clip(u0, 0.0, 1.0), jac=jac, bounds=(0.0, 1.0), method="dogbox",
                                x_scale=1.0, ftol=1e-10, xtol=1e-10, gtol=1e-10, max_nfev=max_nfev)
        cost = float(np.sum(sol.fun ** 2))
        local_costs.append((c0, cost))
        if best is None or cost < best[0]:
            best = (cost, pol, sol)
    cost, pol, sol = best
    u = sol.x

    # ---- uncertainty from the Jacobian at the optimum
    J = prob.jacobian(u, pol)
    r = prob.residuals(u[None, :], pol)[0]
    N, k = r.size, sp_.k
    ssr = float(np.sum(r ** 2))
    s2 = ssr / max(N - k, 1)
    # cov = s^2 (J^T J)^+ through the SVD of J; parameters with weight in (numerically)
    # null directions are not determined by the data: infinite standard error
    _, sv, Vt = np.linalg.svd(J, full_matrices=False)
    null = sv <= 1e-8 * (sv[0] if sv.size and sv[0] > 0 else 1.0)
    inv = np.where(null, 0.0, 1.0 / np.where(null, 1.0, sv) ** 2)
    cov_u = s2 * (Vt.T * inv) @ Vt
    undetermined = np.any(np.abs(Vt[null]) > 1e-6, axis=0) if np.any(null) else np.zeros(k, bool)
    vals = sp_.to_values(u)
    std, rel, cov_z = sp_.std_from_unit(vals, cov_u)
    std = np.where(undetermined, np.inf, std)
    rel = np.where(undetermined, np.inf, rel)
    dz = np.sqrt(np.clip(np.diag(cov_z), 1e-300, None))
    corr = cov_z / np.outer(dz, dz)
    at_bound = (u <= 1e-3) | (u >= 1 - 1e-3)
    fitted = model.with_params(**{n: float(v) for n, v in zip(params, vals)})

    # ---- fitted traces and per-loop errors (same settings)
    errors, residuals, traces, pss = [], [], [], []
    for m in meas:
        i_last, ps, tr = _simulate_loop(fitted, m, settings, x0, pol, circuit, full=True)
        errors.append(float(loop_error(i_last[0], m.i)))
        residuals.append(i_last[0] - m.i)
        traces.append(tr)
        pss.append(float(ps[0]))
    pss = np.array(pss)
    if np.any(pss > settings.pss_tol):
        bad = [m.label for m, p in zip(meas, pss) if p > settings.pss_tol]
        warnings.warn(f"fit: loops {bad} changed by more than pss_tol = {settings.pss_tol:g} between the last two "
                      f"simulated periods; raise FitSettings.periods (now {settings.periods})", AccuracyWarning,
                      stacklevel=2)
    aic, bic = _info_criteria(ssr, N, k)
    return FitResult(
        model=fitted, free=params, values=dict(zip(params, map(float, vals))), std=dict(zip(params, map(float, std))),
        rel_std=dict(zip(params, map(float, rel))), at_bound=dict(zip(params, map(bool, at_bound))),
        identifiable={n: bool((not b) and np.isfinite(rs) and rs < identifiable_tol)
                      for n, b, rs in zip(params, at_bound, rel)},
        correlation=corr, errors=np.array(errors), residuals=residuals, traces=traces, pss_change=pss,
        measurements=meas, settings=settings, x0=x0, polarity=pol, circuit=circuit, cost=ssr, n_points=N,
        aic=aic, bic=bic, bounds={n: (lo, hi) for n, lo, hi in zip(params, sp_.lo, sp_.hi)}, jacobian=J,
        starts=int(C0.shape[0]), local_costs=local_costs, n_evaluations=prob.n_eval, n_parameter_sets=prob.n_sets,
        elapsed=time.perf_counter() - t_start, message=str(sol.message))
