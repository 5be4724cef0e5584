"""Two-level preconditioner for the line (Schur-complement) CG: line solves plus a coarse common mode.

Why the line preconditioner alone slows down with size. After the word lines are
eliminated and the bit lines solved exactly, what is left badly conditioned are the error
modes that are smooth in *both* directions. On them the word- and bit-line voltages move
together (``w = b``: the cells carry no current), and the operator is the wires alone, a
2-D Laplacian ``L_W + L_B`` (word-line segments along the rows, bit-line segments down the
columns, drivers and sense resistances on its boundary). Its condition against the cell
term grows like ``n^2 g r`` (measured: 6, 10, 15, 27, 49 line-CG iterations at 256^2 ...
4096^2, G ~ U[1, 100] uS, 1 ohm wires).

Coarse space. A coarse grid with one node every ``h`` word lines and bit lines; the fine
field is its bilinear interpolation ``P c`` put on *both* layers (``W = B = P c``, Dirichlet
dummies excluded). The exact Galerkin operator of the nodal matrix on that space,
``A_c = [P; P]^T A [P; P] = P^T (L_W + L_B + T) P`` (``T`` the driver, sense and Dirichlet
shunt conductances), has no cell term: the cell conductances cancel exactly. ``A_c`` is a
9-point matrix on ``(rows/h) x (cols/h)`` nodes, assembled here in O(rows cols) by summing
the fine conductances with the interpolation weights (separable: rows, then columns), and
factorised once (CHOLMOD / SuperLU through :class:`~memlab.arrays._direct.DirectFactor`).

Preconditioner of the bit-line Schur complement ``S`` (the bit-line block of the additive
two-level preconditioner of ``A``; symmetric positive definite, so CG stays CG)::

    M^{-1} r = P_B^{-1} r + P A_c^{-1} P^T r

``P^T S P <= A_c`` (the Schur complement is the minimum-energy extension); the two are close
for coarse modes longer than ``lambda = 1/sqrt(r_wire g_cell)``, the decay length of a line
(in cells), so the coarse spacing ``h`` is chosen below ``lambda`` (:func:`coarse_spacing`,
with the iteration counts measured).
"""
from __future__ import annotations

import numba as nb
import numpy as np
import scipy.sparse as sp

from memlab.errors import ParameterError, SingularCircuitError

from ._direct import DirectFactor
from ._linekern import BLK

__all__ = ["CoarseSpace", "coarse_spacing", "interp_1d", "line_lengths", "make_coarse", "MAX_COARSE_NODES"]


def interp_1d(n: int, h: int):
    """Linear interpolation from coarse nodes every ``h`` fine nodes (and the last one) to ``n`` fine nodes.

    Returns ``(pos, left, t)``: coarse node positions (nc,), and per fine node the left coarse
    node (in [0, nc - 2]) and the weight ``t`` in [0, 1] of the right one."""
    pos = np.arange(0, n, h, dtype=np.int64)
    if pos[-1] != n - 1:
        pos = np.append(pos, n - 1)
    if pos.size < 2:
        pos = np.array([0, max(n - 1, 1)], dtype=np.int64)
    i = np.arange(n)
    left = np.clip(np.searchsorted(pos, i, side="right") - 1, 0, pos.size - 2)
    t = (i - pos[left]) / (pos[left + 1] - pos[left])
    return pos, left, t


def line_lengths(topo, g_cell):
    """Electrical length of the array, ``max(cols / lambda_row, rows / lambda_col)`` (1), and the
    decay length ``lambda = 1 / sqrt(r_wire g_cell)`` (cells) of the shorter-decaying layer, from
    the mean cell conductance (S) and the mean finite wire conductances (S)."""
    g = float(np.mean(g_cell)) if np.size(g_cell) else 0.0

    def lam(gw):
        ok = np.isfinite(gw)
        ok &= gw > 0
        n = np.count_nonzero(ok)        # mean over the finite, non-zero segments, without a copy
        return np.inf if g <= 0 or n == 0 else float(np.sqrt(np.sum(gw, where=ok) / n / g))

    lr, lc = lam(topo.g_row), lam(topo.g_col)
    return max(topo.cols / lr, topo.rows / lc), min(lr, lc)


#: coarse nodes above which the spacing is doubled (memory and set-up of the coarse factor)
MAX_COARSE_NODES = 1 << 20


def coarse_spacing(topo, g_cell, *, max_h: int = 16, min_coarse: int = 8, lam: float | None = None) -> int:
    """Coarse spacing ``h`` (cells), a power of two: the largest one not above the decay length
    ``lambda`` (:func:`line_lengths`; measured at 512^2, lambda = 4.5 cells: 12 iterations at
    h = 4, 19 at h = 16, 53 at h = 64) and ``max_h``; doubled while the coarse grid has more than
    :data:`MAX_COARSE_NODES` nodes; halved while a direction has fewer than ``min_coarse`` coarse
    nodes. 0 if the array is too small for a coarse grid. ``lam``: the decay length if known."""
    M, N = topo.rows, topo.cols
    lam = line_lengths(topo, g_cell)[1] if lam is None else lam
    h = 2
    while 2 * h <= min(max_h, lam):
        h *= 2
    while (M // h + 2) * (N // h + 2) > MAX_COARSE_NODES:
        h *= 2
    while h > 1 and min(M, N) < min_coarse * h:
        h //= 2
    return h if h >= 2 else 0


def make_coarse(op, topo, g_cell, min_length: float):
    """A :class:`CoarseSpace` for ``op`` when the array's electrical length (:func:`line_lengths`)
    is at least ``min_length`` and a coarse grid fits, else None (line preconditioner alone)."""
    if not np.isfinite(min_length):
        return None
    length, lam = line_lengths(topo, g_cell)
    if length < min_length:
        return None
    h = coarse_spacing(topo, g_cell, lam=lam)
    if not h:
        return None
    try:
        return CoarseSpace(op, h)
    except (SingularCircuitError, ParameterError):
        # a coarse node with no wire or terminal under it (open segments), or no memory for
        # the coarse factor: the line preconditioner alone still solves the circuit
        return None


# row-pair / column-pair stamps: (offset a, offset b, which of the three weights)
_PAIRS = ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 2))
_LAPL = ((0, 0, 1.0), (1, 1, 1.0), (0, 1, -1.0), (1, 0, -1.0))


class CoarseSpace:
    """Bilinear coarse common mode of a :class:`~memlab.arrays._linesolve.LineOperator` (see module doc).

    ``h``: coarse spacing in cells (:func:`coarse_spacing`); ``shape``: the coarse grid (mc, nc).
    ``correct(r, z)`` adds ``P A_c^{-1} P^T r`` to the bit-line grids ``z`` (K, rows, cols) in place."""

    def __init__(self, op, h: int):
        M, N = op.G.shape
        self.h = h
        self.py, self.ly, self.ty = interp_1d(M, h)
        self.px, self.lx, self.tx = interp_1d(N, h)
        mc, nc = self.py.size, self.px.size
        self.shape = (mc, nc)
        self._Ac = self._assemble(op, mc, nc)
        self._replicate = op.replicate_b   # merged bit-line runs: P injects at the run ends
        self._f = DirectFactor(self._Ac)

    def _assemble(self, op, mc, nc):
        M, N = op.G.shape
        # diagonal terms on the common mode: driver / sense of free nodes, Dirichlet shunts
        # diagonal terms (point conductances, S): drivers / sense of free nodes, Dirichlet shunts
        free_r = np.ones(M, dtype=bool)
        free_r[op.fixed_rows] = False
        free_c = np.ones(N, dtype=bool)
        free_c[op.fixed_cols] = False
        pi = np.concatenate([np.flatnonzero(free_r), np.full(free_c.sum(), M - 1), op._sh_i])
        pj = np.concatenate([np.zeros(free_r.sum(), dtype=np.int64), np.flatnonzero(free_c), op._sh_j])
        pv = np.concatenate([op.gd[free_r], op.gs[free_c], op._sh_g])
        rows, cols, vals = [], [], []
        K, J = np.meshgrid(np.arange(mc - 1), np.arange(nc - 1), indexing="ij")

        def stamp(v, rpairs, cpairs):
            # v(row weight or sign, column weight or sign): entries (K + a, J + c) x (K + b, J + e)
            for a, b, wr in rpairs:
                for c, e, wc in cpairs:
                    rows.append(((K + a) * nc + J + c).ravel())
                    cols.append(((K + b) * nc + J + e).ravel())
                    vals.append(v(wr, wc).ravel())

        # the cells cancel on the common mode; terminations and wires summed with the weights
        gr = op.gr_coarse if N > 1 else np.zeros((M, 1))
        gc = op.gc_coarse if M > 1 else np.zeros((1, N))
        ge, gf = _reduce_wires(gr, gc, self.ly, self.ty, self.lx, self.tx, self.py, mc, nc)
        dd = np.zeros((3, 3, mc - 1, nc - 1))
        ty, tx = self.ty[pi], self.tx[pj]
        wy = ((1 - ty) ** 2, (1 - ty) * ty, ty ** 2)
        wx = ((1 - tx) ** 2, (1 - tx) * tx, tx ** 2)
        for a in range(3):
            for b in range(3):
                np.add.at(dd[a, b], (self.ly[pi], self.lx[pj]), wy[a] * wx[b] * pv)
        hy = np.diff(self.py).astype(np.float64)
        hx = np.diff(self.px).astype(np.float64)
        ge /= hx[None, None, :] ** 2
        gf /= hy[None, :, None] ** 2
        stamp(lambda r, c: dd[r, c], _PAIRS, _PAIRS)
        stamp(lambda r, c: ge[r] * c, _PAIRS, _LAPL)     # word-line segments: 1-D Laplacian along columns
        stamp(lambda r, c: gf[c] * r, _LAPL, _PAIRS)     # bit-line segments: along rows
        n = mc * nc
        A = sp.coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        return A.tocsc()

    def block_layout(self, n_cols: int):
        """(first coarse column per block of BLK bit lines (nblk,), local width) for the fused
        restriction of :func:`solve_b_dot_restrict`."""
        j0 = np.arange(0, n_cols, BLK)
        j1 = np.minimum(j0 + BLK, n_cols) - 1
        base = self.lx[j0].astype(np.int64)
        return base, int((self.lx[j1] + 2 - base).max())

    def restrict_blocks(self, rloc, base):
        """``P^T r`` (K, mc, nc) from the per-block restrictions ``rloc`` (K, nblk, mc, width)
        of :func:`solve_b_dot_restrict`."""
        K = rloc.shape[0]
        rc = np.empty((K,) + self.shape)
        _merge_restrict(rloc, base, rc)
        return rc

    def solve_restricted(self, rc):
        """(xc (K, mc, nc), rc . xc (K,)) with ``xc = A_c^{-1} rc`` for restricted residuals rc."""
        K = rc.shape[0]
        mc, nc = self.shape
        xc = np.ascontiguousarray(self._f.solve(rc.reshape(K, -1).T).T.reshape(K, mc, nc))
        return xc, np.einsum("kij,kij->k", rc, xc)

    def coarse_solution(self, r, fixed_cols=None):
        """(xc (K, mc, nc), r . (P xc) (K,)) with ``xc = A_c^{-1} P^T r`` for bit-line grids r
        (K, rows, cols). ``fixed_cols``: columns whose last bit-line node is a Dirichlet dummy
        (left out of P)."""
        K = r.shape[0]
        mc, nc = self.shape
        fc = np.asarray(fixed_cols if fixed_cols is not None else [], dtype=np.int64)
        keep_r = r[:, -1, fc].copy()
        r[:, -1, fc] = 0.0
        rc = np.empty((K, mc, nc))
        _restrict(r, self.ly, self.ty, self.lx, self.tx, rc)
        r[:, -1, fc] = keep_r
        return self.solve_restricted(rc)

    def last_row_mask(self, n_cols, fixed_cols):
        """(cols,) 1.0 where the prolongation reaches the last bit-line row, 0.0 at Dirichlet dummies."""
        m = np.ones(n_cols)
        m[np.asarray(fixed_cols, dtype=np.int64)] = 0.0
        return m

    def correct(self, r, z, fixed_cols=None):
        """z += P A_c^{-1} P^T r for bit-line grids (K, rows, cols); returns r . (P A_c^{-1} P^T r) (K,).

        ``fixed_cols``: columns whose last bit-line node is a Dirichlet dummy (left out of P)."""
        fc = np.asarray(fixed_cols if fixed_cols is not None else [], dtype=np.int64)
        xc, rz = self.coarse_solution(r, fc)
        keep_z = z[:, -1, fc].copy()
        _prolong_add(xc, self.ly, self.ty, self.lx, self.tx, z)
        z[:, -1, fc] = keep_z
        self._replicate(z)
        return rz


@nb.njit(cache=True, inline="always")
def _restrict_rows(tmp, ly, ty, out):
    """out (mc, nc) = the row restriction of column-restricted rows ``tmp`` (rows, nc)."""
    mc, nc = out.shape
    for I in range(mc):
        for J in range(nc):
            out[I, J] = 0.0
    for i in range(tmp.shape[0]):
        I = ly[i]
        t = ty[i]
        for J in range(nc):
            out[I, J] += (1.0 - t) * tmp[i, J]
            out[I + 1, J] += t * tmp[i, J]


@nb.njit(parallel=True, cache=True)
def _restrict(r, ly, ty, lx, tx, out):
    K, M, N = r.shape
    nc = out.shape[2]
    tmp = np.zeros((K, M, nc))
    for t in nb.prange(K * M):   # along the columns, one fine row at a time
        k, i = t // M, t % M
        for j in range(N):
            J = lx[j]
            tmp[k, i, J] += (1.0 - tx[j]) * r[k, i, j]
            tmp[k, i, J + 1] += tx[j] * r[k, i, j]
    for k in range(K):
        _restrict_rows(tmp[k], ly, ty, out[k])


@nb.njit(cache=True)
def _merge_restrict(rloc, base, out):
    """out[k] = the restricted blocks of :func:`solve_b_dot_restrict` summed at their columns."""
    K, nblk, mc, W = rloc.shape
    nc = out.shape[2]
    for k in range(K):
        for I in range(mc):
            for J in range(nc):
                out[k, I, J] = 0.0
        for b in range(nblk):
            J0 = base[b]
            for I in range(mc):
                for q in range(W):
                    if J0 + q < nc:
                        out[k, I, J0 + q] += rloc[k, b, I, q]


@nb.njit(parallel=True, cache=True)
def _prolong_add(xc, ly, ty, lx, tx, z):
    K, M, N = z.shape
    for k in range(K):
        for i in nb.prange(M):
            I = ly[i]
            t = ty[i]
            for j in range(N):
                J = lx[j]
                s = tx[j]
                a = (1.0 - t) * ((1.0 - s) * xc[k, I, J] + s * xc[k, I, J + 1])
                b = t * ((1.0 - s) * xc[k, I + 1, J] + s * xc[k, I + 1, J + 1])
                z[k, i, j] += a + b


@nb.njit(parallel=True, cache=True)
def _reduce_wires(gr, gc, ly, ty, lx, tx, py, mc, nc):
    """Interpolation-weighted sums of the wire conductances per coarse cell: word-line edges
    (3, mc-1, nc-1) by row weight (1-t)^2, t(1-t), t^2 and column interval; bit-line edges
    (3, mc-1, nc-1) by row interval and column weight."""
    M = gr.shape[0]
    N = gc.shape[1]
    ge = np.zeros((3, mc - 1, nc - 1))
    gf = np.zeros((3, mc - 1, nc - 1))
    for K in nb.prange(mc - 1):
        i1 = py[K + 1] if K < mc - 2 else M
        for i in range(py[K], i1):
            t = ty[i]
            wy0, wy1, wy2 = (1.0 - t) * (1.0 - t), (1.0 - t) * t, t * t
            for j in range(N):
                J = lx[j]
                if j < N - 1:
                    g = gr[i, j]
                    ge[0, K, J] += wy0 * g
                    ge[1, K, J] += wy1 * g
                    ge[2, K, J] += wy2 * g
                if i < M - 1:
                    s = tx[j]
                    g = gc[i, j]
                    gf[0, K, J] += (1.0 - s) * (1.0 - s) * g
                    gf[1, K, J] += (1.0 - s) * s * g
                    gf[2, K, J] += s * s * g
    return ge, gf
