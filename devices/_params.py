"""Parameter and state declarations for device models.

A :class:`Param` carries its value (SI), unit, allowed range and the source of its
default. Values may be scalars or arrays (a population of devices).

Units are checked when a :class:`Param` or :class:`StateVar` is declared: the unit must be
a product or quotient of unprefixed SI units (:data:`SI_UNITS`), e.g. ``"ohm"``,
``"m^2/(V s)"``, ``"1/V"``, ``"1"`` for dimensionless; anything else (``"nm"``, ``"kohm"``,
``"uA"``, a typo) raises :class:`~memlab.errors.UnitError`, since every value is stored
and used in SI.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from memlab.errors import ParameterError, UnitError

__all__ = ["Param", "StateVar", "check_value", "check_unit", "SI_UNITS"]

#: unit symbols allowed in declarations: SI base and derived units (ohm for the ohm sign),
#: the electronvolt (accepted for use with the SI) and "1" for dimensionless
SI_UNITS = frozenset({"m", "kg", "s", "A", "K", "mol", "cd", "Hz", "N", "Pa", "J", "W", "C", "V", "F", "ohm", "S",
                      "Wb", "T", "H", "eV", "rad", "1"})
_TOKEN = re.compile(r"\s*(?:([A-Za-z]+)|(\d+)|(\^-?\d+)|([*/()])|(\S))")


def check_unit(unit: str, where: str) -> str:
    """Check that ``unit`` is a product/quotient of :data:`SI_UNITS` and return it.

    Grammar: factors separated by spaces or ``*`` (product) and ``/`` (quotient), each a
    unit symbol or parenthesised group, optionally with an integer power ``^n``; ``1``
    stands for dimensionless (``"1"``, ``"1/V"``). Raises :class:`UnitError` naming
    ``where``, the unit and what is allowed.
    """
    def fail(why):
        return UnitError(f"{where}: unit {unit!r} is not an SI unit ({why}); allowed: products and quotients of "
                         f"{sorted(SI_UNITS)} with integer powers, e.g. 'm^2/(V s)', unprefixed (values are SI)")

    if not isinstance(unit, str) or not unit.strip():
        raise fail("empty")
    toks = []
    for m in _TOKEN.finditer(unit):
        sym, num, power, op, bad = m.groups()
        if bad is not None:
            raise fail(f"unexpected {bad!r}")
        if sym is not None and sym not in SI_UNITS:
            raise fail(f"unknown symbol {sym!r}")
        if num is not None and num != "1":
            raise fail(f"number {num!r}")
        toks.append(sym or num or power or op)
    depth, prev = 0, None            # prev: None, "operand" (unit, ")", power) or an operator
    for t in toks:
        operand_end = prev not in (None, "*", "/", "(")
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
            if depth < 0 or not operand_end:
                raise fail("unbalanced parentheses")
        elif t in "*/" or t.startswith("^"):
            if not operand_end:
                raise fail(f"misplaced {t!r}")
        prev = t if t in "*/(" else "operand"
    if depth != 0 or prev in ("*", "/", "("):
        raise fail("incomplete expression")
    return unit


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
        SI unit (``"ohm"``, ``"V"``, ``"m/s"``, ``"1"`` for dimensionless ...), checked at
        declaration (:func:`check_unit`; :class:`~memlab.errors.UnitError` otherwise).
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

    def __post_init__(self):
        check_unit(self.unit, f"Param {self.name!r}")

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

    def __post_init__(self):
        check_unit(self.unit, f"StateVar {self.name!r}")

    @property
    def allowed(self) -> str:
        return f"[{self.lo:g}, {self.hi:g}] {self.unit}"
