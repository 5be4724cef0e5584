"""Train an MLP on the 8x8 digits, export it to ONNX, map it onto crossbar tiles and study accuracy.

Steps (each a few lines; run ``python examples/map_onnx_mlp.py [--plot mlp.png] [--onnx mlp.onnx]``):

1. train a 64-32-10 MLP with scikit-learn (any tool that exports ONNX works the same way);
2. write it as ONNX (``memlab.networks.to_onnx``; torch/Keras/skl2onnx exports load alike)
   and read it back with ``load_onnx``;
3. map it onto 64x64 and 128x128 tiles with the conductance window of each built-in device
   preset that states one (R_on/R_off or a resistance state) and print the tile table;
4. sweep ADC bits, wire resistance, tile size and device-to-device spread (seeded) and
   print accuracy and layer-1 error; ``--plot`` draws the four curves.

Wire resistance per segment, driver and sense resistance are in ohm; conductances in S.
"""
from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np

from memlab.arrays import DeviceSpread
from memlab.devices import MODELS
from memlab.networks import device_window, digits, from_arrays, load_onnx, map_network, to_onnx


def train(x, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((32,), max_iter=150, random_state=0).fit(x, y)
    # scikit-learn stores x @ W; memlab's convention is y = W x, hence the transposes
    return from_arrays([W.T for W in clf.coefs_], clf.intercepts_, name="digits-mlp")


def sweep(net, x_cal, x, y, base, factor, values, make):
    rows = []
    for v in values:
        rep = map_network(net, calibration=x_cal, seed=0, **dict(base, **make(v))).report(x, y)
        rows.append((v, rep.accuracy, rep.layers[0]["rel_error"]))
        print(f"  {factor:>14} = {v!s:>6}: accuracy {rep.accuracy:.3f}, "
              f"layer-1 rel. error {rep.layers[0]['rel_error']:.3f}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", help="write the four sweeps to this image file")
    ap.add_argument("--onnx", help="keep the exported ONNX model here")
    a = ap.parse_args()

    d = digits()
    x = d.x / 16.0                      # inputs in [0, 1]
    x_tr, y_tr, x_te, y_te = x[:1200], d.y[:1200], x[1200:], d.y[1200:]
    path = Path(a.onnx) if a.onnx else Path(tempfile.mkdtemp()) / "digits_mlp.onnx"
    to_onnx(train(x_tr, y_tr), path)
    net = load_onnx(path)
    print(f"{net}\nideal accuracy: {np.mean(np.argmax(net.predict(x_te), 1) == y_te):.3f}\n")

    wires = dict(r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
    print("device presets (window from the device, 1 ohm wires):")
    for key, cls in MODELS.items():
        win = device_window(cls())
        if win is None or win[0] <= 0:
            continue
        for tile in ((64, 64), (128, 128)):
            rep = map_network(net, tile=tile, g_min=win[0], g_max=win[1], calibration=x_tr, **wires).report(x_te, y_te)
            print(f"  {key:>9} [{win[0]:.3g}, {win[1]:.3g}] S on {tile[0]}x{tile[1]}: {rep.n_tiles} tiles, "
                  f"accuracy {rep.accuracy:.3f}")
    print("\n" + map_network(net, tile=(64, 64), calibration=x_tr, **wires).report(x_te, y_te).to_text() + "\n")

    base = dict(tile=(64, 64), g_min=1e-6, g_max=1e-4)
    print("sweeps (window [1 uS, 100 uS], 64x64 tiles):")
    res = {
        "ADC bits (calibrated range)": sweep(net, x_tr, x_te, y_te, base, "ADC bits", (4, 5, 6, 8, 10),
                                             lambda b: {"adc_bits": b, "adc_range": "calibrated"}),
        "wire resistance (ohm)": sweep(net, x_tr, x_te, y_te, base, "r_wire (ohm)", (0.0, 5.0, 20.0, 50.0),
                                       lambda r: dict(r_row=r, r_col=r, r_driver=r, r_sense=r)),
        "tile size": sweep(net, x_tr, x_te, y_te, dict(base, **dict(wires, r_row=20.0, r_col=20.0)), "tile",
                           (16, 32, 64, 128), lambda t: {"tile": (t, t)}),
        "device spread sigma": sweep(net, x_tr, x_te, y_te, base, "spread sigma", (0.0, 0.1, 0.2, 0.4),
                                     lambda s: {"nonidealities": [DeviceSpread(s)]}),
    }
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
        for ax, (name, rows) in zip(axes, res.items()):
            ax.plot([r[0] for r in rows], [r[1] for r in rows], "o-")
            ax.set_xlabel(name)
        axes[0].set_ylabel("accuracy")
        fig.tight_layout()
        fig.savefig(a.plot, dpi=120)
        print(f"wrote {a.plot}")


if __name__ == "__main__":
    main()
