"""Stage "linear solve" for linear cells: direct factor, line-preconditioned CG, port reduction.

Every driver takes the assembled problem (topology, cell conductances, sources) and returns
a :class:`~memlab.arrays.CrossbarSolution`; none keeps state between calls. The direct and
port drivers take a factorisation built by :func:`factorize` (held by the caller, see
:meth:`memlab.arrays.Crossbar.factorize`).

Convergence test per input ``k`` (2-norm, amperes)::

    norm(A v_k - b_k) <= max(rtol * norm(i_src_k), atol, floor_k)

with ``i_src_k = [i_in; i_out]`` the source currents of the solution itself and ``floor_k``
the float64 round-off floor (:func:`~memlab.arrays._extract.roundoff_floor`); a solution
that stops at the floor is returned with an :class:`~memlab.errors.AccuracyWarning`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from memlab.errors import ConvergenceError

from ._assemble import assemble, rhs_matrix
from ._direct import DirectFactor
from ._extract import (FIELDS, CrossbarSolution, IterationInfo, Progress, collect, port_results, roundoff_floor,
                       source_norm, warn_floor)
from ._linekern import absmax2
from ._linesolve import LineOperator, free_to_grid, grid_to_free, schur_pcg
from ._multigrid import make_coarse
from ._plan import AutoPolicy
from ._portred import PortReduction

__all__ = ["LinearFactor", "factorize", "solve_direct", "solve_cg", "solve_ports", "line_rhs", "CG_BLOCK"]

# inputs per line-CG block: the batched kernels gain little beyond 8 columns and the
# iteration count of a block is that of its slowest column
CG_BLOCK = 8


@dataclass(frozen=True)
class LinearFactor:
    """A factorised linear crossbar: ``direct`` = (DirectFactor, A_ff, B) or ``ports`` = PortReduction."""

    method: str
    direct: tuple | None = None
    ports: PortReduction | None = None


def factorize(topo, g_cell, method: str, progress=None) -> LinearFactor:
    """Factorise the nodal matrix of cell conductances ``g_cell`` (S) for ``method`` "direct" or "ports"."""
    blocks = assemble(topo, g_cell)
    if method == "ports":
        return LinearFactor("ports", ports=PortReduction(topo, blocks["A_ff"], progress=progress, blocks=blocks))
    return LinearFactor("direct", direct=(DirectFactor(blocks["A_ff"]), blocks["A_ff"], rhs_matrix(topo, blocks)))


def _relative_kcl(topo, A, x, rhs, U, cells):
    """(residual norm (A), source-current norm (A)) per input."""
    rn = np.linalg.norm(A @ x - rhs, axis=0)
    i_out, i_in = port_results(topo, x, U, cells, False)[:2]
    return rn, source_norm(i_out, i_in)


def solve_direct(topo, fac: LinearFactor, U, cells, *, rtol, atol, anorm, full, batch_size,
                 progress) -> CrossbarSolution:
    """Block solves through the factorisation, with up to 4 steps of iterative refinement."""
    f, A, B = fac.direct
    K = U.shape[1]
    outs = {k: [] for k in FIELDS}
    worst = 0.0
    chunks = range(0, K, batch_size)
    bar = Progress(len(chunks), progress, f"crossbar {topo.rows}x{topo.cols} direct")
    for s in chunks:
        u = U[:, s:s + batch_size]
        rhs = B @ u
        x = f.solve(rhs)
        for _ in range(5):  # iterative refinement if round-off left KCL above tolerance
            rn, scale = _relative_kcl(topo, A, x, rhs, u, cells)
            floor = roundoff_floor(anorm, np.max(np.abs(x), axis=0, initial=0.0), A.shape[0])
            ok = rn <= np.maximum(rtol * scale, atol)
            if np.all(ok | (rn <= floor)) or _ == 4:
                break
            x = x + f.solve(rhs - A @ x)
        res = rn / scale
        if not np.all(ok | (rn <= floor)):
            raise ConvergenceError(f"direct solve left relative KCL residual {res.max():.3e} > rtol={rtol:g}",
                                   iterations=0, residual=float(res.max()))
        if not np.all(ok):
            warn_floor("direct solve", float(res.max()), rtol)
        worst = max(worst, float(np.max(res)))
        for k, a in zip(FIELDS, port_results(topo, x, u, cells, full)):
            outs[k].append(a)
        bar.update(1)
    bar.close()
    return collect(outs, iterations=0, residual=worst, method="direct")


def line_rhs(topo, u):
    """Right-hand side of the line formulation as (K, rows, cols) arrays; u = [v_in; v_bl] (V).

    (Wires and terminations only; :meth:`LineOperator.rhs` of the operator in use is the
    same with the cell shunts of Dirichlet nodes.)"""
    if not topo.regular:
        return LineOperator(topo, np.zeros((topo.rows, topo.cols))).rhs(u)
    K = u.shape[1]
    M, N = topo.rows, topo.cols
    bW = np.zeros((K, M, N))
    bB = np.zeros((K, M, N))
    bW[:, :, 0] = (topo.g_drv[:, None] * u[:M]).T
    bB[:, -1, :] = (topo.g_sen[:, None] * u[M:]).T
    return bW, bB


def solve_cg(topo, g_cell, U, cells, *, rtol, atol, maxiter, anorm, full, x0, callback, batch_size,
             progress, policy=None) -> CrossbarSolution:
    """Line-preconditioned CG on blocks of at most :data:`CG_BLOCK` inputs; ``x0`` (n_free, K) or None.

    Any topology: zero driver and sense resistances are Dirichlet nodes of the line operator,
    zero wire segments merged runs (:mod:`memlab.arrays._linerun`). Crossbars of at least
    ``policy.mixed_precision_min_cells`` cells apply the preconditioner's bit-line solve in
    float32 (``info["mixed_precision"]``; the residual test stays float64). Electrically long arrays
    (``policy.two_level_min_length``, :class:`~memlab.arrays.AutoPolicy`) add the coarse
    common-mode correction of :mod:`memlab.arrays._multigrid` to the line preconditioner
    (``info["coarse_spacing"]`` of the solution: its spacing in cells, 0 without)."""
    blk = max(1, min(batch_size, CG_BLOCK))
    M, N = topo.rows, topo.cols
    K = U.shape[1]
    pol = AutoPolicy() if policy is None else policy
    op = LineOperator(topo, g_cell.reshape(M, N), mixed=M * N >= pol.mixed_precision_min_cells)
    t_set = time.perf_counter()
    coarse = make_coarse(op, topo, g_cell, pol.two_level_min_length)
    t_set = time.perf_counter() - t_set
    mi = maxiter if maxiter is not None else max(200, 4 * (M + N))
    outs = {k: [] for k in FIELDS}
    iters, worst = 0, 0.0
    chunks = range(0, K, blk)
    bar = Progress(len(chunks), progress, f"crossbar {M}x{N} cg")
    for s in chunks:
        u = U[:, s:s + blk]
        bW, bB = op.rhs(u)

        def src_norm(xW, xB, u=u):
            i_in, i_o = op.source_currents(xW, xB, u)
            return source_norm(i_o, i_in)

        def tol_of(xW, xB):
            # relative to the source currents of the iterate itself, recomputed at every check
            xm = np.empty(xW.shape[0])
            absmax2(xW, xB, xm)
            return np.maximum(np.maximum(rtol * src_norm(xW, xB), atol), roundoff_floor(anorm, xm, 2 * M * N))

        start = None
        if x0 is not None:
            start = (None, free_to_grid(topo, x0[:, s:s + blk], u)[1])
        cb = None if callback is None else (lambda it, est, s=s: callback(IterationInfo("cg", s, it, est)))
        xW, xB, used, rn, conv = schur_pcg(op, bW, bB, x0=start, rtol=0.0, maxiter=mi, atol_fn=tol_of, callback=cb,
                                           coarse=coarse)
        res = rn / src_norm(xW, xB)
        iters = max(iters, used)
        if not np.all(conv):
            raise ConvergenceError(
                f"line-preconditioned CG did not reach rtol={rtol:g} in {mi} iterations "
                f"(relative KCL residual {res.max():.3e})", iterations=used, residual=float(res.max()))
        if not np.all(rn <= np.maximum(rtol * src_norm(xW, xB), atol)):
            warn_floor("line CG", float(res.max()), rtol)
        worst = max(worst, float(np.max(res)))
        if op.merged:
            fields = port_results(topo, grid_to_free(topo, xW, xB), u, cells, full)
        else:   # every grid position its own node: the fields straight from the grids
            fields = op.results(xW, xB, u, cells, full)
        for k, a in zip(FIELDS, fields):
            outs[k].append(a)
        bar.update(1)
    bar.close()
    sol = collect(outs, iterations=iters, residual=worst, method="cg")
    sol.info["coarse_spacing"] = 0 if coarse is None else coarse.h
    sol.info["coarse_setup_s"] = t_set
    sol.info["mixed_precision"] = op.mixed
    return sol


def solve_ports(topo, fac: LinearFactor, U, *, rtol) -> CrossbarSolution:
    """Port currents of every input through the dense port model (no node voltages)."""
    pm = fac.ports
    M = topo.rows
    i_out, i_in, res = pm.currents(U, M, topo.cols)
    worst = max(float(res.max()), pm.spot_residual)
    if worst > rtol:
        raise ConvergenceError(f"port reduction left relative KCL residual {worst:.3e} > rtol={rtol:g}",
                               iterations=0, residual=worst)
    power = np.sum(U[:M] * i_in, axis=0) - np.sum(U[M:] * i_out, axis=0)
    return CrossbarSolution(i_out=i_out, i_in=i_in, power=power, v_word=None, v_bit=None, v_cell=None,
                            i_cell=None, iterations=0, residual=worst, method="ports",
                            info={"spot_check_error": pm.spot_error, "spot_check_residual": pm.spot_residual})
