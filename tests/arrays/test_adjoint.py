"""Adjoint gradients (vjp) and Jacobian-free jvp of the exact crossbar solve against finite differences.

Reference: Richardson-extrapolated central differences of independent forward solves
(``R = (4 D(h/2) - D(h)) / 3``, ``D(h) = (J(p + h z) - J(p - h z)) / (2 h)``, truncation
O(h^4)), relative step ``h = 0.05`` along a positive direction ``z = U(0.5, 1) * p``: measured
on 16 x 16 (1 ohm wires) the extrapolated error is 1e-12..1e-11 at h = 0.1..0.03 while
plain central differences at h = 1e-3 carry 1e-9 of solver round-off (the resistances move the
outputs by only ~1e-4 relative). Zero (merged) resistances cannot be perturbed downwards:
there the one-sided second-order difference ``S(h) = (-3 J(0) + 4 J(h/2) - J(h)) / h``,
Richardson-extrapolated twice (``R1(h) = (4 S(h/2) - S(h)) / 3``, ``(8 R1(h/2) - R1(h)) / 7``,
truncation O(h^4)), along z = U(0.5, 1) * (16 / rows) ohm, i.e. steps of 0.25..1 ohm at 16 x 16 and
0.06..0.25 ohm at 64 x 64 (the outputs' sensitivity to a line's resistance grows with its length).
Measured: 16 x 16 all-zero sinh array 1.3e-6 error with 0.5 ohm (Newton's KCL floor 3e-13 perturbs
the outputs), 3e-9 with 1 ohm; 64 x 64 sinh without wires 1.2e-8 at 0.25 ohm, 2.3e-6 at 1 ohm
(truncation, falling as h^4); a 0.01 ohm step would move the outputs by only 1e-6 relative, under
the solver round-off of 1e-12 that would give 1e-6 error; the cell parameters (``v0``, ``i_s``, ``v_s``, ``r_leak``) enter exponentially and use
``h = 0.01``. Settings: wires on/off x driver and sense resistances finite/zero (``segments``,
``ideal_terminations``, ``no_wires``, ``ideal``), zero segments on one line kind only
(``zero_wires``) and open (infinite) drivers and sense amplifiers (``open_ends``). Forward solves are direct (CHOLMOD/SuperLU, Newton to 1e-13).
Acceptance (issue 18): relative error below 1e-6.
"""
import warnings

import numpy as np
import pytest

from memlab.arrays import Crossbar, CrossbarGradient, SeriesCell
from memlab.devices import Selector, SinhConductance
from memlab.errors import AccuracyWarning, ParameterError, ShapeError

CELLS = {
    "linear": None,
    "sinh": SinhConductance(v0=0.25),
    "1s1r": SeriesCell(Selector(i_s=2e-5, v_s=0.1, r_leak=1e6), SinhConductance(v0=0.2)),
}


def settings(M, N, rng):
    return {
        "segments": dict(r_row=rng.uniform(0.5, 5.0, (M, N - 1)), r_col=rng.uniform(0.5, 5.0, (M - 1, N)),
                         r_driver=rng.uniform(1.0, 20.0, M), r_sense=rng.uniform(1.0, 20.0, N)),
        "ideal_terminations": dict(r_row=1.0, r_col=1.0, r_driver=0.0, r_sense=0.0),
        "zero_wires": dict(r_row=0.0, r_col=2.0, r_driver=2.0, r_sense=0.0),
        "open_ends": dict(r_row=1.0, r_col=0.0, r_driver=np.r_[np.inf, np.ones(M - 1)],
                          r_sense=np.r_[np.ones(N - 1), np.inf]),
        "no_wires": dict(r_row=0.0, r_col=0.0, r_driver=rng.uniform(1.0, 20.0, M), r_sense=rng.uniform(1.0, 20.0, N)),
        "ideal": dict(r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0),
    }


# wires on/off x terminations finite/zero, plus mixed zero segments and open (infinite) ends
ALL_SETTINGS = ["segments", "ideal_terminations", "no_wires", "ideal", "zero_wires", "open_ends"]


def build(G, cell, kw):
    if cell is None:
        return Crossbar(G, **kw)
    state = G if not isinstance(cell, SeriesCell) else (None, G)
    return Crossbar(None, cell=cell, state=state, **kw)


def objective(G, cell, kw, v, vbl, c, d, params=None):
    if params:
        if isinstance(cell, SeriesCell):
            first = cell.first.with_params(**{k[6:]: p for k, p in params.items() if k.startswith("first.")})
            second = cell.second.with_params(**{k[7:]: p for k, p in params.items() if k.startswith("second.")})
            cell = SeriesCell(first, second)
        else:
            cell = cell.with_params(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)
        s = build(G, cell, kw).solve(v, v_bl=vbl, method="direct", rtol=1e-13, full=True)
    return float(c @ s.i_out + d @ s.i_in)


def fd_directional(f, z, zero, h=0.05):
    """Richardson central difference of f(h z) at 0, or the one-sided form for zero parameters."""
    if zero:
        f0 = f(0.0)
        S = lambda h: (-3 * f0 + 4 * f(h / 2 * z) - f(h * z)) / h  # noqa: E731
        s1, s2, s4 = S(1.0), S(0.5), S(0.25)
        return (8 * (4 * s4 - s2) / 3 - (4 * s2 - s1) / 3) / 7
    D = lambda h: (f(h * z) - f(-h * z)) / (2 * h)  # noqa: E731
    return (4 * D(h / 2) - D(h)) / 3


def check_all(M, N, cell_name, setting, seed=0):
    rng = np.random.default_rng(seed)
    cell = CELLS[cell_name]
    G = rng.uniform(1e-6, 1e-4, (M, N))
    kw = settings(M, N, rng)[setting]
    v = rng.uniform(0.0, 0.3, M)
    vbl = rng.uniform(0.0, 0.05, N)
    c, d = rng.uniform(0.5, 1.0, N), rng.uniform(-1.0, 1.0, M)
    xb = build(G, cell, kw)
    sol = xb.solve(v, v_bl=vbl, method="direct", rtol=1e-13, full=True)
    g = sol.vjp(c, d)
    assert isinstance(g, CrossbarGradient)
    checks = []
    gG = g.conductance if cell is None else (g.state[1] if isinstance(cell, SeriesCell) else g.state)
    checks.append(("G", gG, G, lambda dz: objective(G + dz, cell, kw, v, vbl, c, d), False, 0.05))
    checks.append(("v_in", g.v_in, v, lambda dz: objective(G, cell, kw, v + dz, vbl, c, d), False, 0.05))
    checks.append(("v_bl", g.v_bl, vbl, lambda dz: objective(G, cell, kw, v, vbl + dz, c, d), False, 0.05))
    for r in ("r_row", "r_col", "r_driver", "r_sense"):
        base = getattr(xb, r)
        fin = np.isfinite(base)
        zero = bool(np.all(base[fin] == 0))
        ref = np.where(fin, base if not zero else 16.0 / M, 0.0)      # 1 ohm at 16, 0.25 ohm at 64

        def f(dz, r=r, base=base):
            return objective(G, cell, {**kw, r: base + dz}, v, vbl, c, d)
        checks.append((r, getattr(g, r), ref, f, zero, 0.05))
    for name, gp in g.params.items():
        part = cell if not isinstance(cell, SeriesCell) else (cell.first if name.startswith("first.") else cell.second)
        base = np.full((M, N), part.values[name.split(".")[-1]])

        def f(dz, name=name, base=base):
            return objective(G, cell, kw, v, vbl, c, d, params={name: (base + dz).reshape(-1)})
        checks.append((name, gp, base, f, False, 0.01))
    worst = {}
    for name, grad, ref, f, zero, h in checks:
        z = rng.uniform(0.5, 1.0, np.shape(ref)) * ref
        ad = float(np.sum(grad * z))
        fd = fd_directional(f, z, zero, h)
        worst[name] = abs(fd - ad) / abs(ad)
        # the Jacobian-free jvp along the same direction gives the same number (duality)
        if name not in ("v_in", "v_bl") and not name.startswith(("first.", "second.")) and name not in g.params:
            if zero:
                continue
            key = name if name != "G" else ("conductance" if cell is None else "state")
            tan = z if not (key == "state" and isinstance(cell, SeriesCell)) else (None, z)
            do, di = sol.jvp(**{key: tan})
            assert abs(c @ do + d @ di - ad) <= 1e-9 * abs(ad), name
    return worst


@pytest.mark.parametrize("setting", ALL_SETTINGS)
@pytest.mark.parametrize("cell_name", list(CELLS))
def test_vjp_matches_finite_differences_16(cell_name, setting):
    worst = check_all(16, 16, cell_name, setting)
    assert max(worst.values()) < 1e-6, worst


# every setting for linear and sinh cells at 64 x 64; 1S1R (10-15 s a case under load) runs the
# settings of the wire/termination grid here and all six in benchmarks/bench_solver_frontier.py (case gradfd64)
CASES_64 = ([(c, s) for c in ("linear", "sinh") for s in ALL_SETTINGS]
            + [("1s1r", s) for s in ("segments", "ideal_terminations", "zero_wires")])


@pytest.mark.parametrize("cell_name, setting", CASES_64)
def test_vjp_matches_finite_differences_64(cell_name, setting):
    worst = check_all(64, 64, cell_name, setting, seed=1)
    assert max(worst.values()) < 1e-6, worst


def test_vjp_batch_cg_direct_and_factor_agree_with_closed_form():
    """Zero wire resistance: i_out = G^T v exactly, so dJ/dG = v c^T and dJ/dv = G c (closed form);
    with wires, a batch vjp equals the sum of single-input vjps, for every adjoint method."""
    rng = np.random.default_rng(3)
    M, N, K = 12, 9, 3
    G = rng.uniform(1e-6, 1e-4, (M, N))
    V = rng.uniform(0.0, 0.3, (M, K))
    C = rng.normal(size=(N, K))
    ideal = Crossbar(G)
    g = ideal.solve(V, full=True).vjp(C)
    assert np.allclose(g.conductance, V @ C.T, rtol=1e-12, atol=0)
    assert np.allclose(g.v_in, G @ C, rtol=1e-12, atol=0)
    xb = Crossbar(G, r_row=2.0, r_col=2.0, r_driver=5.0, r_sense=5.0)
    sol = xb.solve(V, method="direct", full=True)
    fac = xb.factorize()
    ref = [xb.solve(V[:, k], method="direct", full=True).vjp(C[:, k], method="direct") for k in range(K)]
    for kw in (dict(method="direct"), dict(method="cg"), dict(factor=fac)):
        g = sol.vjp(C, **kw)
        assert np.allclose(g.conductance, sum(r.conductance for r in ref), rtol=1e-8, atol=0)
        assert np.allclose(g.r_sense, sum(r.r_sense for r in ref), rtol=1e-8, atol=0)
        assert np.allclose(g.v_in, np.stack([r.v_in for r in ref], axis=1), rtol=1e-8, atol=0)
        assert g.v_in.shape == (M, K) and g.v_bl.shape == (N, K)
    do, di = sol.jvp(v_in=V)   # linear in v_in: the derivative along v is the output itself
    assert np.allclose(do, sol.i_out, rtol=1e-8) and np.allclose(di, sol.i_in, rtol=1e-8)


def test_vjp_jvp_bad_input_named():
    G = np.full((4, 5), 1e-5)
    xb = Crossbar(G, r_row=1.0, r_col=1.0, r_driver=0.0, r_sense=1.0)
    sol = xb.solve(np.full(4, 0.1), full=True)
    with pytest.raises(ShapeError, match="i_out_bar"):
        sol.vjp(np.ones(3))
    with pytest.raises(ParameterError, match="i_out_bar"):
        sol.vjp(np.full(5, np.nan))
    with pytest.raises(ParameterError, match="i_in_bar"):
        sol.vjp(np.ones(5), i_in_bar="abc")
    with pytest.raises(ParameterError, match="params"):
        sol.jvp(params={"v0": 1.0})                # linear cells have no model parameters
    with pytest.raises(ParameterError, match="method"):
        sol.vjp(np.ones(5), method="ports")
    with pytest.raises(ParameterError, match="full=True"):
        xb.vjp(xb.solve(np.full(4, 0.1), full=False), np.ones(5))
    with pytest.raises(ParameterError, match="solution"):
        Crossbar(G).vjp(sol, np.ones(5))
    with pytest.raises(ParameterError, match="r_driver"):
        sol.jvp(r_driver=np.ones(4))          # a zero (Dirichlet) driver cannot move along +-dr
    with pytest.raises(ParameterError, match="unknown"):
        sol.jvp(wires=1.0)


def test_adjoint_cg_warm_start_gives_the_direct_gradient_in_fewer_iterations():
    """compensate() starts each adjoint CG from the previous evaluation's adjoint solution: the
    gradient must equal the direct solve's (rtol 1e-8 from CG at 1e-12) and the start must help."""
    from memlab.arrays._adjoint import vjp
    rng = np.random.default_rng(4)
    M, N, K = 48, 40, 3
    xb = Crossbar(rng.uniform(1e-6, 1e-4, (M, N)), r_row=1.0, r_col=1.0, r_driver=2.0, r_sense=2.0)
    sol = xb.solve(rng.uniform(0.0, 0.3, (M, K)), method="cg", rtol=1e-12, full=True)
    C = rng.normal(size=(N, K))
    g0 = vjp(xb, sol, sol.sources, C, method="cg", rtol=1e-12, keep_adjoint=True)
    cold = vjp(xb, sol, sol.sources, 1.05 * C, method="cg", rtol=1e-12)
    warm = vjp(xb, sol, sol.sources, 1.05 * C, method="cg", rtol=1e-12, x0=g0.info["adjoint_x0"])
    ref = vjp(xb, sol, sol.sources, 1.05 * C, method="direct", rtol=1e-12)
    for g in (cold, warm):
        assert np.allclose(g.conductance, ref.conductance, rtol=1e-8, atol=0)
        assert np.allclose(g.v_in, ref.v_in, rtol=1e-8, atol=0)
    assert warm.info["iterations"] < cold.info["iterations"], (warm.info, cold.info)
