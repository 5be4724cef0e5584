"""
Write your own device model
===========================

A memlab device model is two equations written once in sympy: the current ``i(v, x)`` and
the state rate ``dx/dt(v, x)``. Everything else is derived from them: the numpy and numba
kernels that :func:`~memlab.devices.simulate` integrates, the LaTeX, the ngspice
subcircuit and the Verilog-A module. About fifteen lines define a new model.
"""

# %%
# The model: a linear-drift memristor with a voltage threshold
# ------------------------------------------------------------
# State ``x`` in [0, 1] (dimensionless) mixes the on and off resistances; the state moves
# only when ``|v|`` exceeds ``v_th``, at a rate proportional to the overdrive. The window
# ``x (1 - x)`` keeps it inside its bounds smoothly. Every parameter has an SI unit, a
# range and a source; units are checked when the class is declared.
import sympy as sp

from memlab.devices import DeviceModel, Param, Sine, StateVar, simulate


class ThresholdDrift(DeviceModel):
    """Linear drift above a voltage threshold (a tutorial model)."""

    name = "threshold drift"
    state = StateVar("x", 0.0, 1.0, "1", 0.1, "fraction of the film in the on state")
    parameters = (
        Param("R_on", 1e3, "ohm", lo=0.0, lo_open=True, source="tutorial", doc="on resistance"),
        Param("R_off", 100e3, "ohm", lo=0.0, lo_open=True, source="tutorial", doc="off resistance"),
        Param("k", 5e3, "1/(V s)", lo=0.0, source="tutorial", doc="rate per volt of overdrive"),
        Param("v_th", 0.5, "V", lo=0.0, source="tutorial", doc="threshold voltage"),
    )

    def equations(self, v, x, p):
        current = v / (p.R_on * x + p.R_off * (1 - x))
        over = sp.Max(v - p.v_th, 0) + sp.Min(v + p.v_th, 0)     # zero inside [-v_th, v_th]
        return current, p.k * over * x * (1 - x)


model = ThresholdDrift()
print(model)

# %%
# The equations as LaTeX
# ----------------------
print(model.latex())

# %%
# Simulate it: the generated kernel
# ---------------------------------
# The first simulation compiles a kernel from the equations (cached on disk, keyed by the
# equations themselves); a population of devices is the same model with array parameters.
import matplotlib.pyplot as plt
import numpy as np

from memlab.analysis import pinch, plot_iv
from memlab.devices import spread

trace = simulate(model, Sine(amplitude=1.5, frequency=10.0, periods=2), x0=0.1)
print(f"max |i| = {np.abs(trace.i).max() * 1e3:.3f} mA, pinch ratio {pinch(trace).ratio:.1e}")

population = spread(model, 200, {"k": 0.3, "v_th": 0.1}, seed=1)
traces = simulate(population, Sine(amplitude=1.5, frequency=10.0, periods=2), x0=0.1)
fig, ax = plt.subplots(figsize=(5.5, 4))
plot_iv(traces, ax=ax, color_by="none")
ax.set_title("200 devices, 30 % spread of k, 10 % of v_th (1.5 V, 10 Hz)")

# %%
# The same model for circuit simulators
# -------------------------------------
# :func:`memlab.circuits.subcircuit` prints an ngspice subcircuit (B-sources, the state as
# the voltage of a 1 F capacitor) and :func:`memlab.circuits.verilog_a_module` a Verilog-A
# module with the parameters, their units and ranges. Both come from the same sympy
# expressions as the kernel above, so the three cannot drift apart.
from memlab.circuits import subcircuit, verilog_a_module

print(subcircuit(model).text)
print(verilog_a_module(model))
