"""memlab.arrays write-verify programming and disturb studies: closed forms and the static solver as references."""
import numpy as np
import pytest

from memlab.arrays import (Crossbar, FixedPulses, ISPP, LineDrives, TransientCrossbar, disturb_study,
                           program_array, read_conductance)
from memlab.devices import VTEAM, PulseTrain
from memlab.errors import ParameterError

D = 3e-9
WIRES = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
# thresholds 0.5 V: a V/2 half-select of pulses up to 0.98 V stays below them
VT = VTEAM(k_off=1e-2, v_off=0.5, v_on=-0.5, k_on=-1e-2, alpha_on=1, R_on=1e4, R_off=1e5)
POLICY = ISPP(v_set=-0.7, v_reset=0.7, width=20e-9, v_step=0.05, v_max=0.98)


def _static_read(tx, x, v_read=0.1):
    """Read conductance through memlab.arrays.Crossbar (the static solver), row by row."""
    xb = Crossbar(tx.conductance(x), **tx.resistances)
    return (xb.solve(np.eye(tx.shape[0]) * v_read, method="direct").i_out / v_read).T


@pytest.mark.parametrize("mode", ["row", "cell"])
def test_write_verify_reaches_the_band_of_the_network_read(mode):
    rng = np.random.default_rng(0)
    tx = TransientCrossbar(VT, np.full((6, 6), 1.5e-9), **WIRES)
    target = 1 / rng.uniform(2e4, 8e4, (6, 6))
    rep = program_array(tx, target, policy=POLICY, tolerance=0.05, mode=mode, max_pulses=20)
    g_ref = _static_read(tx, rep.x_final)
    np.testing.assert_allclose(rep.g_final, g_ref, rtol=1e-8)
    assert np.array_equal(rep.success, np.abs(g_ref / target - 1) <= 0.05 + 1e-12)
    assert rep.yield_ >= 0.9
    assert rep.pulses.max() <= 20 and rep.pulses.sum() > 0
    # V/2 half-select <= 0.49 V is below the 0.5 V thresholds: no cell but the selected ones moves
    assert rep.disturb.max() == 0.0
    assert rep.energy > 0 and rep.time > 0


def test_one_pulse_energy_matches_the_closed_form():
    # below threshold the state is frozen: E = V^2 G (width + 2 rise / 3) for a trapezoid
    m = VTEAM(v_off=10.0, v_on=-10.0)
    x = 1.2e-9
    G = 1 / (50 + 950 * x / D)
    p = PulseTrain([0.8], [40e-9], rise=4e-9, gap=0.0)
    tr = TransientCrossbar(m, np.full((1, 1), x)).simulate(LineDrives([p], [PulseTrain([0.0], [40e-9], rise=4e-9,
                                                                                          gap=0.0)]))
    assert tr.energy == pytest.approx(0.8 ** 2 * G * (40e-9 + 2 * 4e-9 / 3), rel=1e-9)


def test_fixed_pulses_count_and_read_conductance():
    tx = TransientCrossbar(VT, np.full((3, 3), 1.5e-9), **WIRES)
    g0 = read_conductance(tx)
    np.testing.assert_allclose(g0, _static_read(tx, tx.state), rtol=1e-8)
    target = np.full((3, 3), 10 * g0.max())   # unreachable (above the read range)? no: G_max = 1e-4 S
    rep = program_array(tx, np.minimum(target, 9e-5), policy=FixedPulses(v_set=-0.9, v_reset=0.9, width=20e-9),
                        max_pulses=3, mode="cell")
    assert rep.pulses.max() == 3 and rep.row_pulses.sum() == 27


def test_half_select_disturb_matches_the_closed_form():
    # zero wires, ideal drivers: a half-selected cell sees exactly V/2 = -0.4 V; VTEAM's SET
    # rate k_on (v/v_on - 1) is then constant on the flat top and linear in v on the edges
    vt = VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1)
    tx = TransientCrossbar(vt, np.full((5, 5), 1.5e-9))
    width, rise, V = 10e-9, 0.5e-9, -0.8
    rep = disturb_study(tx, (2, 3), v_write=V, width=width, rise=rise, n_writes=20, record=[1, 5, 20], rtol=1e-7)
    k, vh = -1e-2, 0.4
    edge = rise / vh * ((vh ** 2 / 0.6 - vh) - (0.3 ** 2 / 0.6 - 0.3))   # integral of (|v|/0.3 - 1) dt
    per_write = abs(k) * (width * (vh / 0.3 - 1) + 2 * edge) / D
    half = rep.delta["V/2"][:, rep.half_selected]
    # local error <= 1e-7 of the range per step, a few steps per write: << 1e-3 of the 1.1 % per write
    np.testing.assert_allclose(half, np.broadcast_to(np.array([1, 5, 20])[:, None] * per_write, half.shape), rtol=1e-3)
    # V/3: half-selected and unselected cells see |V|/3 = 0.267 V < 0.3 V: nothing moves
    assert rep.half_max["V/3"].max() == 0.0 and rep.unselected_max["V/3"].max() == 0.0
    assert rep.selected_mean["V/3"][-1] > rep.selected_mean["V/3"][0] > 0


def test_bad_program_input():
    tx = TransientCrossbar(VT, np.full((2, 2), 1.5e-9))
    with pytest.raises(ParameterError, match="outside the device range"):
        program_array(tx, np.full((2, 2), 1.0), policy=POLICY)     # 1 S >> 1 / R_on = 1e-4 S
    with pytest.raises(ParameterError, match="outside the device range"):
        program_array(tx, np.full((2, 2), 1e-7), policy=POLICY)    # below 1 / R_off
    with pytest.raises(ParameterError, match="opposite polarities"):
        ISPP(v_set=0.7, v_reset=0.7, width=1e-9)
    with pytest.raises(ParameterError, match="mode"):
        program_array(tx, np.full((2, 2), 2e-5), policy=POLICY, mode="column")
