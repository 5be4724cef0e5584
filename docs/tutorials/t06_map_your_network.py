"""
Map your network onto crossbars
===============================

A trained network (here a small MLP on scikit-learn's 8x8 digits; any ONNX export works
the same way) is written as ONNX, loaded back, and mapped onto tiles of crossbars: every
weight matrix is split into tiles of ``rows x cols`` cells, each a differential pair of
conductances solved exactly by :mod:`memlab.arrays`. The report gives the accuracy, the
per-layer error and the tile and ADC counts. ``memlab map model.onnx --tile 64x64 --data
digits`` does the same from the command line.
"""

# %%
# Train and export
# ----------------
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from memlab.networks import digits, from_arrays, load_onnx, map_network, to_onnx

d = digits()
x = d.x / 16.0                                     # pixel values scaled to [0, 1]
x_train, y_train, x_test, y_test = x[:1200], d.y[:1200], x[1200:], d.y[1200:]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf = MLPClassifier((32,), max_iter=150, random_state=0).fit(x_train, y_train)
# scikit-learn computes x @ W; memlab's layers compute W x, hence the transposes
net = from_arrays([W.T for W in clf.coefs_], clf.intercepts_, name="digits-mlp")
path = Path(tempfile.mkdtemp()) / "digits_mlp.onnx"
to_onnx(net, path)
net = load_onnx(path)
print(net)
print(f"software accuracy: {np.mean(np.argmax(net.predict(x_test), 1) == y_test):.3f}")

# %%
# Map onto 64 x 64 tiles
# ----------------------
# Conductance window 1–100 µS, 0.2 V read voltage, 1 Ω wire segments, drivers and sense
# amplifiers; an 8-bit ADC whose range is calibrated on training images.
mapped = map_network(net, tile=(64, 64), g_min=1e-6, g_max=1e-4, r_row=1.0, r_col=1.0, r_driver=1.0,
                     r_sense=1.0, adc_bits=8, adc_range="calibrated", calibration=x_train, seed=0)
report = mapped.report(x_test, y_test)
print(report.to_text())

# %%
# What the ADC resolution costs
# -----------------------------
import matplotlib.pyplot as plt

bits = [3, 4, 5, 6, 8]
acc = [map_network(net, tile=(64, 64), g_min=1e-6, g_max=1e-4, adc_bits=b, adc_range="calibrated",
                   calibration=x_train, seed=0).report(x_test, y_test).accuracy for b in bits]
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.plot(bits, np.array(acc) * 100, "o-", label="on crossbars")
ax.axhline(report.ideal_accuracy * 100, color="0.4", ls="--",
           label="software")
ax.set_xlabel("ADC resolution (bits)")
ax.set_ylabel("Test accuracy (%)")
ax.set_title("Digits MLP on 64 x 64 tiles, ideal wires, 1–100 µS")
ax.legend()
