"""Transient ngspice runs of a crossbar with stateful cells: the reference of memlab.arrays' transient simulator.

The netlist is the crossbar netlist of :func:`memlab.circuits.crossbar_netlist` (same node
and element names, same generated subcircuits and house printer) with two changes: every
moving device is an instance of its stateful subcircuit (:func:`memlab.circuits.subcircuit`
with a state capacitor starting at the instance's ``x0``), and every word-line and bit-line
source is the piecewise-linear (or sine) source of its :class:`memlab.devices.Drive`,
written by the same function as :func:`memlab.circuits.cell_netlist`'s source. The analysis
is ``.tran t_step t_stop 0 max_step uic`` with :data:`~memlab.circuits.NGSPICE_OPTIONS`.

The state of cell ``(i, j)`` is the node ``x<ref>i_j.xs`` (normalised to [0, 1]) of its
moving part (``ref`` = ``c``, or ``ca``/``cb`` for the first/second part of a series cell).
A series cell whose two parts both move (a volatile threshold-switch selector, e.g.
:class:`~memlab.devices.MottSelector`, and a memristor) takes ``x0`` as a pair
``(x_first, x_second)``: both instances are then stateful, two behavioural subcircuits in
series, and the result's ``x`` holds both states. Units: s, V, A, state units.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from memlab._validate import real
from memlab.devices import DeviceModel, Drive, SeriesCell
from memlab.errors import ConvergenceError, ParameterError, ShapeError
from memlab.circuits._characterize import NGSPICE_OPTIONS, _source_line
from memlab.circuits._crossbar_netlist import _netlist
from memlab.circuits._ngspice import check_timeout, get_runner
from memlab.circuits._printers import _num

__all__ = ["crossbar_tran_netlist", "simulate_crossbar_tran", "CrossbarTran"]


def _moving(cell, pair=False):
    """(model, netlist ref) of the moving device of ``cell``; with ``pair`` (a state per part of a
    SeriesCell) both parts as ((first, "ca"), (second, "cb"))."""
    if pair:
        if not isinstance(cell, SeriesCell) or not all(isinstance(p, DeviceModel) for p in (cell.first, cell.second)):
            raise ParameterError(f"crossbar transient: 'x0' is a pair of states, so 'cell' must be a SeriesCell of "
                                 f"two DeviceModels; got {cell!r:.60}")
        return ((cell.first, "ca"), (cell.second, "cb")), "pair"
    if isinstance(cell, DeviceModel) and cell.rate_expr != 0:
        return cell, "c"
    if isinstance(cell, SeriesCell):
        for p, ref in ((cell.first, "ca"), (cell.second, "cb")):
            if isinstance(p, DeviceModel) and p.rate_expr != 0:
                return p, ref
    raise ParameterError(f"crossbar transient: parameter 'cell' = {cell!r:.60} has no moving DeviceModel part")


def _drives(seq, name, n):
    seq = tuple(seq)
    if len(seq) != n or not all(isinstance(d, Drive) for d in seq):
        raise ShapeError(f"parameter '{name}' must hold {n} memlab Drives (one per line); got {len(seq)}")
    return seq


def crossbar_tran_netlist(x0, word, bit, *, cell, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0,
                          t_step: float, max_step: float, options: dict | None = None, rate_cap: float = 100.0,
                          edge: float = 1e-4, title: str = "memlab crossbar transient") -> str:
    """ngspice netlist text of a crossbar transient (module docstring).

    ``x0`` (rows, cols): initial state of the moving device (state units), or a pair
    ``(x_first, x_second)`` of them for a series cell whose parts both move; ``word``
    (rows Drives) and ``bit`` (cols Drives): line sources (V over s), of equal duration;
    ``cell``: a DeviceModel or SeriesCell (as :func:`crossbar_netlist`); resistances in ohm;
    ``t_step``/``max_step`` (s): print and largest internal step; ``rate_cap``/``edge``: the
    subcircuits' rate cap ``rate_cap / max_step`` (1/s) and bound time ``edge * max_step`` (s).
    """
    return _build(x0, word, bit, cell, r_row, r_col, r_driver, r_sense, t_step, max_step, options, rate_cap, edge,
                  title)[0]


def _build(x0, word, bit, cell, r_row, r_col, r_driver, r_sense, t_step, max_step, options, rate_cap, edge, title):
    where = "crossbar transient"
    pair = isinstance(x0, tuple)
    model, ref = _moving(cell, pair)
    x0 = tuple(np.asarray(a, dtype=np.float64) for a in x0) if pair else np.asarray(x0, dtype=np.float64)
    for a in (x0 if pair else (x0,)):
        if a.ndim != 2 or a.shape != (x0[0] if pair else x0).shape:
            raise ShapeError(f"parameter 'x0' has shape {a.shape}; expected (rows, cols)"
                             + (" for both parts" if pair else ""))
    M, N = (x0[0] if pair else x0).shape
    word, bit = _drives(word, "word", M), _drives(bit, "bit", N)
    T = max(d.duration for d in word + bit)
    t_step = real(t_step, "t_step", lo=0.0, lo_open=True, unit="s", where=where)
    max_step = real(max_step, "max_step", lo=0.0, lo_open=True, unit="s", where=where)
    lines = {"w": [_source_line(d, "vin{k}", "{node}") for d in word],
             "b": [_source_line(d, "vs{k}", "{node}") for d in bit]}

    def source(kind, k, node):
        return lines[kind][k].replace("{k}", str(k)).replace("{node}", node)

    xs = x0 if (pair or isinstance(cell, DeviceModel)) else ((x0, None) if ref == "ca" else (None, x0))
    opts = dict(NGSPICE_OPTIONS)
    opts.update(options or {})
    tran = {"source": source, "analysis": f".tran {_num(t_step)} {_num(T)} 0 {_num(max_step)} uic",
            "rate_max": rate_cap / max_step, "t_edge": edge * max_step}
    text, _ = _netlist(xs, np.zeros(M), cell=cell, v_bl=np.zeros(N), r_row=r_row, r_col=r_col, r_driver=r_driver,
                       r_sense=r_sense, title=title, options=opts, tran=tran)
    return text, (M, N), model, ref, T


@dataclass(frozen=True)
class CrossbarTran:
    """ngspice transient of a crossbar: ``t`` (K,) s; ``x`` (K, rows, cols) moving-device
    state (state units; (K, 2, rows, cols) for a state pair, index 0 the first part); ``v_cell`` (K, rows, cols) word minus bit line voltage (V);
    ``wall_time`` (s, load and run); ``n_points`` ngspice's own time points; ``netlist``."""

    t: np.ndarray
    x: np.ndarray
    v_cell: np.ndarray
    wall_time: float
    n_points: int
    netlist: str


def simulate_crossbar_tran(x0, word, bit, *, cell, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0, t=None,
                           t_step: float | None = None, max_step: float | None = None, options: dict | None = None,
                           rate_cap: float = 100.0, edge: float = 1e-4, timeout: float | None = None) -> CrossbarTran:
    """Run the crossbar transient in ngspice (arguments as :func:`crossbar_tran_netlist`);
    results are interpolated onto ``t`` (s; default ngspice's own time points).
    ``max_step`` defaults to duration / 2000, ``t_step`` to ``max_step``."""
    timeout = check_timeout(timeout, "simulate_crossbar_tran")
    T = max(d.duration for d in tuple(word) + tuple(bit))
    max_step = T / 2000 if max_step is None else max_step
    t_step = max_step if t_step is None else t_step
    text, (M, N), model, ref, T = _build(x0, word, bit, cell, r_row, r_col, r_driver, r_sense, t_step, max_step,
                                         options, rate_cap, edge, "memlab crossbar transient")
    t0 = time.perf_counter()
    res = get_runner().run(text, what=f"crossbar {M}x{N} transient", timeout=timeout)
    wall = time.perf_counter() - t0
    tr = res.vec("time")
    t_out = tr if t is None else np.asarray(t, dtype=np.float64)
    parts = model if ref == "pair" else ((model, ref),)
    X = np.empty((len(parts), t_out.size, M, N))
    V = np.empty((t_out.size, M, N))
    try:
        for k, (mod, rf) in enumerate(parts):
            X[k] = _states(res, tr, t_out, mod, rf, x0[k] if ref == "pair" else x0)
        for i in range(M):
            for j in range(N):
                V[:, i, j] = np.interp(t_out, tr, res.vec(f"w_{i}_{j}") - res.vec(f"b_{i}_{j}"))
    except (KeyError, ParameterError) as exc:
        raise ConvergenceError(f"ngspice returned no state or node vector ({exc})", log="\n".join(res.messages)) from exc
    X = X.transpose(1, 0, 2, 3) if ref == "pair" else X[0]
    return CrossbarTran(t=t_out, x=X, v_cell=V, wall_time=wall, n_points=int(tr.size), netlist=text)


def _states(res, tr, t_out, model, ref, x0):
    """(K, rows, cols) states of the part ``ref`` on ``t_out``; a static part keeps ``x0``."""
    M, N = x0.shape
    if model.rate_expr == 0:
        return np.broadcast_to(x0, (t_out.size, M, N))
    lo, hi = (np.broadcast_to(np.asarray(b, dtype=np.float64), (M, N)) for b in model.bounds())
    X = np.empty((t_out.size, M, N))
    for i in range(M):
        for j in range(N):
            s = np.clip(res.vec(f"x{ref}{i}_{j}.xs"), 0.0, 1.0)
            X[:, i, j] = np.interp(t_out, tr, lo[i, j] + (hi[i, j] - lo[i, j]) * s)
    return X
