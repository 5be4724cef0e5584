"""Stage "extract": port and node results from the free node voltages, and the result dataclass.

Also the two pieces of accuracy book-keeping every solver stage shares: the float64
round-off floor of the KCL residual and the warning issued when a solution stops there.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from memlab.errors import AccuracyWarning

__all__ = ["CrossbarSolution", "port_results", "collect", "roundoff_floor", "warn_floor", "source_norm",
           "FIELDS", "IterationInfo", "Progress"]

FIELDS = ("i_out", "i_in", "power", "v_word", "v_bit", "v_cell", "i_cell")


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
    power : power delivered by the drivers (W), ``sum(v_in * i_in) - sum(v_bl * i_out)``.
    iterations : CG iterations (linear: largest over the batch's blocks; nonlinear: summed
        over Newton steps and inputs), 0 for direct.
    newton_steps : Newton steps summed over the batch (nonlinear cells).
    residual : largest relative KCL residual ``norm(A v - b) / norm([i_in; i_out])`` over the
        batch (for "ports": of the port equations, and of a full solve of two random spot-check
        inputs).
    method : solver used ("direct", "cg", "ports", "newton-direct", "newton-cg").
    converged : True (a solve that does not converge raises :class:`ConvergenceError`).
    wall_time : seconds spent in :meth:`Crossbar.solve`.
    sources : ``[v_in; v_bl]`` (rows + cols, batch), V, and ``crossbar`` the solved crossbar:
        what :meth:`vjp` / :meth:`jvp` (:mod:`memlab.arrays._adjoint`) differentiate.
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
    converged: bool = True
    info: dict = field(default_factory=dict)
    sources: np.ndarray | None = field(default=None, repr=False)
    crossbar: object = field(default=None, repr=False)

    def vjp(self, i_out_bar=None, i_in_bar=None, **kwargs):
        """``self.crossbar.vjp(self, i_out_bar, i_in_bar, **kwargs)``: gradients from one adjoint solve."""
        return self.crossbar.vjp(self, i_out_bar, i_in_bar, **kwargs)

    def jvp(self, **tangents):
        """``self.crossbar.jvp(self, **tangents)``: ``(d i_out, d i_in)`` along the tangents."""
        return self.crossbar.jvp(self, **tangents)


def roundoff_floor(anorm: float, xmax, n: int):
    """KCL residual norm (A) at which float64 round-off dominates: 2 eps |A|_inf |x|_inf sqrt(n).

    (The residual of n nodal equations cannot be evaluated more accurately than about
    eps |A|_inf |x|_inf per node.)
    """
    return 2.0 * np.finfo(np.float64).eps * anorm * np.asarray(xmax) * np.sqrt(max(n, 1))


def warn_floor(where: str, res: float, rtol: float):
    warnings.warn(AccuracyWarning(
        f"{where}: relative KCL residual {res:.2e} > rtol={rtol:g} is at the float64 round-off floor of this "
        "circuit (its largest conductance times its largest voltage dwarfs the source currents); the "
        "result is as accurate as float64 allows"), stacklevel=5)


def source_norm(i_out, i_in):
    """2-norm (A) per input of the source currents ``[i_in; i_out]``; 1 where it is zero."""
    s = np.sqrt(np.sum(i_in ** 2, axis=0) + np.sum(i_out ** 2, axis=0))
    return np.where(s > 0, s, 1.0)


def port_results(topo, V_f, U, cells, full):
    """Port (and, if ``full``, node-level) quantities from free node voltages ``V_f`` (n_free, K).

    ``U = [v_in; v_bl]`` (rows + cols, K): driver and bit-line-end source voltages (V).
    ``cells.current(v)`` gives the cell currents (A) for flat cell voltages (rows*cols, K).
    Returns the seven :data:`FIELDS` (node-level ones None unless ``full``).
    """
    t = topo
    K = V_f.shape[1]
    M, N = t.rows, t.cols
    nf = t.n_free
    v_in, v_bl = U[:M], U[M:]
    Vall = np.concatenate([V_f, t.fixed_matrix() @ U], axis=0) if t.n_fixed else V_f
    i_out = np.zeros((N, K))
    i_out[t.sen_cols] = t.sen_g[:, None] * (Vall[t.b_node[-1, t.sen_cols]] - v_bl[t.sen_cols])
    i_in = np.zeros((M, K))
    i_in[t.drv_rows] = t.drv_g[:, None] * (v_in[t.drv_rows] - Vall[t.w_node[t.drv_rows, 0]])
    wn = t.w_node.ravel()
    bn = t.b_node.ravel()
    i_cell = None
    if t.n_fixed:
        # net current injected from outside into each fixed node: sum over incident elements
        inj = np.zeros((t.n_fixed, K))
        a, b, g, idx = t.fixed_incidence
        if a.size:
            cur = g[:, None] * (Vall[a] - Vall[b])  # leaving a towards b
            m = a >= nf
            np.add.at(inj, a[m] - nf, cur[m])
            m = b >= nf
            np.add.at(inj, b[m] - nf, -cur[m])
        if idx.size:
            wi, bi = wn[idx], bn[idx]
            if full:
                i_cell = cells.current(Vall[wn] - Vall[bn])
                ic = i_cell[idx]
            else:
                ic = cells.current_at(idx, Vall[wi] - Vall[bi])
            m = wi >= nf
            np.add.at(inj, wi[m] - nf, ic[m])
            m = bi >= nf
            np.add.at(inj, bi[m] - nf, -ic[m])
        i_in[t.drv_fixed_rows] = inj[t.w_node[t.drv_fixed_rows, 0] - nf]
        i_out[t.sen_fixed_cols] = -inj[t.b_node[-1, t.sen_fixed_cols] - nf]
    power = np.sum(v_in * i_in, axis=0) - np.sum(v_bl * i_out, axis=0)
    if not full:
        return i_out, i_in, power, None, None, None, None
    v_word = Vall[t.w_node]          # (M, N, K)
    v_bit = Vall[t.b_node]
    v_cell = v_word - v_bit
    if i_cell is None:
        i_cell = cells.current(v_cell.reshape(M * N, K))
    return i_out, i_in, power, v_word, v_bit, v_cell, i_cell.reshape(M, N, K)


def collect(outs: dict, **fields) -> CrossbarSolution:
    """Join the per-input-block port results (dict of lists) into one solution."""
    # one block: its arrays as they are (no copy of the node-level grids)
    cat = {k: (None if a[0] is None else a[0] if len(a) == 1 else np.concatenate(a, axis=-1))
           for k, a in outs.items()}
    return CrossbarSolution(**cat, **fields)


@dataclass(frozen=True)
class IterationInfo:
    """What a ``callback`` receives: ``stage`` ("cg" or "newton"), the input index (or the
    first input of a CG block), the iteration count and the residual 2-norm(s) (A)."""

    stage: str
    input: int
    iteration: int
    residual: np.ndarray | float


class Progress:
    """tqdm progress bar when ``enabled`` (imported lazily), else a no-op."""

    def __init__(self, total, enabled, desc):
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=total, desc=desc, leave=False)

    def update(self, n=1):
        if self._bar is not None:
            self._bar.update(n)

    def close(self):
        if self._bar is not None:
            self._bar.close()
