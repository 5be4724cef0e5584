"""IR-drop compensation: programmable conductances whose exact outputs match the ideal product.

For target conductances ``G_t`` (S, (rows, cols)) and a set of inputs ``V`` (V, (rows, K)),
:func:`compensate` finds conductances ``G`` inside the programmable window
``[g_min, g_max]`` minimising the relative exact-output error over the inputs::

    L(G) = sum_k || i_out(G; v_k) - a * G_t^T v_k ||^2 / sum_k || G_t^T v_k ||^2

where ``i_out(G; v)`` is the exact Kirchhoff solution of the crossbar with its wire, driver
and sense resistances (IR drop and sneak paths, :class:`~memlab.arrays.Crossbar`) and
``G_t^T v`` the ideal product (A). ``a`` is the output gain: 1 (``gain="fixed"``) or fitted
jointly (``gain="fit"``: a digital rescale after the ADC, which frees headroom for cells that
would need more than ``g_max``). The minimiser is L-BFGS-B (scipy) with bounds; its
gradient is one adjoint solve per evaluation (:mod:`memlab.arrays._compsolve`), through the same direct
factorisation as the forward solve or line CG started from the previous evaluation.
With ``levels`` the continuous optimum is rounded to that many equally spaced conductances
(:func:`memlab.devices.quantize`) and the report gives both.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from memlab._validate import as_conductance, as_voltage, positive_float, positive_int, real
from memlab.devices import quantize
from memlab.errors import ParameterError, ShapeError

from ._compsolve import DirectEvaluator, LineEvaluator
from ._crossbar import Crossbar
from ._mvm import column_error, relative_error
from ._plan import CG_MIN_RG, AutoPolicy, choose_method, min_rg

__all__ = ["compensate", "CompensationResult"]


@dataclass
class CompensationResult:
    """Result of :func:`compensate` (SI units).

    ``G``: the conductances to program (S; on the levels when ``levels`` is given),
    ``G_continuous`` the continuous optimum, ``target_G`` the targets, ``gain`` the output gain
    ``a``. Errors are relative MVM errors ``||i_out - a G_t^T V|| / ||a G_t^T V||`` over the
    optimisation inputs: ``error_before`` with ``G_t`` programmed as it is (its gain fitted too
    when ``gain="fit"``), ``error_after`` with ``G`` (``error_continuous`` with
    ``G_continuous``); ``column_error_*`` per column (:func:`memlab.arrays.column_error`).
    ``history``: objective value per L-BFGS-B iteration; ``solver_iterations``: CG iterations of
    every forward and adjoint solve in order (the slowest input block; zeros for the direct
    solver).
    """

    G: np.ndarray
    G_continuous: np.ndarray
    target_G: np.ndarray
    gain: float
    gain_before: float
    error_before: float
    error_after: float
    error_continuous: float
    column_error_before: np.ndarray
    column_error_after: np.ndarray
    iterations: int
    evaluations: int
    wall_time: float
    message: str
    history: list = field(default_factory=list)
    solver_iterations: list = field(default_factory=list)


def _target(target_G, target_weights, g_min, g_max):
    if (target_G is None) == (target_weights is None):
        raise ParameterError("give exactly one of 'target_G' (S, (rows, cols)) and 'target_weights' "
                             "((n_out, n_in) = (cols, rows), >= 0)")
    if target_G is not None:
        Gt = as_conductance(target_G, "target_G")
        if Gt.ndim != 2:
            raise ShapeError(f"parameter 'target_G' must be (rows, cols), got shape {Gt.shape}")
        return Gt
    W = real(target_weights, "target_weights", lo=0.0, array=True, where="compensate")
    if W.ndim != 2 or W.size == 0:
        raise ShapeError(f"parameter 'target_weights' must be a non-empty (n_out, n_in) array, got {W.shape}")
    wmax = float(W.max())
    return g_min + (g_max - g_min) * (W.T / wmax if wmax > 0 else W.T)


def _fixed_point(cell_voltages, Gt, V, g_min, g_max, fit, steps, first=None):
    """Start point: ``steps`` rounds of ``G = a G_t / s`` with ``s`` the per-cell voltage transfer.

    ``s_ij = sum_k v_cell_ijk v_ik / sum_k v_ik^2`` (least squares over the inputs) is the
    fraction of the input a cell sees under IR drop; dividing it out is the classic first-order
    pre-distortion. With a fitted gain, ``a`` is the largest gain keeping every cell <= g_max
    (with 5 % margin) at the first round, then held."""
    G = np.clip(Gt, g_min, g_max)
    a = 1.0
    vv = np.sum(V * V, axis=1)[:, None]
    for k in range(steps):
        vc = first if k == 0 and first is not None else cell_voltages(G)      # (rows, cols, K), V
        s = np.einsum("ijk,ik->ij", vc, V) / np.where(vv > 0, vv, 1.0)
        s = np.clip(s, 1e-3, None)
        if fit and k == 0:
            a = 0.95 * float(np.min(g_max * s / np.maximum(Gt, 1e-300)))
            a = min(max(a, 1e-3), 1.0)
        G = np.clip(a * Gt / s, g_min, g_max)
    return G, a


#: from this many cells "auto" compensates with the batched line CG even where a single batched
#: solve would factorise: at 1024^2, 64 inputs (8 pre-distortion rounds, 2 L-BFGS-B iterations,
#: bench_solver_frontier.py) CG took 77 s (161 s CPU, 3.5 GB) on a quiet machine, the direct
#: factor 2518 s wall / 499 s CPU at load 8-16 and 12.2 GB
CG_MIN_CELLS = 1024 * 1024


def compensate(target_G=None, *, inputs, g_min: float, g_max: float, target_weights=None, r_row=0.0,
               r_col=0.0, r_driver=0.0, r_sense=0.0, levels: int | None = None, gain: str = "fixed",
               maxiter: int = 200, method: str = "auto", rtol: float = 1e-9, tol: float = 1e-12,
               warm_start: int = 5, callback=None) -> CompensationResult:
    """Conductances in ``[g_min, g_max]`` (S) whose exact outputs best match ``G_t^T v`` over ``inputs``.

    ``target_G`` (S, (rows, cols)) or ``target_weights`` (>= 0, (n_out, n_in) = (cols, rows),
    mapped linearly onto ``[g_min, g_max]`` with the largest weight at ``g_max``);
    ``inputs``: word-line voltages (V), (rows,) or (rows, K); ``r_row``, ``r_col``,
    ``r_driver``, ``r_sense``: the crossbar's resistances (ohm, as for :class:`Crossbar`);
    ``levels``: number of programmable levels (None: continuous); ``gain``: "fixed" (a = 1)
    or "fit" (see the module doc); ``maxiter``: L-BFGS-B iterations; ``method``: the forward and
    adjoint solver ("auto", "direct", "cg"; "auto" takes CG from
    :data:`CG_MIN_CELLS` cells, where refactorising at every evaluation costs more); ``rtol``:
    their KCL tolerance; ``tol``: stop when
    the relative objective drops by less than this per iteration. ``warm_start``: rounds of the
    first-order pre-distortion ``G = a G_t / s`` (``s`` the voltage fraction each cell sees)
    that give L-BFGS-B its start point (0: start from ``G_t``). ``callback(it, error)``:
    after every iteration with the current relative error. Returns a :class:`CompensationResult`.
    """
    t0 = time.perf_counter()
    g_min = positive_float(g_min, "g_min", allow_zero=True)
    g_max = positive_float(g_max, "g_max")
    if not g_min < g_max:
        raise ParameterError(f"need 0 <= g_min < g_max; got g_min={g_min!r} S, g_max={g_max!r} S")
    Gt = _target(target_G, target_weights, g_min, g_max)
    M, N = Gt.shape
    V, _ = as_voltage(inputs, M, "inputs")
    maxiter = positive_int(maxiter, "maxiter")
    rtol = positive_float(rtol, "rtol", upper=1e-2)
    tol = positive_float(tol, "tol")
    if levels is not None:
        levels = positive_int(levels, "levels", minimum=2)
    warm_start = positive_int(warm_start, "warm_start", minimum=0)
    if gain not in ("fixed", "fit"):
        raise ParameterError(f"parameter 'gain' = {gain!r} is not one of ('fixed', 'fit')")
    if method not in ("auto", "direct", "cg"):
        raise ParameterError(f"parameter 'method' = {method!r} is not one of ('auto', 'direct', 'cg')")
    if callback is not None and not callable(callback):
        raise ParameterError(f"parameter 'callback' = {callback!r} must be callable")
    wires = dict(r_row=r_row, r_col=r_col, r_driver=r_driver, r_sense=r_sense)
    Y = Gt.T @ V                                    # ideal product (A), (cols, K)
    yy = float(np.sum(Y * Y))
    if yy == 0:
        raise ParameterError("the ideal outputs G_t^T v are all zero: give non-zero 'inputs'")
    fit = gain == "fit"
    xb0 = Crossbar(Gt, **wires)                     # validates the resistances once, up front
    meth = choose_method(method, xb0.topo, linear=True, batch=V.shape[1], full=True, policy=AutoPolicy(),
                         rg_min=min_rg(xb0.topo, float(Gt.max())))
    if method == "auto" and meth == "direct" and M * N >= CG_MIN_CELLS \
            and min_rg(xb0.topo, float(Gt.max())) >= CG_MIN_RG:
        meth = "cg"   # every evaluation refactorises; CG reuses its last solution as the start
    ev = DirectEvaluator(xb0, V, rtol, wires) if meth == "direct" else LineEvaluator(xb0, V, rtol)
    state = {"evals": 0, "f": None}

    def fun(z):
        a = z[-1] if fit else 1.0
        Gz = z[:M * N].reshape(M, N) * g_max
        I = ev.forward(Gz)[0]
        state["evals"] += 1
        E = I - a * Y
        f = float(np.sum(E * E)) / yy
        gz = ev.gradient(2.0 * E / yy).ravel() * g_max     # one adjoint solve, same operator / factor
        if fit:
            gz = np.append(gz, -2.0 * float(np.sum(E * Y)) / yy)
        state["f"] = f
        state["last"] = (Gz, I)   # the final error reuses the last evaluation
        return f, gz

    def error_of(G, keep=False):
        """(relative error, per-column error, gain) of programming G (and, with ``keep``, the
        cell voltages (rows, cols, K) of its solution)."""
        last = state.get("last")
        vc = None
        if last is not None and not keep and np.array_equal(last[0], G):
            I = last[1]
        else:
            I, vc = ev.forward(G)
        a = float(np.sum(I * Y)) / yy if fit else 1.0
        out = (relative_error(I, a * Y), column_error(I, a * Y), a)
        return out + (vc,) if keep else out

    history = []

    def cb(zk):
        history.append(state["f"])
        if callback is not None:
            callback(len(history), float(np.sqrt(state["f"])))

    G0 = np.clip(Gt, g_min, g_max)
    err0, col0, a0, vc0 = error_of(G0, keep=True)
    Gs, a_s = _fixed_point(lambda G: ev.forward(G)[1], Gt, V, g_min, g_max, fit, warm_start, first=vc0)
    del vc0
    z0 = Gs.ravel() / g_max
    bounds = [(g_min / g_max, 1.0)] * (M * N)
    if fit:
        z0 = np.append(z0, a_s)
        bounds.append((1e-3, 1e3))
    res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds, callback=cb,
                   options=dict(maxiter=maxiter, ftol=tol, gtol=0.0, maxcor=20))
    Gc = np.clip(res.x[:M * N].reshape(M, N) * g_max, g_min, g_max)
    errc, colc, ac = error_of(Gc)
    G = Gc if levels is None else quantize(Gc, levels, g_min, g_max)
    err1, col1, a1 = (errc, colc, ac) if levels is None else error_of(G)
    return CompensationResult(G=G, G_continuous=Gc, target_G=Gt, gain=a1, gain_before=a0, error_before=err0,
                              error_after=err1, error_continuous=errc, column_error_before=col0,
                              column_error_after=col1, iterations=int(res.nit), evaluations=state["evals"],
                              wall_time=time.perf_counter() - t0, message=str(res.message), history=history,
                              solver_iterations=list(ev.iterations))
