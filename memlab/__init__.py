"""memlab: circuit-level modelling of memristors and the AI hardware built from them.

Subpackages: :mod:`memlab.devices`, :mod:`memlab.circuits`, :mod:`memlab.arrays`,
:mod:`memlab.accel`, :mod:`memlab.analysis`. All quantities are SI (V, A, ohm, S, s, J).
"""
from memlab import errors
from memlab.errors import MemlabError, ConvergenceError, ParameterError

from memlab._version import __version__
__all__ = ["errors", "MemlabError", "ConvergenceError", "ParameterError", "__version__"]
