"""Exact Kirchhoff solution of a passive crossbar: the :class:`Crossbar` façade over named stages.

Circuit (all SI): word line ``i`` is driven by ``v_in[i]`` (V) through ``r_driver[i]`` (ohm)
at column 0; ``r_row[i, j]`` is the word-line segment between columns ``j`` and ``j+1``.
Bit line ``j`` runs down the rows, ``r_col[i, j]`` between rows ``i`` and ``i+1``, and leaves
row ``rows-1`` through ``r_sense[j]`` into a virtual-ground (0 V) sense amplifier, whose
current is ``i_out[j]`` (A, positive into the amplifier). Cell ``(i, j)`` joins ``w[i, j]``
to ``b[i, j]``; its current flows from word line to bit line.

Stages (plain functions in private modules): topology (:mod:`._topology`), bind the cells
(:mod:`._cellgrid`), assemble (:mod:`._assemble`), plan the method (:mod:`._plan`), linear
solve (:mod:`._linear` over :mod:`._direct`, :mod:`._linesolve`, :mod:`._portred`), the one
damped Newton for nonlinear cells (:mod:`._newton`), extract (:mod:`._extract`). A
:class:`Crossbar` is immutable: its arrays are read-only copies, and a factorisation is an
explicit object (:meth:`Crossbar.factorize`) that only the caller holds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from memlab.errors import ConvergenceError, ParameterError, ShapeError, SingularCircuitError
from memlab._validate import as_conductance, as_resistance, as_voltage, positive_float, positive_int

from ._adjoint import CrossbarGradient, jvp as _jvp, vjp as _vjp
from ._cellgrid import LinearCells, bind_cells
from ._extract import CrossbarSolution, IterationInfo
from ._linear import LinearFactor, factorize, solve_cg, solve_direct, solve_ports
from ._linesolve import numba_threads
from ._newton import solve_newton
from ._plan import FULL_LIMIT, AutoPolicy, choose_method, merge_near_shorts, min_rg, ports_available
from ._portred import PortReduction
from ._topology import Topology, build_topology

__all__ = ["Crossbar", "CrossbarSolution", "CrossbarFactorization", "AutoPolicy", "IterationInfo", "CrossbarGradient"]


def _readonly(a):
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _segments(r, shape, name):
    """Wire-segment resistances (ohm), read-only: a uniform (scalar) value as a broadcast view
    (no (rows, cols) copy: at 8192^2 each full array is 0.54 GB), else a validated copy."""
    if np.ndim(r) == 0:
        return np.broadcast_to(as_resistance(r, (), name), shape)
    return _readonly(as_resistance(r, shape, name))


@dataclass(frozen=True, eq=False)
class CrossbarFactorization:
    """An explicit factorisation of one linear :class:`Crossbar`, from :meth:`Crossbar.factorize`.

    ``method`` is "direct" (sparse Cholesky/LU of the nodal matrix) or "ports" (dense port
    model, port currents only). Reuse it for any number of inputs with :meth:`solve` or
    ``crossbar.solve(v, factor=fac)``; the crossbar is immutable, so it never goes stale.
    """

    crossbar: "Crossbar"
    method: str
    _factor: LinearFactor

    def solve(self, v_in, **kwargs) -> CrossbarSolution:
        """``self.crossbar.solve(v_in, factor=self, **kwargs)``."""
        return self.crossbar.solve(v_in, factor=self, **kwargs)

    @property
    def ports(self) -> PortReduction | None:
        """The dense port model (method "ports"), else None."""
        return self._factor.ports


class Crossbar:
    """A passive (0T1R) crossbar with wire, driver and sense resistances (immutable).

    Parameters
    ----------
    conductance : (rows, cols) array, S. Cell conductance (linear cells), or the small-signal
        conductance used as the state ``x`` of a nonlinear ``cell`` when ``state`` is not given.
        None with a nonlinear ``cell`` and its ``state``: ``di_dv(0, state)`` is used.
    r_row : ohm, scalar or (rows, cols-1): word-line segment between neighbouring cells.
    r_col : ohm, scalar or (rows-1, cols): bit-line segment between neighbouring cells.
    r_driver : ohm, scalar or (rows,): source resistance of each word-line driver.
    r_sense : ohm, scalar or (cols,): resistance from each bit line's end to the 0 V sense node.
        Zero resistances are exact shorts; ``inf`` is an open circuit.
    cell : optional nonlinear cell exposing ``current(v, x)`` (A) and ``di_dv(v, x)`` (S),
        e.g. ``memlab.devices.SinhConductance(v0=...)`` with ``x = g``, or a
        :class:`memlab.devices.SeriesCell` (1S1R, 1T1R). Its parameters may be per-cell
        arrays broadcastable to (rows, cols), or a population of rows*cols devices
        (row-major), see :mod:`memlab.arrays._cellgrid`.
    state : per-cell state ``x`` for ``cell``, (rows, cols); for a SeriesCell a tuple
        ``(x_first, x_second)`` (None for a state-less part) or one array for its one
        stateful part. Defaults to ``conductance``.

    The attributes ``G``, ``r_row``, ``r_col``, ``r_driver``, ``r_sense`` and ``state`` are
    read-only copies; build a new Crossbar for new values.
    """

    def __init__(self, conductance, *, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0, cell=None,
                 state=None):
        if cell is not None and not (hasattr(cell, "current") and hasattr(cell, "di_dv")):
            raise ParameterError(f"parameter 'cell' = {cell!r} must expose current(v, x) and di_dv(v, x)")
        if conductance is None:
            if cell is None or state is None:
                raise ParameterError("parameter 'conductance' = None is only allowed with a nonlinear 'cell' "
                                     "and its 'state'")
            shapes = [np.shape(s) for s in (state if isinstance(state, tuple) else (state,)) if s is not None]
            if not shapes or len(shapes[0]) != 2:
                raise ShapeError(f"parameter 'state' must hold (rows, cols) arrays, got shapes {shapes}")
            M, N = shapes[0]
        else:
            G = as_conductance(conductance)
            M, N = G.shape
        cells, shown = (None, None) if cell is None else bind_cells(cell, G if state is None else state, M, N)
        g0 = None
        if cell is not None:
            g0 = np.array(cells.di_dv(np.zeros(M * N)), dtype=np.float64)
            if conductance is None:
                G = as_conductance(g0.reshape(M, N), "di_dv(0, state)")
        put = super().__setattr__
        put("_G", _readonly(G))
        put("_r_row", _segments(r_row, (M, max(N - 1, 0)), "r_row"))
        put("_r_col", _segments(r_col, (max(M - 1, 0), N), "r_col"))
        put("_r_driver", _readonly(as_resistance(r_driver, (M,), "r_driver")))
        put("_r_sense", _readonly(as_resistance(r_sense, (N,), "r_sense")))
        put("_cell", cell)
        put("_state", shown)
        put("_cells", LinearCells(self._G.ravel()) if cell is None else cells)
        put("_g0", self._G.ravel() if cell is None else g0)
        g_ref = float(np.max(self._g0, initial=0.0))
        merged = [merge_near_shorts(r, g_ref, M, N) for r in (self._r_row, self._r_col, self._r_driver, self._r_sense)]
        put("_g_ref", g_ref)
        put("_topo", build_topology(M, N, *merged))

    def __setattr__(self, name, value):
        raise AttributeError(f"Crossbar is immutable (cannot set {name!r}); build a new Crossbar instead")

    # ------------------------------------------------------------------ basics
    G = property(lambda self: self._G, doc="Cell conductances (S), read-only (rows, cols).")
    r_row = property(lambda self: self._r_row, doc="Word-line segment resistances (ohm), read-only.")
    r_col = property(lambda self: self._r_col, doc="Bit-line segment resistances (ohm), read-only.")
    r_driver = property(lambda self: self._r_driver, doc="Driver resistances (ohm), read-only (rows,).")
    r_sense = property(lambda self: self._r_sense, doc="Sense resistances (ohm), read-only (cols,).")
    cell = property(lambda self: self._cell, doc="The nonlinear cell model, or None for linear cells.")
    state = property(lambda self: self._state,
                     doc="Per-cell state (read-only (rows, cols); a tuple per part for a SeriesCell), or None.")
    topo = property(lambda self: self._topo, doc="Node numbering (:class:`~memlab.arrays._topology.Topology`).")

    @property
    def shape(self) -> tuple[int, int]:
        return self._G.shape

    @property
    def rows(self) -> int:
        return self._G.shape[0]

    @property
    def cols(self) -> int:
        return self._G.shape[1]

    @property
    def linear(self) -> bool:
        return self._cell is None

    def __repr__(self):
        kind = "linear" if self.linear else type(self._cell).__name__
        return f"Crossbar({self.rows}x{self.cols}, {kind} cells)"

    def _check(self):
        """Raise on a floating sub-network or a cell with a negative small-signal conductance."""
        g0 = self._g0
        if not np.all(np.isfinite(g0)) or (g0 < 0).any():
            raise ParameterError("cell.di_dv(0, state) must be finite and >= 0 for every cell")
        t: Topology = self._topo
        no_driver = t.n_fixed == 0 and t.drv_rows.size == 0
        if no_driver or (g0 <= 0).any() or any(np.isinf(a).any() for a in
                                                (self._r_row, self._r_col, self._r_driver, self._r_sense)):
            t.check_connected(g0)
        if no_driver:
            raise SingularCircuitError("crossbar has no driver: every r_driver is inf", nodes=[])

    def _anorm(self) -> float:
        """Upper bound of the infinity norm of the nodal matrix (S), from the conductances."""
        t = self._topo
        fin = lambda a: float(np.max(np.where(np.isfinite(a), a, 0.0), initial=0.0))  # noqa: E731
        return 2.0 * (2 * max(fin(t.g_row), fin(t.g_col)) + fin(self._g0) + max(fin(t.g_drv), fin(t.g_sen)))

    def _x0(self, x0, K):
        """Initial free-node voltages (n_free, K) from a CrossbarSolution or a (v_word, v_bit) pair."""
        if x0 is None:
            return None
        vw, vb = (x0.v_word, x0.v_bit) if isinstance(x0, CrossbarSolution) else x0
        if vw is None or vb is None:
            raise ParameterError("parameter 'x0' has no node voltages (solve with full=True)")
        M, N = self.shape
        vw, vb = (np.asarray(a, dtype=np.float64) for a in (vw, vb))
        try:
            vw, vb = (np.broadcast_to(a.reshape(M, N, -1), (M, N, K)) for a in (vw, vb))
        except ValueError:
            raise ShapeError(f"parameter 'x0' must be (v_word, v_bit) of shape ({M}, {N}) or ({M}, {N}, {K}); "
                             f"got {np.shape(vw)}") from None
        t = self._topo
        out = np.zeros((t.n_free + t.n_fixed, K))
        out[t.w_node] = vw
        out[t.b_node] = vb
        return out[:t.n_free]

    # --------------------------------------------------------------- public API
    def factorize(self, method: str = "direct", *, progress: bool | None = None) -> CrossbarFactorization:
        """Factorise the nodal matrix once, for many solves (linear cells only).

        ``method``: "direct" (sparse Cholesky with CHOLMOD, else SuperLU; full node results)
        or "ports" (dense port model, port currents only; needs CHOLMOD; any termination). Hold
        the returned object and pass it as ``solve(v, factor=fac)`` or call ``fac.solve(v)``;
        nothing is cached on the crossbar.
        """
        if not self.linear:
            raise ParameterError("factorize() needs linear cells; a nonlinear crossbar refactorises its Jacobian "
                                 "at every Newton step")
        if method not in ("direct", "ports"):
            raise ParameterError(f"parameter 'method' = {method!r} is not one of ('direct', 'ports')")
        self._check()
        if method == "ports" and not ports_available(self._topo, True):
            raise ParameterError("the port model needs scikit-sparse (CHOLMOD) and a crossbar with free nodes")
        return CrossbarFactorization(self, method, factorize(self._topo, self._G, method, progress=progress))

    def solve(self, v_in, *, v_bl=None, method: str = "auto", factor: CrossbarFactorization | None = None,
              rtol: float = 1e-10, atol: float = 0.0, maxiter: int | None = None, x0=None, callback=None,
              newton_maxiter: int = 60, full: bool | None = None, batch_size: int = 64,
              threads: int | None = None, policy: AutoPolicy | None = None,
              progress: bool | None = None) -> CrossbarSolution:
        """Solve Kirchhoff's laws for word-line inputs ``v_in`` (V), shape (rows,) or (rows, batch).

        ``v_bl``: voltage (V) held by each bit line's amplifier/driver, shape (cols,) or
        (cols, batch); default 0 V (virtual-ground sensing). ``i_out`` is the current flowing
        into it.

        ``method``: "direct" (sparse Cholesky/LU, factorised once per call and reused across
        the batch), "cg" (matrix-free CG on the bit-line Schur complement with exact
        word-line and bit-line Thomas solves; O(rows*cols) memory; zero driver and sense
        resistances are exact Dirichlet nodes, zero wire segments need "direct"), "ports" (exact dense port
        model from one CHOLMOD factorisation; port currents only, for large batches) or
        "auto" (chosen by size, batch and cell type from ``policy``, an
        :class:`~memlab.arrays.AutoPolicy`). ``factor``: a :meth:`factorize` result of this
        crossbar, reused instead of factorising again. Nonlinear cells use one damped Newton
        (:mod:`memlab.arrays._newton`) from the small-signal solution (or ``x0``), with
        "direct" (refactorised Jacobian) or "cg" (inexact line CG) as inner solver.

        Convergence test per input, with ``r`` the nodal KCL residual (A) and ``b`` the
        source currents ``[i_in; i_out]`` (A) of the solution itself::

            norm(r) <= max(rtol * norm(b), atol)

        (2-norms; the source currents, not the right-hand side, set the scale: the
        Norton currents ``v_in / r_driver`` of stiff drivers dwarf the cell currents). Where
        float64 cannot reach it (round-off floor), the best result is returned with an
        :class:`~memlab.errors.AccuracyWarning`; ``residual`` reports ``norm(r) / norm(b)``.
        ``maxiter``: CG iterations per linear solve (method "cg", also each inner CG solve
        of Newton-CG; default ``max(200, 4 (rows + cols))``), ignored by direct solves.
        ``newton_maxiter``: Newton steps per input (nonlinear cells). Reaching either raises
        :class:`~memlab.errors.ConvergenceError`; a solve never returns NaN.
        ``x0``: initial node voltages, a :class:`CrossbarSolution` or ``(v_word, v_bit)``
        (rows, cols[, batch]); used by "cg" (bit-line voltages) and Newton, ignored by the
        exact direct and port solves. ``callback(info)``: called with an
        :class:`~memlab.arrays.IterationInfo` after every CG iteration and Newton step.

        ``full``: keep node voltages and cell quantities (default: when they fit in about
        1 GB). ``batch_size``: inputs per block solve. ``threads``: numba threads of the
        line kernels (default: 1 below 512 x 512 cells, numba's setting above; see
        :func:`~memlab.arrays._linesolve.numba_threads`). ``progress``: tqdm bar.
        """
        t0 = time.perf_counter()
        M, N = self.shape
        V, single = as_voltage(v_in, M)
        rtol = positive_float(rtol, "rtol", upper=1e-2)
        atol = positive_float(atol, "atol", allow_zero=True)
        batch_size = positive_int(batch_size, "batch_size")
        maxiter = None if maxiter is None else positive_int(maxiter, "maxiter")
        newton_maxiter = positive_int(newton_maxiter, "newton_maxiter")
        threads = None if threads is None else positive_int(threads, "threads")
        if callback is not None and not callable(callback):
            raise ParameterError(f"parameter 'callback' = {callback!r} must be callable")
        policy = AutoPolicy() if policy is None else policy
        if not isinstance(policy, AutoPolicy):
            raise ParameterError(f"parameter 'policy' = {policy!r} must be a memlab.arrays.AutoPolicy")
        K = V.shape[1]
        if v_bl is None:
            Vbl = np.zeros((N, K))
        else:
            Vbl, _ = as_voltage(v_bl, N, "v_bl")
            if Vbl.shape[1] not in (1, K):
                raise ShapeError(f"parameter 'v_bl' has batch {Vbl.shape[1]}; expected 1 or {K} like v_in")
            Vbl = np.broadcast_to(Vbl, (N, K))
        U = np.concatenate([V, Vbl], axis=0)
        if factor is not None:
            if not isinstance(factor, CrossbarFactorization) or factor.crossbar is not self:
                raise ParameterError("parameter 'factor' must be a factorize() result of this same crossbar")
            if method not in ("auto", factor.method):
                raise ParameterError(f"parameter 'method' = {method!r} conflicts with a '{factor.method}' factor")
            method = factor.method
        self._check()
        if full is None:
            full = K * 2 * M * N <= FULL_LIMIT and method != "ports"
        meth = choose_method(method, self._topo, linear=self.linear, batch=K, full=full, policy=policy,
                             rg_min=min_rg(self._topo, self._g_ref))
        if progress is None:
            progress = K >= 4 * batch_size
        X0 = self._x0(x0, K)
        common = dict(rtol=rtol, atol=atol, anorm=self._anorm(), full=full, progress=progress)
        with numba_threads(threads, M * N):
            if not self.linear:
                sol = solve_newton(self._topo, self._cells, U, inner=meth, g0=self._g0, maxiter=maxiter,
                                   newton_maxiter=newton_maxiter, x0=X0, callback=callback,
                                   min_length=policy.two_level_min_length,
                                   mixed=M * N >= policy.mixed_precision_min_cells, **common)
            elif meth == "cg":
                sol = solve_cg(self._topo, self._G, U, self._cells, maxiter=maxiter, x0=X0, callback=callback,
                               batch_size=batch_size, policy=policy, **common)
            else:
                fac = factor._factor if factor is not None else factorize(self._topo, self._G, meth)
                if meth == "ports":
                    try:
                        sol = solve_ports(self._topo, fac, U, rtol=rtol)
                    except ConvergenceError:
                        if method != "auto" or factor is not None:
                            raise
                        # the policy's choice, not the user's: an ill-conditioned port model
                        # (relative residual above rtol) falls back to the exact direct solve
                        sol = solve_direct(self._topo, factorize(self._topo, self._G, "direct"), U, self._cells,
                                           batch_size=batch_size, **common)
                else:
                    sol = solve_direct(self._topo, fac, U, self._cells, batch_size=batch_size, **common)
        sol.wall_time = time.perf_counter() - t0
        sol.sources = _readonly(U)
        sol.crossbar = self
        if single:
            for name in ("i_out", "i_in", "v_word", "v_bit", "v_cell", "i_cell"):
                a = getattr(sol, name)
                if a is not None:
                    setattr(sol, name, a[..., 0])
            sol.power = float(np.asarray(sol.power)[0])
        return sol

    def vjp(self, solution: CrossbarSolution, i_out_bar=None, i_in_bar=None, *, method: str = "auto",
            rtol: float = 1e-10, factor: CrossbarFactorization | None = None,
            policy: AutoPolicy | None = None) -> CrossbarGradient:
        """Gradient of ``J = sum(i_out_bar * i_out) + sum(i_in_bar * i_in)`` (A) at ``solution``.

        ``solution``: a full (node-level) :meth:`solve` result of this crossbar;
        ``i_out_bar`` (cols[, batch]) and ``i_in_bar`` (rows[, batch]): cotangents (1).
        One adjoint solve of the (linearised) circuit, see :mod:`memlab.arrays._adjoint`;
        ``method``/``policy`` choose its solver like :meth:`solve` ("direct", "cg", "auto"),
        ``factor`` a held "direct" factorisation of this linear crossbar to reuse, ``rtol`` its
        KCL tolerance. Returns a :class:`~memlab.arrays.CrossbarGradient` (gradients with respect
        to conductances or cell states and parameters, every resistance, ``v_in`` and ``v_bl``).
        """
        self._own(solution)
        rtol = positive_float(rtol, "rtol", upper=1e-2)
        if method not in ("auto", "direct", "cg"):
            raise ParameterError(f"parameter 'method' = {method!r} is not one of ('auto', 'direct', 'cg')")
        if factor is not None and (not isinstance(factor, CrossbarFactorization) or factor.crossbar is not self):
            raise ParameterError("parameter 'factor' must be a factorize() result of this same crossbar")
        with numba_threads(None, self.rows * self.cols):
            return _vjp(self, solution, solution.sources, i_out_bar, i_in_bar, method=method, rtol=rtol,
                        factor=factor, policy=policy)

    def jvp(self, solution: CrossbarSolution, *, rtol: float = 1e-10, **tangents):
        """``(d i_out, d i_in)`` (A) of ``solution`` along ``tangents`` (Jacobian-free, one linear solve).

        Keywords: ``conductance`` (linear cells) or ``state`` and ``params`` (nonlinear cells),
        ``r_row``, ``r_col``, ``r_driver``, ``r_sense`` (ohm), ``v_in``, ``v_bl`` (V), each in the
        shape of what it perturbs; see :func:`memlab.arrays._adjoint.jvp`.
        """
        self._own(solution)
        known = {"conductance", "state", "params", "r_row", "r_col", "r_driver", "r_sense", "v_in", "v_bl"}
        bad = sorted(set(tangents) - known)
        if bad:
            raise ParameterError(f"jvp tangent(s) {bad} unknown; allowed: {sorted(known)}")
        rtol = positive_float(rtol, "rtol", upper=1e-2)
        with numba_threads(None, self.rows * self.cols):
            return _jvp(self, solution, solution.sources, rtol=rtol, **tangents)

    def _own(self, solution):
        if not isinstance(solution, CrossbarSolution) or solution.crossbar is not self:
            raise ParameterError("parameter 'solution' must be a solve() result of this same crossbar")

    def port_model(self) -> PortReduction:
        """A new exact dense port model (see :mod:`memlab.arrays._portred`); not cached, hold it."""
        return self.factorize("ports").ports

    def transfer_matrix(self, *, method: str = "auto", rtol: float = 1e-10, batch_size: int = 64,
                        progress: bool | None = None) -> np.ndarray:
        """Exact port matrix ``T`` (cols, rows), S, with ``i_out = T @ v_in`` for linear cells.

        Includes IR drop and sneak paths; computed from the port model, or from ``rows``
        unit-input solves through one factorisation.
        """
        if not self.linear:
            raise ParameterError("transfer_matrix() needs linear cells; this crossbar has a nonlinear 'cell' "
                                 f"({type(self._cell).__name__}); use solve() instead")
        if method in ("auto", "ports") and ports_available(self._topo, True):
            return self.port_model().transfer(self.rows, self.cols)
        sol = self.solve(np.eye(self.rows), method=method, rtol=rtol, full=False, batch_size=batch_size,
                         progress=progress)
        return sol.i_out

    def netlist(self, v_in, **kwargs) -> str:
        """ngspice netlist text of this crossbar, from :func:`memlab.circuits.crossbar_netlist`.

        Passes plain arrays: the conductances (linear cells) or the per-cell state and the
        cell, and the resistances; ``kwargs`` (``v_bl``, ``options``, ...) go through.
        """
        from memlab.circuits import crossbar_netlist
        return crossbar_netlist(self.netlist_state(), v_in, cell=self._cell, r_row=self._r_row, r_col=self._r_col,
                                r_driver=self._r_driver, r_sense=self._r_sense, **kwargs)

    def netlist_state(self):
        """The ``x`` argument of :func:`memlab.circuits.crossbar_netlist` for this crossbar.

        Conductances (S) for linear cells, else the per-cell state: for a SeriesCell with
        exactly one stateful part that part's (rows, cols) state, else the tuple per part.
        """
        if self.linear:
            return self._G
        st = self._state
        if isinstance(st, tuple) and sum(s is not None for s in st) == 1:
            return st[0] if st[0] is not None else st[1]
        return st
