"""Matrix-free conjugate gradient with exact word-line / bit-line (tridiagonal) solves.

Applies to every crossbar: zero driver or sense resistances are exact Dirichlet nodes inside
the same grids, zero wire segments merge nodes into runs that are one unknown each (see
:class:`LineOperator` and :mod:`memlab.arrays._linerun`). Unknowns are kept as two arrays,
``W[k, i, j]`` (word-line node voltages) and ``B[k, i, j]`` (bit-line node voltages), for
``k`` over the inputs of a batch. The nodal matrix is ``A = [[P_W, -D], [-D, P_B]]`` with
``P_W = L_W + D``, ``P_B = L_B + D`` (``D = diag(g_cell)``; ``P_W``/``P_B`` are tridiagonal per
word/bit line). The word lines are eliminated exactly (one Thomas sweep per line) and CG runs
on the bit-line Schur complement ``S = P_B - D P_W^{-1} D`` preconditioned by ``P_B``
(measured here: 15 iterations at 1024 x 1024 with 1 ohm wires, against 31 for block-Jacobi
CG on the full system).

Mixed precision (``LineOperator(..., mixed=True)``): the preconditioner's bit-line solve runs
in float32 (coefficients and output ``z``); the operator, CG's vectors and the residual check
stay float64, so the convergence test below is unchanged.

The kernels are numba-compiled (``parallel=True``, cached on disk; :mod:`memlab.arrays._linekern`
and :mod:`memlab.arrays._linerun`); the CG loop reads like
scipy's ``cg`` (house style §3). Convergence test per input column ``k``::

    norm(b_k - A @ x_k) <= rtol * norm(b_k)     (2-norm, amperes)

checked on the true residual before returning.
"""
from __future__ import annotations

import contextlib

import numba as nb
import numpy as np

from ._linekern import (BLK, axpy as _axpy, axpy2_dot as _axpy2_dot, dot as _dot, matvec as _matvec,
                         schur_apply_dot as _schur_apply_dot, shunt_add as _shunt_add, solve_b_dot as _solve_b_dot,
                         recover_residual as _recover_residual, solve_b_dot_restrict, solve_w as _solve_w,
                         xpby_schur_dot)
from ._linerun import canon_b, canon_w, factor_runs, replicate_b, solve_b_dot_runs, solve_w_runs

__all__ = ["LineOperator", "schur_pcg", "numba_threads", "SERIAL_BELOW_CELLS", "line_ready", "grid_to_free",
           "free_to_grid"]


SERIAL_BELOW_CELLS = 512 * 512


@contextlib.contextmanager
def numba_threads(threads: int | None, cells: int):
    """Context setting numba's thread count for the line kernels; the previous count is restored.

    ``threads``: number of threads (capped at numba's maximum), or None for the default:
    one thread below :data:`SERIAL_BELOW_CELLS` cells, numba's current setting above.
    Measured on the 2-core development machine: a 256 x 256 solve took a steady 0.011 s
    with one thread and 0.03-0.6 s with two when the machine was shared (every parallel
    region waits for a descheduled thread); at 1024 x 1024 on an idle machine two threads
    took 0.27 s. Pass ``threads=1`` on a loaded machine.
    """
    old = nb.get_num_threads()
    if threads is None:
        n = 1 if cells < SERIAL_BELOW_CELLS else old
    else:
        n = min(int(threads), nb.config.NUMBA_NUM_THREADS)
    nb.set_num_threads(max(n, 1))
    try:
        yield
    finally:
        nb.set_num_threads(old)


def line_ready(topo) -> bool:
    """Line CG applies to ``topo``: True for every crossbar (zero wire segments are merged runs,
    zero driver and sense resistances Dirichlet nodes of :class:`LineOperator`; infinite ones
    open circuits). Kept for callers that still ask."""
    return True


def _last_run_start(bend, cols):
    """First row of the bit-line run that holds the last row, for each column in ``cols``."""
    e = bend[:-1, cols]
    last = e.shape[0] - 1 - np.argmax(e[::-1], axis=0)
    return np.where(e.any(axis=0), last + 1, 0).astype(np.int64)


class LineOperator:
    """Nodal operator of a crossbar in the (rows, cols) word/bit grids and its line (Thomas) preconditioner.

    ``g_cell`` (rows, cols) in S; segment, driver and sense conductances from the topology.
    Every physical node keeps its place in the grids. Zero wire segments merge nodes into runs
    (one unknown per run, exactly; see :mod:`memlab.arrays._linerun`): ``merged`` is then True,
    the merged segments carry 0 in ``gr``/``gc`` and ``wend``/``bend`` mark the run ends.
    A Dirichlet node (zero driver or sense resistance; with merged segments the whole run
    holding the driver / sense end) stays in the grid as a decoupled dummy unknown with the
    equation ``d x = d u`` at its terminal position (``d`` its removed conductances' sum): its
    couplings (cells to the other layer, the wire segment leaving the run) are removed from
    the coupling arrays and re-enter as exact shunts ``sW``/``sB`` (S) on the diagonal of the
    free neighbours, with the fixed voltage as their source. The reduced system on the free
    nodes is exactly the Dirichlet-eliminated nodal system; ``sh`` is False (and the shunt
    arrays (1, 1) dummies) when there is no Dirichlet node.
    """

    def __init__(self, topo, g_cell: np.ndarray, mixed: bool = False, factor: bool = True):
        fr = np.asarray(topo.drv_fixed_rows, dtype=np.int64)
        fc = np.asarray(topo.sen_fixed_cols, dtype=np.int64)
        self.sh = bool(fr.size or fc.size)
        g_row = topo.g_row if topo.cols > 1 else np.zeros((topo.rows, 1))
        g_col = topo.g_col if topo.rows > 1 else np.zeros((1, topo.cols))
        mw, mb = np.isinf(g_row), np.isinf(g_col)
        self.merged = bool(mw.any() or mb.any())
        edit = self.sh or self.merged
        # copies only where couplings are edited below (no copy for regular crossbars)
        arr = (lambda a: np.array(a, dtype=np.float64, order="C")) if edit else \
            (lambda a: np.ascontiguousarray(a, dtype=np.float64))  # noqa: E731
        G = arr(g_cell)
        M, N = G.shape
        gr, gc, gd, gs = arr(g_row), arr(g_col), arr(topo.g_drv), arr(topo.g_sen)
        self.gr_coarse, self.gc_coarse = gr, gc
        self.wend = self.bend = np.ones((1, 1), dtype=np.bool_)
        if self.merged:
            fin = np.concatenate([gr[~mw], gc[~mb]])
            cap = float(fin.max()) if fin.size and fin.max() > 0 else 1.0
            # the coarse common mode sees a merged segment as the stiffest wire (any SPD choice is exact)
            self.gr_coarse, self.gc_coarse = np.where(mw, cap, gr), np.where(mb, cap, gc)
            gr[mw] = 0.0
            gc[mb] = 0.0
            self.wend = np.ones((M, N), dtype=np.bool_)
            self.bend = np.ones((M, N), dtype=np.bool_)
            if N > 1:
                self.wend[:, :-1] = ~mw
            if M > 1:
                self.bend[:-1, :] = ~mb
        self.fixed_rows, self.fixed_cols = fr, fc
        self._zero_w = self._zero_b = None
        self._ff = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        parts = []   # shunt blocks: (layer 0 = word / 1 = bit, i, j, g (S), source index into u)

        def shunt(layer, i, j, g, src):
            i, j, src = (np.broadcast_to(np.asarray(x, dtype=np.int64), np.shape(g)) for x in (i, j, src))
            parts.append((np.full(np.shape(g), layer, dtype=np.int64), i, j, np.array(g, dtype=np.float64), src))

        if self.sh:
            # fixed runs: word positions 0..we[r] of a fixed row, bit positions bs[c]..rows-1 of a fixed column
            we = np.argmax(self.wend[fr], axis=1) if self.merged else np.zeros(fr.size, dtype=np.int64)
            bs = _last_run_start(self.bend, fc) if self.merged else np.full(fc.size, M - 1, dtype=np.int64)
            fixW = np.zeros((M, N), dtype=bool)
            fixB = np.zeros((M, N), dtype=bool)
            fixW[fr] = np.arange(N)[None, :] <= we[:, None]
            fixB[:, fc] = np.arange(M)[:, None] >= bs[None, :]
            dw = np.zeros(M)
            np.add.at(dw, np.nonzero(fixW)[0], G[fixW])
            ds = np.zeros(N)
            np.add.at(ds, np.nonzero(fixB)[1], G[fixB])
            i, j = np.nonzero(fixW & ~fixB)
            shunt(1, i, j, G[i, j], i)                       # cells of fixed word nodes -> bit-line shunts
            i, j = np.nonzero(fixB & ~fixW)
            shunt(0, i, j, G[i, j], M + j)                   # cells of fixed bit nodes -> word-line shunts
            i, j = np.nonzero(fixW & fixB)                   # cells between a fixed word and a fixed bit node
            self._ff = (i, j, G[i, j].copy())
            G[fixW | fixB] = 0.0
            m = we < N - 1                                   # wire segment leaving a fixed word run
            shunt(0, fr[m], we[m] + 1, gr[fr[m], we[m]], fr[m])
            dw[fr[m]] += gr[fr[m], we[m]]
            gr[fr[m], we[m]] = 0.0
            m = bs > 0                                       # wire segment leaving a fixed bit run
            shunt(1, bs[m] - 1, fc[m], gc[bs[m] - 1, fc[m]], M + fc[m])
            ds[fc[m]] += gc[bs[m] - 1, fc[m]]
            gc[bs[m] - 1, fc[m]] = 0.0
            gd[fr] = np.where(dw[fr] > 0, dw[fr], 1.0)      # dummy equation d x = d u
            gs[fc] = np.where(ds[fc] > 0, ds[fc], 1.0)
            fixW[fr, 0] = False                              # the terminal positions hold the dummy equation
            fixB[M - 1, fc] = False
            if self.merged:
                self._zero_w, self._zero_b = fixW, fixB
        layer, si, sj, sg, src = (np.concatenate([p[k] for p in parts]) if parts else
                                  np.zeros(0, dtype=np.float64 if k == 3 else np.int64) for k in range(5))
        self._sh_layer, self._sh_i, self._sh_j, self._sh_g, self._sh_src = layer.astype(bool), si, sj, sg, src
        # the same shunts per layer for the sparse correction of the row kernels (sW/sB stay dense
        # for the Thomas pivots only)
        lw = ~self._sh_layer
        self._shw = (si[lw], sj[lw], sg[lw])
        self._shb = (si[~lw], sj[~lw], sg[~lw])
        self._nopart = np.zeros((0, 0))
        if self.sh:
            sW = np.zeros((M, N))
            sB = np.zeros((M, N))
            w = ~self._sh_layer
            np.add.at(sW, (si[w], sj[w]), sg[w])
            np.add.at(sB, (si[~w], sj[~w]), sg[~w])
        else:
            sW = sB = np.zeros((1, 1))
        self.G, self.gr, self.gc, self.gd, self.gs, self.sW, self.sB = G, gr, gc, gd, gs, sW, sB
        # Thomas pivots; without merged segments every position ends its own run
        ends = (self.wend, self.bend) if self.merged else (np.broadcast_to(np.True_, (M, N)),) * 2
        # (``factor=False``: an operator for products only, e.g. the wires of Newton's residual)
        self.factors = factor_runs(G, gr, gc, gd, gs, self.sh, sW, sB, *ends) if factor else (None,) * 4
        # mixed precision: the preconditioner's bit-line solve in float32 (its coefficients and
        # output); the operator (word-line elimination, Schur product) and CG stay float64
        self.mixed = bool(mixed)
        self.z_dtype = np.float32 if self.mixed else np.float64
        pre = (gc, *self.factors[2:])
        self._pre = tuple(a.astype(np.float32) for a in pre) if self.mixed and factor else pre
        if self.mixed and factor:   # the float64 bit-line factors are not used again
            self.factors = self.factors[:2] + self._pre[1:]

    def matvec(self, W, B, oW, oB):
        """Per-position Kirchhoff sums (A) of replicated voltages; run sums with merged segments."""
        _matvec(self.G, self.gr, self.gc, self.gd, self.gs, False, self.sW, self.sB, W, B, oW, oB)
        if self.sh:
            _shunt_add(*self._shw, W, oW, self._nopart)
            _shunt_add(*self._shb, B, oB, self._nopart)

    def schur_apply_dot(self, X, Y, out, part):
        """out = P_B X - G * Y (A) and part[k, i] = sum_j X * out (the Dirichlet shunts added sparsely)."""
        _schur_apply_dot(self.G, self.gc, self.gs, False, self.sB, X, Y, out, part)
        if self.sh:
            _shunt_add(*self._shb, X, out, part)

    # kernels of schur_pcg, dispatched on merged runs (module _linerun) or distinct nodes
    def solve_w(self, scale_by_g, rW, zW):
        ipw, cpw = self.factors[:2]
        if self.merged:
            solve_w_runs(self.gr, ipw, cpw, self.wend, self.G, scale_by_g, rW, zW)
        else:
            _solve_w(self.gr, ipw, self.G, scale_by_g, rW, zW)

    def solve_b_dot(self, rB, zB, part, upd=None):
        """zB = P_B^{-1} rB (``zB`` of dtype :attr:`z_dtype`) and the partial sums of rB . zB;
        ``upd = (alpha, qB, rr)`` (distinct nodes only) first takes rB -= alpha qB and the
        partial sums rr of rB . rB."""
        gc, ipb, cpb = self._pre
        if self.merged:
            solve_b_dot_runs(gc, ipb, cpb, self.bend, rB, zB, part)
        else:
            _solve_b_dot(gc, ipb, cpb, rB, zB, part, *_upd_args(upd))

    def xpby_solve_w(self, beta, z, p, Y):
        """p = z + beta p, then Y = P_W^{-1} (G p) (merged runs; distinct nodes use
        :func:`~memlab.arrays._linekern.xpby_schur_dot`)."""
        p *= beta[:, None, None]
        p += z
        self.solve_w(True, p, Y)

    def canon(self, W=None, B=None, source=False):
        """Currents in canonical form in place (run sums at the run ends); nothing to do without
        merged segments. ``source``: a right-hand side, whose entries at the positions of a
        Dirichlet run other than its terminal are no equations and are dropped first."""
        if not self.merged:
            return
        if W is not None:
            if source and self._zero_w is not None:
                W[:, self._zero_w] = 0.0
            canon_w(self.wend, W)
        if B is not None:
            if source and self._zero_b is not None:
                B[:, self._zero_b] = 0.0
            canon_b(self.bend, B)

    def replicate_b(self, X):
        """Bit-line voltages X (K, rows, cols) made constant over each run (its end's value)."""
        if self.merged:
            replicate_b(self.bend, X)

    def rhs(self, u):
        """Right-hand side ``(bW, bB)`` (K, rows, cols), A, for sources ``u = [v_in; v_bl]`` (rows + cols, K)."""
        K = u.shape[1]
        M, N = self.G.shape
        bW = np.zeros((K, M, N))
        bB = np.zeros((K, M, N))
        bW[:, :, 0] = (self.gd[:, None] * u[:M]).T
        bB[:, -1, :] = (self.gs[:, None] * u[M:]).T
        if self.sh:
            add = self._sh_g[:, None] * u[self._sh_src]                 # (n_shunts, K)
            w, b = ~self._sh_layer, self._sh_layer
            np.add.at(bW, (slice(None), self._sh_i[w], self._sh_j[w]), add[w].T)
            np.add.at(bB, (slice(None), self._sh_i[b], self._sh_j[b]), add[b].T)
        return bW, bB

    def source_currents(self, xW, xB, u):
        """(i_in (rows, K), i_out (cols, K)), A, of grid voltages (K, rows, cols) for sources ``u``."""
        M, N = self.G.shape
        i_in = self.gd[:, None] * (u[:M] - xW[:, :, 0].T)
        i_out = self.gs[:, None] * (xB[:, -1, :].T - u[M:])
        if self.sh:
            i_in[self.fixed_rows] = 0.0
            i_out[self.fixed_cols] = 0.0
            w = ~self._sh_layer
            x = np.where(w[:, None], xW[:, self._sh_i, self._sh_j].T, xB[:, self._sh_i, self._sh_j].T)
            cur = self._sh_g[:, None] * (u[self._sh_src] - x)           # into the network from the source
            d = self._sh_src < M
            np.add.at(i_in, self._sh_src[d], cur[d])
            np.add.at(i_out, self._sh_src[~d] - M, -cur[~d])
            fi, fj, fg = self._ff    # straight from a fixed driver node to a fixed sense node
            if fi.size:
                cur = fg[:, None] * (u[fi] - u[M + fj])
                np.add.at(i_in, fi, cur)
                np.add.at(i_out, fj, cur)
        return i_in, i_out


    def results(self, xW, xB, u, cells, full):
        """The seven port and node fields of :data:`memlab.arrays._extract.FIELDS` from converged
        grids ``xW``, ``xB`` (K, rows, cols), V, for sources ``u`` (rows + cols, K), on operators
        without merged segments (every grid position is its own node). The Dirichlet positions
        are set to their source voltages exactly (the dummy equation holds them to the CG
        tolerance) in place; port currents as :meth:`source_currents`; ``cells.current`` gives
        the cell currents (A) of flat cell voltages (rows*cols, K)."""
        if self.merged:
            raise RuntimeError("LineOperator.results needs distinct nodes (no merged segments)")
        M, N = self.G.shape
        K = u.shape[1]
        if self.sh:
            xW[:, self.fixed_rows, 0] = u[self.fixed_rows].T
            xB[:, M - 1, self.fixed_cols] = u[M + self.fixed_cols].T
        i_in, i_out = self.source_currents(xW, xB, u)
        power = np.sum(u[:M] * i_in, axis=0) - np.sum(u[M:] * i_out, axis=0)
        if not full:
            return i_out, i_in, power, None, None, None, None
        v_word = np.ascontiguousarray(np.moveaxis(xW, 0, -1))      # (rows, cols, K)
        v_bit = np.ascontiguousarray(np.moveaxis(xB, 0, -1))
        v_cell = v_word - v_bit
        i_cell = cells.current(v_cell.reshape(M * N, K)).reshape(M, N, K)
        return i_out, i_in, power, v_word, v_bit, v_cell, i_cell


def grid_to_free(topo, xW, xB, dual=False):
    """Free-node vectors (n_free, K) in the topology's numbering from grids (K, rows, cols).

    Voltages (``dual=False``) are read at any position of a merged node; currents
    (``dual=True``) are summed over its positions."""
    K = xW.shape[0]
    if topo.regular:
        return np.stack([xW, xB], axis=-1).reshape(K, -1).T
    out = np.zeros((topo.n_all, K))
    if dual:
        np.add.at(out, topo.w_node, np.moveaxis(xW, 0, -1))
        np.add.at(out, topo.b_node, np.moveaxis(xB, 0, -1))
    else:
        out[topo.w_node] = np.moveaxis(xW, 0, -1)
        out[topo.b_node] = np.moveaxis(xB, 0, -1)
    return out[:topo.n_free]


def free_to_grid(topo, v, u=None, dual=False):
    """Grids (K, rows, cols) from free-node vectors ``v`` (n_free, K); fixed nodes from ``u`` (else 0).

    Voltages (``dual=False``) fill every position of a merged node; currents (``dual=True``)
    go to one position of it (zeros elsewhere, fixed nodes 0)."""
    K = v.shape[1]
    M, N = topo.rows, topo.cols
    if topo.regular:
        v3 = v.T.reshape(K, M, N, 2)
        return np.ascontiguousarray(v3[..., 0]), np.ascontiguousarray(v3[..., 1])
    fixed = topo.fixed_matrix() @ u if u is not None and not dual else np.zeros((topo.n_fixed, K))
    va = np.concatenate([v, fixed], axis=0)
    grids = []
    for nodes in (topo.w_node, topo.b_node):
        g = va[nodes]
        if dual:
            first = np.zeros(nodes.size, dtype=bool)
            first[np.unique(nodes.ravel(), return_index=True)[1]] = True
            g[~first.reshape(nodes.shape)] = 0.0
        grids.append(np.ascontiguousarray(np.moveaxis(g, -1, 0)))
    return grids[0], grids[1]


# ---------------------------------------------------------------------------------------
# Schur-complement CG: eliminate the word lines exactly (one Thomas sweep per word line),
# iterate on the bit-line voltages with S = P_B - D P_W^{-1} D, preconditioned by P_B.
# For this 2x2 block system kappa(P_B^-1 S) = 1/(1-rho^2) against (1+rho)^2/(1-rho^2) for
# block Jacobi on the full system, so it needs fewer iterations on half the unknowns.
# ---------------------------------------------------------------------------------------

#: placeholder residual-update arguments of the bit-line kernels (alpha, qB, rr; never read)
_NO_UPD = (np.zeros(1), np.zeros((1, 1, 1)), np.zeros((1, 1)))


def _upd_args(upd):
    """(flag, alpha, qB, rr) of the bit-line kernels' optional residual update ``upd`` or None."""
    return (False,) + _NO_UPD if upd is None else (True,) + tuple(upd)
#: placeholder coarse arguments of :func:`xpby_schur_dot` without a coarse correction
#: (xc, ly, ty, lx, tx, last; never read)
_NO_COARSE = (np.zeros((1, 2, 2)), np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.int64), np.zeros(1),
              np.zeros(1))


def schur_pcg(op: LineOperator, bW: np.ndarray, bB: np.ndarray, *, x0=None, rtol: float = 1e-10,
              atol=0.0, maxiter: int = 1000, atol_fn=None, callback=None, coarse=None):
    """Batched preconditioned CG on the bit-line Schur complement; each input column converges on its own.

    Stops column ``k`` when ``norm(b_k - A x_k) <= max(rtol * norm(b_k), atol_k)`` for the
    full nodal system (true residual, checked before returning). ``atol_fn(xW, xB)``, if
    given, recomputes ``atol`` (K,) from the current iterate at every convergence check
    (used for tolerances relative to the solution's own source currents). ``callback(it, est)``,
    if given, is called after every iteration with the iteration count and the 2-norm (A) of
    the recursive (reduced) residual per input column (K,). Returns
    ``(xW, xB, iterations, residual_norm (K,), converged (K,))``.
    """
    K, M, N = bW.shape
    G = op.G
    if op.merged:   # currents in canonical form (run sums at the run ends): true 2-norms
        bW, bB = bW.copy(), bB.copy()
        op.canon(bW, bB, source=True)
    bnorm = np.empty(K)
    _dot(bW, bB, bW, bB, bnorm)
    bnorm = np.sqrt(bnorm)
    tol = np.maximum(rtol * bnorm, np.broadcast_to(np.asarray(atol, dtype=np.float64), (K,)))
    # memory: nine (K, rows, cols) arrays with bW and bB (67 M cells: 4.8 GB per input; z is
    # float32 under mixed precision); scratch() and q are the scratch of the residual checks
    # (rewritten before their next use)
    xW = np.empty_like(bW)

    def reduced_rhs(out):
        # c = bB + D P_W^{-1} bW into ``out``; xW = P_W^{-1} bW on return (the word-line
        # solution of x_B = 0); computed again at a restart instead of kept
        op.solve_w(False, bW, xW)
        np.multiply(G[None], xW, out=out)
        out += bB
        op.canon(B=out)
        return out

    xB = np.zeros(bB.shape) if x0 is None else np.array(x0[1], dtype=np.float64, order="C")
    op.replicate_b(xB)
    # distinct-node grids: the direction update and the Schur product in one pass
    # (xpby_schur_dot), which reads the old direction and writes the new one to the other
    # array; between iterations that other array is free and is the residual checks' scratch
    one_pass = not op.merged
    p = np.empty_like(bB) if one_pass else np.zeros_like(bB)
    p_next = np.empty_like(bB) if one_pass else None
    tmp_own = None if one_pass else np.empty_like(bW)
    z = np.empty(bB.shape, dtype=op.z_dtype)        # preconditioned residual (float32: mixed precision)
    q = np.empty_like(bB)

    def scratch():
        return p_next if one_pass else tmp_own

    def recover_and_residual():
        # xW = P_W^{-1}(bW + D xB): exact word-line solve, then full-system residual
        if one_pass:    # distinct nodes: one kernel, no residual arrays
            part = np.empty((K, M))
            _recover_residual(G, op.gr, op.gc, op.gd, op.gs, op.sh, op.sW, op.sB, op.factors[0], bW, bB, xB, xW,
                              part)
            return np.sqrt(part.sum(axis=1))
        tmp = scratch()
        np.multiply(G[None], xB, out=tmp)
        tmp[...] += bW
        op.solve_w(False, tmp, xW)
        rW, rB = tmp, q
        op.matvec(xW, xB, rW, rB)
        np.subtract(bW, rW, out=rW)
        np.subtract(bB, rB, out=rB)
        op.canon(rW, rB)
        rr = np.empty(K)
        _dot(rW, rB, rW, rB, rr)
        return np.sqrt(rr)

    def S(x, out):
        tmp = scratch()
        op.solve_w(True, x, tmp)
        op.schur_apply_dot(x, tmp, out, np.zeros((K, M)))
        op.canon(B=out)

    def update_tol():
        if atol_fn is None:
            return tol
        return np.maximum(rtol * bnorm, atol_fn(xW, xB))

    r = reduced_rhs(np.empty_like(bB))
    if x0 is None:
        # x_B = 0: the word-line rows are solved exactly by x_W = P_W^{-1} b_W and the full
        # residual is the reduced right-hand side itself
        rn = np.sqrt(np.einsum("kij,kij->k", r, r))
    else:
        S(xB, q)
        r -= q
        rn = recover_and_residual()
    stale = False
    tol = update_tol()
    done = rn <= tol
    rz_old = np.ones(K)
    first = True
    it = 0
    # the reduced residual tracks the bit-line rows of the full residual; check the full
    # one whenever the reduced one says a column may be done
    nblk = (N + BLK - 1) // BLK
    fused = coarse is not None and not op.merged
    last = coarse.last_row_mask(N, op.fixed_cols) if fused else None
    part_b = np.empty((K, nblk))
    part_m = np.empty((K, M))
    if fused:   # the column restriction of r in the preconditioner's forward sweep
        base, width = coarse.block_layout(N)
        rloc = np.empty((K, nblk, coarse.shape[0], width))
    # distinct nodes (one_pass): CG's updates x += alpha p and r -= alpha q are not a pass of
    # their own; r's is taken in the next preconditioner sweep (which then gives the residual
    # estimate) and x's in the next direction pass, unless a convergence check needs x first
    a_pend = np.zeros(K)
    pend = False
    x_pend = False
    part_r = np.empty((K, nblk))

    def check(est):
        # true residual where the recursive one says a column may be done; True: restarted
        nonlocal rn, stale, tol, done, first, x_pend
        if not (np.any((est <= tol) & ~done) or it >= maxiter):
            return False
        if x_pend:
            _axpy(a_pend, p, xB)
            x_pend = False
        rn = recover_and_residual()
        stale = False
        tol = update_tol()
        newly = rn <= tol
        restart = bool(np.any(~newly & (est <= tol)))
        if restart:
            # recursive residual drifted: restart from the true reduced residual (this
            # overwrites xW, so the solution is recovered again before returning)
            reduced_rhs(r)
            S(xB, q)
            np.subtract(r, q, out=r)
            first = True
            stale = True
        done = newly
        return restart

    while not done.all() and it < maxiter:
        upd = (a_pend, q, part_r) if pend else None
        if fused:   # coarse correction added inside the p update (no extra pass over z)
            solve_b_dot_restrict(*op._pre, r, z, part_b, *_upd_args(upd),
                                 coarse.ly, coarse.ty, coarse.lx, coarse.tx, last, base, rloc)
            xc, rzc = coarse.solve_restricted(coarse.restrict_blocks(rloc, base))
            rz = part_b.sum(axis=1) + rzc
        else:
            op.solve_b_dot(r, z, part_b, upd)
            rz = part_b.sum(axis=1)
        if pend:
            pend = False
            est = np.sqrt(part_r.sum(axis=1))
            if callback is not None:
                callback(it, est)
            if check(est):
                continue        # restarted: the preconditioned residual again
            if done.all():
                break
        if not fused and coarse is not None:
            rz = rz + coarse.correct(r, z, op.fixed_cols)
        beta = np.where(first | done, 0.0, rz / np.where(rz_old == 0, 1.0, rz_old))
        if one_pass:
            if fused:
                cw = (xc, True, coarse.ly, coarse.ty, coarse.lx, coarse.tx, last)
            else:
                cw = (_NO_COARSE[0], False) + _NO_COARSE[1:]
            ax = a_pend if x_pend else np.zeros(K)
            xpby_schur_dot(beta, z, *cw, p, G, op.gr, op.gc, op.gs, op.factors[0], p_next, q, part_m,
                           8 * nb.get_num_threads(), ax, xB)
            x_pend = False
            p, p_next = p_next, p
            if op.sh:
                _shunt_add(*op._shb, p, q, part_m)
        else:
            op.xpby_solve_w(beta, z, p, tmp_own)
            op.schur_apply_dot(p, tmp_own, q, part_m)
        pq = part_m.sum(axis=1)
        op.canon(B=q)
        alpha = np.where(done | (pq <= 0), 0.0, rz / np.where(pq == 0, 1.0, pq))
        stale = True
        rz_old = rz
        first = False
        it += 1
        if one_pass:
            a_pend = alpha
            pend = x_pend = True
            continue
        _axpy2_dot(alpha, p, q, xB, r, part_m)
        est = np.sqrt(part_m.sum(axis=1))
        if callback is not None:
            callback(it, est)
        check(est)
    if pend:    # the last iteration's updates (maxiter reached)
        _axpy(a_pend, p, xB)
        _axpy(-a_pend, q, r)
        if callback is not None:
            callback(it, np.sqrt(np.einsum("kij,kij->k", r, r)))
    if stale:
        rn = recover_and_residual()
        tol = update_tol()
    return xW, xB, it, rn, rn <= tol
