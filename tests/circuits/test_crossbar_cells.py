"""Crossbar netlists with nonlinear, per-cell and series cells (circuits/_crossbar_netlist.py).

Every cell is an X-instance of the generated read subcircuit (one printer: ``pwr`` for odd
powers, ternaries for Piecewise) and runs through the one ngspice runner. References: the
memlab.arrays Kirchhoff solver (independent of ngspice and of the printer) and closed forms.
Tolerances: ngspice runs .op with reltol 1e-9, vntol 1e-12 V; the solver converges to
rtol 1e-10, so 1e-6 relative (the issue's requirement) leaves three decades of margin.
"""
import numpy as np
import pytest
import sympy as sp

from memlab.arrays import Crossbar
from memlab.circuits import crossbar_netlist, simulate_crossbar_op
from memlab.devices import DeviceModel, Param, Resistor, Selector, SeriesCell, SinhConductance, StateVar, Yakopcic
from memlab.errors import ParameterError, ShapeError

WIRES = dict(r_row=2.0, r_col=3.0, r_driver=5.0, r_sense=4.0)


class Cubic(DeviceModel):
    """Test cell i = k x v**3 (odd power: its sign must survive ngspice, whose pow is |a|^b)."""

    name = "cubic"
    state = StateVar("x", 0.0, 1.0, "1", 0.5, "current scale")
    parameters = (Param("k", 1e-4, "A/V^3", 0.0, np.inf, "test", "cubic coefficient", lo_open=True),)

    def equations(self, v, x, p):
        return p.k * x * v ** 3, sp.Integer(0)


def _state(shape, seed):
    return np.random.default_rng(seed).uniform(0.2, 1.0, shape)


def _assert_close(op, sol, v):
    scale_out = np.max(np.abs(sol.i_out))
    assert np.max(np.abs(op.i_out - sol.i_out)) <= 1e-6 * scale_out
    assert np.max(np.abs(op.i_in - sol.i_in)) <= 1e-6 * np.max(np.abs(sol.i_in))
    assert np.max(np.abs(op.v_word - sol.v_word)) <= 1e-6 * np.max(np.abs(v))


def test_cell_text_is_the_generated_subcircuit():
    text = crossbar_netlist(np.array([[0.5, 0.25]]), [-0.3], cell=Cubic(k=2e-4))
    lines = text.split("\n")
    assert "Bi te be i=m_k*pwr(V(te,be), 3)*(x0)" in lines     # the house printer: sign-keeping power
    assert "Xc0_0 w_0_0 b_0_0 Cubic x0=0.5 m_k=0.0002" in lines
    assert "Xc0_1 w_0_1 b_0_1 Cubic x0=0.25 m_k=0.0002" in lines
    series = crossbar_netlist(None, [0.1], cell=SeriesCell(Selector(), Resistor(1e3)), v_bl=[0.0])
    assert "Xca0_0 w_0_0 m_0_0 Selector x0=0.0 m_i_s=1e-09 m_v_s=0.15 m_r_leak=1000000000000.0" in series
    assert "rcb0_0 m_0_0 b_0_0 1000.0" in series.split("\n")


@pytest.mark.ngspice
def test_cubic_cell_bipolar_matches_solver():
    """Regression: the C printer wrote v**3 as pow(v, 3), which ngspice evaluates as |v|^3, so
    cells at negative bias carried current the wrong way (old i_out [4.5e-5, 6.2e-5, 4.0e-5,
    6.4e-5] A against the solver's [2.5e-5, 3.9e-5, 2.6e-6, 4.1e-5] A)."""
    x = _state((3, 4), 1)
    v = np.array([0.8, -0.6, 0.4])
    cell = Cubic()
    op = simulate_crossbar_op(x, v, cell=cell, **WIRES)
    sol = Crossbar(x, cell=cell, **WIRES).solve(v)
    _assert_close(op, sol, v)
    assert np.any(op.v_word - op.v_bit < -0.1)                # cells really are at negative bias


@pytest.mark.ngspice
def test_yakopcic_asymmetric_cell_matches_solver():
    """Regression: Yakopcic(a2=0.1) has a Piecewise current; the C printer wrote it on several
    lines and ngspice refused the netlist ("circuit not parsed")."""
    x = _state((3, 4), 2)
    v = np.array([0.9, -0.7, 0.5])
    cell = Yakopcic(a2=0.1)
    op = simulate_crossbar_op(x, v, cell=cell, **WIRES)
    sol = Crossbar(x, cell=cell, **WIRES).solve(v)
    _assert_close(op, sol, v)


@pytest.mark.ngspice
@pytest.mark.parametrize("v0", [np.array([[0.1, 0.3], [0.2, 0.15]]), np.array([[0.1], [0.3]]),
                                np.array([0.1, 0.3, 0.2, 0.15])], ids=["rows_cols", "rows_1", "population"])
def test_per_cell_parameters_closed_form(v0):
    # ideal wires, drivers and sense: every cell sees v_i, so i_out_j = sum_i g_ij v0_ij sinh(v_i / v0_ij)
    g = np.array([[1e-4, 2e-4], [3e-4, 5e-5]])
    v = np.array([0.4, -0.25])
    op = simulate_crossbar_op(g, v, cell=SinhConductance(v0=v0))
    v0c = v0.reshape(2, 2) if v0.ndim == 1 else np.broadcast_to(v0, (2, 2))
    expect = (g * v0c * np.sinh(v[:, None] / v0c)).sum(axis=0)
    assert np.allclose(op.i_out, expect, rtol=1e-9, atol=0)   # ngspice reltol 1e-9


@pytest.mark.ngspice
def test_series_cells_match_solver():
    G = np.random.default_rng(4).uniform(1e-6, 1e-4, (4, 5))
    v = np.linspace(-0.5, 0.5, 4)
    # 1S1R: a single state array goes to the one part with state (the selector has none)
    c1 = SeriesCell(Selector(i_s=2e-5, v_s=0.08), SinhConductance(v0=0.2))
    op = simulate_crossbar_op(G, v, cell=c1, **WIRES)
    _assert_close(op, Crossbar(G, cell=c1, **WIRES).solve(v), v)
    # 1T1R-like: explicit per-part states; the internal node is reported
    c2 = SeriesCell(SinhConductance(v0=0.2), Resistor(5e3))
    op = simulate_crossbar_op((G, None), v, cell=c2, **WIRES)
    _assert_close(op, Crossbar(G, cell=c2, **WIRES).solve(v), v)
    i_first = G * 0.2 * np.sinh((op.v_word - op.v_mid) / 0.2)
    assert np.allclose(i_first, (op.v_mid - op.v_bit) / 5e3, rtol=1e-6, atol=1e-15)  # same current in both parts


@pytest.mark.ngspice
def test_stateless_resistor_cells():
    v = np.array([0.3, -0.1, 0.2])
    op = simulate_crossbar_op(None, v, cell=Resistor(1e4), v_bl=np.zeros(4), **WIRES)
    sol = Crossbar(np.full((3, 4), 1e-4), **WIRES).solve(v)
    _assert_close(op, sol, v)


def test_cell_state_errors():
    both = SeriesCell(SinhConductance(), Cubic())
    with pytest.raises(ParameterError, match="tuple"):
        crossbar_netlist(np.full((1, 1), 1e-4), [0.1], cell=both)
    with pytest.raises(ParameterError, match="no state"):
        crossbar_netlist(np.full((1, 1), 1e-4), [0.1], cell=Resistor(1e3))
    with pytest.raises(ShapeError, match="columns"):
        crossbar_netlist(None, [0.1], cell=Resistor(1e3))
    with pytest.raises(ShapeError, match="v0"):
        crossbar_netlist(np.full((2, 3), 1e-4), [0.1, 0.2], cell=SinhConductance(v0=np.full(4, 0.2)))
    with pytest.raises(ParameterError, match="x0"):
        crossbar_netlist(np.full((1, 1), 2.0), [0.1], cell=Yakopcic())        # state outside [0, 1]
