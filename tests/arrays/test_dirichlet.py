"""Ideal terminations (0-ohm drivers and sense) inside line CG, the port model and the adjoint.

Reference: a dense nodal solve written here (own numbering, loops, the 0-ohm terminal nodes
eliminated by hand as known voltages); acceptance (issue 18): every method within 1e-9 of
the direct solver. The solvers stop at a relative KCL residual of 1e-12 here, so 1e-9 also
leaves room for the conditioning of the current extraction (measured: 1e-13..3e-11).
"""
import warnings

import numpy as np
import pytest

from memlab.arrays import Crossbar
from memlab.devices import SinhConductance
from memlab.errors import AccuracyWarning, ParameterError


def dense_dirichlet(G, rr, rc, rd, rs, v, vbl):
    """Dense KCL with every node explicit; r = 0 terminations make their node a known voltage."""
    M, N = G.shape
    n = 2 * M * N
    A = np.zeros((n, n))
    b = np.zeros(n)
    W = lambda i, j: i * N + j  # noqa: E731
    B = lambda i, j: M * N + i * N + j  # noqa: E731
    known = {}
    for i in range(M):
        if rd[i] == 0:
            known[W(i, 0)] = v[i]
    for j in range(N):
        if rs[j] == 0:
            known[B(M - 1, j)] = vbl[j]

    def add(a, c, g):
        A[a, a] += g
        A[c, c] += g
        A[a, c] -= g
        A[c, a] -= g

    for i in range(M):
        for j in range(N):
            add(W(i, j), B(i, j), G[i, j])
            if j < N - 1:
                add(W(i, j), W(i, j + 1), 1 / rr[i, j])
            if i < M - 1:
                add(B(i, j), B(i + 1, j), 1 / rc[i, j])
        if 0 < rd[i] < np.inf:
            A[W(i, 0), W(i, 0)] += 1 / rd[i]
            b[W(i, 0)] += v[i] / rd[i]
    for j in range(N):
        if 0 < rs[j] < np.inf:
            A[B(M - 1, j), B(M - 1, j)] += 1 / rs[j]
            b[B(M - 1, j)] += vbl[j] / rs[j]
    fixed = np.array(sorted(known), dtype=int)
    free = np.setdiff1d(np.arange(n), fixed)
    x = np.zeros(n)
    x[fixed] = [known[k] for k in fixed]
    x[free] = np.linalg.solve(A[np.ix_(free, free)], b[free] - A[np.ix_(free, fixed)] @ x[fixed])
    inj = A @ x - b           # current leaving each node into the network, non-zero only at fixed nodes
    i_out = np.array([(x[B(M - 1, j)] - vbl[j]) / rs[j] if rs[j] > 0 else -inj[B(M - 1, j)] for j in range(N)])
    i_in = np.array([(v[i] - x[W(i, 0)]) / rd[i] if rd[i] > 0 else inj[W(i, 0)] for i in range(M)])
    return i_out, i_in


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


def test_cg_still_refuses_merged_wire_segments():
    xb = Crossbar(np.full((4, 4), 1e-5), r_row=0.0, r_col=1.0, r_driver=0.0, r_sense=0.0)
    with pytest.raises(ParameterError, match="wire"):
        xb.solve(np.full(4, 0.1), method="cg")
    assert xb.solve(np.full(4, 0.1)).method == "direct"
