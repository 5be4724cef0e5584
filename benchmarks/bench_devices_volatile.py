"""Speed of the issue-14 models MottSelector and DataDriven: 100,000 devices (lognormal
spread of one parameter) x 1,000 fixed ROS2 steps of a sine (target: under 2 s each), and
the adaptive integrator on the same drive. Prints a table; compilation excluded (warm-up
call first)."""
from __future__ import annotations

import os

import numpy as np

from _timing import best_of
from memlab.devices import DataDriven, MottSelector, Sine, simulate, spread


def main():
    n, n_t = 100_000, 1000
    cases = [("MottSelector (R_th 20 %)", spread(MottSelector(), n, {"R_th": 0.2}, seed=0),
              Sine(1.2, 1e6, periods=1, points_per_period=n_t), 300.0),
             ("DataDriven (t_p 5 %)", spread(DataDriven(), n, {"t_p": 0.05}, seed=0),
              Sine(1.5, 1e4, periods=1, points_per_period=n_t), 1280.0)]
    rows = []
    for name, pop, drive, x0 in cases:
        t = drive.time_grid()
        simulate(type(pop)(), drive, x0=x0, t=t, method="fixed")      # compile / load cache
        simulate(type(pop)(), drive, x0=x0, t=t)
        dt, _ = best_of(lambda: simulate(pop, drive, x0=x0, t=t, method="fixed", store=()), 2, warmup=False)
        rows.append((f"{name} 100k x {t.size - 1}, fixed ROS2", dt, "< 2 s"))
        small = type(pop)(**{k: np.asarray(v)[:1000] if np.ndim(v) else v for k, v in pop.values.items()})
        dt, tr = best_of(lambda: simulate(small, drive, x0=x0, t=t, store=()), 1, warmup=False)
        rows.append((f"{name} 1k, adaptive ROS2 ({np.mean(tr.stats['steps']):.0f} steps/device)", dt, "-"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic)")
    print(f"{'case':62s} {'wall s':>9s}  target")
    for name, w, target in rows:
        print(f"{name:62s} {w:9.3f}  {target}")


if __name__ == "__main__":
    main()
