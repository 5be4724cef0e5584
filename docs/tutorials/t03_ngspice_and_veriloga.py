"""
ngspice and Verilog-A export
============================

Every memlab model can be run in ngspice (through PySpice's shared library) and exported as
a Verilog-A module for other circuit simulators. This tutorial runs the Knowm MSS model
natively and in ngspice under the same sine, compares the two point by point, and writes
the Verilog-A file. ngspice 39 or newer must be installed (Debian: ``ngspice
libngspice0``; ``make setup`` installs it).
"""

# %%
# One drive, two simulators
# -------------------------
# The drive carries its series resistance (here none): ``characterize`` writes the cell
# netlist with the generated subcircuit and runs a transient analysis.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from memlab.circuits import characterize, compare_traces, verilog_a_module
from memlab.devices import KnowmMSS, Sine, simulate

model = KnowmMSS()
drive = Sine(amplitude=0.8, frequency=100.0, periods=2, points_per_period=400)
native = simulate(model, drive)
spice = characterize(model, drive, simulator="ngspice")
cmp = compare_traces(spice, native)
print(f"ngspice vs native: largest current difference {cmp.i_max:.2e} of max |i|, rms {cmp.i_rms:.2e}")

# %%
# The loops overlap, so plot the residual
# ---------------------------------------
# On the loop itself the two curves are indistinguishable; the difference, in units of the
# native peak current, shows where they part (at the switching events).
i_peak = np.abs(native.i).max()
i_spice = np.interp(native.t, spice.t, spice.i)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
ax1.plot(native.v, native.i * 1e6, label="native (memlab)")
ax1.plot(spice.v, spice.i * 1e6, "--", label="ngspice")
ax1.set_xlabel("Device voltage v (V)")
ax1.set_ylabel("Current i (µA)")
ax1.legend()
ax2.plot(native.t * 1e3, (i_spice - native.i) / i_peak * 100)
ax2.set_xlabel("Time t (ms)")
ax2.set_ylabel("ngspice − native (% of max |i|)")
fig.suptitle("Knowm MSS, 0.8 V, 100 Hz sine, no series resistance")

# %%
# Verilog-A
# ---------
# The module has ports ``te`` and ``be``, one parameter per model parameter with its unit
# and range, and the state integrated by ``idt``. It is text: write it anywhere.
text = verilog_a_module(model)
path = Path(tempfile.mkdtemp()) / "knowm_mss.va"
path.write_text(text)
print(f"wrote {path.name}: {len(text.splitlines())} lines")
print("\n".join(text.splitlines()[:14]))

# %%
# From the command line
# ---------------------
# ``memlab iv mss --spice --out mss.png`` draws both loops with their fingerprints.
