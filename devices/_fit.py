"""Least-squares fitting of compact models to measured I-V loops, judged by prediction.

The stages, each in its own module:

* :mod:`~memlab.devices._fit_loops`: steady-state evaluation of a loop, driven the way the
  experiment was (source waveform through the series resistor, ``FitSettings.periods``
  periods, last one compared), the per-loop normalised RMS error and :func:`evaluate`;
* :mod:`~memlab.devices._fit_space`: the unit box of the free parameters (search ranges
  from the model class's ``fit_defaults``) and the weighted objective
  ``sum(w_l^2 e_l^2)`` over the loops, one population simulation per loop and evaluation;
* :mod:`~memlab.devices._fit_search`: the global stage (differential evolution or Sobol
  screening), local dogbox least squares, and the covariance ``s^2 (J^T J)^+`` at the optimum;
* this module: :func:`fit`, which validates its inputs and runs the stages, and
  :class:`FitResult`. The same :class:`FitSettings` are used for fitting, evaluating and
  predicting.

Why the series circuit: the Knowm files' device voltage is derived (``v_source - R i``);
driving a model with it hides how fast the device switches (docs/notes/fitting.md).
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
from memlab.devices._fit_loops import (FitSettings, as_measurements, evaluate, loop_direction, loop_error,
                                       simulate_loop, warn_pss)
from memlab.devices._fit_search import global_stage, refine, uncertainty
from memlab.devices._fit_space import Problem

__all__ = ["FitSettings", "FitResult", "fit", "evaluate", "loop_error", "loop_direction", "AT_BOUND"]

#: a fitted parameter within this fraction of its search range (in the fitting coordinate,
#: logarithmic for log-scaled parameters) from either end is reported as at its bound
AT_BOUND = 0.01


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
        True for parameters within 1 % (:data:`AT_BOUND`) of either end of their search
        range, i.e. at >= 99 % of it (their error is not meaningful and the data may be
        over-fitted: widen ``bounds`` or fix them).
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
    #: errors on extra loops evaluated without refit (filled by :func:`fit_files`),
    #: :attr:`Measurement.key` (full identity) -> error; the loops in ``validation_measurements``
    validation: dict = field(default_factory=dict)
    validation_measurements: list = field(default_factory=list)

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
        i_last, ps, tr = simulate_loop(self.model, measurement, self.settings, self.x0, self.polarity,
                                       self.circuit, full=full)
        warn_pss("predict", [measurement.label], ps, self.settings)
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
                "loops": [{"key": m.key, **m.identity, "label": m.label, "error": float(e), "pss_change": float(p),
                           "periods": int(tr.stats.get("periods", self.settings.periods))}
                          for m, e, p, tr in zip(self.measurements, self.errors, self.pss_change, self.traces)],
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


def _data_start(space, meas) -> np.ndarray:
    """A start point from the data alone: the middle of the search box, with ``R_on`` /
    ``R_off`` (when free) at the 5th / 95th percentile of the measured chord resistance
    ``|v / i|`` (ohm) where ``|v|`` exceeds half its maximum."""
    u = np.full(space.k, 0.5)
    chords = []
    for m in meas:
        big = np.abs(m.v) > 0.5 * np.max(np.abs(m.v))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.abs(m.v[big] / m.i[big])
        chords.append(r[np.isfinite(r)])
    r = np.concatenate(chords) if chords else np.empty(0)
    if r.size:
        vals = space.to_values(u)
        for n, q in (("R_on", 5), ("R_off", 95)):
            if n not in space.names:
                continue
            vals[space.names.index(n)] = np.percentile(r, q)
        u = space.to_unit(vals)
    return u


# ---------------------------------------------------------------------- fitting
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
        Free parameters; default ``type(model).fit_defaults.params``.
    circuit : {"series", "device"}
        ``"series"`` (default): each loop's source through its series resistor, as
        measured. ``"device"``: the measured device voltage applied directly (the
        approach docs/notes/fitting.md warns against; kept for comparison).
    bounds : dict name -> (lo, hi), optional
        Search ranges (SI) overriding ``type(model).fit_defaults.search``; always intersected with the
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
        ``fit_defaults.on_positive`` when both are known, else searched by the global stage.
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
        Add the model's current parameter values to the starting points; when False, a
        start from the data (:func:`_data_start`: chord resistances for ``R_on``/``R_off``,
        the middle of the search box otherwise) is added instead, so that a fit never
        starts from preset values that may have been fitted to the same files.
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
    t_start = time.perf_counter()
    if not isinstance(model, DeviceModel):
        raise ParameterError(f"fit: 'model' must be a memlab DeviceModel, got {type(model).__name__}")
    if model.is_population:
        raise ParameterError("fit: 'model' must be a single device (scalar parameters), not a population")
    meas = as_measurements(measurements)
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
    defaults = type(model).fit_defaults
    if params is None:
        if defaults is None or not defaults.params:
            raise ParameterError(f"fit: no default free parameters for {type(model).__name__}; pass params=[...] "
                                 f"from {list(model.param_names)}")
        params = defaults.params
    if isinstance(params, str):
        params = [p.strip() for p in params.split(",") if p.strip()]
    params = tuple(params)
    if not params or len(set(params)) != len(params):
        raise ParameterError(f"fit: parameter 'params' = {params!r} must name distinct parameters of {model.name}")
    if polarity == "auto":
        # the measured loop direction and the model's switching sense fix the orientation
        # when both are known; otherwise the orientation is searched as one more coordinate
        on_pos = None if defaults is None else defaults.on_positive
        dirs = {loop_direction(m) for m in meas}
        if on_pos is not None and len(dirs) == 1 and 0 not in dirs:
            polarity = dirs.pop() * (1 if on_pos else -1)
    prob = Problem(model, params, meas, weights, settings, x0, circuit, bounds, log)
    sp_ = prob.space

    # ---- global stage, local refinement, uncertainty at the optimum (see _fit_search)
    u_first = sp_.to_unit([float(np.asarray(model.values[n])) for n in params]) if use_model_values else \
        _data_start(sp_, meas)
    starts, n_screened = global_stage(prob, u_first, polarity, strategy=strategy, n_starts=n_starts,
                                      generations=generations, n_local=n_local, use_model_values=True,
                                      seed=seed, progress=progress, label=model.name)
    cost, pol, sol, local_costs = refine(prob, starts, max_nfev=max_nfev, progress=progress, label=model.name)
    u = sol.x
    unc = uncertainty(prob, u, pol)
    J, N, k, ssr, vals, std, rel, corr = unc.J, unc.N, sp_.k, unc.ssr, unc.values, unc.std, unc.rel, unc.corr
    at_bound = (u <= AT_BOUND) | (u >= 1 - AT_BOUND)
    fitted = model.with_params(**{n: float(v) for n, v in zip(params, vals)})

    # ---- fitted traces and per-loop errors (same settings)
    errors, residuals, traces, pss = [], [], [], []
    for m in meas:
        i_last, ps, tr = simulate_loop(fitted, m, settings, x0, pol, circuit, full=True)
        errors.append(float(loop_error(i_last[0], m.i)))
        residuals.append(i_last[0] - m.i)
        traces.append(tr)
        pss.append(float(ps[0]))
    pss = np.array(pss)
    warn_pss("fit", [m.label for m in meas], pss, settings)
    aic, bic = _info_criteria(ssr, N, k)
    return FitResult(
        model=fitted, free=params, values=dict(zip(params, map(float, vals))), std=dict(zip(params, map(float, std))),
        rel_std=dict(zip(params, map(float, rel))), at_bound=dict(zip(params, map(bool, at_bound))),
        identifiable={n: bool((not b) and np.isfinite(rs) and rs < identifiable_tol)
                      for n, b, rs in zip(params, at_bound, rel)},
        correlation=corr, errors=np.array(errors), residuals=residuals, traces=traces, pss_change=pss,
        measurements=meas, settings=settings, x0=x0, polarity=pol, circuit=circuit, cost=ssr, n_points=N,
        aic=aic, bic=bic, bounds={n: (lo, hi) for n, lo, hi in zip(params, sp_.lo, sp_.hi)}, jacobian=J,
        starts=n_screened, local_costs=local_costs, n_evaluations=prob.n_eval, n_parameter_sets=prob.n_sets,
        elapsed=time.perf_counter() - t_start, message=str(sol.message))
