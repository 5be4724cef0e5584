"""Crossbar solver: independent dense references, limits, KCL contract, batch/transfer, bad input."""
import numpy as np
import pytest

from memlab.arrays import Crossbar, SeriesCell
from memlab.devices import Selector, SinhConductance
from memlab.arrays._direct import HAVE_CHOLMOD
from memlab.errors import ConvergenceError, MemlabError, ParameterError, ShapeError, SingularCircuitError


def dense_reference(G, rr, rc, rd, rs, v, vbl=None):
    """Independent dense nodal solve with its own numbering (all w first, then all b), loops.

    Written separately from the library (no shared code): stamps every element by hand. A
    zero driver or sense resistance makes its node a known voltage (eliminated here by hand),
    an infinite one leaves the node unterminated; ``vbl``: bit-line amplifier voltages (V).
    """
    M, N = G.shape
    vbl = np.zeros(N) if vbl is None else vbl
    n = 2 * M * N
    A = np.zeros((n, n))
    b = np.zeros(n)
    W = lambda i, j: i * N + j  # noqa: E731
    B = lambda i, j: M * N + i * N + j  # noqa: E731
    known = {W(i, 0): v[i] for i in range(M) if rd[i] == 0}
    known.update({B(M - 1, j): vbl[j] for j in range(N) if rs[j] == 0})

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
    with np.errstate(divide="ignore", invalid="ignore"):
        i_out = np.array([(x[B(M - 1, j)] - vbl[j]) / rs[j] if rs[j] > 0 else -inj[B(M - 1, j)] for j in range(N)])
        i_in = np.array([(v[i] - x[W(i, 0)]) / rd[i] if rd[i] > 0 else inj[W(i, 0)] for i in range(M)])
    vw = x[: M * N].reshape(M, N)
    vb = x[M * N:].reshape(M, N)
    return i_out, i_in, vw, vb


def random_case(M, N, seed=0):
    rng = np.random.default_rng(seed)
    G = rng.uniform(1e-6, 1e-4, (M, N))
    rr = rng.uniform(0.5, 5.0, (M, N - 1))
    rc = rng.uniform(0.5, 5.0, (M - 1, N))
    rd = rng.uniform(1.0, 20.0, M)
    rs = rng.uniform(1.0, 20.0, N)
    v = rng.uniform(-0.5, 0.5, M)
    return G, rr, rc, rd, rs, v


METHODS = ["direct", "cg"]


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (5, 9), (13, 8)])
@pytest.mark.parametrize("method", METHODS)
def test_matches_dense_reference(shape, method):
    G, rr, rc, rd, rs, v = random_case(*shape, seed=sum(shape))
    ref_out, ref_in, vw, vb = dense_reference(G, rr, rc, rd, rs, v)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    s = xb.solve(v, method=method)
    scale = np.max(np.abs(ref_out))
    # both are float64 solves of the same well-conditioned system; 1e-9 leaves room for the
    # CG stopping test (KCL residual 1e-10 relative to the driver currents)
    assert np.max(np.abs(s.i_out - ref_out)) <= 1e-9 * scale
    assert np.max(np.abs(s.i_in - ref_in)) <= 1e-9 * np.max(np.abs(ref_in))
    assert np.max(np.abs(s.v_word - vw)) <= 1e-9 * np.max(np.abs(v))
    assert np.max(np.abs(s.v_bit - vb)) <= 1e-9 * np.max(np.abs(v))
    assert np.allclose(s.v_cell, s.v_word - s.v_bit, rtol=0, atol=1e-15)
    assert np.allclose(s.i_cell, G * s.v_cell, rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", METHODS)
def test_kcl_residual_and_conservation(method):
    G, rr, rc, rd, rs, v = random_case(24, 17, seed=3)
    s = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs).solve(v, method=method)
    assert s.residual < 1e-9  # issue requirement
    # all current leaves through the sense amplifiers (the only path to ground); the
    # mismatch is bounded by the summed KCL residual (< 1e-9 relative)
    assert abs(s.i_in.sum() - s.i_out.sum()) <= 1e-9 * np.abs(s.i_in).sum()
    # power delivered equals power dissipated in cells + wires + drivers + sense resistors
    p_cells = np.sum(s.v_cell * s.i_cell)
    p_wl = np.sum((s.v_word[:, 1:] - s.v_word[:, :-1]) ** 2 / rr)
    p_bl = np.sum((s.v_bit[1:] - s.v_bit[:-1]) ** 2 / rc)
    p_drv = np.sum(s.i_in ** 2 * rd)
    p_sen = np.sum(s.i_out ** 2 * rs)
    assert s.power == pytest.approx(p_cells + p_wl + p_bl + p_drv + p_sen, rel=1e-9)


def test_zero_wire_resistance_is_ideal_mvm():
    rng = np.random.default_rng(5)
    G = rng.uniform(1e-6, 1e-4, (7, 5))
    v = rng.uniform(-1, 1, 7)
    s = Crossbar(G, r_row=0, r_col=0, r_driver=0, r_sense=0).solve(v)
    # exact G.T @ v: no unknowns remain, the currents are summed element by element
    assert np.allclose(s.i_out, G.T @ v, rtol=1e-13, atol=0)
    # with driver and sense terms: each word line / bit line is one node (hand-derived
    # two-node-per-line network): solve the (rows+cols) nodal system by hand
    rd, rs = 3.0, 7.0
    s2 = Crossbar(G, r_row=0, r_col=0, r_driver=rd, r_sense=rs).solve(v)
    M, N = G.shape
    A = np.block([[np.diag(G.sum(1) + 1 / rd), -G], [-G.T, np.diag(G.sum(0) + 1 / rs)]])
    x = np.linalg.solve(A, np.concatenate([v / rd, np.zeros(N)]))
    assert np.allclose(s2.i_out, x[M:] / rs, rtol=1e-12, atol=0)


def test_partial_shorts_match_tiny_resistances():
    G, rr, rc, rd, rs, v = random_case(6, 5, seed=9)
    rr[2, 1] = 0.0
    rc[3, :] = 0.0
    rd[1] = 0.0
    rs[2] = 0.0
    s = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs).solve(v)
    eps = 1e-4
    ref_out, ref_in, _, _ = dense_reference(G, np.where(rr == 0, eps, rr), np.where(rc == 0, eps, rc),
                                            np.where(rd == 0, eps, rd), np.where(rs == 0, eps, rs), v)
    # replacing a short by 1e-4 ohm changes currents by O(1e-4 ohm * sum G) ~ 1e-7 relative
    assert np.allclose(s.i_out, ref_out, rtol=1e-6, atol=0)
    assert np.allclose(s.i_in, ref_in, rtol=1e-6, atol=0)
    assert abs(s.i_in.sum() - s.i_out.sum()) <= 1e-12 * np.abs(s.i_in).sum()


def test_infinite_off_isolation_no_sneak_current():
    # only cell (2, 3) conducts; every other cell is an open circuit (G_off -> 0)
    G = np.zeros((5, 6))
    G[2, 3] = 5e-5
    v = np.zeros(5)
    v[2] = 0.4
    v[0] = -0.3  # other rows driven: with ideal isolation they must not leak anywhere
    rd, rs, r = 2.0, 3.0, 1.5
    s = Crossbar(G, r_row=r, r_col=r, r_driver=rd, r_sense=rs).solve(v, method="direct")
    expect = 0.4 / (rd + 3 * r + 1 / G[2, 3] + (5 - 1 - 2) * r + rs)  # series path, hand computed
    others = np.delete(s.i_out, 3)
    assert np.all(others == 0.0)
    assert s.i_out[3] == pytest.approx(expect, rel=1e-12)
    # row 0 has no conducting cell: its driver current is round-off of v/r_driver (0.15 A) only
    assert abs(s.i_in[0]) <= 1e-15


@pytest.mark.parametrize("method", ["direct", "cg"])
def test_batch_equals_columns(method):
    G, rr, rc, rd, rs, _ = random_case(16, 11, seed=4)
    V = np.random.default_rng(1).uniform(-0.3, 0.3, (16, 5))
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    sb = xb.solve(V, method=method)
    for k in range(5):
        sk = xb.solve(V[:, k], method=method)
        assert np.allclose(sb.i_out[:, k], sk.i_out, rtol=1e-9, atol=0)
        assert np.allclose(sb.v_bit[..., k], sk.v_bit, rtol=1e-9, atol=1e-15)
    assert sb.i_out.shape == (11, 5) and sb.v_word.shape == (16, 11, 5) and sb.power.shape == (5,)


def test_transfer_matrix_reproduces_solve():
    G, rr, rc, rd, rs, _ = random_case(12, 9, seed=6)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    T = xb.transfer_matrix()
    assert T.shape == (9, 12)
    V = np.random.default_rng(2).uniform(-1, 1, (12, 4))
    s = xb.solve(V, method="direct")
    assert np.allclose(T @ V, s.i_out, rtol=1e-10, atol=1e-18)
    # with IR drop every entry is below the ideal conductance and positive
    assert np.all(T > 0) and np.all(T < G.T)


@pytest.mark.skipif(not HAVE_CHOLMOD, reason="port reduction needs scikit-sparse (CHOLMOD)")
def test_port_reduction_matches_direct():
    G, rr, rc, rd, rs, _ = random_case(30, 20, seed=8)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    V = np.random.default_rng(3).uniform(-1, 1, (30, 40))
    a = xb.solve(V, method="direct")
    b = xb.solve(V, method="ports")
    assert b.method == "ports" and b.v_word is None
    assert np.allclose(a.i_out, b.i_out, rtol=1e-10, atol=1e-18)
    assert np.allclose(a.i_in, b.i_in, rtol=1e-10, atol=1e-18)
    assert b.residual < 1e-9
    # auto picks the port model for a large batch without node voltages
    assert xb.solve(V, full=False).method == "ports"


@pytest.mark.parametrize("method", METHODS)
def test_nonlinear_newton_kcl(method):
    G, rr, rc, rd, rs, v = random_case(10, 12, seed=12)
    v = np.abs(v) + 0.3
    cell = SinhConductance(v0=0.12)
    s = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs, cell=cell).solve(v, method=method)
    assert s.residual < 1e-9 and s.newton_steps >= 2
    # cell currents are the device law at the returned cell voltages
    assert np.allclose(s.i_cell, cell.current(s.v_cell, G), rtol=1e-12)
    assert abs(s.i_in.sum() - s.i_out.sum()) <= 1e-9 * s.i_in.sum()
    # per-node KCL from the returned voltages, computed independently here
    M, N = G.shape
    vw, vb = s.v_word, s.v_bit
    kw = s.i_cell.copy()
    kw[:, :-1] += (vw[:, :-1] - vw[:, 1:]) / rr
    kw[:, 1:] += (vw[:, 1:] - vw[:, :-1]) / rr
    kw[:, 0] -= (v - vw[:, 0]) / rd
    kb = -s.i_cell
    kb[:-1] += (vb[:-1] - vb[1:]) / rc
    kb[1:] += (vb[1:] - vb[:-1]) / rc
    kb[-1] += vb[-1] / rs
    assert np.sqrt(np.sum(kw ** 2) + np.sum(kb ** 2)) <= 1e-9 * np.linalg.norm(s.i_in)
    # the nonlinear cell conducts more than its small-signal conductance at these biases
    lin = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs).solve(v)
    assert np.all(s.i_out > lin.i_out)


def test_nonlinear_direct_and_cg_agree_and_series_cells():
    G, rr, rc, rd, rs, v = random_case(9, 7, seed=13)
    v = np.abs(v) + 0.2
    for cell in (SinhConductance(v0=0.15), SeriesCell(Selector(i_s=2e-5, v_s=0.1), SinhConductance(v0=0.2))):
        xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs, cell=cell)
        a = xb.solve(v, method="direct")
        b = xb.solve(v, method="cg")
        assert np.allclose(a.i_out, b.i_out, rtol=1e-8)


def test_series_cell_split_is_consistent():
    cell = SeriesCell(Selector(i_s=1e-5, v_s=0.08), SinhConductance(v0=0.2))
    v = np.linspace(-1.0, 1.0, 41)
    x = np.full(v.shape, 5e-5)
    s = cell.split(v, x)
    i1 = cell.first.current(s, x)
    i2 = cell.second.current(v - s, x)
    assert np.allclose(i1, i2, rtol=1e-9, atol=1e-18)
    # di/dv against a central difference (h = 1e-6 V; error O(h^2) ~ 1e-12 relative)
    h = 1e-6
    fd = (cell.current(v + h, x) - cell.current(v - h, x)) / (2 * h)
    assert np.allclose(cell.di_dv(v, x), fd, rtol=1e-6)


def test_convergence_error_not_nan():
    G, rr, rc, rd, rs, v = random_case(20, 20, seed=2)
    xb = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs)
    with pytest.raises(ConvergenceError) as e:
        xb.solve(v, method="cg", maxiter=1)
    assert e.value.residual is not None and np.isfinite(e.value.residual)
    xbn = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs, cell=SinhConductance(v0=0.05))
    with pytest.raises(ConvergenceError):
        xbn.solve(np.full(20, 2.0), newton_maxiter=1)


@pytest.mark.parametrize("bad, name", [
    (dict(conductance=np.array([[1e-5, -1e-6]])), "conductance[0,1]"),
    (dict(conductance=np.array([[1e-5, np.nan]])), "conductance[0,1]"),
    (dict(conductance=np.array([[1e-5, np.inf]])), "conductance[0,1]"),
    (dict(r_row=-1.0), "r_row"),
    (dict(r_col=np.nan), "r_col"),
    (dict(r_driver=np.array([1.0, -2.0])), "r_driver[1]"),
])
def test_bad_values_name_the_parameter(bad, name):
    kw = dict(conductance=np.full((2, 2), 1e-5), r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
    kw.update(bad)
    with pytest.raises(ParameterError, match=name.replace("[", r"\[").replace("]", r"\]")):
        Crossbar(kw.pop("conductance"), **kw)


def test_shape_errors():
    with pytest.raises(ShapeError, match="r_row"):
        Crossbar(np.full((3, 4), 1e-5), r_row=np.ones((3, 4)))
    with pytest.raises(ShapeError, match="conductance"):
        Crossbar(np.full(4, 1e-5))
    xb = Crossbar(np.full((3, 4), 1e-5), r_row=1, r_col=1, r_driver=1, r_sense=1)
    with pytest.raises(ShapeError, match="v_in"):
        xb.solve(np.ones(4))
    with pytest.raises(ParameterError, match="v_in"):
        xb.solve(np.array([0.1, np.nan, 0.2]))
    with pytest.raises(ParameterError, match="method"):
        xb.solve(np.ones(3), method="lu")


def test_floating_subnetwork_named():
    G = np.full((4, 4), 1e-5)
    G[:, 2] = 0.0            # column 2 has no cell conductance ...
    rs = np.ones(4)
    rs[2] = np.inf           # ... and no sense path: bit line 2 floats
    xb = Crossbar(G, r_row=1, r_col=1, r_driver=1, r_sense=rs)
    with pytest.raises(SingularCircuitError) as e:
        xb.solve(np.ones(4))
    assert "b[0,2]" in e.value.nodes and "b[3,2]" in e.value.nodes and len(e.value.nodes) == 4
    assert "b[0,2]" in str(e.value)
    # a word line cut off by an open segment, with its cells open, floats too
    rr = np.ones((4, 3))
    rr[1, 0] = np.inf
    G2 = np.full((4, 4), 1e-5)
    G2[1, 1:] = 0.0
    with pytest.raises(SingularCircuitError, match=r"w\[1,1\]"):
        Crossbar(G2, r_row=rr, r_col=1, r_driver=1, r_sense=1).solve(np.ones(4))
    # no driver path at all
    with pytest.raises(SingularCircuitError):
        Crossbar(np.full((2, 2), 1e-5), r_row=1, r_col=1, r_driver=np.inf, r_sense=np.inf).solve(np.ones(2))


def test_cg_solves_shorts_and_errors_are_memlab():
    # zero word-line segments are merged runs inside line CG (issue 18; tests/arrays/test_zero_segments.py)
    xb = Crossbar(np.full((3, 3), 1e-5), r_row=0, r_col=1, r_driver=1, r_sense=1)
    ref = xb.solve(np.ones(3), method="direct", rtol=1e-12)
    s = xb.solve(np.ones(3), method="cg", rtol=1e-12)
    assert np.allclose(s.i_out, ref.i_out, rtol=1e-9, atol=0)
    assert issubclass(SingularCircuitError, MemlabError)


def test_transfer_matrix_rejects_nonlinear():
    xb = Crossbar(np.full((2, 2), 1e-5), r_row=1, r_col=1, r_driver=1, r_sense=1, cell=SinhConductance(v0=0.2))
    with pytest.raises(ParameterError, match="linear"):
        xb.transfer_matrix()


@pytest.mark.parametrize("method", METHODS)
def test_roundoff_floor_warns_instead_of_failing(method):
    # 1 ohm wires with 10 Mohm drivers: the source currents (~1e-8 A) are ~1e8 times smaller
    # than the wire conductance times the node voltages, so float64 cannot evaluate KCL to
    # 1e-10 relative; the solver returns the best float64 answer with an AccuracyWarning
    from memlab.errors import AccuracyWarning
    G, rr, rc, _, _, v = random_case(20, 20, seed=21)
    rd = np.full(20, 1e7)
    rs = np.full(20, 1e7)
    with pytest.warns(AccuracyWarning, match="round-off"):
        s = Crossbar(G, r_row=rr, r_col=rc, r_driver=rd, r_sense=rs).solve(v, method=method)
    ref_out, _, _, _ = dense_reference(G, rr, rc, rd, rs, v)
    assert np.all(np.isfinite(s.i_out))
    # the driver-limited currents themselves are still accurate (well-conditioned outputs)
    assert np.allclose(s.i_out, ref_out, rtol=1e-6, atol=0)


def test_auto_falls_back_to_direct_when_the_port_model_is_ill_conditioned(monkeypatch):
    # the policy may pick the port model (e.g. for 0-ohm terminations); when that model's
    # relative KCL residual exceeds rtol (seen at 1.6e-10 > 1e-10 in a PIM design search),
    # method="auto" must return the exact direct solution, while an explicit "ports" raises
    import memlab.arrays._crossbar as cb
    from memlab.arrays import Crossbar
    from memlab.errors import ConvergenceError

    def failing(*a, **k):
        raise ConvergenceError("port reduction left relative KCL residual 1.6e-10 > rtol=1e-10")

    rng = np.random.default_rng(3)
    xb = Crossbar(rng.uniform(1e-6, 1e-4, (6, 5)), r_row=1.0, r_col=1.0, r_driver=0.0, r_sense=0.0)
    v = rng.uniform(0, 0.2, (6, 3))
    ref = xb.solve(v, method="direct")
    monkeypatch.setattr(cb, "choose_method", lambda *a, **k: "ports")
    monkeypatch.setattr(cb, "solve_ports", failing)
    got = xb.solve(v, method="auto")
    np.testing.assert_allclose(got.i_out, ref.i_out, rtol=1e-12, atol=0)
    assert got.method != "ports"
    with pytest.raises(ConvergenceError):
        xb.solve(v, method="ports")
