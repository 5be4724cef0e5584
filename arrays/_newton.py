"""Stage "nonlinear solve": one damped Newton for nonlinear cells, with two inner linear solvers.

The free-node equations are ``F(v) = A_w v + C i_cell(C^T v) - b(u) = 0`` (A): ``A_w`` the
wires and terminations, ``C`` the cell incidence (``+1`` at the word-line node, ``-1`` at
the bit-line node), ``b`` the sources. :func:`damped_newton` iterates
``J(v) dv = -F(v)`` with ``J = A_w + C diag(di/dv) C^T``, a backtracking line search on
``norm(F)`` (Armijo factor 1e-4, up to 40 halvings) and the iterate clipped to the range of
the source voltages (a passive circuit's node voltages lie inside it). It starts from the
small-signal (linear) solution ``J(0) v = -F(0)`` unless an ``x0`` is given, and stops when

    norm(F(v)) <= max(rtol * norm([i_in; i_out]), atol, floor)

(source currents of the iterate; ``floor`` the float64 round-off floor).

The two inner solvers share one interface (:class:`SparseJacobian`, :class:`LineJacobian`):
``rhs(u)``, ``apply_wires(v)``, ``add_scatter(i_cell, out)`` and ``solve(g_cell, work, eta)``
(``work``: a one-element list holding the right-hand side, which the solver takes and may
overwrite, so a 67 M-cell solve does not keep a dead copy of it); the line solver needs a
line-ready crossbar and solves the Jacobian inexactly (relative tolerance ``eta``, the forcing
term of inexact Newton), the sparse one refactorises it. Memory: the Newton loop keeps
``v`` and the step ``dv`` (free-node vectors) and the sources sparse (they enter at the
terminal nodes only); residuals are built in place.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from memlab.errors import ConvergenceError, NonFiniteError

from ._assemble import assemble, rhs_matrix
from ._direct import DirectFactor
from ._extract import (FIELDS, IterationInfo, Progress, collect, port_results, roundoff_floor, source_norm,
                       warn_floor)
from ._linesolve import LineOperator, free_to_grid, grid_to_free, schur_pcg
from ._multigrid import make_coarse

__all__ = ["SparseJacobian", "LineJacobian", "damped_newton", "solve_newton"]


class SparseJacobian:
    """Inner solver "direct": the sparse Jacobian refactorised (same pattern) at every step."""

    def __init__(self, topo, g0, maxiter=None, callback=None):
        t = topo
        M, N = t.rows, t.cols
        wires = assemble(t, np.zeros(M * N))
        self.n = t.n_free
        self._Aw = wires["A_ff"]
        self._Bw = rhs_matrix(t, wires)
        n_cells = M * N
        C = sp.coo_array((np.concatenate([np.ones(n_cells), -np.ones(n_cells)]),
                          (np.concatenate([t.w_node.ravel(), t.b_node.ravel()]),
                           np.concatenate([np.arange(n_cells)] * 2))), shape=(t.n_all, n_cells)).tocsr()
        self._C = C[:t.n_free]
        self._topo = t
        self._factor = DirectFactor(assemble(t, g0)["A_ff"]) if t.n_free else None

    def rhs(self, u):
        return self._Bw @ u

    def apply_wires(self, v):
        return self._Aw @ v

    def add_scatter(self, ic, out):
        out += self._C @ ic

    def solve(self, g, work, eta):
        rhs = work.pop()
        self._factor.refactor(assemble(self._topo, g)["A_ff"])
        return self._factor.solve(rhs), 0


class LineJacobian:
    """Inner solver "cg": line-preconditioned CG on a fresh line operator per step (line-ready crossbars,
    zero driver/sense resistances as Dirichlet nodes, see :class:`~memlab.arrays._linesolve.LineOperator`).

    Electrically long arrays (``min_length``, :attr:`~memlab.arrays.AutoPolicy.two_level_min_length`,
    judged on the small-signal conductances ``g0``) add the coarse common-mode correction
    (:mod:`memlab.arrays._multigrid`). Its coarse matrix holds no cell conductance, so it is
    factorised once and reused at every step, unless Dirichlet nodes put cells into it."""

    def __init__(self, topo, g0, maxiter=None, callback=None, min_length=np.inf, mixed=False):
        M, N = topo.rows, topo.cols
        self.n = topo.n_free
        self._topo = topo
        self._g0 = g0
        self._min_length = min_length
        self._mixed = bool(mixed)   # the preconditioner's bit-line solve in float32 (as solve_cg)
        self._coarse, self._decided = None, False
        self._wires = LineOperator(topo, np.zeros((M, N)), factor=False)
        self._maxiter = maxiter if maxiter is not None else max(200, 4 * (M + N))
        self._callback = callback
        self._wn, self._bn = topo.w_node.ravel(), topo.b_node.ravel()

    # voltages fill every grid position of a merged node, currents are summed over them
    def _split(self, v, dual=False):
        return free_to_grid(self._topo, v[:, None], dual=dual)

    def _join(self, W, B, dual=False):
        return grid_to_free(self._topo, W, B, dual=dual)[:, 0]

    def rhs(self, u):
        return self._join(*self._wires.rhs(u[:, None]), dual=True)

    def apply_wires(self, v):
        M, N = self._topo.rows, self._topo.cols
        oW, oB = np.empty((1, M, N)), np.empty((1, M, N))   # per call: not held during the inner solve
        self._wires.matvec(*self._split(v), oW, oB)
        return self._join(oW, oB, dual=True)

    def add_scatter(self, ic, out):
        """out (n_free,) += the cell currents ``ic`` (A) at their word (+) and bit (-) nodes."""
        t = self._topo
        if not t.regular:   # merged nodes collect the currents of all their cells
            out += (np.bincount(self._wn, ic, t.n_all) - np.bincount(self._bn, ic, t.n_all))[:self.n]
            return
        out[0::2] += ic    # regular numbering: w[i, j] = 2 (i cols + j), b[i, j] = w + 1
        out[1::2] -= ic

    def solve(self, g, work, eta):
        M, N = self._topo.rows, self._topo.cols
        rW, rB = self._split(work.pop(), dual=True)
        op = LineOperator(self._topo, g.reshape(M, N), mixed=self._mixed)
        if not self._decided or (op.sh and self._coarse is not None):
            self._coarse = make_coarse(op, self._topo, self._g0, self._min_length)
            self._decided = True
        xW, xB, it, rn, conv = schur_pcg(op, rW, rB, rtol=eta, maxiter=self._maxiter, callback=self._callback,
                                         coarse=self._coarse)
        if not conv.all():
            raise ConvergenceError(f"inner CG of Newton did not reach relative tolerance {eta:g} in "
                                   f"{self._maxiter} iterations", iterations=it, residual=float(rn.max()))
        return self._join(xW, xB), it


def _forcing(rel):
    """Inner relative tolerance of inexact Newton from the current relative KCL residual."""
    return min(1e-2, max(1e-3 * rel, 1e-12)) if rel > 1e-6 else 1e-4


def damped_newton(system, topo, cells, u, *, g0, rtol, atol, maxiter, anorm, x0=None, callback=None, k=0):
    """Solve the free-node KCL of one input ``u = [v_in; v_bl]`` (V) with nonlinear ``cells``.

    Returns ``(v (n_free,), relative residual, Newton steps, inner CG iterations)``.
    """
    t = topo
    nf = t.n_free
    Vd = t.fixed_matrix() @ u if t.n_fixed else np.zeros(0)
    wn, bn = t.w_node.ravel(), t.b_node.ravel()
    b = system.rhs(u)
    b_at = np.flatnonzero(b)      # the sources enter at the terminal nodes only: kept sparse
    b_val = b[b_at]
    del b
    lo, hi = min(0.0, float(u.min())), max(0.0, float(u.max()))

    def v_cell(v):
        if t.regular:   # w[i, j] = 2 (i cols + j), b[i, j] = w + 1: no index gathers
            return v[0::2] - v[1::2]
        va = np.concatenate([v, Vd]) if t.n_fixed else v
        return va[wn] - va[bn]

    def F(v):
        vc = v_cell(v)
        with np.errstate(over="ignore", invalid="ignore"):
            ic = cells.current(vc)
        if not np.all(np.isfinite(ic)):
            bad = int(np.flatnonzero(~np.isfinite(ic))[0])
            raise NonFiniteError(f"the current of cell ({bad // t.cols}, {bad % t.cols}) overflows at "
                                 f"v = {vc[bad]:.6g} V (input {k}, cell {type(getattr(cells, 'cell', cells)).__name__}); parameter 'v_in' "
                                 "drives this cell outside the range its I-V can represent")
        del vc
        out = system.apply_wires(v)
        system.add_scatter(ic, out)
        out[b_at] -= b_val
        return out

    def step(v, lam, dv):
        vn = np.multiply(dv, lam)
        vn += v
        return np.clip(vn, lo, hi, out=vn)

    def scale(v):
        i_out, i_in = port_results(t, v[:, None], u[:, None], cells, False)[:2]
        return float(source_norm(i_out, i_in)[0])

    F0 = F(np.zeros(nf))
    if nf == 0 or not np.any(F0):
        return np.zeros(nf), 0.0, 0, 0
    total = 0
    if x0 is None:
        v, total = system.solve(g0, [np.negative(F0, out=F0)], 1e-6)
    else:
        v = np.array(x0, dtype=np.float64)
    del F0
    v = np.clip(v, lo, hi)
    Fv = F(v)
    fn = float(np.linalg.norm(Fv))
    sc = scale(v)
    steps = 0
    while fn > max(rtol * sc, atol, float(roundoff_floor(anorm, np.max(np.abs(v), initial=0.0), nf))):
        if steps >= maxiter:
            raise ConvergenceError(f"Newton did not reach rtol={rtol:g} in {maxiter} steps (input {k}); relative "
                                   f"KCL residual {fn / sc:.3e}", iterations=steps, residual=fn / sc)
        gd = np.array(cells.di_dv(v_cell(v)), dtype=np.float64)
        if not np.all(np.isfinite(gd)):
            raise ConvergenceError(f"cell di_dv is not finite at the Newton iterate (input {k}); the device I-V "
                                   "overflowed", iterations=steps, residual=fn / sc)
        work = [np.negative(Fv, out=Fv)]    # the solver takes the right-hand side (no live copy here)
        del Fv
        dv, it = system.solve(np.maximum(gd, 0.0, out=gd), work, _forcing(fn / sc))
        del gd
        total += it
        lam = 1.0
        vn = Fn = None
        for _ in range(40):
            del vn, Fn
            vn = step(v, lam, dv)
            Fn = F(vn)
            fnn = float(np.linalg.norm(Fn))
            if np.isfinite(fnn) and fnn <= (1 - 1e-4 * lam) * fn:
                break
            lam *= 0.5
        else:
            raise ConvergenceError(f"Newton line search failed at step {steps} (input {k}); relative KCL "
                                   f"residual {fn / sc:.3e}", iterations=steps, residual=fn / sc)
        v, Fv, fn = vn, Fn, fnn
        del vn, Fn, dv
        sc = scale(v)
        steps += 1
        if callback is not None:
            callback(IterationInfo("newton", k, steps, fn))
    rel = fn / sc
    if rel > rtol and fn > atol:
        warn_floor("Newton", rel, rtol)
    return v, rel, steps, total


def solve_newton(topo, cells, U, *, inner, g0, rtol, atol, maxiter, newton_maxiter, anorm, full, x0, callback,
                 progress, min_length=np.inf, mixed=False):
    """Nonlinear crossbar, one input column of ``U`` at a time; ``inner`` is "direct" or "cg".

    ``mixed``: the inner CG's bit-line preconditioner in float32 (residuals stay float64)."""
    M, N = topo.rows, topo.cols
    K = U.shape[1]
    current = [0]  # input index reported by the inner CG callback

    def cb(it, est):
        callback(IterationInfo("cg", current[0], it, est))

    cbk = None if callback is None else cb
    system = SparseJacobian(topo, g0, maxiter, cbk) if inner == "direct" else \
        LineJacobian(topo, g0, maxiter, cbk, min_length=min_length, mixed=mixed)
    outs = {k: [] for k in FIELDS}
    worst, total_it, total_newton = 0.0, 0, 0
    bar = Progress(K, progress, f"crossbar {M}x{N} newton-{inner}")
    for k in range(K):
        current[0] = k
        v, rel, steps, its = damped_newton(system, topo, cells, U[:, k], g0=g0, rtol=rtol, atol=atol,
                                           maxiter=newton_maxiter, anorm=anorm,
                                           x0=None if x0 is None else x0[:, k], callback=callback, k=k)
        worst = max(worst, rel)
        total_it += its
        total_newton += steps
        for name, a in zip(FIELDS, port_results(topo, v[:, None], U[:, k:k + 1], cells, full)):
            outs[name].append(a)
        bar.update(1)
    bar.close()
    sol = collect(outs, iterations=total_it, residual=worst, method=f"newton-{inner}", newton_steps=total_newton)
    coarse = getattr(system, "_coarse", None)
    sol.info["coarse_spacing"] = 0 if coarse is None else coarse.h
    sol.info["mixed_precision"] = bool(mixed and inner == "cg")
    return sol
