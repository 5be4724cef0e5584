"""Batched forward and adjoint solves for :func:`~memlab.arrays.compensate` (linear cells).

One objective-and-gradient evaluation of the compensation needs, for the current
conductances ``G`` (S), the outputs ``i_out`` (A) and cell voltages ``v_cell`` (V) of all
``K`` inputs, then one adjoint solve with the sources ``[0; c]`` (``c = dL/di_out``) and
``dL/dG = -sum_k v_cell_k * v_cell_adj_k`` (the linear-cell case of
:func:`memlab.arrays._adjoint.vjp`). Two evaluators give exactly that:

- :class:`LineEvaluator` (line CG): one :class:`~memlab.arrays._linesolve.LineOperator`
  (the exact word-line factors, the bit-line preconditioner and the coarse correction) is
  built per ``G`` and shared by the forward and the adjoint solve of all inputs; both CG
  runs start from the previous evaluation's solutions (warm starts) and keep only the grid
  voltages, not the full :class:`~memlab.arrays.CrossbarSolution` (no node-level copies).
  Operator and preconditioner are rebuilt from the current ``G`` at every evaluation: the
  objective and gradient are the exact (KCL-converged) ones of that ``G``; only the initial
  guesses are stale, which changes the iteration count, not the answer. (Building them is one
  pass over the array against ~2 x iterations x K passes for the solves.)
- :class:`DirectEvaluator`: one sparse factor per ``G`` shared by the forward and the adjoint
  solve (:meth:`~memlab.arrays.Crossbar.factorize`, :func:`~memlab.arrays._adjoint.vjp`).

Convergence per input ``k`` is that of the crossbar's solvers (``norm(A v - b) <= rtol *
norm(i_src)`` with the source currents of the iterate, or the float64 round-off floor).
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ConvergenceError, ParameterError

from ._adjoint import _anorm
from ._adjoint import vjp as _vjp
from ._crossbar import Crossbar
from ._extract import roundoff_floor, source_norm
from ._linear import CG_BLOCK
from ._linesolve import LineOperator, line_ready, numba_threads, schur_pcg
from ._multigrid import make_coarse
from ._plan import AutoPolicy

__all__ = ["LineEvaluator", "DirectEvaluator"]


class LineEvaluator:
    """Forward/adjoint line-CG solves of the crossbar ``xb0``'s wiring with inputs ``V`` (V, (rows, K)).

    ``forward(G[, V])`` -> ``(i_out (cols, K), v_cell (rows, cols, K) view)`` (``V`` overrides
    the inputs of construction); ``gradient(c[, with_inputs])`` -> ``dJ/dG`` (A/S, (rows, cols))
    of ``J = sum(c * i_out)`` at the last forward ``G`` and inputs (with ``with_inputs`` also
    ``dJ/dv_in`` (A/V, (rows, K))). ``warm``: start each CG from the previous solution (for
    an optimiser's evaluations on fixed inputs; off for changing inputs).
    ``solves``/``iterations``: counts of CG runs and their iterations (diagnostics).
    """

    def __init__(self, xb0, V=None, rtol=1e-10, policy=None, warm=True):
        self.topo = xb0.topo
        if not line_ready(self.topo):
            raise ParameterError("method 'cg' needs every wire resistance in (0, inf] (line CG); use 'direct'")
        self.M, self.N = xb0.shape
        self._open_out = np.broadcast_to(np.isinf(xb0.r_sense), (self.N,))
        self._open_in = np.broadcast_to(np.isinf(xb0.r_driver), (self.M,))
        self.V = V
        self.rtol = rtol
        self.warm = warm
        self.policy = policy or AutoPolicy()
        self._xf = None          # (K, rows, cols) bit-line voltages of the last forward solution
        self._xa = None          # ... of the last adjoint solution
        self._op = self._coarse = self._vc = self._G = None
        self.solves = 0
        self.iterations = []

    def _solve(self, u, start):
        """(xW, xB) (K, rows, cols) of sources ``u`` (rows + cols, K), CG from bit-line voltages ``start``."""
        op, M, N = self._op, self.M, self.N
        K = u.shape[1]
        xW = np.empty((K, M, N))
        usable = start is not None and self.warm and start.shape[0] == K
        xB = start if usable else np.empty((K, M, N))     # the start is overwritten block by block
        anorm = _anorm(self.topo, op.G)
        mi = max(200, 4 * (M + N))
        used = 0
        with numba_threads(None, M * N):
            for s in range(0, K, CG_BLOCK):
                us = u[:, s:s + CG_BLOCK]
                bW, bB = op.rhs(us)

                def tol_of(w, b, us=us):
                    i_in, i_o = op.source_currents(w, b, us)
                    xm = np.maximum(np.abs(w).max(axis=(1, 2)), np.abs(b).max(axis=(1, 2)))
                    return np.maximum(self.rtol * source_norm(i_o, i_in), roundoff_floor(anorm, xm, 2 * M * N))

                x0 = None
                if usable:
                    x0 = (None, start[s:s + CG_BLOCK].copy())
                    fc = op.fixed_cols
                    x0[1][:, -1, fc] = us[M + fc].T            # Dirichlet dummies at their source
                w, b, it, rn, conv = schur_pcg(op, bW, bB, x0=x0, rtol=0.0, maxiter=mi, atol_fn=tol_of,
                                               coarse=self._coarse)
                if not np.all(conv):
                    i_in, i_o = op.source_currents(w, b, us)
                    res = float(np.max(rn / source_norm(i_o, i_in)))
                    raise ConvergenceError(f"line-preconditioned CG did not reach rtol={self.rtol:g} in {mi} "
                                           f"iterations (relative KCL residual {res:.3e})", iterations=it,
                                           residual=res)
                xW[s:s + CG_BLOCK], xB[s:s + CG_BLOCK] = w, b
                used = max(used, it)
        self.solves += 1
        self.iterations.append(used)
        return xW, xB

    def forward(self, G, V=None):
        V = self.V if V is None else V
        self._op = LineOperator(self.topo, G)
        self._coarse = make_coarse(self._op, self.topo, G.ravel(), self.policy.two_level_min_length)
        u = np.concatenate([V, np.zeros((self.N, V.shape[1]))], axis=0)
        self._vc = None                                # free the last solution's arrays first
        start, self._xf = self._xf, None
        xW, xB = self._solve(u, start)
        del start
        self._xf = xB if self.warm else None
        np.subtract(xW, xB, out=xW)
        self._vc = xW                                  # v_cell (K, rows, cols)
        self._G = G
        return self._port(xW, G, 1), np.moveaxis(xW, 0, -1)

    def _port(self, vc, G, axis):
        """Bit-line (``axis=1``: i_out (cols, K)) or word-line (``axis=2``: i_in (rows, K)) source
        currents (A) as the sums of the cell currents ``G v_cell`` along each line (KCL: a line's
        only other branch is its terminal; exact also for Dirichlet terminals and cells between
        two of them); zero for open terminations."""
        i = np.einsum("kij,ij->jk" if axis == 1 else "kij,ij->ik", vc, G)
        i[self._open_out if axis == 1 else self._open_in] = 0.0
        return i

    def gradient(self, c, with_inputs=False):
        u = np.concatenate([np.zeros((self.M, c.shape[1])), c], axis=0)
        start, self._xa = self._xa, None
        xW, xB = self._solve(u, start)
        del start
        self._xa = xB if self.warm else None
        np.subtract(xW, xB, out=xW)
        dG = -np.einsum("kij,kij->ij", self._vc, xW)
        return (dG, -self._port(xW, self._G, 2)) if with_inputs else dG


class DirectEvaluator:
    """As :class:`LineEvaluator` with one sparse direct factor per ``G`` (forward and adjoint)."""

    def __init__(self, xb0, V=None, rtol=1e-10, wires=None):
        self.V, self.rtol, self.wires = V, rtol, wires or {}
        self.solves = 0
        self.iterations = []
        self._last = None

    def forward(self, G, V=None):
        xb = Crossbar(G, **self.wires)
        fac = xb.factorize("direct")
        sol = xb.solve(self.V if V is None else V, factor=fac, rtol=self.rtol, full=True, progress=False)
        self._last = (sol, fac)
        self.solves += 1
        self.iterations.append(0)
        M, N = xb.shape
        return sol.i_out.reshape(N, -1), sol.v_cell.reshape(M, N, -1)

    def gradient(self, c, with_inputs=False):
        sol, fac = self._last
        self.solves += 1
        self.iterations.append(0)
        g = _vjp(sol.crossbar, sol, sol.sources, c, None, method="direct", rtol=self.rtol, factor=fac,
                 resistances=False)
        return (g.conductance, np.asarray(g.v_in).reshape(sol.crossbar.rows, -1)) if with_inputs else g.conductance
