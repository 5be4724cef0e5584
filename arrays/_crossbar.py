"""Exact Kirchhoff solution of a passive crossbar: linear and nonlinear cells.

Circuit (all SI): word line ``i`` is driven by ``v_in[i]`` (V) through ``r_driver[i]`` (ohm)
at column 0; ``r_row[i, j]`` is the word-line segment between columns ``j`` and ``j+1``.
Bit line ``j`` runs down the rows, ``r_col[i, j]`` between rows ``i`` and ``i+1``, and leaves
row ``rows-1`` through ``r_sense[j]`` into a virtual-ground (0 V) sense amplifier, whose
current is ``i_out[j]`` (A, positive into the amplifier). Cell ``(i, j)`` joins ``w[i, j]``
to ``b[i, j]``; its current flows from word line to bit line.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from memlab.errors import AccuracyWarning, ConvergenceError, ParameterError, ShapeError

from ._direct import HAVE_CHOLMOD, DirectFactor
from ._portred import PortReduction
from ._linesolve import LineOperator, kernel_threads, schur_pcg as pcg
from ._network import Topology, build_topology
from memlab._validate import as_conductance, as_resistance, as_voltage, positive_float, positive_int

__all__ = ["Crossbar", "CrossbarSolution"]

_METHODS = ("auto", "direct", "cg", "ports")
# above this many node voltages (batch x 2 x rows x cols; the four node-level result arrays
# then take about 1 GB) a batch solve keeps only port quantities unless full=True is asked for
_FULL_LIMIT = 64_000_000


def _roundoff_floor(anorm: float, xmax, n: int):
    """KCL residual norm (A) at which float64 round-off dominates: 2 eps |A|_inf |x|_inf sqrt(n).

    (The residual of n nodal equations cannot be evaluated more accurately than about
    eps |A|_inf |x|_inf per node.)
    """
    return 2.0 * np.finfo(np.float64).eps * anorm * np.asarray(xmax) * np.sqrt(max(n, 1))


def _warn_floor(where: str, res: float, rtol: float):
    warnings.warn(AccuracyWarning(
        f"{where}: relative KCL residual {res:.2e} > rtol={rtol:g} is at the float64 round-off floor of this "
        "circuit (its largest conductance times its largest voltage dwarfs the source currents); the "
        "result is as accurate as float64 allows"), stacklevel=4)


@dataclass
class CrossbarSolution:
    """Result of :meth:`Crossbar.solve` (SI units).

    Shapes: ``(cols,)`` / ``(rows, cols)`` for one input, with a trailing ``batch`` axis for a
    batch. Node-level fields are ``None`` when the batch was too large to keep them
    (``full=False``).

    Attributes
    ----------
    i_out : sense-amplifier currents (A), positive into the amplifier.
    i_in : driver currents (A), positive out of the source into the word line.
    v_word, v_bit : word-line / bit-line node voltages (V) at each cell.
    v_cell, i_cell : voltage across (V) and current through (A) each cell, word to bit line.
    power : power delivered by the drivers (W), ``sum(v_in * i_in)``.
    iterations : CG iterations (largest over the batch; summed over Newton steps), 0 for direct.
    newton_steps : Newton steps summed over the batch (nonlinear cells).
    residual : largest relative KCL residual ``norm(A v - b) / norm([i_in; i_out])`` over the
        batch (for "ports": of the port equations, and of a full solve of two random spot-check
        inputs).
    method : solver used ("direct", "cg", "ports", "newton-direct", "newton-cg").
    """

    i_out: np.ndarray
    i_in: np.ndarray
    power: np.ndarray | float
    v_word: np.ndarray | None
    v_bit: np.ndarray | None
    v_cell: np.ndarray | None
    i_cell: np.ndarray | None
    iterations: int
    residual: float
    method: str
    newton_steps: int = 0
    wall_time: float = 0.0
    info: dict = field(default_factory=dict)


class Crossbar:
    """A passive (0T1R) crossbar with wire, driver and sense resistances.

    Parameters
    ----------
    conductance : (rows, cols) array, S. Cell conductance (linear cells), or the small-signal
        conductance used as the state ``x`` of a nonlinear ``cell`` when ``state`` is not given.
    r_row : ohm, scalar or (rows, cols-1): word-line segment between neighbouring cells.
    r_col : ohm, scalar or (rows-1, cols): bit-line segment between neighbouring cells.
    r_driver : ohm, scalar or (rows,): source resistance of each word-line driver.
    r_sense : ohm, scalar or (cols,): resistance from each bit line's end to the 0 V sense node.
        Zero resistances are exact shorts; ``inf`` is an open circuit.
    cell : optional nonlinear cell exposing ``current(v, x)`` (A) and ``di_dv(v, x)`` (S),
        e.g. ``memlab.devices.SinhConductance(v0=...)`` with ``x = g``, or a
        :class:`memlab.arrays.SeriesCell` (1S1R, 1T1R).
    state : per-cell state ``x`` for ``cell`` (shape (rows, cols)); defaults to ``conductance``.
    """

    def __init__(self, conductance, *, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0, cell=None,
                 state=None):
        if cell is not None and not (hasattr(cell, "current") and hasattr(cell, "di_dv")):
            raise ParameterError(f"parameter 'cell' = {cell!r} must expose current(v, x) and di_dv(v, x)")
        if conductance is None:
            if cell is None or state is None:
                raise ParameterError("parameter 'conductance' = None is only allowed with a nonlinear 'cell' "
                                     "and its 'state'")
            x = np.asarray(state, dtype=np.float64)
            with np.errstate(all="ignore"):
                conductance = np.broadcast_to(cell.di_dv(np.zeros(x.shape), x), x.shape)
        self.G = as_conductance(conductance)
        M, N = self.G.shape
        self.r_row = as_resistance(r_row, (M, max(N - 1, 0)), "r_row")
        self.r_col = as_resistance(r_col, (max(M - 1, 0), N), "r_col")
        self.r_driver = as_resistance(r_driver, (M,), "r_driver")
        self.r_sense = as_resistance(r_sense, (N,), "r_sense")
        self.cell = cell
        if cell is not None:
            xs = self.G if state is None else np.asarray(state, dtype=np.float64)
            if xs.shape != (M, N):
                raise ShapeError(f"parameter 'state' has shape {xs.shape}; expected {(M, N)} like 'conductance'")
            if not np.all(np.isfinite(xs)):
                raise ParameterError("parameter 'state' contains NaN or inf; allowed: finite values")
            self.state = xs
        else:
            self.state = None
        self.topo: Topology = build_topology(M, N, self.r_row, self.r_col, self.r_driver, self.r_sense)
        self._factor_cache = None
        self._port_cache = None
        self._checked = False

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, int]:
        return self.G.shape

    @property
    def rows(self) -> int:
        return self.G.shape[0]

    @property
    def cols(self) -> int:
        return self.G.shape[1]

    @property
    def linear(self) -> bool:
        return self.cell is None

    def __repr__(self):
        kind = "linear" if self.linear else type(self.cell).__name__
        return f"Crossbar({self.rows}x{self.cols}, {kind} cells)"

    def _check(self, g_cell):
        if self._checked:
            return
        t = self.topo
        maybe_floating = (t.n_fixed == 0 and t.drv_rows.size == 0) or (g_cell <= 0).any() \
            or np.isinf(self.r_row).any() or np.isinf(self.r_col).any() \
            or np.isinf(self.r_driver).any() or np.isinf(self.r_sense).any()
        if maybe_floating:
            t.check_connected(g_cell)
        if t.n_fixed == 0 and t.drv_rows.size == 0:
            from memlab.errors import SingularCircuitError
            raise SingularCircuitError("crossbar has no driver: every r_driver is inf", nodes=[])
        self._checked = True

    def _g_small_signal(self):
        if self.linear:
            return self.G
        with np.errstate(all="ignore"):
            g0 = np.broadcast_to(self.cell.di_dv(np.zeros(self.shape), self.state), self.shape)
        if not np.all(np.isfinite(g0)) or (g0 < 0).any():
            raise ParameterError("cell.di_dv(0, state) must be finite and >= 0 for every cell")
        return np.array(g0, dtype=np.float64)

    # --------------------------------------------------------------- linear core
    def _direct_factor(self, g_cell, cache=True):
        key = ("direct",)
        if cache and self._factor_cache is not None and self._factor_cache[0] == key:
            return self._factor_cache[1]
        blocks = self.topo.assemble(g_cell)
        f = DirectFactor(blocks["A_ff"])
        B = self.topo.rhs_matrix(blocks)
        entry = (f, blocks, B)
        if cache:
            self._factor_cache = (key, entry)
        return entry

    def _choose(self, method: str, batch: int, full: bool) -> str:
        if method not in _METHODS:
            raise ParameterError(f"parameter 'method' = {method!r} is not one of {_METHODS}")
        t = self.topo
        if method != "auto":
            if method == "cg" and not t.regular:
                raise ParameterError("method 'cg' needs every wire, driver and sense resistance in (0, inf]; "
                                     "this crossbar has zero resistances (use method='direct' or 'auto')")
            if method == "ports" and not (self._ports_ok() and not full):
                raise ParameterError("method 'ports' needs linear cells, scikit-sparse (CHOLMOD), every wire, "
                                     "driver and sense resistance in (0, inf], and full=False")
            return method
        if not t.regular:
            return "direct"
        cells = self.rows * self.cols
        if self.linear and not full and self._ports_ok() and (batch >= 8 or self._port_cache is not None) \
                and cells <= 1200 * 1200:
            return "ports"
        if self._factor_cache is not None and self.linear:
            return "direct"
        if cells > 1200 * 1200 or (not HAVE_CHOLMOD and cells > 256 * 256):
            # without CHOLMOD, scipy's SuperLU needed 36.7 s and 4.5 GB for 1024^2 (references.md)
            return "cg"
        if not self.linear:
            return "direct" if cells <= 64 * 64 else "cg"
        # measured here: a 64x64 line-CG solve takes ~1 ms against ~14 ms to factorise; at
        # 1024^2 a factorisation (~11 s) costs ~40 line-CG solves (~0.3 s each)
        return "direct" if batch >= (16 if cells <= 128 * 128 else 48) else "cg"

    def _anorm(self) -> float:
        """Upper bound of the infinity norm of the nodal matrix (S), from the conductances."""
        t = self.topo
        fin = lambda a: float(np.max(np.where(np.isfinite(a), a, 0.0), initial=0.0))  # noqa: E731
        gmax = fin(self.G) if self.linear else fin(self._g_small_signal())
        return 2.0 * (2 * max(fin(t.g_row), fin(t.g_col)) + gmax + max(fin(t.g_drv), fin(t.g_sen)))

    def _ports_ok(self) -> bool:
        return self.linear and HAVE_CHOLMOD and self.topo.regular and self.topo.n_free > 0

    def _ports(self, V_f, U, cell_fn, full):
        """Port (and, if ``full``, node-level) quantities from free node voltages V_f (n_free, K).

        ``U = [v_in; v_bl]`` (rows + cols, K): driver and bit-line-end source voltages (V).

        ``cell_fn(v_cell, idx)`` returns cell currents (A) for cell voltages ``v_cell`` of the
        flat cell indices ``idx`` (shape (len(idx), K)).
        """
        t = self.topo
        K = V_f.shape[1]
        M, N = self.shape
        nf = t.n_free
        v_in, v_bl = U[:M], U[M:]
        if t.n_fixed:
            Vall = np.concatenate([V_f, t.fixed_matrix() @ U], axis=0)
        else:
            Vall = V_f
        i_out = np.zeros((N, K))
        i_out[t.sen_cols] = t.sen_g[:, None] * (Vall[t.b_node[-1, t.sen_cols]] - v_bl[t.sen_cols])
        i_in = np.zeros((M, K))
        i_in[t.drv_rows] = t.drv_g[:, None] * (v_in[t.drv_rows] - Vall[t.w_node[t.drv_rows, 0]])
        if t.n_fixed:
            # net current injected from outside into each fixed node: sum over incident elements
            inj = np.zeros((t.n_fixed, K))
            sel = (t.wire_a >= nf) | (t.wire_b >= nf)
            if sel.any():
                a, b, g = t.wire_a[sel], t.wire_b[sel], t.wire_g[sel]
                cur = g[:, None] * (Vall[a] - Vall[b])  # leaving a towards b
                m = a >= nf
                np.add.at(inj, a[m] - nf, cur[m])
                m = b >= nf
                np.add.at(inj, b[m] - nf, -cur[m])
            wn = t.w_node.ravel()
            bn = t.b_node.ravel()
            idx = np.flatnonzero((wn >= nf) | (bn >= nf))
            if idx.size:
                ic = cell_fn(Vall[wn[idx]] - Vall[bn[idx]], idx)
                m = wn[idx] >= nf
                np.add.at(inj, wn[idx][m] - nf, ic[m])
                m = bn[idx] >= nf
                np.add.at(inj, bn[idx][m] - nf, -ic[m])
            i_in[t.drv_fixed_rows] = inj[t.w_node[t.drv_fixed_rows, 0] - nf]
            i_out[t.sen_fixed_cols] = -inj[t.b_node[-1, t.sen_fixed_cols] - nf]
        power = np.sum(v_in * i_in, axis=0) - np.sum(v_bl * i_out, axis=0)
        if not full:
            return i_out, i_in, power, None, None, None, None
        v_word = Vall[t.w_node]          # (M, N, K)
        v_bit = Vall[t.b_node]
        v_cell = v_word - v_bit
        i_cell = cell_fn(v_cell.reshape(M * N, K), None).reshape(M, N, K)
        return i_out, i_in, power, v_word, v_bit, v_cell, i_cell

    def _rel_kcl(self, A, x, rhs, U, absolute=False):
        """Relative KCL residual per input: norm(A x - b) / norm([i_in; i_out]) (source currents)."""
        rn = np.linalg.norm(A @ x - rhs, axis=0)
        i_out, i_in, _, _, _, _, _ = self._ports(x, U, self._linear_cell_fn(), False)
        scale = np.sqrt(np.sum(i_in ** 2, axis=0) + np.sum(i_out ** 2, axis=0))
        res = np.where(scale > 0, rn / np.where(scale > 0, scale, 1.0), rn)
        return (res, rn) if absolute else res

    # --------------------------------------------------------------- public API
    def solve(self, v_in, *, v_bl=None, method: str = "auto", rtol: float = 1e-10, maxiter: int | None = None,
              full: bool | None = None, batch_size: int = 64, progress: bool | None = None) -> CrossbarSolution:
        """Solve Kirchhoff's laws for word-line inputs ``v_in`` (V), shape (rows,) or (rows, batch).

        ``v_bl``: voltage (V) held by each bit line's amplifier/driver, shape (cols,) or
        (cols, batch); default 0 V (virtual-ground sensing). ``i_out`` is the current flowing
        into it.

        ``method``: "direct" (sparse Cholesky/LU factorised once, reused across the batch),
        "cg" (matrix-free CG on the bit-line Schur complement with exact word-line and
        bit-line Thomas solves; O(rows*cols) memory), "ports" (exact dense port model from
        one CHOLMOD factorisation; port currents only, for large batches) or "auto" (chosen
        by size, batch and cell type). Nonlinear cells use damped Newton (backtracking line
        search, iterates kept inside the source-voltage range) from the small-signal
        solution, with "direct" (refactorised Jacobian) or "cg" (fresh line operator per
        step, inexact inner tolerance) as inner solver.

        Convergence test per input: ``norm(A v - b) <= rtol * norm([i_in; i_out])``, the
        2-norm of the nodal KCL residual (A) relative to the source currents; the value is
        returned as ``residual``. Raises :class:`ConvergenceError` when ``maxiter`` (CG
        iterations per solve, or Newton steps) is reached first; never returns NaN.
        ``full``: keep node voltages and cell quantities (default: when they fit in about
        1 GB). ``batch_size``: inputs per direct block solve. ``progress``: tqdm bar.
        """
        t0 = time.perf_counter()
        V, single = as_voltage(v_in, self.rows)
        rtol = positive_float(rtol, "rtol", upper=1e-2)
        batch_size = positive_int(batch_size, "batch_size")
        if maxiter is not None:
            maxiter = positive_int(maxiter, "maxiter")
        K = V.shape[1]
        if v_bl is None:
            Vbl = np.zeros((self.cols, K))
        else:
            Vbl, _ = as_voltage(v_bl, self.cols, "v_bl")
            if Vbl.shape[1] not in (1, K):
                raise ShapeError(f"parameter 'v_bl' has batch {Vbl.shape[1]}; expected 1 or {K} like v_in")
            Vbl = np.broadcast_to(Vbl, (self.cols, K))
        U = np.concatenate([V, Vbl], axis=0)
        g0 = self._g_small_signal()
        self._check(g0)
        if full is None:
            full = K * 2 * self.rows * self.cols <= _FULL_LIMIT and method != "ports"
        meth = self._choose(method, K, full)
        if progress is None:
            progress = K >= 4 * batch_size
        if meth == "ports":
            sol = self._solve_ports(U, rtol)
        elif meth == "cg":
            with kernel_threads(self.rows * self.cols):
                if self.linear:
                    sol = self._solve_linear(U, meth, rtol, maxiter, full, batch_size, progress)
                else:
                    sol = self._solve_newton(U, meth, rtol, maxiter, full, progress)
        elif self.linear:
            sol = self._solve_linear(U, meth, rtol, maxiter, full, batch_size, progress)
        else:
            sol = self._solve_newton(U, meth, rtol, maxiter, full, progress)
        sol.wall_time = time.perf_counter() - t0
        if single:
            for name in ("i_out", "i_in", "v_word", "v_bit", "v_cell", "i_cell"):
                a = getattr(sol, name)
                if a is not None:
                    setattr(sol, name, a[..., 0])
            sol.power = float(np.asarray(sol.power)[0])
        return sol

    def port_model(self) -> PortReduction:
        """Exact dense port model (cached): see :mod:`memlab.arrays._portred`."""
        if self._port_cache is None:
            self._check(self.G)
            if not self._ports_ok():
                raise ParameterError("the port model needs linear cells, scikit-sparse (CHOLMOD) and every wire, "
                                     "driver and sense resistance in (0, inf]")
            self._port_cache = PortReduction(self.topo, self.topo.assemble(self.G)["A_ff"])
        return self._port_cache

    def _solve_ports(self, U, rtol):
        pm = self.port_model()
        V = U[:self.rows]
        i_out, i_in, res = pm.currents(U, self.rows, self.cols)
        worst = max(float(res.max()), pm.spot_residual)
        if worst > rtol:
            raise ConvergenceError(f"port reduction left relative KCL residual {worst:.3e} > rtol={rtol:g}",
                                   iterations=0, residual=worst)
        power = np.sum(V * i_in, axis=0) - np.sum(U[self.rows:] * i_out, axis=0)
        return CrossbarSolution(i_out=i_out, i_in=i_in, power=power, v_word=None, v_bit=None,
                                v_cell=None, i_cell=None, iterations=0, residual=worst, method="ports",
                                info={"spot_check_error": pm.spot_error, "spot_check_residual": pm.spot_residual})

    def _linear_cell_fn(self):
        g = self.G.ravel()
        return lambda v, idx: (g if idx is None else g[idx])[:, None] * v

    def _solve_linear(self, V, meth, rtol, maxiter, full, batch_size, progress):
        K = V.shape[1]
        M, N = self.shape
        cell_fn = self._linear_cell_fn()
        outs = {k: [] for k in ("i_out", "i_in", "power", "v_word", "v_bit", "v_cell", "i_cell")}
        iters = 0
        worst = 0.0
        anorm = self._anorm()
        if meth == "direct":
            f, blocks, B = self._direct_factor(self.G)
            A = blocks["A_ff"]
            chunks = range(0, K, batch_size)
        else:
            op = LineOperator(self.topo, self.G)
            chunks = range(0, K, max(1, min(batch_size, 8)))
        bar = _bar(len(chunks), progress, f"crossbar {M}x{N} {meth}")
        for s in chunks:
            v = V[:, s:s + (batch_size if meth == "direct" else max(1, min(batch_size, 8)))]
            if meth == "direct":
                rhs = B @ v
                x = f.solve(rhs)
                for _ in range(4):  # iterative refinement if round-off left KCL above tolerance
                    res = self._rel_kcl(A, x, rhs, v)
                    if np.all(res <= rtol):
                        break
                    x = x + f.solve(rhs - A @ x)
                res, rn = self._rel_kcl(A, x, rhs, v, absolute=True)
                floor = _roundoff_floor(anorm, np.max(np.abs(x), axis=0, initial=0.0), A.shape[0])
                if not np.all((res <= rtol) | (rn <= floor)):
                    raise ConvergenceError(f"direct solve left relative KCL residual {res.max():.3e} > rtol={rtol:g}",
                                           iterations=0, residual=float(res.max()))
                if not np.all(res <= rtol):
                    _warn_floor("direct solve", float(res.max()), rtol)
                V_f = x
            else:
                bW, bB = _line_rhs(self.topo, v)
                mi = maxiter if maxiter is not None else max(200, 4 * (M + N))
                # the tolerance is relative to the source currents of the solution itself:
                # recomputed from the iterate at every convergence check (no restarts)
                g_drv, g_sen = self.topo.g_drv, self.topo.g_sen

                def src_norm(xW, xB, v=v):
                    i_in = g_drv[:, None] * (v[:M] - xW[:, :, 0].T)
                    i_o = g_sen[:, None] * (xB[:, -1, :].T - v[M:])
                    return np.sqrt(np.sum(i_in ** 2, axis=0) + np.sum(i_o ** 2, axis=0))

                def floor_of(xW, xB):
                    xm = np.maximum(np.abs(xW).max(axis=(1, 2)), np.abs(xB).max(axis=(1, 2)))
                    return _roundoff_floor(anorm, xm, 2 * M * N)

                xW, xB, used, rn, conv = pcg(
                    op, bW, bB, rtol=0.0, maxiter=mi,
                    atol_fn=lambda xW, xB: np.maximum(rtol * src_norm(xW, xB), floor_of(xW, xB)))
                scale = src_norm(xW, xB)
                res = np.where(scale > 0, rn / np.where(scale > 0, scale, 1.0), rn)
                iters = max(iters, used)
                if np.all(conv) and not np.all(res <= rtol):
                    _warn_floor("line CG", float(res.max()), rtol)
                    res_ok = True
                else:
                    res_ok = np.all(res <= rtol)
                if not res_ok:
                    raise ConvergenceError(
                        f"line-preconditioned CG did not reach rtol={rtol:g} in {mi} iterations "
                        f"(relative KCL residual {res.max():.3e})", iterations=used, residual=float(res.max()))
                V_f = np.stack([xW, xB], axis=-1).reshape(v.shape[1], -1).T
            worst = max(worst, float(np.max(res)))
            parts = self._ports(V_f, v, cell_fn, full)
            for k, a in zip(outs, parts):
                outs[k].append(a)
            bar.update(1)
        bar.close()
        return _collect(outs, iterations=iters, residual=worst, method=meth)

    # --------------------------------------------------------------- nonlinear
    def _solve_newton(self, V, meth, rtol, maxiter, full, progress):
        t = self.topo
        M, N = self.shape
        K = V.shape[1]
        cell, x = self.cell, self.state
        max_newton = maxiter if maxiter is not None else 60
        if meth == "cg":
            return self._solve_newton_cg(V, rtol, max_newton, full, progress)
        # wire + termination part of the nodal matrix (cells stamped separately)
        wblocks = t.assemble(np.zeros((M, N)))
        Aw = wblocks["A_ff"]
        Bw = t.rhs_matrix(wblocks)
        nf = t.n_free
        wn = t.w_node.ravel()
        bn = t.b_node.ravel()
        C = sp.coo_array((np.concatenate([np.ones(M * N), -np.ones(M * N)]),
                          (np.concatenate([wn, bn]), np.concatenate([np.arange(M * N)] * 2))),
                         shape=(t.n_all, M * N)).tocsr()
        C_f = C[:nf]
        Fd = t.fixed_matrix() if t.n_fixed else None
        outs = {k: [] for k in ("i_out", "i_in", "power", "v_word", "v_bit", "v_cell", "i_cell")}
        total_it = 0
        total_newton = 0
        worst = 0.0
        g0 = self._g_small_signal()
        factor = None
        if meth == "direct":
            factor = DirectFactor(t.assemble(g0)["A_ff"])
        bar = _bar(K, progress, f"crossbar {M}x{N} newton-{meth}")

        def cell_i(vc):
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.current(vc, x), vc.shape)

        def cell_g(vc):
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.di_dv(vc, x), vc.shape)

        xf = np.asarray(x, dtype=np.float64).ravel()

        def cell_fn_nl(vc, idx):
            xs = xf if idx is None else xf[idx]
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.current(vc[:, 0], xs), xs.shape)[:, None]

        for k in range(K):
            v = V[:, k:k + 1]
            rhs_w = Bw @ v[:, 0]
            Vd = (Fd @ v[:, 0]) if t.n_fixed else np.zeros(0)
            lo, hi = min(0.0, float(v.min())), max(0.0, float(v.max()))

            def vcell(Vf):
                Vall = np.concatenate([Vf, Vd]) if t.n_fixed else Vf
                return (Vall[wn] - Vall[bn]).reshape(M, N)

            def F(Vf):
                ic = cell_i(vcell(Vf))
                return Aw @ Vf + C_f @ ic.ravel() - rhs_w, ic  # rhs_w holds the fixed-node terms

            def iscale(Vf):  # norm of the source currents (A): the scale of the KCL residual
                io, ii = self._ports(Vf[:, None], v, cell_fn_nl, False)[:2]
                sc = float(np.sqrt(np.sum(ii ** 2) + np.sum(io ** 2)))
                return sc if sc > 0 else 1.0

            if nf == 0 or np.linalg.norm(F(np.zeros(nf))[0]) == 0.0:
                Vf = np.zeros(nf)
                scale = 1.0
                rel = 0.0
            else:
                # start from the small-signal (linear) solution
                Vf, it = self._inner(factor, t, g0, -F(np.zeros(nf))[0])
                total_it += it
                Vf = np.clip(Vf, lo, hi)
                Fv, _ = F(Vf)
                fn = np.linalg.norm(Fv)
                scale = iscale(Vf)
                anorm = self._anorm()
                floor = lambda V: float(_roundoff_floor(anorm, np.max(np.abs(V), initial=0.0), nf))  # noqa: E731
                steps = 0
                while fn > max(rtol * scale, floor(Vf)):
                    if steps >= max_newton:
                        raise ConvergenceError(
                            f"Newton did not reach rtol={rtol:g} in {max_newton} steps (input {k}); relative KCL "
                            f"residual {fn / scale:.3e}", iterations=steps, residual=fn / scale)
                    gd = np.array(cell_g(vcell(Vf)), dtype=np.float64)
                    if not np.all(np.isfinite(gd)):
                        raise ConvergenceError(f"cell di_dv is not finite at the Newton iterate (input {k}); "
                                               "the device I-V overflowed", iterations=steps, residual=fn / scale)
                    gd = np.maximum(gd, 0.0)
                    dV, it = self._inner(factor, t, gd, -Fv)
                    total_it += it
                    # backtracking line search on the KCL residual, iterate kept in the physical box
                    lam = 1.0
                    for _ in range(40):
                        Vn = np.clip(Vf + lam * dV, lo, hi)
                        Fn, _ = F(Vn)
                        fnn = np.linalg.norm(Fn)
                        if np.isfinite(fnn) and fnn <= (1 - 1e-4 * lam) * fn:
                            break
                        lam *= 0.5
                    else:
                        raise ConvergenceError(f"Newton line search failed at step {steps} (input {k}); relative "
                                               f"KCL residual {fn / scale:.3e}", iterations=steps,
                                               residual=fn / scale)
                    Vf, Fv, fn = Vn, Fn, fnn
                    scale = iscale(Vf)
                    steps += 1
                total_newton += steps
                rel = fn / scale
                if rel > rtol:
                    _warn_floor("Newton", rel, rtol)
            worst = max(worst, rel)
            parts = self._ports(Vf[:, None], v, cell_fn_nl, full)
            for kk, a in zip(outs, parts):
                outs[kk].append(a)
            bar.update(1)
        bar.close()
        return _collect(outs, iterations=total_it, residual=worst, method=f"newton-{meth}", newton_steps=total_newton)

    def _solve_newton_cg(self, V, rtol, max_newton, full, progress):
        M, N = self.shape
        K = V.shape[1]
        cell, x = self.cell, self.state
        xf = np.asarray(x, dtype=np.float64).ravel()

        def cell_i(vc):
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.current(vc, x), vc.shape)

        def cell_g(vc):
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.di_dv(vc, x), vc.shape)

        def cell_fn(vc, idx):
            xs = xf if idx is None else xf[idx]
            with np.errstate(over="ignore", invalid="ignore"):
                return np.broadcast_to(cell.current(vc[:, 0], xs), xs.shape)[:, None]

        g0 = self._g_small_signal()
        outs = {k: [] for k in ("i_out", "i_in", "power", "v_word", "v_bit", "v_cell", "i_cell")}
        worst, total_it, total_newton = 0.0, 0, 0
        bar = _bar(K, progress, f"crossbar {M}x{N} newton-cg")
        for k in range(K):
            Vf, rel, steps, its = self._newton_lines(V[:, k], rtol, max_newton, cell_i, cell_g, g0, k)
            if rel > rtol:
                _warn_floor("Newton", rel, rtol)
            worst = max(worst, rel)
            total_it += its
            total_newton += steps
            parts = self._ports(Vf[:, None], V[:, k:k + 1], cell_fn, full)
            for kk, a in zip(outs, parts):
                outs[kk].append(a)
            bar.update(1)
        bar.close()
        return _collect(outs, iterations=total_it, residual=worst, method="newton-cg", newton_steps=total_newton)

    def _newton_lines(self, v, rtol, max_newton, cell_i, cell_g, g0, k):
        """Damped Newton in the line layout (regular crossbars): no sparse matrix is built.

        Returns (free-node voltages (n_free,), relative KCL residual, Newton steps, CG iterations).
        """
        t = self.topo
        M, N = self.shape
        wires = LineOperator(t, np.zeros((M, N)))
        v, vbl = v[:M], v[M:]
        bW = np.zeros((1, M, N))
        bW[0, :, 0] = t.g_drv * v
        bB = np.zeros((1, M, N))
        bB[0, -1, :] = t.g_sen * vbl
        lo, hi = min(0.0, float(v.min()), float(vbl.min())), max(0.0, float(v.max()), float(vbl.max()))
        oW = np.empty((1, M, N))
        oB = np.empty((1, M, N))

        def F(W, B):
            ic = np.asarray(cell_i(W[0] - B[0]), dtype=np.float64)
            wires.matvec(W, B, oW, oB)
            fW = oW - bW
            fW[0] += ic
            fB = oB - bB
            fB[0] -= ic
            return fW, fB, float(np.sqrt(np.sum(fW * fW) + np.sum(fB * fB)))

        def iscale(W, B):
            sc = float(np.sqrt(np.sum((t.g_drv * (v - W[0, :, 0])) ** 2) + np.sum((t.g_sen * (B[0, -1] - vbl)) ** 2)))
            return sc if sc > 0 else 1.0

        maxit = max(200, 4 * (M + N))
        if not (np.any(bW) or np.any(bB)):
            return np.zeros(t.n_free), 0.0, 0, 0
        W, B, it, _, conv = pcg(LineOperator(t, g0), bW, bB, rtol=1e-6, maxiter=maxit)
        total = it
        np.clip(W, lo, hi, out=W)
        np.clip(B, lo, hi, out=B)
        fW, fB, fn = F(W, B)
        scale = iscale(W, B)
        anorm = self._anorm()

        def floor(W, B):
            return float(_roundoff_floor(anorm, max(np.abs(W).max(), np.abs(B).max()), 2 * M * N))

        steps = 0
        while fn > max(rtol * scale, floor(W, B)):
            if steps >= max_newton:
                raise ConvergenceError(f"Newton did not reach rtol={rtol:g} in {max_newton} steps (input {k}); "
                                       f"relative KCL residual {fn / scale:.3e}", iterations=steps,
                                       residual=fn / scale)
            gd = np.array(cell_g(W[0] - B[0]), dtype=np.float64)
            if not np.all(np.isfinite(gd)):
                raise ConvergenceError(f"cell di_dv is not finite at the Newton iterate (input {k}); the device "
                                       "I-V overflowed", iterations=steps, residual=fn / scale)
            np.maximum(gd, 0.0, out=gd)
            eta = min(1e-2, max(1e-3 * fn / scale, 1e-12)) if fn / scale > 1e-6 else 1e-4
            dW, dB, it, rn, conv = pcg(LineOperator(t, gd), -fW, -fB, rtol=eta, maxiter=maxit)
            total += it
            if not conv.all():
                raise ConvergenceError(f"inner CG of Newton did not reach relative tolerance {eta:g} (input {k})",
                                       iterations=it, residual=float(rn.max()))
            lam = 1.0
            for _ in range(40):
                Wn = np.clip(W + lam * dW, lo, hi)
                Bn = np.clip(B + lam * dB, lo, hi)
                fWn, fBn, fnn = F(Wn, Bn)
                if np.isfinite(fnn) and fnn <= (1 - 1e-4 * lam) * fn:
                    break
                lam *= 0.5
            else:
                raise ConvergenceError(f"Newton line search failed at step {steps} (input {k}); relative KCL "
                                       f"residual {fn / scale:.3e}", iterations=steps, residual=fn / scale)
            W, B, fW, fB, fn = Wn, Bn, fWn, fBn, fnn
            scale = iscale(W, B)
            steps += 1
        return np.stack([W[0], B[0]], axis=-1).ravel(), fn / scale, steps, total

    def _inner(self, factor, t, g, rhs):
        """Solve J d = rhs with J = wires + cells(g) by refactorising (same pattern); returns (d, 0)."""
        factor.refactor(t.assemble(g)["A_ff"])
        return factor.solve(rhs), 0

    # --------------------------------------------------------------- transfer
    def transfer_matrix(self, *, method: str = "auto", rtol: float = 1e-10, batch_size: int = 64,
                        progress: bool | None = None) -> np.ndarray:
        """Exact port matrix ``T`` (cols, rows), S, with ``i_out = T @ v_in`` for linear cells.

        Includes IR drop and sneak paths; computed from ``rows`` unit-input solves through a
        factorisation reused across all of them.
        """
        if not self.linear:
            raise ParameterError("transfer_matrix() needs linear cells; this crossbar has a nonlinear 'cell' "
                                 f"({type(self.cell).__name__}); use solve() instead")
        if method in ("auto", "ports") and self._ports_ok():
            return self.port_model().transfer(self.rows, self.cols)
        sol = self.solve(np.eye(self.rows), method=method, rtol=rtol, full=False, batch_size=batch_size,
                         progress=progress)
        return sol.i_out

    def netlist(self, v_in, **kwargs) -> str:
        """ngspice netlist text of this crossbar (see ``memlab.circuits._crossbar_netlist``)."""
        from memlab.circuits._crossbar_netlist import crossbar_netlist
        return crossbar_netlist(self, v_in, **kwargs)




def _collect(outs: dict, **fields) -> "CrossbarSolution":
    """Join the per-input-block port results (dict of lists) into one solution."""
    cat = {k: (np.concatenate(a, axis=-1) if a[0] is not None else None) for k, a in outs.items()}
    return CrossbarSolution(i_out=cat["i_out"], i_in=cat["i_in"], power=cat["power"], v_word=cat["v_word"],
                            v_bit=cat["v_bit"], v_cell=cat["v_cell"], i_cell=cat["i_cell"], **fields)


def _line_rhs(topo, u):
    """Right-hand side of the regular (line) formulation as (K, rows, cols) arrays; u = [v_in; v_bl]."""
    K = u.shape[1]
    M, N = topo.rows, topo.cols
    bW = np.zeros((K, M, N))
    bB = np.zeros((K, M, N))
    bW[:, :, 0] = (topo.g_drv[:, None] * u[:M]).T
    bB[:, -1, :] = (topo.g_sen[:, None] * u[M:]).T
    return bW, bB


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _bar(total, enabled, desc):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, leave=False)
