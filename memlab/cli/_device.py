"""``memlab iv`` (device loops) and the registration of ``memlab fit`` (:mod:`._fit`)."""
from __future__ import annotations

from ._args import assignment, float_in, positive_int, print_written


def register(sub) -> None:  # called by memlab.cli.build_parser
    s = sub.add_parser("iv", help="simulate a device under a sine drive and plot its I-V hysteresis loop",
                       description="Simulate MODEL under a sine voltage (native solver and/or ngspice, "
                       "overlaid) and plot the I-V loop; prints the loop's fingerprints.")
    s.add_argument("model", help="model name: hp, team, vteam, yakopcic, stanford, mss, threshold, sinh, selector")
    s.add_argument("--amplitude", type=float_in(0, lo_open=True), help="sine amplitude (V); default per model")
    s.add_argument("--frequency", type=float_in(0, lo_open=True), help="sine frequency (Hz); default per model")
    s.add_argument("--periods", type=positive_int, default=2, help="number of periods (default 2)")
    s.add_argument("--r-series", type=float_in(0), default=None, help="series resistor (ohm); default per model")
    s.add_argument("--x0", type=float, default=None, help="initial state (the model's state unit)")
    s.add_argument("--param", type=assignment, action="append", metavar="NAME=VALUE",
                   help="override a model parameter or option (repeatable), e.g. --param R_on=100")
    s.add_argument("--spice", action="store_true", help="also run ngspice and overlay its loop")
    s.add_argument("--no-native", action="store_true", help="with --spice: skip the native simulation")
    s.add_argument("--out", default="iv.png", help="figure path (.png; an .svg is written next to it)")
    s.set_defaults(func=run_iv)

    from ._fit import register as register_fit
    register_fit(sub)


def run_iv(a) -> int:
    from memlab.analysis import iv_traces, loop_fingerprints, plot_iv_overlay, spice_deviation

    traces = iv_traces(a.model, amplitude=a.amplitude, frequency=a.frequency, periods=a.periods,
                       r_series=a.r_series, x0=a.x0, params=dict(a.param or []), native=not a.no_native,
                       spice=a.spice)
    files = plot_iv_overlay(traces, a.out)
    for label, tr in traces.items():
        fp = loop_fingerprints(tr)
        print(f"{tr.model} ({label}): max |i| = {fp['i_max_A']:.4g} A, max |v| = {fp['v_max_V']:.4g} V, "
              f"pinch ratio = {fp['pinch_ratio']:.2g}, lobe areas = {fp['lobe_area_1_W']:.4g}, "
              f"{fp['lobe_area_2_W']:.4g} W")
    if len(traces) == 2:
        dev = spice_deviation(traces["native"], traces["ngspice"])
        print(f"native vs ngspice: max current deviation {100 * dev:.3g} % of max |i|")
    print_written(files)
    return 0
