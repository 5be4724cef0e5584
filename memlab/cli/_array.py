"""``memlab xbar`` and ``memlab accuracy``: one crossbar solve, and one-factor accuracy studies."""
from __future__ import annotations

from pathlib import Path

from ._args import UsageError, assignment, existing_file, float_in, nonneg_int, positive_int, print_written, value_list


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("xbar", help="solve a crossbar MVM and report its error and power",
                       description="Random conductances and inputs on a ROWS x COLS crossbar with wire resistance: "
                       "exact Kirchhoff solve, MVM error against the ideal G^T v, power, and heat maps of node "
                       "voltages and cell currents.")
    s.add_argument("--rows", type=positive_int, default=64, help="word lines (default 64)")
    s.add_argument("--cols", type=positive_int, default=64, help="bit lines (default 64)")
    s.add_argument("--r-wire", type=float_in(0), default=1.0, help="wire resistance per cell segment (ohm, default 1)")
    s.add_argument("--r-driver", type=float_in(0), default=0.0, help="driver resistance (ohm, default 0)")
    s.add_argument("--r-sense", type=float_in(0), default=0.0, help="sense resistance (ohm, default 0)")
    s.add_argument("--model", default=None, help="device model giving the conductance range (its small-signal "
                   "conductance across the state range) or a nonlinear cell (sinh)")
    s.add_argument("--g-min", type=float_in(0, lo_open=True), default=1e-6,
                   help="smallest conductance (S) without --model")
    s.add_argument("--g-max", type=float_in(0, lo_open=True), default=1e-4,
                   help="largest conductance (S) without --model")
    s.add_argument("--v-read", type=float_in(0, lo_open=True), default=0.2, help="largest input voltage (V, default 0.2)")
    s.add_argument("--method", choices=("auto", "direct", "cg"), default="auto", help="solver (default auto)")
    s.add_argument("--seed", type=nonneg_int, default=0, help="random seed (default 0)")
    s.add_argument("--out", default="xbar", help="output folder for the heat maps (default ./xbar)")
    s.set_defaults(func=run_xbar)

    s = sub.add_parser("accuracy", help="array-accuracy study: MVM error or DNN accuracy against one factor",
                       description="Vary one factor (size, wire resistance, ADC/DAC bits, conductance levels, "
                       "device spread, read noise) and report the MVM error (study mvm) or the accuracy of a "
                       "small network on scikit-learn's digits with crossbar layers (study dnn). Writes a CSV "
                       "table and a figure (PNG + SVG).")
    s.add_argument("--study", choices=("mvm", "dnn", "onnx"), default=None,
                   help="mvm (default), dnn, or onnx (your network: give --model)")
    s.add_argument("--model", type=existing_file, default=None,
                   help="an ONNX network to study on crossbar tiles (implies --study onnx; --vary size varies "
                   "the tile size); --set data=mnist:DIR chooses its data set (default digits)")
    s.add_argument("--vary", default="r_wire", help="factor to vary: size, rows, cols, r_wire, adc_bits, dac_bits, "
                   "levels, spread, read_noise (default r_wire)")
    s.add_argument("--values", type=value_list, default=None, help="comma-separated values (default per factor)")
    s.add_argument("--set", type=assignment, action="append", metavar="NAME=VALUE",
                   help="fix another parameter of the study (repeatable), e.g. --set adc_bits=6")
    s.add_argument("--repeats", type=positive_int, default=2, help="random repeats per value (default 2)")
    s.add_argument("--seed", type=nonneg_int, default=0, help="master seed (default 0)")
    s.add_argument("--workers", type=nonneg_int, default=0, help="worker processes (default 0: this process)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--out", default="accuracy", help="output folder (default ./accuracy)")
    s.set_defaults(func=run_accuracy)


def run_xbar(a) -> int:
    from memlab.analysis import crossbar_study

    res = crossbar_study(a.rows, a.cols, r_wire=a.r_wire, r_driver=a.r_driver, r_sense=a.r_sense, model=a.model,
                         g_min=a.g_min, g_max=a.g_max, v_read=a.v_read, seed=a.seed, method=a.method,
                         out_dir=Path(a.out))
    sol = res["solution"]
    print(f"crossbar {a.rows}x{a.cols}, r_wire = {a.r_wire:g} ohm, solver {sol.method}, {sol.wall_time:.3g} s, "
          f"KCL residual {sol.residual:.2g}")
    print(f"MVM relative error (2-norm vs ideal G^T v): {100 * res['rel_error']:.4g} %")
    print(f"largest output-current error: {100 * res['max_error']:.4g} % of max output")
    print(f"power delivered by the drivers: {res['power_W']:.6g} W")
    print_written(res["files"])
    return 0


def run_accuracy(a) -> int:
    from memlab._table import to_markdown
    from memlab.analysis import accuracy_study, summary_columns

    study = a.study or ("onnx" if a.model else "mvm")
    fixed = dict(a.set or [])
    if (study == "onnx") != (a.model is not None):
        raise UsageError("memlab accuracy: --study onnx and --model FILE go together")
    if a.model:
        fixed["model"] = str(a.model)
    res = accuracy_study(study, a.vary, a.values, fixed=fixed, repeats=a.repeats, seed=a.seed,
                         out_dir=a.out, workers=a.workers, progress=not a.no_progress)
    summary = res["summary"]
    print(to_markdown(summary, summary_columns(study, a.vary, summary)), end="")
    base = next((r["baseline"] for r in summary if r.get("baseline") is not None), None)
    if study in ("dnn", "onnx") and base is not None:
        print(f"{'software baseline' if study == 'dnn' else 'ideal network'} accuracy: {100 * base:.2f} %")
    print_written(res["files"])
    return 0
