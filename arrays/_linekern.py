"""Numba kernels of the line operator on distinct nodes (no merged segments): nodal product,
Thomas solves of the word and bit lines, and the fused steps of the Schur CG.

Grids ``(K, rows, cols)``; conductances in S, voltages in V, currents in A. The kernels of
crossbars with merged (zero-resistance) segments are in :mod:`memlab.arrays._linerun`; the
algorithm around them in :mod:`memlab.arrays._linesolve`.
"""
from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["BLK", "col_block", "bit_row", "matvec", "dot", "solve_w", "solve_b_dot", "schur_apply_dot",
           "axpy2_dot", "xpby_schur_dot", "shunt_add", "absmax2", "solve_b_dot_restrict",
           "recover_residual", "axpy"]


#: bit lines per block of the column-wise kernels (Thomas sweeps down the bit lines, their
#: pivots): each row of a block is a contiguous run of BLK values. Measured at 4096^2 on 2
#: cores (bit-line solve with its dot): 64 columns 0.06-0.10 s, 128 0.037-0.041 s, 256
#: 0.029-0.040 s; longer contiguous runs per row keep more memory requests in flight.
BLK = 256


@nb.njit(cache=True, inline="always")
def col_block(t, nblk, N):
    """(input k, first column, end column) of the ``t``-th block of :data:`BLK` bit lines."""
    j0 = (t % nblk) * BLK
    return t // nblk, j0, min(j0 + BLK, N)


@nb.njit(cache=True, inline="always")
def _upd_r(a, qB, rB, k, i, j0, j1, rr):
    """rB[k, i, j] -= a qB[k, i, j] over columns j0..j1-1 and rr[j - j0] += rB^2 (CG's
    residual update, taken in the pass of the preconditioner that reads rB next)."""
    for j in range(j0, j1):
        v = rB[k, i, j] - a * qB[k, i, j]
        rB[k, i, j] = v
        rr[j - j0] += v * v


@nb.njit(cache=True, inline="always")
def _fwd_b(gc, ipb, rB, zB, k, i, j0, j1, acc):
    """Forward sweep of the bit-line Thomas solve at row ``i`` over columns j0..j1-1, with the
    per-column partial sums acc[j - j0] += y w of ``r . P^{-1} r`` (no serial reduction, so the
    loop vectorises)."""
    if i == 0:
        for j in range(j0, j1):
            w = rB[k, 0, j]
            y = w * ipb[0, j]
            zB[k, 0, j] = y
            acc[j - j0] += y * w
    else:
        for j in range(j0, j1):
            w = rB[k, i, j] + gc[i - 1, j] * zB[k, i - 1, j]
            y = w * ipb[i, j]
            zB[k, i, j] = y
            acc[j - j0] += y * w


@nb.njit(cache=True, inline="always")
def bit_sum(G, gc, gs, sh, sB, M, i, j, b, y, bu, bd):
    """(P_B x - G y) at bit node (i, j) (A): ``b`` its voltage, ``y`` the word-line voltage of
    the cell, ``bu``/``bd`` the bit-line voltages above and below (not used at the ends)."""
    s = G[i, j] * (b - y)
    if i > 0:
        s += gc[i - 1, j] * (b - bu)
    if i < M - 1:
        s += gc[i, j] * (b - bd)
    else:
        s += gs[j] * b
    if sh:
        s += sB[i, j] * b
    return s


@nb.njit(cache=True, inline="always")
def bit_row(G, gc, gs, sh, sB, X, Y, k, i, out):
    """out[k, i, :] = (P_B X - G * Y)[k, i, :] (A); returns sum_j X * out over the row."""
    M, N = G.shape
    iu, id_ = max(i - 1, 0), min(i + 1, M - 1)
    acc = 0.0
    for j in range(N):
        b = X[k, i, j]
        s = bit_sum(G, gc, gs, sh, sB, M, i, j, b, Y[k, i, j], X[k, iu, j], X[k, id_, j])
        out[k, i, j] = s
        acc += b * s
    return acc


@nb.njit(parallel=True, cache=True, fastmath=False)
def matvec(G, gr, gc, gd, gs, sh, sW, sB, W, B, oW, oB):
    K, M, N = W.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        for j in range(N):
            w = W[k, i, j]
            s = G[i, j] * (w - B[k, i, j])
            if j > 0:
                s += gr[i, j - 1] * (w - W[k, i, j - 1])
            else:
                s += gd[i] * w
            if j < N - 1:
                s += gr[i, j] * (w - W[k, i, j + 1])
            if sh:
                s += sW[i, j] * w
            oW[k, i, j] = s
        bit_row(G, gc, gs, sh, sB, B, W, k, i, oB)


@nb.njit(parallel=True, cache=True)
def dot(aW, aB, bW, bB, out):
    K, M, N = aW.shape
    for k in range(K):
        s = 0.0
        for i in nb.prange(M):
            t = 0.0
            for j in range(N):
                t += aW[k, i, j] * bW[k, i, j] + aB[k, i, j] * bB[k, i, j]
            s += t
        out[k] = s


@nb.njit(parallel=True, cache=True)
def solve_w(gr, ipw, G, scale_by_g, rW, zW):
    """zW = P_W^{-1} (G * rW if scale_by_g else rW), one Thomas sweep per word line, four lines
    at a time (:func:`_wsolve4`)."""
    K, M, N = rW.shape
    ng = (M + 3) // 4
    for t in nb.prange(K * ng):
        k, i, R, P, Y = _group4(t, ng, M, N)
        _load_solve(G, gr, ipw, rW, rW, False, k, i, R, P, Y, scale_by_g)
        zW[k, i:i + R, :] = Y[:R, :]


@nb.njit(cache=True, inline="always")
def _back_b(cpb, zB, k, j0, j1):
    """Back substitution of the bit-line Thomas solve over columns j0..j1-1 of input k."""
    M = zB.shape[1]
    for i in range(M - 2, -1, -1):
        for j in range(j0, j1):
            zB[k, i, j] -= cpb[i, j] * zB[k, i + 1, j]


@nb.njit(parallel=True, cache=True)
def solve_b_dot(gc, ipb, cpb, rB, zB, part, upd, alpha, qB, rr):
    """zB = P_B^{-1} rB and part[k, blk] = rB . zB over the block's columns; first, if ``upd``,
    rB -= alpha[k] qB and rr[k, blk] = rB . rB (the CG residual update of the last iteration).

    The dot is taken in the forward sweep, ``r . P^{-1} r = sum_i y_i w_i`` with ``w = L^{-1} r``
    and ``y = D^{-1} w`` of ``P_B = L D L^T`` (positive terms), so the back substitution
    does not read ``rB`` again."""
    K, M, N = rB.shape
    nblk = (N + BLK - 1) // BLK
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        acc = np.zeros(BLK)
        sq = np.zeros(BLK)
        for i in range(M):
            if upd:
                _upd_r(alpha[k], qB, rB, k, i, j0, j1, sq)
            _fwd_b(gc, ipb, rB, zB, k, i, j0, j1, acc)
        _back_b(cpb, zB, k, j0, j1)
        part[k, t % nblk] = acc.sum()
        if upd:
            rr[k, t % nblk] = sq.sum()


@nb.njit(parallel=True, cache=True)
def solve_b_dot_restrict(gc, ipb, cpb, rB, zB, part, upd, alpha, qB, rr, ly, ty, lx, tx, last, base, rloc):
    """:func:`solve_b_dot` (with its optional residual update) that also restricts ``rB`` to the
    coarse grid in its forward sweep: rloc[k, blk, I, J - base[blk]] = sum over the block's
    columns j and all rows i of w_I(i) w_J(j) rB[k, i, j], with the linear weights (1 - tx,
    tx) of coarse columns (lx, lx + 1) and (1 - ty, ty) of coarse rows (ly, ly + 1);
    ``last[j]`` (0 or 1) weighs the last row (0 leaves a Dirichlet dummy out). Saves the
    restriction's own pass over rB; each block writes only its own (coarse rows, width) slice."""
    K, M, N = rB.shape
    nblk = (N + BLK - 1) // BLK
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        b = t % nblk
        J0 = base[b]
        mc, W = rloc.shape[2], rloc.shape[3]
        for I in range(mc):
            for q in range(W):
                rloc[k, b, I, q] = 0.0
        acc = np.zeros(BLK)
        sq = np.zeros(BLK)
        for i in range(M):
            if upd:
                _upd_r(alpha[k], qB, rB, k, i, j0, j1, sq)
            # the coarse column J changes every h columns: sum in registers, add at changes
            I0 = ly[i]
            b1 = ty[i]
            b0 = 1.0 - b1
            J = lx[j0] - J0
            a0 = 0.0
            a1 = 0.0
            for j in range(j0, j1):
                v = rB[k, i, j] * last[j] if i == M - 1 else rB[k, i, j]
                if lx[j] - J0 != J:
                    rloc[k, b, I0, J] += b0 * a0
                    rloc[k, b, I0, J + 1] += b0 * a1
                    rloc[k, b, I0 + 1, J] += b1 * a0
                    rloc[k, b, I0 + 1, J + 1] += b1 * a1
                    J = lx[j] - J0
                    a0 = 0.0
                    a1 = 0.0
                s = tx[j]
                a0 += (1.0 - s) * v
                a1 += s * v
            rloc[k, b, I0, J] += b0 * a0
            rloc[k, b, I0, J + 1] += b0 * a1
            rloc[k, b, I0 + 1, J] += b1 * a0
            rloc[k, b, I0 + 1, J + 1] += b1 * a1
            _fwd_b(gc, ipb, rB, zB, k, i, j0, j1, acc)
        _back_b(cpb, zB, k, j0, j1)
        part[k, b] = acc.sum()
        if upd:
            rr[k, b] = sq.sum()


@nb.njit(parallel=True, cache=True)
def schur_apply_dot(G, gc, gs, sh, sB, X, Y, out, part):
    """out = P_B X - G * Y and part[k, i] = sum_j X * out."""
    K, M, N = X.shape
    for t in nb.prange(K * M):
        part[t // M, t % M] = bit_row(G, gc, gs, sh, sB, X, Y, t // M, t % M, out)


@nb.njit(parallel=True, cache=True)
def axpy2_dot(alpha, p, q, x, r, part):
    """x += alpha p; r -= alpha q; part[k, i] = sum_j r^2."""
    K, M, N = p.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        a = alpha[k]
        acc = 0.0
        for j in range(N):
            x[k, i, j] += a * p[k, i, j]
            rv = r[k, i, j] - a * q[k, i, j]
            r[k, i, j] = rv
            acc += rv * rv
        part[k, i] = acc


@nb.njit(cache=True)
def shunt_add(si, sj, sg, X, out, part):
    """out[k, i, j] += g X[k, i, j] for the shunts (i, j, g (S)) of one layer; if ``part`` has
    rows, part[k, i] += g X[k, i, j]^2 (the row sums of X * out). The Dirichlet shunts lie on
    one or two lines of the grid, so this serial loop replaces a dense (rows, cols) shunt array
    read by every row kernel."""
    K = X.shape[0]
    acc = part.shape[0] > 0
    for k in range(K):
        for s in range(si.size):
            i, j = si[s], sj[s]
            d = sg[s] * X[k, i, j]
            out[k, i, j] += d
            if acc:
                part[k, i] += d * X[k, i, j]


@nb.njit(parallel=True, cache=True)
def absmax2(A, B, out):
    """out[k] = max(|A[k]|, |B[k]|) over each (rows, cols) grid, without temporaries."""
    K, M, N = A.shape
    part = np.zeros((K, M))
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        m = 0.0
        for j in range(N):
            a = abs(A[k, i, j])
            b = abs(B[k, i, j])
            if a > m:
                m = a
            if b > m:
                m = b
        part[k, i] = m
    for k in range(K):
        m = 0.0
        for i in range(M):
            if part[k, i] > m:
                m = part[k, i]
        out[k] = m


@nb.njit(cache=True, inline="always")
def _p_row(beta, z, xc, has_c, ly, ty, lx, tx, last, pold, k, i, out, u):
    """out = z[k, i] + (P xc)[k, i] + beta pold[k, i] (one row of the new search direction;
    ``pold`` is not read when beta is 0, so it may hold anything on the first iteration).
    The bilinear prolongation is taken rows first: u = (1 - ty) xc[I0] + ty xc[I0 + 1] on
    the coarse columns (``u``: a buffer of nc values), then linearly along the row."""
    M, N = z.shape[1], z.shape[2]
    for j in range(N):
        out[j] = z[k, i, j]
    if has_c:
        I0 = ly[i]
        a1 = ty[i]
        a0 = 1.0 - a1
        for J in range(xc.shape[2]):
            u[J] = a0 * xc[k, I0, J] + a1 * xc[k, I0 + 1, J]
        for j in range(N):
            J = lx[j]
            s1 = tx[j]
            c = (1.0 - s1) * u[J] + s1 * u[J + 1]
            if i == M - 1:
                c *= last[j]
            out[j] += c
    if beta != 0.0:
        for j in range(N):
            out[j] += beta * pold[k, i, j]


@nb.njit(cache=True, inline="always")
def _wsolve1(G, gr, ipw, x, i, y, scale):
    """y = P_W^{-1} (G[i] x) (x alone unless ``scale``) on word line ``i`` (one Thomas sweep of a row). On distinct nodes
    the back-substitution factor is ``c = -gr ipw`` (as :func:`~memlab.arrays._linerun.factor_runs`
    forms it, so the same rounding): it is recomputed rather than read."""
    N = y.shape[0]
    v = (x[0] * G[i, 0] if scale else x[0]) * ipw[i, 0]
    y[0] = v
    for j in range(1, N):
        v = ((x[j] * G[i, j] if scale else x[j]) + gr[i, j - 1] * v) * ipw[i, j]
        y[j] = v
    for j in range(N - 2, -1, -1):
        y[j] -= -gr[i, j] * ipw[i, j] * y[j + 1]


@nb.njit(cache=True, inline="always")
def _wsolve4(G, gr, ipw, P, i, Y, scale):
    """Y[r] = P_W^{-1} (G[i + r] P[r + 1]) (P alone unless ``scale``) for the four word lines i .. i + 3, their Thomas
    recurrences interleaved: one row's sweep is a chain of dependent multiply-adds (latency
    bound), four independent chains run about twice as fast on one core (measured 6.5 ->
    3.2 ns per cell; six or eight chains were slower). Same operations, same rounding; the
    back-substitution factor recomputed as in :func:`_wsolve1`."""
    N = Y.shape[1]
    v0 = (P[1, 0] * G[i, 0] if scale else P[1, 0]) * ipw[i, 0]
    v1 = (P[2, 0] * G[i + 1, 0] if scale else P[2, 0]) * ipw[i + 1, 0]
    v2 = (P[3, 0] * G[i + 2, 0] if scale else P[3, 0]) * ipw[i + 2, 0]
    v3 = (P[4, 0] * G[i + 3, 0] if scale else P[4, 0]) * ipw[i + 3, 0]
    Y[0, 0] = v0
    Y[1, 0] = v1
    Y[2, 0] = v2
    Y[3, 0] = v3
    for j in range(1, N):
        v0 = ((P[1, j] * G[i, j] if scale else P[1, j]) + gr[i, j - 1] * v0) * ipw[i, j]
        v1 = ((P[2, j] * G[i + 1, j] if scale else P[2, j]) + gr[i + 1, j - 1] * v1) * ipw[i + 1, j]
        v2 = ((P[3, j] * G[i + 2, j] if scale else P[3, j]) + gr[i + 2, j - 1] * v2) * ipw[i + 2, j]
        v3 = ((P[4, j] * G[i + 3, j] if scale else P[4, j]) + gr[i + 3, j - 1] * v3) * ipw[i + 3, j]
        Y[0, j] = v0
        Y[1, j] = v1
        Y[2, j] = v2
        Y[3, j] = v3
    for j in range(N - 2, -1, -1):
        Y[0, j] -= -gr[i, j] * ipw[i, j] * Y[0, j + 1]
        Y[1, j] -= -gr[i + 1, j] * ipw[i + 1, j] * Y[1, j + 1]
        Y[2, j] -= -gr[i + 2, j] * ipw[i + 2, j] * Y[2, j + 1]
        Y[3, j] -= -gr[i + 3, j] * ipw[i + 3, j] * Y[3, j + 1]


@nb.njit(cache=True, inline="always")
def _wsolve_rows(G, gr, ipw, P, i, R, Y, scale):
    """Y[r] = P_W^{-1} (G[i + r] P[r + 1]) (P alone unless ``scale``) for the R <= 4 word lines
    i .. i + R - 1: four interleaved (:func:`_wsolve4`), fewer one by one."""
    if R == 4:
        _wsolve4(G, gr, ipw, P, i, Y, scale)
    else:
        for r in range(R):
            _wsolve1(G, gr, ipw, P[r + 1], i + r, Y[r], scale)


@nb.njit(cache=True, inline="always")
def _load_solve(G, gr, ipw, A, B, add, k, i, R, P, Y, scale):
    """P[r + 1] = A[k, i + r] (+ G B[k, i + r] if ``add``), then :func:`_wsolve_rows`."""
    N = P.shape[1]
    for r in range(R):
        for j in range(N):
            P[r + 1, j] = A[k, i + r, j] + G[i + r, j] * B[k, i + r, j] if add else A[k, i + r, j]
    _wsolve_rows(G, gr, ipw, P, i, R, Y, scale)


@nb.njit(cache=True, inline="always")
def _group4(t, ng, M, N):
    """(input k, first row i, rows R <= 4, row buffers P (5, N) and Y (4, N)) of group ``t``
    of four word lines (``ng`` groups per input)."""
    i = (t % ng) * 4
    return t // ng, i, min(4, M - i), np.empty((5, N)), np.empty((4, N))


@nb.njit(parallel=True, cache=True)
def xpby_schur_dot(beta, z, xc, has_c, ly, ty, lx, tx, last, pold, G, gr, gc, gs, ipw, pnew, q, part, nch, ax, x):
    """One pass for the search direction and its Schur product: pnew = z + P xc + beta pold (the
    coarse prolongation ``P xc`` only if ``has_c``: row weights ``ly``/``ty``, column weights
    ``lx``/``tx``, ``last[j]`` = 0 leaves the last row's column ``j`` out, a Dirichlet dummy),
    q = P_B pnew - G P_W^{-1} (G pnew) (A) and part[k, i] = sum_j pnew * q; and x += ax[k]
    pold where ax[k] != 0 (CG's pending solution update with the old direction).

    Rows are taken in ``nch`` chunks per input (a few per thread) and, inside a chunk, four
    at a time (:func:`_wsolve4`). A chunk recomputes the new direction of its neighbouring
    rows (the bit-line stencil needs rows i - 1 and i + 1), so ``pnew`` and ``pold`` must be
    distinct arrays. The word-line solutions live only in a four-row buffer: no
    (K, rows, cols) intermediate is written or read back."""
    K, M, N = pold.shape
    nch = max(1, min(M, nch))
    for t in nb.prange(K * nch):
        k = t // nch
        c = t % nch
        i0 = (c * M) // nch
        i1 = ((c + 1) * M) // nch
        P = np.empty((6, N))       # rows i - 1 .. i + 4 of the new direction
        Y = np.empty((4, N))
        u = np.empty(xc.shape[2])
        bt = beta[k]
        if i0 > 0:
            _p_row(bt, z, xc, has_c, ly, ty, lx, tx, last, pold, k, i0 - 1, P[0], u)
        _p_row(bt, z, xc, has_c, ly, ty, lx, tx, last, pold, k, i0, P[1], u)
        i = i0
        while i < i1:
            R = min(4, i1 - i)
            for r in range(1, R + 1):
                if i + r < M:
                    _p_row(bt, z, xc, has_c, ly, ty, lx, tx, last, pold, k, i + r, P[r + 1], u)
            _wsolve_rows(G, gr, ipw, P, i, R, Y, True)
            for r in range(R):
                ii = i + r
                if ax[k] != 0.0:
                    for j in range(N):
                        x[k, ii, j] += ax[k] * pold[k, ii, j]
                acc = 0.0
                for j in range(N):
                    b = P[r + 1, j]
                    pnew[k, ii, j] = b
                    s = bit_sum(G, gc, gs, False, gc, M, ii, j, b, Y[r, j], P[r, j], P[r + 2, j])
                    q[k, ii, j] = s
                    acc += b * s
                part[k, ii] = acc
            for j in range(N):
                P[0, j] = P[R, j]
                P[1, j] = P[R + 1, j]
            i += R


@nb.njit(parallel=True, cache=True)
def recover_residual(G, gr, gc, gd, gs, sh, sW, sB, ipw, bW, bB, xB, xW, part):
    """The word-line voltages of bit-line voltages ``xB`` and the squared norm of the full
    nodal residual, in one pass (distinct nodes): xW = P_W^{-1} (bW + G xB) and
    part[k, i] = sum_j (bW - A_W x)^2 + (bB - A_B x)^2 over row ``i`` (A^2), with the products
    of :func:`matvec` (dense shunts ``sW``/``sB`` if ``sh``). Neither residual array is written:
    four rows of word-line voltages live in a row buffer."""
    K, M, N = xB.shape
    ng = (M + 3) // 4
    for t in nb.prange(K * ng):
        k, i, R, P, Y = _group4(t, ng, M, N)
        _load_solve(G, gr, ipw, bW, xB, True, k, i, R, P, Y, False)
        for r in range(R):
            ii = i + r
            iu, id_ = max(ii - 1, 0), min(ii + 1, M - 1)
            acc = 0.0
            for j in range(N):
                w = Y[r, j]
                b = xB[k, ii, j]
                xW[k, ii, j] = w
                s = G[ii, j] * (w - b)
                if j > 0:
                    s += gr[ii, j - 1] * (w - Y[r, j - 1])
                else:
                    s += gd[ii] * w
                if j < N - 1:
                    s += gr[ii, j] * (w - Y[r, j + 1])
                if sh:
                    s += sW[ii, j] * w
                rw = bW[k, ii, j] - s
                rb = bB[k, ii, j] - bit_sum(G, gc, gs, sh, sB, M, ii, j, b, w, xB[k, iu, j], xB[k, id_, j])
                acc += rw * rw + rb * rb
            part[k, ii] = acc


@nb.njit(parallel=True, cache=True)
def axpy(alpha, p, x):
    """x += alpha[k] p (no temporary)."""
    K, M, N = p.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        a = alpha[k]
        for j in range(N):
            x[k, i, j] += a * p[k, i, j]
