"""Array-accuracy studies and the DNN on crossbars, against closed forms and independent code."""
import numpy as np
import pytest

from memlab.analysis import (analog_layer, crossbar_accuracy, dnn_accuracy_point, mvm_error_point, quantize_uniform,
                             train_digits_mlp)
from memlab.errors import ParameterError


@pytest.fixture(scope="module")
def net():
    return train_digits_mlp(64, 0)


def test_software_baseline_above_95_percent(net):
    assert net.baseline > 0.95
    # our forward pass reproduces scikit-learn's own predictions (independent implementation)
    assert net.baseline == net.sklearn_accuracy


def test_ideal_crossbars_match_software(net):
    ideal = crossbar_accuracy(net, seed=0)
    assert abs(ideal - net.baseline) <= 0.005          # issue: within 0.5 %
    # the same through the exact Kirchhoff solver with negligible wires (50 mohm per segment;
    # smaller values hit the direct solver's 1e-10 KCL tolerance inside AnalogMatrix)
    wired = crossbar_accuracy(net, seed=0, r_wire=0.05)
    assert abs(wired - net.baseline) <= 0.005


def test_one_bit_adc_drops_clearly(net):
    one = dnn_accuracy_point(adc_bits=1, seed=0)
    eight = dnn_accuracy_point(adc_bits=8, seed=0)
    assert one["baseline"] == net.baseline
    assert one["accuracy"] < net.baseline - 0.2          # measured ~0.43 vs ~0.98
    assert abs(eight["accuracy"] - net.baseline) <= 0.01  # 8 bits: quantisation step 1/256 of full scale


def test_ideal_layer_is_exact_matmul():
    rng = np.random.default_rng(0)
    W = rng.uniform(-2, 2, (12, 7))
    X = rng.uniform(0, 3, (5, 12))
    layer = analog_layer(W, x_max=3.0)
    np.testing.assert_allclose(layer(X), X @ W, rtol=1e-12, atol=1e-12 * np.abs(X @ W).max())
    assert mvm_error_point(rows=16, cols=8, seed=3)["rel_error"] < 1e-12


def test_quantisers_level_counts():
    x = np.linspace(-1.2, 1.2, 10001)
    for b in (1, 2, 3, 5):
        q = quantize_uniform(x, b, 1.0, signed=True)
        assert len(np.unique(q)) == 2 ** b and q.max() <= 1.0 and q.min() >= -1.0
        assert np.max(np.abs(q - np.clip(x, -1, 1))) <= 1.0 / 2 ** b + 1e-12   # half a step (2/2^b) at most
    u = quantize_uniform(np.linspace(0, 1, 1001), 3, 1.0, signed=False)
    assert len(np.unique(u)) == 8 and u.min() == 0 and u.max() == 1.0
    W = np.random.default_rng(1).uniform(-1, 1, (10, 10))
    layer = analog_layer(W, levels=5)
    assert len(np.unique(np.round(layer.G / 1e-12))) <= 5


def test_adc_error_halves_per_bit():
    # uniform quantisation: rms error proportional to the step 2^-b, so 2 bits -> x4
    e6 = np.mean([mvm_error_point(rows=32, cols=32, adc_bits=6, seed=s)["rel_error"] for s in range(3)])
    e8 = np.mean([mvm_error_point(rows=32, cols=32, adc_bits=8, seed=s)["rel_error"] for s in range(3)])
    assert 3.0 < e6 / e8 < 5.0


def test_ir_drop_error_is_first_order_in_wire_resistance():
    # for r_wire * G_total << 1 the output error is linear in r_wire (first-order perturbation)
    e1 = mvm_error_point(rows=16, cols=16, r_wire=0.05, seed=2)["rel_error"]
    e2 = mvm_error_point(rows=16, cols=16, r_wire=0.1, seed=2)["rel_error"]
    assert 1e-4 < e1 and e2 / e1 == pytest.approx(2.0, rel=0.1)


def test_read_noise_matches_closed_form():
    # independent relative Gaussian noise sigma on every cell at every read: the differential
    # current error of output j for input row b has variance sigma^2 sum_i V_bi^2 (G+_ij^2 + G-_ij^2)
    W = np.random.default_rng(4).uniform(-1, 1, (24, 6))
    X = np.random.default_rng(5).uniform(0, 1, (10, 24))
    sigma, reads = 0.05, 300
    layer = analog_layer(W, read_noise=sigma, seed=6)
    G = layer.G
    V = X * 0.2                                               # v_read = 0.2 V at x_max = 1
    i0 = V @ (G[:, 0::2] - G[:, 1::2])
    var = sigma ** 2 * (V * V) @ (G[:, 0::2] ** 2 + G[:, 1::2] ** 2)
    err = np.array([layer.currents(X) - i0 for _ in range(reads)])
    assert abs(err.mean()) < 4 * np.sqrt(var.mean() / err.size)           # zero mean (4 sigma)
    # mean of 300 x 60 squared Gaussians: relative standard error ~ 1 %; allow 5 %
    assert np.mean(err ** 2) == pytest.approx(var.mean(), rel=0.05)
    # (a former check that the MVM error at sigma 0.1 is exactly 10x that at 0.01 only restated
    # that the same seed scales the same normal draws; the variance check above is the physics)


@pytest.mark.parametrize("kw,name", [(dict(adc_bits=-1), "adc_bits"), (dict(levels=1), "levels"),
                                     (dict(spread=-0.1), "spread"), (dict(g_min=1e-4, g_max=1e-6), "g_max"),
                                     (dict(r_wire=float("nan")), "r_wire"), (dict(dac_bits=2.5), "dac_bits")])
def test_bad_parameters_name_themselves(kw, name):
    with pytest.raises(ParameterError, match=name):
        analog_layer(np.ones((3, 3)), **kw)
    with pytest.raises(ParameterError, match="rows"):
        mvm_error_point(rows=0)


def test_trained_network_is_not_shared_state():
    # regression: train_digits_mlp was lru_cached and returned the cached object itself, so a
    # caller editing the weights changed every later caller's network (and the DNN study)
    a = train_digits_mlp(64, 0)
    w0, b0, x0 = a.weights[0].copy(), a.biases[-1].copy(), a.x_test.copy()
    a.weights[0][:] = 0.0
    a.biases[-1][:] = 1e3
    a.x_test[:] = -1.0
    b = train_digits_mlp(64, 0)
    np.testing.assert_array_equal(b.weights[0], w0)
    np.testing.assert_array_equal(b.biases[-1], b0)
    np.testing.assert_array_equal(b.x_test, x0)
    assert dnn_accuracy_point(seed=0)["baseline"] == b.baseline > 0.95   # the study still sees the trained net
