"""Regression tests of issue 17 (arrays part): stale state, per-cell parameters, series states, MVM stats.

Each test reproduced the original failure on the code before the fix (stale currents after
``xb.G[:] = ...``; a numpy broadcasting error for per-cell parameter arrays; the same state
for both parts of a series cell; ADC saturation counts accumulating across calls).

The reference for the nonlinear crossbars is a dense nodal Newton written here, with its
own node numbering (all word-line nodes, then all bit-line nodes), one scalar device model
per cell (built from that cell's own parameter values) and its own stamps, iterated to a
KCL residual of 1e-15 A; it shares no code with memlab.arrays.
"""
import numpy as np
import pytest

from memlab.arrays import AnalogMatrix, Crossbar, Resistor, SeriesCell
from memlab.devices import Selector, SinhConductance, StanfordPKU, spread

R = dict(r_row=2.0, r_col=1.5, r_driver=10.0, r_sense=20.0)


def dense_newton(cells, x, v, rr, rc, rd, rs):
    """Independent dense nodal solve; ``cells[i][j]`` a scalar cell, ``x[i][j]`` its state.

    Returns (i_out (cols,), i_in (rows,), v_word, v_bit).
    """
    M, N = len(cells), len(cells[0])
    n = 2 * M * N
    W = lambda i, j: i * N + j  # noqa: E731
    B = lambda i, j: M * N + i * N + j  # noqa: E731
    # wires as a list of (node, node, conductance), stamped through the incidence vector
    wires = [(W(i, j), W(i, j + 1), 1 / rr) for i in range(M) for j in range(N - 1)]
    wires += [(B(i, j), B(i + 1, j), 1 / rc) for i in range(M - 1) for j in range(N)]
    A = np.zeros((n, n))
    for p, q, g in wires:
        e = np.zeros(n)
        e[p], e[q] = 1.0, -1.0
        A += g * np.outer(e, e)
    b = np.zeros(n)
    for i in range(M):
        A[W(i, 0), W(i, 0)] += 1 / rd
        b[W(i, 0)] += v[i] / rd
    for j in range(N):
        A[B(M - 1, j), B(M - 1, j)] += 1 / rs
    u = np.zeros(n)
    for _ in range(200):
        F = A @ u - b
        J = A.copy()
        for i in range(M):
            for j in range(N):
                vc = u[W(i, j)] - u[B(i, j)]
                ic = float(cells[i][j].current(vc, x[i][j]))
                gc = float(cells[i][j].di_dv(vc, x[i][j]))
                F[W(i, j)] += ic
                F[B(i, j)] -= ic
                J[W(i, j), W(i, j)] += gc
                J[B(i, j), B(i, j)] += gc
                J[W(i, j), B(i, j)] -= gc
                J[B(i, j), W(i, j)] -= gc
        if np.linalg.norm(F) < 1e-15:
            break
        u = u - np.linalg.solve(J, F)
    else:  # pragma: no cover
        raise AssertionError("reference Newton did not converge")
    vw = u[: M * N].reshape(M, N)
    vb = u[M * N:].reshape(M, N)
    return vb[-1] / rs, (v - vw[:, 0]) / rd, vw, vb


def _check(xb, ref, v, method):
    i_out, i_in, vw, vb = ref
    s = xb.solve(v, method=method)
    # the solver stops at a KCL residual of 1e-10 relative to the source currents; the
    # reference is converged to round-off, so 1e-8 relative leaves a factor 100 of margin
    assert np.allclose(s.i_out, i_out, rtol=1e-8, atol=0)
    assert np.allclose(s.i_in, i_in, rtol=1e-8, atol=0)
    assert np.allclose(s.v_word, vw, rtol=0, atol=1e-8 * np.max(np.abs(v)))
    # port-only results and a batch of two inputs give the same currents
    p = xb.solve(np.stack([v, v], axis=1), method=method, full=False)
    assert p.v_word is None
    assert np.allclose(p.i_out, i_out[:, None], rtol=1e-8, atol=0)
    return s


def _v(M):
    return np.linspace(0.5, 0.25, M)


@pytest.mark.parametrize("method", ["direct", "cg"])
@pytest.mark.parametrize("v0_shape", [(3, 4), (3, 1), (1, 4), ()])
def test_per_cell_parameter_arrays(method, v0_shape):
    rng = np.random.default_rng(1)
    G = rng.uniform(1e-5, 1e-4, (3, 4))
    v0 = np.broadcast_to(rng.uniform(0.1, 0.3, v0_shape), v0_shape).copy() if v0_shape else 0.2
    xb = Crossbar(G, cell=SinhConductance(v0=v0), **R)
    v0b = np.broadcast_to(v0, (3, 4))
    cells = [[SinhConductance(v0=float(v0b[i, j])) for j in range(4)] for i in range(3)]
    ref = dense_newton(cells, G, _v(3), 2.0, 1.5, 10.0, 20.0)
    s = _check(xb, ref, _v(3), method)
    # the cell currents are each cell's own device law at the returned cell voltages
    ic = [[cells[i][j].current(s.v_cell[i, j], G[i, j]) for j in range(4)] for i in range(3)]
    assert np.allclose(s.i_cell, ic, rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", ["direct", "cg"])
def test_population_as_crossbar_cell(method):
    pop = spread(StanfordPKU(), 12, {"I0": 0.3, "V0": 0.1}, seed=4)
    gap = np.random.default_rng(2).uniform(0.8e-9, 1.2e-9, (3, 4))
    xb = Crossbar(None, cell=pop, state=gap, **R)
    vals = pop.values
    # device k of the population sits at cell (k // cols, k % cols) (row-major)
    cells = [[pop.with_params(**{k: float(np.asarray(a).ravel()[i * 4 + j]) if np.ndim(a) else a
                                 for k, a in vals.items()}) for j in range(4)] for i in range(3)]
    ref = dense_newton(cells, gap, _v(3), 2.0, 1.5, 10.0, 20.0)
    _check(xb, ref, _v(3), method)


def test_bad_parameter_shape_names_it():
    from memlab.errors import ShapeError
    with pytest.raises(ShapeError, match="v0"):
        Crossbar(np.full((3, 4), 1e-5), cell=SinhConductance(v0=np.full(5, 0.2)), **R)


@pytest.mark.parametrize("method", ["direct", "cg"])
def test_series_cell_with_a_state_per_part(method):
    # 1S1R with a (dummy-state) selector and per-cell parameters in both parts, and a
    # device whose state is its own: x_first is ignored by the selector, x_second is g
    rng = np.random.default_rng(3)
    g = rng.uniform(1e-5, 1e-4, (3, 4))
    vs = rng.uniform(0.06, 0.1, (3, 1))
    cell = SeriesCell(Selector(i_s=2e-5, v_s=vs), SinhConductance(v0=0.2))
    xb = Crossbar(None, cell=cell, state=(None, g), **R)
    scal = [[SeriesCell(Selector(i_s=2e-5, v_s=float(vs[i, 0])), SinhConductance(v0=0.2)) for j in range(4)]
            for i in range(3)]
    x = [[(None, g[i, j]) for j in range(4)] for i in range(3)]
    ref = dense_newton(scal, x, _v(3), 2.0, 1.5, 10.0, 20.0)
    _check(xb, ref, _v(3), method)
    # two stateful parts in series get their own states: two sinh devices of conductance
    # g1 and g2 in series differ from both parts carrying the same state
    g1 = rng.uniform(1e-5, 1e-4, (3, 4))
    two = SeriesCell(SinhConductance(v0=0.2), SinhConductance(v0=0.3))
    xb2 = Crossbar(None, cell=two, state=(g1, g), **R)
    ref2 = dense_newton([[two] * 4] * 3, [[(g1[i, j], g[i, j]) for j in range(4)] for i in range(3)],
                        _v(3), 2.0, 1.5, 10.0, 20.0)
    _check(xb2, ref2, _v(3), method)


def test_series_cell_single_state_only_when_one_part_has_state():
    from memlab.errors import ParameterError
    g = np.full(5, 5e-5)
    v = np.linspace(-0.5, 0.5, 5)
    one = SeriesCell(SinhConductance(v0=0.2), Resistor(5e3))
    assert np.array_equal(one.current(v, g), one.current(v, (g, None)))
    with pytest.raises(ParameterError, match="tuple"):
        SeriesCell(SinhConductance(v0=0.2), SinhConductance(v0=0.3)).current(v, g)


def test_mutated_conductance_is_refused_not_stale():
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (6, 5))
    xb = Crossbar(G, **R)
    v = np.full(6, 0.2)
    first = xb.solve(v, method="direct").i_out
    with pytest.raises(ValueError):
        xb.G[:] = 2e-5
    with pytest.raises(AttributeError):
        xb.G = np.full((6, 5), 2e-5)
    # the caller's array is copied: changing it does not change the crossbar
    G[:] = 2e-5
    assert np.array_equal(xb.solve(v, method="direct").i_out, first)
    # a new crossbar with the new conductances gives the new answer
    assert not np.allclose(Crossbar(G, **R).solve(v, method="direct").i_out, first)


def test_explicit_factorisation_reused_only_when_held():
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (6, 5))
    xb = Crossbar(G, **R)
    V = np.random.default_rng(1).uniform(0, 0.3, (6, 3))
    fac = xb.factorize()
    a = fac.solve(V)
    b = xb.solve(V, factor=fac)
    c = xb.solve(V, method="direct")
    assert np.allclose(a.i_out, c.i_out, rtol=1e-12, atol=0) and np.allclose(b.i_out, c.i_out, rtol=1e-12, atol=0)
    from memlab.errors import ParameterError
    with pytest.raises(ParameterError, match="factor"):
        Crossbar(G * 2, **R).solve(V, factor=fac)


def test_mvm_stats_are_per_call():
    W = np.random.default_rng(0).uniform(-1, 1, (4, 6))
    X = np.random.default_rng(1).uniform(-1, 1, (6, 3))
    am = AnalogMatrix(W, adc_bits=6, adc_range=1e-7)
    r1 = am.compare(X)
    r2 = am.compare(X)
    assert r1.stats["adc_saturated"] > 0
    assert r1.stats["adc_saturated"] == r2.stats["adc_saturated"]
    # one slice: n_out x batch conversions per call, at most that many saturate
    assert r1.stats["adc_saturated"] <= W.shape[0] * X.shape[1]


def test_per_cell_parameters_with_ideal_drivers_kcl_contract():
    # zero driver and sense resistances (fixed-voltage nodes): per-node KCL of the returned
    # voltages, with every cell's current from its own scalar model, computed here
    rng = np.random.default_rng(7)
    G = rng.uniform(1e-5, 1e-4, (3, 4))
    v0 = rng.uniform(0.1, 0.3, (3, 1))
    v = _v(3)
    s = Crossbar(G, cell=SinhConductance(v0=v0), r_row=2.0, r_col=1.5, r_driver=0.0, r_sense=0.0).solve(v)
    vw, vb = s.v_word, s.v_bit
    assert np.array_equal(vw[:, 0], v) and np.all(vb[-1] == 0.0)
    ic = np.array([[SinhConductance(v0=float(v0[i, 0])).current(vw[i, j] - vb[i, j], G[i, j]) for j in range(4)]
                   for i in range(3)])
    assert np.allclose(s.i_cell, ic, rtol=1e-12, atol=0)
    kw = ic.copy()
    kw[:, :-1] += (vw[:, :-1] - vw[:, 1:]) / 2.0
    kw[:, 1:] += (vw[:, 1:] - vw[:, :-1]) / 2.0
    kb = -ic
    kb[:-1] += (vb[:-1] - vb[1:]) / 1.5
    kb[1:] += (vb[1:] - vb[:-1]) / 1.5
    # free nodes only (column 0 of the word lines and the last bit-line row are held)
    free = np.concatenate([kw[:, 1:].ravel(), kb[:-1].ravel()])
    assert np.linalg.norm(free) <= 1e-9 * np.linalg.norm(s.i_in)
    # driver current = net current leaving the held node into its cell and segment
    assert np.allclose(s.i_in, ic[:, 0] + (vw[:, 0] - vw[:, 1]) / 2.0, rtol=1e-9, atol=0)


@pytest.mark.parametrize("cell", [None, SinhConductance(v0=0.15)])
def test_callback_and_warm_start(cell):
    rng = np.random.default_rng(5)
    G = rng.uniform(1e-6, 1e-4, (12, 10))
    xb = Crossbar(G, cell=cell, **R)
    v = rng.uniform(0.2, 0.5, 12)
    seen = []
    s = xb.solve(v, method="cg", callback=seen.append)
    assert seen and {i.stage for i in seen} <= {"cg", "newton"} and all(np.all(np.isfinite(i.residual)) for i in seen)
    # a warm start from the solution itself needs (almost) no work
    w = xb.solve(v, method="cg", x0=s)
    assert w.iterations <= s.iterations and w.newton_steps <= 1
    assert np.allclose(w.i_out, s.i_out, rtol=1e-8, atol=0)
    # atol: a looser absolute tolerance (A) stops earlier
    loose = xb.solve(v, method="cg", atol=1e-3 * np.linalg.norm(s.i_in), rtol=1e-12)
    assert loose.iterations <= s.iterations
    # threads is a parameter (no machine-load heuristics)
    assert np.allclose(xb.solve(v, method="cg", threads=1).i_out, s.i_out, rtol=1e-8, atol=0)


def test_quantize_uniform_closed_form_and_validation():
    from memlab.arrays import quantize_uniform
    from memlab.errors import ParameterError
    x = np.array([-2.0, -0.9, -0.1, 0.0, 0.1, 0.6, 2.0])
    # 2 bits signed over [-1, 1]: step 0.5, levels -0.75, -0.25, 0.25, 0.75 (hand computed)
    assert np.array_equal(quantize_uniform(x, 2, 1.0), [-0.75, -0.75, -0.25, 0.25, 0.25, 0.75, 0.75])
    # 2 bits unsigned over [0, 1]: levels 0, 1/3, 2/3, 1
    assert np.allclose(quantize_uniform(x, 2, 1.0, signed=False), [0, 0, 0, 0, 0, 2 / 3, 1], rtol=0, atol=1e-15)
    assert np.array_equal(quantize_uniform(x, 0, 1.0), x)
    for bad in (dict(bits=-1), dict(bits=2.5), dict(full_scale=-1.0), dict(full_scale=np.nan)):
        kw = {**dict(bits=3, full_scale=1.0), **bad}
        with pytest.raises(ParameterError, match=list(bad)[0]):
            quantize_uniform(x, **kw)


def test_factor_method_rules_and_port_factor():
    from memlab.arrays._direct import HAVE_CHOLMOD
    from memlab.errors import ParameterError
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (8, 6))
    xb = Crossbar(G, **R)
    V = np.random.default_rng(1).uniform(0, 0.3, (8, 10))
    fac = xb.factorize()
    with pytest.raises(ParameterError, match="conflicts"):
        xb.solve(V, factor=fac, method="cg")
    with pytest.raises(ParameterError, match="linear"):
        Crossbar(G, cell=SinhConductance(v0=0.2), **R).factorize()
    if HAVE_CHOLMOD:
        ports = xb.factorize("ports")
        p = ports.solve(V)
        assert p.method == "ports" and p.v_word is None
        assert np.allclose(p.i_out, fac.solve(V).i_out, rtol=1e-10, atol=0)


def test_netlist_is_built_from_plain_arrays():
    from memlab.circuits import crossbar_netlist
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (3, 4))
    v = _v(3)
    xb = Crossbar(G, **R)
    assert xb.netlist(v) == crossbar_netlist(G, v, **R)
    cell = SeriesCell(SinhConductance(v0=0.2), Resistor(5e3))
    nl = Crossbar(G, cell=cell, **R)
    # one stateful part: its state is passed as one array (the circuits convention)
    assert nl.netlist_state() is nl.state[0]
    assert nl.netlist(v) == crossbar_netlist(G, v, cell=cell, **R)
