"""Tiling, the per-tile crossbar solve and the bad-input paths of map_network.

References: numpy ``W @ x + b`` (exact tiling), a hand-written differential mapping
``g = g_min + max(+-W / w_max, 0) (g_max - g_min)`` with a standalone Crossbar solve
(IR drop), and numpy with weights rounded to ``round(w / w_max * Q) * w_max / Q`` (slicing).
"""
from __future__ import annotations

import numpy as np
import pytest

from memlab.arrays import Crossbar, ProgrammingNoise
from memlab.devices import HPLinearDrift, SinhConductance
from memlab.errors import ConfigError, ParameterError
from memlab.networks import from_arrays, map_network

G_MIN, G_MAX, V_READ = 1e-6, 1e-4, 0.2


def _layer(rng, n_out, n_in):
    W, b = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    return from_arrays([W], [b]), W, b


@pytest.mark.parametrize("mapping", ["differential", "offset"])
@pytest.mark.parametrize("n_out,n_in", [(70, 37), (37, 70)])
def test_odd_sizes_partial_sums_are_exact(mapping, n_out, n_in):
    rng = np.random.default_rng(0)
    net, W, b = _layer(rng, n_out, n_in)
    x = rng.uniform(-1, 1, (9, n_in))
    mapped = map_network(net, tile=(32, 32), weight_mapping=mapping, calibration=x)
    per = 16 if mapping == "differential" else 31
    rows, outs = -(-(n_in + 1) // 32), -(-n_out // per)
    assert len(mapped.tiles) == rows * outs
    assert all(t.shape[0] <= 32 and t.shape[1] <= 32 for t in mapped.tiles)
    np.testing.assert_allclose(mapped.infer(x), x @ W.T + b, rtol=1e-12, atol=1e-12 * np.abs(W).sum())


def test_small_tiles_equal_one_large_tile():
    rng = np.random.default_rng(1)
    net = from_arrays([rng.normal(size=(24, 40)), rng.normal(size=(10, 24))], [rng.normal(size=24), None])
    x = rng.uniform(0, 1, (11, 40))
    small = map_network(net, tile=(16, 16), calibration=x)
    large = map_network(net, tile=(64, 64), calibration=x)
    assert len(small.tiles) == 3 * 3 + 2 * 2 and len(large.tiles) == 2
    np.testing.assert_allclose(small.infer(x), large.infer(x), rtol=1e-12, atol=1e-12)


def test_bit_slicing_reproduces_quantised_weights():
    rng = np.random.default_rng(2)
    net, W, b = _layer(rng, 9, 13)
    x = rng.uniform(-1, 1, (5, 13))
    mapped = map_network(net, tile=(16, 24), weight_bits=6, bits_per_cell=2, calibration=x)
    s = np.max(np.abs(x))
    Wa = np.hstack([W, (b / s)[:, None]])
    w_max, Q = np.max(np.abs(Wa)), 2 ** 6 - 1
    Wq = np.rint(Wa / w_max * Q) * w_max / Q
    ref = s * (np.hstack([x / s, np.ones((5, 1))]) @ Wq.T)
    assert mapped.settings["slices"] == 3
    np.testing.assert_allclose(mapped.infer(x), ref, rtol=1e-12, atol=1e-12)


def _tile_case(rng, **kw):
    net, W, b = _layer(rng, 12, 20)
    x = rng.uniform(-1, 1, (8, 20))
    mapped = map_network(net, tile=(16, 16), g_min=G_MIN, g_max=G_MAX, v_read=V_READ, calibration=x, **kw)
    tm = mapped.matrices[("dense0", 0)]
    s = np.max(np.abs(x))
    Wa = np.hstack([W, (b / s)[:, None]])
    U = np.vstack([x.T / s, np.ones((1, 8))])
    return mapped, tm, Wa, U


def _independent_g(Wb, w_max):
    u = Wb.T / w_max
    G = np.empty((u.shape[0], 2 * u.shape[1]))
    G[:, 0::2] = G_MIN + np.maximum(u, 0) * (G_MAX - G_MIN)
    G[:, 1::2] = G_MIN + np.maximum(-u, 0) * (G_MAX - G_MIN)
    return G


@pytest.mark.parametrize("cell", [None, SinhConductance(v0=0.25)], ids=["linear", "sinh"])
def test_tile_with_ir_drop_equals_standalone_crossbar(cell):
    wires = dict(r_row=2.0, r_col=3.0, r_driver=10.0, r_sense=5.0)
    mapped, tm, Wa, U = _tile_case(np.random.default_rng(3), cell=cell, **wires)
    w_max = np.max(np.abs(Wa))
    y_sum = np.zeros((12, 8))
    for t in tm.tiles:
        (r0, r1), (o0, o1) = t.rows, t.outputs
        G = _independent_g(Wa[o0:o1, r0:r1], w_max)
        np.testing.assert_allclose(t.conductances, G, rtol=1e-14)
        xb = Crossbar(G, **wires) if cell is None else Crossbar(G, cell=cell, state=G, **wires)
        i = xb.solve(U[r0:r1] * V_READ, method="direct").i_out
        ref = (i[0::2] - i[1::2]) * w_max / ((G_MAX - G_MIN) * V_READ)
        got = t.forward(U[r0:r1])
        assert np.max(np.abs(got - ref)) <= 1e-9 * np.max(np.abs(ref))
        y_sum[o0:o1] += got
        # the IR drop is really there: the tile differs from the ideal product by far more than 1e-9
        assert np.max(np.abs(got - Wa[o0:o1, r0:r1] @ U[r0:r1])) > 1e-4 * np.max(np.abs(ref))
    np.testing.assert_allclose(mapped.infer(U[:-1].T * tm.x_max), (tm.x_max * y_sum).T, rtol=1e-12)


def test_seeded_noise_is_reproducible():
    rng = np.random.default_rng(4)
    net, W, b = _layer(rng, 10, 30)
    x = rng.uniform(-1, 1, (6, 30))
    kw = dict(tile=(16, 16), calibration=x, nonidealities=[ProgrammingNoise(0.05)])
    a = map_network(net, seed=7, **kw).infer(x)
    np.testing.assert_array_equal(a, map_network(net, seed=7, **kw).infer(x))
    assert not np.allclose(a, map_network(net, seed=8, **kw).infer(x))
    assert not np.allclose(a, x @ W.T + b)


def test_tile_smaller_than_a_bit_slice_group():
    net, _, _ = _layer(np.random.default_rng(5), 4, 4)
    with pytest.raises(ConfigError, match=r"tile.*5 columns cannot hold one bit-slice group.*6 columns"):
        map_network(net, tile=(8, 5), weight_bits=6, bits_per_cell=2, x_max=1.0)
    with pytest.raises(ConfigError, match=r"1 columns.*2 columns \(offset"):
        map_network(net, tile=(8, 1), weight_mapping="offset", x_max=1.0)
    with pytest.raises(ParameterError, match="tile rows"):
        map_network(net, tile=(0, 8), x_max=1.0)


def test_conductance_window_outside_device_range():
    net, _, _ = _layer(np.random.default_rng(6), 4, 4)
    dev = HPLinearDrift()                      # R_on 100 ohm, R_off 16 kohm: [62.5 uS, 10 mS]
    with pytest.raises(ParameterError, match=r"g_min.*1e-06.*6\.25e-05, 0\.01\] S.*HP"):
        map_network(net, device=dev, g_min=1e-6, g_max=1e-3, x_max=1.0)
    with pytest.raises(ParameterError, match=r"g_max.*outside.*range"):
        map_network(net, cell=SinhConductance(), g_min=1e-6, g_max=2.0, x_max=1.0)
    # regression: a cell's state bounds ([0, 1] S for SinhConductance) are a limit, not the default window
    assert map_network(net, cell=SinhConductance(), x_max=1.0).settings["g_max"] == 1e-4
    ok = map_network(net, device=dev, x_max=1.0)      # default window: the device's own range
    assert ok.settings["g_min"] == pytest.approx(1 / 16e3) and ok.settings["g_max"] == pytest.approx(1e-2)


def test_missing_calibration_is_named():
    W = np.ones((3, 4))
    from memlab.networks import NetLayer, Network
    net = Network([NetLayer("fc", "dense", ("input",), "y", {"W": W, "b": None})])
    with pytest.raises(ConfigError, match="calibration"):
        map_network(net)


def test_calibrated_adc_range_by_hand():
    # one tile, ideal wires: the ADC range is the largest |ideal output| over the calibration inputs,
    # so the output is that peak / (2^(b-1) - 1) times round(ideal / step) (mid-tread, symmetric)
    rng = np.random.default_rng(7)
    W = rng.normal(size=(5, 8))
    net = from_arrays([W])
    x = rng.uniform(-1, 1, (20, 8))
    s = np.max(np.abs(x))
    P = (x / s) @ W.T
    step = np.max(np.abs(P)) / (2 ** 3 - 1)
    mapped = map_network(net, tile=(16, 16), adc_bits=4, adc_range="calibrated", calibration=x)
    np.testing.assert_allclose(mapped.infer(x), s * step * np.rint(P / step), rtol=1e-12, atol=1e-12)
    with pytest.raises(ConfigError, match="calibrated.*slices"):
        map_network(net, tile=(16, 16), adc_bits=4, adc_range="calibrated", weight_bits=4, bits_per_cell=2,
                    calibration=x)
    with pytest.raises(ConfigError, match="adc_range"):
        map_network(net, adc_range="auto", calibration=x)


@pytest.mark.parametrize("mode", ["multilevel", "bit-serial"])
def test_dac_quantises_inputs_by_hand(mode):
    # a b-bit sign-magnitude DAC: u -> sign(u) round(|u| L) / L with L = 2^b - 1 (bias row u = 1 exact)
    rng = np.random.default_rng(8)
    net, W, b = _layer(rng, 6, 9)
    x = rng.uniform(-1, 1, (7, 9))
    mapped = map_network(net, tile=(16, 16), dac_bits=3, input_mode=mode, calibration=x)
    s, L = np.max(np.abs(x)), 7
    u = np.sign(x / s) * np.rint(np.abs(x / s) * L) / L
    np.testing.assert_allclose(mapped.infer(x), s * (u @ W.T + b / s), rtol=1e-12, atol=1e-12)
    assert all(t.conversions == (t.outputs[1] - t.outputs[0]) * (3 if mode == "bit-serial" else 1)
               for t in mapped.tiles)


@pytest.mark.parametrize("mapping", ["differential", "offset"])
def test_full_tiles_ideal_exact_and_lines_count(mapping):
    rng = np.random.default_rng(9)
    net, W, b = _layer(rng, 10, 20)
    x = rng.uniform(-1, 1, (6, 20))
    ideal = map_network(net, tile=(32, 32), weight_mapping=mapping, full_tiles=True, calibration=x)
    assert ideal.tiles[0].shape == (32, 32 if mapping == "differential" else 32) and ideal.tiles[0].pad_rows == 11
    np.testing.assert_allclose(ideal.infer(x), x @ W.T + b, rtol=1e-12, atol=1e-12)
    wires = dict(r_row=2.0, r_col=2.0, r_driver=2.0, r_sense=2.0, weight_mapping=mapping, calibration=x)
    err = {}
    for full in (False, True):
        for t in (32, 128):
            y = map_network(net, tile=(t, t), full_tiles=full, **wires).infer(x)
            err[(full, t)] = np.linalg.norm(y - (x @ W.T + b)) / np.linalg.norm(x @ W.T + b)
    assert err[(False, 32)] == err[(False, 128)]          # only the used 21 x 20 block is solved either way
    # measured 0.0112 (used part), 0.0118 (full 32x32), 0.0164 (full 128x128): the unused zero-weight
    # cells of the longer word lines draw current through the same wires (sneak paths)
    assert err[(True, 128)] > 1.3 * err[(True, 32)] and err[(True, 32)] > err[(False, 32)]
    # the padded tile still equals a standalone solve of its full conductance matrix
    mapped = map_network(net, tile=(32, 32), full_tiles=True, **dict(wires, weight_mapping="differential"))
    t = mapped.tiles[0]
    U = mapped.matrices[("dense0", 0)].inputs(x)
    G = t.conductances
    i = Crossbar(G, r_row=2.0, r_col=2.0, r_driver=2.0, r_sense=2.0).solve(t.padded(U) * V_READ, method="direct").i_out
    w_max = np.max(np.abs(np.hstack([W, (b / np.max(np.abs(x)))[:, None]])))
    ref = ((i[0::2] - i[1::2]) * w_max / ((G_MAX - G_MIN) * V_READ))[:10]
    assert np.max(np.abs(t.forward(U) - ref)) <= 1e-9 * np.max(np.abs(ref))
