"""Device simulation speed (issue: devices/ speed targets). Prints a table.

1. 100,000 VTEAM devices (lognormal k_off spread) x 1,000 time steps of a pulse train,
   one call, against a plain numpy forward-Euler loop over the time steps (the baseline
   named in the issue); device-steps per second and peak memory.
2. One Yakopcic sine loop of 10,000 points (target: under 50 ms).
Compilation is excluded (warm-up call first); numba's cache keeps it between runs.
"""
from __future__ import annotations

import resource
import tracemalloc

import numpy as np

from _timing import best_of
from memlab.devices import VTEAM, Yakopcic, PulseTrain, Sine, simulate, spread


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat=3):
    return best_of(fn, repeat, warmup=False)


def main():
    rows = []
    n, n_t = 100_000, 1000
    pop = spread(VTEAM(), n, {"k_off": 0.2}, seed=0)
    # 20 pulses (SET, read, RESET, read) x 50 steps of 2 ns: every corner lies on the grid, so
    # the 1,000 output intervals are exactly the 1,000 time steps
    drive = PulseTrain([1.0, 0.05, -1.0, 0.05], 52e-9, gap=40e-9, rise=4e-9, repeat=5)
    t = np.linspace(0, drive.duration, n_t + 1)
    simulate(VTEAM(), drive, x0=1.5e-9, t=t, method="fixed")           # compile / load cache
    simulate(VTEAM(), drive, x0=1.5e-9, t=t)

    tracemalloc.start()
    dt, tr = timed(lambda: simulate(pop, drive, x0=1.5e-9, t=t, method="fixed", store=()), repeat=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    steps = int(np.sum(tr.stats["steps"]))
    rows.append((f"VTEAM 100k x {steps // n}, fixed ROS2 (1 step/interval)", dt, steps / dt, peak / 2**20, "< 2 s"))

    dt_a, tr_a = timed(lambda: simulate(pop, drive, x0=1.5e-9, t=t, store=()), repeat=1)
    steps_a = int(np.sum(tr_a.stats["steps"]))
    rows.append((f"VTEAM 100k, adaptive ROS2 ({steps_a / n:.0f} steps/device)", dt_a, steps_a / dt_a, float("nan"), "-"))

    # baseline: plain numpy forward Euler over the time steps, vectorised over devices
    def euler():
        x = np.full(n, 1.5e-9)
        lo, hi = pop.bounds()
        vs = drive.value(t)
        for k in range(n_t):
            x = np.clip(x + (t[k + 1] - t[k]) * pop.rate(vs[k], x), lo, hi)
        return x
    dt_e, x_e = timed(euler, repeat=1)
    rows.append(("VTEAM 100k x 1000, numpy forward Euler (baseline)", dt_e, n * n_t / dt_e, float("nan"), "~8 s"))
    agree = np.mean(np.abs(x_e - tr.stats["x_final"]) < 0.05 * 3e-9)

    y = Yakopcic()
    s = Sine(0.5, 100.0, points_per_period=10_000)
    simulate(y, s)
    dt_y, tr_y = timed(lambda: simulate(y, s), repeat=5)
    rows.append((f"Yakopcic 1 sine loop, 10,000 points ({tr_y.stats['steps']} steps)", dt_y, tr_y.stats["steps"] / dt_y,
                 float("nan"), "< 50 ms"))

    print(f"{'case':58s} {'wall s':>9s} {'dev-steps/s':>12s} {'peak MB':>9s}  target")
    for name, w, rate, mem, target in rows:
        print(f"{name:58s} {w:9.3f} {rate:12.3g} {mem:9.1f}  {target}")
    print(f"process peak RSS: {peak_rss_mb():.0f} MB; final states of fixed ROS2 and Euler within 5% of the "
          f"range for {agree:.1%} of devices")


if __name__ == "__main__":
    main()
