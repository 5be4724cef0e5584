"""Crossbar transient netlists (memlab.circuits.crossbar_tran_netlist): text, bad input, and the 1x1 case
against the single-cell netlist of memlab.circuits.characterize."""
import numpy as np
import pytest

from memlab.circuits import OneR, characterize, crossbar_tran_netlist, simulate_crossbar_tran
from memlab.devices import VTEAM, PulseTrain, Selector, SeriesCell
from memlab.errors import ParameterError, ShapeError

VT = VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1)


def _pulses(levels, width=20e-9):
    return [PulseTrain([v], [width], rise=1e-9, gap=2e-9) for v in levels]


def test_netlist_text_has_stateful_cells_and_pwl_sources():
    x0 = np.array([[0.5e-9, 1.0e-9], [1.5e-9, 2.0e-9]])
    text = crossbar_tran_netlist(x0, _pulses([1.0, 0.5]), _pulses([0.0, 0.5]), cell=VT, r_row=5.0, r_col=5.0,
                                 r_driver=5.0, r_sense=5.0, t_step=1e-10, max_step=1e-10)
    assert "\r" not in text
    assert text.count(".subckt VTEAM_linear_none te be") == 1
    assert "Cx xs 0 1 ic=" in text                       # the stateful form, not the static one
    assert ".tran 1e-10 2.4e-08 0 1e-10 uic" in text
    assert "vin0 in_0 0 dc 0.0 pwl(" in text and "vs1 s_1 0 dc 0.0 pwl(" in text
    for i in range(2):
        for j in range(2):
            line = next(ln for ln in text.splitlines() if ln.startswith(f"Xc{i}_{j} "))
            assert line.startswith(f"Xc{i}_{j} w_{i}_{j} b_{i}_{j} VTEAM_linear_none x0={float(x0[i, j])!r} rmax=")
    assert ".op" not in text.splitlines()


def test_series_cell_netlist_puts_the_state_on_the_moving_part():
    cell = SeriesCell(Selector(), VT)
    text = crossbar_tran_netlist(np.full((1, 2), 1e-9), _pulses([1.0]), _pulses([0.0, 0.0]), cell=cell,
                                 t_step=1e-10, max_step=1e-10)
    assert "Xcb0_1 m_0_1 b_0_1 VTEAM_linear_none x0=1e-09 rmax=" in text
    assert "Xca0_1 w_0_1 m_0_1 Selector" in text


def test_series_cell_with_two_moving_parts_has_two_stateful_instances():
    # a volatile threshold-switch selector and a memristor: x0 is a pair, both instances carry a state node
    from memlab.devices import MottSelector
    cell = SeriesCell(MottSelector(), VT)
    x0 = (np.full((1, 2), 300.0), np.full((1, 2), 1e-9))
    text = crossbar_tran_netlist(x0, _pulses([1.0]), _pulses([0.0, 0.0]), cell=cell, t_step=1e-10, max_step=1e-10)
    assert text.count("Cx xs 0 1 ic=") == 2                # two stateful subcircuit definitions
    assert "Xca0_1 w_0_1 m_0_1 MottSelector_False_arrhenius x0=300.0 rmax=" in text
    assert "Xcb0_1 m_0_1 b_0_1 VTEAM_linear_none x0=1e-09 rmax=" in text
    with pytest.raises(ParameterError, match="pair"):
        crossbar_tran_netlist(x0, _pulses([1.0]), _pulses([0.0, 0.0]), cell=VT, t_step=1e-10, max_step=1e-10)
    with pytest.raises(ShapeError):
        crossbar_tran_netlist((x0[0], np.zeros((2, 2))), _pulses([1.0]), _pulses([0.0, 0.0]), cell=cell,
                              t_step=1e-10, max_step=1e-10)


def test_bad_transient_netlist_input():
    with pytest.raises(ShapeError):
        crossbar_tran_netlist(np.zeros((2, 2)), _pulses([1.0]), _pulses([0.0, 0.0]), cell=VT, t_step=1e-10,
                              max_step=1e-10)
    with pytest.raises(ParameterError, match="moving"):
        crossbar_tran_netlist(np.zeros((1, 1)), _pulses([1.0]), _pulses([0.0]), cell=Selector(), t_step=1e-10,
                              max_step=1e-10)


@pytest.mark.ngspice
def test_one_cell_crossbar_matches_the_cell_netlist():
    # the same device and drive through two netlist writers: the crossbar one and cell_netlist
    drive = PulseTrain([1.0, -0.6], [40e-9, 10e-9], rise=1e-9, gap=4e-9)
    t = np.linspace(0, drive.duration, 121)
    ref = characterize(OneR(VT), drive, x0=1.5e-9, t=t, max_step=drive.duration / 1000)
    zero = PulseTrain([0.0, 0.0], [40e-9, 10e-9], rise=1e-9, gap=4e-9)
    ours = simulate_crossbar_tran(np.full((1, 1), 1.5e-9), [drive], [zero], cell=VT, t=t,
                                  max_step=drive.duration / 1000)
    assert np.ptp(ref.x) > 0.1 * 3e-9
    # both are ngspice with the same subcircuit and step: agreement far inside 1e-3 of the range
    assert np.max(np.abs(ours.x[:, 0, 0] - ref.x)) < 1e-3 * 3e-9
