"""Stage "network" of the transient simulator: the exact crossbar solution at frozen cell states.

At every stage of a time step the transient simulator (:mod:`memlab.arrays._transient`)
asks for the cell voltages at given cell states ``x`` and line voltages ``u = [v_word;
v_bit]`` (V). Two solvers, both exact Kirchhoff solutions of the same circuit as
:class:`~memlab.arrays.Crossbar`:

- :class:`LinearNetwork` for a single device whose current is linear in the voltage,
  ``i = g(x) v`` (VTEAM, TEAM with either I-V, HP, the threshold model): the nodal matrix
  with the cell conductances ``g(x)`` (S), assembled by :func:`~memlab.arrays._assemble.assemble`,
  solved directly (one CHOLMOD/SuperLU factorisation per stage, symbolic analysis reused)
  or, for regular crossbars of at least :data:`CG_CELLS` cells, by the line-preconditioned
  CG of :mod:`memlab.arrays._linesolve` warm-started from the previous stage's voltages.
- :class:`NewtonNetwork` for every other cell (1S1R, 1T1R, nonlinear I-V): a
  :class:`~memlab.arrays.Crossbar` with the cell and states, solved by its one damped
  Newton from the previous stage's node voltages. A 1T1R cell's gate voltage is a
  per-row waveform: the transistor part gets ``v_g`` of its row at every stage.

Each ``solve`` returns a :class:`StageResult`; the moving device's own voltage (across the
device part of a series cell, from :func:`memlab.devices.SeriesCell.split`) drives its state.
When both parts of a series cell have states (:class:`PairKinetics`: a volatile
threshold-switch selector and a memristor) the stage result carries both parts' voltages,
``[v_first; v_second]``, from the same exact split.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from memlab.devices import MOSFET, DeviceModel, SeriesCell
from memlab.errors import ConvergenceError, SingularCircuitError

from ._assemble import assemble, rhs_matrix
from ._cellgrid import LinearCells, _flat_model
from ._direct import DirectFactor
from ._extract import port_results
from ._linear import line_rhs
from ._linesolve import LineOperator, schur_pcg

__all__ = ["StageResult", "Kinetics", "PairKinetics", "LinearNetwork", "NewtonNetwork", "is_linear_in_v", "CG_CELLS"]

#: crossbars with at least this many cells (and all resistances in (0, inf)) use line CG
CG_CELLS = 4096
#: networks with at most this many free nodes use a dense Cholesky factorisation (no sparse
#: overhead); measured crossover against the sparse direct solve, one write simulation on this
#: 2-core machine: 8x8 (128 nodes) 9 ms dense vs 10 ms sparse, 11x11 (242) 19 vs 11 ms,
#: 16x16 (512) 230 vs 12 ms, 65x10 (1300) 1.6 s vs 16 ms
DENSE_NODES = 160


def is_linear_in_v(model) -> bool:
    """True when ``model`` is a DeviceModel with ``i(v, x) = g(x) v``."""
    if not isinstance(model, DeviceModel):
        return False
    x0 = model.state.x0
    with np.errstate(all="ignore"):   # numeric pre-check: a current not proportional to v at
        i1, i2 = model.current(0.1, x0), model.current(0.2, x0)  # x0 skips the (slow) simplify
    if not np.allclose(i2, 2 * i1, rtol=1e-9, atol=0.0):
        return False
    i = model.current_expr
    v = model.v
    try:
        return sp.simplify(sp.diff(i, v, 2)) == 0 and sp.simplify(i.subs(v, 0)) == 0
    except (TypeError, ValueError):
        return False


class Kinetics:
    """The moving part of a cell on the flat (rows*cols,) layout: rate, d(rate)/dx, bounds."""

    def __init__(self, model: DeviceModel, M: int, N: int):
        flat = _flat_model(model, M, N)
        self.model = flat
        n = M * N
        lo, hi = flat.bounds()
        self.lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy()
        self.hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy()
        args = [flat.v, flat.x, *flat.symbols.values()]
        self._p = [np.asarray(a, dtype=np.float64) for a in flat.values.values()]
        self._rate = sp.lambdify(args, flat.rate_expr, modules="numpy", cse=True)
        drdx = flat.jacobian_exprs()["dr_dx"]
        self._drdx = None if drdx == 0 else sp.lambdify(args, drdx, modules="numpy", cse=True)
        self._g = sp.lambdify(args, sp.diff(flat.current_expr, flat.v), modules="numpy", cse=True)
        self.moving = flat.rate_expr != 0

    def _call(self, fn, v, x):
        with np.errstate(all="ignore"):
            out = np.asarray(fn(v, x, *self._p), dtype=np.float64)
        return out if out.shape == np.shape(x) else np.broadcast_to(out, np.shape(x)).copy()

    def rate(self, v, x):
        """d(state)/dt (state units per s) at device voltages ``v`` (V)."""
        return self._call(self._rate, v, x)

    def dr_dx(self, v, x):
        """d(rate)/dx (1/s) at device voltages ``v`` (V)."""
        return np.zeros_like(x) if self._drdx is None else self._call(self._drdx, v, x)

    def conductance(self, x):
        """di/dv (S) at v = 0 (the conductance of a linear-in-v device)."""
        return self._call(self._g, np.zeros_like(x), x)


class PairKinetics:
    """Both parts of a series cell with a state each (1S1R with a volatile threshold-switch
    selector): the flat state is ``[x_first; x_second]`` (2*rows*cols,), the device voltages
    ``[v_first; v_second]``; rate, d(rate)/dx (each part's own, the W-matrix diagonal) and
    bounds stacked the same way. A static part (rate 0) just keeps its state."""

    def __init__(self, models, M: int, N: int):
        self.parts = tuple(Kinetics(m, M, N) for m in models)
        self.models = tuple(k.model for k in self.parts)
        self.model = self.models[0]
        self.n = M * N
        self.lo = np.concatenate([k.lo for k in self.parts])
        self.hi = np.concatenate([k.hi for k in self.parts])
        self.moving = any(k.moving for k in self.parts)

    def _each(self, name, v, x):
        n = self.n
        out = [getattr(k, name)(v[a:a + n], x[a:a + n]) if k.moving else np.zeros(n)
               for k, a in zip(self.parts, (0, n))]
        return np.concatenate(out)

    def rate(self, v, x):
        """d(state)/dt of both parts (their state units per s) at their voltages ``v`` (V)."""
        return self._each("rate", v, x)

    def dr_dx(self, v, x):
        """Each part's d(rate)/dx (1/s) at its own voltage (V)."""
        return self._each("dr_dx", v, x)


@dataclass
class StageResult:
    """Network solution at one stage: flat (rows*cols,) voltages (V) and currents (A)."""

    v_dev: np.ndarray     # across the moving device
    v_cell: np.ndarray    # across the whole cell (word line minus bit line)
    i_cell: np.ndarray
    power: float          # delivered by the line drivers (W)
    guess: object         # warm start of the next solve
    i_out: np.ndarray     # (cols,) current into each bit line's sense amplifier
    i_src: np.ndarray = None   # (rows + cols,) current out of every line source, [i_in; -i_out]
    u: np.ndarray = None       # (rows + cols,) the line voltages of this solve


def _cell_voltages(topo, v_free, u):
    va = np.concatenate([v_free, topo.fixed_matrix() @ u]) if topo.n_fixed else v_free
    return va[topo.w_node.ravel()] - va[topo.b_node.ravel()]


class LinearNetwork:
    """Linear-in-v cells: ``A(g(x)) v = B(g) u`` solved directly or by warm-started line CG."""

    def __init__(self, topo, kin: Kinetics, method: str = "auto", rtol: float = 1e-7):
        self.topo = topo
        self.kin = kin
        M, N = topo.rows, topo.cols
        if method == "auto":
            method = "cg" if (topo.regular and M * N >= CG_CELLS) else \
                ("dense" if topo.n_free <= DENSE_NODES else "direct")
        self.method = method
        if method == "dense":
            self._dense_setup()
        self.rtol = rtol
        self._factor = None
        self.iterations = 0

    def _dense_setup(self):
        """Index arrays of the cell stamps into the dense free-node matrix and the fixed-node couplings."""
        t = self.topo
        nf = t.n_free
        wires = assemble(t, np.zeros(t.rows * t.cols))
        self._Aw = wires["A_ff"].toarray()
        self._Bw = rhs_matrix(t, wires)
        wn, bn = t.w_node.ravel(), t.b_node.ravel()
        k = np.arange(wn.size)
        r = np.concatenate([wn, bn, wn, bn])
        c = np.concatenate([wn, bn, bn, wn])
        sg = np.concatenate([np.ones(2 * k.size), -np.ones(2 * k.size)])
        kk = np.concatenate([k, k, k, k])
        ff = (r < nf) & (c < nf)
        self._ff = (r[ff] * nf + c[ff], kk[ff], sg[ff])
        fd = (r < nf) & (c >= nf)
        self._fd = (r[fd], c[fd] - nf, kk[fd], sg[fd])

    def _dense_solve(self, g, u):
        t = self.topo
        nf = t.n_free
        idx, kk, sg = self._ff
        A = self._Aw + np.bincount(idx, weights=sg * g[kk], minlength=nf * nf).reshape(nf, nf)
        rhs = self._Bw @ u
        if t.n_fixed:
            r, c, kf, sf = self._fd
            Vd = t.fixed_matrix() @ u
            rhs = rhs - np.bincount(r, weights=sf * g[kf] * Vd[c], minlength=nf)
        try:
            return np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError as exc:
            raise SingularCircuitError(f"transient network: nodal matrix is not positive definite ({exc}); a "
                                       "sub-network floats") from exc

    def _cg(self, g, u, guess):
        """Line CG from the previous solution scaled to the new sources (exact when only the
        sources' common scale changed, as on the edges of a write pulse)."""
        t = self.topo
        M, N = t.rows, t.cols
        bW, bB = line_rhs(t, u[:, None])
        start = None
        if guess is not None:
            xb_old, u_old = guess
            nn = float(u_old @ u_old)
            if nn > 0:
                start = (None, (float(u_old @ u) / nn) * xb_old[None])
        gdr, gse = t.g_drv, t.g_sen

        def tol_of(xW, xB):
            i_in = gdr * (u[:M] - xW[0, :, 0])
            i_o = gse * (xB[0, -1, :] - u[M:])
            return np.array([self.rtol * np.sqrt(i_in @ i_in + i_o @ i_o) + 1e-30])

        xW, xB, it, rn, conv = schur_pcg(LineOperator(t, g.reshape(M, N)), bW, bB, x0=start, rtol=0.0,
                                         maxiter=max(400, 4 * (M + N)), atol_fn=tol_of)
        if not conv.all():
            raise ConvergenceError(f"transient network: line CG did not converge in {it} iterations",
                                   iterations=it, residual=float(rn.max()))
        self.iterations += it
        return np.stack([xW[0], xB[0]], axis=-1).ravel(), (xB[0].copy(), u.copy())

    def solve(self, x, u, gate=None, guess=None) -> StageResult:
        t = self.topo
        g = self.kin.conductance(x)
        M, N = t.rows, t.cols
        if t.n_free == 0:
            v = np.zeros(0)
        elif self.method == "dense":
            v = self._dense_solve(g, u)
        elif not np.any(u):
            v = np.zeros(t.n_free)   # no source: every node at 0 V
        elif self.method == "cg":
            v, guess = self._cg(g, u, guess)
        else:
            blocks = assemble(t, g)
            A = blocks["A_ff"]
            if self._factor is None:
                self._factor = DirectFactor(A)
            else:
                self._factor.refactor(A)
            v = self._factor.solve(rhs_matrix(t, blocks) @ u)
        vc = _cell_voltages(t, v, u)
        if t.n_fixed == 0 and t.n_free:   # every port through its resistor: the port currents directly
            v_w0, v_bl = v[t.w_node[t.drv_rows, 0]], v[t.b_node[-1, t.sen_cols]]
            i_src = np.zeros(M + N)
            i_src[t.drv_rows] = t.g_drv * (u[:M][t.drv_rows] - v_w0)
            i_src[M + t.sen_cols] = -t.g_sen * (v_bl - u[M:][t.sen_cols])
        else:
            i_out, i_in = port_results(t, v[:, None], u[:, None], LinearCells(g), False)[:2]
            i_src = np.concatenate([i_in[:, 0], -i_out[:, 0]])
        return StageResult(vc, vc, g * vc, float(u @ i_src), guess, -i_src[M:], i_src, u)


class NewtonNetwork:
    """Any other cell: a :class:`~memlab.arrays.Crossbar` with the states, solved by its Newton."""

    def __init__(self, crossbar_kwargs: dict, cell, part, kin, M: int, N: int):
        self.kw = crossbar_kwargs
        self.cell = cell
        # 0/1: index of the moving part of a SeriesCell, "both" (PairKinetics), None for a single device
        self.part = part
        self.kin = kin
        self.M, self.N = M, N
        self.iterations = 0

    def _cell_at(self, gate):
        c = self.cell
        if gate is None:
            return c
        vg = np.repeat(np.asarray(gate, dtype=np.float64), self.N)
        parts = [p.with_params(v_g=vg) if isinstance(p, MOSFET) else p for p in (c.first, c.second)]
        return SeriesCell(parts[0], parts[1], vtol=c.vtol, maxiter=c.maxiter)

    def state_of(self, x):
        if self.part == "both":
            xs = x.reshape(2, self.M, self.N)
            return (xs[0], xs[1])
        xs = x.reshape(self.M, self.N)
        if self.part is None:
            return xs
        return (xs, None) if self.part == 0 else (None, xs)

    def solve(self, x, u, gate=None, guess=None) -> StageResult:
        from ._crossbar import Crossbar
        M, N = self.M, self.N
        xb = Crossbar(None, cell=self._cell_at(gate), state=self.state_of(x), **self.kw)
        sol = xb.solve(u[:M], v_bl=u[M:], x0=guess, method="direct", full=True)
        self.iterations += int(getattr(sol, "newton_steps", 0) or 0)
        vc = np.asarray(sol.v_cell, dtype=np.float64).ravel()
        vd = vc
        if self.part is not None:
            grid = xb._cells
            s = grid.cell.split(vc, grid.x)
            vd = np.concatenate([s, vc - s]) if self.part == "both" else (s if self.part == 0 else vc - s)
        i_src = np.concatenate([np.asarray(sol.i_in, dtype=np.float64), -np.asarray(sol.i_out, dtype=np.float64)])
        return StageResult(vd, vc, np.asarray(sol.i_cell, dtype=np.float64).ravel(), float(u @ i_src),
                           (sol.v_word, sol.v_bit), -i_src[M:], i_src, u)
