"""Numba kernels of the line operator on distinct nodes (no merged segments): nodal product,
Thomas solves of the word and bit lines, and the fused steps of the Schur CG.

Grids ``(K, rows, cols)``; conductances in S, voltages in V, currents in A. The kernels of
crossbars with merged (zero-resistance) segments are in :mod:`memlab.arrays._linerun`; the
algorithm around them in :mod:`memlab.arrays._linesolve`.
"""
from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["col_block", "bit_row", "matvec", "dot", "solve_w", "solve_b_dot", "xpby_solve_w", "schur_apply_dot",
           "axpy2_dot", "xpby_coarse_solve_w", "shunt_add", "absmax2", "solve_b_dot_restrict"]


@nb.njit(cache=True, inline="always")
def col_block(t, nblk, N):
    """(input k, first column, end column) of the ``t``-th block of 64 bit lines."""
    j0 = (t % nblk) * 64
    return t // nblk, j0, min(j0 + 64, N)


@nb.njit(cache=True, inline="always")
def bit_row(G, gc, gs, sh, sB, X, Y, k, i, out):
    """out[k, i, :] = (P_B X - G * Y)[k, i, :] (A); returns sum_j X * out over the row."""
    M, N = G.shape
    acc = 0.0
    for j in range(N):
        b = X[k, i, j]
        s = G[i, j] * (b - Y[k, i, j])
        if i > 0:
            s += gc[i - 1, j] * (b - X[k, i - 1, j])
        if i < M - 1:
            s += gc[i, j] * (b - X[k, i + 1, j])
        else:
            s += gs[j] * b
        if sh:
            s += sB[i, j] * b
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
def solve_w(gr, ipw, cpw, G, scale_by_g, rW, zW):
    """zW = P_W^{-1} (G * rW if scale_by_g else rW), one Thomas sweep per word line."""
    K, M, N = rW.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        r0 = rW[k, i, 0] * G[i, 0] if scale_by_g else rW[k, i, 0]
        y = r0 * ipw[i, 0]
        zW[k, i, 0] = y
        for j in range(1, N):
            rj = rW[k, i, j] * G[i, j] if scale_by_g else rW[k, i, j]
            y = (rj + gr[i, j - 1] * y) * ipw[i, j]
            zW[k, i, j] = y
        for j in range(N - 2, -1, -1):
            zW[k, i, j] -= cpw[i, j] * zW[k, i, j + 1]


@nb.njit(cache=True, inline="always")
def _back_b(cpb, zB, k, j0, j1):
    """Back substitution of the bit-line Thomas solve over columns j0..j1-1 of input k."""
    M = zB.shape[1]
    for i in range(M - 2, -1, -1):
        for j in range(j0, j1):
            zB[k, i, j] -= cpb[i, j] * zB[k, i + 1, j]


@nb.njit(parallel=True, cache=True)
def solve_b_dot(gc, ipb, cpb, rB, zB, part):
    """zB = P_B^{-1} rB and part[k, blk] = rB . zB over the block's columns.

    The dot is taken in the forward sweep, ``r . P^{-1} r = sum_i y_i w_i`` with ``w = L^{-1} r``
    and ``y = D^{-1} w`` of ``P_B = L D L^T`` (positive terms), so the back substitution
    does not read ``rB`` again."""
    K, M, N = rB.shape
    nblk = (N + 63) // 64
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        acc = 0.0
        for j in range(j0, j1):
            w = rB[k, 0, j]
            y = w * ipb[0, j]
            zB[k, 0, j] = y
            acc += y * w
        for i in range(1, M):
            for j in range(j0, j1):
                w = rB[k, i, j] + gc[i - 1, j] * zB[k, i - 1, j]
                y = w * ipb[i, j]
                zB[k, i, j] = y
                acc += y * w
        _back_b(cpb, zB, k, j0, j1)
        part[k, t % nblk] = acc


@nb.njit(parallel=True, cache=True)
def solve_b_dot_restrict(gc, ipb, cpb, rB, zB, part, lx, tx, last, base, rloc):
    """:func:`solve_b_dot` that also restricts ``rB`` along the columns in its forward sweep:
    rloc[k, blk, i, J - base[blk]] = sum_j w_J(j) rB[k, i, j] over the block's columns, with the
    linear weights (1 - tx, tx) of coarse columns (lx, lx + 1); ``last[j]`` (0 or 1) weighs the
    last row (0 leaves a Dirichlet dummy out). Saves the restriction's own pass over rB."""
    K, M, N = rB.shape
    nblk = (N + 63) // 64
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        b = t % nblk
        J0 = base[b]
        W = rloc.shape[3]
        for i in range(M):
            for q in range(W):
                rloc[k, b, i, q] = 0.0
        acc = 0.0
        for i in range(M):
            for j in range(j0, j1):
                w = rB[k, i, j]
                v = w * last[j] if i == M - 1 else w
                J = lx[j] - J0
                s = tx[j]
                rloc[k, b, i, J] += (1.0 - s) * v
                rloc[k, b, i, J + 1] += s * v
                if i > 0:
                    w += gc[i - 1, j] * zB[k, i - 1, j]
                y = w * ipb[i, j]
                zB[k, i, j] = y
                acc += y * w
        _back_b(cpb, zB, k, j0, j1)
        part[k, b] = acc


@nb.njit(parallel=True, cache=True)
def xpby_solve_w(beta, z, p, G, gr, ipw, cpw, Y):
    """p = z + beta p, then Y = P_W^{-1} (G p) (one Thomas sweep per word line)."""
    K, M, N = p.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        bt = beta[k]
        pv = z[k, i, 0] + bt * p[k, i, 0]
        p[k, i, 0] = pv
        y = pv * G[i, 0] * ipw[i, 0]
        Y[k, i, 0] = y
        for j in range(1, N):
            pv = z[k, i, j] + bt * p[k, i, j]
            p[k, i, j] = pv
            y = (pv * G[i, j] + gr[i, j - 1] * y) * ipw[i, j]
            Y[k, i, j] = y
        for j in range(N - 2, -1, -1):
            Y[k, i, j] -= cpw[i, j] * Y[k, i, j + 1]


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


@nb.njit(parallel=True, cache=True)
def xpby_coarse_solve_w(beta, z, xc, ly, ty, lx, tx, last, p, G, gr, ipw, cpw, Y):
    """p = (z + P xc) + beta p with the bilinear prolongation ``P`` of the coarse solution ``xc``
    (K, mc, nc) (row weights ``ly``/``ty``, column weights ``lx``/``tx``; ``last[j]`` = 0 leaves
    the last row's column ``j`` out, a Dirichlet dummy), then Y = P_W^{-1} (G p)."""
    K, M, N = p.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        bt = beta[k]
        I0 = ly[i]
        a1 = ty[i]
        a0 = 1.0 - a1
        y = 0.0
        for j in range(N):
            J = lx[j]
            s1 = tx[j]
            s0 = 1.0 - s1
            c = a0 * (s0 * xc[k, I0, J] + s1 * xc[k, I0, J + 1]) + \
                a1 * (s0 * xc[k, I0 + 1, J] + s1 * xc[k, I0 + 1, J + 1])
            if i == M - 1:
                c *= last[j]
            pv = z[k, i, j] + c + bt * p[k, i, j]
            p[k, i, j] = pv
            if j == 0:
                y = pv * G[i, 0] * ipw[i, 0]
            else:
                y = (pv * G[i, j] + gr[i, j - 1] * y) * ipw[i, j]
            Y[k, i, j] = y
        for j in range(N - 2, -1, -1):
            Y[k, i, j] -= cpw[i, j] * Y[k, i, j + 1]


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
