"""One exception hierarchy for memlab (house style §7.9).

Every message names the parameter (or node, field, file), the offending value and
what is allowed. Never raise a bare ``Exception`` or an exception without a message.
"""
from __future__ import annotations

__all__ = [
    "MemlabError",
    "ParameterError",
    "ShapeError",
    "ConvergenceError",
    "SingularCircuitError",
    "UnsupportedExpressionError",
    "UnitError",
    "SimulatorNotFoundError",
    "NetlistError",
    "DataFormatError",
    "ConfigError",
    "NonFiniteError",
    "WorkerError",
    "MemlabWarning",
    "AccuracyWarning",
]


class MemlabError(Exception):
    """Base class of every error memlab raises on purpose."""


class ParameterError(MemlabError, ValueError):
    """A parameter is outside its allowed range or of the wrong kind.

    The message names the parameter, the value given and the allowed range.
    """


def out_of_range(name: str, value, allowed: str, where: str | None = None) -> ParameterError:
    """Build a :class:`ParameterError` with the house message format."""
    prefix = f"{where}: " if where else ""
    return ParameterError(f"{prefix}parameter '{name}' = {value!r} is outside the allowed range {allowed}")


class ShapeError(MemlabError, ValueError):
    """Array shapes do not match (the message names both arrays and their shapes)."""


class ConvergenceError(MemlabError, RuntimeError):
    """A solver or simulator did not meet its tolerance; carries what it reached."""

    def __init__(self, message: str, *, iterations: int | None = None, residual: float | None = None,
                 log: str | None = None):
        super().__init__(message)
        self.iterations = iterations
        self.residual = residual
        self.log = log


class SingularCircuitError(MemlabError, ValueError):
    """The circuit matrix is singular; ``nodes`` lists the floating nodes when known."""

    def __init__(self, message: str, *, nodes=None):
        super().__init__(message)
        self.nodes = list(nodes) if nodes is not None else []


class UnsupportedExpressionError(MemlabError, NotImplementedError):
    """A printer met a sympy construct it cannot translate (names model, construct, target)."""


class UnitError(MemlabError, ValueError):
    """A quantity has the wrong unit."""


class SimulatorNotFoundError(MemlabError, RuntimeError):
    """An external simulator (ngspice) is missing; the message says how to install it."""


class NetlistError(MemlabError, ValueError):
    """A netlist is malformed: unknown node, duplicate element name, bad value."""


class DataFormatError(MemlabError, ValueError):
    """A data file is malformed (the message names the file and the line)."""


class ConfigError(MemlabError, ValueError):
    """A configuration (YAML/JSON workload, sweep or preset) is malformed or incomplete."""


class NonFiniteError(MemlabError, FloatingPointError):
    """A computation overflowed or produced NaN (never returned as a result).

    The message names the cell or device, the voltage (or other input) at which it happened
    and the parameter the caller can change.
    """


class WorkerError(MemlabError, RuntimeError):
    """A worker process running sweep points died, or a cluster lost its last worker; the
    message says how many points are done (they are saved: run again to resume)."""


class MemlabWarning(UserWarning):
    """Base class of memlab's warnings."""


class AccuracyWarning(MemlabWarning):
    """A result is computed but may be less accurate than asked (e.g. a step limit was hit)."""
