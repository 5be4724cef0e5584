"""The report of the main job (``memlab demo``): characterise the built-in models (native and
ngspice, overlaid), fit the Knowm data when a data folder is given, solve a crossbar, run the array-accuracy
studies (MVM error and DNN accuracy against every factor, and a Monte Carlo sweep on
worker processes), compare the AI chips, and write ``OUT/report.html`` with every figure
and table, plus ``OUT/report.json`` holding the run id, timestamp, key numbers and the list
of files. Every number in the report is computed by this run: sweep stores are private to
the run (``OUT/.runs/<run id>``) and removed at the end; the run id is printed in both files.
"""
from __future__ import annotations

import html
import os
import platform
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from memlab._io import atomic_write_json, atomic_write_text
from memlab._table import Column, to_html, write_table
from memlab.errors import MemlabError

from ._style import new_figure, save_figure

__all__ = ["write_report"]

class _Report:
    def __init__(self, out: Path):
        self.out = out
        self.sections: list[str] = []
        self.figures: list[str] = []
        self.tables: list[str] = []
        self.numbers: dict = {}
        self.notes: list[str] = []
        self.timings: dict = {}

    def rel(self, p) -> str:
        return os.path.relpath(Path(p), self.out)

    def figure(self, files: dict, caption: str) -> str:
        png, svg = self.rel(files["png"]), self.rel(files["svg"])
        self.figures += [png, svg]
        return (f'<figure><a href="{html.escape(svg)}"><img src="{html.escape(png)}" alt="{html.escape(caption)}"></a>'
                f"<figcaption>{html.escape(caption)} (<a href=\"{html.escape(svg)}\">SVG</a>)</figcaption></figure>")

    def section(self, title: str, body: str):
        anchor = title.lower().replace(" ", "-")
        self.sections.append(f'<section id="{html.escape(anchor)}"><h2>{html.escape(title)}</h2>{body}</section>')


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.8em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}figure{display:inline-block;margin:.5em;vertical-align:top;max-width:48%}
figure img{max-width:100%}figcaption{font-size:.8em;color:#555}.wide{max-width:100%}
code{background:#f5f5f5;padding:0 .2em}.note{color:#8a5a00}"""


def write_report(out="out", *, quick: bool = False, progress: bool = True, workers: int | None = None,
                 spice: bool = True, data=None, keep_going: bool = False) -> dict:
    """Run every study and write ``out/report.html`` and ``out/report.json``.

    ``quick``: smaller studies (tests); ``workers``: worker processes of the Monte Carlo
    sweep (default: up to 2); ``spice``: overlay ngspice loops; ``data``: folder of the Knowm
    CSVs (default ``$MEMLAB_DATA``; without either the fitting section says it was skipped);
    ``keep_going``: a section that fails (a memlab error, or a model whose native or ngspice
    run fails) becomes a note in the report instead of failing it; by default it raises
    :class:`~memlab.errors.MemlabError` naming the section, and no report is written.
    Returns ``{"report": the report.json dict (run id, timestamp, timings, key numbers,
    figures, tables, notes), "files": {"html": path, "json": path}}``.
    """
    from memlab._version import __version__

    t_start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = out / ".runs" / run_id
    R = _Report(out)
    R.numbers["run_id"] = run_id

    def timed(name, fn):
        t0 = time.perf_counter()
        try:
            fn()
        except MemlabError as err:
            if not keep_going:
                raise MemlabError(f"report section '{name}' failed: {type(err).__name__}: {err} (memlab demo "
                                  f"--keep-going writes the report without it)") from err
            R.notes.append(f"{name}: {type(err).__name__}: {err}")
            R.section(name, f'<p class="note">Not available in this run: {html.escape(str(err))}</p>')
        R.timings[name] = time.perf_counter() - t0

    try:
        timed("Device characterisation", lambda: _devices(R, quick, progress, spice, keep_going))
        timed("Fitting the Knowm data", lambda: _fit(R, quick, data))
        timed("Crossbar solve", lambda: _xbar(R, quick))
        timed("MVM accuracy", lambda: _mvm(R, quick, progress, runs))
        timed("DNN accuracy", lambda: _dnn(R, quick, progress, runs))
        timed("Monte Carlo sweep", lambda: _monte_carlo(R, quick, progress, runs, workers))
        timed("Chip comparison", lambda: _chips(R, quick))
    finally:
        shutil.rmtree(out / ".runs", ignore_errors=True)

    total = time.perf_counter() - t_start
    meta = {"run_id": run_id, "timestamp_utc": stamp, "memlab_version": __version__, "quick": quick,
            "keep_going": keep_going, "python": platform.python_version(), "machine": f"{platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs", "wall_time_s": total, "timings_s": R.timings, "numbers": R.numbers,
            "figures": R.figures, "tables": R.tables, "notes": R.notes}
    timing_rows = [{"step": k, "wall time (s)": v} for k, v in R.timings.items()] + [{"step": "total",
                                                                                      "wall time (s)": total}]
    key_rows = [{"quantity": k, "value": v} for k, v in R.numbers.items() if k != "run_id"]
    notes = "".join(f'<li class="note">{html.escape(n)}</li>' for n in R.notes)
    doc = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>memlab report {run_id}</title>"
           f"<style>{_CSS}</style></head><body><h1>memlab report</h1>"
           f"<p>Run id <code id=\"run-id\">{run_id}</code>, {stamp}, memlab {html.escape(__version__)}, "
           f"{html.escape(meta['machine'])}, {'quick' if quick else 'full'} run, {total:.1f} s. "
           f"Every figure and number below was computed by this run; the same run id and numbers are in "
           f"<a href=\"report.json\">report.json</a>. Units are SI unless a column says otherwise.</p>"
           f"<h2>Key results</h2>{to_html(key_rows)}"
           + "".join(R.sections)
           + "<h2>Data files</h2><p>Tidy tables (one row per point) written by this run:</p><ul>"
           + "".join(f'<li><a href="{html.escape(t)}">{html.escape(t)}</a></li>' for t in R.tables) + "</ul>"
           + f"<h2>Run time</h2>{to_html(timing_rows)}"
           + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
           + "</body></html>\n")
    files = {"json": atomic_write_json(out / "report.json", meta), "html": atomic_write_text(out / "report.html", doc)}
    return {"report": meta, "files": files}


# ----------------------------------------------------------------------------- sections
def _devices(R, quick, progress, spice, keep_going):
    from ._characterize import characterize_models

    models = ["hp", "vteam", "mss"] if quick else None
    res = characterize_models(R.out / "devices", models=models, spice=spice, progress=progress)
    if res["notes"] and not keep_going:  # a model whose native or ngspice run failed
        raise MemlabError("; ".join(res["notes"]))
    R.notes += res["notes"]
    rows = res["rows"]
    R.tables.append(R.rel(write_table(rows, R.out / "devices" / "fingerprints.csv")))
    for r in rows:
        R.numbers[f"{r['model']} max |i| (A)"] = r["i_max_A"]
    devs = [(r["ngspice_max_dev"], r["model"]) for r in rows if r.get("ngspice_max_dev") is not None]
    if devs:
        R.numbers["ngspice vs native: largest current deviation (of max |i|)"] = max(devs)[0]
        R.numbers["ngspice vs native: model with the largest deviation"] = max(devs)[1]
    figs = "".join(R.figure(f, f"I-V loop of {k} (native solid, ngspice dashed when present)")
                   for k, f in res["figures"].items())
    cols = [Column(k, h) for k, h in (
        ("model", "model"), ("amplitude_V", "amplitude (V)"), ("frequency_Hz", "frequency (Hz)"),
        ("r_series_ohm", "series R (ohm)"), ("i_max_A", "max |i| (A)"), ("pinch_ratio", "pinch ratio (1)"),
        ("lobe_area_1_W", "lobe area 1 (W)"), ("lobe_area_2_W", "lobe area 2 (W)"),
        ("ngspice_max_dev", "ngspice max deviation (of max |i|)"))]
    R.section("Device characterisation",
              "<p>Each built-in model under a sine drive chosen to open its loop. Fingerprints: the current at "
              "v = 0 relative to max |i| (pinched loop: ~0) and the two lobe areas (W).</p>"
              + to_html(rows, cols) + figs)


def _fit(R, quick, data):
    from ._characterize import fit_loops

    from memlab.devices import knowm_data_dir
    try:
        folder = knowm_data_dir(data)
    except MemlabError as err:
        why = str(err)
        R.notes.append(f"Knowm fit skipped: {why}")
        R.section("Fitting the Knowm data", f'<p class="note">Skipped: {html.escape(why)}. Give the folder of the '
                  f"Knowm W-SDC CSV files with <code>memlab demo --data DIR</code> or the environment variable "
                  f"<code>MEMLAB_DATA</code>.</p>")
        return
    data = folder
    # the validated protocol of the fitting work: device M1 at 0.8 V, jointly at 1, 10 and
    # 100 Hz (10 Hz alone in quick mode); device M2 on the same drives predicted without refit
    freqs = ("10Hz",) if quick else ("1Hz", "10Hz", "100Hz")
    pick = lambda dev: [p for f in freqs for p in sorted(data.glob(f"*_0.8V_{f}_{dev}__Memristor.csv"))]
    fitted = pick("M1")
    validate = [] if quick else pick("M2")
    if not fitted:
        R.section("Fitting the Knowm data", f'<p class="note">no *_M1__Memristor.csv files in {html.escape(str(data))}; '
                  "skipped.</p>")
        return
    res = fit_loops("mss", fitted, validate=validate, out=R.out / "fit" / "knowm_mss_fit.png")
    r = res["result"]
    body = (f"<p>Knowm MSS model fitted jointly to {len(fitted)} measured loop(s) of device M1 (0.8 V; "
            f"{', '.join(freqs)}) from "
            f"<code>{html.escape(str(data))}</code> (memlab.devices.fit_files, source through each file's series "
            f"resistor){'; device M2 loops predicted without refitting' if validate else ''}.</p>")
    body += "<pre>" + html.escape(res["summary"]) + "</pre>"
    body += R.figure(res["files"], "Measured loops (dots) and the fitted model (line)").replace(
        "<figure>", '<figure class="wide">')
    R.numbers["Knowm MSS fit: mean normalised RMS loop error (1)"] = float(np.mean(r.errors))
    if r.validation:
        R.numbers["Knowm MSS fit: mean error on unfitted M2 loops (1)"] = float(np.mean(list(r.validation.values())))
    R.section("Fitting the Knowm data", body)


def _xbar(R, quick):
    from ._xbar import crossbar_study

    n = 32 if quick else 64
    res = crossbar_study(n, n, r_wire=1.0, g_min=1e-6, g_max=1e-4, v_read=0.2, seed=0, out_dir=R.out / "xbar")
    R.numbers[f"{n}x{n} crossbar MVM error, r_wire 1 ohm (1)"] = res["rel_error"]
    R.numbers[f"{n}x{n} crossbar driver power (W)"] = res["power_W"]
    sol = res["solution"]
    facts = [{"quantity": "solver", "value": sol.method}, {"quantity": "wall time (s)", "value": sol.wall_time},
             {"quantity": "relative KCL residual (1)", "value": sol.residual},
             {"quantity": "MVM relative error, 2-norm vs ideal G^T v (1)", "value": res["rel_error"]},
             {"quantity": "largest output-current error (of max output)", "value": res["max_error"]},
             {"quantity": "driver power (W)", "value": res["power_W"]}]
    R.section("Crossbar solve", f"<p>{n}x{n} crossbar, conductances uniform in [1 \u00b5S, 100 \u00b5S], inputs "
              "uniform in [0, 0.2] V, 1 \u03a9 per wire segment: exact Kirchhoff solution.</p>" + to_html(facts)
              + R.figure(res["files"], "Node voltages and cell currents").replace("<figure>", '<figure class="wide">'))


_MVM_QUICK = {"size": [8, 16, 32], "r_wire": [0.0, 2.0, 10.0], "adc_bits": [1, 4, 8]}


def _mvm(R, quick, progress, runs):
    factors = _MVM_QUICK if quick else {k: None for k in ("size", "r_wire", "adc_bits", "dac_bits", "levels",
                                                            "spread", "read_noise")}
    reps = 1 if quick else 2
    body = ("<p>Relative 2-norm error of <code>X W</code> computed on crossbars by memlab.arrays.AnalogMatrix "
            "(differential pairs, 1\u2013100 \u00b5S, 0.2 V full-scale input; ADC calibrated on a separate batch), "
            f"{16 if quick else 32} random input vectors; each factor varied alone from an ideal 64x64 array "
            f"(the size study uses 1 \u03a9 wires). Mean \u00b1 std over {reps} seed(s).</p>")
    summaries, tables = _studies(R, "mvm", factors, repeats=reps, seed=1, progress=progress, runs=runs,
                                 fixed={"n_inputs": 16} if quick else None)
    for vary, s in summaries.items():
        R.numbers[f"MVM error at {vary} = {s[-1][vary]} (1)"] = s[-1]["rel_error_mean"]
    R.section("MVM accuracy", body + tables)


def _studies(R, study, factors, *, repeats, seed, progress, runs, fixed=None):
    """One :func:`accuracy_study` per factor: the summaries and the HTML (tables, then figures)."""
    from ._accuracy import FACTORS, accuracy_study, summary_columns

    summaries, body, figs = {}, "", ""
    for vary, values in factors.items():
        res = accuracy_study(study, vary, values, repeats=repeats, seed=seed, out_dir=R.out / "accuracy",
                             workers=0, progress=progress, fixed=fixed, store_root=runs)
        R.tables += [R.rel(res["files"]["csv"]), R.rel(res["files"]["summary"])]
        summaries[vary] = res["summary"]
        body += (f"<h3>{html.escape(FACTORS[vary][0])}</h3>"
                 + to_html(res["summary"], summary_columns(study, vary, res["summary"])))
        figs += R.figure(res["files"], f"{'MVM error' if study == 'mvm' else 'DNN accuracy'} vs {vary}")
    return summaries, body + figs


def _dnn(R, quick, progress, runs):
    from ._dnn import dnn_accuracy_point

    ideal = dnn_accuracy_point(seed=0)
    adc1 = dnn_accuracy_point(adc_bits=1, seed=0)
    R.numbers["DNN software baseline accuracy (1)"] = ideal["baseline"]
    R.numbers["DNN ideal crossbars accuracy (1)"] = ideal["accuracy"]
    R.numbers["DNN 1-bit ADC accuracy (1)"] = adc1["accuracy"]
    body = ("<p>A 64-64-10 ReLU MLP trained in software on scikit-learn's digits (70/30 stratified split), "
            "every weight matrix mapped onto crossbar differential pairs; biases and ReLU digital; ADC full "
            "scale calibrated on 200 training images. Each factor varied alone from ideal crossbars.</p>"
            + to_html([{"configuration": "software", "test accuracy (1)": ideal["baseline"]},
                      {"configuration": "ideal crossbars", "test accuracy (1)": ideal["accuracy"]},
                      {"configuration": "1-bit ADC", "test accuracy (1)": adc1["accuracy"]}]))
    factors = {"adc_bits": [1, 2, 4], "r_wire": [0.0, 10.0]} if quick else {
        "adc_bits": [1, 2, 3, 4, 6, 8], "dac_bits": [1, 2, 3, 4, 6], "r_wire": [0.0, 2.0, 5.0, 10.0, 20.0],
        "levels": [2, 4, 8, 16, 32], "spread": [0.0, 0.1, 0.2, 0.3, 0.5], "read_noise": [0.0, 0.05, 0.1, 0.2]}
    _, tables = _studies(R, "dnn", factors, repeats=1 if quick else 2, seed=2, progress=progress, runs=runs)
    R.section("DNN accuracy", body + tables)


def _monte_carlo(R, quick, progress, runs, workers):
    from memlab.sweep import SweepSpec, run_sweep

    from ._accuracy import STUDIES

    spec = SweepSpec(STUDIES["mvm_error"], fixed={"rows": 32, "cols": 32, "r_wire": 1.0, "n_inputs": 16},
                     grid={"adc_bits": [4, 6] if quick else [4, 6, 8]},
                     monte_carlo={"spread": {"dist": "uniform", "low": 0.0, "high": 0.3},
                                  "read_noise": {"dist": "uniform", "low": 0.0, "high": 0.05}},
                     samples=3 if quick else 12, seed=3)
    w = (0 if quick else min(2, os.cpu_count() or 1)) if workers is None else workers
    res = run_sweep(spec, output=R.out / "sweeps" / "mc_mvm.csv", store=runs / "mc_mvm.points", workers=w,
                    progress=progress, desc="Monte Carlo")
    R.tables.append(R.rel(res.path))
    fig, ax = new_figure(size=(5.0, 3.6))
    for b in spec.grid["adc_bits"]:
        rows = [r for r in res.rows if r["adc_bits"] == b]
        ax.scatter([r["spread"] for r in rows], [100 * r["rel_error"] for r in rows], label=f"ADC {b} bits", s=18)
    ax.set_xlabel("Device-to-device spread \u03c3 of ln G (1)")
    ax.set_ylabel("MVM relative error (%)")
    ax.set_title("Monte Carlo: spread ~ U(0, 0.3), read noise ~ U(0, 0.05)")
    ax.legend(loc="best")
    files = save_figure(fig, R.out / "sweeps" / "mc_mvm")
    errs = res.column("rel_error")
    R.numbers["Monte Carlo MVM error, median over points (1)"] = float(np.median(errs))
    where = f"{w} local worker processes" if w > 1 else "this process"
    R.section("Monte Carlo sweep", f"<p>{len(res.rows)} points (grid over ADC bits x {spec.samples} Monte Carlo "
              f"draws of spread and read noise, seed {spec.seed}) on {where}; each finished point was saved as "
              f"it finished. Table: <a href=\"{html.escape(R.rel(res.path))}\">{html.escape(R.rel(res.path))}</a>."
              "</p>" + to_html(res.rows[:12], res.columns) + R.figure(files, "MVM error of every Monte Carlo point"))


def _chips(R, quick):
    from memlab import accel

    wl = "lenet5" if quick else "resnet18"
    table = accel.compare_chips(wl, out_dir=R.out / "compare")
    R.tables += [R.rel(p) for k, p in table.files.items() if k in ("csv", "md")]
    best = table.best("energy_per_inference_J")
    R.numbers[f"{wl}: most energy-efficient chip"] = best
    cols = [Column(k, h) for k, h in (
        ("chip", "chip"), ("kind", "kind"), ("latency_s", "latency (s)"), ("energy_per_inference_J",
        "energy/inference (J)"), ("inferences_per_s", "inferences/s"), ("ops_per_J", "ops/J"),
        ("average_power_W", "power (W)"), ("utilisation", "utilisation (1)"), ("bound", "bound"))]
    imgs = ""
    for key, fn, size in (("roofline", accel.plot_roofline, (8.0, 5.5)),
                          ("energy", accel.plot_energy_breakdown, (8.0, 5.0))):
        # accel's own plot functions, saved as PNG + SVG (accel.compare_chips writes PNG only)
        fig, ax = new_figure(size=size)
        fn(table.reports, ax=ax)
        if not ax.get_xlabel():
            ax.set_xlabel("Chip (preset name)")  # the energy bars are labelled by chip only
        files = save_figure(fig, R.out / "compare" / f"{wl}_{key}")
        imgs += R.figure(files, f"{key} plot (memlab.accel)")
    R.section("Chip comparison", f"<p>Workload <code>{wl}</code> (batch {table.batch}) on every chip model of "
              "memlab.accel; the memristor PIM chip's crossbar figures come from memlab.arrays.</p>"
              + to_html(table.rows, cols) + imgs)
