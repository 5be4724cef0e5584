"""
Characterise a device
=====================

Drive a built-in compact model with a sine, look at its I-V loop and measure the three
memristor fingerprints: the loop is pinched at v = 0, the lobe area falls above a critical
frequency, and the loop collapses to a single-valued curve at high frequency
(``docs/notes/devices.md`` §7). Units are SI throughout (V, A, s, W).
"""

# %%
# A model and a drive
# -------------------
# Every built-in model carries a demonstration drive (``iv_demo``) that opens its loop.
# Here VTEAM with the exponential I-V, driven at 1 V and 20 MHz for two periods.
from memlab.analysis import area_vs_frequency, lobe_areas, pinch, plot_iv
from memlab.devices import VTEAM, Sine, simulate

model = VTEAM(iv="exponential")
trace = simulate(model, Sine(amplitude=1.0, frequency=20e6, periods=2), x0=1.5e-9)
print(f"{trace.model}: {len(trace.t)} samples, max |i| = {abs(trace.i).max() * 1e3:.3f} mA")

# %%
# The loop, coloured by time
# --------------------------
# ``plot_iv`` labels the axes with SI-scaled units and colours the loop by time.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 4))
plot_iv(trace, ax=ax)
ax.set_title("VTEAM (exponential I-V): 1 V, 20 MHz sine, x0 = 1.5 nm")

# %%
# Fingerprint (a): the pinch
# --------------------------
# The current at every zero of the voltage, relative to the largest current.
p = pinch(trace)
a_pos, a_neg = lobe_areas(trace)
print(f"pinch ratio {p.ratio:.1e} (pinched: {p.ok}); lobe areas {a_pos:.3e} W and {a_neg:.3e} W")

# %%
# Fingerprints (b) and (c): area and width against frequency
# ----------------------------------------------------------
# ``area_vs_frequency`` simulates the last of three periods at each frequency and returns
# the lobe areas, the normalised loop width and the critical frequency above which the
# area falls monotonically.
sweep = area_vs_frequency(model, 1.0, [5e6, 1e7, 2e7, 5e7, 1e8, 2e8], x0=1.5e-9, points_per_period=400)
for f, area, width in zip(sweep.frequencies, sweep.area, sweep.widths):
    print(f"f = {f / 1e6:6.0f} MHz: lobe area {area:.3e} W, loop width {width:.3f}")
print(f"critical frequency {sweep.f_critical / 1e6:.0f} MHz; area falls above it: {sweep.monotone_above}")

# %%
# Native and ngspice
# ------------------
# The same equations also run in ngspice (tutorial 3). ``memlab iv vteam --spice`` draws
# both loops on one axes from the command line.
