"""Dataset loaders (files written here byte by byte) and the report's counts (hand-computed)."""
from __future__ import annotations

import gzip
import pickle
import struct

import numpy as np
import pytest

from memlab.errors import DataFormatError, ShapeError
from memlab.networks import (NetLayer, Network, as_dataset, digits, from_arrays, load_cifar10, load_dataset,
                             load_mnist, map_network)


def _idx(path, arr, gz=False):
    head = b"\x00\x00\x08" + bytes([arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    data = head + arr.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


def test_mnist_idx_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (5, 28, 28))
    labels = np.array([3, 1, 4, 1, 5])
    _idx(tmp_path / "t10k-images-idx3-ubyte.gz", imgs, gz=True)
    _idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    ds = load_mnist(tmp_path)
    assert ds.x.shape == (5, 1, 28, 28) and ds.x[2, 0, 7, 9] == imgs[2, 7, 9] / 255.0
    np.testing.assert_array_equal(ds.y, labels)
    assert load_dataset(f"fashion-mnist:{tmp_path}").name == "fashion-mnist"
    with pytest.raises(DataFormatError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path, split="train")


def test_truncated_idx_and_bad_magic(tmp_path):
    _idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 4, 4)))
    raw = (tmp_path / "t10k-images-idx3-ubyte").read_bytes()
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(raw[:-3])
    _idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2))
    with pytest.raises(DataFormatError, match=r"header says shape \(2, 4, 4\)"):
        load_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"PK\x03\x04junk")
    with pytest.raises(DataFormatError, match="not an unsigned-byte IDX"):
        load_mnist(tmp_path)


def test_cifar10_batch(tmp_path):
    data = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072)
    with open(tmp_path / "test_batch", "wb") as f:
        pickle.dump({b"data": data, b"labels": [7, 2]}, f)
    ds = load_cifar10(tmp_path)
    assert ds.x.shape == (2, 3, 32, 32) and ds.x[1, 2, 31, 31] == data[1, 3071] / 255.0
    np.testing.assert_array_equal(ds.y, [7, 2])
    with pytest.raises(DataFormatError, match="data_batch_1"):
        load_cifar10(tmp_path, split="train")


def test_mismatched_dataset_shapes_are_named():
    with pytest.raises(ShapeError, match=r"x has 4 samples .* y has shape \(3,\)"):
        as_dataset(np.zeros((4, 6)), [0, 1, 2])
    with pytest.raises(ShapeError, match="cannot be reshaped"):
        as_dataset(np.zeros((4, 6)), [0, 1, 2, 3], shape=(1, 2, 2))
    with pytest.raises(ShapeError, match="integer class labels"):
        as_dataset(np.zeros((2, 6)), [0.5, 1.0])
    d = digits()
    assert d.x.shape == (1797, 64) and d.x.max() == 16 and digits(image=True).x.shape == (1797, 1, 8, 8)
    net = from_arrays([np.ones((10, 64))])
    mapped = map_network(net, tile=(64, 64), x_max=16.0)
    with pytest.raises(ShapeError, match=r"parameter 'y' has shape \(5,\); expected \(6,\)"):
        mapped.accuracy(d.x[:6], d.y[:5])
    with pytest.raises(ShapeError, match=r"expects \(batch, 64\)"):
        mapped.infer(np.zeros((3, 63)))


def test_report_counts_by_hand():
    # conv 2->3 channels, 3x3 kernel, pad 1 on 5x5: 25 vectors of 18 inputs + bias = 19 rows, 3 outputs;
    # dense 75 -> 4 with bias: 76 rows. Tiles 16x8, differential (2 columns per output), 4-bit ADC:
    # conv: ceil(19/16)=2 row blocks x ceil(3/4)=1 -> 2 tiles; dense: ceil(76/16)=5 x 1 -> 5 tiles.
    rng = np.random.default_rng(1)
    layers = [NetLayer("conv", "conv", ("input",), "c", {"W": rng.normal(size=(3, 2, 3, 3)), "b": np.ones(3),
                                                      "pads": (1, 1, 1, 1)}),
              NetLayer("flat", "flatten", ("c",), "f"),
              NetLayer("fc", "dense", ("f",), "y", {"W": rng.normal(size=(4, 75)), "b": np.ones(4)})]
    net = Network(layers, input_shape=(2, 5, 5))
    x = rng.normal(size=(3, 2, 5, 5))
    mapped = map_network(net, tile=(16, 8), adc_bits=8, adc_share=2, calibration=x)
    rep = mapped.report(x)
    assert rep.n_tiles == 7 and rep.n_cells == 7 * 16 * 8
    assert rep.n_cells_used == 16 * 6 + 3 * 6 + 4 * 16 * 8 + 12 * 8
    conv, fc = rep.layers
    assert (conv["tiles"], conv["vectors"], conv["conversions"], conv["active_rows"]) == (2, 25, 2 * 25 * 3, 19)
    assert (fc["tiles"], fc["vectors"], fc["conversions"], fc["active_rows"]) == (5, 1, 5 * 4, 76)
    assert rep.adc_conversions_per_inference == 150 + 20
    assert [t["adcs"] for t in rep.tiles] == [2, 2] + [2] * 5
    assert rep.read_energy_per_inference > 0 and 0 < conv["rel_error"] < 0.2  # 8-bit ADC over the worst-case range
    text = rep.to_text()
    assert "7 tiles of 16x8" in text and "ADC conversions per inference: 170" in text
    assert rep.to_markdown().splitlines()[0].startswith("## ")


def test_read_energy_equals_hand_sum():
    # one 1x2 tile, zero wires: the driver power is v^2 (g+ + g-) with v = x / x_max * v_read
    net = from_arrays([np.array([[0.5]])])
    mapped = map_network(net, tile=(4, 4), x_max=1.0, g_min=1e-6, g_max=1e-4, v_read=0.2)
    rep = mapped.report(np.array([[1.0]]), t_read=1e-8)
    g_plus, g_minus = 1e-4, 1e-6          # w = w_max: g+ = g_max, g- = g_min
    assert rep.read_energy_per_inference == pytest.approx(0.2 ** 2 * (g_plus + g_minus) * 1e-8, rel=1e-12)


def test_evaluate_onnx_file_on_digits(tmp_path):
    """The CLI entry: ONNX file + 'digits' -> report; a (1, 8, 8) model gets the images reshaped."""
    from memlab.errors import ConfigError
    from memlab.networks import map_model, parse_tile, to_onnx
    rng = np.random.default_rng(2)
    layers = [NetLayer("fl", "flatten", ("input",), "f"),
              NetLayer("fc", "dense", ("f",), "y", {"W": rng.normal(size=(10, 64)), "b": None})]
    to_onnx(Network(layers, input_shape=(1, 8, 8), name="lin"), tmp_path / "lin.onnx")
    mapped, rep = map_model(tmp_path / "lin.onnx", "digits", tile="32x32", samples=50)
    d = digits()
    ideal = float(np.mean(np.argmax(d.x[:50] / 16 @ layers[1].attrs["W"].T, 1) == d.y[:50]))
    assert rep.accuracy == rep.ideal_accuracy == pytest.approx(ideal, abs=1e-12)
    assert rep.n_tiles == 2 * 1 and mapped.settings["tile"] == (32, 32)
    assert parse_tile("64X16") == (64, 16) and parse_tile(" 8 ") == (8, 8)
    with pytest.raises(ConfigError, match="ROWSxCOLS"):
        parse_tile("big")
