"""Device characterisation (used by the CLI and the report): I-V loops of the built-in models
(native solver, and ngspice through :mod:`memlab.circuits` when available), overlaid, with
their fingerprints; fits of measured loops through :func:`memlab.devices.fit_files`.

This module only orchestrates: the physics is in :mod:`memlab.devices` and
:mod:`memlab.circuits`, the loop plot is :func:`memlab.analysis.plot_iv` and the
fingerprints are :mod:`memlab.analysis._fingerprint`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from memlab.errors import MemlabError, ParameterError

from ._style import new_figure, save_figure

__all__ = ["iv_traces", "plot_iv_overlay", "loop_fingerprints", "spice_deviation",
           "characterize_models", "fit_loops"]


def iv_traces(model_name: str, *, amplitude=None, frequency=None, periods: int = 2, r_series=None, x0=None,
              params: dict | None = None, native: bool = True, spice: bool = False) -> dict:
    """Simulate ``model_name`` under a sine drive; returns ``{"native": Trace, "ngspice": Trace}``
    (the entries asked for). Unset drive values come from the model class's ``iv_demo``
    (:class:`memlab.devices.IVDemo`)."""
    from memlab.devices import get_model, simulate

    model = get_model(model_name, **(params or {}))
    demo = type(model).iv_demo
    drive = demo.drive(periods, amplitude=amplitude, frequency=frequency, r_series=r_series)
    if x0 is None:
        x0 = demo.x0 if demo.x0 is not None else model.state.x0
    out = {}
    if native:
        out["native"] = simulate(model, drive, x0=x0)
    if spice:
        from memlab.circuits import characterize
        out["ngspice"] = characterize(model, drive, x0=x0, simulator="ngspice")
    if not out:
        raise ParameterError("nothing to simulate: give native=True or spice=True (--no-native needs --spice)")
    return out


def plot_iv_overlay(traces: dict, stem, *, title: str | None = None) -> dict:
    """Plot the loops of ``traces`` (label -> Trace) on one axes; save PNG + SVG at ``stem``."""
    from ._plot import plot_iv

    fig, ax = new_figure(size=(5.2, 3.9))
    styles = {"native": {}, "ngspice": {"linewidth": 1.0}}
    for label, tr in traces.items():
        plot_iv(tr, ax=ax, color_by="none", label=f"{tr.model} ({label})", **styles.get(label, {}))
    if "ngspice" in traces and len(ax.get_lines()) >= 2:
        ln = [l for l in ax.get_lines() if "ngspice" in str(l.get_label())]
        for l in ln:
            l.set_linestyle("--")
        ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return save_figure(fig, stem)


def loop_fingerprints(tr) -> dict:
    """Largest |i| (A) and |v| (V), the pinch ratio (1) and the two lobe areas (W) of one loop
    (NaN where a fingerprint is undefined for the trace)."""
    from ._fingerprint import lobe_areas, pinch
    v = np.asarray(tr.v)
    i = np.asarray(tr.i)
    out = {"i_max_A": float(np.max(np.abs(i))), "v_max_V": float(np.max(np.abs(v)))}
    try:
        p = pinch(tr)
        out["pinch_ratio"] = p.ratio
    except MemlabError:
        out["pinch_ratio"] = float("nan")
    try:
        a1, a2 = lobe_areas(tr)
        out["lobe_area_1_W"], out["lobe_area_2_W"] = float(a1), float(a2)
    except MemlabError:
        out["lobe_area_1_W"] = out["lobe_area_2_W"] = float("nan")
    return out


def spice_deviation(native, spice) -> float:
    """Largest |i_ngspice - i_native| relative to max |i_native| (memlab.circuits.compare)."""
    from memlab.circuits import compare_traces
    return float(compare_traces(spice, native).i_max)


def characterize_models(out_dir, *, models=None, spice: bool = True, progress: bool = True) -> dict:
    """Loops of every built-in model (native, and ngspice overlaid when available); one figure
    per model (PNG + SVG) and a table row per model with its fingerprints."""
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    from memlab.devices import MODELS, get_model
    models = list(MODELS) if models is None else list(models)
    rows, figures, notes = [], {}, []
    for key in tqdm(models, desc="characterise", disable=not progress, leave=False):
        try:
            traces = iv_traces(key, spice=False)
        except MemlabError as err:
            notes.append(f"{key}: native simulation failed: {err}")
            continue
        if spice:
            try:
                traces.update(iv_traces(key, native=False, spice=True))
            except MemlabError as err:
                notes.append(f"{key}: ngspice run failed: {err}")
        pre = type(get_model(key)).iv_demo
        figures[key] = plot_iv_overlay(traces, out_dir / f"iv_{key}",
                                       title=f"{traces['native'].model}: {pre.amplitude:g} V, {pre.frequency:g} Hz")
        row = {"model": traces["native"].model, "amplitude_V": pre.amplitude, "frequency_Hz": pre.frequency,
               "r_series_ohm": pre.r_series, **loop_fingerprints(traces["native"])}
        row["ngspice_max_dev"] = spice_deviation(traces["native"], traces["ngspice"]) if "ngspice" in traces else None
        rows.append(row)
    return {"rows": rows, "figures": figures, "notes": notes}


def fit_loops(model, data, *, params=None, circuit=None, validate=(), out=None) -> dict:
    """Fit ``model`` to the loop files ``data`` (CSV paths) with
    :func:`memlab.devices.fit_files`; ``validate`` files are evaluated with the fitted
    parameters without refitting. Returns ``{"result": FitResult, "summary": text (the
    parameters with their standard errors, one line per validation loop), "files"}``; with
    ``out`` the overlay figure is saved there (PNG + SVG)."""
    from memlab import devices

    kw = {} if circuit is None else {"circuit": circuit}
    res = devices.fit_files(model, [str(p) for p in data], params=params or None,
                            validate=[str(p) for p in validate], **kw)
    lines = res.summary().splitlines()
    lines += [f"validation loop {lab}: normalised RMS error {e:.4f} (not fitted)"
              for lab, e in (res.validation or {}).items()]
    files = {}
    if out is not None:
        meas = list(res.measurements)
        fig, axes = new_figure(1, len(meas), size=(3.4 * len(meas), 3.0))
        res.plot(axes=axes)
        for ax in fig.axes:
            ax.set_xlabel("Device voltage v (V)")
            ax.set_ylabel("Current i (\u00b5A)")
        files = save_figure(fig, out)
    return {"result": res, "summary": "\n".join(lines), "files": files}
