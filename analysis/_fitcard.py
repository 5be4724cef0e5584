"""Outputs of a fit of measured loops: parameters (JSON, CSV), a Markdown model card, the
fitted model as an ngspice subcircuit and a Verilog-A module, and the overlay figure of
the fitted and validation loops. Used by ``memlab fit``; the exports come from
:mod:`memlab.circuits` (which is why this lives in analysis, not devices)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from memlab._io import atomic_write_json, atomic_write_text
from memlab._table import to_csv, to_markdown
from memlab.analysis._style import new_figure, save_figure

__all__ = ["write_fit_outputs", "loop_rows", "parameter_rows"]


def parameter_rows(result) -> list[dict]:
    """One row per free parameter: value and standard error (SI), search range, flags."""
    rows = []
    for n in result.free:
        lo, hi = result.bounds[n]
        rows.append({"parameter": n, "value": result.values[n], "std": result.std[n],
                     "rel_std": result.rel_std[n], "unit": result.model.params[n].unit, "search_lo": float(lo),
                     "search_hi": float(hi), "at_bound": bool(result.at_bound[n]),
                     "identifiable": bool(result.identifiable[n])})
    return rows


def loop_rows(result) -> list[dict]:
    """One row per loop (fitted, then validation): identity, role, normalised RMS error,
    periods simulated to steady state and the last period-to-period current change."""
    rows = []
    for m, e, p, tr in zip(result.measurements, result.errors, result.pss_change, result.traces):
        rows.append({"role": "fit", **m.identity, "error": float(e), "periods": tr.stats.get("periods"),
                     "pss_change": float(p)})
    for m in getattr(result, "validation_measurements", []):
        rows.append({"role": "validation", **m.identity, "error": float(result.validation[m.key]),
                     "periods": None, "pss_change": None})
    return rows


_CIRCUIT = {"series": "the source through each loop's series resistor, as measured",
            "device": "the measured device voltage applied directly"}


def _card(result, choices, files, command) -> str:
    from memlab._table import fmt_number
    s = result.settings
    lines = [f"# Model card: {result.model_name} fitted to {len(result.measurements)} measured loop(s)", ""]
    if command:
        lines += [f"Command: `{command}`", ""]
    lines += ["## Data", ""] + [f"- {c}" for c in choices] + [""]
    lines += ["## Protocol", "",
              f"- circuit: `{result.circuit}` ({_CIRCUIT[result.circuit]})",
              f"- device orientation (polarity): {result.polarity:+d}"
              + (" (connected reversed: positive source voltage switches it OFF)" if result.polarity < 0 else ""),
              f"- periodic steady state: rounds of {s.periods} periods until the loop current changes by at most "
              f"{s.pss_tol:g} of max |i| between the last two periods (at most {s.max_periods} periods); the last "
              f"period is compared with the data",
              f"- integrator: {s.method}, rtol {s.rtol:g}; search candidates needing more than {s.max_steps} steps "
              f"per round are penalised as failing to integrate",
              f"- search: {result.starts} start points screened, {len(result.local_costs)} refined; "
              f"{result.n_parameter_sets} parameter sets simulated in {result.elapsed:.1f} s",
              f"- error measure: RMS(i_model - i_measured) / max|i_measured| per loop", ""]
    lines += ["## Errors per loop", "", to_markdown(loop_rows(result), ["role", "device", "amplitude_V", "frequency_Hz",
                                                                       "r_series_ohm", "file", "error", "periods"]), ""]
    v = list(result.validation.values())
    lines += [f"Training RMS error {fmt_number(float(np.sqrt(np.mean(result.errors ** 2))))}"
              + (f", validation RMS error {fmt_number(float(np.sqrt(np.mean(np.square(v)))))}" if v else
                 " (no validation loops given: prediction quality unknown)")
              + f"; AIC {result.aic:.1f}, BIC {result.bic:.1f} (N = {result.n_points}).", ""]
    lines += ["## Parameters", "", to_markdown(parameter_rows(result)), ""]
    bound = [n for n in result.free if result.at_bound[n]]
    if bound:
        lines += [f"**At bound** (>= 99 % of the search range): {', '.join(bound)}. Their standard errors are not "
                  "meaningful and the fit may be over-fitting; widen `--bounds` or fix them.", ""]
    fixed = {n: float(np.asarray(val)) for n, val in result.model.values.items() if n not in result.free}
    if fixed:
        lines += ["Fixed: " + ", ".join(f"{n} = {fmt_number(val)}" for n, val in fixed.items()), ""]
    lines += ["## Files", ""] + [f"- {k}: `{Path(p).name}`" for k, p in files.items()] + [""]
    if "overlay_png" in files:
        lines += [f"![measured (dots) and simulated loops]({Path(files['overlay_png']).name})", ""]
    return "\n".join(lines)


def _overlay(result, stem):
    meas = list(result.measurements) + list(getattr(result, "validation_measurements", []))
    cols = min(len(meas), 4)
    rows = math.ceil(len(meas) / cols)
    fig, axes = new_figure(rows, cols, size=(3.4 * cols, 3.0 * rows))
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    result.plot(measurements=meas, axes=axes[:len(meas)])
    for ax in axes[len(meas):]:
        ax.set_visible(False)
    for ax in axes[:len(meas)]:
        ax.set_xlabel("Device voltage v (V)")
        ax.set_ylabel("Current i (\u00b5A)")
    return save_figure(fig, stem)


def write_fit_outputs(result, out_dir, *, choices=(), command: str | None = None, figure: bool = True,
                      overlay: str = "overlay") -> dict:
    """Write everything about a :class:`~memlab.devices.FitResult` into ``out_dir``.

    Files: ``parameters.json`` (fitted values, standard errors, flags, every loop with its
    full identity and error, the choices made, the settings), ``parameters.csv``,
    ``loops.csv``, ``<Model>.cir`` (ngspice subcircuit of the fitted model, its defaults
    the fitted values), ``<Model>.va`` (Verilog-A module), ``overlay.png/.svg`` (fitted and
    validation loops; ``overlay`` names it) and ``<out_dir>/model_card.md``. ``choices``: one line per loop saying where its
    series resistor and frequency came from. Returns name -> path.
    """
    from memlab.circuits import subcircuit, subckt_name, verilog_a_module

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    data = result.to_dict()
    data["choices"] = list(choices)
    data["validation_loops"] = [{"key": m.key, **m.identity, "error": float(result.validation[m.key])}
                                for m in getattr(result, "validation_measurements", [])]
    if command:
        data["command"] = command
    files["parameters_json"] = atomic_write_json(out / "parameters.json", data)
    files["parameters_csv"] = atomic_write_text(out / "parameters.csv", to_csv(parameter_rows(result)))
    files["loops_csv"] = atomic_write_text(out / "loops.csv", to_csv(loop_rows(result)))
    name = subckt_name(result.model)
    files["ngspice"] = atomic_write_text(out / f"{name}.cir", subcircuit(result.model).text + "\n")
    files["verilog_a"] = atomic_write_text(out / f"{name}.va", verilog_a_module(result.model) + "\n")
    if figure:
        figs = _overlay(result, out / overlay)
        files["overlay_png"], files["overlay_svg"] = figs["png"], figs["svg"]
    files["model_card"] = out / "model_card.md"
    atomic_write_text(files["model_card"], _card(result, choices, files, command))
    return files
