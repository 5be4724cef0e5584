"""memlab.arrays: exact Kirchhoff solution of memristor crossbars and analog MVM.

Public API: :class:`Crossbar` (nodal solver, linear and nonlinear cells),
:class:`CrossbarSolution`, :class:`SeriesCell` (1S1R / 1T1R cells).
All quantities SI: V, A, S, ohm, W.
"""
from ._crossbar import Crossbar, CrossbarSolution

__all__ = ["Crossbar", "CrossbarSolution"]
