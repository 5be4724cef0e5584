"""Passive (0T1R) write schemes: V/2 and V/3 biasing of a selected cell.

The selected word line is driven to ``v_write`` and the selected bit line to 0 V. In the
V/2 scheme every other word and bit line sits at ``v_write / 2`` (half-selected cells on the
selected row and column see ``v_write / 2``, unselected cells 0 V). In the V/3 scheme the
unselected word lines sit at ``v_write / 3`` and the unselected bit lines at
``2 v_write / 3`` (half-selected cells see ``v_write / 3``, unselected cells ``-v_write / 3``).
Every line is driven at its end (word lines through ``r_driver`` at column 0, bit lines
through ``r_sense`` at the last row), and the crossbar, with its wire resistance and any
nonlinear cell, is solved exactly, so the report gives the true voltage across each cell.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab.errors import ParameterError, out_of_range

from ._crossbar import Crossbar

__all__ = ["WriteReport", "write_bias", "write_scheme"]


@dataclass
class WriteReport:
    """Voltages (V) and currents (A) of one write operation.

    ``v_cell`` (rows, cols): voltage across every cell; ``v_selected``: across the selected
    cell (less than ``v_write`` by the IR drop); ``half_selected``: boolean mask of the cells
    on the selected row or column (without the selected cell); ``v_half_max``: the largest
    |voltage| on a half-selected cell (write disturb); ``v_unselected_max``: the largest
    |voltage| on any other cell; ``i_selected``: current through the selected cell;
    ``sneak_current``: sum of |current| through all non-selected cells; ``i_supply``: total
    current sourced by the line drivers (out of word-line drivers, out of bit-line drivers); ``power``: power delivered (W);
    ``disturbed``: cells (other than the selected one) above ``v_threshold`` in magnitude,
    if a threshold was given.
    """

    scheme: str
    v_write: float
    selected: tuple[int, int]
    v_cell: np.ndarray
    i_cell: np.ndarray
    v_selected: float
    i_selected: float
    half_selected: np.ndarray
    v_half_max: float
    v_unselected_max: float
    sneak_current: float
    i_supply: float
    power: float
    disturbed: np.ndarray | None


def write_bias(scheme: str, v_write: float, rows: int, cols: int, row: int, col: int):
    """Driver voltages ``(v_word (rows,), v_bit (cols,))`` (V) of a write scheme."""
    if scheme == "V/2":
        vw = np.full(rows, v_write / 2)
        vb = np.full(cols, v_write / 2)
    elif scheme == "V/3":
        vw = np.full(rows, v_write / 3)
        vb = np.full(cols, 2 * v_write / 3)
    else:
        raise ParameterError(f"parameter 'scheme' = {scheme!r} is not one of ('V/2', 'V/3')")
    vw[row] = v_write
    vb[col] = 0.0
    return vw, vb


def write_scheme(crossbar: Crossbar, row: int, col: int, v_write: float, *, scheme: str = "V/2",
                 v_threshold: float | None = None, method: str = "auto") -> WriteReport:
    """Bias ``crossbar`` to write cell (``row``, ``col``) with ``v_write`` (V) and solve it."""
    if not isinstance(crossbar, Crossbar):
        raise ParameterError(f"write_scheme: parameter 'crossbar' = {crossbar!r:.60} must be a memlab.arrays.Crossbar")
    M, N = crossbar.shape
    for name, val, n in (("row", row, M), ("col", col, N)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or not 0 <= val < n:
            raise out_of_range(name, val, f"integers in [0, {n - 1}]", "write_scheme")
    if not np.isfinite(v_write):
        raise out_of_range("v_write", v_write, "finite volts", "write_scheme")
    vw, vb = write_bias(scheme, float(v_write), M, N, int(row), int(col))
    s = crossbar.solve(vw, v_bl=vb, method=method, full=True)
    half = np.zeros((M, N), dtype=bool)
    half[row, :] = True
    half[:, col] = True
    half[row, col] = False
    other = ~half
    other[row, col] = False
    sel_mask = np.zeros((M, N), dtype=bool)
    sel_mask[row, col] = True
    disturbed = None
    if v_threshold is not None:
        disturbed = (np.abs(s.v_cell) >= v_threshold) & ~sel_mask
    return WriteReport(
        scheme=scheme, v_write=float(v_write), selected=(int(row), int(col)), v_cell=s.v_cell, i_cell=s.i_cell,
        v_selected=float(s.v_cell[row, col]), i_selected=float(s.i_cell[row, col]), half_selected=half,
        v_half_max=float(np.max(np.abs(s.v_cell[half]), initial=0.0)),
        v_unselected_max=float(np.max(np.abs(s.v_cell[other]), initial=0.0)),
        sneak_current=float(np.sum(np.abs(s.i_cell[~sel_mask]))),
        i_supply=float(np.sum(np.maximum(s.i_in, 0)) + np.sum(np.maximum(-s.i_out, 0))),
        power=float(s.power), disturbed=disturbed)
