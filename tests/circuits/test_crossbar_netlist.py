"""Crossbar netlist writer and its .op runs (circuits/_crossbar_netlist.py): linear cells."""
import numpy as np
import pytest

from memlab.circuits import crossbar_netlist, simulate_crossbar_op
from memlab.errors import NetlistError, ShapeError


def test_netlist_text_exact():
    text = crossbar_netlist(np.array([[1e-3, 2e-3]]), [0.5], r_row=1.0, r_col=1.0, r_driver=0.0, r_sense=2.0,
                            options={"reltol": 1e-6})
    assert "\r" not in text
    assert text.splitlines()[1:9] == [
        "vin0 w_0_0 0 dc 0.5",
        "rw0_0 w_0_0 w_0_1 1.0",
        "rs0 b_0_0 s_0 2.0",
        "vs0 s_0 0 dc 0",
        "rs1 b_0_1 s_1 2.0",
        "vs1 s_1 0 dc 0",
        "rc0_0 w_0_0 b_0_0 1000.0",
        "rc0_1 w_0_1 b_0_1 500.0",
    ]
    assert text.endswith(".op\n.end\n")


def test_netlist_shorts_opens_and_errors():
    text = crossbar_netlist(np.array([[1e-3, 0.0], [1e-3, 1e-3]]), [0.5, 0.1], r_row=[[0.0], [np.inf]],
                            r_col=2.0, r_driver=1.0, r_sense=0.0)
    assert "vz1 w_0_0 w_0_1 dc 0" in text          # zero segment -> 0 V source
    assert "rw1_0" not in text                     # open segment left out
    assert "rc0_1" not in text                     # zero conductance cell left out
    assert "vs0 b_1_0 0 dc 0" in text              # zero sense resistance -> ammeter to ground
    with pytest.raises(ShapeError):
        crossbar_netlist(np.ones((2, 2)) * 1e-3, [0.1, 0.2, 0.3])

    class DuckCell:  # has current/di_dv but is none of the cell types: not guessed at
        def current(self, v, x):
            return v

        def di_dv(self, v, x):
            return 1.0

    with pytest.raises(NetlistError, match="cannot be written"):
        crossbar_netlist(np.ones((1, 1)) * 1e-3, [0.1], cell=DuckCell())


@pytest.mark.ngspice
def test_2x2_hand_computed():
    # word-line segments only; drivers and sense are ideal and bit-line wires are shorts, so
    # every bit-line node sits at 0 V. Hand calculation: column 0 cells see v_i directly,
    # column 1 cells see the divider v_i * (1/r) / (1/r + G_i1).
    G = np.array([[1e-3, 2e-3], [4e-4, 5e-4]])
    v = np.array([0.3, -0.2])
    r = 10.0
    op = simulate_crossbar_op(G, v, r_row=r, r_col=0.0, r_driver=0.0, r_sense=0.0)
    vw1 = v * (1 / r) / (1 / r + G[:, 1])
    expect = np.array([G[0, 0] * v[0] + G[1, 0] * v[1], G[0, 1] * vw1[0] + G[1, 1] * vw1[1]])
    assert np.allclose(op.i_out, expect, rtol=1e-9, atol=0)  # ngspice reltol=1e-9
    # zero wires, sense resistance rs: each bit line is one node at sum(G v)/(sum(G) + 1/rs)
    rs = 50.0
    op2 = simulate_crossbar_op(G, v, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=rs)
    vb = (G.T @ v) / (G.sum(axis=0) + 1 / rs)
    assert np.allclose(op2.i_out, vb / rs, rtol=1e-9, atol=0)


@pytest.mark.ngspice
def test_16x16_random_conserves_current():
    rng = np.random.default_rng(16)
    G = rng.uniform(1e-6, 1e-4, (16, 16))
    v = rng.uniform(0.0, 0.5, 16)
    op = simulate_crossbar_op(G, v, r_row=1.0, r_col=1.0, r_driver=5.0, r_sense=5.0)
    assert op.v_word.shape == (16, 16) and op.v_bit.shape == (16, 16)
    assert np.all(op.i_out > 0)
    # the sense amplifiers are the only path to ground: sum in = sum out within 1e-9 relative
    assert abs(op.i_in.sum() - op.i_out.sum()) <= 1e-9 * op.i_in.sum()
    # node voltages decrease along each word line away from the driver (all inputs >= 0)
    assert np.all(np.diff(op.v_word, axis=1) <= 1e-12)
