"""memlab.arrays in-situ training: outer-product updates against VTEAM closed forms, forward pass against G^T x."""
import numpy as np
import pytest

from memlab.arrays import TransientCrossbar, UpdateRule, apply_update, layer_forward, train_layer
from memlab.devices import VTEAM
from memlab.errors import ParameterError, ShapeError

D = 3e-9
K = 1e-2          # |k_on| = k_off (m/s)
VTH = 0.5         # V
VT = VTEAM(R_on=1e5, R_off=1e6, k_off=K, k_on=-K, alpha_on=1, v_off=VTH, v_on=-VTH)


def test_outer_product_update_matches_the_vteam_closed_form():
    # zero wires, ideal drivers: a selected cell sees exactly its amplitude a; V/3 keeps every
    # other cell at |a|/3 < 0.5 V, so nothing else moves
    x0 = np.full((6, 4), 1.5e-9)
    tx = TransientCrossbar(VT, x0)
    rule = UpdateRule(v_th=VTH, v_max=0.95, width=20e-9, dw_max=0.5, dw_min=0.01, scheme="V/3")
    dW = 0.8 * np.outer([1, -0.5, 0, 0.8, 0, -1], [0.5, -1, 0, 0.3])
    x, pulses, energy = apply_update(tx, x0, dW, rule, rtol=1e-6)
    assert pulses == 8 and energy > 0      # four rows with a non-zero input, a SET and a RESET pulse each
    m = np.abs(dW)
    a = VTH + (0.95 - VTH) * np.minimum(m / 0.5, 1.0)
    rise = 20e-9 / 20
    # flat top k (a/vth - 1) width plus both edges: integral of (v/vth - 1) over a ramp to a
    dx = K * ((a / VTH - 1) * 20e-9 + 2 * rise * (a - VTH) ** 2 / (2 * a * VTH))
    expect = np.where(m > 0.01, x0 - np.sign(dW) * dx, x0)   # SET (weight up) lowers x (VTEAM)
    # local error 1e-6 of the range per step, a few tens of steps: within 1e-4 of the range
    np.testing.assert_allclose(x, expect, rtol=0, atol=1e-4 * D)
    assert np.array_equal(x[m <= 0.01], x0[m <= 0.01])


def test_forward_pass_is_the_offset_mvm_with_ideal_wires():
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0.3e-9, 2.7e-9, (5, 3))
    tx = TransientCrossbar(VT, x0)
    G = 1 / (1e5 + 9e5 * x0 / D)
    X = rng.uniform(-1, 1, (7, 5))
    Y = layer_forward(tx, x0, X, v_read=0.1, g_ref=5e-6, g_scale=4e-6)
    np.testing.assert_allclose(Y, X @ (G - 5e-6) / 4e-6, rtol=1e-9, atol=1e-12)


def test_training_reduces_the_loss_of_a_linear_task():
    rng = np.random.default_rng(1)
    W_true = rng.uniform(-0.8, 0.8, (6, 2))
    X = rng.uniform(-1, 1, (40, 6))
    T = X @ W_true
    tx = TransientCrossbar(VT, np.full((6, 2), 1.5e-9), r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
    rule = UpdateRule(v_th=VTH, v_max=0.95, width=20e-9, dw_max=0.2, dw_min=0.002)
    h = train_layer(tx, X, T, rule=rule, epochs=4, lr=0.3, batch=10)
    assert h.loss[-1] < 0.3 * h.loss[0]
    assert h.pulses > 0


def test_bad_insitu_input():
    tx = TransientCrossbar(VT, np.full((3, 2), 1.5e-9))
    rule = UpdateRule(v_th=VTH, v_max=0.9, width=1e-9, dw_max=0.1)
    with pytest.raises(ShapeError):
        apply_update(tx, tx.state, np.zeros((2, 3)), rule)
    with pytest.raises(ParameterError, match="v_max"):
        UpdateRule(v_th=0.5, v_max=0.4, width=1e-9, dw_max=0.1)
    with pytest.raises(ShapeError):
        train_layer(tx, np.zeros((4, 3)), np.zeros((4, 3)), rule=rule)
    X, T = np.zeros((4, 3)), np.zeros((4, 2))
    with pytest.raises(ShapeError, match="validation"):
        train_layer(tx, X, T, rule=rule, val=(np.zeros((4, 2)), T))
    with pytest.raises(ParameterError, match="val"):
        train_layer(tx, X, T, rule=rule, val=X)
    with pytest.raises(ParameterError, match="finite"):
        train_layer(tx, np.full((4, 3), np.nan), T, rule=rule)
    with pytest.raises(ParameterError, match="v_read"):
        train_layer(tx, X, T, rule=rule, v_read=-0.1)
