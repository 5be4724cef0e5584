"""Array-accuracy studies: MVM error against array size, wire resistance, ADC/DAC bits,
conductance levels, device spread and read noise; DNN accuracy (see :mod:`._dnn`) against
the same factors. Every study is a sweep (:func:`memlab.sweep.run_sweep`), so it is
seeded, resumable and can run on Dask. :data:`STUDIES` names the point functions for sweep
configs (``study: mvm_error``).

Definitions (SI): for weights ``W`` (rows x cols, uniform in [-1, 1]) and inputs ``X``
(n_inputs x rows, uniform in [0, 1]) the analog result ``Y`` comes from
:func:`memlab.analysis._analog.analog_layer` (i.e. :class:`memlab.arrays.AnalogMatrix`) and
the ideal one is ``X @ W``.
``rel_error = ||Y - X W||_F / ||X W||_F``; ``max_error = max|Y - X W| / max|X W|``;
``power_W`` is the mean driver power per input vector (W).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from memlab._table import Column, write_table
from memlab._validate import positive_int
from memlab.errors import ParameterError
from memlab.sweep import SweepSpec, run_sweep

from ._analog import analog_layer
from ._style import new_figure, save_figure

__all__ = ["mvm_error_point", "FACTORS", "STUDIES", "accuracy_study", "plot_study", "summary_columns"]

#: Point functions of the studies by name, for sweep configs (``load_sweep_config(path,
#: studies=STUDIES)``); strings, so that workers import them by reference.
STUDIES = {
    "mvm_error": "memlab.analysis._accuracy:mvm_error_point",
    "dnn_accuracy": "memlab.analysis._dnn:dnn_accuracy_point",
    "network_accuracy": "memlab.analysis._network:network_accuracy_point",
}

#: factor -> (axis label with unit, default values, log x axis)
FACTORS = {
    "size": ("Array size N (rows = cols, cells)", [16, 32, 64, 128, 256], True),
    "rows": ("Rows (word lines)", [16, 32, 64, 128], True),
    "cols": ("Columns (weights per row)", [16, 32, 64, 128], True),
    "r_wire": ("Wire resistance per segment (\u03a9)", [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0], True),
    "adc_bits": ("ADC resolution (bits)", [1, 2, 3, 4, 5, 6, 8], False),
    "dac_bits": ("DAC resolution (bits)", [1, 2, 3, 4, 6, 8], False),
    "levels": ("Conductance levels (count)", [2, 4, 8, 16, 32, 64], True),
    "spread": ("Device-to-device spread \u03c3 of ln G (dimensionless)", [0.01, 0.02, 0.05, 0.1, 0.2, 0.3], True),
    "read_noise": ("Read noise \u03c3 relative to G (fraction of G)", [0.005, 0.01, 0.02, 0.05, 0.1], True),
}

_STUDY_FUNC = {"mvm": "mvm_error", "dnn": "dnn_accuracy", "onnx": "network_accuracy"}
#: factors each study can vary (onnx: ``size`` is the tile size, rows = cols)
_STUDY_FACTORS = {"mvm": tuple(FACTORS), "dnn": tuple(f for f in FACTORS if f not in ("size", "rows", "cols")),
                  "onnx": tuple(f for f in FACTORS if f not in ("rows", "cols"))}


def mvm_error_point(rows: int = 64, cols: int = 64, size: int | None = None, r_wire: float = 0.0,
                    adc_bits: int = 0, dac_bits: int = 0, levels: int = 0, spread: float = 0.0,
                    read_noise: float = 0.0, g_min: float = 1e-6, g_max: float = 1e-4, v_read: float = 0.2,
                    n_inputs: int = 32, seed: int = 0) -> dict:
    """Sweep point: error of one analog MVM configuration (see module docstring).

    ``size`` sets rows = cols. Units: r_wire ohm per segment, g_min/g_max S, v_read V;
    spread/read_noise relative sigma; bits/levels 0 = ideal.
    """
    if size is not None:
        rows = cols = size
    rows, cols, n_inputs = (positive_int(v, name) for name, v in (("rows", rows), ("cols", cols),
                                                                   ("n_inputs", n_inputs)))
    ss = np.random.SeedSequence(seed)
    rng_w, rng_x, rng_c, rng_dev = (np.random.default_rng(s) for s in ss.spawn(4))
    W = rng_w.uniform(-1.0, 1.0, (rows, cols))
    X = rng_x.uniform(0.0, 1.0, (n_inputs, rows))
    layer = analog_layer(W, g_min=g_min, g_max=g_max, v_read=v_read, r_wire=r_wire, adc_bits=adc_bits,
                         dac_bits=dac_bits, levels=levels, spread=spread, read_noise=read_noise, x_max=1.0,
                         seed=rng_dev)
    if adc_bits:
        layer.calibrate(rng_c.uniform(0.0, 1.0, (n_inputs, rows)))
    Y = layer(X)
    Yi = X @ W
    err = Y - Yi
    # driver power at the (DAC-free) input voltages on the programmed array; the crossbar
    # keeps its factorisation from the read above
    sol = layer.crossbar.solve(X.T * v_read, full=False, progress=False)
    return {"rel_error": float(np.linalg.norm(err) / np.linalg.norm(Yi)),
            "max_error": float(np.max(np.abs(err)) / np.max(np.abs(Yi))),
            "power_W": float(np.mean(sol.power))}


def accuracy_study(study: str = "mvm", vary: str = "r_wire", values=None, *, fixed: dict | None = None,
                   repeats: int = 2, seed: int = 0, out_dir=None, workers: int = 0, progress: bool = True,
                   scheduler=None, store_root=None, conditions: str | None = None) -> dict:
    """Vary one ``FACTORS`` entry and evaluate the MVM (``study="mvm"``), built-in DNN
    (``"dnn"``) or user ONNX network (``"onnx"``, ``fixed={"model": path}``; factor
    ``size`` is its tile size) point function; writes ``<study>_<vary>.csv`` and a figure
    (PNG + SVG) in ``out_dir``.

    Returns ``{"rows", "summary", "files", "result"}``; ``summary`` has one row per value
    with the mean and standard deviation over the repeats. Finished points are kept in
    ``<out_dir>/<study>_<vary>.csv.points`` (or under ``store_root``), so a rerun resumes.
    ``conditions``: what was held fixed, printed under the figure's title.
    """
    if study not in _STUDY_FUNC:
        raise ParameterError(f"parameter 'study' = {study!r} is not one of {sorted(_STUDY_FUNC)}")
    if vary not in _STUDY_FACTORS[study]:
        raise ParameterError(f"parameter 'vary' = {vary!r} is not a factor of the {study} study; allowed: "
                             f"{list(_STUDY_FACTORS[study])}")
    if study == "onnx" and "model" not in (fixed or {}):
        raise ParameterError("the onnx study needs the model: fixed={'model': 'path/to/model.onnx'} "
                             "(memlab accuracy --model FILE)")
    values = list(FACTORS[vary][1] if values is None else values)
    if not values:
        raise ParameterError("parameter 'values' is empty; give at least one value")
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))]
    if bad:
        raise ParameterError(f"parameter 'values' = {values!r} must be numbers for factor '{vary}'")
    fixed = dict(fixed or {})
    if study == "mvm" and vary in ("size", "rows", "cols"):
        fixed.setdefault("r_wire", 1.0)
    if vary in fixed:
        raise ParameterError(f"parameter '{vary}' is both varied and fixed")
    out_dir = Path(out_dir) if out_dir is not None else Path("accuracy")
    spec = SweepSpec(STUDIES[_STUDY_FUNC[study]], fixed=fixed, grid={vary: values}, repeats=repeats, seed=seed)
    stem = out_dir / f"{study}_{vary}"
    store = Path(store_root) / f"{study}_{vary}.points" if store_root is not None else None
    res = run_sweep(spec, output=stem.with_suffix(".csv"), store=store, workers=workers, scheduler=scheduler,
                    progress=progress, desc=f"{study} vs {vary}")
    metric = "rel_error" if study == "mvm" else "accuracy"
    if res.rows and all(r.get("error") for r in res.rows):
        raise ParameterError(f"every point of the {study} study failed; first: {res.rows[0]['error']}")
    summary = []
    for v in values:
        ys = [r[metric] for r in res.rows if r[vary] == v and r.get(metric) is not None]
        row = {vary: v, f"{metric}_mean": float(np.mean(ys)) if ys else None,
               f"{metric}_std": float(np.std(ys)) if ys else None, "n": len(ys)}
        if study in ("dnn", "onnx") and ys:
            row["baseline"] = next(r["baseline"] for r in res.rows if r.get("baseline") is not None)
        if not ys:
            row["error"] = next((r["error"] for r in res.rows if r[vary] == v and r.get("error")), "no result")
        summary.append(row)
    files = {"csv": res.path, "summary": write_table(summary, out_dir / f"{study}_{vary}_summary.csv")}
    files.update(plot_study(study, vary, summary, stem, repeats=repeats, conditions=conditions))
    return {"rows": res.rows, "summary": summary, "files": files, "result": res}


def summary_columns(study: str, vary: str, summary: list[dict] = ()) -> list[Column]:
    """Display columns of an :func:`accuracy_study` summary (the factor, mean, std, seeds, and
    the error message when a value failed), for :mod:`memlab._table`."""
    metric = "rel_error" if study == "mvm" else "accuracy"
    name = "rel. error" if study == "mvm" else "accuracy"
    cols = [Column(vary), Column(f"{metric}_mean", f"{name} mean (1)"), Column(f"{metric}_std", "std (1)"),
            Column("n", "seeds")]
    if any(r.get("error") for r in summary):
        cols.append(Column("error", "error"))
    return cols


def plot_study(study: str, vary: str, summary: list[dict], stem, *, repeats: int = 1,
               conditions: str | None = None) -> dict:
    """Mean +- standard deviation of the study metric against the factor; PNG + SVG. The
    title names the factor; ``conditions`` (what was held fixed) is printed under it."""
    label, _, logx = FACTORS[vary]
    if study == "onnx" and vary == "size":
        label = "Tile size N (rows = cols, cells)"
    metric = "rel_error" if study == "mvm" else "accuracy"
    xs = np.array([r[vary] for r in summary], float)
    m = np.array([np.nan if r[f"{metric}_mean"] is None else r[f"{metric}_mean"] for r in summary]) * 100
    s = np.array([np.nan if r[f"{metric}_std"] is None else r[f"{metric}_std"] for r in summary]) * 100
    fig, ax = new_figure(size=(4.8, 3.5))
    name = {"mvm": "crossbar MVM", "dnn": "digits MLP on crossbars", "onnx": "ONNX network on crossbar tiles"}[study]
    ax.errorbar(xs, m, yerr=s, marker="o", capsize=3, label=f"{name} (mean \u00b1 std, {repeats} seed{'s' * (repeats != 1)})")
    base = next((r["baseline"] for r in summary if r.get("baseline") is not None), None)
    if study in ("dnn", "onnx") and base is not None:
        ax.axhline(100 * base, color="0.3", ls="--", label="software baseline" if study == "dnn" else "ideal network")
        ax.set_ylabel("Test accuracy (%)")
    else:
        ax.set_ylabel("MVM relative error (%)")
        # log scale when the errors span decades; an exact (round-off) zero point forces linear
        if np.all(m[np.isfinite(m)] > 1e-9) and np.nanmax(m) / np.nanmin(m) > 30:
            ax.set_yscale("log")
    if logx and np.all(xs > 0):
        ax.set_xscale("log", base=2 if vary in ("size", "rows", "cols", "levels") else 10)
    ax.set_xlabel(label)
    factor = label.split(" (")[0]
    factor = factor[0].lower() + factor[1:] if factor[1:2].islower() else factor     # "ADC resolution" stays
    title = f"{'MVM error' if study == 'mvm' else 'DNN accuracy'} vs {factor}"
    ax.set_title(title + ("\n" + textwrap.fill(conditions, 64) if conditions else ""), fontsize=8 if conditions else None)
    ax.legend(loc="best")
    return save_figure(fig, stem)
