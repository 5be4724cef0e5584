"""TransientCrossbar with 1S1R cells whose selector moves too: a volatile thermal threshold switch
(MottSelector, state T) in series with a VTEAM memristor. Against the ngspice crossbar transient
(two stateful behavioural subcircuits in series per cell), against closed forms of the half-selected
cell, and the pair-state path against the one-state path with a static selector."""
import numpy as np
import pytest
from scipy.optimize import brentq

from memlab.arrays import TransientCrossbar, write_drives
from memlab.circuits import simulate_crossbar_tran
from memlab.devices import MOSFET, VTEAM, MottSelector, Selector, SeriesCell
from memlab.errors import ParameterError, ShapeError

D = 3e-9          # VTEAM state range x_off - x_on (m)
T_RANGE = 1500.0  # MottSelector state range [0, T_max] (K)
KB_EV = 8.617333262e-5   # Boltzmann constant, eV/K (CODATA 2018)
WIRES = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
# thresholds 0.3 V and R_on/R_off of the order of the selector's cold resistance (45 kohm), so the
# selector holds most of a half-select voltage and the fired selector hands the memristor the rest
VT = VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1, R_on=1e3, R_off=2e4)
MOTT = MottSelector()
CELL = SeriesCell(MOTT, VT)
# V: V/2 = 1.2 V stays below the cell threshold V_th + I_th R_m >= 1.42 V (R_m >= 4.2 kohm); the full
# 2.4 V drives I_th = 0.1 mA through R_m <= 6.3 kohm with more than V_th left for the selector
V_WRITE = 2.4


def _x0(shape, seed):
    # R_m in [4.2, 6.3] kohm: at V/2 = 1.2 V the heated selector (closed form, _half_selected_T) leaves
    # the memristor at most 0.28 V, below its 0.3 V threshold
    return np.random.default_rng(seed).uniform(D / 6, 0.28 * D, shape)


@pytest.mark.ngspice
def test_mott_vteam_2x2_write_matches_ngspice():
    x0 = _x0((2, 2), 2)
    T0 = np.full((2, 2), 300.0)
    d = write_drives((2, 2), 1, V_WRITE, cols=0, scheme="V/2", width=20e-9, rise=1e-9)
    t = np.linspace(0, d.duration, 41)
    ours = TransientCrossbar(CELL, (T0, x0), **WIRES).simulate(d, t=t, rtol=1e-3, dense_output=True)
    ng = simulate_crossbar_tran((T0, x0), d.word, d.bit, cell=CELL, t=t, max_step=d.duration / 1000, **WIRES)
    assert ours.x.shape == ng.x.shape == (41, 2, 2, 2)
    # the selected cell's selector fired (above the closed-form threshold temperature) and its memristor switched
    assert ng.x[:, 0, 1, 0].max() > MOTT.threshold()["T_th"]
    assert (ours.x_final[1, 1, 0] - x0[1, 0]) / D > 0.2
    # same 1 % of the range target as the one-moving-part transient tests, for both states
    assert np.max(np.abs(ours.x[:, 1] - ng.x[:, 1])) / D < 0.01
    assert np.max(np.abs(ours.x[:, 0] - ng.x[:, 0])) / T_RANGE < 0.01
    assert np.max(np.abs(ours.v - ng.v_cell)) < 5e-3   # V, as for the VTEAM arrays (ngspice's step at the edges)


def _half_selected_T(v, x):
    """Closed-form steady temperature (K) of a Mott selector in series with a VTEAM resistance at
    cell voltage v: T - T_amb = R_th G(T) v_sel^2, v_sel = v R_sel / (R_sel + R_m) (Newton's law of
    cooling with Joule heating, the model's published form), solved by brentq below the threshold."""
    p, q = MOTT.values, VT.values
    r_m = q["R_on"] + (q["R_off"] - q["R_on"]) * (x - q["x_on"]) / (q["x_off"] - q["x_on"])

    def f(T):
        g = p["G0"] * np.exp(-p["Ea"] / (KB_EV * T))
        v_sel = v / (1.0 + g * r_m)
        return T - p["T_amb"] - p["R_th"] * g * v_sel ** 2
    return brentq(f, p["T_amb"], MOTT.threshold()["T_th"], xtol=1e-12)


def test_half_selected_cells_are_protected_by_the_threshold_switch():
    """Sneak-path/disturb suppression: under a V/2 write of a 3x3 array (ideal lines) the
    half-selected cells' selectors stay below threshold at the closed-form steady temperature and
    their memristors (0.3 V threshold) do not move at all, while the same memristors without the
    selector (1R) are disturbed; the selected cell fires and switches."""
    x0 = _x0((3, 3), 5)
    d = write_drives((3, 3), 1, V_WRITE, cols=1, scheme="V/2", width=20e-9, rise=1e-9)
    tr = TransientCrossbar(CELL, (np.full((3, 3), 300.0), x0)).simulate(d, rtol=1e-3)
    half = np.zeros((3, 3), dtype=bool)
    half[1, :] = half[:, 1] = True
    half[1, 1] = False
    assert (tr.x_final[1, 1, 1] - x0[1, 1]) / D > 0.2                  # the selected cell switched
    other = np.ones((3, 3), dtype=bool)
    other[1, 1] = False
    assert np.array_equal(tr.x_final[1][other], x0[other])             # exactly: VTEAM's rate is 0 below v_off
    # at the end of the 20 ns flat top (130 thermal time constants R_th C_th = 150 ps: e^-130 of the
    # transient left) the half-selected selectors sit at their steady state, which the integrator holds
    # exactly (zero rate there; network solves to 1e-13 V): measured 3e-13 K off the closed form
    k = np.argmin(np.abs(tr.t - (d.duration - 1e-9 - 0.5e-9)))        # inside the flat top, before the fall
    for i, j in zip(*np.nonzero(half)):
        assert abs(tr.x[k, 0, i, j] - _half_selected_T(V_WRITE / 2, x0[i, j])) < 1e-6
    assert np.all(tr.x[:, 0][:, ~half & other] == 300.0)               # 0 V cells stay at T_amb
    one_r = TransientCrossbar(VT, x0).simulate(d, rtol=1e-3)
    assert np.min(np.abs(one_r.x_final - x0)[half]) / D > 0.05         # without the selector: disturbed


def test_pair_state_path_with_a_static_selector_equals_the_one_state_path():
    """The two-state integration reduces to the one-moving-part path when the selector is static
    (zero rate: no error, no motion): same steps, same network solves, results to 1e-12."""
    cell = SeriesCell(Selector(i_s=1e-6, v_s=0.1), VT)
    x0 = _x0((3, 3), 7)
    d = write_drives((3, 3), 0, 1.6, cols=2, scheme="V/2", width=30e-9, rise=2e-9)
    t = np.linspace(0, d.duration, 21)
    one = TransientCrossbar(cell, x0, **WIRES).simulate(d, t=t, rtol=1e-3)
    two = TransientCrossbar(cell, (np.zeros((3, 3)), x0), **WIRES).simulate(d, t=t, rtol=1e-3)
    assert np.max(np.abs(one.x_final - x0)) / D > 0.1
    assert one.stats["steps"] == two.stats["steps"]
    assert np.max(np.abs(two.x[:, 1] - one.x)) <= 1e-12 * D
    assert np.max(np.abs(two.i - one.i)) <= 1e-12 * np.max(np.abs(one.i))
    assert np.all(two.x[:, 0] == 0.0)


def test_bad_pair_state_input():
    x = np.full((2, 2), 1e-9)
    with pytest.raises(ParameterError, match="tuple"):
        TransientCrossbar(CELL, x)                                       # both parts move: a pair is needed
    with pytest.raises(ParameterError, match="single device"):
        TransientCrossbar(VT, (x, x))
    with pytest.raises(ParameterError, match="MOSFET"):
        TransientCrossbar(SeriesCell(VT, MOSFET()), (x, x))
    with pytest.raises(ShapeError):
        TransientCrossbar(CELL, (np.full((2, 2), 300.0), np.full((3, 2), 1e-9)))
    with pytest.raises(ParameterError, match="part 0"):
        TransientCrossbar(CELL, (np.full((2, 2), 2000.0), x))          # T above T_max = 1500 K
    tx = TransientCrossbar(CELL, (np.full((2, 2), 300.0), x))
    assert tx.state.shape == (2, 2, 2) and tx.shape == (2, 2)
    with pytest.raises(ParameterError, match="tuple"):
        tx.with_state(x)


def test_series_split_of_two_linear_parts_converges_at_once():
    """Regression: with both parts linear in v (Mott selector at fixed T, VTEAM) the start point, the
    linear divider, is the root; series_split bisected away from it (a zero Newton step on the bracket's
    edge counted as leaving the bracket) and took ~40 iterations. Closed form: s = v R_sel/(R_sel + R_m)."""
    from memlab.devices._cell import series_split
    v = np.array([1.2, -2.4e-4, 2.4, -1.7])
    T = np.array([300.0, 350.0, 700.0, 1200.0])
    x = np.array([0.5e-9, 0.6e-9, 1.5e-9, 2.9e-9])
    p, q = MOTT.values, VT.values
    r_sel = 1.0 / (p["G0"] * np.exp(-p["Ea"] / (KB_EV * T)))
    r_m = q["R_on"] + (q["R_off"] - q["R_on"]) * x / D
    s = series_split(MOTT, VT, v, T, x, maxiter=3)
    np.testing.assert_allclose(s, v * r_sel / (r_sel + r_m), rtol=1e-12, atol=1e-15)


def test_two_state_cells_refused_by_name_where_one_state_is_assumed():
    # write-verify, disturb and in-situ training assume one state per cell: a named error, not a shape error
    from memlab.arrays import ISPP, disturb_study, program_array, train_layer, UpdateRule
    tx = TransientCrossbar(CELL, (np.full((2, 2), 300.0), _x0((2, 2), 0)))
    calls = [lambda: program_array(tx, np.full((2, 2), 1e-4), policy=ISPP(-1.0, 1.0, 1e-8)),
             lambda: disturb_study(tx, [(0, 0)], width=1e-8),
             lambda: train_layer(tx, np.ones((4, 2)), np.ones((4, 2)), rule=UpdateRule(v_th=0.3, v_max=1.0, width=1e-8, dw_max=1e-5))]
    for call in calls:
        with pytest.raises(ParameterError, match="state in each part"):
            call()
