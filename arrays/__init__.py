"""memlab.arrays: exact Kirchhoff solution of memristor crossbars and analog MVM.

Public API
----------
- :class:`Crossbar`: nodal solver (direct sparse Cholesky, line-preconditioned CG, exact
  port reduction, Newton for nonlinear cells); :class:`CrossbarSolution` its result.
- Nonlinear cells: any ``memlab.devices`` model with ``current``/``di_dv`` (e.g.
  ``SinhConductance``); :class:`SeriesCell` composes 1S1R (``Selector`` + device) and 1T1R
  (device + :class:`Resistor` on-resistance).

All quantities are SI: V, A, S, ohm, W.
"""
from ._cells import Resistor, SeriesCell
from ._crossbar import Crossbar, CrossbarSolution

__all__ = ["Crossbar", "CrossbarSolution", "Resistor", "SeriesCell"]
