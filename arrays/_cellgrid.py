"""Stage "bind": a cell model and its per-cell states and parameters laid out on the crossbar's cells.

The solver stages work on flat per-cell vectors of length ``rows * cols`` (row-major,
cell ``(i, j)`` at index ``i * cols + j``). :func:`bind_cells` brings a cell and its state
to that layout once, when the :class:`~memlab.arrays.Crossbar` is built:

- array-valued parameters of a :class:`~memlab.devices.DeviceModel` (anything with
  ``values`` and ``with_params``) broadcastable to (rows, cols), i.e. (rows, cols),
  (rows, 1), (1, cols) or scalar, are broadcast and flattened; a 1-D parameter of exactly
  ``rows * cols`` values (a population, e.g. from :func:`memlab.devices.spread`) is taken
  as already flat, device ``k`` at cell ``(k // cols, k % cols)``;
- a :class:`~memlab.devices.SeriesCell` is rebuilt from its two bound parts, with one
  state per part (:meth:`SeriesCell.part_states`);
- states are (rows, cols) arrays (scalars broadcast), checked finite, flattened.

Other cells (anything with ``current``/``di_dv``) are used as they are, with flat voltages.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab.devices import SeriesCell
from memlab.errors import ParameterError, ShapeError

__all__ = ["CellGrid", "LinearCells", "bind_cells"]


def _flat_param(name, a, M, N, who):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return a[()]
    if a.ndim == 1 and a.size == M * N:
        return a.copy()
    try:
        return np.broadcast_to(a, (M, N)).ravel().copy()
    except ValueError:
        raise ShapeError(f"parameter '{name}' of cell {who} has shape {a.shape}; expected a shape broadcastable "
                         f"to the crossbar's ({M}, {N}) or a population of {M * N} devices") from None


def _flat_model(cell, M, N):
    """The cell with every array-valued parameter flattened to (rows*cols,)."""
    if isinstance(cell, SeriesCell):
        return SeriesCell(_flat_model(cell.first, M, N), _flat_model(cell.second, M, N), vtol=cell.vtol,
                          maxiter=cell.maxiter)
    values = getattr(cell, "values", None)
    if not isinstance(values, dict) or not hasattr(cell, "with_params"):
        return cell
    arrays = {k: _flat_param(k, v, M, N, type(cell).__name__) for k, v in values.items() if np.ndim(v) > 0}
    return cell.with_params(**arrays) if arrays else cell


def _flat_state(x, M, N, name="state"):
    if x is None:
        return None
    try:
        a = np.array(np.broadcast_to(np.asarray(x, dtype=np.float64), (M, N)))
    except (ValueError, TypeError):
        raise ShapeError(f"parameter '{name}' has shape {np.shape(x)}; expected ({M}, {N}) like "
                         "'conductance'") from None
    if not np.all(np.isfinite(a)):
        raise ParameterError(f"parameter '{name}' contains NaN or inf; allowed: finite values")
    return a.ravel()


@dataclass(frozen=True)
class LinearCells:
    """Linear cells of conductance ``g`` (rows*cols,) in S: ``i = g v``."""

    g: np.ndarray

    def current(self, v):
        """Cell currents (A) for cell voltages ``v`` (V), shape (rows*cols,) or (rows*cols, K)."""
        return (self.g if np.ndim(v) == 1 else self.g[:, None]) * v

    def di_dv(self, v):
        return np.broadcast_to(self.g if np.ndim(v) == 1 else self.g[:, None], np.shape(v))

    def current_at(self, idx, v):
        """Currents (A) of the cells ``idx`` (flat indices) at their voltages ``v`` (len(idx), K)."""
        g = self.g[idx]
        return (g if np.ndim(v) == 1 else g[:, None]) * v


@dataclass(frozen=True)
class CellGrid:
    """A nonlinear cell bound to the crossbar's cells: flat parameters and state(s).

    ``x`` is the flat (rows*cols,) state, or for a :class:`SeriesCell` a tuple of two
    (None for a state-less part).
    """

    cell: object
    x: object
    rows: int
    cols: int

    def _eval(self, name, v):
        v = np.asarray(v, dtype=np.float64)
        if v.ndim == 2:  # (rows*cols, K): one column at a time (parameters are per cell)
            return np.stack([self._eval(name, v[:, k]) for k in range(v.shape[1])], axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(np.broadcast_to(getattr(self.cell, name)(v, self.x), v.shape), dtype=np.float64)

    def current(self, v):
        """Cell currents (A) for cell voltages ``v`` (V), shape (rows*cols,) or (rows*cols, K)."""
        return self._eval("current", v)

    def di_dv(self, v):
        """Cell small-signal conductances (S) at cell voltages ``v`` (V)."""
        return self._eval("di_dv", v)

    def current_at(self, idx, v):
        """Currents (A) of the cells ``idx`` (flat indices) at their voltages ``v`` (len(idx), K).

        The parameters and states are per cell, so the voltages are placed in a full grid
        (0 V elsewhere) and the whole grid evaluated.
        """
        v = np.asarray(v, dtype=np.float64)
        full = np.zeros((self.rows * self.cols,) + v.shape[1:])
        full[idx] = v
        return self.current(full)[idx]


def bind_cells(cell, state, M: int, N: int) -> tuple[CellGrid, object]:
    """Bind ``cell`` and its per-cell ``state`` to an (M, N) crossbar.

    Returns the :class:`CellGrid` and the state in the user's layout (read-only (M, N)
    arrays; a tuple per part for a :class:`SeriesCell`).
    """
    bound = _flat_model(cell, M, N)
    if isinstance(cell, SeriesCell):
        parts = cell.part_states(state)
        flat = tuple(_flat_state(p, M, N, f"state[{k}]") for k, p in enumerate(parts))
    else:
        flat = _flat_state(state, M, N)
    grid = CellGrid(bound, flat, M, N)

    def user(a):
        if a is None:
            return None
        a = a.reshape(M, N).copy()
        a.setflags(write=False)
        return a

    shown = tuple(user(a) for a in flat) if isinstance(flat, tuple) else user(flat)
    return grid, shown
