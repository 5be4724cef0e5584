"""Central input validation for all of memlab (house style §7.8).

Every message names the parameter, the offending value and what is allowed.
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ParameterError, ShapeError, out_of_range

__all__ = ["as_conductance", "as_resistance", "as_voltage", "positive_float", "positive_int"]


def _first_bad(a: np.ndarray, bad: np.ndarray):
    idx = tuple(int(k) for k in np.argwhere(bad)[0])
    return idx, a[idx]


def as_conductance(g, name: str = "conductance") -> np.ndarray:
    """Return ``g`` as a float64 (rows, cols) array of finite, non-negative conductances (S)."""
    try:
        a = np.array(g, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"parameter '{name}' must be a numeric array in siemens, got {type(g).__name__}") from exc
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
    try:
        a = np.array(r, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"parameter '{name}' must be a number or array in ohm, got {type(r).__name__}") from exc
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
    try:
        a = np.array(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"parameter '{name}' must be a numeric array in volt, got {type(v).__name__}") from exc
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


def positive_float(x, name: str, *, allow_zero: bool = False, upper: float | None = None) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"parameter '{name}' must be a real number, got {x!r}") from exc
    ok = np.isfinite(f) and (f > 0 or (allow_zero and f == 0)) and (upper is None or f <= upper)
    if not ok:
        lo = "[0" if allow_zero else "(0"
        hi = f"{upper}]" if upper is not None else "inf)"
        raise out_of_range(name, x, f"{lo}, {hi}")
    return f


def positive_int(x, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise ParameterError(f"parameter '{name}' must be an integer, got {x!r}")
    if x < minimum or (maximum is not None and x > maximum):
        raise out_of_range(name, x, f"[{minimum}, {maximum if maximum is not None else 'inf'})")
    return int(x)
