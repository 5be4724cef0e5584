"""Benchmark: evaluate the whole accel zoo on every chip preset.

Target (issue 5): all zoo networks on every preset in under 2 s in total. "cold" includes
building each chip, i.e. the memlab.arrays Kirchhoff solve behind the PIM preset (its
cache is cleared first); "warm" re-evaluates with chips already built. Prints a table.
"""
from __future__ import annotations

import statistics
import time

from memlab import accel
from memlab.accel._pim_physics import crossbar_figures


def run_once(cold: bool):
    if cold:
        crossbar_figures.cache_clear()
    rows = []
    t_all = time.perf_counter()
    for name in accel.DEFAULT_CHIPS:
        t0 = time.perf_counter()
        chip = accel.make_chip(name)
        t_build = time.perf_counter() - t0
        n_layers = 0
        for wl in accel.zoo_names():
            rep = chip.evaluate(wl)
            n_layers += len(rep.layers)
        rows.append((name, t_build, time.perf_counter() - t0 - t_build, n_layers))
    return time.perf_counter() - t_all, rows


def main():
    total_cold, rows = run_once(cold=True)
    warm = [run_once(cold=False)[0] for _ in range(3)]
    n_wl = len(accel.zoo_names())
    print(f"accel zoo x presets: {n_wl} workloads x {len(accel.DEFAULT_CHIPS)} chips")
    print(f"{'chip':<20} {'build (s)':>10} {'evaluate (s)':>13} {'layers':>7}")
    for name, tb, te, nl in rows:
        print(f"{name:<20} {tb:>10.4f} {te:>13.4f} {nl:>7d}")
    print(f"{'TOTAL cold':<20} {total_cold:>24.3f}   target < 2 s: {'PASS' if total_cold < 2 else 'FAIL'}")
    print(f"{'TOTAL warm (median of 3)':<26} {statistics.median(warm):>18.3f}")
    # the PIM-physics solve alone, for reference
    crossbar_figures.cache_clear()
    t0 = time.perf_counter()
    accel.make_chip("ISAAC")
    print(f"ISAAC arrays/ solve (128x128, 64 inputs) + build: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
