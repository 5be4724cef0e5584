"""``memlab fit``: fit a compact model to measured loops and write what came out.

Every choice the command makes (series resistor and frequency of each loop and where they
came from, the free parameters, bounds, periods, seed, budget) is printed and saved in
``parameters.json`` and the model card; options are never abbreviated (``--param`` is an
error, not ``--params``).
"""
from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from pathlib import Path

from ._args import assignment, existing_path, float_in, int_at_least, nonneg_int, positive_int, print_written

__all__ = ["register", "run_fit", "BUDGETS"]

#: search budgets of ``--budget``: Sobol starts, DE generations, local refinements
BUDGETS = {"quick": dict(n_starts=24, generations=8, n_local=1),
           "normal": dict(n_starts=48, generations=25, n_local=2),
           "thorough": dict(n_starts=96, generations=60, n_local=3)}


def bounds_item(text):
    """``NAME=LO:HI`` (SI units) -> (name, (lo, hi))."""
    if "=" not in text or ":" not in text.split("=", 1)[1]:
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=LO:HI (SI units), e.g. R_on=100:1e5")
    name, rng = text.split("=", 1)
    lo, hi = rng.split(":", 1)
    conv = float_in()
    lo, hi = conv(lo.strip()), conv(hi.strip())
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"{text!r}: LO must be below HI")
    return name.strip(), (lo, hi)


def register(sub) -> None:  # called by memlab.cli._device.register
    s = sub.add_parser(
        "fit", allow_abbrev=False, help="fit a model to measured I-V loops",
        description="Fit MODEL's parameters to measured loops (files or folders; Knowm files by name, both trace "
        "files of one loop read once; generic CSV with a time/phase, voltage, current header), validate on "
        "other loops without refitting, and write the parameters with uncertainties (JSON, CSV), a model card, "
        "an ngspice subcircuit, a Verilog-A module and the overlay figure into --out.")
    s.add_argument("model", help="model name (e.g. mss, vteam, team, yakopcic)")
    s.add_argument("data", nargs="+", type=existing_path, metavar="FILES", help="loop files or folders to fit")
    s.add_argument("--r-series", type=float_in(0), default=None, metavar="OHM",
                   help="series resistor between source and device (ohm), for every file; default: from Knowm file "
                   "names, else 0 with a warning")
    s.add_argument("--frequency", type=float_in(0, lo_open=True), default=None, metavar="HZ",
                   help="drive frequency (Hz) for every file; default: file name or time column")
    s.add_argument("--option", type=assignment, action="append", metavar="NAME=VALUE",
                   help="model option or fixed parameter value (repeatable), e.g. --option iv=exponential")
    s.add_argument("--params", default=None, metavar="A,B", help="comma-separated parameters to fit "
                   "(default: the model's own choice)")
    s.add_argument("--bounds", type=bounds_item, action="append", metavar="NAME=LO:HI",
                   help="search range of a parameter in SI units (repeatable)")
    s.add_argument("--circuit", choices=("series", "device"), default="series",
                   help="series: the source through each file's series resistor (default); device: drive the "
                   "measured device voltage")
    s.add_argument("--seed", type=nonneg_int, default=0, help="seed of the global search (default 0)")
    s.add_argument("--budget", choices=tuple(BUDGETS), default="normal",
                   help="global search size: " + "; ".join(f"{k}: {v['n_starts']} starts, {v['generations']} "
                                                           f"generations" for k, v in BUDGETS.items()))
    s.add_argument("--periods", type=int_at_least(2), default=3,
                   help="periods per steady-state round (default 3); more rounds follow automatically")
    s.add_argument("--max-periods", type=positive_int, default=60,
                   help="most periods simulated to reach periodic steady state (default 60)")
    s.add_argument("--validate", type=existing_path, nargs="+", default=None, metavar="FILES",
                   help="loop files or folders evaluated with the fitted parameters, without refitting")
    s.add_argument("--out", default="fit_out", metavar="DIR", help="output folder (default fit_out); a .png path "
                   "puts the overlay there and the other files next to it")
    s.set_defaults(func=run_fit)


def run_fit(a) -> int:
    from memlab.analysis._fitcard import write_fit_outputs
    from memlab.devices import FitSettings, fit_files
    from memlab.devices._io_csv import describe_choices
    from memlab.errors import ParameterError

    if a.max_periods < a.periods:
        raise ParameterError(f"memlab fit: --max-periods {a.max_periods} is below --periods {a.periods}")
    settings = FitSettings(periods=a.periods, max_periods=a.max_periods)
    budget = BUDGETS[a.budget]
    command = "memlab " + " ".join(shlex.quote(x) for x in sys.argv[1:]) if sys.argv[1:2] == ["fit"] else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_files(a.model, list(a.data), params=a.params, model_options=dict(a.option or []),
                        validate=list(a.validate or ()), r_series=a.r_series, frequency=a.frequency,
                        circuit=a.circuit, bounds=dict(a.bounds or []) or None, settings=settings, seed=a.seed,
                        progress=False, **budget)
    choices = [describe_choices(m) for m in res.measurements]
    choices += ["validation: " + describe_choices(m) for m in res.validation_measurements]
    choices += [f"model {res.model_name}, free parameters {', '.join(res.free)}; circuit {a.circuit}; "
                f"seed {a.seed}; budget {a.budget} ({budget['n_starts']} starts, {budget['generations']} generations, "
                f"{budget['n_local']} refinements); {a.periods} periods per round, at most {a.max_periods}"]
    if a.bounds:
        choices.append("bounds: " + ", ".join(f"{n} in [{lo:g}, {hi:g}]" for n, (lo, hi) in a.bounds))
    notes = []
    for w in caught:
        msg = str(w.message)
        if msg not in notes and issubclass(w.category, UserWarning):
            notes.append(msg)
    choices += [f"warning: {msg}" for msg in notes]
    for c in choices:
        print(c, file=sys.stderr if c.startswith("warning:") else sys.stdout)
    print(res.summary())
    for key, e in res.validation.items():
        print(f"validation loop {key}: normalised RMS error {e:.4f} (not fitted)")
    out = Path(a.out)
    if out.suffix.lower() in (".png", ".svg"):     # the former --out FIGURE: outputs next to it
        files = write_fit_outputs(res, out.parent, choices=choices, command=command, overlay=out.stem)
    else:
        files = write_fit_outputs(res, out, choices=choices, command=command)
    print_written(files)
    return 0
