"""Device characterisation (used by the CLI and the report): I-V loops of the built-in models
(native solver, and ngspice through :mod:`memlab.circuits` when available), overlaid, with
their fingerprints; fits of measured loops through :func:`memlab.devices.fit_files`.

This module only orchestrates: the physics is in :mod:`memlab.devices` and
:mod:`memlab.circuits`, the loop plot is :func:`memlab.analysis.plot_iv` and the
fingerprints are :mod:`memlab.analysis._fingerprint`.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from memlab._table import fmt_si
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
    """Plot the loops of ``traces`` (label -> Trace) and save PNG + SVG at ``stem``.

    With both a ``"native"`` and an ``"ngspice"`` trace the figure has two panels: the loops
    (native as a line, ngspice as markers, so that both stay visible where they coincide)
    and the residual ``(i_ngspice - i_native) / max |i_native|`` (%) against time."""
    from ._plot import plot_iv

    both = "native" in traces and "ngspice" in traces
    fig, axes = new_figure(1, 2 if both else 1, size=(9.6, 3.6) if both else (5.2, 3.9))
    ax = axes[0] if both else axes
    for label, tr in traces.items():
        if label == "ngspice" and both:
            _spice_markers(ax, traces["native"], tr)
        else:
            plot_iv(tr, ax=ax, color_by="none", label=f"{tr.model} ({label})")
    if len(traces) > 1:
        ax.legend(loc="best", fontsize="small")
    elif ax.get_legend() is not None:       # one loop: the title names it
        ax.get_legend().remove()
    if both:
        plot_spice_residual(traces["native"], traces["ngspice"], ax=axes[1])
    if title:
        title = textwrap.fill(title, 80 if both else 46)
        fig.suptitle(title, fontsize=9.5) if both else ax.set_title(title, fontsize=9.5)
    return save_figure(fig, stem)


def _spice_markers(ax, native, spice, n: int = 60):
    """ngspice samples as open markers on the native loop's current scale (SI-scaled axes)."""
    from ._plot import si_scale

    fac, _ = si_scale(np.asarray(native.i), "A")
    k = max(1, len(spice.t) // n)
    ax.plot(np.asarray(spice.v)[::k], np.asarray(spice.i)[::k] / fac, "o", ms=3.5, mfc="none",
            color="#D55E00", label=f"{spice.model} (ngspice)")


def _residual(native, spice):
    """Time (s) and (i_ngspice - i_native) / max |i_native| on the native time grid."""
    t = np.asarray(native.t, float)
    i_n = np.asarray(native.i, float)
    i_s = np.interp(t, np.asarray(spice.t, float), np.asarray(spice.i, float))
    return t, (i_s - i_n) / np.max(np.abs(i_n))


def plot_spice_residual(native, spice, ax=None):
    """Residual ngspice - native current in % of the native peak against time (ms/us/s axis)."""
    from ._plot import si_scale

    if ax is None:
        _, ax = new_figure(size=(4.8, 3.4))
    t, r = _residual(native, spice)
    fac, unit = si_scale(t, "s")
    ax.plot(t / fac, 100 * r, color="#D55E00", lw=1.0)
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_xlabel(f"Time t ({unit})")
    ax.set_ylabel("ngspice \u2212 native (% of max |i|)")
    ax.set_title(f"Residual: largest {100 * np.max(np.abs(r)):.2g} % of max |i|")
    return ax


def plot_residual_grid(pairs: dict, stem, *, title: str | None = None) -> dict:
    """Small multiples of :func:`plot_spice_residual`, one panel per model (name -> (native,
    ngspice)), saved as PNG + SVG at ``stem``."""
    n = len(pairs)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = new_figure(rows, cols, size=(3.6 * cols, 2.5 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, (name, (native, spice)) in zip(axes, pairs.items()):
        plot_spice_residual(native, spice, ax=ax)
        t, r = _residual(native, spice)
        ax.set_title(f"{name}: largest {100 * np.max(np.abs(r)):.2g} %", fontsize=9)
    for ax in axes[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return save_figure(fig, stem)


#: Report drive conditions that replace a model's ``iv_demo`` (amplitude V, frequency Hz,
#: series resistance ohm, initial state): Stanford-PKU with its published I0 = 1 mA carries
#: 135 mA at 1.6 V without a series element, which no real cell does; its RESET needs about
#: 1.05 V across the cell (F_min t_ox / gamma, docs/notes/devices.md §5), so a 100 ohm series
#: resistor (a compliance) limits the peak to about (3 - 1.1) V / 100 ohm = 19 mA while the
#: loop still sets and resets every period. The cell starts in its off state (1.7 nm gap).
#: ngspice does not finish this stiff series-resistor transient in minutes, so the
#: native-vs-ngspice comparison of a model listed here uses its own ``iv_demo`` drive (a
#: check of the numerics, not a physical operating point).
REPORT_DRIVES = {"stanford": {"amplitude": 3.0, "frequency": 1e4, "r_series": 100.0, "x0": 1.7e-9}}


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


def _run_traces(key: str, kw: dict, spice: bool) -> dict:
    """The native (``spice`` False) or ngspice trace of ``key`` under ``kw`` (one task of
    characterize_models, here or in a worker); a memlab error comes back as its message."""
    try:
        return iv_traces(key, native=not spice, spice=spice, **kw)
    except MemlabError as err:
        return {"error": str(err)}


def _equation_size(model) -> int:
    """Operations (sympy ``count_ops``) in the model's defining current and rate."""
    import sympy as sp

    p = SimpleNamespace(**{n: sp.Symbol(n, real=True) for n in model.param_names})
    i, r = model.equations(sp.Symbol("v", real=True), sp.Symbol("x", real=True), p)
    return int(sp.count_ops(i) + sp.count_ops(r))


def characterize_models(out_dir, *, models=None, spice: bool = True, progress: bool = True,
                        drives: dict | None = None, workers: int = 0) -> dict:
    """Loops of every built-in model under its demonstration drive (``iv_demo``, or
    ``drives[key]``: amplitude V, frequency Hz, r_series ohm, x0; default
    :data:`REPORT_DRIVES`), natively and in ngspice when ``spice``. Writes one loop figure per
    model (PNG + SVG, the native loop) and, with ngspice, one figure of all residuals
    ngspice - native (``out_dir/spice_residuals``; a model in ``drives`` is compared under its
    ``iv_demo`` drive, trace ``native_ref``). Returns ``{"rows", "figures", "residuals" (files
    or None), "traces" (key -> {"native", "ngspice", "native_ref"}), "notes"}``.

    ``workers``: 0 runs every simulation in this process; n > 0 runs them on n spawned
    worker processes (they die with this one and ignore Ctrl-C, as a sweep's), the native
    and ngspice runs of each model as separate tasks, the models with the largest equations
    first. A first run is mostly one core's work (sympy, numba's compile of the model's
    kernels, ngspice's transient), so the tasks overlap on several cores. The results are
    those of ``workers=0``."""
    from concurrent.futures.process import BrokenProcessPool

    from tqdm.auto import tqdm

    from memlab._validate import positive_int

    out_dir = Path(out_dir)
    workers = positive_int(workers, "workers", minimum=0, maximum=64)
    from memlab.devices import MODELS, get_model
    models = list(MODELS) if models is None else list(models)
    drives = REPORT_DRIVES if drives is None else drives
    rows, figures, notes, all_traces = [], {}, [], {}
    kws = {}
    for key in models:
        pre = type(get_model(key)).iv_demo
        kws[key] = {"amplitude": pre.amplitude, "frequency": pre.frequency, "r_series": pre.r_series,
                    "x0": pre.x0, **drives.get(key, {})}
    # ngspice is compared under the model's own iv_demo drive when drives has one (see REPORT_DRIVES),
    # and the native run is then repeated under that drive (trace native_ref)
    tasks = []
    for key in models:
        tasks.append((key, "native", kws[key], False))
        if spice:
            if key in drives:
                tasks.append((key, "native_ref", {}, False))
            tasks.append((key, "ngspice", {} if key in drives else kws[key], True))
    pool, futures = None, {}
    if workers and len(tasks) > 1:
        from memlab.sweep._local import spawning, worker_pool
        # largest equations first (their kernels take longest to derive and compile): the
        # longest tasks do not wait at the end for a free worker
        size = {key: _equation_size(get_model(key)) for key in models}
        order = sorted(tasks, key=lambda t: -size[t[0]])
        pool = worker_pool(min(int(workers), len(tasks)))
        with spawning():
            futures = {(key, what): pool.submit(_run_traces, key, kw, sp_) for key, what, kw, sp_ in order}

    failed = False
    try:
        # every simulation first (the bar counts them as they end), then the rows in model order
        done = {}
        bar = tqdm(total=len(tasks), desc="characterise", disable=not progress, leave=False)
        if pool is None:
            for key, what, kw, sp_ in tasks:
                done[key, what] = _run_traces(key, kw, sp_)
                bar.update()
        else:
            from concurrent.futures import as_completed
            which = {f: kw for kw, f in futures.items()}
            for fut in as_completed(futures.values()):
                try:
                    done[which[fut]] = fut.result()
                except BrokenProcessPool:   # a worker was killed (signal, out of memory)
                    done[which[fut]] = {"error": "its worker process died"}
                bar.update()
        bar.close()
        for key in models:
            kw = kws[key]
            got = {what: done[k_, what] for k_, what, _, _ in tasks if k_ == key}
            bad = [g["error"] for what, g in got.items() if what != "ngspice" and "error" in g]
            if bad:
                notes.append(f"{key}: native simulation failed: {bad[0]}")
                continue
            traces = {"native": got["native"]["native"]}
            if "native_ref" in got:
                traces["native_ref"] = got["native_ref"]["native"]
            if "ngspice" in got:
                if "error" in got["ngspice"]:
                    notes.append(f"{key}: ngspice run failed: {got['ngspice']['error']}")
                else:
                    traces["ngspice"] = got["ngspice"]["ngspice"]
            all_traces[key] = traces
            series = f", {fmt_si(kw['r_series'], chr(937))} in series" if kw["r_series"] else ", no series resistance"
            figures[key] = plot_iv_overlay({"native": traces["native"]}, out_dir / f"iv_{key}",
                                           title=f"{traces['native'].model}: {fmt_si(kw['amplitude'], 'V')}, "
                                                 f"{fmt_si(kw['frequency'], 'Hz')} sine{series}")
            row = {"model": traces["native"].model, "amplitude_V": kw["amplitude"], "frequency_Hz": kw["frequency"],
                   "r_series_ohm": kw["r_series"], **loop_fingerprints(traces["native"])}
            ref = traces.get("native_ref", traces["native"])
            row["ngspice_max_dev"] = spice_deviation(ref, traces["ngspice"]) if "ngspice" in traces else None
            rows.append(row)
    except BaseException:
        failed = True
        raise
    finally:
        if pool is not None:
            from memlab.sweep._local import stop_pool
            stop_pool(pool, now=failed)
    pairs = {t["native"].model: (t.get("native_ref", t["native"]), t["ngspice"]) for t in all_traces.values()
             if "ngspice" in t}
    residuals = plot_residual_grid(pairs, out_dir / "spice_residuals",
                                   title="ngspice \u2212 native current, each model under its demonstration drive"
                                   ) if pairs else None
    return {"rows": rows, "figures": figures, "residuals": residuals, "traces": all_traces, "notes": notes}


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
