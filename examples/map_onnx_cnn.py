"""A small LeNet-style CNN on the 8x8 digits (or MNIST from a folder) through ONNX onto crossbar tiles.

The convolutions are lowered to matrix products (im2col): every output position is one
input vector of ``C_in * kh * kw`` word lines, so a conv layer is a small matrix read many
times per image. Training: fixed seeded random convolution filters and a logistic-regression
read-out trained by scikit-learn on their (ideal) features -- any training tool that exports
ONNX works the same way. Run ``python examples/map_onnx_cnn.py [--mnist FOLDER]``.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from memlab.networks import NetLayer, Network, digits, load_mnist, load_onnx, map_network, to_onnx


def features(shape, seed=0):
    """conv 3x3 (pad 1) -> relu -> maxpool 2 -> conv 3x3 (pad 1) -> relu -> maxpool 2 -> flatten."""
    rng = np.random.default_rng(seed)
    c_in = shape[0]
    w1 = rng.normal(0, 1 / np.sqrt(9 * c_in), (8, c_in, 3, 3))
    w2 = rng.normal(0, 1 / np.sqrt(72), (32, 8, 3, 3))
    pool = {"kind": "max", "kernel": (2, 2), "strides": (2, 2), "pads": (0, 0, 0, 0)}
    return [NetLayer("conv1", "conv", ("input",), "c1", {"W": w1, "b": np.zeros(8), "pads": (1, 1, 1, 1)}),
            NetLayer("relu1", "activation", ("c1",), "r1", {"kind": "relu"}),
            NetLayer("pool1", "pool", ("r1",), "p1", pool),
            NetLayer("conv2", "conv", ("p1",), "c2", {"W": w2, "b": np.zeros(32), "pads": (1, 1, 1, 1)}),
            NetLayer("relu2", "activation", ("c2",), "r2", {"kind": "relu"}),
            NetLayer("pool2", "pool", ("r2",), "p2", pool),
            NetLayer("flatten", "flatten", ("p2",), "f")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mnist", help="folder with MNIST/Fashion-MNIST IDX files (t10k-*) instead of the digits")
    a = ap.parse_args()
    ds = load_mnist(a.mnist) if a.mnist else digits(image=True)
    x = ds.x / (16.0 if ds.name == "digits" else 1.0)
    n_tr = int(0.7 * len(x))
    feats = features(x.shape[1:])
    f = Network(feats, input_shape=x.shape[1:], name="features").forward(x)
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(max_iter=2000).fit(f[:n_tr], ds.y[:n_tr])
    head = NetLayer("fc", "dense", ("f",), "y", {"W": clf.coef_, "b": clf.intercept_})
    path = Path(tempfile.mkdtemp()) / "cnn.onnx"
    to_onnx(Network(feats + [head], input_shape=x.shape[1:], name="lenet-digits"), path)
    net = load_onnx(path)
    x_te, y_te = x[n_tr:], ds.y[n_tr:]
    print(f"{net}\nideal test accuracy {np.mean(np.argmax(net.predict(x_te), 1) == y_te):.3f}")
    for tile in ((64, 64), (128, 128)):
        for r in (0.0, 2.0, 10.0):
            for adc in (None, 8, 6):
                m = map_network(net, tile=tile, r_row=r, r_col=r, r_driver=r, r_sense=r, adc_bits=adc,
                                adc_range=None if adc is None else "calibrated",
                                calibration=x[:n_tr])
                print(f"tile {tile[0]}x{tile[1]}, r_wire {r:4.1f} ohm, ADC {adc!s:>4} bits: {len(m.tiles)} tiles, "
                      f"accuracy {m.accuracy(x_te, y_te, progress=False):.3f}")
    m = map_network(net, tile=(64, 64), r_row=2.0, r_col=2.0, r_driver=2.0, r_sense=2.0, calibration=x[:n_tr])
    print("\n" + m.report(x_te, y_te).to_markdown())


if __name__ == "__main__":
    main()
