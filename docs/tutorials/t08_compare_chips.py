"""
Compare AI chips on a network
=============================

:mod:`memlab.accel` evaluates a workload (a network's layers: convolutions, GEMMs, ...) on
system models of CPUs, GPUs, FPGAs, a systolic array (TPU v1), neuromorphic chips and a
memristor processing-in-memory chip (ISAAC), each built from published figures with their
sources (``docs/notes/hardware.md``). Each estimate says whether it is a bound (a roofline)
or calibrated. The PIM chip's crossbar figures come from :mod:`memlab.arrays`, so wire
resistance changes its answer.
"""

# %%
# One workload on every chip
# --------------------------
import matplotlib.pyplot as plt

from memlab import accel

table = accel.compare_chips("resnet18", plots=False)
for r in table.rows:
    print(f"{r['chip']:>18} ({r['kind']:<12}): latency {r['latency_s'] * 1e3:9.4g} ms, "
          f"energy/inference {r['energy_per_inference_J'] * 1e3:8.4g} mJ, bound: {r['bound']}")
print("least energy per inference:", table.best("energy_per_inference_J"))

# %%
# Roofline and energy breakdown
# -----------------------------
# The roofline places every layer at its operational intensity under each chip's roof;
# the breakdown splits the energy per inference into compute, on-chip memory, DRAM, ADC,
# DAC, interconnect and static power.
fig, ax = plt.subplots(figsize=(7.5, 5), layout="constrained")
accel.plot_roofline(table.reports, ax=ax)
fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
accel.plot_energy_breakdown(table.reports, ax=ax)

# %%
# Wire resistance and the PIM chip
# --------------------------------
# With resistive wires ISAAC keeps exact column sums only by activating fewer rows at a
# time, which costs latency and energy.
for r_wire in (0.0, 0.7, 2.8):                       # ohm per segment
    chip = accel.make_chip("ISAAC", r_wire=r_wire)
    rep = chip.evaluate("resnet18")
    s = chip.physics_summary()
    print(f"wire {r_wire:3.1f} Ω: {s['active_rows']:>3} active rows, ADC {s['adc_bits']} bits, "
          f"latency {rep.latency_s * 1e6:.4g} µs, energy/inference {rep.energy_per_inference_J * 1e3:.3g} mJ")
