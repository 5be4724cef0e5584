"""Fitting around the core of :mod:`memlab.devices._fit`: the fixed-resistor baseline,
model comparison tables (error per loop, parameter count, AIC/BIC), overlay plots and the
file-based entry point used by ``memlab fit``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from memlab.errors import ParameterError
from memlab._table import to_markdown
from memlab.devices._io import Measurement
from memlab.devices._io_csv import load_loop
from memlab.devices._fit import FitResult, fit, _info_criteria
from memlab.devices._fit_loops import as_measurements, loop_error

__all__ = ["ResistorFit", "ModelComparison", "fit_resistor", "compare_models", "fit_files", "plot_fit"]


# ---------------------------------------------------------------------- fixed resistor baseline
@dataclass
class ResistorFit:
    """Best fixed (memoryless, linear) resistor in place of the device.

    ``R`` in ohm, fitted by least squares on the same normalised objective as :func:`fit`;
    ``errors`` per loop. In the series circuit the current is ``v_source / (R + r_series)``.
    """

    R: float
    errors: np.ndarray
    measurements: list
    circuit: str
    cost: float
    n_points: int
    aic: float
    bic: float
    n_params: int = 1
    model_name: str = "fixed resistor"

    def _current(self, m: Measurement, R=None):
        R = self.R if R is None else R
        return _resistor_current(m, R, self.circuit)

    def evaluate(self, measurements) -> np.ndarray:
        return np.array([float(loop_error(self._current(m), m.i)) for m in as_measurements(measurements)])

    @property
    def labels(self) -> list:
        return [m.label for m in self.measurements]


def _resistor_current(m: Measurement, R, circuit):
    R = np.asarray(R, dtype=float)[..., None]
    if circuit == "series":
        return m.v_source / (R + m.r_series)
    return m.v / R


def fit_resistor(measurements, *, circuit: str = "series") -> ResistorFit:
    """Fit the best fixed resistor (one parameter, ohm) to the loops; the memoryless baseline."""
    from scipy.optimize import minimize_scalar
    meas = as_measurements(measurements)
    if circuit not in ("series", "device"):
        raise ParameterError(f"fit_resistor: parameter 'circuit' = {circuit!r} is not one of ('series', 'device')")

    def cost(lr):
        return sum(float(loop_error(_resistor_current(m, math.exp(lr), circuit), m.i)) ** 2 for m in meas)

    # bracket on a log grid, then refine
    grid = np.linspace(math.log(1e-3), math.log(1e12), 301)
    c = [cost(g) for g in grid]
    j = int(np.argmin(c))
    lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    res = minimize_scalar(cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    R = float(math.exp(res.x))
    errs = np.array([float(loop_error(_resistor_current(m, R, circuit), m.i)) for m in meas])
    N = sum(m.n_points for m in meas)
    ssr = float(np.sum(errs ** 2))   # each loop's normalised residuals sum to e_l^2
    aic, bic = _info_criteria(ssr, N, 1)
    return ResistorFit(R, errs, meas, circuit, ssr, N, aic, bic)


# ---------------------------------------------------------------------- model comparison
@dataclass
class ModelComparison:
    """Several models fitted to the same loops (and optionally validated on others).

    ``results``: name -> FitResult (or ResistorFit); ``validation``: name -> errors on the
    validation loops (no refit); ``cv``: name -> leave-one-loop-out errors, one per fitted
    loop (loop k predicted by the model refitted on all loops but k; empty unless
    ``compare_models(..., cross_validate=True)``).
    """

    results: dict
    measurements: list
    validation_measurements: list
    validation: dict
    cv: dict = field(default_factory=dict)

    def best(self, by: str = "auto") -> str:
        """Name of the selected model.

        ``by="validation"``: lowest RMS of the validation-loop errors (prediction of loops
        not fitted); ``"cv"``: lowest leave-one-loop-out RMS; ``"bic"``: lowest BIC on the
        fitted loops; ``"auto"`` (default): validation when validation loops were given,
        else cross-validation when it was run, else BIC. BIC rewards the fit to the
        training loops only and can pick a model that over-fits and predicts worst.
        """
        if by not in ("auto", "validation", "cv", "bic"):
            raise ParameterError(f"ModelComparison.best: parameter 'by' = {by!r} is not one of "
                                 f"('auto', 'validation', 'cv', 'bic')")
        if by == "validation" or (by == "auto" and self.validation_measurements):
            if not self.validation_measurements:
                raise ParameterError("ModelComparison.best: by='validation' needs validation loops (validate=...)")
            return min(self.results, key=lambda n: self.validation_error(n))
        if by == "cv" or (by == "auto" and self.cv):
            if not self.cv:
                raise ParameterError("ModelComparison.best: by='cv' needs compare_models(..., cross_validate=True)")
            return min(self.cv, key=lambda n: self.cv_error(n))
        return min(self.results, key=lambda n: self.results[n].bic)

    def cv_error(self, name: str) -> float:
        """RMS of model ``name``'s leave-one-loop-out errors (nan when not cross-validated)."""
        e = np.asarray(self.cv.get(name, []), dtype=float)
        return float(np.sqrt(np.mean(e ** 2))) if e.size else math.nan

    def validation_error(self, name: str) -> float:
        """RMS over the validation loops of model ``name``'s normalised errors (nan without any)."""
        e = np.asarray(self.validation.get(name, []), dtype=float)
        return float(np.sqrt(np.mean(e ** 2))) if e.size else math.nan

    def rows(self) -> list[dict]:
        out = []
        for name, r in self.results.items():
            bound = [n for n, b in getattr(r, "at_bound", {}).items() if b]
            row = {"model": name, "k": r.n_params, "aic": r.aic, "bic": r.bic,
                   "fit rms": float(np.sqrt(np.mean(np.asarray(r.errors) ** 2))),
                   "validation rms": self.validation_error(name), "cv rms": self.cv_error(name),
                   "at bound": ", ".join(bound) or "-"}
            row.update({f"fit {lab}": float(e) for lab, e in zip(r.labels, r.errors)})
            row.update({f"pred {m.label}": float(e) for m, e in zip(self.validation_measurements,
                                                                     self.validation.get(name, []))})
            out.append(row)
        return out

    def table(self) -> str:
        """Markdown table: normalised RMS error per loop (fitted, then predicted), their RMS,
        parameter count, AIC, BIC and the parameters at >= 99 % of their search range."""
        rows = self.rows()
        per = [c for c in rows[0] if c.startswith(("fit ", "pred ")) and c != "fit rms"]
        cols = ["model", "k"] + per + ["fit rms"] + (["validation rms"] if self.validation_measurements else []) + \
            (["cv rms"] if self.cv else []) + ["aic", "bic", "at bound"]
        return to_markdown(rows, cols)

    def plot(self, path=None, *, include_validation: bool = True):
        """Grid of overlays (models x loops): measured vs fitted/predicted I-V. Returns the figure."""
        import matplotlib.pyplot as plt
        names = [n for n, r in self.results.items() if isinstance(r, FitResult)]
        meas = self.measurements + (self.validation_measurements if include_validation else [])
        fig, axes = plt.subplots(len(names), len(meas), figsize=(3.2 * len(meas), 2.8 * len(names)),
                                 squeeze=False, constrained_layout=True)
        for a, n in enumerate(names):
            plot_fit(self.results[n], measurements=meas, axes=axes[a])
            axes[a][0].set_ylabel(f"{n}\ncurrent (uA)")
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def compare_models(models: dict, measurements, *, validate=(), fit_kwargs: dict | None = None,
            per_model: dict | None = None, resistor: bool = True, cross_validate: bool = False) -> ModelComparison:
    """Fit each model to ``measurements`` and tabulate errors, parameter counts, AIC and BIC.

    ``models``: name -> DeviceModel. ``validate``: loops evaluated without refit.
    ``fit_kwargs``: keywords for every :func:`fit`; ``per_model``: name -> extra keywords.
    ``resistor``: include the best fixed resistor as the memoryless baseline.
    ``cross_validate``: also leave-one-loop-out cross-validation over the fitted loops
    (frequencies, amplitudes, series resistors, devices: whatever the loops differ in):
    each model is refitted once per loop on all the other loops with the same keywords
    and predicts the loop left out (``ModelComparison.cv``; needs at least two loops;
    costs one more fit per loop and model).
    """
    meas = as_measurements(measurements)
    if cross_validate and len(meas) < 2:
        raise ParameterError(f"compare_models: cross_validate=True needs at least 2 loops, got {len(meas)}")
    val = list(validate)
    results, validation, cv = {}, {}, {}
    fit_res = lambda loops: fit_resistor(loops, circuit=(fit_kwargs or {}).get("circuit", "series"))
    for name, model in models.items():
        kw = dict(fit_kwargs or {})
        kw.update((per_model or {}).get(name, {}))
        r = fit(model, meas, **kw)
        results[name] = r
        validation[name] = r.evaluate(val) if val else np.array([])
        if cross_validate:
            cv[name] = np.array([fit(model, meas[:k] + meas[k + 1:], **kw).evaluate([m])[0]
                                 for k, m in enumerate(meas)])
    if resistor:
        rf = fit_res(meas)
        results["fixed resistor"] = rf
        validation["fixed resistor"] = rf.evaluate(val) if val else np.array([])
        if cross_validate:
            cv["fixed resistor"] = np.array([fit_res(meas[:k] + meas[k + 1:]).evaluate([m])[0]
                                             for k, m in enumerate(meas)])
    return ModelComparison(results, meas, val, validation, cv)


# ---------------------------------------------------------------------- plots
def plot_fit(result: FitResult, measurements=None, axes=None):
    """Measured (dots) vs simulated (line) I-V loops, one axes per loop.

    Loops not in the fit are predicted with the same settings (no refit) and labelled
    "predicted". Device voltage in V, current in uA. Returns the list of axes.
    """
    import matplotlib.pyplot as plt
    meas = result.measurements if measurements is None else as_measurements(measurements)
    if axes is None:
        _, axes = plt.subplots(1, len(meas), figsize=(3.2 * len(meas), 2.8), squeeze=False,
                               constrained_layout=True)
        axes = axes[0]
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) != len(meas):
        raise ParameterError(f"plot_fit: {len(axes)} axes given for {len(meas)} loops")
    fitted_ids = {id(m) for m in result.measurements}
    for ax, m in zip(axes, meas):
        if id(m) in fitted_ids:
            j = [id(q) for q in result.measurements].index(id(m))
            tr, err, kind = result.traces[j], result.errors[j], "fitted"
        else:
            err, tr = result.predict(m)
            kind = "predicted"
        ax.plot(m.v, m.i * 1e6, ".", ms=2.5, color="0.3", label="measured")
        ax.plot(tr.v, tr.i * 1e6, "-", lw=1.2, color="C0" if kind == "fitted" else "C3",
                label=f"{kind} ({err:.3f})")
        ax.set_title(m.label, fontsize=9)
        ax.set_xlabel("device voltage (V)")
        ax.set_ylabel("current (uA)")
        ax.legend(fontsize=7, loc="upper left")
    return axes


# ---------------------------------------------------------------------- CLI entry
def fit_files(model_name: str, paths, params=None, *, model_options: dict | None = None, validate=(),
              r_series: float | None = None, frequency: float | None = None, use_model_values: bool = False,
              **fit_kwargs) -> FitResult:
    """Fit the model called ``model_name`` (see ``memlab.devices.get_model``) to loop files.

    ``paths``: files or folders (:func:`~memlab.devices.load_loops`: Knowm files by name
    pattern, both trace files of one loop read as one, else generic CSV); ``params``: list
    or comma-separated string of free parameters (default per model); ``model_options``:
    model options/fixed parameters (e.g. ``{"iv": "exponential"}``); ``validate``: extra
    loop files or folders evaluated without refit (errors in ``result.validation``, keyed by
    :attr:`Measurement.key`, the full identity); ``r_series`` (ohm) / ``frequency`` (Hz):
    applied to every file, fitted and validation alike. ``use_model_values`` defaults to
    False here: the search starts from the data and the search box, never from preset values
    that may have been fitted to these very files. Other keywords go to :func:`fit`.
    """
    from memlab.devices import get_model
    from memlab.devices._io_csv import load_loops
    meas = load_loops(paths, r_series=r_series, frequency=frequency)
    model = get_model(model_name, **(model_options or {}))
    result = fit(model, meas, params, use_model_values=use_model_values, **fit_kwargs)
    if validate:
        vm = load_loops(validate, r_series=r_series, frequency=frequency)
        fitted = {m.key for m in meas}
        vm = [m for m in vm if m.key not in fitted]
        result.validation = {m.key: float(e) for m, e in zip(vm, result.evaluate(vm))}
        result.validation_measurements = vm
    return result
