"""memlab.arrays: exact Kirchhoff solution of memristor crossbars and analog MVM.

Public API
----------
- :class:`Crossbar`: immutable nodal solver (direct sparse Cholesky, line-preconditioned
  CG, exact port reduction, one damped Newton for nonlinear cells); :class:`CrossbarSolution`
  its result; :meth:`Crossbar.factorize` gives an explicit :class:`CrossbarFactorization`
  for repeated solves; :class:`AutoPolicy` holds the thresholds of ``method="auto"``;
  :class:`IterationInfo` is what a solve's ``callback`` receives.
- Nonlinear cells: any ``memlab.devices`` model with ``current``/``di_dv`` (e.g.
  ``SinhConductance``), with per-cell parameter arrays or a population of rows*cols
  devices; :class:`SeriesCell` composes 1S1R (``Selector`` + device) and 1T1R (device +
  :class:`Resistor` on-resistance), one state per part.
- :meth:`Crossbar.vjp` / :meth:`CrossbarSolution.vjp` (and ``jvp``): exact gradients of the
  outputs from one adjoint solve (:class:`CrossbarGradient`, :mod:`memlab.arrays._adjoint`).
- :func:`compensate`: IR-drop compensation, conductances in [g_min, g_max] whose exact outputs
  match the ideal product over a set of inputs (L-BFGS-B with the adjoint);
  :class:`CompensationResult`.
- :class:`AnalogMatrix`: ``y = W x`` with weight mapping (differential / offset, bit
  slicing), DAC/ADC, and composable seeded non-idealities (:class:`ProgrammingNoise`,
  :class:`DeviceSpread`, :class:`FiniteLevels`, :class:`ReadNoise`, :class:`Drift`,
  :class:`StuckAt`); metrics :func:`relative_error`, :func:`column_error`, :func:`snr_db`.
- :func:`quantize_uniform`: the one uniform quantiser (DAC, ADC; used by memlab.analysis).
- :func:`write_scheme`: V/2 and V/3 write biasing with the voltage on every cell.
- In time: :class:`TransientCrossbar` (every cell's state evolving under per-line drive
  waveforms, :class:`LineDrives`, :func:`write_drives` for V/2 / V/3 and row-parallel
  writes; result :class:`ArrayTrace`), :func:`program_array` (write-verify of a target
  matrix with :class:`ISPP` / :class:`FixedPulses`, result :class:`ProgramReport`;
  :func:`read_conductance`), :func:`disturb_study` (:class:`DisturbReport`), in-situ
  training of a layer (:class:`UpdateRule`, :func:`apply_update`, :func:`layer_forward`,
  :func:`train_layer`, :class:`TrainHistory`).

All quantities are SI: V, A, S, ohm, W.
"""
from memlab.devices import Resistor, SeriesCell
from ._crossbar import AutoPolicy, Crossbar, CrossbarFactorization, CrossbarGradient, CrossbarSolution, IterationInfo
from ._mvm import AnalogMatrix, MVMReport, column_error, relative_error, snr_db
from ._nonideal import DeviceSpread, Drift, FiniteLevels, ProgrammingNoise, ReadNoise, StuckAt
from ._compensate import CompensationResult, compensate
from ._direct import factor_bytes
from ._quantize import quantize_uniform
from ._write import WriteReport, write_bias, write_scheme

__all__ = ["Crossbar", "CrossbarSolution", "CrossbarFactorization", "AutoPolicy", "IterationInfo",
           "CrossbarGradient", "compensate", "CompensationResult", "Resistor", "SeriesCell", "quantize_uniform", "factor_bytes",
           "AnalogMatrix", "MVMReport", "relative_error", "column_error", "snr_db",
           "ProgrammingNoise", "DeviceSpread", "FiniteLevels", "ReadNoise", "Drift", "StuckAt",
           "WriteReport", "write_bias", "write_scheme"]
from ._linedrives import LineDrives, write_drives
from ._transient import ArrayTrace, TransientCrossbar

__all__ += ["LineDrives", "write_drives", "TransientCrossbar", "ArrayTrace"]
from ._program_array import FixedPulses, ISPP, ProgramReport, program_array, read_conductance

__all__ += ["ISPP", "FixedPulses", "ProgramReport", "program_array", "read_conductance"]
from ._disturb import DisturbReport, disturb_study

__all__ += ["DisturbReport", "disturb_study"]
from ._insitu import TrainHistory, UpdateRule, apply_update, layer_forward, train_layer

__all__ += ["UpdateRule", "apply_update", "layer_forward", "train_layer", "TrainHistory"]
