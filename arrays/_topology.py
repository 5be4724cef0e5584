"""Stage "topology": node numbering and connectivity of a passive crossbar (no conductances).

Physical nodes: ``w[i, j]`` is the word-line node of row ``i`` at column ``j`` (where the
cell (i, j) attaches), ``b[i, j]`` the bit-line node of column ``j`` at row ``i``.
Word line ``i`` is driven at column 0 by ``v_in[i]`` through ``r_driver[i]``; bit line ``j``
is sensed at row ``rows - 1`` through ``r_sense[j]`` by an amplifier holding ``v_bl[j]``
(0 V virtual ground for reads; bias voltages for write schemes).

Zero resistances are eliminated exactly: a zero wire segment merges its two nodes, a zero
driver/sense resistance makes the node a Dirichlet (fixed-voltage) node. Infinite
resistances are open circuits. The remaining free nodes give a symmetric positive
definite M-matrix ``A_ff`` (for non-negative cell conductances and a connected network).

The nodal matrix is assembled from these index arrays in :mod:`memlab.arrays._assemble`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from memlab.errors import SingularCircuitError

__all__ = ["Topology", "build_topology", "node_name"]


def node_name(kind: str, i: int, j: int) -> str:
    """Human-readable node name, e.g. ``w[3,5]`` (word line 3 at column 5)."""
    return f"{kind}[{i},{j}]"


@dataclass
class Topology:
    """Index arrays of one crossbar geometry (independent of the cell conductances).

    ``w_node``/``b_node`` (rows, cols) map every physical node to a unknown index in
    ``[0, n_free)`` or a fixed node in ``[n_free, n_free + n_fixed)``.
    """

    rows: int
    cols: int
    n_free: int
    n_fixed: int
    w_node: np.ndarray
    b_node: np.ndarray
    fixed_src: np.ndarray          # (n_fixed,) index into the source vector u = [v_in (rows); v_bl (cols)]
    drv_rows: np.ndarray           # rows with a finite, non-zero driver resistance
    drv_g: np.ndarray              # their driver conductance (S)
    sen_cols: np.ndarray           # columns with finite, non-zero sense resistance
    sen_g: np.ndarray
    drv_fixed_rows: np.ndarray     # rows with r_driver == 0 (Dirichlet driver node)
    sen_fixed_cols: np.ndarray     # cols with r_sense == 0 (Dirichlet sense node)
    regular: bool                  # every node distinct and free: matrix-free line solvers apply
    g_row: np.ndarray              # (rows, cols-1) segment conductances (S), inf for shorts
    g_col: np.ndarray              # (rows-1, cols)
    g_drv: np.ndarray              # (rows,)
    g_sen: np.ndarray              # (cols,)

    @property
    def n_all(self) -> int:
        return self.n_free + self.n_fixed

    @cached_property
    def _wires(self):
        """Wire-segment end nodes and conductances (S), built on first use (sparse paths only)."""
        seg_w = np.isfinite(self.g_row) & (self.g_row > 0)
        seg_b = np.isfinite(self.g_col) & (self.g_col > 0)
        a = np.concatenate([self.w_node[:, :-1][seg_w], self.b_node[:-1, :][seg_b]])
        b = np.concatenate([self.w_node[:, 1:][seg_w], self.b_node[1:, :][seg_b]])
        g = np.concatenate([self.g_row[seg_w], self.g_col[seg_b]])
        return a, b, g

    @property
    def wire_a(self):
        return self._wires[0]

    @property
    def wire_b(self):
        return self._wires[1]

    @property
    def wire_g(self):
        return self._wires[2]

    @cached_property
    def g_wire_max(self) -> float:
        """Largest finite, non-zero segment, driver or sense conductance (S); 0 if none.
        One pass per array (no concatenated copy), built on first use."""
        m = 0.0
        for a in (self.g_row, self.g_col, self.g_drv, self.g_sen):
            a = np.asarray(a, dtype=np.float64)
            if a.size:
                m = max(m, float(np.max(a, where=np.isfinite(a), initial=0.0)))
        return m

    @cached_property
    def fixed_incidence(self):
        """Elements touching a fixed node, built on first use: ``(a, b, g, cells)``.

        ``a``, ``b``, ``g``: end nodes and conductances (S) of the wire segments with an end at
        a fixed node; ``cells``: flat indices of the cells with a terminal at a fixed node.
        Empty when every node is free. Found from the segment masks directly, without the
        full wire list (a 0-ohm driver or sense fixes one node per line, so these are few).
        """
        nf = self.n_free
        w, b = self.w_node, self.b_node
        seg_w = np.isfinite(self.g_row) & (self.g_row > 0) & ((w[:, :-1] >= nf) | (w[:, 1:] >= nf))
        seg_b = np.isfinite(self.g_col) & (self.g_col > 0) & ((b[:-1, :] >= nf) | (b[1:, :] >= nf))
        a = np.concatenate([w[:, :-1][seg_w], b[:-1, :][seg_b]])
        e = np.concatenate([w[:, 1:][seg_w], b[1:, :][seg_b]])
        g = np.concatenate([self.g_row[seg_w], self.g_col[seg_b]])
        cells = np.flatnonzero((w.ravel() >= nf) | (b.ravel() >= nf))
        return a, e, g, cells

    def fixed_matrix(self) -> sp.csr_array:
        """Sparse (n_fixed, rows + cols) map from ``u = [v_in; v_bl]`` to the fixed node voltages."""
        k = np.arange(self.n_fixed)
        return sp.coo_array((np.ones(k.size), (k, self.fixed_src)),
                            shape=(self.n_fixed, self.rows + self.cols)).tocsr()

    # ------------------------------------------------------------ connectivity
    def check_connected(self, g_cell: np.ndarray) -> None:
        """Raise :class:`SingularCircuitError` naming floating nodes, if any.

        A node floats when no path of non-zero conductance joins it to a driver, a sense
        amplifier or a fixed node.
        """
        n = self.n_all
        gnd = n  # virtual node standing for every source and the ground
        cg = np.asarray(g_cell).ravel()
        on = cg > 0
        ea = [self.wire_a, self.w_node.ravel()[on], self.w_node[self.drv_rows, 0],
              self.b_node[-1, self.sen_cols], np.arange(self.n_free, n)]
        eb = [self.wire_b, self.b_node.ravel()[on], np.full(self.drv_rows.size, gnd),
              np.full(self.sen_cols.size, gnd), np.full(self.n_fixed, gnd)]
        a = np.concatenate(ea)
        b = np.concatenate(eb)
        graph = sp.coo_array((np.ones(a.size), (a, b)), shape=(n + 1, n + 1))
        _, label = connected_components(graph, directed=False)
        floating = label != label[gnd]
        if not floating[:n].any():
            return
        names = []
        fl = floating[:n]
        wi, wj = np.nonzero(fl[self.w_node])
        names += [node_name("w", i, j) for i, j in zip(wi.tolist(), wj.tolist())]
        bi, bj = np.nonzero(fl[self.b_node])
        names += [node_name("b", i, j) for i, j in zip(bi.tolist(), bj.tolist())]
        shown = ", ".join(names[:12]) + (f", ... ({len(names)} in total)" if len(names) > 12 else "")
        raise SingularCircuitError(
            f"crossbar is singular: {len(names)} node(s) are floating (no conducting path to a driver or "
            f"sense amplifier): {shown}. Give these nodes a path (non-zero conductance or finite "
            f"resistance) or remove them.", nodes=names)


def build_topology(rows: int, cols: int, r_row: np.ndarray, r_col: np.ndarray,
                   r_driver: np.ndarray, r_sense: np.ndarray) -> Topology:
    """Index arrays for a crossbar whose resistances (ohm) are already validated and broadcast.

    ``r_row`` (rows, cols-1), ``r_col`` (rows-1, cols), ``r_driver`` (rows,), ``r_sense`` (cols,).
    """
    M, N = rows, cols
    with np.errstate(divide="ignore"):
        g_row = 1.0 / r_row
        g_col = 1.0 / r_col
        g_drv = 1.0 / r_driver
        g_sen = 1.0 / r_sense
    drv_rows = np.flatnonzero(np.isfinite(g_drv) & (g_drv > 0))
    sen_cols = np.flatnonzero(np.isfinite(g_sen) & (g_sen > 0))
    if (r_row > 0).all() and (r_col > 0).all() and (r_driver > 0).all() and (r_sense > 0).all():
        # regular: every node distinct and free, interleaved numbering 2*(i*cols+j) + {0: w, 1: b}
        w_node = 2 * np.arange(M * N, dtype=np.int64).reshape(M, N)
        empty = np.zeros(0, dtype=np.int64)
        return Topology(rows=M, cols=N, n_free=2 * M * N, n_fixed=0, w_node=w_node, b_node=w_node + 1,
                        fixed_src=empty, drv_rows=drv_rows, drv_g=g_drv[drv_rows], sen_cols=sen_cols,
                        sen_g=g_sen[sen_cols], drv_fixed_rows=empty, sen_fixed_cols=empty, regular=True,
                        g_row=g_row, g_col=g_col, g_drv=g_drv, g_sen=g_sen)
    jj = np.broadcast_to(np.arange(N), (M, N))
    ii = np.broadcast_to(np.arange(M)[:, None], (M, N))
    # run starts: a zero segment merges a node into its predecessor
    new_w = np.ones((M, N), dtype=bool)
    new_w[:, 1:] = r_row > 0
    start_w = np.maximum.accumulate(np.where(new_w, jj, 0), axis=1)
    new_b = np.ones((M, N), dtype=bool)
    new_b[1:, :] = r_col > 0
    start_b = np.maximum.accumulate(np.where(new_b, ii, 0), axis=0)
    rep_w = 2 * (ii * N + start_w)               # representative ids (interleaved w/b per cell)
    rep_b = 2 * (start_b * N + jj) + 1
    fixed_mark = np.zeros(2 * M * N, dtype=bool)
    src_of = np.full(2 * M * N, -2, dtype=np.int64)
    drv_fixed_rows = np.flatnonzero(r_driver == 0)
    sen_fixed_cols = np.flatnonzero(r_sense == 0)
    fixed_mark[rep_w[drv_fixed_rows, 0]] = True
    src_of[rep_w[drv_fixed_rows, 0]] = drv_fixed_rows
    fixed_mark[rep_b[-1, sen_fixed_cols]] = True
    src_of[rep_b[-1, sen_fixed_cols]] = M + sen_fixed_cols
    used = np.zeros(2 * M * N, dtype=bool)
    used[rep_w.ravel()] = True
    used[rep_b.ravel()] = True
    free_ids = np.flatnonzero(used & ~fixed_mark)
    fixed_ids = np.flatnonzero(used & fixed_mark)
    nf = free_ids.size
    remap = np.empty(2 * M * N, dtype=np.int64)
    remap[free_ids] = np.arange(nf)
    remap[fixed_ids] = nf + np.arange(fixed_ids.size)
    w_node = remap[rep_w]
    b_node = remap[rep_b]
    regular = bool(nf == 2 * M * N and fixed_ids.size == 0)
    return Topology(rows=M, cols=N, n_free=nf, n_fixed=fixed_ids.size, w_node=w_node, b_node=b_node,
                    fixed_src=src_of[fixed_ids], drv_rows=drv_rows, drv_g=g_drv[drv_rows], sen_cols=sen_cols, sen_g=g_sen[sen_cols],
                    drv_fixed_rows=drv_fixed_rows, sen_fixed_cols=sen_fixed_cols, regular=regular,
                    g_row=g_row, g_col=g_col, g_drv=g_drv, g_sen=g_sen)
