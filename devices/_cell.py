"""The cell protocol shared by memlab.circuits and memlab.arrays: series cells (1S1R, 1T1R) and a plain resistor.

A cell exposes ``current(v, x)`` (A) and ``di_dv(v, x)`` (S) for cell voltage ``v`` (V,
word line minus bit line) and per-cell state ``x`` (broadcastable to ``v``). Any
:class:`memlab.devices.DeviceModel` qualifies (e.g. ``SinhConductance`` with ``x = g``,
``Selector``); its state does not move during a read. For ngspice validation netlists a
cell either has sympy equations (DeviceModel) or ``spice_current(vexpr, x)``.

- :class:`Resistor`: state-less linear resistor (e.g. a 1T1R access transistor's on-resistance).
- :class:`SeriesCell`: two of the above in series (1S1R: selector + device; 1T1R: device +
  on-resistance); the internal node voltage is solved per cell (vectorised safeguarded Newton).
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ConvergenceError

from memlab._validate import positive_float

__all__ = ["Resistor", "SeriesCell"]


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


def _call(part, name, v, x):
    fn = getattr(part, name)
    if getattr(part, "stateless", False):
        return np.broadcast_to(fn(v, None), np.shape(v))
    return np.broadcast_to(fn(v, x), np.shape(v))


class SeriesCell:
    """Series connection ``first`` (word-line side) -> internal node -> ``second`` (bit-line side).

    Both parts must have increasing I-V curves through the origin. ``x`` is passed to every
    part that is not state-less. The internal voltage is found per cell to ``vtol`` (V).
    """

    def __init__(self, first, second, *, vtol: float = 1e-13, maxiter: int = 200):
        for nm, p in (("first", first), ("second", second)):
            if not (hasattr(p, "current") and hasattr(p, "di_dv")):
                from memlab.errors import ParameterError
                raise ParameterError(f"parameter '{nm}' = {p!r} must expose current(v, x) and di_dv(v, x)")
        self.first = first
        self.second = second
        self.vtol = vtol
        self.maxiter = maxiter

    def split(self, v, x):
        """Voltage across ``first`` (V) such that both parts carry the same current."""
        v = np.asarray(v, dtype=np.float64)
        xb = np.broadcast_to(x, v.shape) if x is not None else None
        lo = np.minimum(v, 0.0)
        hi = np.maximum(v, 0.0)
        # start from the linear (small-signal) divider
        g1 = _call(self.first, "di_dv", np.zeros_like(v), xb)
        g2 = _call(self.second, "di_dv", np.zeros_like(v), xb)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(g1 + g2 > 0, v * g2 / (g1 + g2), 0.5 * v)
        for _ in range(self.maxiter):
            with np.errstate(over="ignore", invalid="ignore"):
                h = _call(self.first, "current", s, xb) - _call(self.second, "current", v - s, xb)
                dh = _call(self.first, "di_dv", s, xb) + _call(self.second, "di_dv", v - s, xb)
            # h increases with s: keep a bracket and bisect when Newton leaves it
            lo = np.where(h < 0, s, lo)
            hi = np.where(h > 0, s, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                sn = s - h / dh
            bad = ~np.isfinite(sn) | (sn <= lo) | (sn >= hi)
            sn = np.where(bad, 0.5 * (lo + hi), sn)
            done = (np.abs(sn - s) <= self.vtol) | (hi - lo <= self.vtol) | (h == 0)
            s = sn
            if done.all():
                return s
        raise ConvergenceError(f"SeriesCell: internal node voltage did not converge to {self.vtol:g} V in "
                               f"{self.maxiter} iterations", iterations=self.maxiter)

    def current(self, v, x):
        s = self.split(v, x)
        xb = np.broadcast_to(x, np.shape(v)) if x is not None else None
        return _call(self.first, "current", s, xb)

    def di_dv(self, v, x):
        s = self.split(v, x)
        xb = np.broadcast_to(x, np.shape(v)) if x is not None else None
        g1 = _call(self.first, "di_dv", s, xb)
        g2 = _call(self.second, "di_dv", np.asarray(v) - s, xb)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(g1 + g2 > 0, g1 * g2 / (g1 + g2), 0.0)
        return g

    def __repr__(self):
        return f"SeriesCell({self.first!r}, {self.second!r})"
