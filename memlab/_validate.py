"""Central input validation for all of memlab (house style §7.8).

Every message names the parameter, the offending value and what is allowed.
"""
from __future__ import annotations

import math
import os

import numpy as np

from memlab.errors import ParameterError, ShapeError, out_of_range

__all__ = ["as_conductance", "as_resistance", "as_voltage", "positive_float", "positive_int", "real",
           "interval_text", "available_memory", "check_memory"]


def _first_bad(a: np.ndarray, bad: np.ndarray):
    idx = tuple(int(k) for k in np.argwhere(bad)[0])
    return idx, a[idx]


def _float_array(x, name: str, unit: str) -> np.ndarray:
    """``x`` as a new float64 array; strings, objects, booleans and complex values are refused
    (``np.array(..., dtype=float)`` would parse strings and drop imaginary parts silently)."""
    try:
        a = np.array(x)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"parameter '{name}' must be a numeric array in {unit}, got {type(x).__name__}") from exc
    if a.dtype.kind not in "iuf":
        raise ParameterError(f"parameter '{name}' must be real numbers in {unit}, got {a.dtype.name} values "
                             f"({x!r:.40})")
    return a.astype(np.float64)


def as_conductance(g, name: str = "conductance") -> np.ndarray:
    """Return ``g`` as a float64 (rows, cols) array of finite, non-negative conductances (S)."""
    a = _float_array(g, name, "siemens")
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ShapeError(f"parameter '{name}' must be a 2-D array of shape (rows, cols) with rows, cols >= 1, "
                         f"got shape {a.shape}")
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        idx, val = _first_bad(a, bad)
        raise out_of_range(f"{name}[{idx[0]},{idx[1]}]", float(val), "[0, inf) S (finite, not NaN)")
    return a


def as_resistance(r, shape: tuple[int, ...], name: str, *, allow_zero: bool = True,
                  allow_inf: bool = True) -> np.ndarray:
    """Broadcast a resistance (ohm, scalar or array) to ``shape`` and check its range.

    Zero means an ideal short, ``inf`` an open circuit (when allowed).
    """
    a = _float_array(r, name, "ohm")
    if a.ndim > 0 and a.shape != shape:
        try:
            a = np.broadcast_to(a, shape)
        except ValueError:
            raise ShapeError(f"parameter '{name}' has shape {a.shape}; expected a scalar or shape {shape}") from None
    a = np.array(np.broadcast_to(a, shape), dtype=np.float64)
    bad = np.isnan(a) | (a < 0)
    if not allow_zero:
        bad |= a == 0
    if not allow_inf:
        bad |= np.isinf(a)
    if bad.any():
        idx, val = _first_bad(a, bad) if a.ndim else ((), a[()])
        where = f"{name}[{','.join(map(str, idx))}]" if idx else name
        lo = "(0" if not allow_zero else "[0"
        hi = "inf]" if allow_inf else "inf)"
        raise out_of_range(where, float(val), f"{lo}, {hi} ohm (not NaN)")
    return a


def as_voltage(v, rows: int, name: str = "v_in") -> tuple[np.ndarray, bool]:
    """Return ``v`` as a (rows, batch) float64 array and whether the input was 1-D."""
    a = _float_array(v, name, "volt")
    single = a.ndim == 1
    if a.ndim not in (1, 2) or a.shape[0] != rows:
        raise ShapeError(f"parameter '{name}' has shape {a.shape}; expected ({rows},) or ({rows}, batch) "
                         f"for a crossbar with {rows} rows")
    if a.ndim == 2 and a.shape[1] < 1:
        raise ShapeError(f"parameter '{name}' has shape {a.shape}; the batch must hold at least one input")
    bad = ~np.isfinite(a)
    if bad.any():
        idx, val = _first_bad(a, bad)
        raise out_of_range(f"{name}[{','.join(map(str, idx))}]", float(val), "finite volts")
    return (a[:, None] if single else a), single


def interval_text(lo: float = -np.inf, hi: float = np.inf, *, lo_open: bool = False, hi_open: bool = False,
                  unit: str = "", integer: bool = False) -> str:
    """The allowed range as text, e.g. ``(0, inf) ohm`` or ``[1, 64] (integer)``.

    An infinite end is always written open: ``inf`` itself is never an allowed value.
    """
    left = "(" if lo_open or np.isinf(lo) else "["
    right = ")" if hi_open or np.isinf(hi) else "]"
    text = f"{left}{lo:g}, {hi:g}{right}"
    if unit and unit != "1":
        text += f" {unit}"
    return text + (" (integer)" if integer else "")


def real(x, name: str, *, lo: float = -np.inf, hi: float = np.inf, lo_open: bool = False,
         hi_open: bool = False, integer: bool = False, unit: str = "", where: str | None = None,
         array: bool = False):
    """Check a real number (or, with ``array=True``, a non-empty real array) against a range.

    The one numeric validator of memlab: strings, ``None``, booleans, complex numbers, empty
    arrays, NaN, infinities and values outside ``lo``/``hi`` (open ends with ``lo_open`` /
    ``hi_open``) raise :class:`~memlab.errors.ParameterError` naming ``name``, the value and
    :func:`interval_text` of the range. ``integer=True`` also refuses non-integral values.
    Returns a ``float`` (``int`` when ``integer``) or a float64 array (a copy).
    """
    if type(x) in (float, int) and not array:            # fast path: a plain Python number in range
        if math.isfinite(x) and ((x > lo) if lo_open else (x >= lo)) and ((x < hi) if hi_open else (x <= hi)) \
                and (not integer or x == int(x)):
            return int(x) if integer else float(x)
    allowed = interval_text(lo, hi, lo_open=lo_open, hi_open=hi_open, unit=unit, integer=integer)
    prefix = f"{where}: " if where else ""
    kind = "an integer" if integer else "a real number"
    if isinstance(x, (bool, np.bool_, str, bytes)) or x is None:
        raise ParameterError(f"{prefix}parameter '{name}' must be {kind} in {allowed}, got {x!r}")
    try:
        a = np.array(x)
    except (TypeError, ValueError) as exc:   # ragged sequences
        raise ParameterError(f"{prefix}parameter '{name}' must be {kind} in {allowed}, got {x!r}") from exc
    if a.dtype.kind not in "iuf" or (a.ndim and not array):
        what = "an array of real numbers" if array else kind
        raise ParameterError(f"{prefix}parameter '{name}' must be {what} in {allowed}, got "
                             f"{type(x).__name__} {x!r:.60}")
    a = a.astype(np.float64)
    if a.size == 0:
        raise ParameterError(f"{prefix}parameter '{name}' is an empty array; give values in {allowed}")
    bad = ~np.isfinite(a)
    bad |= (a <= lo) if lo_open else (a < lo)
    bad |= (a >= hi) if hi_open else (a > hi)
    if integer:
        with np.errstate(invalid="ignore"):
            bad |= np.round(a) != a
    if bad.any():
        first = a[bad].flat[0] if a.ndim else a[()]
        raise ParameterError(f"{prefix}parameter '{name}' = {float(first)!r} is outside the allowed range {allowed}")
    if not array:
        return int(a) if integer else float(a)
    return a


def positive_float(x, name: str, *, allow_zero: bool = False, upper: float | None = None) -> float:
    """A finite real number in ``(0, upper]`` (``[0, upper]`` with ``allow_zero``)."""
    return real(x, name, lo=0.0, lo_open=not allow_zero, hi=np.inf if upper is None else upper)


def positive_int(x, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]``; integral floats (``3.0``) are refused like strings."""
    if isinstance(x, (float, np.floating)):
        raise ParameterError(f"parameter '{name}' must be an integer, got {x!r}")
    return real(x, name, lo=minimum, hi=np.inf if maximum is None else maximum, integer=True)


def available_memory() -> int:
    """Bytes of memory available to this process now (``MemAvailable`` on Linux; the physical
    memory elsewhere)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(nbytes: float, what: str, name: str) -> None:
    """Refuse up front a job whose memory estimate ``nbytes`` (a lower bound) cannot fit.

    Raises :class:`~memlab.errors.ParameterError` naming ``name`` (the size parameter) with
    the estimate and the memory available, instead of a ``MemoryError`` after minutes of work.
    """
    avail = available_memory()
    if nbytes > avail:
        raise ParameterError(f"parameter '{name}': {what} needs at least {nbytes / 2**30:.3g} GiB of memory, "
                             f"more than the {avail / 2**30:.3g} GiB available; choose a smaller size")
