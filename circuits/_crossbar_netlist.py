"""Crossbar netlists for ngspice built from the generated device subcircuits, run by the one runner.

A crossbar cell is written with the same machinery as a single device: a
:class:`memlab.devices.DeviceModel` becomes an X-instance of its generated read subcircuit
(:func:`memlab.circuits.subcircuit` with ``static=True``: the state is the instance
parameter ``x0``, held during ``.op``, and the current is printed by
:class:`~memlab.circuits.NgspiceBSourcePrinter`); the netlist runs through
:func:`~memlab.circuits.get_runner`. Cells (recognised by type):

- ``cell=None``: linear cells, ``x`` is the (rows, cols) conductance in S (0 S cells are
  left out);
- a :class:`~memlab.devices.DeviceModel`: ``x`` is the per-cell state (state units) or
  None (every cell at the model's ``x0``). Parameters may be arrays broadcastable to
  (rows, cols), or a population of rows*cols devices in row-major order; those per-cell
  values are written on each cell's instance line;
- :class:`~memlab.devices.Resistor`: every cell is ``resistance`` ohm (no state);
- :class:`~memlab.devices.SeriesCell` ``(first, second)`` of the two above: ``first`` on the
  word-line side, ``second`` on the bit-line side, internal node ``m_i_j``. Its state is a
  tuple ``(x_first, x_second)`` (None for a part without state); a single array is taken
  when exactly one part has state. A part has state when its current depends on it
  (a :class:`~memlab.devices.Selector` or :class:`~memlab.devices.MOSFET` has none).

Node names (ngspice lower-cases them): ``w_i_j`` word line ``i`` at column ``j``, ``b_i_j``
bit line ``j`` at row ``i``, ``m_i_j`` internal node of a series cell, ``in_i`` driver
source node, ``s_j`` sense node. Sources: ``vin<i>`` drives word line ``i``; ``vs<j>`` is
the bit line's sense source (``v_bl``, default 0 V: a virtual-ground amplifier) and
measures its current. Elements: ``rd<i>`` driver, ``rw<i>_<j>`` word-line segment between
columns j and j+1, ``rb<i>_<j>`` bit-line segment between rows i and i+1, ``rs<j>`` sense
resistor; per cell ``rc<i>_<j>`` (resistor) or ``xc<i>_<j>`` (device instance), and for
the parts of a series cell ``rca``/``xca`` (first) and ``rcb``/``xcb`` (second). A zero
resistance is written as a 0 V source ``vz<k>``, an infinite one is left out.

The text uses ``"\\n"`` line endings only (house style §7.3), so it can be string-tested
without ngspice. :func:`simulate_crossbar_op` runs ``.op`` and returns a :class:`CrossbarOp`.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from memlab._validate import as_conductance, as_resistance, as_voltage
from memlab.devices import DeviceModel, Resistor, SeriesCell
from memlab.errors import ConvergenceError, NetlistError, ParameterError, ShapeError
from memlab.circuits._ngspice import get_runner, check_timeout
from memlab.circuits._printers import _num
from memlab.circuits._subckt import subcircuit

__all__ = ["crossbar_netlist", "simulate_crossbar_op", "CrossbarOp"]

#: ``.op`` options: tolerances far below the 1e-6 relative agreement the solver tests ask for
_DEFAULT_OPTIONS = {"reltol": 1e-9, "abstol": 1e-18, "vntol": 1e-12, "itl1": 500, "gmin": 1e-30}


def _has_state(part) -> bool:
    """True when the part's current depends on its state (a Resistor, Selector or MOSFET has none)."""
    return isinstance(part, DeviceModel) and part.x in part.current_expr.free_symbols


def _split_state(cell, x):
    """``[(part, x_part), ...]`` of a cell (one pair, or two for a SeriesCell)."""
    if isinstance(cell, SeriesCell):
        parts = (cell.first, cell.second)
        for nm, p in zip(("first", "second"), parts):
            if not isinstance(p, (DeviceModel, Resistor)):
                raise NetlistError(f"SeriesCell part '{nm}' = {p!r} cannot be written to ngspice; allowed: a memlab "
                                   "DeviceModel or Resistor")
        if x is None or isinstance(x, tuple):
            xs = (None, None) if x is None else x
            if len(xs) != 2:
                raise ParameterError(f"parameter 'x' of a SeriesCell is a tuple of {len(xs)} states; expected "
                                     "(x_first, x_second)")
            return list(zip(parts, xs))
        stateful = [k for k, p in enumerate(parts) if _has_state(p)]
        if len(stateful) != 1:
            raise ParameterError(f"parameter 'x' is a single array but {len(stateful)} parts of {cell!r} have a "
                                 "state; pass a tuple (x_first, x_second), None for a part without state")
        return [(p, x if k == stateful[0] else None) for k, p in enumerate(parts)]
    if isinstance(cell, (DeviceModel, Resistor)):
        return [(cell, x)]
    raise NetlistError(f"parameter 'cell' = {cell!r} cannot be written to ngspice; allowed: None (linear), a memlab "
                       "DeviceModel, Resistor, or SeriesCell of those")


def _cols_hint(pairs, v_bl, r_row, r_col, r_sense):
    """Number of columns from whatever array carries it (states first), or None."""
    for _, xp in pairs:
        if xp is not None and np.ndim(xp) == 2:
            return np.shape(xp)[1]
    if v_bl is not None:
        return np.size(v_bl)
    if np.ndim(r_sense) == 1:
        return np.size(r_sense)
    if np.ndim(r_col) == 2:
        return np.shape(r_col)[1]
    if np.ndim(r_row) == 2:
        return np.shape(r_row)[1] + 1
    for p, _ in pairs:
        for val in (p.values.values() if isinstance(p, DeviceModel) else ()):
            if np.ndim(val) == 2:
                return np.shape(val)[1]
    return None


def _per_cell_models(model: DeviceModel, shape):
    """(rows, cols) nested list of single-device models, or None when every parameter is a scalar."""
    if not model.is_population:
        return None
    M, N = shape
    vals = {k: np.asarray(v, dtype=np.float64) for k, v in model.values.items() if np.ndim(v) > 0}
    pshape = np.broadcast_shapes(*(v.shape for v in vals.values()))
    out = {}
    for k, v in vals.items():
        if pshape == (M * N,):  # a population of rows*cols devices, row-major
            out[k] = np.broadcast_to(v, pshape).reshape(M, N)
            continue
        try:
            out[k] = np.broadcast_to(v, shape)
        except ValueError:
            raise ShapeError(f"parameter '{k}' of cell model {model.name!r} has shape {v.shape}; expected a shape "
                             f"broadcastable to {shape} or a population of {M * N} devices") from None
    return [[model.with_params(**{k: float(a[i, j]) for k, a in out.items()}) for j in range(N)] for i in range(M)]


def _part_writer(part, xp, shape, ref, where, tran=None):
    """(subcircuit or None, ``line(i, j, a, b)``) for one cell part between nodes a and b; with
    ``tran`` (see :func:`_netlist`) a moving device gets its stateful subcircuit."""
    if isinstance(part, Resistor):
        if xp is not None:
            raise ParameterError(f"parameter '{where}' must be None: Resistor({part.resistance}) has no state")
        r = _num(part.resistance)
        return None, lambda i, j, a, b: f"r{ref}{i}_{j} {a} {b} {r}"
    sub = subcircuit(part, static=tran is None)
    inst = {} if tran is None or sub.static else {"rate_max": tran.get("rate_max"), "t_edge": tran.get("t_edge")}
    models = _per_cell_models(part, shape)
    if xp is None:
        xs = np.full(shape, float(part.state.x0))
    else:
        try:
            xs = np.broadcast_to(np.asarray(xp, dtype=np.float64), shape)
        except ValueError:
            raise ShapeError(f"parameter '{where}' has shape {np.shape(xp)}; expected {shape}") from None
    bad = ~np.isfinite(xs)
    if bad.any():
        raise ParameterError(f"parameter '{where}' contains NaN or inf; allowed: finite values "
                             f"({part.state.unit})")

    def line(i, j, a, b):
        m = part if models is None else models[i][j]
        return sub.instance(f"{ref}{i}_{j}", a, b, model=m, x0=xs[i, j], **inst)
    return sub, line


def crossbar_netlist(x, v_in, *, cell=None, v_bl=None, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0,
                     title: str = "memlab crossbar", options: dict | None = None) -> str:
    """ngspice netlist text of a crossbar with ``.op`` (see the module docstring for the layout).

    Parameters
    ----------
    x : (rows, cols) array or None
        Cell conductance in S when ``cell`` is None; else the per-cell state of ``cell``
        (a tuple ``(x_first, x_second)`` for a :class:`~memlab.devices.SeriesCell`), None
        for state-less cells.
    v_in : (rows,) array
        Word-line driver voltages in V.
    cell : None, DeviceModel, Resistor or SeriesCell
        The cell (module docstring). Its state does not move during ``.op``.
    v_bl : (cols,) array, optional
        Bit-line sense source voltages in V (default 0 V).
    r_row, r_col, r_driver, r_sense : float or array
        Word-line segment (rows, cols-1), bit-line segment (rows-1, cols), driver (rows,)
        and sense (cols,) resistances in ohm; 0 is a short, ``inf`` an open circuit.
    title : str
        First (comment) line.
    options : dict, optional
        ngspice ``.options`` overriding the defaults (reltol 1e-9, abstol 1e-18 A,
        vntol 1e-12 V, gmin 1e-30 S).
    """
    return _netlist(x, v_in, cell=cell, v_bl=v_bl, r_row=r_row, r_col=r_col, r_driver=r_driver, r_sense=r_sense,
                    title=title, options=options)[0]


def _netlist(x, v_in, *, cell, v_bl, r_row, r_col, r_driver, r_sense, title, options, tran=None):
    """(netlist text, (rows, cols)) of :func:`crossbar_netlist`.

    ``tran`` (used by :mod:`memlab.circuits._crossbar_transient`): a dict with
    ``source(kind, k, node) -> line`` (kind "w"/"b": the source line of word/bit line
    ``k``), ``analysis`` (the line replacing ``.op``) and the subcircuits' ``rate_max`` /
    ``t_edge``; moving devices then get their stateful subcircuits."""
    pairs = [] if cell is None else _split_state(cell, x)
    if cell is None:
        G = as_conductance(x, "x")
        M, N = G.shape
    else:
        M = np.shape(v_in)[0] if np.ndim(v_in) else 0
        N = _cols_hint(pairs, v_bl, r_row, r_col, r_sense)
        if N is None:
            raise ShapeError("cannot tell the number of columns: the cell has no state array; pass 'v_bl' "
                             "or an array 'r_sense' of shape (cols,)")
    v, single = as_voltage(v_in, M, "v_in")
    if not single:
        raise ShapeError(f"parameter 'v_in' has shape {np.shape(v_in)}; expected ({M},): one input per netlist")
    v = v[:, 0]
    vb = np.zeros(N) if v_bl is None else as_voltage(v_bl, N, "v_bl")[0][:, 0]
    rr = as_resistance(r_row, (M, max(N - 1, 0)), "r_row")
    rc = as_resistance(r_col, (max(M - 1, 0), N), "r_col")
    rd = as_resistance(r_driver, (M,), "r_driver")
    rs = as_resistance(r_sense, (N,), "r_sense")
    opts = dict(_DEFAULT_OPTIONS)
    opts.update(options or {})

    roles = ["c"] if len(pairs) == 1 else ["ca", "cb"]
    where = ["x"] if len(pairs) == 1 else ["x[0]", "x[1]"]
    writers = [_part_writer(p, xp, (M, N), ref, wh, tran) for (p, xp), ref, wh in zip(pairs, roles, where)]
    src = (lambda kind, k, node, dc: f"{'vin' if kind == 'w' else 'vs'}{k} {node} 0 {dc}") if tran is None else \
        (lambda kind, k, node, dc: tran["source"](kind, k, node))
    lines = [f"* {title}: {M} x {N}"]
    seen = set()
    for sub, _ in writers:  # one definition per subcircuit; instances carry their own values
        if sub is not None and sub.name not in seen:
            seen.add(sub.name)
            lines.append(sub.text)
    shorts = itertools.count(1)

    def res(name, a, b, r):
        if np.isinf(r):
            return
        lines.append(f"vz{next(shorts)} {a} {b} dc 0" if r == 0 else f"{name} {a} {b} {_num(r)}")

    for i in range(M):
        if rd[i] == 0:
            lines.append(src("w", i, f"w_{i}_0", f"dc {_num(v[i])}"))
        elif np.isfinite(rd[i]):
            lines.append(src("w", i, f"in_{i}", f"dc {_num(v[i])}"))
            lines.append(f"rd{i} in_{i} w_{i}_0 {_num(rd[i])}")
    segments = [(f"rw{i}_{j}", f"w_{i}_{j}", f"w_{i}_{j + 1}", rr[i, j]) for i in range(M) for j in range(N - 1)]
    segments += [(f"rb{i}_{j}", f"b_{i}_{j}", f"b_{i + 1}_{j}", rc[i, j]) for i in range(M - 1) for j in range(N)]
    for seg in segments:
        res(*seg)
    for j in range(N):
        dc = f"dc {_num(vb[j])}" if vb[j] else "dc 0"
        if rs[j] == 0:
            lines.append(src("b", j, f"b_{M - 1}_{j}", dc))
        elif np.isfinite(rs[j]):
            lines.append(f"rs{j} b_{M - 1}_{j} s_{j} {_num(rs[j])}")
            lines.append(src("b", j, f"s_{j}", dc))
    for i in range(M):
        for j in range(N):
            w, b = f"w_{i}_{j}", f"b_{i}_{j}"
            if cell is None:
                if G[i, j] > 0:
                    lines.append(f"rc{i}_{j} {w} {b} {_num(1.0 / G[i, j])}")
            elif len(writers) == 1:
                lines.append(writers[0][1](i, j, w, b))
            else:
                lines.append(writers[0][1](i, j, w, f"m_{i}_{j}"))
                lines.append(writers[1][1](i, j, f"m_{i}_{j}", b))
    lines.append(".options " + " ".join(f"{k}={_num(val) if isinstance(val, float) else val}"
                                        for k, val in opts.items()))
    lines.append(".op" if tran is None else tran["analysis"])
    lines.append(".end")
    return "\n".join(lines) + "\n", (M, N)


@dataclass(frozen=True)
class CrossbarOp:
    """ngspice ``.op`` result of a crossbar netlist (SI units).

    ``v_word``/``v_bit`` (rows, cols) node voltages (V); ``v_mid`` (rows, cols) internal
    node voltages of series cells (V; None otherwise); ``i_out`` (cols,) sense currents
    (A, into the amplifier); ``i_in`` (rows,) driver currents (A, out of the source);
    ``nodes``/``branches`` every raw vector by (lower-case) name; ``wall_time`` in s
    (load and run); ``log`` ngspice's last messages; ``netlist`` the text that ran.
    """

    v_word: np.ndarray
    v_bit: np.ndarray
    v_mid: np.ndarray | None
    i_out: np.ndarray
    i_in: np.ndarray
    nodes: dict
    branches: dict
    wall_time: float
    log: str
    netlist: str


def simulate_crossbar_op(x, v_in, *, cell=None, v_bl=None, r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0,
                         title: str = "memlab crossbar", options: dict | None = None,
                         timeout: float | None = None) -> CrossbarOp:
    """Write the crossbar netlist (same arguments as :func:`crossbar_netlist`), run ``.op`` in
    ngspice (:func:`~memlab.circuits.get_runner`) and return the node voltages and port
    currents as arrays (:class:`CrossbarOp`).

    ``timeout`` (s, optional): halt ngspice after this wall time and raise ConvergenceError
    naming it; Ctrl-C halts it too (KeyboardInterrupt)."""
    timeout = check_timeout(timeout, "simulate_crossbar_op")
    text, (M, N) = _netlist(x, v_in, cell=cell, v_bl=v_bl, r_row=r_row, r_col=r_col, r_driver=r_driver,
                            r_sense=r_sense, title=title, options=options)
    t0 = time.perf_counter()
    res = get_runner().run(text, what=f"crossbar {M}x{N} .op", timeout=timeout)
    wall = time.perf_counter() - t0
    log = "\n".join(res.messages)
    nodes = {k: float(a[0]) for k, a in res.vectors.items() if not k.endswith("#branch") and a.size}
    branches = {k[:-7]: float(a[0]) for k, a in res.vectors.items() if k.endswith("#branch") and a.size}

    def grid(prefix):
        return np.array([[nodes.get(f"{prefix}_{i}_{j}", np.nan) for j in range(N)] for i in range(M)])

    v_word, v_bit = grid("w"), grid("b")
    v_mid = grid("m") if isinstance(cell, SeriesCell) else None
    if np.isnan(v_word).any() or np.isnan(v_bit).any() or (v_mid is not None and np.isnan(v_mid).any()):
        raise ConvergenceError("ngspice returned no value for some crossbar nodes (floating sub-network?)", log=log)
    # ngspice's branch current of a voltage source flows from its + node through the source
    i_out = np.array([branches.get(f"vs{j}", 0.0) for j in range(N)])
    i_in = np.array([-branches.get(f"vin{i}", 0.0) for i in range(M)])
    return CrossbarOp(v_word=v_word, v_bit=v_bit, v_mid=v_mid, i_out=i_out, i_in=i_in, nodes=nodes,
                      branches=branches, wall_time=wall, log=log, netlist=text)
