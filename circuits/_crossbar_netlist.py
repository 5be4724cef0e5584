"""Crossbar netlists for ngspice, run through PySpice's shared library, results as numpy arrays.

Node names (ngspice lower-cases them): ``w_i_j`` word line ``i`` at column ``j``, ``b_i_j``
bit line ``j`` at row ``i``, ``m_i_j`` internal node of a series (1S1R/1T1R) cell, ``in_i``
driver source node, ``s_j`` sense node. Sources: ``vin<i>`` drives word line ``i``; ``vs<j>``
is a 0 V source to ground that models the virtual-ground sense amplifier and measures its
current. Elements: ``rd<i>`` driver, ``rw<i>_<j>`` word-line segment between columns j and
j+1, ``rb<i>_<j>`` bit-line segment between rows i and i+1, ``rs<j>`` sense resistor, and per
cell ``rc<i>_<j>`` (linear) or ``bc<i>_<j>`` (B-source; ``ba``/``bb`` for the two halves of
a series cell). A zero resistance is written as a 0 V source, an infinite one is left out.

The text uses ``"\\n"`` line endings only (house style §7.3), so it can be string-tested
without ngspice. :func:`run_op` runs ``.op`` and returns a :class:`CrossbarOp`.
"""
from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

import numpy as np

from memlab.errors import ConvergenceError, NetlistError, ParameterError, ShapeError, SimulatorNotFoundError

__all__ = ["crossbar_netlist", "run_op", "simulate_crossbar_op", "CrossbarOp"]

_DEFAULT_OPTIONS = {"reltol": 1e-9, "abstol": 1e-18, "vntol": 1e-12, "itl1": 500, "gmin": 1e-30}


def _num(x: float) -> str:
    return repr(float(x))


def _broadcast(r, shape, name):
    a = np.array(r, dtype=np.float64)
    try:
        a = np.broadcast_to(a, shape)
    except ValueError:
        raise ShapeError(f"parameter '{name}' has shape {np.shape(r)}; expected a scalar or {shape}") from None
    if np.isnan(a).any() or (a < 0).any():
        raise ParameterError(f"parameter '{name}' has a NaN or negative value; allowed: [0, inf] ohm")
    return a


_TEMPLATES: dict = {}


def _device_template(model) -> str:
    """ngspice text of a DeviceModel's current i(v, x) with placeholders VCELL and XCELL.

    Parameters are substituted by value; the state stays symbolic (one template per model).
    """
    key = id(model)
    if key in _TEMPLATES and _TEMPLATES[key][0] is model:
        return _TEMPLATES[key][1]
    import sympy as sp
    from sympy.printing.c import ccode

    vals = model.values
    if any(np.ndim(val) for val in vals.values()):
        raise NetlistError(f"cell model {model!r} has array-valued parameters; the crossbar netlist needs one "
                           "parameter set (per-cell variation goes into the state)")
    subs = {model.symbols[k]: sp.Float(float(val), 17) for k, val in vals.items()}
    subs[model.v] = sp.Symbol("VCELL")
    subs[model.x] = sp.Symbol("XCELL")
    expr = model.current_expr.xreplace(subs)
    text = ccode(expr).replace("fabs(", "abs(")
    _TEMPLATES[key] = (model, text)
    return text


def _cell_text(cell, x, vexpr):
    if hasattr(cell, "spice_current"):
        return cell.spice_current(vexpr, x)
    if hasattr(cell, "current_expr") and hasattr(cell, "symbols"):
        xv = 0.0 if x is None else float(x)
        return _device_template(cell).replace("VCELL", f"({vexpr})").replace("XCELL", f"({_num(xv)})")
    raise NetlistError(f"cell {cell!r} has neither spice_current(vexpr, x) nor sympy equations; it cannot be "
                       "written to ngspice")


def crossbar_netlist(crossbar_or_g, v_in, *, v_bl=None, r_row=None, r_col=None, r_driver=None, r_sense=None,
                     cell=None, state=None, title: str = "memlab crossbar", options: dict | None = None) -> str:
    """ngspice netlist text of a crossbar with ``.op``.

    ``crossbar_or_g``: a :class:`memlab.arrays.Crossbar` (its resistances and cell are used)
    or a (rows, cols) conductance array in S together with ``r_row``, ``r_col``, ``r_driver``,
    ``r_sense`` (ohm) and optional nonlinear ``cell``/``state``. ``v_in`` (V), shape (rows,);
    ``v_bl`` (V), shape (cols,): voltage of each bit line's sense source (default 0 V).
    """
    if hasattr(crossbar_or_g, "topo") and hasattr(crossbar_or_g, "G"):
        xb = crossbar_or_g
        G, rr, rc, rd, rs = xb.G, xb.r_row, xb.r_col, xb.r_driver, xb.r_sense
        cell = xb.cell if cell is None else cell
        state = xb.state if state is None else state
    else:
        G = np.array(crossbar_or_g, dtype=np.float64)
        if G.ndim != 2:
            raise ShapeError(f"parameter 'conductance' must be 2-D (rows, cols), got shape {G.shape}")
        if (~np.isfinite(G) | (G < 0)).any():
            raise ParameterError("parameter 'conductance' has a NaN, inf or negative value; allowed: [0, inf) S")
        M, N = G.shape
        rr = _broadcast(0.0 if r_row is None else r_row, (M, max(N - 1, 0)), "r_row")
        rc = _broadcast(0.0 if r_col is None else r_col, (max(M - 1, 0), N), "r_col")
        rd = _broadcast(0.0 if r_driver is None else r_driver, (M,), "r_driver")
        rs = _broadcast(0.0 if r_sense is None else r_sense, (N,), "r_sense")
        if cell is not None and state is None:
            state = G
    M, N = G.shape
    v = np.array(v_in, dtype=np.float64)
    if v.shape != (M,):
        raise ShapeError(f"parameter 'v_in' has shape {v.shape}; expected ({M},) for one input")
    if not np.all(np.isfinite(v)):
        raise ParameterError("parameter 'v_in' contains NaN or inf; allowed: finite volts")
    vb = np.zeros(N) if v_bl is None else np.array(v_bl, dtype=np.float64)
    if vb.shape != (N,) or not np.all(np.isfinite(vb)):
        raise ShapeError(f"parameter 'v_bl' must be {N} finite volts, got shape {vb.shape}")
    opts = dict(_DEFAULT_OPTIONS)
    if options:
        opts.update(options)
    lines = [f"* {title}: {M} x {N}"]
    nshort = [0]

    def res(name, a, b, r):
        if np.isinf(r):
            return
        if r == 0:
            nshort[0] += 1
            lines.append(f"vz{nshort[0]} {a} {b} dc 0")
        else:
            lines.append(f"{name} {a} {b} {_num(r)}")

    for i in range(M):
        if rd[i] == 0:
            lines.append(f"vin{i} w_{i}_0 0 dc {_num(v[i])}")
        elif np.isfinite(rd[i]):
            lines.append(f"vin{i} in_{i} 0 dc {_num(v[i])}")
            lines.append(f"rd{i} in_{i} w_{i}_0 {_num(rd[i])}")
    for i in range(M):
        for j in range(N - 1):
            res(f"rw{i}_{j}", f"w_{i}_{j}", f"w_{i}_{j + 1}", rr[i, j])
    for i in range(M - 1):
        for j in range(N):
            res(f"rb{i}_{j}", f"b_{i}_{j}", f"b_{i + 1}_{j}", rc[i, j])
    for j in range(N):
        if rs[j] == 0:
            lines.append(f"vs{j} b_{M - 1}_{j} 0 dc {_num(vb[j]) if vb[j] else 0}")
        elif np.isfinite(rs[j]):
            lines.append(f"rs{j} b_{M - 1}_{j} s_{j} {_num(rs[j])}")
            lines.append(f"vs{j} s_{j} 0 dc {_num(vb[j]) if vb[j] else 0}")
    for i in range(M):
        for j in range(N):
            w, b = f"w_{i}_{j}", f"b_{i}_{j}"
            if cell is None:
                if G[i, j] > 0:
                    lines.append(f"rc{i}_{j} {w} {b} {_num(1.0 / G[i, j])}")
                continue
            x = None if state is None else float(np.asarray(state)[i, j])
            if hasattr(cell, "first") and hasattr(cell, "second"):
                m = f"m_{i}_{j}"
                lines.append(f"ba{i}_{j} {w} {m} i={_cell_text(cell.first, x, f'v({w},{m})')}")
                lines.append(f"bb{i}_{j} {m} {b} i={_cell_text(cell.second, x, f'v({m},{b})')}")
            else:
                lines.append(f"bc{i}_{j} {w} {b} i={_cell_text(cell, x, f'v({w},{b})')}")
    lines.append(".options " + " ".join(f"{k}={_num(val) if isinstance(val, float) else val}"
                                        for k, val in opts.items()))
    lines.append(".op")
    lines.append(".end")
    return "\n".join(lines) + "\n"


@dataclass
class CrossbarOp:
    """ngspice ``.op`` result of a crossbar netlist (SI units).

    ``v_word``/``v_bit`` (rows, cols) node voltages (V); ``i_out`` (cols,) sense currents (A,
    into the amplifier); ``i_in`` (rows,) driver currents (A, out of the source);
    ``nodes``/``branches`` every raw vector by (lower-case) name; ``wall_time`` in s.
    """

    v_word: np.ndarray
    v_bit: np.ndarray
    i_out: np.ndarray
    i_in: np.ndarray
    nodes: dict
    branches: dict
    wall_time: float
    log: str


@contextlib.contextmanager
def _quiet_pyspice():
    """Silence PySpice's logging (version warning, ngspice stderr echo) for the duration only."""
    lg = logging.getLogger("PySpice")
    old = lg.level
    lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        lg.setLevel(old)


def _ngspice():
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared
    except Exception as exc:  # pragma: no cover - depends on the machine
        raise SimulatorNotFoundError(f"PySpice is not importable ({exc}); run `make setup`") from exc
    try:
        return NgSpiceShared.new_instance()
    except Exception as exc:  # pragma: no cover
        raise SimulatorNotFoundError(f"ngspice shared library not found ({exc}); install it with `make setup` "
                                     "(Debian packages ngspice, libngspice0, libngspice0-dev)") from exc


def run_op(netlist: str) -> tuple[dict, dict, float, str]:
    """Run an ``.op`` netlist in ngspice; returns (node voltages, branch currents, wall time, log)."""
    with _quiet_pyspice():
        ng = _ngspice()
        t0 = time.perf_counter()
        try:
            ng.load_circuit(netlist)
            ng.run()
        except Exception as exc:
            log = "\n".join(ng.stdout.splitlines()[-20:] + ng.stderr.splitlines()[-20:]) if hasattr(ng, "stdout") \
                else ""
            raise NetlistError(f"ngspice rejected the crossbar netlist: {exc}\n{log}") from exc
        wall = time.perf_counter() - t0
        log = ng.stdout + "\n" + ng.stderr
        plot = ng.last_plot
        if not plot.startswith("op"):
            raise ConvergenceError(f"ngspice .op did not converge (last plot {plot!r});\n" +
                                   "\n".join(log.splitlines()[-20:]), log=log)
        vecs = ng.plot(None, plot)
        nodes, branches = {}, {}
        for name, vec in vecs.items():
            data = np.array(vec._data, dtype=np.float64)
            val = float(data[0]) if data.size else float("nan")
            lname = name.lower()
            if lname.endswith("#branch"):
                branches[lname[:-7]] = val
            else:
                nodes[lname[2:-1] if lname.startswith("v(") else lname] = val
        try:
            ng.destroy()
            ng.remove_circuit()
        except Exception:
            pass
    return nodes, branches, wall, log


def simulate_crossbar_op(crossbar_or_g, v_in, **kwargs) -> CrossbarOp:
    """Write the crossbar netlist (see :func:`crossbar_netlist`), run ``.op``, parse into arrays."""
    text = crossbar_netlist(crossbar_or_g, v_in, **kwargs)
    G = crossbar_or_g.G if hasattr(crossbar_or_g, "G") else np.asarray(crossbar_or_g)
    M, N = G.shape
    nodes, branches, wall, log = run_op(text)

    def node(name):
        return nodes.get(name, 0.0 if name == "0" else np.nan)

    v_word = np.array([[node(f"w_{i}_{j}") for j in range(N)] for i in range(M)])
    v_bit = np.array([[node(f"b_{i}_{j}") for j in range(N)] for i in range(M)])
    # ngspice's branch current of a voltage source flows from its + node through the source
    i_out = np.array([branches.get(f"vs{j}", 0.0) for j in range(N)])
    i_in = np.array([-branches.get(f"vin{i}", 0.0) for i in range(M)])
    bad = np.isnan(v_word) | np.isnan(v_bit)
    if bad.any():
        raise ConvergenceError("ngspice returned no value for some crossbar nodes (floating sub-network?)",
                               log=log)
    return CrossbarOp(v_word=v_word, v_bit=v_bit, i_out=i_out, i_in=i_in, nodes=nodes, branches=branches,
                      wall_time=wall, log=log)
