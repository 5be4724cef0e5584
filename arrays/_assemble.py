"""Stage "assemble": the nodal matrix of a crossbar from its topology and cell conductances.

House style §7.10: :func:`stamp` -> :func:`assemble` -> slices ``A_ff`` / ``A_fd`` /
``A_df`` / ``A_dd``, all from index arrays through ``coo_array``; no loops over cells.
:func:`rhs_matrix` maps the source voltages ``u = [v_in; v_bl]`` (V) to the right-hand
side (A) of the free-node equations ``A_ff v = B u``. Units: S, V, A.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["stamp", "assemble", "rhs_matrix"]


def stamp(topo, g_cell: np.ndarray):
    """COO triplets (rows, cols, values) of the full nodal matrix for cell conductances ``g_cell`` (S).

    Terminations (drivers, sense) enter the diagonal of their free node.
    """
    t = topo
    a = np.concatenate([t.wire_a, t.w_node.ravel()])
    b = np.concatenate([t.wire_b, t.b_node.ravel()])
    g = np.concatenate([t.wire_g, np.asarray(g_cell, dtype=np.float64).ravel()])
    td = np.concatenate([t.w_node[t.drv_rows, 0], t.b_node[-1, t.sen_cols]])
    tg = np.concatenate([t.drv_g, t.sen_g])
    r = np.concatenate([a, b, a, b, td])
    c = np.concatenate([a, b, b, a, td])
    v = np.concatenate([g, g, -g, -g, tg])
    return r, c, v


def assemble(topo, g_cell: np.ndarray) -> dict:
    """Full nodal matrix split into free/fixed blocks (CSC/CSR float64), keys ``A_ff`` (and
    ``A_fd``, ``A_df``, ``A_dd`` when the crossbar has fixed-voltage nodes)."""
    r, c, v = stamp(topo, g_cell)
    n = topo.n_all
    full = sp.coo_array((v, (r, c)), shape=(n, n)).tocsc()
    nf = topo.n_free
    out = {"A_ff": full[:nf, :nf].tocsc()}
    if topo.n_fixed:
        out["A_fd"] = full[:nf, nf:].tocsr()
        full_r = full.tocsr()
        out["A_df"] = full_r[nf:, :nf]
        out["A_dd"] = full_r[nf:, nf:]
    return out


def rhs_matrix(topo, blocks: dict) -> sp.csr_array:
    """Sparse (n_free, rows + cols) map ``B`` with ``rhs = B @ u``, ``u = [v_in; v_bl]`` (V)."""
    t = topo
    rr = np.concatenate([t.w_node[t.drv_rows, 0], t.b_node[-1, t.sen_cols]])
    cc = np.concatenate([t.drv_rows, t.rows + t.sen_cols])
    B = sp.coo_array((np.concatenate([t.drv_g, t.sen_g]), (rr, cc)), shape=(t.n_free, t.rows + t.cols)).tocsr()
    if t.n_fixed:
        B = B - blocks["A_fd"] @ t.fixed_matrix()
    return sp.csr_array(B)
