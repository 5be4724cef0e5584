"""Ideal terminations (0-ohm drivers and sense) inside line CG, the port model and the adjoint.

Reference: the dense nodal solve of test_solver.py (own numbering, loops, the 0-ohm terminal
nodes eliminated by hand as known voltages); acceptance (issue 18): every method within 1e-9 of
the direct solver. The solvers stop at a relative KCL residual of 1e-12 here, so 1e-9 also
leaves room for the conditioning of the current extraction (measured: 1e-13..3e-11).
"""
import os
import sys
import warnings

import numpy as np
import pytest

from memlab.arrays import Crossbar
from memlab.devices import SinhConductance
from memlab.errors import AccuracyWarning

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # --import-mode=importlib
from test_solver import dense_reference  # noqa: E402


def dense_dirichlet(G, rr, rc, rd, rs, v, vbl):
    """The hand-written dense reference of test_solver (0-ohm terminations as known node voltages)."""
    return dense_reference(G, rr, rc, rd, rs, v, vbl)[:2]


def case(M, N, rd_kind, rs_kind, seed=0):
    rng = np.random.default_rng(seed)
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr = rng.uniform(0.5, 5.0, (M, max(N - 1, 0)))
    rc = rng.uniform(0.5, 5.0, (max(M - 1, 0), N))
    pick = {"zero": lambda n: np.zeros(n), "one": lambda n: np.ones(n),
            "mixed": lambda n: np.where(np.arange(n) % 3 == 0, 0.0, np.where(np.arange(n) % 3 == 1, 2.0, np.inf))}
    rd, rs = pick[rd_kind](M), pick[rs_kind](N)
    rd[0] = 0.0 if rd_kind == "mixed" else rd[0]      # at least one driver
    return G, rr, rc, rd, rs, rng.uniform(-0.3, 0.3, (M, 9)), rng.uniform(-0.05, 0.05, N)


KINDS = [("zero", "zero"), ("zero", "one"), ("one", "zero"), ("mixed", "mixed")]


@pytest.mark.parametrize("shape", [(12, 9), (1, 6), (6, 1)])
@pytest.mark.parametrize("rd_kind,rs_kind", KINDS)
def test_every_method_matches_direct_and_dense(shape, rd_kind, rs_kind):
    G, rr, rc, rd, rs, V, vbl = case(*shape, rd_kind, rs_kind)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        ref = xb.solve(V, v_bl=vbl, method="direct", rtol=1e-12)
        i_out0, i_in0 = dense_dirichlet(G, rr, rc, rd, rs, V[:, 0], vbl)
        scale = np.max(np.abs(ref.i_out)) + np.max(np.abs(ref.i_in))
        assert np.max(np.abs(ref.i_out[:, 0] - i_out0)) + np.max(np.abs(ref.i_in[:, 0] - i_in0)) <= 1e-9 * scale
        for method in ("cg", "ports", "auto"):
            # the port model's own round-off check sits near 1e-12 (dense Cholesky of the port block)
            s = xb.solve(V, v_bl=vbl, method=method, rtol=1e-10 if method == "ports" else 1e-12,
                         full=False if method == "ports" else None)
            err = np.max(np.abs(s.i_out - ref.i_out)) + np.max(np.abs(s.i_in - ref.i_in))
            assert err <= 1e-9 * scale, (method, err / scale)
        T = xb.transfer_matrix()
        sv = xb.solve(V, method="direct", rtol=1e-12)
        assert np.max(np.abs(T @ V - sv.i_out)) <= 1e-9 * np.max(np.abs(sv.i_out))


@pytest.mark.parametrize("rd_kind,rs_kind", KINDS)
def test_nonlinear_newton_cg_and_adjoint_with_ideal_terminations(rd_kind, rs_kind):
    G, rr, rc, rd, rs, V, vbl = case(10, 8, rd_kind, rs_kind, seed=1)
    v = np.abs(V[:, 0])
    c = np.random.default_rng(2).normal(size=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        for cell in (None, SinhConductance(v0=0.2)):
            xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs, cell=cell)
            a = xb.solve(v, v_bl=vbl, method="direct", rtol=1e-12, full=True)
            b = xb.solve(v, v_bl=vbl, method="cg", rtol=1e-12, full=True)
            assert np.max(np.abs(a.i_out - b.i_out)) <= 1e-9 * np.max(np.abs(a.i_out))
            assert np.allclose(b.v_word[rd == 0, 0], v[rd == 0], rtol=0, atol=1e-15)   # Dirichlet nodes exact
            # the adjoint through line CG equals the adjoint through the direct factor
            gd, gc = a.vjp(c, method="direct", rtol=1e-12), a.vjp(c, method="cg", rtol=1e-12)
            for name in ("r_row", "r_col", "v_in"):
                x, y = getattr(gd, name), getattr(gc, name)
                assert np.max(np.abs(x - y)) <= 1e-8 * np.max(np.abs(x)), name
            # jvp through the line operator with Dirichlet dummies: duality with the vjp
            z = np.random.default_rng(3).uniform(0.5, 1.0, rr.shape)
            do, _ = a.jvp(r_row=z)
            assert abs(c @ do - np.sum(gd.r_row * z)) <= 1e-8 * abs(np.sum(gd.r_row * z))


def test_cg_solves_merged_wire_segments_with_dirichlet_runs():
    # every word line one node fixed by its 0-ohm driver (a Dirichlet run); auto still factorises
    # small merged crossbars (AutoPolicy.merged_direct_max_cells)
    G = np.random.default_rng(4).uniform(1e-6, 1e-4, (4, 4))
    xb = Crossbar(G, r_row=0.0, r_col=1.0, r_driver=0.0, r_sense=0.0)
    v = np.array([0.1, -0.2, 0.3, 0.05])
    assert xb.solve(v).method == "direct"
    s = xb.solve(v, method="cg", rtol=1e-12)
    assert np.allclose(s.v_word, np.repeat(v[:, None], 4, axis=1), rtol=0, atol=1e-15)
    # the word lines are ideal sources: the bit lines form the only unknowns, (cols) independent
    # tridiagonal systems; solve them densely by hand
    rc = 1.0
    for j in range(4):
        A = np.diag(G[:, j]) + np.diag(np.r_[np.ones(3), 0.0] / rc) + np.diag(np.r_[0.0, np.ones(3)] / rc) \
            - np.diag(np.ones(3) / rc, 1) - np.diag(np.ones(3) / rc, -1)
        A = A[:-1, :-1]                                     # the last node is the 0 V virtual ground
        x = np.linalg.solve(A, (G[:, j] * v)[:-1])
        assert np.allclose(s.v_bit[:-1, j], x, rtol=1e-9, atol=0)
        assert np.isclose(s.i_out[j], x[-1] / rc + G[-1, j] * v[-1], rtol=1e-9, atol=0)
