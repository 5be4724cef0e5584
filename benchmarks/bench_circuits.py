"""ngspice (shared library through PySpice) vs the native simulator on one VTEAM cell.

Workload (issue 3): one VTEAM 1R cell, 10 sine periods at 1,000 output points per period,
1 V at 1 MHz (a wide loop: the state sweeps its full range). Both runs are warmed up once
(numba compilation, library load) and then timed as the best of ``REPEATS``. The table
also lists the agreement of the two runs and a few other models for context.

Run: .venv/bin/python benchmarks/bench_circuits.py
"""
from __future__ import annotations

import warnings

import numpy as np

from memlab.devices import VTEAM, TEAM, Yakopcic, StanfordPKU, Sine, simulate
from memlab.circuits import characterize, compare_traces

REPEATS = 3


from _timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def main():
    rows = []
    cases = [("VTEAM (issue workload)", VTEAM(), 1.0, 1e6),
             ("TEAM", TEAM(), 1.0, 1e3),
             ("Yakopcic", Yakopcic(), 1.0, 1e3),
             ("Stanford-PKU", StanfordPKU(), 1.5, 1e6)]
    for label, m, amp, f in cases:
        d = Sine(amplitude=amp, frequency=f, periods=10, points_per_period=1000)
        lo, hi = m.bounds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_nat5, nat5 = best_of(lambda: simulate(m, d, rtol=1e-5))
            t_nat9, nat9 = best_of(lambda: simulate(m, d, rtol=1e-9))
        t_ng, ng = best_of(lambda: characterize(m, d))
        c = compare_traces(ng, nat9, state_range=hi - lo)
        c5 = compare_traces(nat5, nat9, state_range=hi - lo)
        rows.append((label, d.time_grid().size, t_ng, ng.stats["n_points"], t_nat5, nat5.stats["steps"], t_nat9,
                     nat9.stats["steps"], c.i_max, c5.i_max, np.ptp(nat9.x) / (hi - lo)))
    print("One 1R cell, 10 sine periods x 1000 output points (best of %d, after a warm-up run)" % REPEATS)
    hdr = (f"{'model':<24}{'points':>7}{'ngspice s':>11}{'ng steps':>10}{'native s':>10}{'steps':>8}"
           f"{'native s':>10}{'steps':>8}{'ng-vs-nat':>11}{'nat5-vs-9':>11}{'swing':>7}")
    sub = (f"{'':<24}{'':>7}{'(gear)':>11}{'':>10}{'rtol 1e-5':>10}{'':>8}{'rtol 1e-9':>10}{'':>8}"
           f"{'i_max %':>11}{'i_max %':>11}{'':>7}")
    print(hdr)
    print(sub)
    for r in rows:
        print(f"{r[0]:<24}{r[1]:>7d}{r[2]:>11.3f}{r[3]:>10d}{r[4]:>10.4f}{r[5]:>8d}{r[6]:>10.4f}{r[7]:>8d}"
              f"{100 * r[8]:>11.4f}{100 * r[9]:>11.4f}{r[10]:>7.2f}")
    v = rows[0]
    print(f"\nVTEAM: ngspice {v[2]:.3f} s vs native {v[4]:.4f} s (rtol 1e-5) -> native is {v[2] / v[4]:.0f}x faster; "
          f"{v[6]:.4f} s at rtol 1e-9 ({v[2] / v[6]:.0f}x)")
    print("ngspice options: method=gear reltol=1e-8, max step = output spacing / 4, rate cap 100/max_step")


if __name__ == "__main__":
    main()
