"""memlab.arrays: exact Kirchhoff solution of memristor crossbars and analog MVM.

Public API
----------
- :class:`Crossbar`: nodal solver (direct sparse Cholesky, line-preconditioned CG, exact
  port reduction, Newton for nonlinear cells); :class:`CrossbarSolution` its result.
- Cells for nonlinear reads: :class:`SinhCell`, :class:`SinhSelector`, :class:`Resistor`,
  :class:`SeriesCell` (1S1R, 1T1R); any ``memlab.devices`` model with ``current``/``di_dv``.

All quantities are SI: V, A, S, ohm, W.
"""
from ._cells import Resistor, SeriesCell, SinhCell, SinhSelector
from ._crossbar import Crossbar, CrossbarSolution

__all__ = ["Crossbar", "CrossbarSolution", "SinhCell", "SinhSelector", "Resistor", "SeriesCell"]
