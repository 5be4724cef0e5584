"""memlab.devices.MOSFET (sympy level-1 Shichman-Hodges): closed form, ngspice's own level-1
M-element, and the three places that share it (native 1T1R, ngspice B-source, crossbar cell)."""
import numpy as np
import pytest

from memlab.arrays import Crossbar
from memlab.circuits import OneT1R, run_netlist, simulate_crossbar_op, solve_cell, subcircuit
from memlab.devices import MOSFET, Resistor, SeriesCell, SinhConductance, VTEAM


def test_closed_form_regions_and_symmetry():
    mo = MOSFET(vto=0.5, kp=2e-4, lam=0.0, v_g=1.5)          # beta = 2e-4 A/V^2, v_gst = 1 V
    assert mo.current(2.0, 0.0) == pytest.approx(0.5 * 2e-4 * 1.0 ** 2, rel=1e-15)         # saturation
    assert mo.current(0.2, 0.0) == pytest.approx(2e-4 * 0.2 * (1.0 - 0.1), rel=1e-15)      # linear
    assert MOSFET(v_g=0.4).current(1.0, 0.0) == 0.0                                       # cut-off
    # v < 0: be is the drain, te the source: v_gs = v_g - v, v_ds = -v (linear region, v_gd = v_g > vto)
    v = -0.3
    assert mo.current(v, 0.0) == pytest.approx(-2e-4 * 0.3 * (1.3 - 0.15), rel=1e-15)
    lam = MOSFET(lam=0.05, v_g=1.5)
    assert lam.current(2.0, 0.0) == pytest.approx(0.5 * 2e-4 * (1 + 0.05 * 2.0), rel=1e-15)
    assert lam.saturation_current(2.0) == pytest.approx(lam.current(2.0, 0.0), rel=1e-15)
    # no state: the dummy state is not in the current and never moves
    assert mo.x not in mo.current_expr.free_symbols and mo.rate_expr == 0
    # di/dv (derived by sympy) against central differences, both polarities and regions
    for vd in (-1.2, -0.4, 0.2, 0.9, 1.7):
        h = 1e-6
        num = (lam.current(vd + h, 0.0) - lam.current(vd - h, 0.0)) / (2 * h)
        assert lam.di_dv(vd, 0.0) == pytest.approx(num, rel=1e-7)


@pytest.mark.ngspice
@pytest.mark.parametrize("v_g", [0.3, 0.8, 1.5, 2.5])
def test_matches_ngspice_level1_m_element(v_g):
    """Independent check: ngspice's built-in level-1 MOSFET (its own C implementation), .dc
    sweep of V_ds from -2 to 3 V with the source and gate fixed. IS = 0 and gmin = 1e-30 S
    remove the junction leakage (1e-14 A otherwise) the sympy model does not have; with
    every node set by a source the branch current is the device equation at the final
    Newton iterate, which reltol = 1e-10 bounds: 1e-9 of the peak current is the tolerance
    (observed: ~1e-15)."""
    mo = MOSFET(vto=0.5, kp=2e-4, w=2e-6, l=1e-6, lam=0.05, v_g=v_g)
    res = run_netlist("\n".join([
        "level-1 mosfet alone",
        ".model nm nmos level=1 vto=0.5 kp=0.0002 lambda=0.05 gamma=0 is=0 cgso=0 cgdo=0 cgbo=0 cbd=0 cbs=0",
        "M1 d g 0 bulk nm w=2e-06 l=1e-06", "Vd d 0 dc 0", f"Vg g 0 dc {v_g!r}", "Vb bulk 0 dc -10",
        ".options gmin=1e-30 reltol=1e-10 abstol=1e-20", ".dc Vd -2 3 0.01", ".end"]))
    vds = res.vec("v-sweep")
    i_ng = -res.vec("vd#branch")
    i_sp = mo.current(vds, 0.0)
    assert vds.size == 501
    assert np.max(np.abs(i_ng - i_sp)) <= 1e-9 * np.max(np.abs(i_sp))


@pytest.mark.ngspice
def test_b_source_subcircuit_matches_model():
    mo = MOSFET(w=2e-6, v_g=1.4)
    sub = subcircuit(mo)
    assert sub.static and "Cx" not in sub.text
    res = run_netlist("\n".join(["mosfet b-source", sub.text, "Vd d 0 dc 0", sub.instance("1", "d", "0"),
                                 ".options reltol=1e-10", ".dc Vd -2 3 0.05", ".end"]))
    vds = res.vec("v-sweep")
    assert np.allclose(-res.vec("vd#branch"), mo.current(vds, 0.0), rtol=1e-12, atol=1e-18)


def test_native_1t1r_uses_the_model():
    cell = OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.5, mosfet=MOSFET(w=10e-6))
    assert cell.transistor.values["v_g"] == 1.5 and cell.transistor.values["w"] == 10e-6
    vd, u, i = solve_cell(cell, np.array([-1.0, 0.5, 1.5]), 1e-9)
    np.testing.assert_allclose(cell.transistor.current(u, 0.0), i, rtol=1e-9, atol=1e-15)


@pytest.mark.ngspice
def test_1t1r_crossbar_cell_matches_solver():
    # SeriesCell(device, MOSFET): the transistor is the bit-line side part, gate v_g above the bit line
    G = np.random.default_rng(9).uniform(1e-5, 1e-4, (3, 4))
    v = np.array([0.6, -0.4, 0.9])
    cell = SeriesCell(SinhConductance(v0=0.2), MOSFET(w=2e-6, v_g=1.0))
    wires = dict(r_row=2.0, r_col=2.0, r_driver=5.0, r_sense=5.0)
    op = simulate_crossbar_op(G, v, cell=cell, **wires)
    sol = Crossbar(G, cell=cell, **wires).solve(v)
    assert np.max(np.abs(op.i_out - sol.i_out)) <= 1e-6 * np.max(np.abs(sol.i_out))
    # the transistor limits the current: below the same cells with a plain resistor in series
    op_r = simulate_crossbar_op(G, v, cell=SeriesCell(SinhConductance(v0=0.2), Resistor(1.0)), **wires)
    assert np.all(np.abs(op.i_out) < np.abs(op_r.i_out))
