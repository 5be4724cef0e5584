"""PCM population speed (issue 14: 100,000 devices of any model x 1,000 steps under 2 s).

100,000 PCM cells (lognormal spread of R_th, 20 %) x 1,000 fixed ROS2 steps of a SET / RESET
pulse train through 10 kohm. Compilation is excluded (warm-up call first). Prints a table
with the load average (timings under load are pessimistic).
"""
from __future__ import annotations

import os

import numpy as np

from _timing import best_of

from memlab.devices import PCM, PulseTrain, simulate, spread


def main():
    n, n_t = 100_000, 1000
    pop = spread(PCM(), n, {"R_th": 0.2}, seed=0)
    drive = PulseTrain([2.5, 0.2, 4.0, 0.2], [200e-9, 50e-9, 50e-9, 50e-9], gap=100e-9, rise=5e-9,
                       r_series=10e3)
    t = np.linspace(0, drive.duration, n_t + 1)
    simulate(PCM(), drive, x0=0.0, t=t, method="fixed")                     # compile / load cache
    dt, tr = best_of(lambda: simulate(pop, drive, x0=0.0, t=t, method="fixed", store=()), 2, warmup=False)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic)")
    print(f"{'case':52s} {'wall s':>9s} {'dev-steps/s':>12s}  target")
    print(f"{'PCM 100k x 1000, fixed ROS2 (SET/RESET pulses)':52s} {dt:9.3f} {n * n_t / dt:12.3g}  < 2 s")
    xf = tr.stats["x_final"]
    print(f"final crystalline fraction: median {np.median(xf):.3f}, 5-95 % [{np.quantile(xf, 0.05):.3f}, "
          f"{np.quantile(xf, 0.95):.3f}]")


if __name__ == "__main__":
    main()
