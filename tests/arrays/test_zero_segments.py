"""Zero-resistance wire segments (merged nodes) in line CG, the two-level CG, Newton-CG and the port model.

Reference: ``method="direct"``, the sparse factorisation of the nodal matrix on the merged
topology (shorted nodes eliminated exactly by :func:`~memlab.arrays._topology.build_topology`,
none of the line kernels), and closed forms on 1 x 2 and 2 x 1 arrays (a shorted segment puts
two cells in parallel). Acceptance (issue 18): every method within 1e-9 of the direct solver.
The solvers stop at a relative KCL residual of 1e-12 here; 1e-9 leaves room for the
conditioning of the current extraction (measured here: up to 7.7e-11, line CG).
"""
import warnings

import numpy as np
import pytest

from memlab.arrays import AutoPolicy, Crossbar
from memlab.devices import SinhConductance
from memlab.errors import AccuracyWarning

TWO_LEVEL = AutoPolicy(two_level_min_length=0.0)   # coarse correction on every size it fits
LINE = AutoPolicy(two_level_min_length=np.inf)


def pattern(name, M, N, rng):
    """Wire resistances (ohm) with zero segments in one of the named patterns."""
    rr = rng.uniform(0.5, 3.0, (M, N - 1))
    rc = rng.uniform(0.5, 3.0, (M - 1, N))
    if name == "whole_lines":          # a whole word line and a whole bit line shorted
        rr[M // 3, :] = 0.0
        rc[:, N // 2] = 0.0
    elif name == "isolated":           # scattered single zero segments
        rr[rng.random(rr.shape) < 0.15] = 0.0
        rc[rng.random(rc.shape) < 0.15] = 0.0
    elif name == "at_ends":            # zeros at the driver and sense ends and at the far (open) ends
        rr[:, 0] = 0.0
        rr[::2, -1] = 0.0
        rc[-1, :] = 0.0
        rc[0, 1::2] = 0.0
        rr[1, :3] = 0.0
        rc[-3:, 2] = 0.0
    return rr, rc


def terminations(name, M, N):
    rd, rs = np.ones(M), np.full(N, 2.0)
    if name == "zero":                 # ideal drivers and virtual grounds (Dirichlet runs)
        rd[:], rs[:] = 0.0, 0.0
    elif name == "open":               # open drivers / sense amplifiers next to zero segments
        rd[1::3] = np.inf
        rs[::2] = np.inf
        rd[0] = 0.0
    return rd, rs


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


PATTERNS = ["whole_lines", "isolated", "at_ends"]
TERMS = ["finite", "zero", "open"]


@pytest.mark.parametrize("pat", PATTERNS)
@pytest.mark.parametrize("term", TERMS)
def test_linear_every_method_matches_direct(pat, term):
    rng = np.random.default_rng(10 * PATTERNS.index(pat) + TERMS.index(term))
    M, N = 24, 20
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr, rc = pattern(pat, M, N, rng)
    rd, rs = terminations(term, M, N)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    V = rng.uniform(-0.3, 0.3, (M, 5))
    vbl = rng.uniform(-0.05, 0.05, N)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        ref = xb.solve(V, v_bl=vbl, method="direct", rtol=1e-12, full=True)
        for label, kw in (("line", dict(method="cg", policy=LINE)), ("2level", dict(method="cg", policy=TWO_LEVEL)),
                          ("ports", dict(method="ports", full=False, rtol=1e-10))):
            s = xb.solve(V, v_bl=vbl, **({"rtol": 1e-12} | kw))
            assert rel(s.i_out, ref.i_out) <= 1e-9, (label, rel(s.i_out, ref.i_out))
            assert rel(s.i_in, ref.i_in) <= 1e-9, (label, rel(s.i_in, ref.i_in))
            if label == "2level":
                assert s.info["coarse_spacing"] > 0       # the coarse correction was really used
            if s.v_word is not None:                       # node voltages: merged nodes share one value
                assert rel(s.v_word, ref.v_word) <= 1e-9 and rel(s.v_bit, ref.v_bit) <= 1e-9


@pytest.mark.parametrize("pat", PATTERNS)
@pytest.mark.parametrize("term", ["finite", "zero"])
def test_sinh_newton_cg_matches_newton_direct(pat, term):
    rng = np.random.default_rng(7 + PATTERNS.index(pat))
    M, N = 20, 18
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr, rc = pattern(pat, M, N, rng)
    rd, rs = terminations(term, M, N)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs, cell=SinhConductance(v0=0.25))
    v = rng.uniform(0.0, 0.6, M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        ref = xb.solve(v, method="direct", rtol=1e-12)
        for pol in (LINE, TWO_LEVEL):
            s = xb.solve(v, method="cg", rtol=1e-12, policy=pol)
            assert rel(s.i_out, ref.i_out) <= 1e-9 and rel(s.i_in, ref.i_in) <= 1e-9


@pytest.mark.parametrize("method", ["direct", "cg", "ports"])
def test_shorted_segment_closed_forms(method):
    # 1 x 2, word segment shorted: one word node feeding two series (cell + sense) branches in
    # parallel behind the driver; 2 x 1, bit segment shorted: two driven branches into one node
    G1, G2, rd, rs, v = 3e-5, 7e-5, 40.0, 25.0, 0.2
    g1, g2 = 1 / (1 / G1 + rs), 1 / (1 / G2 + rs)
    vw = v * (1 / rd) / (1 / rd + g1 + g2)
    xb = Crossbar(np.array([[G1, G2]]), r_row=0.0, r_col=1.0, r_driver=rd, r_sense=rs)
    s = xb.solve(np.array([v]), method=method, rtol=1e-12, full=False if method == "ports" else None)
    assert np.allclose(s.i_out, [vw * g1, vw * g2], rtol=1e-12, atol=0)
    assert np.allclose(s.i_in, [vw * (g1 + g2)], rtol=1e-12, atol=0)
    va, vb = 0.3, -0.1
    h1, h2 = 1 / (1 / G1 + rd), 1 / (1 / G2 + rd)      # driver + cell in series, per row
    vbit = (h1 * va + h2 * vb) / (h1 + h2 + 1 / rs)
    xb = Crossbar(np.array([[G1], [G2]]), r_row=1.0, r_col=0.0, r_driver=rd, r_sense=rs)
    s = xb.solve(np.array([va, vb]), method=method, rtol=1e-12, full=False if method == "ports" else None)
    assert np.allclose(s.i_out, [vbit / rs], rtol=1e-12, atol=0)
    assert np.allclose(s.i_in, [h1 * (va - vbit), h2 * (vb - vbit)], rtol=1e-12, atol=0)


def test_all_segments_shorted_every_method():
    # every word line and bit line one node each (r_row = r_col = 0), finite terminations: the
    # hand-derived (rows + cols) nodal system of test_solver.test_zero_wire_resistance_is_ideal_mvm
    rng = np.random.default_rng(5)
    G = rng.uniform(1e-6, 1e-4, (7, 5))
    v = rng.uniform(-1, 1, 7)
    rd, rs = 3.0, 7.0
    A = np.block([[np.diag(G.sum(1) + 1 / rd), -G], [-G.T, np.diag(G.sum(0) + 1 / rs)]])
    x = np.linalg.solve(A, np.concatenate([v / rd, np.zeros(5)]))
    xb = Crossbar(G, r_row=0, r_col=0, r_driver=rd, r_sense=rs)
    for method in ("cg", "ports"):
        s = xb.solve(v, method=method, rtol=1e-12, full=False if method == "ports" else None)
        assert np.allclose(s.i_out, x[7:] / rs, rtol=1e-10, atol=0), method


def test_adjoint_with_zero_segments_against_finite_differences():
    # vjp (adjoint solve through line CG and through the direct factor) against central
    # differences of the direct forward solve; linear cells: the outputs are rational in G and
    # the relative step 1e-4 leaves a truncation error ~1e-8 (round-off ~1e-12)
    rng = np.random.default_rng(11)
    M, N = 16, 16
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr, rc = pattern("at_ends", M, N, rng)
    rr[5, :] = 0.0
    kw = dict(r_row=rr, r_col=rc, r_driver=0.0, r_sense=1.0)
    v = rng.uniform(0.0, 0.3, M)
    c = rng.normal(size=N)
    xb = Crossbar(G, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        sol = xb.solve(v, method="direct", rtol=1e-12, full=True)
        g_d = sol.vjp(c, method="direct", rtol=1e-12)
        g_c = sol.vjp(c, method="cg", rtol=1e-12)
        assert rel(g_c.conductance, g_d.conductance) <= 1e-9
        for (i, j) in [(0, 0), (5, 3), (15, 15), (M - 1, 2)]:
            h = 1e-4 * G[i, j]
            Gp, Gm = G.copy(), G.copy()
            Gp[i, j] += h
            Gm[i, j] -= h
            fd = (c @ Crossbar(Gp, **kw).solve(v, method="direct", rtol=1e-12).i_out
                  - c @ Crossbar(Gm, **kw).solve(v, method="direct", rtol=1e-12).i_out) / (2 * h)
            assert abs(g_c.conductance[i, j] - fd) <= 1e-6 * np.max(np.abs(g_c.conductance)), (i, j)
        # jvp (line operator with merged runs) is the transpose of the vjp
        z = rng.uniform(0.5, 1.0, (M, N))
        do, _ = sol.jvp(conductance=z)
        assert abs(c @ do - np.sum(g_d.conductance * z)) <= 1e-9 * abs(np.sum(g_d.conductance * z))
