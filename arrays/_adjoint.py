"""Stage "adjoint": exact vector-Jacobian (and Jacobian-vector) products of a converged crossbar solve.

Outputs ``y = (i_out, i_in)`` (A) of a solution of the free-node KCL ``F(v; theta, u) = 0``.
For cotangents ``(c, d)`` (``c`` on ``i_out``, ``d`` on ``i_in``) the scalar
``J = c . i_out + d . i_in`` has, by the adjoint (Tellegen) theorem, with ``lambda`` the
node voltages of ONE adjoint solve of the circuit linearised at the solution (cells replaced
by their small-signal conductances ``di/dv``, S) driven by the sources ``u_adj = [-d; c]``
(word-line drivers at ``-d``, bit-line amplifiers at ``c``; the nodal matrix is symmetric, so
the adjoint system is the forward system with other sources):

- cell parameter ``theta`` (conductance ``G`` of a linear cell, state ``x`` or model parameter
  of a nonlinear cell): ``dJ/dtheta = -v_cell_adj * di_cell/dtheta`` (for linear cells
  ``di/dG = v_cell``); for nonlinear cells this is the implicit-function theorem through the
  converged Newton solution (one linear solve with the final Jacobian);
- wire, driver, sense resistance ``r`` of a branch: ``dJ/dr = I * I_adj``, the product of the
  branch currents (A) of the forward and the adjoint solution, exact also at ``r = 0`` (the
  branch currents of merged shorts follow from KCL along the line);
- sources: ``dJ/dv_in = -i_in_adj``, ``dJ/dv_bl = i_out_adj``.

The adjoint solve uses the crossbar's own solvers (a held direct factor is reused for linear
cells; line CG otherwise), so it costs one forward linear solve. :func:`jvp` solves the
linearised circuit once with the perturbation currents ``d(g) * v`` of the tangent as extra
sources (Jacobian-free: nothing of size (outputs x parameters) is formed).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numba as nb
import numpy as np
import scipy.sparse as sp

from memlab.devices import SeriesCell
from memlab._validate import real
from memlab.errors import ParameterError, ShapeError

from ._assemble import assemble, rhs_matrix
from ._cellgrid import LinearCells
from ._direct import DirectFactor
from ._linear import factorize, solve_cg, solve_direct
from ._linesolve import LineOperator, line_ready, schur_pcg
from ._plan import AutoPolicy, choose_method

__all__ = ["CrossbarGradient", "vjp", "jvp", "branch_currents", "cell_partials"]


@dataclass
class CrossbarGradient:
    """Gradient of ``J = sum(i_out_bar * i_out) + sum(i_in_bar * i_in)`` (A) from :meth:`Crossbar.vjp`.

    ``conductance`` (linear cells, A/S per cell, (rows, cols)) or ``state`` (nonlinear cells,
    (rows, cols), a tuple per part for a SeriesCell; None for a state-less part);
    ``params``: per-cell (rows, cols) gradients of the cell model's parameters (key
    ``"first.<name>"`` / ``"second.<name>"`` for SeriesCell parts; a scalar parameter's
    gradient is the sum); ``r_row``, ``r_col``, ``r_driver``, ``r_sense``: A/ohm, same shapes
    as the crossbar's attributes; ``v_in`` (rows[, batch]) and ``v_bl`` (cols[, batch]): A/V per
    input. Shared quantities are summed over the batch. ``info``: adjoint method, CG
    iterations, wall time (s).
    """

    conductance: np.ndarray | None
    state: object
    params: dict
    r_row: np.ndarray
    r_col: np.ndarray
    r_driver: np.ndarray
    r_sense: np.ndarray
    v_in: np.ndarray
    v_bl: np.ndarray
    info: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- cell partials
_PARAM_FN: dict = {}


def _param_partial(model, name):
    """Numpy function (v, x, *params) -> di/d(param) of a DeviceModel, from its sympy current."""
    import sympy as sp_
    expr = model.current_expr
    syms = model.symbols
    key = (sp_.srepr(expr), tuple(syms), name)
    fn = _PARAM_FN.get(key)
    if fn is None:
        fn = sp_.lambdify((model.v, model.x, *syms.values()), sp_.diff(expr, syms[name]), "numpy")
        _PARAM_FN[key] = fn
    return fn


def _part_partials(part, v, x):
    """(di/dx or None, {param: di/dp}) of one (flat) part at voltages ``v`` (V)."""
    v = np.asarray(v, dtype=np.float64)
    if getattr(part, "stateless", False) or not hasattr(part, "di_dx"):
        return None, {}
    xs = 0.0 if x is None else x
    with np.errstate(all="ignore"):
        dx = None if x is None else np.broadcast_to(part.di_dx(v, xs), v.shape).astype(np.float64)
        out = {}
        vals = getattr(part, "values", None)
        if isinstance(vals, dict) and hasattr(part, "current_expr"):
            for name in vals:
                fn = _param_partial(part, name)
                out[name] = np.broadcast_to(np.asarray(fn(v, xs, *vals.values()), dtype=np.float64), v.shape).copy()
    return dx, out


def cell_partials(cells, v):
    """Partial derivatives of the cell currents at flat cell voltages ``v`` (rows*cols,), V.

    Returns ``(state, params)``: ``state`` di/dx per cell (a tuple per SeriesCell part), or
    None; ``params`` {name: di/dp per cell}. Linear cells: ``state`` is ``di/dG = v``.
    """
    if isinstance(cells, LinearCells):
        return np.asarray(v, dtype=np.float64).copy(), {}
    cell, x = cells.cell, cells.x
    if not isinstance(cell, SeriesCell):
        return _part_partials(cell, v, x)
    x1, x2 = x
    s = cell.split(v, x)
    g1 = np.broadcast_to(cell.first.di_dv(s, 0.0 if x1 is None else x1), np.shape(v))
    g2 = np.broadcast_to(cell.second.di_dv(v - s, 0.0 if x2 is None else x2), np.shape(v))
    tot = np.where(g1 + g2 > 0, g1 + g2, 1.0)
    states, params = [], {}
    for tag, part, xp, vp, w in (("first", cell.first, x1, s, g2 / tot), ("second", cell.second, x2, v - s, g1 / tot)):
        dx, dp = _part_partials(part, vp, xp)
        states.append(None if dx is None else dx * w)
        params.update({f"{tag}.{k}": a * w for k, a in dp.items()})
    return tuple(states), params


def _partials_batch(cells, vc):
    """cell_partials for (rows*cols, K) voltages: lists per input column."""
    return [cell_partials(cells, vc[:, k]) for k in range(vc.shape[1])]


# ----------------------------------------------------------------------------- branch currents
def branch_currents(i_cell, i_in):
    """Word- and bit-line segment currents (A) from the cell and driver currents, by KCL.

    ``i_cell`` (rows, cols, K), ``i_in`` (rows, K). Returns ``(I_w (rows, cols-1, K)`` flowing
    from column j to j+1, ``I_b (rows-1, cols, K)`` flowing from row i to i+1``); exact also
    for merged (zero-resistance) segments.
    """
    i_cell = np.ascontiguousarray(i_cell, dtype=np.float64)
    M, N, K = i_cell.shape
    I_w = np.empty((M, max(N - 1, 0), K))
    I_b = np.empty((max(M - 1, 0), N, K))
    _branch_sums(i_cell, np.ascontiguousarray(i_in, dtype=np.float64), I_w, I_b)
    return I_w, I_b


@nb.njit(cache=True)
def _branch_sums(ic, i_in, I_w, I_b):
    # running sums along the word lines (from the driver) and down the bit lines, in one
    # pass in memory order (numpy's cumsum over the middle axis of a (rows, cols, K) array
    # took 0.5 ms of a 256^2 vjp's 10 ms)
    M, N, K = ic.shape
    for i in range(M):
        for k in range(K):
            a = i_in[i, k]
            for j in range(N - 1):
                a -= ic[i, j, k]
                I_w[i, j, k] = a
    if M > 1:
        for j in range(N):
            for k in range(K):
                I_b[0, j, k] = ic[0, j, k]
        for i in range(1, M - 1):
            for j in range(N):
                for k in range(K):
                    I_b[i, j, k] = I_b[i - 1, j, k] + ic[i, j, k]


# ----------------------------------------------------------------------------- linear solves
def _anorm(topo, g):
    fin = lambda a: float(np.max(np.where(np.isfinite(a), a, 0.0), initial=0.0))  # noqa: E731
    return 2.0 * (2 * max(fin(topo.g_row), fin(topo.g_col)) + fin(g) + max(fin(topo.g_drv), fin(topo.g_sen)))


def linear_solve(topo, g, U, *, method, rtol, factor=None, policy=None, x0=None):
    """Full solution of the LINEAR circuit with cell conductances ``g`` (rows*cols,), S, sources ``U``;
    ``x0``: initial free-node voltages (n_free, K) for CG (ignored by the direct solve)."""
    meth = choose_method(method, topo, linear=True, batch=U.shape[1], full=True,
                         policy=policy or AutoPolicy())
    cells = LinearCells(g)
    common = dict(rtol=rtol, atol=0.0, anorm=_anorm(topo, g), full=True, progress=False)
    if meth == "cg":
        return solve_cg(topo, g, U, cells, maxiter=None, x0=x0, callback=None, batch_size=64, **common)
    fac = factor if factor is not None and factor.method == "direct" else factorize(topo, g, "direct")
    return solve_direct(topo, fac, U, cells, batch_size=64, **common)


def _sol_arrays(sol, M, N):
    """(i_out, i_in, v_cell, i_cell) of a solution as batch arrays, or raise when not full."""
    if sol.v_cell is None:
        raise ParameterError("vjp/jvp need the node voltages of the solution: solve with full=True "
                             "(method 'direct' or 'cg'; the port model keeps port currents only)")
    i_out = sol.i_out.reshape(N, -1)
    K = i_out.shape[1]
    return i_out, sol.i_in.reshape(M, K), sol.v_cell.reshape(M, N, K), sol.i_cell.reshape(M, N, K)


def _cot(a, n, K, name):
    if a is None:
        return np.zeros((n, K))
    a = real(a, name, array=True)
    try:
        return np.broadcast_to(a.reshape(n, -1), (n, K))
    except ValueError:
        raise ShapeError(f"parameter '{name}' has shape {np.shape(a)}; expected ({n},) or ({n}, {K})") from None


# ----------------------------------------------------------------------------- vjp
def vjp(xb, sol, U, i_out_bar=None, i_in_bar=None, *, method="auto", rtol=1e-12, factor=None,
        policy=None, x0=None, keep_adjoint=False, resistances=True) -> CrossbarGradient:
    """Gradient of ``J = i_out_bar . i_out + i_in_bar . i_in`` for a full solution ``sol`` of ``xb``
    with sources ``U = [v_in; v_bl]`` (rows + cols, K); see the module doc.

    ``x0``: (v_word, v_bit) node voltages (V, (rows, cols, K)) of an earlier adjoint solution
    to start CG from (linear cells; e.g. the previous iteration of an optimiser);
    ``keep_adjoint``: put this adjoint solution's (v_word, v_bit) in ``info["adjoint_x0"]``;
    ``resistances=False``: skip the resistance gradients (``r_*`` are None; saves four
    (rows, cols, K) branch-current arrays, for callers that need only ``dJ/dG``)."""
    t0 = time.perf_counter()
    M, N = xb.shape
    topo = xb.topo
    i_out, i_in, vc, ic = _sol_arrays(sol, M, N)
    K = i_out.shape[1]
    single = sol.i_out.ndim == 1
    c = _cot(i_out_bar, N, K, "i_out_bar")
    d = _cot(i_in_bar, M, K, "i_in_bar")
    Uadj = np.concatenate([-d, c], axis=0)
    fac = None if factor is None else factor._factor
    if xb.linear:
        X0 = None if x0 is None else xb._x0(x0, K)
        adj = linear_solve(topo, xb.G.ravel(), Uadj, method=method, rtol=rtol, factor=fac, policy=policy, x0=X0)
        va = adj.v_cell.reshape(M, N, K)
        parts = None
    else:
        cells = xb._cells
        vflat = vc.reshape(M * N, K)
        gd = np.maximum(cells.di_dv(vflat), 0.0)
        sols = [linear_solve(topo, gd[:, k], Uadj[:, k:k + 1], method=method, rtol=rtol, policy=policy)
                for k in range(K)]
        from ._extract import collect
        adj = collect({f: [getattr(s, f) for s in sols] for f in ("i_out", "i_in", "power", "v_word", "v_bit",
                                                                 "v_cell", "i_cell")},
                      iterations=max(s.iterations for s in sols), residual=max(s.residual for s in sols),
                      method=sols[0].method)
        va = adj.v_cell.reshape(M, N, K)
        parts = _partials_batch(cells, vflat)
    ia_out, ia_in = adj.i_out.reshape(N, K), adj.i_in.reshape(M, K)
    r_grads = [None] * 4
    if resistances:
        I_w, I_b = branch_currents(ic, i_in)
        A_w, A_b = branch_currents(adj.i_cell.reshape(M, N, K), ia_in)
        r_grads = [np.sum(I_w * A_w, axis=-1), np.sum(I_b * A_b, axis=-1), np.sum(i_in * ia_in, axis=-1),
                   np.sum(i_out * ia_out, axis=-1)]
        del I_w, I_b, A_w, A_b
    conductance, state, params = None, None, {}
    if parts is None:
        conductance = -np.einsum("ijk,ijk->ij", vc, va)     # no (rows, cols, K) temporary
    else:
        vaf = va.reshape(M * N, K)

        def contract(get):
            return -sum(get(parts[k]) * vaf[:, k] for k in range(K)).reshape(M, N)

        st0 = parts[0][0]
        if isinstance(st0, tuple):
            state = tuple(None if st0[p] is None else contract(lambda q, p=p: q[0][p]) for p in range(2))
        elif st0 is not None:
            state = contract(lambda q: q[0])
        params = {name: contract(lambda q, name=name: q[1][name]) for name in parts[0][1]}
    grad = CrossbarGradient(
        conductance=conductance, state=state, params=params,
        r_row=r_grads[0], r_col=r_grads[1], r_driver=r_grads[2], r_sense=r_grads[3],
        v_in=-ia_in[:, 0] if single else -ia_in, v_bl=ia_out[:, 0] if single else ia_out,
        info={"method": adj.method, "iterations": adj.iterations, "residual": adj.residual,
              "wall_time": time.perf_counter() - t0})
    if keep_adjoint:
        grad.info["adjoint_x0"] = (adj.v_word.reshape(M, N, K), adj.v_bit.reshape(M, N, K))
    # open terminations carry no current and have zero gradient (not a 0 * inf NaN)
    for a in r_grads if resistances else ():
        a[~np.isfinite(a)] = 0.0
    return grad


# ----------------------------------------------------------------------------- jvp
def _tangent(a, shape, name):
    if a is None:
        return None
    a = real(a, name, array=True)
    try:
        return np.array(np.broadcast_to(a, shape))
    except ValueError:
        raise ShapeError(f"tangent '{name}' has shape {np.shape(a)}; expected {shape}") from None


def _dg(r, dr, name):
    """Tangent of the conductance 1/r for a tangent ``dr`` of the resistance (ohm)."""
    if dr is None:
        return None
    if np.any((r == 0) & (dr != 0)):
        raise ParameterError(f"tangent '{name}' is non-zero on a zero (merged) resistance: the solution is "
                             "not differentiable along it in the merged circuit; use vjp (exact dJ/dr at r = 0)")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((r > 0) & np.isfinite(r), -dr / np.where(r > 0, r * r, 1.0), 0.0)


def jvp(xb, sol, U, *, conductance=None, state=None, params=None, r_row=None, r_col=None, r_driver=None,
        r_sense=None, v_in=None, v_bl=None, rtol=1e-12):
    """Directional derivative ``(d i_out, d i_in)`` (A) of a full solution along the given tangents.

    Tangents have the units and shapes of the quantities they perturb (``state`` a tuple per
    SeriesCell part, ``params`` {name: per-cell or scalar}); ``v_in``/``v_bl`` may have a batch
    axis. One linear solve of the linearised circuit per input (one for a linear batch).
    """
    M, N = xb.shape
    topo = xb.topo
    i_out, i_in, vc, ic = _sol_arrays(sol, M, N)
    K = i_out.shape[1]
    single = sol.i_out.ndim == 1
    Vw = sol.v_word.reshape(M, N, K)
    Vb = sol.v_bit.reshape(M, N, K)
    dU = np.concatenate([_cot(v_in, M, K, "v_in"), _cot(v_bl, N, K, "v_bl")], axis=0)
    vflat = vc.reshape(M * N, K)
    # explicit perturbation current of every cell (A), word line -> bit line
    p_cell = np.zeros((M * N, K))
    if xb.linear:
        if params:
            raise ParameterError(f"tangent 'params' = {sorted(params)!r}: linear cells have no model parameters")
        dG = _tangent(conductance if conductance is not None else state, (M, N), "conductance")
        if dG is not None:
            p_cell += dG.reshape(-1, 1) * vflat
        gd = np.broadcast_to(xb.G.reshape(-1, 1), (M * N, K))
    else:
        if conductance is not None:
            raise ParameterError("tangent 'conductance' applies to linear cells; give 'state' for a nonlinear cell")
        cells = xb._cells
        gd = np.maximum(cells.di_dv(vflat), 0.0)
        if state is not None or params:
            parts = _partials_batch(cells, vflat)
            st = state if isinstance(state, tuple) or state is None else (
                state if not isinstance(parts[0][0], tuple) else xb.cell.part_states(state))
            for k in range(K):
                ds, dp = parts[k]
                if st is not None:
                    pairs = zip(ds, st) if isinstance(ds, tuple) else [(ds, st)]
                    for dk, tk in pairs:
                        if tk is not None and dk is not None:
                            p_cell[:, k] += dk * _tangent(tk, (M, N), "state").ravel()
                for name, tan in (params or {}).items():
                    if name not in dp:
                        raise ParameterError(f"tangent params key {name!r} is not a parameter of the cell "
                                             f"(known: {sorted(dp)})")
                    p_cell[:, k] += dp[name] * _tangent(tan, (M, N), f"params[{name!r}]").ravel()
    # physical-node residual perturbation (A, current leaving each node)
    RW = p_cell.reshape(M, N, K).copy()
    RB = -p_cell.reshape(M, N, K)
    dgr = _dg(xb.r_row, _tangent(r_row, xb.r_row.shape, "r_row"), "r_row")
    if dgr is not None and N > 1:
        f = dgr[..., None] * (Vw[:, :-1] - Vw[:, 1:])
        RW[:, :-1] += f
        RW[:, 1:] -= f
    dgc = _dg(xb.r_col, _tangent(r_col, xb.r_col.shape, "r_col"), "r_col")
    if dgc is not None and M > 1:
        f = dgc[..., None] * (Vb[:-1] - Vb[1:])
        RB[:-1] += f
        RB[1:] -= f
    dgd = _dg(xb.r_driver, _tangent(r_driver, (M,), "r_driver"), "r_driver")
    if dgd is not None:
        RW[:, 0] += dgd[:, None] * (Vw[:, 0] - U[:M])
    dgs = _dg(xb.r_sense, _tangent(r_sense, (N,), "r_sense"), "r_sense")
    if dgs is not None:
        RB[-1] += dgs[:, None] * (Vb[-1] - U[M:])
    dVw = np.empty((M, N, K))
    dVb = np.empty((M, N, K))
    for k0, k1, g in ([(0, K, gd[:, 0])] if xb.linear else [(k, k + 1, gd[:, k]) for k in range(K)]):
        du = dU[:, k0:k1]
        if line_ready(topo):
            op = LineOperator(topo, g.reshape(M, N))
            bW, bB = op.rhs(du)
            bW -= np.moveaxis(RW[:, :, k0:k1], -1, 0)
            bB -= np.moveaxis(RB[:, :, k0:k1], -1, 0)
            fw, fb = op.fixed_rows, op.fixed_cols
            bW[:, fw, 0] = op.gd[fw] * du[fw].T          # Dirichlet dummies: d x = d du
            bB[:, -1, fb] = op.gs[fb] * du[M + fb].T
            xW, xB, _, _, conv = schur_pcg(op, bW, bB, rtol=rtol, maxiter=max(200, 4 * (M + N)))
            dVw[:, :, k0:k1] = np.moveaxis(xW, 0, -1)
            dVb[:, :, k0:k1] = np.moveaxis(xB, 0, -1)
            continue
        blocks = assemble(topo, g)
        rhs = rhs_matrix(topo, blocks) @ du
        nf = topo.n_free
        full_r = np.zeros((topo.n_all, k1 - k0))
        np.add.at(full_r, topo.w_node.ravel(), RW[:, :, k0:k1].reshape(M * N, -1))
        np.add.at(full_r, topo.b_node.ravel(), RB[:, :, k0:k1].reshape(M * N, -1))
        rhs = rhs - full_r[:nf]
        x = DirectFactor(blocks["A_ff"]).solve(rhs) if nf else np.zeros((0, k1 - k0))
        xa = np.concatenate([x.reshape(nf, k1 - k0), topo.fixed_matrix() @ du], axis=0) if topo.n_fixed else x
        dVw[:, :, k0:k1] = xa[topo.w_node]
        dVb[:, :, k0:k1] = xa[topo.b_node]
    di_cell = gd.reshape(M, N, K) * (dVw - dVb) + p_cell.reshape(M, N, K)
    d_out = di_cell.sum(axis=0)
    d_in = di_cell.sum(axis=1)
    d_out[np.isinf(xb.r_sense)] = 0.0
    d_in[np.isinf(xb.r_driver)] = 0.0
    if single:
        return d_out[:, 0], d_in[:, 0]
    return d_out, d_in
