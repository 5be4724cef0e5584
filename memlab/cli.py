"""The ``memlab`` command line.

Subcommands: ``iv``, ``fit``, ``xbar``, ``accuracy``, ``compare``, ``sweep``, ``demo``;
``memlab SUBCOMMAND --help`` documents each. Bad arguments and every
:class:`~memlab.errors.MemlabError` end the program with one readable line on stderr and a
non-zero exit status (2 for usage errors, 1 for errors found while running), no traceback.
Physical options are SI (V, Hz, ohm, S) unless the option name says otherwise.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse parser whose errors are one line (no usage block) and never exit directly."""

    def error(self, message):  # noqa: D401 - argparse API
        raise _UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


# ----------------------------------------------------------------------------- arg types
def _int_at_least(lo: int):
    """argparse type: an integer >= ``lo`` (one-line error otherwise)."""
    def conv(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"{v} is outside the allowed range: integer >= {lo}")
        return v
    conv.__name__ = "integer"
    return conv


_positive_int = _int_at_least(1)
_nonneg_int = _int_at_least(0)


def _float(lo=None, hi=None, lo_open=False):
    def conv(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} is not finite")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise argparse.ArgumentTypeError(f"{v:g} is outside the allowed range {'(' if lo_open else '['}{lo:g}, "
                                             f"{'inf)' if hi is None else f'{hi:g}]'}")
        if hi is not None and v > hi:
            raise argparse.ArgumentTypeError(f"{v:g} is outside the allowed range [{lo:g}, {hi:g}]")
        return v
    conv.__name__ = "number"
    return conv


def _existing_file(text):
    p = Path(text)
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"file '{text}' does not exist")
    return p


def _assignment(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE")
    k, v = text.split("=", 1)
    k = k.strip()
    if not k:
        raise argparse.ArgumentTypeError(f"{text!r} has an empty NAME")
    import yaml
    try:
        val = yaml.safe_load(v)
    except yaml.YAMLError:
        val = v
    return k, val


def _value_list(text):
    import yaml
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(yaml.safe_load(part))
        except yaml.YAMLError:
            out.append(part)
    if not out:
        raise argparse.ArgumentTypeError(f"{text!r} gives no values (comma-separated list expected)")
    return out


# ----------------------------------------------------------------------------- handlers
def _cmd_iv(a):
    from memlab.analysis._characterize import iv_command
    info = iv_command(a.model, amplitude=a.amplitude, frequency=a.frequency, periods=a.periods,
                      r_series=a.r_series, x0=a.x0, params=dict(a.param or []), spice=a.spice,
                      native=not a.no_native, out=a.out)
    for line in info["lines"]:
        print(line)
    return 0


def _cmd_fit(a):
    from memlab.analysis._characterize import fit_command
    info = fit_command(a.model, a.data, params=a.params, out=a.out, circuit=a.circuit, validate=a.validate or ())
    for line in info["lines"]:
        print(line)
    return 0


def _cmd_xbar(a):
    from memlab.analysis._accuracy import xbar_command
    info = xbar_command(rows=a.rows, cols=a.cols, r_wire=a.r_wire, r_driver=a.r_driver, r_sense=a.r_sense,
                        model=a.model, g_min=a.g_min, g_max=a.g_max, v_read=a.v_read, seed=a.seed, out=a.out,
                        method=a.method)
    for line in info["lines"]:
        print(line)
    return 0


def _cmd_accuracy(a):
    from memlab.analysis._accuracy import accuracy_command
    info = accuracy_command(study=a.study, vary=a.vary, values=a.values, fixed=dict(a.set or []),
                            repeats=a.repeats, seed=a.seed, out=a.out, workers=a.workers,
                            progress=not a.no_progress)
    for line in info["lines"]:
        print(line)
    return 0


def _cmd_compare(a):
    from memlab import accel
    chips = [c.strip() for c in a.chips.split(",") if c.strip()] if a.chips else None
    out = Path(a.out)
    table = accel.compare(a.workload, chips=chips, out_dir=out, batch=a.batch)
    print(table.to_markdown())
    for k, p in table.files.items():
        print(f"wrote {k}: {p}")
    return 0


def _cmd_sweep(a):
    from memlab.analysis._sweep import load_sweep_config, run_sweep
    spec, opts = load_sweep_config(a.config)
    output = a.out or opts.get("output")
    if output is None:
        output = Path(a.config).with_suffix(".csv")
    workers = a.workers if a.workers is not None else opts.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
        from memlab.errors import ConfigError
        raise ConfigError(f"sweep config '{a.config}': 'workers' = {workers!r} must be an integer >= 0")
    res = run_sweep(spec, output=output, store=opts.get("store"), scheduler=a.scheduler, workers=workers,
                    progress=not a.no_progress, stop_after=a.stop_after)
    where = f"on {a.scheduler}" if a.scheduler else "locally"
    print(f"sweep {spec.to_dict()['function']}: {len(res.rows)} points ({res.n_computed} computed {where}, "
          f"{res.n_reused} reused from {res.store}, {res.n_failed} failed)")
    failed = [r for r in res.rows if r.get("error")]
    for r in failed[:5]:
        print(f"memlab: point {r['point']} failed: {r['error']}", file=sys.stderr)
    if len(failed) > 5:
        print(f"memlab: ... and {len(failed) - 5} more failed points (see the 'error' column)", file=sys.stderr)
    if res.path is not None:
        print(f"wrote {res.path}")
        return 0 if res.complete else 1
    print("sweep stopped before the end; run the same command again to compute the remaining points "
          "(the table is written when all points are done)")
    return 0


def _cmd_demo(a):
    from memlab.analysis._report import run_demo
    info = run_demo(out=a.out, quick=a.quick, progress=not a.no_progress, workers=a.workers,
                    spice=not a.no_spice)
    for line in info["lines"]:
        print(line)
    return 0


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="memlab", description="memlab: circuit-level modelling of memristors and the AI hardware "
                "built from them. All inputs are SI units (V, Hz, ohm, S, s).")
    from memlab import __version__
    p.add_argument("--version", action="version", version=f"memlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    s = sub.add_parser("iv", help="simulate a device under a sine drive and plot its I-V hysteresis loop",
                       description="Simulate MODEL under a sine voltage (native solver and/or ngspice, "
                       "overlaid) and plot the I-V loop; prints the loop's fingerprints.")
    s.add_argument("model", help="model name: hp, team, vteam, yakopcic, stanford, mss, threshold, sinh, selector")
    s.add_argument("--amplitude", type=_float(0, lo_open=True), help="sine amplitude (V); default per model")
    s.add_argument("--frequency", type=_float(0, lo_open=True), help="sine frequency (Hz); default per model")
    s.add_argument("--periods", type=_positive_int, default=2, help="number of periods (default 2)")
    s.add_argument("--r-series", type=_float(0), default=None, help="series resistor (ohm); default per model")
    s.add_argument("--x0", type=float, default=None, help="initial state (the model's state unit)")
    s.add_argument("--param", type=_assignment, action="append", metavar="NAME=VALUE",
                   help="override a model parameter or option (repeatable), e.g. --param R_on=100")
    s.add_argument("--spice", action="store_true", help="also run ngspice and overlay its loop")
    s.add_argument("--no-native", action="store_true", help="with --spice: skip the native simulation")
    s.add_argument("--out", default="iv.png", help="figure path (.png; an .svg is written next to it)")
    s.set_defaults(func=_cmd_iv)

    s = sub.add_parser("fit", help="fit a model to measured I-V loops",
                       description="Fit MODEL's parameters to measured loops (CSV files with time, voltage and "
                       "current columns); prints the parameters with their uncertainty and saves the overlay.")
    s.add_argument("model", help="model name (e.g. mss, vteam, yakopcic)")
    s.add_argument("data", nargs="+", type=_existing_file, help="CSV file(s) of measured loops")
    s.add_argument("--params", default=None, help="comma-separated parameters to fit (default: the model's own choice)")
    s.add_argument("--circuit", choices=("series", "device"), default=None,
                   help="series: simulate the source through each file's series resistor (default); "
                   "device: drive the measured device voltage")
    s.add_argument("--validate", type=_existing_file, nargs="+", default=None, metavar="CSV",
                   help="loop files evaluated with the fitted parameters, without refitting")
    s.add_argument("--out", default="fit.png", help="overlay figure path (.png; .svg next to it)")
    s.set_defaults(func=_cmd_fit)

    s = sub.add_parser("xbar", help="solve a crossbar MVM and report its error and power",
                       description="Random conductances and inputs on a ROWS x COLS crossbar with wire resistance: "
                       "exact Kirchhoff solve, MVM error against the ideal G^T v, power, and heat maps of node "
                       "voltages and cell currents.")
    s.add_argument("--rows", type=_positive_int, default=64, help="word lines (default 64)")
    s.add_argument("--cols", type=_positive_int, default=64, help="bit lines (default 64)")
    s.add_argument("--r-wire", type=_float(0), default=1.0, help="wire resistance per cell segment (ohm, default 1)")
    s.add_argument("--r-driver", type=_float(0), default=0.0, help="driver resistance (ohm, default 0)")
    s.add_argument("--r-sense", type=_float(0), default=0.0, help="sense resistance (ohm, default 0)")
    s.add_argument("--model", default=None, help="device model giving the conductance range (its small-signal "
                   "conductance across the state range) or a nonlinear cell (sinh)")
    s.add_argument("--g-min", type=_float(0, lo_open=True), default=1e-6, help="smallest conductance (S) without --model")
    s.add_argument("--g-max", type=_float(0, lo_open=True), default=1e-4, help="largest conductance (S) without --model")
    s.add_argument("--v-read", type=_float(0, lo_open=True), default=0.2, help="largest input voltage (V, default 0.2)")
    s.add_argument("--method", choices=("auto", "direct", "cg"), default="auto", help="solver (default auto)")
    s.add_argument("--seed", type=_nonneg_int, default=0, help="random seed (default 0)")
    s.add_argument("--out", default="xbar", help="output folder for the heat maps (default ./xbar)")
    s.set_defaults(func=_cmd_xbar)

    s = sub.add_parser("accuracy", help="array-accuracy study: MVM error or DNN accuracy against one factor",
                       description="Vary one factor (size, wire resistance, ADC/DAC bits, conductance levels, "
                       "device spread, read noise) and report the MVM error (study mvm) or the accuracy of a "
                       "small network on scikit-learn's digits with crossbar layers (study dnn). Writes a CSV "
                       "table and a figure (PNG + SVG).")
    s.add_argument("--study", choices=("mvm", "dnn"), default="mvm", help="mvm (default) or dnn")
    s.add_argument("--vary", default="r_wire", help="factor to vary: size, rows, cols, r_wire, adc_bits, dac_bits, "
                   "levels, spread, read_noise (default r_wire)")
    s.add_argument("--values", type=_value_list, default=None, help="comma-separated values (default per factor)")
    s.add_argument("--set", type=_assignment, action="append", metavar="NAME=VALUE",
                   help="fix another parameter of the study (repeatable), e.g. --set adc_bits=6")
    s.add_argument("--repeats", type=_positive_int, default=2, help="random repeats per value (default 2)")
    s.add_argument("--seed", type=_nonneg_int, default=0, help="master seed (default 0)")
    s.add_argument("--workers", type=_nonneg_int, default=0, help="worker processes (default 0: this process)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--out", default="accuracy", help="output folder (default ./accuracy)")
    s.set_defaults(func=_cmd_accuracy)

    s = sub.add_parser("compare", help="compare AI chips (CPU, GPU, FPGA, ASIC, neuromorphic, PIM) on a workload",
                       description="Evaluate WORKLOAD (a zoo name such as resnet18, or a YAML/JSON file) on the "
                       "chip models; prints the table and writes CSV, Markdown and plots.")
    s.add_argument("workload", help="zoo name (e.g. resnet18, mlp) or a YAML/JSON workload file")
    s.add_argument("--chips", default=None, help="comma-separated chip presets (default: all)")
    s.add_argument("--batch", type=_positive_int, default=None, help="batch size (default: the workload's)")
    s.add_argument("--out", default="compare", help="output folder (default ./compare)")
    s.set_defaults(func=_cmd_compare)

    s = sub.add_parser("sweep", help="run a grid / Monte Carlo sweep from a YAML config (local or Dask)",
                       description="Run the sweep described in CONFIG (see memlab.analysis.load_sweep_config). "
                       "Finished points are saved as they finish (folder <output>.points), so an interrupted "
                       "sweep resumes where it stopped when run again. The table (CSV or Parquet, one row per "
                       "point) is written when all points are done.")
    s.add_argument("config", help="sweep YAML file")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:port); default: local worker processes")
    s.add_argument("--workers", type=_nonneg_int, default=None,
                   help="local worker processes (default: config or CPU count; 0 or 1: this process)")
    s.add_argument("--out", default=None, help="table path .csv or .parquet (default: config 'output')")
    s.add_argument("--stop-after", type=_nonneg_int, default=None, metavar="N",
                   help="stop after N newly computed points (run again to continue)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_sweep)

    s = sub.add_parser("demo", help="the main job: characterise, fit, study accuracy, compare chips, write a report",
                       description="Characterise the built-in models (native and ngspice, overlaid), fit the Knowm "
                       "data when present, run the array-accuracy studies and the chip comparison, and write "
                       "OUT/report.html with every figure and table (and OUT/report.json with the run id).")
    s.add_argument("--out", default="out", help="output folder (default ./out)")
    s.add_argument("--quick", action="store_true", help="smaller studies (for tests)")
    s.add_argument("--workers", type=_nonneg_int, default=None, help="worker processes for the sweeps (default: CPU count)")
    s.add_argument("--no-spice", action="store_true", help="skip the ngspice overlays")
    s.add_argument("--no-progress", action="store_true", help="no progress bars")
    s.set_defaults(func=_cmd_demo)
    return p


def main(argv=None) -> int:
    """Entry point of the ``memlab`` command; returns the exit status."""
    from memlab.errors import MemlabError

    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except _UsageError as err:
        print(str(err), file=sys.stderr)
        return 2
    except MemlabError as err:
        print(f"memlab: error: {err}".splitlines()[0], file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as err:
        print(f"memlab: error: {err.strerror or err}: '{err.filename}'", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("memlab: interrupted (finished sweep points are saved; run again to resume)", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
