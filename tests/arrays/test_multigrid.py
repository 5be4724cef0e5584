"""Two-level preconditioner of line CG (memlab.arrays._multigrid): exact Galerkin coarse matrix,
answers equal to an independent dense solve, and a flat iteration count."""
import os
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from memlab.arrays import AutoPolicy, Crossbar
from memlab.arrays._assemble import assemble
from memlab.arrays._linesolve import LineOperator
from memlab.arrays._multigrid import CoarseSpace
from memlab.devices import SinhConductance

sys.path.insert(0, os.path.dirname(__file__))
from test_solver import dense_reference  # noqa: E402

TWO = AutoPolicy(two_level_min_length=0.0)        # always add the coarse correction
LINE = AutoPolicy(two_level_min_length=np.inf)    # line preconditioner alone


def hat_matrix(n, h):
    """Fine (n) x coarse interpolation by explicit hat functions at 0, h, 2h, ..., n - 1."""
    nodes = sorted(set(range(0, n, h)) | {n - 1})
    x = np.arange(n)
    cols = []
    for k, c in enumerate(nodes):
        lo = nodes[k - 1] if k > 0 else c
        hi = nodes[k + 1] if k + 1 < len(nodes) else c
        f = np.zeros(n)
        if c > lo:
            m = (x >= lo) & (x <= c)
            f[m] = (x[m] - lo) / (c - lo)
        if hi > c:
            m = (x >= c) & (x <= hi)
            f[m] = (hi - x[m]) / (hi - c)
        f[c] = 1.0
        cols.append(f)
    return np.array(cols).T


@pytest.mark.parametrize("M,N,h,rd,rs", [(37, 29, 4, 1.0, 2.0), (32, 48, 8, 0.0, 0.0), (20, 33, 2, 0.0, 1.0),
                                         (25, 18, 4, 1.0, 0.0)])
def test_coarse_matrix_is_the_galerkin_product_of_the_nodal_matrix(M, N, h, rd, rs):
    # A_c must equal Q^T A_ff Q for the assembled nodal matrix (library assembly, not the line
    # operator) with Q putting the same bilinear field on word- and bit-line nodes (fixed
    # Dirichlet nodes left out): the cell conductances cancel exactly; round-off only
    rng = np.random.default_rng(M + N)
    G = rng.uniform(1e-6, 1e-3, (M, N))
    xb = Crossbar(G, r_row=rng.uniform(0.5, 2, (M, N - 1)), r_col=rng.uniform(0.5, 2, (M - 1, N)), r_driver=rd,
                  r_sense=rs)
    t = xb.topo
    P = np.kron(hat_matrix(M, h), hat_matrix(N, h))            # (M N, coarse)
    Q = np.zeros((t.n_free, P.shape[1]))
    for node in (t.w_node.ravel(), t.b_node.ravel()):
        free = node < t.n_free
        Q[node[free]] += P[free]
    A = assemble(t, G)["A_ff"].toarray()
    ref = Q.T @ A @ Q
    got = CoarseSpace(LineOperator(t, G), h)._Ac.toarray()
    assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()


CASES = [  # (M, N, g_max S, r_wire ohm, r_driver, r_sense, v_bl): electrically long, every termination
    (40, 40, 1e-2, 10.0, 1.0, 1.0, False),
    (48, 36, 1e-2, 5.0, 0.0, 0.0, True),
    (36, 52, 5e-3, 10.0, 0.0, 2.0, False),
    (44, 40, 1e-2, 10.0, 3.0, 0.0, True),
]


@pytest.mark.parametrize("M,N,gmax,rw,rd,rs,bl", CASES)
def test_two_level_cg_matches_dense_solve(M, N, gmax, rw, rd, rs, bl):
    # tolerance 1e-9 relative (the bar; rtol=1e-12 KCL on a well-conditioned circuit)
    rng = np.random.default_rng(M * N)
    G = rng.uniform(gmax / 100, gmax, (M, N))
    rr = np.full((M, N - 1), rw) * rng.uniform(0.5, 1.5, (M, N - 1))
    rc = np.full((M - 1, N), rw) * rng.uniform(0.5, 1.5, (M - 1, N))
    v = rng.uniform(-0.5, 0.5, M)
    vbl = rng.uniform(-0.2, 0.2, N) if bl else np.zeros(N)
    i_out, i_in, vw, vb = dense_reference(G, rr, rc, np.full(M, rd), np.full(N, rs), v, vbl)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    s = xb.solve(v, v_bl=vbl, method="cg", rtol=1e-12, policy=TWO, full=True)
    assert s.info["coarse_spacing"] >= 2
    scale = np.abs(i_out).max()
    assert np.abs(s.i_out - i_out).max() <= 1e-9 * scale
    assert np.abs(s.i_in - i_in).max() <= 1e-9 * np.abs(i_in).max()
    assert np.abs(s.v_bit - vb).max() <= 1e-9 * np.abs(v).max()


def test_two_level_newton_matches_direct_newton():
    # sinh cells: Newton with two-level inner CG against Newton with the refactorised sparse
    # Jacobian (other inner solver, same equations); both at rtol 1e-12 -> agree to 1e-9
    rng = np.random.default_rng(3)
    M, N = 48, 40
    G = rng.uniform(1e-4, 1e-2, (M, N))
    for rd, rs in ((1.0, 1.0), (0.0, 0.0)):
        xb = Crossbar(G, r_row=5.0, r_col=5.0, r_driver=rd, r_sense=rs, cell=SinhConductance(v0=0.25))
        v = rng.uniform(0, 0.6, M)
        ref = xb.solve(v, method="direct", rtol=1e-12)
        got = xb.solve(v, method="cg", rtol=1e-12, policy=TWO)
        assert got.info["coarse_spacing"] >= 2
        assert np.abs(got.i_out - ref.i_out).max() <= 1e-9 * np.abs(ref.i_out).max()


def _long(n, seed=0):
    G = np.random.default_rng(seed).uniform(1e-4, 1e-2, (n, n))
    return Crossbar(G, r_row=10.0, r_col=10.0, r_driver=1.0, r_sense=1.0)   # decay length ~4.5 cells


def test_iteration_count_is_flat_with_size():
    # line CG alone needs iterations ~ n / lambda (measured: 29, 53, 101 at 64^2, 128^2, 256^2);
    # the two-level preconditioner keeps them flat (measured 15, 15, 15, h = 4): bound 18
    v = np.random.default_rng(1).uniform(0, 0.3, 256)
    its = {n: _long(n).solve(v[:n], method="cg", policy=TWO).iterations for n in (64, 128, 256)}
    assert max(its.values()) <= 18, its
    line = _long(256).solve(v, method="cg", policy=LINE).iterations
    assert line > 4 * its[256], (line, its)


def test_auto_policy_uses_two_level_only_on_electrically_long_arrays():
    v = np.full(128, 0.2)
    assert _long(128).solve(v, method="cg").info["coarse_spacing"] > 0
    short = Crossbar(np.full((128, 128), 1e-5), r_row=0.1, r_col=0.1, r_driver=1.0, r_sense=1.0)
    assert short.solve(v, method="cg").info["coarse_spacing"] == 0


def test_open_word_line_segments():
    # a block of open word-line segments (r_row = inf): the coarse matrix loses those wires,
    # the solve must still give the dense reference's answer
    rng = np.random.default_rng(5)
    M = N = 40
    G = rng.uniform(1e-4, 1e-2, (M, N))
    rr = np.full((M, N - 1), 10.0)
    rc = np.full((M - 1, N), 10.0)
    rr[8:24, 8:24] = np.inf
    v = rng.uniform(0, 0.5, M)
    i_out = dense_reference(G, rr, rc, np.ones(M), np.ones(N), v)[0]
    s = Crossbar(G, r_row=rr, r_col=rc, r_driver=1.0, r_sense=1.0).solve(v, method="cg", rtol=1e-12, policy=TWO)
    assert np.abs(s.i_out - i_out).max() <= 1e-9 * np.abs(i_out).max()


@pytest.mark.parametrize("wires", ["segments", "ideal_terminations", "zero_segments"])
def test_mixed_precision_preconditioner_keeps_the_answer_and_the_residual(wires):
    # AutoPolicy.mixed_precision_min_cells = 0: the bit-line preconditioner solve in float32; the
    # operator, the residual check and CG stay float64, so the answer must equal the float64 run
    # and the direct factorisation to the KCL tolerance (rtol 1e-10, the benchmarks' tolerance,
    # above this circuit's round-off floor of ~2e-11; 1e-9 on the currents: measured 1e-11..1e-10)
    rng = np.random.default_rng(21)
    M, N = 64, 48
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr, rc, rd, rs = rng.uniform(0.5, 2.0, (M, N - 1)), rng.uniform(0.5, 2.0, (M - 1, N)), 1.0, 1.0
    if wires == "ideal_terminations":
        rd, rs = 0.0, 0.0
    if wires == "zero_segments":
        rr[::7, :] = 0.0
        rc[rng.random(rc.shape) < 0.1] = 0.0
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    V = rng.uniform(0.0, 0.3, (M, 3))
    ref = xb.solve(V, method="direct", rtol=1e-12)
    for two in (0.0, np.inf):
        out = {}
        for mp, cells in (("f32", 0), ("f64", 1 << 62)):
            pol = AutoPolicy(two_level_min_length=two, mixed_precision_min_cells=cells)
            s = xb.solve(V, method="cg", rtol=1e-10, policy=pol)
            assert s.info["mixed_precision"] == (mp == "f32")
            assert s.residual <= 1e-10
            assert np.max(np.abs(s.i_out - ref.i_out)) <= 1e-9 * np.max(np.abs(ref.i_out)), (two, mp)
            out[mp] = s
        assert np.max(np.abs(out["f32"].i_out - out["f64"].i_out)) <= 1e-9 * np.max(np.abs(ref.i_out))
        assert out["f32"].iterations <= out["f64"].iterations + 2


@pytest.mark.parametrize("rd,rs", [(1.0, 1.0), (0.0, 0.0)])
def test_mixed_precision_newton_cg_matches_direct_newton(rd, rs):
    # Newton-CG with the float32 bit-line preconditioner (AutoPolicy.mixed_precision_min_cells = 0)
    # against Newton with the refactorised sparse Jacobian (other inner solver, no float32 anywhere):
    # both at rtol 1e-12, so the currents agree to 1e-9 as in the float64 test above; full node
    # voltages and cell currents too (they come from the line grids on this path)
    rng = np.random.default_rng(5)
    M, N = 40, 36
    G = rng.uniform(1e-4, 1e-2, (M, N))
    xb = Crossbar(G, r_row=5.0, r_col=5.0, r_driver=rd, r_sense=rs, cell=SinhConductance(v0=0.25))
    v = rng.uniform(0, 0.6, M)
    ref = xb.solve(v, method="direct", rtol=1e-12)
    for two in (0.0, np.inf):
        pol = AutoPolicy(two_level_min_length=two, mixed_precision_min_cells=0)
        got = xb.solve(v, method="cg", rtol=1e-12, policy=pol)
        assert got.info["mixed_precision"] is True
        assert np.abs(got.i_out - ref.i_out).max() <= 1e-9 * np.abs(ref.i_out).max()
        assert np.abs(got.i_in - ref.i_in).max() <= 1e-9 * np.abs(ref.i_in).max()
        assert np.abs(got.v_word - ref.v_word).max() <= 1e-9 * 0.6
        assert np.abs(got.i_cell - ref.i_cell).max() <= 1e-9 * np.abs(ref.i_cell).max()
    f64 = xb.solve(v, method="cg", rtol=1e-12, policy=AutoPolicy(mixed_precision_min_cells=1 << 62))
    assert f64.info["mixed_precision"] is False


@pytest.mark.parametrize("M,N,h,rs", [(40, 600, 8, 1.0), (33, 530, 4, 0.0), (300, 17, 16, 1.0)])
def test_restriction_taken_in_the_bit_line_sweep_is_the_hat_function_product(M, N, h, rs):
    # the coarse restriction P^T r computed inside the preconditioner's forward sweep (rows
    # and columns, block by block of bit lines) equals H_y^T r H_x with explicit hat
    # functions; with 0-ohm sense the last row's Dirichlet dummies are left out. Tolerance:
    # sums of up to rows x cols terms of O(1), 1e-12 relative
    from memlab.arrays._linekern import BLK, solve_b_dot_restrict
    from memlab.arrays._linesolve import _NO_UPD
    rng = np.random.default_rng(M + N)
    G = rng.uniform(1e-6, 1e-4, (M, N))
    xb = Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=rs)
    op = LineOperator(xb.topo, G)
    cs = CoarseSpace(op, h)
    r = rng.standard_normal((2, M, N))
    base, width = cs.block_layout(N)
    nblk = (N + BLK - 1) // BLK
    rloc = np.empty((2, nblk, cs.shape[0], width))
    z = np.empty_like(r)
    part = np.empty((2, nblk))
    last = cs.last_row_mask(N, op.fixed_cols)
    solve_b_dot_restrict(*op._pre, r, z, part, False, *_NO_UPD, cs.ly, cs.ty, cs.lx, cs.tx, last, base, rloc)
    got = cs.restrict_blocks(rloc, base)
    rm = r.copy()
    rm[:, -1, op.fixed_cols] = 0.0
    want = np.einsum("ia,kij,jb->kab", hat_matrix(M, h), rm, hat_matrix(N, h))
    assert (rs == 0.0) == (op.fixed_cols.size == N)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
