"""Accuracy of a trained digits MLP (numpy-trained, exported to ONNX) against the physics factors.

Independent numbers: the ideal mapping's accuracy equals onnxruntime's on the same ONNX
graph; the directions come from circuit physics: more wire resistance and longer lines
(bigger tiles) drop more voltage along the lines (larger layer error, lower accuracy), more
ADC bits quantise the column currents more finely (smaller error, higher accuracy).
Everything is seeded; the table printed on failure is reproducible.
"""
from __future__ import annotations

import numpy as np
import pytest

import onnx_builders as ob
from memlab.arrays import ProgrammingNoise, ReadNoise
from memlab.networks import digits, load_onnx, map_network


@pytest.fixture(scope="module")
def trained():
    d = digits()
    x = d.x / 16.0
    Ws = ob.train_mlp(x[:1200], d.y[:1200], hidden=32, epochs=300)
    m = ob.mlp_from_weights(*Ws)
    xt, yt = x[1200:], d.y[1200:]
    ort_acc = float(np.mean(np.argmax(ob.run_ort(m, xt), axis=1) == yt))
    return load_onnx(m), x[:1200], xt, yt, ort_acc


def _row(trained, **kw):
    net, xc, xt, yt, _ = trained
    rep = map_network(net, calibration=xc, seed=0, **kw).report(xt, yt)
    return rep.accuracy, rep.layers[0]["rel_error"]


def _wires(r):
    return dict(r_row=r, r_col=r, r_driver=r, r_sense=r)


def test_accuracy_moves_with_physics(trained):
    *_, ort_acc = trained
    ideal = _row(trained, tile=(128, 128))
    assert ideal[0] == ort_acc > 0.85 and ideal[1] < 1e-12
    table = {("r_wire", r): _row(trained, tile=(128, 128), **_wires(r)) for r in (0.0, 30.0, 60.0)}
    table.update({("tile", t): _row(trained, tile=(t, t), **_wires(30.0)) for t in (16, 32, 128)})
    table.update({("adc_bits", b): _row(trained, tile=(64, 64), adc_bits=b) for b in (4, 6, 8)})
    text = "\n".join(f"{k[0]:>8} {k[1]:>5}: accuracy {a:.4f}  layer-1 rel. error {e:.4f}"
                     for k, (a, e) in table.items())
    for factor, values, worse in (("r_wire", (0.0, 30.0, 60.0), True), ("tile", (16, 32, 128), True),
                                  ("adc_bits", (4, 6, 8), False)):
        acc = [table[(factor, v)][0] for v in values]
        err = [table[(factor, v)][1] for v in values]
        order = (lambda s: s[::-1]) if worse else (lambda s: s)
        assert order(acc) == sorted(acc) and acc[0] != acc[-1], f"{factor}: accuracy not monotone\n{text}"
        assert order(err) == sorted(err, reverse=True) and len(set(err)) == 3, f"{factor}: error not monotone\n{text}"


def test_noisy_mapping_is_seeded(trained):
    net, xc, xt, yt, _ = trained
    kw = dict(tile=(32, 32), calibration=xc, nonidealities=[ProgrammingNoise(0.03), ReadNoise(0.01)],
              **_wires(5.0))
    a = map_network(net, seed=11, **kw).accuracy(xt[:200], yt[:200])
    b = map_network(net, seed=11, **kw).accuracy(xt[:200], yt[:200])
    assert a == b
