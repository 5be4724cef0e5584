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
import functools
import re
from dataclasses import dataclass, replace


from memlab._validate import interval_text, real
from memlab.errors import UnitError

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
    why = _unit_problem(unit) if isinstance(unit, str) else "not a string"
    if why:
        raise UnitError(f"{where}: unit {unit!r} is not an SI unit ({why}); allowed: products and quotients of "
                        f"{sorted(SI_UNITS)} with integer powers, e.g. 'm^2/(V s)', unprefixed (values are SI)")
    return unit


@functools.lru_cache(maxsize=512)
def _unit_problem(unit: str) -> str:
    """Why ``unit`` is not an SI unit expression, or "" (a pure function of the string:
    cached, since every model construction declares its parameters again)."""
    def fail(why):
        return _UnitProblem(why)

    try:
        _parse_unit(unit, fail)
    except _UnitProblem as p:
        return str(p)
    return ""


class _UnitProblem(Exception):
    pass


def _parse_unit(unit: str, fail) -> None:
    if not unit.strip():
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
        """The allowed range as text, e.g. ``(0, inf) ohm`` (:func:`memlab._validate.interval_text`)."""
        return interval_text(self.lo, self.hi, lo_open=self.lo_open, hi_open=self.hi_open, unit=self.unit,
                             integer=self.integer)

    def with_value(self, value) -> "Param":
        return replace(self, value=value)


def check_value(p: Param, value, where: str = ""):
    """Validate ``value`` (scalar or array) against ``p``; return float or float ndarray.

    Raises :class:`ParameterError` naming the parameter, the offending value and the
    allowed range for NaN, infinities outside the range, out-of-range or non-integer values.
    """
    arr = real(value, p.name, lo=p.lo, hi=p.hi, lo_open=p.lo_open, hi_open=p.hi_open, integer=p.integer,
               unit=p.unit, where=where or None, array=True)
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
        return interval_text(self.lo, self.hi, unit=self.unit)
