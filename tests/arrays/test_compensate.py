"""IR-drop compensation (memlab.arrays.compensate) checked by independent forward solves and ngspice.

The compensated conductances are re-solved here with a different solver than the
optimisation used (line CG against the direct factor, and ngspice .op on the netlist), and
the relative MVM error ``||i_out - G_t^T V|| / ||G_t^T V||`` is recomputed from those
currents; acceptance (issue 18): at least 10x below the uncompensated array.
"""
import numpy as np
import pytest

from memlab.arrays import Crossbar, compensate, relative_error
from memlab.errors import ParameterError, ShapeError

WIRES = dict(r_row=2.0, r_col=2.0, r_driver=2.0, r_sense=2.0)


def _case(n, K, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(1e-6, 1e-4, (n, n)), rng.uniform(0.0, 0.3, (n, K))


def _error(G, Gt, V, gain=1.0, method="cg"):
    i = Crossbar(G, **WIRES).solve(V, method=method, rtol=1e-10).i_out
    return relative_error(i, gain * Gt.T @ V)


def test_compensation_ten_times_lower_error_independent_check():
    Gt, V = _case(32, 32)
    r = compensate(Gt, inputs=V, g_min=1e-6, g_max=1e-4, maxiter=40, method="direct", **WIRES)
    r0 = compensate(Gt, inputs=V, g_min=1e-6, g_max=1e-4, maxiter=40, warm_start=0, **WIRES)   # from G_t itself
    assert _error(r0.G, Gt, V) <= _error(Gt, Gt, V) / 10
    assert np.all((r.G >= 1e-6) & (r.G <= 1e-4))
    before, after = _error(Gt, Gt, V), _error(r.G, Gt, V)
    assert before == pytest.approx(r.error_before, rel=1e-6)
    assert after == pytest.approx(r.error_after, rel=1e-4)
    assert after <= before / 10, (before, after)
    assert r.column_error_after.shape == (32,) and np.all(r.column_error_after <= r.column_error_before)
    assert r.history[-1] <= r.history[0]


@pytest.mark.ngspice
def test_compensated_array_checked_by_ngspice():
    from memlab.circuits import simulate_crossbar_op
    Gt, V = _case(8, 8, seed=1)
    wires = dict(r_row=20.0, r_col=20.0, r_driver=20.0, r_sense=20.0)    # strong IR drop on a small array
    r = compensate(Gt, inputs=V, g_min=1e-6, g_max=1e-4, maxiter=60, **wires)
    Y = Gt.T @ V
    spice = np.stack([simulate_crossbar_op(r.G, V[:, k], **wires).i_out for k in range(V.shape[1])], axis=1)
    raw = np.stack([simulate_crossbar_op(Gt, V[:, k], **wires).i_out for k in range(V.shape[1])], axis=1)
    assert relative_error(spice, Y) == pytest.approx(r.error_after, rel=1e-4)
    assert relative_error(spice, Y) <= relative_error(raw, Y) / 10


def test_gain_fit_levels_and_weights():
    _, V = _case(16, 16, seed=2)
    W = np.random.default_rng(5).uniform(0.0, 3.0, (16, 16))     # (n_out, n_in)
    Gt = 1e-6 + (1e-4 - 1e-6) * W.T / W.max()                    # the documented linear map
    r = compensate(target_weights=W, inputs=V, g_min=1e-6, g_max=1e-4, gain="fit", levels=64, maxiter=30,
                   **WIRES)
    assert np.allclose(r.target_G, Gt, rtol=1e-12)
    lv = 1e-6 + np.arange(64) * (1e-4 - 1e-6) / 63
    assert np.all(np.min(np.abs(r.G[..., None] - lv), axis=-1) <= 1e-18)     # on the levels
    assert 0.5 < r.gain < 1.5
    assert r.error_after == pytest.approx(_error(r.G, Gt, V, gain=r.gain), rel=1e-4)
    assert r.error_continuous <= r.error_before / 5


def test_bad_input_named():
    Gt, V = _case(4, 3)
    with pytest.raises(ParameterError, match="g_min"):
        compensate(Gt, inputs=V, g_min=1e-4, g_max=1e-6)
    with pytest.raises(ParameterError, match="exactly one"):
        compensate(inputs=V, g_min=0.0, g_max=1e-4)
    with pytest.raises(ShapeError, match="inputs"):
        compensate(Gt, inputs=np.ones((5, 2)), g_min=0.0, g_max=1e-4)
    with pytest.raises(ParameterError, match="warm_start"):
        compensate(Gt, inputs=V, g_min=0.0, g_max=1e-4, warm_start=-1)
    with pytest.raises(ParameterError, match="gain"):
        compensate(Gt, inputs=V, g_min=0.0, g_max=1e-4, gain="auto")
    with pytest.raises(ParameterError, match="inputs"):
        compensate(Gt, inputs=np.zeros((4, 2)), g_min=0.0, g_max=1e-4)


@pytest.mark.parametrize("r_term", [2.0, 0.0, "mixed"])
def test_line_evaluator_gradient_against_finite_differences_of_direct_solves(r_term):
    # the batched CG forward/adjoint of compensate (and fine_tune, method "cg") against central
    # differences of J = sum(c * i_out) from independent direct solves; step 1e-3 relative in G:
    # J is linear-fractional in G, truncation O(h^2) ~ 1e-6 relative, KCL 1e-12 / 1e-3 round-off
    from memlab.arrays._compsolve import LineEvaluator
    rng = np.random.default_rng(3)
    G = rng.uniform(1e-5, 1e-4, (12, 10))
    V = rng.uniform(0.0, 0.3, (12, 5))
    c = rng.normal(size=(10, 5))
    if r_term == "mixed":       # finite, zero (Dirichlet) and open terminations together
        wires = dict(r_row=3.0, r_col=3.0, r_driver=np.r_[np.zeros(4), np.full(7, 2.0), np.inf],
                     r_sense=np.r_[np.inf, np.zeros(3), np.full(6, 1.0)])
    else:
        wires = dict(r_row=3.0, r_col=3.0, r_driver=r_term, r_sense=r_term)
    ev = LineEvaluator(Crossbar(G, **wires), V, rtol=1e-12)
    i_out, vc = ev.forward(G)
    ref = Crossbar(G, **wires).solve(V, method="direct", rtol=1e-12, full=True)
    assert np.allclose(i_out, ref.i_out, rtol=1e-10, atol=0)
    assert np.allclose(vc, ref.v_cell, rtol=1e-10, atol=1e-14)
    dG, dv = ev.gradient(c, with_inputs=True)
    dirs = rng.uniform(-1, 1, G.shape) * G

    def J(Gx, Vx=V):
        return float(np.sum(c * Crossbar(Gx, **wires).solve(Vx, method="direct", rtol=1e-12).i_out))
    h = 1e-3
    fd = (J(G + h * dirs) - J(G - h * dirs)) / (2 * h)
    assert fd == pytest.approx(float(np.sum(dG * dirs)), rel=1e-6)
    dV = rng.uniform(-1, 1, V.shape) * 0.01      # J is linear in V: the difference is exact up to round-off
    assert (J(G, V + dV) - J(G, V - dV)) / 2 == pytest.approx(float(np.sum(dv * dV)), rel=1e-8)
