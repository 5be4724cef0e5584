"""Device simulation speed (issue: devices/ speed targets). Prints a table.

1. 100,000 VTEAM devices (lognormal k_off spread) x 1,000 time steps of a pulse train,
   one call, against a plain numpy forward-Euler loop over the time steps (the baseline
   named in the issue); device-steps per second and peak memory.
2. 100,000 devices of the models integrated with the distance to their bound as the
   state (HP + Joglekar, Yakopcic, VTEAM + Joglekar; issue 14) x 1,000 fixed ROS2 steps
   of a sine (target: under 2 s each).
3. One Yakopcic sine loop of 10,000 points (target: under 50 ms).
Compilation is excluded (warm-up call first); numba's cache keeps it between runs.
"""
from __future__ import annotations

import resource
import tracemalloc

import numpy as np

from _timing import best_of
import os

from memlab.devices import HPLinearDrift, VTEAM, Yakopcic, PulseTrain, Sine, simulate, spread


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

    # gap-state models: 1,000 fixed steps of two sine periods that drive them into saturation
    for label, model, amp, freq, x0, key in (
            ("HP + Joglekar", HPLinearDrift(window="joglekar"), 1.2, 1.0, 0.5, "mu_v"),
            ("Yakopcic set A", Yakopcic(), 0.5, 100.0, 0.11, "Ap"),
            ("VTEAM + Joglekar", VTEAM(window="joglekar"), 1.0, 20e6, 1.5e-9, "k_off")):
        popg = spread(model, n, {key: 0.2}, seed=0)
        sd = Sine(amp, freq, periods=2)
        tg = np.linspace(0, sd.duration, n_t + 1)
        simulate(model, sd, x0=x0, t=tg, method="fixed")
        dt_g, tr_g = timed(lambda: simulate(popg, sd, x0=x0, t=tg, method="fixed", store=()), repeat=2)
        rows.append((f"{label} 100k x {n_t}, fixed ROS2 (gap state)", dt_g, n * n_t / dt_g, float("nan"), "< 2 s"))

    y = Yakopcic()
    s = Sine(0.5, 100.0, points_per_period=10_000)
    simulate(y, s)
    dt_y, tr_y = timed(lambda: simulate(y, s), repeat=5)
    rows.append((f"Yakopcic 1 sine loop, 10,000 points ({tr_y.stats['steps']} steps)", dt_y, tr_y.stats["steps"] / dt_y,
                 float("nan"), "< 50 ms"))

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic)")
    print(f"{'case':58s} {'wall s':>9s} {'dev-steps/s':>12s} {'peak MB':>9s}  target")
    for name, w, rate, mem, target in rows:
        print(f"{name:58s} {w:9.3f} {rate:12.3g} {mem:9.1f}  {target}")
    print(f"process peak RSS: {peak_rss_mb():.0f} MB; final states of fixed ROS2 and Euler within 5% of the "
          f"range for {agree:.1%} of devices")


if __name__ == "__main__":
    main()
