"""The sections of the report (:mod:`memlab.analysis._report`), one function per study.

Each function runs its study, adds key results (``R.key``), a conclusion (``R.conclusions``)
and a section saying what was run and what it shows (``R.section``). Figures state the
conditions held fixed; tables go through :mod:`memlab._table`.
"""
from __future__ import annotations

import html
import os
import textwrap

import numpy as np

from memlab._table import Column, fmt_number, fmt_si, to_html, write_table
from memlab.errors import MemlabError

from ._style import new_figure, save_figure


def _pct(x) -> str:
    """A fraction as a percentage (memlab._table): 1 decimal, or 4 significant digits below 0.1 %."""
    if isinstance(x, float) and np.isfinite(x) and 0 < abs(x) < 1e-3:
        return f"{fmt_number(100 * x)} %"
    return Column("v", style="percent").format(x)


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"


# ----------------------------------------------------------------------------- devices, circuits
def _devices(R, quick, progress, spice, keep_going):
    from memlab.circuits import compare_traces

    from . import _characterize
    from ._characterize import REPORT_DRIVES

    models = ["hp", "vteam", "mss"] if quick else None
    # the models' first runs (sympy, numba compiles, ngspice) on worker processes, one per core
    res = _characterize.characterize_models(R.out / "devices", models=models, spice=spice, progress=progress,
                                            workers=max(2, min(os.cpu_count() or 1, 4)))
    if res["notes"] and not keep_going:  # a model whose native or ngspice run failed
        raise MemlabError("; ".join(res["notes"]))
    R.notes += res["notes"]
    rows = res["rows"]
    R.tables.append(R.rel(write_table(rows, R.out / "devices" / "fingerprints.csv")))
    pinch = max((r["pinch_ratio"] for r in rows if np.isfinite(r["pinch_ratio"])), default=float("nan"))
    R.key("Devices", "built-in models characterised", len(rows))
    R.key("Devices", "largest pinch ratio |i(v = 0)| / max |i|", pinch, style="number")
    sp = next((r for r in rows if r["model"].startswith("Stanford")), None)
    if sp is not None:
        R.key("Devices", f"Stanford-PKU peak current ({sp['r_series_ohm']:g} \u03a9 series resistor)", sp["i_max_A"],
              "A", "si")
    cols = [Column("model"), Column("amplitude_V", "amplitude", "V", "si"), Column("frequency_Hz", "frequency", "Hz", "si"),
            Column("r_series_ohm", "series R", "\u03a9", "si"), Column("i_max_A", "max |i|", "A", "si"),
            Column("pinch_ratio", "pinch ratio"), Column("lobe_area_1_W", "lobe area v > 0", "W", "si"),
            Column("lobe_area_2_W", "lobe area v < 0", "W", "si")]
    figs = "".join(R.figure(f, f"I-V loop of {r['model']}", f"{fmt_si(r['amplitude_V'], 'V')}, "
                            f"{fmt_si(r['frequency_Hz'], 'Hz')} sine, series R {fmt_si(r['r_series_ohm'], chr(937))}, "
                            "two periods from the model's demonstration state")
                   for r, f in zip(rows, res["figures"].values()))
    stanford = REPORT_DRIVES.get("stanford", {})
    R.conclusions.append(f"<b>Devices.</b> All {len(rows)} built-in models give pinched hysteresis loops "
                         f"(largest |i(v = 0)|/max |i| = {Column('v').format(pinch)}).")
    R.section("Devices: compact models",
              f"Each built-in model ({len(rows)}) simulated natively (memlab.devices.simulate) for two periods of a "
              "sine chosen to open its loop (the model's <code>iv_demo</code>). Stanford-PKU is driven through a "
              f"{stanford.get('r_series', 0):g} \u03a9 series resistor from its off state: with the published "
              "I<sub>0</sub> = 1 mA its RESET needs about 1.05 V across the cell, and without a series element the "
              "loop would peak at 135 mA, which no real cell carries.",
              "The loops are pinched at v = 0 (fingerprint a) and open into two lobes whose areas are listed; "
              "memristor fingerprints are described in docs/notes/devices.md \u00a77.",
              to_html(rows, cols) + f'<div class="grid grid3">{figs}</div>')
    _circuits(R, res, compare_traces)


def _circuits(R, res, compare_traces):
    if not res.get("residuals"):
        R.note_section("Circuits: native vs ngspice", "Skipped: ngspice was not run (memlab demo --no-spice).")
        return
    rows = []
    for key, tr in res["traces"].items():
        if "ngspice" in tr:
            c = compare_traces(tr["ngspice"], tr.get("native_ref", tr["native"]))
            rows.append({"model": tr["native"].model, "max": c.i_max, "rms": c.i_rms, "n": c.n,
                         "max_text": _pct(c.i_max), "rms_text": _pct(c.i_rms)})
    worst = max(rows, key=lambda r: r["max"])
    R.key("Circuits", "largest ngspice \u2212 native current difference (of max |i|)", worst["max"], style="percent")
    R.key("Circuits", "model with the largest difference", worst["model"], style="text")
    R.numbers["ngspice vs native: largest current deviation (of max |i|)"] = worst["max"]
    R.conclusions.append(f"<b>Circuits.</b> The generated ngspice subcircuits reproduce the native solver within "
                         f"{_pct(worst['max'])} of the peak current (largest for {html.escape(worst['model'])}).")
    cols = [Column("model"), Column("max_text", "largest |difference| (of max |i|)"),
            Column("rms_text", "rms difference (of max |i|)"), Column("n", "points compared")]
    R.section("Circuits: native vs ngspice",
              "The same models as ngspice subcircuits generated from the same sympy equations "
              "(memlab.circuits.characterize, transient analysis), under the same drives as above; Stanford-PKU "
              "under its own demonstration drive (1.6 V, no series resistor: a check of the numerics), because "
              "ngspice does not finish the stiff series-resistor transient.",
              "On the I-V plane the two curves coincide, so the comparison is shown as the residual current "
              "(ngspice \u2212 native) against time, in % of the native peak current; the differences sit at the "
              "first step and at the switching events, where the two integrators place their steps differently.",
              to_html(rows, cols) + R.figure(res["residuals"], "ngspice \u2212 native current of every model",
                                             "each model's drive as in the previous section (Stanford-PKU: 1.6 V, "
                                             "10 kHz, no series resistor)", wide=True))


def _fit(R, quick, data):
    from memlab.devices import knowm_data_dir

    from ._characterize import fit_loops

    title = "Devices: fitting measured loops"
    try:
        folder = knowm_data_dir(data)
    except MemlabError as err:
        R.notes.append(f"Knowm fit skipped: {err}")
        R.note_section(title, f"Skipped: {html.escape(str(err))}. Give the folder of the Knowm W-SDC CSV files "
                              "with <code>memlab demo --data DIR</code> or the environment variable "
                              "<code>MEMLAB_DATA</code>.")
        return
    # the validated protocol of the fitting work: device M1 at 0.8 V, jointly at 1, 10 and
    # 100 Hz (10 Hz alone in quick mode); device M2 on the same drives predicted without refit
    freqs = ("10Hz",) if quick else ("1Hz", "10Hz", "100Hz")
    pick = lambda dev: [p for f in freqs for p in sorted(folder.glob(f"*_0.8V_{f}_{dev}__Memristor.csv"))]
    fitted, validate = pick("M1"), ([] if quick else pick("M2"))
    if not fitted:
        R.note_section(title, f"No *_M1__Memristor.csv files in the data folder {html.escape(folder.name)}; skipped.")
        return
    res = fit_loops("mss", fitted, validate=validate, out=R.out / "fit" / "knowm_mss_fit.png")
    r = res["result"]
    params = [{"name": n, "meaning": r.model.params[n].doc, "value": r.values[n], "std": r.std[n],
               "rel": r.rel_std[n], "unit": r.model.params[n].unit, "bound": "yes" if r.at_bound[n] else "no"}
              for n in r.free]
    pcols = [Column("name", "parameter"), Column("meaning"), Column("value"), Column("std", "standard error"),
             Column("rel", "relative error", style="percent"), Column("unit"), Column("bound", "at search bound")]
    loops = [{"loop": lab, "use": "fitted", "err": e} for lab, e in zip(r.labels, r.errors)]
    loops += [{"loop": lab, "use": "predicted (not fitted)", "err": e} for lab, e in (r.validation or {}).items()]
    mean_fit = float(np.mean(r.errors))
    R.key("Devices", "Knowm MSS fit: mean loop error (normalised RMS)", mean_fit, style="percent")
    R.numbers["Knowm MSS fit: mean normalised RMS loop error"] = mean_fit
    pred = ""
    if r.validation:
        mean_val = float(np.mean(list(r.validation.values())))
        R.key("Devices", "M2 loops predicted without refit: mean error", mean_val, style="percent")
        pred = f"; the same parameters predict device M2's loops within {_pct(mean_val)}"
    R.conclusions.append(f"<b>Fit.</b> The Knowm MSS model fits {len(fitted)} measured loop(s) of device M1 with a "
                         f"mean normalised RMS error of {_pct(mean_fit)}{pred}.")
    R.section(title,
              f"The Knowm MSS model fitted jointly to {len(fitted)} measured loop(s) of Knowm W-SDC device M1 (0.8 V; "
              f"{', '.join(freqs)}) read from <code>$MEMLAB_DATA/{html.escape(folder.name)}</code> "
              "(memlab.devices.fit_files: the model is driven by the sine source through each file's 5 k\u03a9 "
              f"series resistor, as measured){'; device M2 loops predicted without refitting' if validate else ''}. "
              "The data are GPL-3.0 (knowm/memristor-discovery) and are read, not copied.",
              "Fitted parameters with standard errors from the Jacobian at the optimum, the error of every loop "
              "(RMS(i<sub>model</sub> \u2212 i<sub>meas</sub>) / max |i<sub>meas</sub>|), and measured (dots) against "
              "fitted (line) loops. See docs/notes/fitting.md.",
              to_html(params, pcols) + to_html(loops, [Column("loop"), Column("use"),
                                                       Column("err", "normalised RMS error", style="percent")])
              + R.figure(res["files"], "Measured loops (dots) and the fitted Knowm MSS model (line)",
                         "0.8 V sine through 5 k\u03a9, device M1, one panel per frequency", wide=True))


# ----------------------------------------------------------------------------- arrays
def _xbar(R, quick):
    from ._xbar import crossbar_study

    n = 32 if quick else 64
    res = crossbar_study(n, n, r_wire=1.0, g_min=1e-6, g_max=1e-4, v_read=0.2, seed=0, out_dir=R.out / "xbar")
    sol = res["solution"]
    R.key("Arrays", f"{n}\u00d7{n} crossbar MVM error, 1 \u03a9 wire segments", res["rel_error"], style="percent")
    R.key("Arrays", f"{n}\u00d7{n} crossbar driver power", res["power_W"], "W", "si")
    facts = [{"q": "solver", "v": sol.method}, {"q": "wall time", "v": fmt_si(sol.wall_time, "s")},
             {"q": "relative KCL residual", "v": Column("v").format(sol.residual)},
             {"q": "MVM error, 2-norm against the ideal G\u1d40v", "v": _pct(res["rel_error"])},
             {"q": "largest output-current error (of the largest output)", "v": _pct(res["max_error"])},
             {"q": "driver power", "v": fmt_si(res["power_W"], "W")}]
    R.conclusions.append(f"<b>Arrays.</b> With 1 \u03a9 wire segments a {n}\u00d7{n} crossbar already computes "
                         f"G\u1d40v with a {_pct(res['rel_error'])} error from IR drop alone.")
    R.section("Arrays: one crossbar solve",
              f"A {n}\u00d7{n} passive crossbar, conductances uniform in [1 \u00b5S, 100 \u00b5S], inputs uniform in "
              "[0, 0.2] V, 1 \u03a9 per wire segment, ideal drivers (column 0) and sense amplifiers (last row, 0 V): "
              "the exact Kirchhoff solution (memlab.arrays.Crossbar).",
              "Node voltages fall along each word line away from its driver and rise along each bit line away "
              "from its sense amplifier, so the cells far from both ends see the least voltage; the output "
              "currents fall short of G\u1d40v by the error listed.",
              to_html(facts, [Column("q", "quantity"), Column("v", "value")])
              + R.figure(res["files"], "Word-line and bit-line node voltages and cell currents",
                         f"{n}\u00d7{n}, 1\u2013100 \u00b5S, inputs 0\u20130.2 V, 1 \u03a9 per segment, seed 0", wide=True))


_MVM_QUICK = {"size": [8, 16, 32], "r_wire": [0.0, 2.0, 10.0], "adc_bits": [1, 4, 8]}
_IDEAL_MVM = ("64\u00d764 array, ideal wires, 1\u2013100 \u00b5S differential pairs, 0.2 V full scale, no ADC/DAC "
              "quantisation, continuous conductances, no spread or read noise")
_IDEAL_DNN = ("64-64-10 MLP on digits, ideal wires, 1\u2013100 \u00b5S, 0.2 V, no ADC/DAC quantisation, continuous "
              "conductances, no spread or read noise")


def _factor_name(vary):
    from ._accuracy import FACTORS
    label = FACTORS[vary][0]
    unit = label[label.rfind("(") + 1:-1] if label.endswith(")") else ""
    name = label[:label.rfind(" (")] if " (" in label else label
    return name, ("" if unit in ("1", "count") else unit)


def _lower(name: str) -> str:
    """'Wire resistance' -> 'wire resistance', 'ADC resolution' unchanged."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


#: how one value of a factor reads in a key result ("MVM error, 1-bit ADC")
_FACTOR_TEXT = {"size": "{v}\u00d7{v} array", "rows": "{v} rows", "cols": "{v} columns",
                "r_wire": "{v:g} \u03a9 wire segments", "adc_bits": "{v}-bit ADC", "dac_bits": "{v}-bit DAC",
                "levels": "{v} conductance levels", "spread": "spread \u03c3(ln G) = {v:g}",
                "read_noise": "read noise \u03c3 = {v:g} of G"}


def _mvm(R, quick, progress, runs):
    factors = _MVM_QUICK if quick else {k: None for k in ("size", "r_wire", "adc_bits", "dac_bits", "levels",
                                                            "spread", "read_noise")}
    reps = 1 if quick else 2
    inputs = 16 if quick else 32
    summaries, body = _studies(R, "mvm", factors, repeats=reps, seed=1, progress=progress, runs=runs,
                               fixed={"n_inputs": 16} if quick else None, ideal=_IDEAL_MVM)
    worst = []
    for vary, s in summaries.items():
        name, unit = _factor_name(vary)
        harsh = max(s, key=lambda r: r["rel_error_mean"] if r["rel_error_mean"] is not None else -1)
        R.key("Arrays", "MVM error, " + _FACTOR_TEXT[vary].format(v=harsh[vary]), harsh["rel_error_mean"],
              style="percent")
        worst.append((harsh["rel_error_mean"] or 0, _lower(name)))
    top = max(worst)[1] if worst else ""
    R.conclusions.append(f"<b>MVM accuracy.</b> Of the factors varied one at a time, {html.escape(top)} degrades the "
                         "crossbar MVM most over its studied range.")
    R.section("Arrays: MVM accuracy",
              f"The relative 2-norm error of X W computed on crossbars (memlab.arrays.AnalogMatrix: differential "
              f"pairs, ADC range calibrated on a separate batch) for {inputs} random input vectors; each factor "
              f"varied alone from an ideal array ({_IDEAL_MVM}; the size study uses 1 \u03a9 wires). Mean \u00b1 "
              f"standard deviation over {reps} seed(s).",
              "How much each non-ideality alone costs; the tables under each figure give the numbers.", body)


def _studies(R, study, factors, *, repeats, seed, progress, runs, fixed=None, ideal=""):
    """One :func:`accuracy_study` per factor: the summaries and the HTML (figure grid, tables)."""
    from ._accuracy import accuracy_study, summary_columns

    summaries, figs, tables = {}, "", ""
    for vary, values in factors.items():
        name, _ = _factor_name(vary)
        held = ideal.replace("64\u00d764 array, ideal wires", "1 \u03a9 wire segments") if vary == "size" else ideal
        res = accuracy_study(study, vary, values, repeats=repeats, seed=seed, out_dir=R.out / "accuracy",
                             workers=0, progress=progress, fixed=fixed, store_root=runs, conditions=held)
        R.tables += [R.rel(res["files"]["csv"]), R.rel(res["files"]["summary"])]
        summaries[vary] = res["summary"]
        cols = summary_columns(study, vary, res["summary"])
        what = "MVM error" if study == "mvm" else "test accuracy"
        cols[:3] = [Column(vary, name), Column(cols[1].key, f"mean {what}", style="percent"),
                    Column(cols[2].key, "standard deviation", style="percent")]
        tables += f"<h4>{html.escape(name)}</h4>" + to_html(res["summary"], cols)
        figs += R.figure(res["files"], f"{'MVM error' if study == 'mvm' else 'DNN accuracy'} vs {_lower(name)}",
                         f"every other factor ideal ({held})")
    return summaries, f'<div class="grid">{figs}</div>' + _details("Tables of the studies", tables)


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
    fig, ax = new_figure(size=(5.4, 3.9))
    for b in spec.grid["adc_bits"]:
        rows = [r for r in res.rows if r["adc_bits"] == b]
        ax.scatter([r["spread"] for r in rows], [100 * r["rel_error"] for r in rows], label=f"{b}-bit ADC", s=18)
    ax.set_xlabel("Device-to-device spread, \u03c3 of ln G (dimensionless)")
    ax.set_ylabel("MVM relative error (%)")
    ax.set_title("Monte Carlo: MVM error vs device spread\n" + textwrap.fill(
        "32\u00d732, 1 \u03a9 wires, 1\u2013100 \u00b5S, 16 inputs; spread ~ U(0, 0.3), read noise ~ U(0, 0.05)", 60),
        fontsize=8.5)
    ax.legend(loc="upper left", title="ADC resolution")
    files = save_figure(fig, R.out / "sweeps" / "mc_mvm")
    errs = res.column("rel_error")
    med = float(np.median(errs))
    R.key("Arrays", f"Monte Carlo MVM error, median over {len(res.rows)} points", med, style="percent")
    R.numbers["Monte Carlo MVM error, median over points"] = med
    where = f"{w} local worker processes" if w > 1 else "this process"
    cols = [Column("adc_bits", "ADC bits"), Column("spread", "spread \u03c3 of ln G"),
            Column("read_noise", "read noise \u03c3 / G", style="percent"), Column("rel_error", "MVM error", style="percent"),
            Column("max_error", "largest error (of max output)", style="percent"), Column("power_W", "driver power", "W", "si")]
    R.section("Arrays: Monte Carlo sweep",
              f"{len(res.rows)} points: a grid over ADC resolution \u00d7 {spec.samples} Monte Carlo draws of "
              f"device spread and read noise (seed {spec.seed}), on {where} (memlab.sweep.run_sweep); each point "
              "was saved as it finished.",
              f"The error grows with the spread at every ADC resolution; median {_pct(med)}. Table: "
              f'<a href="{html.escape(R.rel(res.path))}">{html.escape(R.rel(res.path))}</a>.',
              R.figure(files, "MVM error of every Monte Carlo point", "32\u00d732 array, 1 \u03a9 wires, "
                       "1\u2013100 \u00b5S, 0.2 V, 16 inputs")
              + _details("First 12 points", to_html(res.rows[:12], cols)))


# ----------------------------------------------------------------------------- networks, accel
def _dnn(R, quick, progress, runs):
    from ._dnn import dnn_accuracy_point

    ideal = dnn_accuracy_point(seed=0)
    adc1 = dnn_accuracy_point(adc_bits=1, seed=0)
    R.key("Networks", "digits MLP, software", ideal["baseline"], style="percent")
    R.key("Networks", "digits MLP, ideal crossbars", ideal["accuracy"], style="percent")
    R.key("Networks", "digits MLP, 1-bit ADC", adc1["accuracy"], style="percent")
    R.numbers.update({"DNN software baseline accuracy": ideal["baseline"], "DNN ideal crossbars accuracy":
                      ideal["accuracy"], "DNN 1-bit ADC accuracy": adc1["accuracy"]})
    factors = {"adc_bits": [1, 2, 4], "r_wire": [0.0, 10.0]} if quick else {
        "adc_bits": [1, 2, 3, 4, 6, 8], "dac_bits": [1, 2, 3, 4, 6], "r_wire": [0.0, 2.0, 5.0, 10.0, 20.0],
        "levels": [2, 4, 8, 16, 32], "spread": [0.0, 0.1, 0.2, 0.3, 0.5], "read_noise": [0.0, 0.05, 0.1, 0.2]}
    _, body = _studies(R, "dnn", factors, repeats=1 if quick else 2, seed=2, progress=progress, runs=runs,
                       ideal=_IDEAL_DNN)
    acc = [{"c": "software", "a": ideal["baseline"]}, {"c": "ideal crossbars", "a": ideal["accuracy"]},
           {"c": "1-bit ADC", "a": adc1["accuracy"]}]
    R.conclusions.append(f"<b>Networks.</b> The digits MLP keeps its software accuracy ({_pct(ideal['baseline'])}) "
                         f"on ideal crossbars ({_pct(ideal['accuracy'])}) and drops to {_pct(adc1['accuracy'])} "
                         "with a 1-bit ADC.")
    R.section("Networks: DNN accuracy",
              "A 64-64-10 ReLU MLP trained in software on scikit-learn's digits (70/30 stratified split); every "
              "weight matrix mapped onto crossbar differential pairs, biases and ReLU digital, ADC range "
              "calibrated on 200 training images. Each factor varied alone from ideal crossbars.",
              "Test accuracy on the 540 held-out images against each factor, with the software accuracy as the "
              "dashed line.", to_html(acc, [Column("c", "configuration"), Column("a", "test accuracy", style="percent")])
              + body)


#: readable names of accel's energy components
_COMPONENTS = {"compute": "compute", "onchip": "on-chip memory", "dram": "DRAM", "adc": "ADC", "dac": "DAC",
               "interconnect": "interconnect", "static": "static power"}

#: chip kinds drawn on each of the two rooflines (at most six chips, one legend entry each)
_ROOF_GROUPS = (("CPU, GPU and FPGA", ("CPU", "GPU", "FPGA")), ("ASIC, neuromorphic and PIM", None))


def _chips(R, quick):
    from memlab import accel

    wl = "lenet5" if quick else "resnet18"
    table = accel.compare_chips(wl, out_dir=R.out / "compare", plots=False)   # the report draws its own
    R.tables += [R.rel(p) for k, p in table.files.items() if k in ("csv", "md")]
    best, fast = table.best("energy_per_inference_J"), table.best("latency_s")
    row = {r["chip"]: r for r in table.rows}
    R.key("Accelerators", f"{wl}: least energy per inference", f"{best} ({fmt_si(row[best]['energy_per_inference_J'], 'J')})",
          style="text")
    R.key("Accelerators", f"{wl}: lowest latency", f"{fast} ({fmt_si(row[fast]['latency_s'], 's')})", style="text")
    R.numbers[f"{wl}: most energy-efficient chip"] = best
    cols = [Column("chip"), Column("kind"), Column("estimate"), Column("latency_s", "latency", "s", "si"),
            Column("energy_per_inference_J", "energy / inference", "J", "si"),
            Column("inferences_per_s", "inferences / s", "", "si"), Column("ops_per_J", "operations / J", "", "si"),
            Column("average_power_W", "power", "W", "si"), Column("utilisation", "utilisation", style="percent"),
            Column("bound", "limited by")]
    figs = ""
    for k, (title, kinds) in enumerate(_ROOF_GROUPS):
        reps = [r for r, s in zip(table.reports, table.rows) if (s["kind"] in kinds if kinds else
                                                                 s["kind"] not in _ROOF_GROUPS[0][1])]
        if reps:
            figs += R.figure(_roofline(accel, reps, R.out / "compare" / f"{wl}_roofline_{k + 1}", title, wl, table.batch),
                             f"Roofline of {wl}: {title}", f"batch {table.batch}, each chip's preset constants")
    figs += R.figure(_energy_totals(table, R.out / "compare" / f"{wl}_energy_total", wl),
                     f"Energy per inference of {wl} on every chip", f"batch {table.batch}")
    fig, ax = new_figure(size=(7.0, 4.2))
    accel.plot_energy_breakdown(table.reports, ax=ax)
    ax.set_xlabel("Chip (preset)")
    ax.set_ylabel("Share of the chip's energy per inference (fraction)")
    if ax.get_legend() is not None:
        for t in ax.get_legend().get_texts():
            t.set_text(_COMPONENTS.get(t.get_text(), t.get_text()))
    figs += R.figure(save_figure(fig, R.out / "compare" / f"{wl}_energy"), f"Energy breakdown of {wl} by component",
                     f"batch {table.batch}; shares of each chip's own total (absolute totals: previous figure)")
    R.conclusions.append(f"<b>Accelerators.</b> On {wl}, {html.escape(best)} needs the least energy per inference "
                         f"({fmt_si(row[best]['energy_per_inference_J'], 'J')}) and {html.escape(fast)} has the lowest "
                         f"latency ({fmt_si(row[fast]['latency_s'], 's')}); the column 'estimate' says which figures "
                         "are bounds and which are calibrated.")
    R.section("Accelerators: chip comparison",
              f"Workload <code>{wl}</code> (batch {table.batch}) on every chip model of memlab.accel "
              "(memlab.accel.compare_chips); the memristor PIM chip's crossbar figures come from memlab.arrays.",
              "Latency, energy and what limits each chip; the rooflines place every layer under each chip's "
              "compute and DRAM roofs, the bars compare absolute energies and their split.",
              to_html(table.rows, cols) + f'<div class="grid">{figs}</div>')


def _roofline(accel, reports, stem, title, wl, batch):
    """accel.plot_roofline for a few chips, with one legend entry per chip (roof line and layer dots)."""
    from matplotlib.lines import Line2D

    fig, ax = new_figure(size=(6.0, 4.4))
    accel.plot_roofline(reports, ax=ax)
    colours = {}
    for line in ax.get_lines():
        colours.setdefault(str(line.get_label()).removesuffix(" roof"), line.get_color())
    handles = [Line2D([], [], color=c, marker="o", ms=4, label=name) for name, c in colours.items()]
    ax.legend(handles=handles, loc="upper left", fontsize=7, title="roof (line), layers (dots)", title_fontsize=7)
    ax.set_xlabel("Arithmetic intensity (operations per DRAM byte)")
    ax.set_ylabel("Performance (operations/s)")
    ax.set_title(f"Roofline of {wl} (batch {batch}): {title}", fontsize=9)
    return save_figure(fig, stem)


def _energy_totals(table, stem, wl):
    fig, ax = new_figure(size=(6.0, 4.0))
    names = [r["chip"] for r in table.rows]
    e = np.array([r["energy_per_inference_J"] for r in table.rows])
    ax.barh(names, e, color="#0072B2")
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("Energy per inference (J)")
    ax.set_ylabel("Chip (preset)")
    ax.set_title(f"Energy per inference of {wl} (batch {table.batch})", fontsize=9)
    for y, v in enumerate(e):
        ax.text(v, y, " " + fmt_si(v, "J"), va="center", fontsize=7)
    ax.set_xlim(e.min() / 3, e.max() * 20)
    return save_figure(fig, stem)
