"""
Fit a model to measured loops
=============================

The device-characterisation workflow: a measured I-V loop (here first one that memlab
makes itself, so that the answer is known), written to a CSV file the way an oscilloscope
export looks, fitted through the series resistor it was measured with, checked on loops
that were not fitted, and exported as an ngspice subcircuit and a Verilog-A module. With
the environment variable ``MEMLAB_DATA`` set, the same steps run on the measured Knowm
W-SDC loops. Units are SI throughout (s, V, A, ohm, Hz).

The command line does the same in one call::

    memlab fit mss loop.csv --r-series 5000 --validate other_loops/ --out fit_out
"""

# %%
# A loop with a known answer
# --------------------------
# The Knowm mean-metastable-switch model with chosen parameters, driven by a 0.8 V, 10 Hz
# sine through 5 kohm until its loop repeats. One period is written as
# ``time[s],v_source[V],i[A]`` with 201 samples: t = 0 ... T, the end sample included,
# as many instruments write it.
import tempfile
from pathlib import Path

import numpy as np

from memlab.devices import KnowmMSS, Sine, simulate

truth = KnowmMSS(R_on=3e3, R_off=6e4, tau=1e-3, V_on=0.25, V_off=0.15, beta=40.0)
period = simulate(truth, Sine(0.8, 10.0, periods=4, r_series=5e3, points_per_period=200),
                  rtol=1e-8).last_period()
work = Path(tempfile.mkdtemp())
csv = work / "mss_5kohm_10Hz.csv"
rows = zip((period.t - period.t[0]).tolist(), period.v_source.tolist(), period.i.tolist())
csv.write_text("time[s],v_source[V],i[A]\n" + "".join(f"{t!r},{v!r},{i!r}\n" for t, v, i in rows))

# %%
# Read it back
# ------------
# ``load_loops`` reads files and folders. The series resistor must be given for a generic
# CSV (without it memlab assumes 0 ohm and warns: a loop measured through 5 kohm and
# fitted without it gives a wrong R_on). The frequency comes from the time column: the
# repeated end sample is recognised and dropped, so the loop is 10 Hz, not 9.95 Hz.
from memlab.devices import load_loops

(loop,) = load_loops([csv], r_series=5e3)
print(loop, loop.meta["end_sample_dropped"])
print("identity:", loop.key)

# %%
# Fit
# ---
# ``fit_files`` loads, fits and validates. The search starts from the data and the
# model's search box, never from the preset values (KnowmMSS's are Knowm's published
# model card, not this device). Every loop is simulated to periodic steady state: rounds of periods until
# the loop current stops changing.
from memlab.devices import fit_files

result = fit_files("mss", [csv], r_series=5e3, n_starts=24, generations=8, n_local=1, progress=False)
print(result.summary())
for name, true in truth.values.items():
    print(f"{name:>6}: fitted {result.values[name]:.5g}, true {true:.5g} "
          f"({result.values[name] / true - 1:+.2%})")

# %%
# Validate on loops that were not fitted
# --------------------------------------
# A fit is judged by what it predicts. Two more loops of the true device (1 Hz and
# 100 Hz, same resistor) are predicted with the fitted parameters, without refitting.
from memlab.devices import Measurement

others = []
for f in (1.0, 100.0):
    tr = simulate(truth, Sine(0.8, f, periods=4, r_series=5e3, points_per_period=200), rtol=1e-8).last_period()
    others.append(Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=tr.i[:-1],
                                          frequency=f, r_series=5e3, label=f"true device {f:g} Hz"))
print("validation errors:", np.round(result.evaluate(others), 5))

# %%
# Everything written down
# -----------------------
# ``write_fit_outputs`` saves the parameters with their standard errors (JSON and CSV),
# the loops with their full identity, a Markdown model card, the fitted model as an
# ngspice subcircuit and as a Verilog-A module, and the overlay figure.
from memlab.analysis import write_fit_outputs

result.validation = {m.key: float(e) for m, e in zip(others, result.evaluate(others))}
result.validation_measurements = others
files = write_fit_outputs(result, work / "fit_out", choices=[f"tutorial: {csv.name}, r_series 5 kohm given"])
print("\n".join(f"{k}: {p.name}" for k, p in files.items()))
print((work / "fit_out" / "model_card.md").read_text()[:600])

# %%
# The measured Knowm loops
# ------------------------
# With ``MEMLAB_DATA`` pointing at the folder holding ``knowm_wsdc_5kohm/`` (Knowm Inc.,
# GPL-3.0), the MSS model is fitted to device M1 at 0.8 V, 10 Hz and validated on its
# 1 Hz and 100 Hz loops (each file pair is read once; the series resistor comes from the
# file name). ``compare_models`` does this for several models and chooses by validation
# error rather than by BIC, which rewards the fit to the training loop only.
import os

if os.environ.get("MEMLAB_DATA"):
    from memlab.devices import knowm_data_dir, load_knowm_set

    d = knowm_data_dir()
    m10 = load_knowm_set(d, device="M1", amplitude=0.8, frequency=10)
    val = load_knowm_set(d, device="M1", amplitude=0.8, frequency=[1, 100])
    knowm = fit_files("mss", [m10[0].path], validate=[m.path for m in val], n_starts=24, generations=8,
                      n_local=1, progress=False)
    print(knowm.summary())
    for key, e in knowm.validation.items():
        print(f"predicted {key}: {e:.3f}")
    fig_axes = knowm.plot(measurements=knowm.measurements + knowm.validation_measurements)
else:
    print("MEMLAB_DATA is not set: the Knowm part is skipped")
