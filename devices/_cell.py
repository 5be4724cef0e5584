"""The cell protocol shared by memlab.circuits and memlab.arrays: series cells (1S1R, 1T1R) and a plain resistor.

A cell exposes ``current(v, x)`` (A) and ``di_dv(v, x)`` (S) for cell voltage ``v`` (V,
word line minus bit line) and per-cell state ``x`` (broadcastable to ``v``). Any
:class:`memlab.devices.DeviceModel` qualifies (e.g. ``SinhConductance`` with ``x = g``,
``Selector``); its state does not move during a read. Its parameters may be arrays (one
value per cell): a crossbar accepts any shape broadcastable to (rows, cols), or a
population of exactly ``rows * cols`` devices in row-major order. For ngspice validation
netlists a cell either has sympy equations (DeviceModel) or ``spice_current(vexpr, x)``.

- :class:`Resistor`: state-less linear resistor (e.g. a 1T1R access transistor's on-resistance).
- :class:`SeriesCell`: two of the above in series (1S1R: selector + device; 1T1R: device +
  on-resistance); each part has its own state, the internal node voltage is solved per
  cell by :func:`series_split` (vectorised safeguarded Newton).
- :func:`has_state`: whether a part's current depends on its state.
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ConvergenceError, ParameterError

from memlab._validate import positive_float, positive_int

__all__ = ["Resistor", "SeriesCell", "has_state", "series_split"]


def _f(x: float) -> str:
    return repr(float(x))


class Resistor:
    """State-less linear resistor of ``resistance`` ohm (e.g. transistor on-resistance)."""

    stateless = True

    def __init__(self, resistance: float):
        self.resistance = positive_float(resistance, "resistance")

    def current(self, v, x=None):
        return np.asarray(v) / self.resistance

    def di_dv(self, v, x=None):
        return np.full(np.shape(v), 1.0 / self.resistance)

    def spice_current(self, vexpr: str, x=None) -> str:
        return f"({vexpr})/{_f(self.resistance)}"

    def __repr__(self):
        return f"Resistor({self.resistance})"


def has_state(part) -> bool:
    """True when the current of ``part`` depends on its state ``x``.

    False for parts marked ``stateless = True`` (:class:`Resistor`) and for a
    :class:`~memlab.devices.DeviceModel` whose current expression has no state symbol
    (e.g. ``Selector``, whose state is a dummy); a :class:`SeriesCell` has state when
    either part has. Other cells are assumed to have state.
    """
    if getattr(part, "stateless", False):
        return False
    if isinstance(part, SeriesCell):
        return has_state(part.first) or has_state(part.second)
    expr = getattr(part, "current_expr", None)
    if expr is not None and hasattr(part, "x"):
        return part.x in expr.free_symbols
    return True


def _call(part, name, v, x):
    """``part.<name>(v, x)`` broadcast to ``v``'s shape; state-less parts get a dummy state."""
    if x is None:
        x = None if getattr(part, "stateless", False) else 0.0
    return np.broadcast_to(getattr(part, name)(v, x), np.shape(v))


def series_split(first, second, v, x_first=None, x_second=None, *, vtol: float = 1e-13, maxiter: int = 200):
    """Voltage (V) across ``first`` of two parts in series carrying the same current.

    ``first`` joins the word-line side to the internal node, ``second`` the internal node
    to the bit-line side; both must have increasing I-V curves through the origin. ``v``
    (V) is the voltage across the pair; ``x_first``/``x_second`` the parts' states (None
    for a state-less part), broadcastable to ``v``. Safeguarded Newton on
    ``h(s) = i_first(s) - i_second(v - s)`` (increasing in ``s``): the root stays bracketed
    in ``[min(v, 0), max(v, 0)]`` and a step leaving the bracket is replaced by bisection.
    Stops when every step or bracket is below ``vtol`` (V); raises
    :class:`~memlab.errors.ConvergenceError` after ``maxiter`` iterations.
    """
    v = np.asarray(v, dtype=np.float64)
    lo = np.minimum(v, 0.0)
    hi = np.maximum(v, 0.0)
    # start from the linear (small-signal) divider
    g1 = _call(first, "di_dv", np.zeros_like(v), x_first)
    g2 = _call(second, "di_dv", np.zeros_like(v), x_second)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(g1 + g2 > 0, v * g2 / (g1 + g2), 0.5 * v)
    for _ in range(maxiter):
        with np.errstate(over="ignore", invalid="ignore"):
            h = _call(first, "current", s, x_first) - _call(second, "current", v - s, x_second)
            dh = _call(first, "di_dv", s, x_first) + _call(second, "di_dv", v - s, x_second)
        # h increases with s: keep a bracket and bisect when Newton leaves it
        lo = np.where(h < 0, s, lo)
        hi = np.where(h > 0, s, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            sn = s - h / dh
        # a Newton step below vtol from a root on the bracket's edge is converged, not a reason to bisect
        bad = (~np.isfinite(sn) | (sn <= lo) | (sn >= hi)) & ~(np.abs(sn - s) <= vtol)
        sn = np.where(bad, 0.5 * (lo + hi), sn)
        sn = np.where(h == 0, s, sn)          # an exact root stays (it may sit on the bracket's edge)
        done = (np.abs(sn - s) <= vtol) | (hi - lo <= vtol) | (h == 0)
        s = sn
        if done.all():
            return s
    raise ConvergenceError(f"series cell: internal node voltage did not converge to {vtol:g} V in "
                           f"{maxiter} iterations", iterations=maxiter)


class SeriesCell:
    """Series connection ``first`` (word-line side) -> internal node -> ``second`` (bit-line side).

    Both parts must have increasing I-V curves through the origin. The state of a series
    cell is a tuple ``(x_first, x_second)``, one state per part (None for a state-less
    part, see :func:`has_state`); a single array is accepted when exactly one part has
    state, and goes to that part. The internal voltage is found per cell to ``vtol`` (V) in
    at most ``maxiter`` iterations (:func:`series_split`).
    """

    def __init__(self, first, second, *, vtol: float = 1e-13, maxiter: int = 200):
        for nm, p in (("first", first), ("second", second)):
            if not (hasattr(p, "current") and hasattr(p, "di_dv")):
                raise ParameterError(f"parameter '{nm}' = {p!r} must expose current(v, x) and di_dv(v, x)")
        self.first = first
        self.second = second
        self.vtol = positive_float(vtol, "vtol")
        self.maxiter = positive_int(maxiter, "maxiter")

    def part_states(self, x) -> tuple:
        """``(x_first, x_second)`` from a state tuple, or from one array for the one stateful part."""
        if isinstance(x, tuple):
            if len(x) != 2:
                raise ParameterError(f"SeriesCell state is a tuple (x_first, x_second); got {len(x)} items")
            return x
        has = (has_state(self.first), has_state(self.second))
        if x is None or not any(has):
            return (None, None)
        if all(has):
            raise ParameterError(f"{self!r}: both parts have state, so the state must be a tuple "
                                 "(x_first, x_second); got one array")
        return (x, None) if has[0] else (None, x)

    def split(self, v, x):
        """Voltage across ``first`` (V) such that both parts carry the same current."""
        x1, x2 = self.part_states(x)
        return series_split(self.first, self.second, v, x1, x2, vtol=self.vtol, maxiter=self.maxiter)

    def current(self, v, x):
        x1, _ = self.part_states(x)
        s = self.split(v, x)
        return np.array(_call(self.first, "current", s, x1))

    def di_dv(self, v, x):
        x1, x2 = self.part_states(x)
        s = self.split(v, x)
        g1 = _call(self.first, "di_dv", s, x1)
        g2 = _call(self.second, "di_dv", np.asarray(v) - s, x2)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(g1 + g2 > 0, g1 * g2 / (g1 + g2), 0.0)
        return g

    def __repr__(self):
        return f"SeriesCell({self.first!r}, {self.second!r})"
