"""Line kernels for crossbars with merged (zero-resistance) wire segments.

A zero word-line segment between columns ``j`` and ``j + 1`` makes ``w[i, j]`` and
``w[i, j + 1]`` one node; a zero bit-line segment merges ``b[i, j]`` and ``b[i + 1, j]``. The
line operator (:class:`~memlab.arrays._linesolve.LineOperator`) keeps every physical node in
its (rows, cols) grid and treats a *run* of merged nodes as one unknown, exactly:

- voltages (CG iterates, search directions, preconditioned residuals) are *replicated*: every
  position of a run holds the run's voltage;
- currents (right-hand sides, residuals, operator outputs) are *run sums*: only the sum over a
  run's positions is meaningful; :func:`canon_w` / :func:`canon_b` move the sum to the run's
  last position (its *end*) and zero the others, so that 2-norms are the norms of the merged
  system's vectors. Dot products of a voltage with a current need no canonical form.

The merged segments carry conductance 0 in the coupling arrays: a replicated voltage drives no
current through them, and the sum over a run of the per-position Kirchhoff sums is the merged
node's Kirchhoff sum (the unknown currents in the merged segments cancel in it). The line
(Thomas) solves below eliminate along a line with one pivot per run (diagonal: the sum of the
run's conductances; off-diagonal: the segment joining two runs), so ``P_W^{-1}`` and
``P_B^{-1}`` are the exact inverses of the merged line matrices. ``wend[i, j]``: position
``(i, j)`` ends its word-line run (``j = cols - 1`` or the segment to ``j + 1`` is not
merged); ``bend[i, j]``: ends its bit-line run (``i = rows - 1`` or the segment to ``i + 1``
is not merged). Conductances in S, voltages in V, currents in A.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from ._linekern import BLK, col_block

__all__ = ["factor_runs", "solve_w_runs", "solve_b_dot_runs", "canon_w", "canon_b", "replicate_b"]


@nb.njit(cache=True, inline="always")
def _close_run(d, e, prev_e, prev_c):
    """Thomas step at a run end (diagonal ``d``, coupling ``e`` to the next run): (1/pivot, c,
    the new prev_c, prev_e, the reset diagonal sum)."""
    piv = d - prev_e * prev_c
    ip = 1.0 / piv if piv != 0.0 else 0.0
    return ip, e * ip, e * ip, e, 0.0


@nb.njit(cache=True, inline="always")
def _wdiag(G, gr, gd, sh, sW, i, j, N):
    """Diagonal of word position (i, j) on distinct nodes, summed in the order of :func:`factor_runs`."""
    d = 0.0
    d += G[i, j] + (gr[i, j - 1] if j > 0 else gd[i])
    if sh:
        d += sW[i, j]
    if j < N - 1:
        d += gr[i, j]
    return d


@nb.njit(cache=True, inline="always")
def _factor_w4(G, gr, gd, sh, sW, i, ipw, cpw):
    """Thomas pivots of the four word lines i .. i + 3 on distinct nodes, the four recurrences
    interleaved (each is a chain through a division; the same operations as :func:`_close_run`)."""
    N = G.shape[1]
    c0 = c1 = c2 = c3 = 0.0
    e0 = e1 = e2 = e3 = 0.0
    for j in range(N):
        last = j == N - 1
        p0 = _wdiag(G, gr, gd, sh, sW, i, j, N) - e0 * c0
        p1 = _wdiag(G, gr, gd, sh, sW, i + 1, j, N) - e1 * c1
        p2 = _wdiag(G, gr, gd, sh, sW, i + 2, j, N) - e2 * c2
        p3 = _wdiag(G, gr, gd, sh, sW, i + 3, j, N) - e3 * c3
        e0 = 0.0 if last else -gr[i, j]
        e1 = 0.0 if last else -gr[i + 1, j]
        e2 = 0.0 if last else -gr[i + 2, j]
        e3 = 0.0 if last else -gr[i + 3, j]
        q0 = 1.0 / p0 if p0 != 0.0 else 0.0
        q1 = 1.0 / p1 if p1 != 0.0 else 0.0
        q2 = 1.0 / p2 if p2 != 0.0 else 0.0
        q3 = 1.0 / p3 if p3 != 0.0 else 0.0
        c0 = e0 * q0
        c1 = e1 * q1
        c2 = e2 * q2
        c3 = e3 * q3
        ipw[i, j] = q0
        ipw[i + 1, j] = q1
        ipw[i + 2, j] = q2
        ipw[i + 3, j] = q3
        cpw[i, j] = c0
        cpw[i + 1, j] = c1
        cpw[i + 2, j] = c2
        cpw[i + 3, j] = c3


@nb.njit(parallel=True, cache=True)
def factor_runs(G, gr, gc, gd, gs, sh, sW, sB, wend, bend):
    """Thomas pivots (inverse) and ``c`` factors at the run ends of every word and bit line."""
    M, N = G.shape
    ipw = np.zeros((M, N))
    cpw = np.zeros((M, N))
    distinct = wend.shape[0] == 1 or wend.all()
    ng = M // 4 if distinct else 0
    for g in nb.prange(ng):
        _factor_w4(G, gr, gd, sh, sW, 4 * g, ipw, cpw)
    for i in nb.prange(4 * ng, M):
        prev_c = prev_e = d = 0.0
        for j in range(N):
            d += G[i, j] + (gr[i, j - 1] if j > 0 else gd[i])
            if sh:
                d += sW[i, j]
            if j < N - 1:
                d += gr[i, j]
            if wend[i, j]:
                e = -gr[i, j] if j < N - 1 else 0.0
                ipw[i, j], cpw[i, j], prev_c, prev_e, d = _close_run(d, e, prev_e, prev_c)
    ipb = np.zeros((M, N))
    cpb = np.zeros((M, N))
    # bit lines in blocks of BLK columns, rows outer: the arrays are read along their rows
    nblk = (N + BLK - 1) // BLK
    for t in nb.prange(nblk):
        j0 = t * BLK
        j1 = min(j0 + BLK, N)
        prev_c = np.zeros(BLK)
        prev_e = np.zeros(BLK)
        d = np.zeros(BLK)
        for i in range(M):
            for j in range(j0, j1):
                q = j - j0
                dq = d[q] + G[i, j] + (gc[i - 1, j] if i > 0 else 0.0)
                if sh:
                    dq += sB[i, j]
                dq += gc[i, j] if i < M - 1 else gs[j]
                if bend[i, j]:
                    e = -gc[i, j] if i < M - 1 else 0.0
                    ipb[i, j], cpb[i, j], prev_c[q], prev_e[q], dq = _close_run(dq, e, prev_e[q], prev_c[q])
                d[q] = dq
    return ipw, cpw, ipb, cpb


@nb.njit(parallel=True, cache=True)
def solve_w_runs(gr, ipw, cpw, wend, G, scale_by_g, rW, zW):
    """zW = P_W^{-1} (G * rW if scale_by_g else rW) for currents rW (any distribution in a run);
    zW replicated over each run."""
    K, M, N = rW.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        acc = 0.0
        y = 0.0
        gl = 0.0
        for j in range(N):
            acc += rW[k, i, j] * G[i, j] if scale_by_g else rW[k, i, j]
            if wend[i, j]:
                y = (acc + gl * y) * ipw[i, j]
                zW[k, i, j] = y
                acc = 0.0
                gl = gr[i, j] if j < N - 1 else 0.0
        z = 0.0
        for j in range(N - 1, -1, -1):
            if wend[i, j]:
                z = zW[k, i, j] - cpw[i, j] * z
            zW[k, i, j] = z


@nb.njit(parallel=True, cache=True)
def solve_b_dot_runs(gc, ipb, cpb, bend, rB, zB, part):
    """zB = P_B^{-1} rB (replicated over each bit-line run) and part[k, t % nblk] = sum of rB * zB
    over the block's BLK columns."""
    K, M, N = rB.shape
    nblk = (N + BLK - 1) // BLK
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        acc = np.zeros(j1 - j0)
        y = np.zeros(j1 - j0)
        gl = np.zeros(j1 - j0)
        for i in range(M):
            for j in range(j0, j1):
                q = j - j0
                acc[q] += rB[k, i, j]
                if bend[i, j]:
                    y[q] = (acc[q] + gl[q] * y[q]) * ipb[i, j]
                    zB[k, i, j] = y[q]
                    acc[q] = 0.0
                    gl[q] = gc[i, j] if i < M - 1 else 0.0
        s = 0.0
        z = acc  # zeros again: reused as the back-substitution state
        for i in range(M - 1, -1, -1):
            for j in range(j0, j1):
                q = j - j0
                if bend[i, j]:
                    z[q] = zB[k, i, j] - cpb[i, j] * z[q]
                zB[k, i, j] = z[q]
                s += rB[k, i, j] * z[q]
        part[k, t % nblk] = s


@nb.njit(parallel=True, cache=True)
def canon_w(wend, X):
    """Currents X (K, rows, cols): each word-line run's sum moved to its end, zeros elsewhere."""
    K, M, N = X.shape
    for t in nb.prange(K * M):
        k = t // M
        i = t % M
        acc = 0.0
        for j in range(N):
            acc += X[k, i, j]
            if wend[i, j]:
                X[k, i, j] = acc
                acc = 0.0
            else:
                X[k, i, j] = 0.0


@nb.njit(parallel=True, cache=True)
def _runs_b(bend, X, replicate):
    """Bit-line runs of X (K, rows, cols) in place: currents summed to the run end (zeros elsewhere),
    or (``replicate``) voltages copied from the run end to the whole run."""
    K, M, N = X.shape
    nblk = (N + BLK - 1) // BLK
    for t in nb.prange(K * nblk):
        k, j0, j1 = col_block(t, nblk, N)
        v = np.zeros(j1 - j0)
        for ii in range(M):
            i = M - 1 - ii if replicate else ii
            for j in range(j0, j1):
                q = j - j0
                if replicate:
                    if bend[i, j]:
                        v[q] = X[k, i, j]
                    else:
                        X[k, i, j] = v[q]
                else:
                    v[q] += X[k, i, j]
                    X[k, i, j] = v[q] if bend[i, j] else 0.0
                    if bend[i, j]:
                        v[q] = 0.0


def canon_b(bend, X):
    """Currents X (K, rows, cols): each bit-line run's sum moved to its end, zeros elsewhere."""
    _runs_b(bend, X, False)


def replicate_b(bend, X):
    """Voltages X (K, rows, cols): every bit-line position takes the value at its run's end."""
    _runs_b(bend, X, True)
