"""Parameter and state declarations for device models.

A :class:`Param` carries its value (SI), unit, allowed range and the source of its
default. Values may be scalars or arrays (a population of devices).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from memlab.errors import ParameterError

__all__ = ["Param", "StateVar", "check_value"]


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes
    ----------
    name : str
        Symbol name, used as keyword argument and in SPICE/LaTeX output.
    value : float
        Default value in SI units.
    unit : str
        SI unit (``"ohm"``, ``"V"``, ``"m/s"``, ``"1"`` for dimensionless ...).
    lo, hi : float
        Allowed range; ``lo_open``/``hi_open`` make an end exclusive.
    source : str
        Where the default comes from (paper, table, repository file).
    doc : str
        One-line meaning.
    log : bool
        True when the parameter spans decades (fitting works on its logarithm).
    integer : bool
        True when only integer values are allowed (window exponents).
    """

    name: str
    value: float
    unit: str
    lo: float = -math.inf
    hi: float = math.inf
    source: str = ""
    doc: str = ""
    lo_open: bool = False
    hi_open: bool = False
    log: bool = False
    integer: bool = False

    @property
    def allowed(self) -> str:
        """The allowed range as text, e.g. ``(0, inf) ohm``."""
        left = "(" if self.lo_open or math.isinf(self.lo) else "["
        right = ")" if self.hi_open or math.isinf(self.hi) else "]"
        extra = ", integer" if self.integer else ""
        return f"{left}{self.lo:g}, {self.hi:g}{right} {self.unit}{extra}"

    def with_value(self, value) -> "Param":
        return replace(self, value=value)


def check_value(p: Param, value, where: str = ""):
    """Validate ``value`` (scalar or array) against ``p``; return float or float ndarray.

    Raises :class:`ParameterError` naming the parameter, the offending value and the
    allowed range for NaN, infinities outside the range, out-of-range or non-integer values.
    """
    arr = np.asarray(value, dtype=float)
    prefix = f"{where}: " if where else ""
    if arr.size == 0:
        raise ParameterError(f"{prefix}parameter '{p.name}' is an empty array; give a value in {p.allowed}")
    bad = ~np.isfinite(arr) if (math.isfinite(p.lo) and math.isfinite(p.hi)) else np.isnan(arr)
    lo_bad = arr <= p.lo if p.lo_open else arr < p.lo
    hi_bad = arr >= p.hi if p.hi_open else arr > p.hi
    bad = bad | lo_bad | hi_bad
    if p.integer:
        bad = bad | (np.round(arr) != arr)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        raise ParameterError(f"{prefix}parameter '{p.name}' = {first!r} is outside the allowed range "
                             f"{p.allowed}")
    return float(arr) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class StateVar:
    """The internal state variable of a model.

    Attributes
    ----------
    name : str
        Symbol name (``x``, ``w``, ``g`` ...).
    lo, hi : float
        Physical bounds; the integrators keep the state inside them.
    unit : str
        SI unit of the state.
    x0 : float
        Default initial state.
    doc : str
        Meaning of the state.
    """

    name: str
    lo: float
    hi: float
    unit: str
    x0: float
    doc: str = ""

    @property
    def allowed(self) -> str:
        return f"[{self.lo:g}, {self.hi:g}] {self.unit}"
