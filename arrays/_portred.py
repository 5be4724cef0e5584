"""Exact port reduction of a linear crossbar (Schur complement onto drivers and sense nodes).

The nodal matrix is permuted so that the ``p`` port nodes (the word-line nodes fed by a
driver, ``w[i, 0]``, and the bit-line nodes feeding a sense amplifier, ``b[rows-1, j]``)
come last, behind the interior in AMD order. The trailing block ``L_pp`` of the Cholesky
factor then satisfies ``L_pp L_pp^T = S_p = A_pp - A_pi A_ii^{-1} A_ip`` exactly (the Schur
complement), and since every source acts on a port, the port voltages of any input are
``V_p = S_p^{-1} rhs_p``. One sparse factorisation therefore gives the exact transfer
matrix ``T`` and the port currents of any number of inputs through dense (BLAS-3) algebra.
Needs CHOLMOD (scikit-sparse).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from memlab.errors import SingularCircuitError

from ._direct import HAVE_CHOLMOD

__all__ = ["PortReduction"]


class PortReduction:
    """Dense port model of a regular linear crossbar (drivers and sense resistances finite, > 0)."""

    def __init__(self, topo, A_ff: sp.csc_array, spot_check: int = 2, rng_seed: int = 0,
                 progress: bool | None = None):
        if not HAVE_CHOLMOD:
            raise ImportError("port reduction needs scikit-sparse (CHOLMOD)")
        from sksparse.cholmod import CholmodNotPositiveDefiniteError, analyze, cholesky
        t = topo
        A = sp.csc_matrix(A_ff)
        n = A.shape[0]
        self.drv = t.drv_rows
        self.sen = t.sen_cols
        ports = np.concatenate([t.w_node[t.drv_rows, 0], t.b_node[-1, t.sen_cols]])
        self.p = p = ports.size
        self.nd = t.drv_rows.size
        self.gd = t.drv_g
        self.gs = t.sen_g
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
        if spot_check and self.nd:
            rng = np.random.default_rng(rng_seed)
            v = rng.uniform(-1.0, 1.0, (t.rows, spot_check))
            rhs = np.zeros((n, spot_check))
            rhs[t.w_node[t.drv_rows, 0]] = t.drv_g[:, None] * v[t.drv_rows]
            xp = f.solve_A(rhs[perm])
            x = np.empty_like(xp)
            x[perm] = xp
            i_full = self.gs[:, None] * x[t.b_node[-1, self.sen]]
            i_port = self.currents(np.concatenate([v, np.zeros((t.cols, spot_check))]), t.rows, t.cols)[0][self.sen]
            i_in_full = self.gd[:, None] * (v[self.drv] - x[t.w_node[self.drv, 0]])
            rn = np.linalg.norm(A @ x - rhs, axis=0)
            self.spot_residual = float(np.max(rn / np.maximum(np.linalg.norm(i_in_full, axis=0), 1e-300)))
            self.spot_error = float(np.max(np.abs(i_full - i_port)) / max(np.max(np.abs(i_full)), 1e-300))
        step("spot-checked")
        if bar is not None:
            bar.close()
        del f

    def port_voltages(self, v: np.ndarray, v_bl: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Port node voltages (p, K) for inputs ``v`` (rows, K) and bit-line-end voltages ``v_bl``
        (cols, K, default 0 V), and the port right-hand side."""
        rhs = np.zeros((self.p, v.shape[1]))
        rhs[: self.nd] = self.gd[:, None] * v[self.drv]
        if v_bl is not None:
            rhs[self.nd:] = self.gs[:, None] * v_bl[self.sen]
        Vp = sla.cho_solve((self.Lpp, True), rhs, check_finite=False)
        return Vp, rhs

    def currents(self, U: np.ndarray, rows: int, cols: int):
        """(i_out (cols, K), i_in (rows, K), port relative KCL residual (K,)) for ``U = [v_in; v_bl]``."""
        v, v_bl = U[:rows], U[rows:]
        Vp, rhs = self.port_voltages(v, v_bl)
        i_out = np.zeros((cols, v.shape[1]))
        i_out[self.sen] = self.gs[:, None] * (Vp[self.nd:] - v_bl[self.sen])
        i_in = np.zeros((v.shape[0], v.shape[1]))
        i_in[self.drv] = self.gd[:, None] * (v[self.drv] - Vp[: self.nd])
        r = self.Lpp @ (self.Lpp.T @ Vp) - rhs
        scale = np.sqrt(np.sum(i_in ** 2, axis=0) + np.sum(i_out ** 2, axis=0))
        res = np.linalg.norm(r, axis=0) / np.where(scale > 0, scale, 1.0)
        return i_out, i_in, res

    def transfer(self, rows: int, cols: int) -> np.ndarray:
        """Exact ``T`` (cols, rows), S, with ``i_out = T @ v_in``."""
        T = np.zeros((cols, rows))
        if self.nd == 0 or self.sen.size == 0:
            return T
        E = np.zeros((self.p, self.nd))
        E[np.arange(self.nd), np.arange(self.nd)] = self.gd
        X = sla.cho_solve((self.Lpp, True), E, check_finite=False)
        T[np.ix_(self.sen, self.drv)] = self.gs[:, None] * X[self.nd:]
        return T
