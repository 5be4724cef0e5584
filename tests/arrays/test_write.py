"""V/2 and V/3 write schemes."""
import numpy as np
import pytest

from memlab.arrays import Crossbar, write_scheme
from memlab.errors import ParameterError


def test_ideal_wires_give_textbook_biases():
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (5, 6))
    xb = Crossbar(G)
    V = 1.2
    r2 = write_scheme(xb, 2, 3, V, scheme="V/2")
    half = r2.half_selected
    # ideal lines: selected V, half-selected V/2, unselected 0 (exact)
    assert r2.v_selected == pytest.approx(V, abs=1e-15)
    assert np.allclose(r2.v_cell[half], V / 2, atol=1e-15)
    other = ~half
    other[2, 3] = False
    assert np.allclose(r2.v_cell[other], 0.0, atol=1e-15)
    assert r2.sneak_current == pytest.approx(np.sum(G[half]) * V / 2, rel=1e-12)
    r3 = write_scheme(xb, 2, 3, V, scheme="V/3")
    assert np.allclose(r3.v_cell[half], V / 3, atol=1e-15)
    assert np.allclose(r3.v_cell[other], -V / 3, atol=1e-15)
    assert r3.v_half_max == pytest.approx(V / 3) and r3.v_unselected_max == pytest.approx(V / 3)
    # power delivered = power dissipated in the cells (ideal lines)
    assert r3.power == pytest.approx(np.sum(r3.v_cell * r3.i_cell), rel=1e-12)
    d = write_scheme(xb, 2, 3, V, scheme="V/2", v_threshold=0.5).disturbed
    assert d.sum() == half.sum()


def test_ir_drop_reduces_selected_voltage_and_conserves_power():
    G = np.full((16, 16), 1e-4)
    xb = Crossbar(G, r_row=5.0, r_col=5.0, r_driver=10.0, r_sense=10.0)
    r = write_scheme(xb, 0, 15, 1.0, scheme="V/2")   # farthest from both line drivers
    assert 0.5 < r.v_selected < 1.0
    near = write_scheme(xb, 15, 0, 1.0, scheme="V/2")  # next to both drivers
    assert near.v_selected > r.v_selected
    assert r.i_supply > r.i_selected > 0


@pytest.mark.ngspice
def test_write_scheme_matches_ngspice():
    from memlab.arrays._write import write_bias
    from memlab.circuits import simulate_crossbar_op
    from memlab.devices import SinhConductance
    G = np.random.default_rng(3).uniform(1e-6, 1e-4, (8, 10))
    xb = Crossbar(G, r_row=3.0, r_col=2.0, r_driver=8.0, r_sense=6.0, cell=SinhConductance(v0=0.2))
    r = write_scheme(xb, 6, 2, 1.5, scheme="V/3")
    vw, vb = write_bias("V/3", 1.5, 8, 10, 6, 2)
    op = simulate_crossbar_op(xb.G, vw, v_bl=vb, cell=xb.cell, r_row=xb.r_row, r_col=xb.r_col,
                              r_driver=xb.r_driver, r_sense=xb.r_sense)
    # 1e-6 relative, as for reads (ngspice reltol 1e-9)
    assert np.allclose(r.v_cell, op.v_word - op.v_bit, rtol=0, atol=1e-6 * 1.5)


def test_write_bad_input():
    xb = Crossbar(np.full((3, 3), 1e-5))
    with pytest.raises(ParameterError, match="row"):
        write_scheme(xb, 3, 0, 1.0)
    with pytest.raises(ParameterError, match="scheme"):
        write_scheme(xb, 0, 0, 1.0, scheme="V/4")
