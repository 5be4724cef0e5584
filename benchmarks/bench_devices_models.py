"""Device-population speed of every built-in model (issue 14: 100,000 devices of any model x
1,000 steps under 2 s). Prints a table.

Each model in ``MODELS`` (which includes PCM, MottSelector and DataDriven), JARTVCM and
StochasticSwitch, with its default options and the windowed variants integrated with the
gap state: 100,000 devices (lognormal spread of one parameter, 10 %) x 1,000 fixed ROS2
steps (``method="fixed"``) of the model's own I-V demonstration drive (``iv_demo``, two
periods). Column ``rs = 0``: the drive without its series resistor (the device equations
alone); column ``demo rs``: with the demonstration's series resistor, when it has one
(every stage then solves v + rs i(v) = vs by Newton). Compilation is excluded (warm-up
call first; numba's cache keeps it between runs). Usage: ``python
benchmarks/bench_devices_models.py [name ...]`` (short names, default all). The last two
columns: speed-up over the lead's quiet-machine baseline (:data:`BASELINE`), meaningful
only on a quiet machine (the load average is printed). The ``cpu/n`` columns: the process
CPU time over the n cores, which a shared machine inflates far less than the wall time.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

from _timing import best_of
from memlab.devices import (MODELS, HPLinearDrift, JARTVCM, StochasticSwitch, TEAM, VTEAM, simulate, spread)

N, N_T = 100_000, 1000

# issue 14, series-resistor lane block (GENERATOR_VERSION 12, helper's run at load ~2.3, cpu/2 column): demo rs
# before -> after: VTEAM 2.89 -> 1.26, TEAM 2.84 -> 1.43, KnowmMSS 3.54 -> 0.96, PCM 14.38 -> 7.40 (4.64 with the
# two-kernel stage 1 and the lane-by-lane solve tail), TEAM+kvatinsky 4.28 -> 1.53, VTEAM+joglekar 2.37 -> 1.81
#: the lead's quiet-machine seconds (rs = 0, demo rs) at GENERATOR_VERSION 6, before issue 14's
#: expression and series-solve work; the table's last columns are their ratio to this run
BASELINE = {"hp": (1.82, None), "team": (3.57, 5.64), "vteam": (1.14, 3.52), "yakopcic": (2.87, None),
            "stanford": (5.00, None), "mss": (1.99, 5.66), "threshold": (0.68, None), "sinh": (1.32, None),
            "selector": (1.31, None), "pcm": (4.83, 19.8), "mott": (1.98, None), "datadriven": (2.49, None),
            "jart": (11.4, None), "stochastic": (2.41, None), "hp (window none)": (1.39, None),
            "team + kvatinsky": (5.03, 7.35), "vteam + joglekar": (1.66, 4.05)}


def cases():
    out = [(name, cls()) for name, cls in MODELS.items()]
    # JARTVCM is in MODELS (registered by memlab.devices); StochasticSwitch and the variants are not
    out += [(name, m) for name, m in (("jart", JARTVCM()),) if name not in MODELS]
    out += [("stochastic", StochasticSwitch()),
            ("hp (window none)", HPLinearDrift(window="none")), ("team + kvatinsky", TEAM(window="kvatinsky")),
            ("vteam + joglekar", VTEAM(window="joglekar"))]
    return out


#: the spread parameter where the first positive dimensional one would move the state bounds
SPREAD = {"DataDriven": "t_p", "MottSelector": "R_th", "PCM": "R_th"}


def spread_key(model):
    # a 10 % lognormal spread of the first positive, non-integer, dimensional parameter
    if type(model).__name__ in SPREAD:
        return SPREAD[type(model).__name__]
    for name, p in model.params.items():
        if np.all(np.asarray(p.value, float) > 0) and not p.integer and p.unit not in ("1", ""):
            return name
    raise ValueError(f"no parameter to spread in {model!r}")


def timed(pop, drive, x0, t):
    """(best wall s, best process CPU s) of two runs (compiled beforehand)."""
    simulate(type(pop)(**pop.option_values), drive, x0=x0, t=t, method="fixed", seed=0)   # compile / load cache
    cpu = []

    def run():
        c = time.process_time()
        simulate(pop, drive, x0=x0, t=t, method="fixed", store=(), seed=0)
        cpu.append(time.process_time() - c)
    dt, _ = best_of(run, 2, warmup=False)
    return dt, min(cpu)


def main(names):
    rows = []
    for name, model in cases():
        if names and name.split()[0] not in names:
            continue
        demo = type(model).iv_demo
        drive, x0 = type(model).demo_drive(2)
        t = np.linspace(0, drive.duration, N_T + 1)
        pop = spread(model, N, {spread_key(model): 0.1}, seed=0)
        t0 = time.perf_counter()
        dt0, c0 = timed(pop, demo.drive(2, r_series=0.0) if demo.r_series else drive, x0, t)
        dt_rs, c_rs = timed(pop, drive, x0, t) if demo.r_series else (float("nan"), float("nan"))
        rows.append((f"{type(model).__name__} {model.option_values or ''}".strip(), dt0, demo.r_series, dt_rs,
                     time.perf_counter() - t0, BASELINE.get(name, (None, None)), c0, c_rs))
        print(f"  {rows[-1][0]}: {dt0:.3f} s", file=sys.stderr, flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic); "
          f"{N:,} devices x {N_T:,} fixed ROS2 steps of each model's I-V demo drive")
    ncpu = os.cpu_count()
    print(f"cpu/{ncpu}: the process CPU seconds over {ncpu} cores, what the wall time is on a quiet machine when "
          f"the prange loop keeps every core busy (under load it is the better estimate)")
    print(f"{'model (options)':58s} {'rs = 0 [s]':>10s} {f'cpu/{ncpu}':>7s} {'demo rs':>9s} {'with rs [s]':>11s} "
          f"{f'cpu/{ncpu}':>7s}  target  {'vs v6 rs=0':>10s} {'vs v6 rs':>8s}")
    ratio = lambda base, dt: f"{base / dt:.2f}x" if base and dt == dt else "-"
    for label, dt0, rs, dt_rs, _, (b0, b_rs), c0, c_rs in rows:
        rs_txt = f"{rs:.0f}" if rs else "-"
        rs_t = f"{dt_rs:11.3f} {c_rs / ncpu:7.3f}" if rs else f"{'-':>11s} {'-':>7s}"
        print(f"{label[:58]:58s} {dt0:10.3f} {c0 / ncpu:7.3f} {rs_txt:>9s} {rs_t}  < 2 s  {ratio(b0, dt0):>10s} "
              f"{ratio(b_rs, dt_rs):>8s}")


if __name__ == "__main__":
    main(sys.argv[1:])
