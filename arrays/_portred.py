"""Exact port reduction of a linear crossbar (Schur complement onto the nodes the sources act on).

The ports are the free nodes whose row of the source map ``B`` (``A_ff v = B u``, see
:func:`~memlab.arrays._assemble.rhs_matrix`) is non-zero: the word-line nodes fed by a
driver, the bit-line nodes feeding a sense amplifier, and, for zero driver or sense
resistances (Dirichlet nodes), the free neighbours of the fixed nodes. The nodal matrix is
permuted so that the ``p`` ports come last, behind the interior in AMD order. The trailing
block ``L_pp`` of the Cholesky factor then satisfies ``L_pp L_pp^T = S_p = A_pp - A_pi
A_ii^{-1} A_ip`` exactly (the Schur complement), and since every source acts on a port, the
port voltages of any input are ``V_p = S_p^{-1} B_p u``. The port currents are linear in
``V_p`` and ``u``: ``i_out = O_p V_p + O_u u`` and ``i_in = I_p V_p + I_u u`` (finite
terminations ``g (V - u)``; a Dirichlet node's current is the current its incident elements
carry, the fixed node's row of the full nodal matrix). One sparse factorisation therefore
gives the exact transfer matrix ``T`` and the port currents of any number of inputs through
dense (BLAS-3) algebra, for every termination and wire setting. Needs CHOLMOD (scikit-sparse).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from memlab.errors import SingularCircuitError

from ._assemble import rhs_matrix
from ._direct import HAVE_CHOLMOD

__all__ = ["PortReduction"]


def _output_maps(topo, blocks, ports):
    """Dense (O_p, O_u, I_p, I_u): port currents (A) from port voltages and sources (V)."""
    t = topo
    M, N, nf = t.rows, t.cols, t.n_free
    p = ports.size
    where = np.full(nf, -1, dtype=np.int64)
    where[ports] = np.arange(p)
    Op, Ou = np.zeros((N, p)), np.zeros((N, M + N))
    Ip, Iu = np.zeros((M, p)), np.zeros((M, M + N))
    Op[t.sen_cols, where[t.b_node[-1, t.sen_cols]]] = t.sen_g
    Ou[t.sen_cols, M + t.sen_cols] = -t.sen_g
    Ip[t.drv_rows, where[t.w_node[t.drv_rows, 0]]] = -t.drv_g
    Iu[t.drv_rows, t.drv_rows] = t.drv_g
    if t.n_fixed:
        A_df = sp.csr_array(blocks["A_df"])[:, ports].toarray()     # only ports touch fixed nodes
        A_du = (sp.csr_array(blocks["A_dd"]) @ t.fixed_matrix()).toarray()
        fw = t.w_node[t.drv_fixed_rows, 0] - nf
        fb = t.b_node[-1, t.sen_fixed_cols] - nf
        Ip[t.drv_fixed_rows], Iu[t.drv_fixed_rows] = A_df[fw], A_du[fw]
        Op[t.sen_fixed_cols], Ou[t.sen_fixed_cols] = -A_df[fb], -A_du[fb]
    return Op, Ou, Ip, Iu


class PortReduction:
    """Dense port model of a linear crossbar (any wire, driver and sense resistances)."""

    def __init__(self, topo, A_ff: sp.csc_array, spot_check: int = 2, rng_seed: int = 0,
                 progress: bool | None = None, blocks: dict | None = None):
        if not HAVE_CHOLMOD:
            raise ImportError("port reduction needs scikit-sparse (CHOLMOD)")
        from sksparse.cholmod import CholmodNotPositiveDefiniteError, analyze, cholesky
        t = topo
        A = sp.csc_matrix(A_ff)
        n = A.shape[0]
        blocks = {"A_ff": A_ff} if blocks is None else blocks
        B = sp.csr_array(rhs_matrix(t, blocks))
        ports = np.flatnonzero(np.diff(B.indptr) > 0)
        self.p = p = ports.size
        self.Bp = B[ports].toarray()
        self.Op, self.Ou, self.Ip, self.Iu = _output_maps(t, blocks, ports)
        if progress is None:
            progress = n >= 500_000
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=4, desc=f"port model ({n} unknowns)", leave=False)

        def step(label):
            if bar is not None:
                bar.set_postfix_str(label)
                bar.update(1)

        mask = np.ones(n, dtype=bool)
        mask[ports] = False
        order = analyze(A, ordering_method="amd").P()
        step("ordered")
        perm = np.concatenate([order[mask[order]], ports])
        Ap = A[perm][:, perm].tocsc()
        try:
            f = cholesky(Ap, ordering_method="natural")
        except CholmodNotPositiveDefiniteError as exc:
            raise SingularCircuitError(f"nodal matrix is not positive definite (CHOLMOD: {exc})") from exc
        step("factorised")
        L = f.L()
        self.Lpp = np.ascontiguousarray(L[n - p:, n - p:].toarray())
        del L
        step("port block extracted")
        # spot check: full solves of a few random inputs against the port model
        self.spot_residual = 0.0
        self.spot_error = 0.0
        if spot_check and p:
            rng = np.random.default_rng(rng_seed)
            U = np.concatenate([rng.uniform(-1.0, 1.0, (t.rows, spot_check)), np.zeros((t.cols, spot_check))])
            rhs = B @ U
            xp = f.solve_A(rhs[perm])
            x = np.empty_like(xp)
            x[perm] = xp
            i_full = self.Op @ x[ports] + self.Ou @ U
            i_in_full = self.Ip @ x[ports] + self.Iu @ U
            i_port = self.currents(U, t.rows, t.cols)[0]
            rn = np.linalg.norm(A @ x - rhs, axis=0)
            scale = np.sqrt(np.sum(i_in_full ** 2, axis=0) + np.sum(i_full ** 2, axis=0))
            self.spot_residual = float(np.max(rn / np.maximum(scale, 1e-300)))
            self.spot_error = float(np.max(np.abs(i_full - i_port)) / max(np.max(np.abs(i_full)), 1e-300))
        step("spot-checked")
        if bar is not None:
            bar.close()
        del f

    def port_voltages(self, v: np.ndarray, v_bl: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Port node voltages (p, K) for inputs ``v`` (rows, K) and bit-line-end voltages ``v_bl``
        (cols, K, default 0 V), and the port right-hand side (A)."""
        if v_bl is None:
            v_bl = np.zeros((self.Op.shape[0], v.shape[1]))
        rhs = self.Bp @ np.concatenate([v, v_bl], axis=0)
        Vp = sla.cho_solve((self.Lpp, True), rhs, check_finite=False) if self.p else rhs
        return Vp, rhs

    def currents(self, U: np.ndarray, rows: int, cols: int):
        """(i_out (cols, K), i_in (rows, K), port relative KCL residual (K,)) for ``U = [v_in; v_bl]``."""
        Vp, rhs = self.port_voltages(U[:rows], U[rows:])
        i_out = self.Op @ Vp + self.Ou @ U
        i_in = self.Ip @ Vp + self.Iu @ U
        r = self.Lpp @ (self.Lpp.T @ Vp) - rhs
        scale = np.sqrt(np.sum(i_in ** 2, axis=0) + np.sum(i_out ** 2, axis=0))
        res = np.linalg.norm(r, axis=0) / np.where(scale > 0, scale, 1.0)
        return i_out, i_in, res

    def transfer(self, rows: int, cols: int) -> np.ndarray:
        """Exact ``T`` (cols, rows), S, with ``i_out = T @ v_in``."""
        if self.p == 0:
            return self.Ou[:, :rows].copy()
        X = sla.cho_solve((self.Lpp, True), self.Bp[:, :rows], check_finite=False)
        return self.Op @ X + self.Ou[:, :rows]
