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
