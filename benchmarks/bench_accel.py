"""Benchmark: calibration and held-out predictions per chip model, then timing of the zoo.

Part 1 (issue 12): every published measurement of ``memlab.accel._measurements`` with the
model's figure and relative error; the GPU fit (``calibrate_gpu``) is rerun and printed
next to the constants stored in the presets. Part 2 (issue 5): all zoo networks on every
preset in under 2 s in total. "cold" includes
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


def calibration_table():
    from memlab.accel._measurements import MEASUREMENTS
    fit = accel.calibrate_gpu()
    p = accel.get_preset("A100")
    print(f"GPU fit on {accel._gpu.CALIBRATED_ON}: kernel_eff {fit['kernel_eff']:.4f} (preset {p['kernel_eff']}), "
          f"t_launch {fit['t_launch'] * 1e6:.3f} us (preset {p['t_launch'] * 1e6:.3f} us)")
    print(f"{'measurement':<52} {'chip':<18} {'model kind':<11} {'use':<12} {'measured':>15} {'model':>9} "
          f"{'error':>8} tag")
    for m in MEASUREMENTS:
        rep = accel.make_chip(m.chip).evaluate(m.workload, batch=m.batch)
        got = getattr(rep, m.quantity)
        unit = {"latency_s": "s", "inferences_per_s": "inf/s", "throughput_ops_per_s": "op/s",
                "dynamic_energy_per_inference_J": "J"}[m.quantity]
        print(f"{m.name:<52} {m.chip:<18} {rep.kind:<11} {m.use:<12} {m.value:>9.4g} {unit:<5} {got:>9.4g} "
              f"{(got - m.value) / m.value:>+8.1%} {m.tag}")
    print("batch-64 ResNet-50 throughput (no published batch-64 figure held here; MLPerf Offline uses batch 2048):")
    for chip in ("A100", "A100-PCIe", "H100"):
        c = accel.make_chip(chip)
        r1, r64, rb = (c.evaluate("resnet50", batch=b) for b in (1, 64, 2048))
        print(f"  {chip:<10} bs1 {r1.latency_s * 1e6:7.0f} us  bs64 {r64.inferences_per_s:8.0f} inf/s "
              f"({r64.average_power_W:4.0f} W)  bs2048 {rb.inferences_per_s:8.0f} inf/s ({rb.average_power_W:4.0f} W, "
              f"TDP {c.v['tdp']:.0f} W)")
    print()


def main():
    import os
    print(f"load average: {os.getloadavg()}")
    calibration_table()
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
