"""Memory cells: 1R, 1S1R and 1T1R, each with an optional series (line) resistance.

Topology (source node ``in`` driven by the drive's voltage, return to ground ``0``)::

    1R    in --R_s-- te --[device]-- 0
    1S1R  in --R_s-- te --[device]-- m --[selector]-- 0
    1T1R  in --R_s-- te --[device]-- d --[NMOS d, g, s=0, b=bulk]-- 0,  V(g) = v_gate

The series resistance ``r_series`` (ohm) lumps line and contact resistance; the drive's
own ``r_series`` adds to it. The 1T1R transistor is :class:`memlab.devices.MOSFET`, the
level-1 (Shichman-Hodges) equations in sympy, which the native solver evaluates. In
ngspice the cell uses ngspice's own level-1 MOSFET element with the same parameters
(:meth:`OneT1R.model_line`, no junction capacitances, GAMMA = 0): an independent
implementation of the same equations. Its bulk is held at ``v_bulk`` (default -10 V,
below any drive) so the drain/source junctions stay reverse biased when a negative
(RESET) voltage makes the drain the lower terminal. A BSIM card can be given with
``OneT1R(..., card="nmos level=14 version=4.8.1")`` for ngspice-only runs (bulk then at
0 V by default: BSIM has a body effect).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


from memlab._validate import real
from memlab.errors import ParameterError
from memlab.devices import DeviceModel, MOSFET, Selector

__all__ = ["Cell", "OneR", "OneS1R", "OneT1R", "MOSFET"]


def _check(owner, name, value, lo=-math.inf, hi=math.inf, lo_open=False, unit=""):
    return real(value, name, lo=lo, hi=hi, lo_open=lo_open, unit=unit, where=owner)


@dataclass(frozen=True)
class Cell:
    """Base class: a device and a series resistance ``r_series`` (ohm)."""

    device: DeviceModel
    r_series: float = 0.0

    kind = "cell"

    def __post_init__(self):
        if not isinstance(self.device, DeviceModel):
            raise ParameterError(f"{type(self).__name__}: 'device' must be a memlab DeviceModel, "
                                 f"got {type(self.device).__name__}")
        if self.device.is_population:
            raise ParameterError(f"{type(self).__name__}: 'device' must be a single device (scalar parameters); "
                                 f"got a population of {self.device.n_devices}")
        _check(type(self).__name__, "r_series", self.r_series, lo=0.0, unit="ohm")

    def nodes(self) -> tuple[str, ...]:
        """Node names of the cell netlist (besides ground ``0``)."""
        return ("in", "te")


@dataclass(frozen=True)
class OneR(Cell):
    """A device alone (with optional series/line resistance ``r_series``, ohm)."""

    kind = "1R"


@dataclass(frozen=True)
class OneS1R(Cell):
    """Device in series with a selector (a memlab model, default the static :class:`Selector`).

    The selector may have a moving state of its own: a volatile threshold switch such as
    :class:`~memlab.devices.MottSelector` (state T, K) fires above its threshold, lets the
    device switch, and relaxes when the drive is removed. Both states are then integrated
    together (:func:`~memlab.circuits.simulate_cell`; in ngspice both subcircuits are
    stateful). The selector's I-V must increase through the origin, as for any series cell.
    """

    selector: DeviceModel = field(default_factory=Selector)
    kind = "1S1R"

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.selector, DeviceModel):
            raise ParameterError(f"OneS1R: 'selector' must be a memlab DeviceModel, got {type(self.selector).__name__}")
        if self.selector.is_population:
            raise ParameterError(f"OneS1R: 'selector' must be a single device (scalar parameters); got a population "
                                 f"of {self.selector.n_devices}")

    def nodes(self):
        return ("in", "te", "m")


@dataclass(frozen=True)
class OneT1R(Cell):
    """Device in series with the drain of an NMOS; ``v_gate`` (V) sets the compliance current.

    ``mosfet``: a :class:`memlab.devices.MOSFET` (its ``v_g`` is replaced by ``v_gate``,
    see :attr:`transistor`). ``card``: a complete ngspice ``.model`` body (e.g.
    ``"nmos level=14 version=4.8.1"`` for BSIM4 defaults) used instead of level 1; then
    only ngspice can simulate the cell (``w``/``l`` still come from ``mosfet``).
    ``v_bulk`` (V): bulk bias of the ngspice transistor (see :attr:`bulk_voltage`).
    """

    v_gate: float = 1.2
    mosfet: MOSFET = field(default_factory=MOSFET)
    v_bulk: float | None = None
    card: str | None = None
    kind = "1T1R"

    def __post_init__(self):
        super().__post_init__()
        _check("OneT1R", "v_gate", self.v_gate, lo=-20.0, hi=20.0, unit="V")
        if not isinstance(self.mosfet, MOSFET):
            raise ParameterError(f"OneT1R: 'mosfet' must be a memlab.devices.MOSFET, got {type(self.mosfet).__name__}")
        if self.mosfet.is_population:
            raise ParameterError(f"OneT1R: 'mosfet' must be a single transistor (scalar parameters); got a "
                                 f"population of {self.mosfet.n_devices}")
        if self.v_bulk is not None:
            _check("OneT1R", "v_bulk", self.v_bulk, lo=-100.0, hi=0.0, unit="V")
        if self.card is not None and not (isinstance(self.card, str) and self.card.strip()):
            raise ParameterError(f"OneT1R: parameter 'card' = {self.card!r} must be a non-empty ngspice .model body")

    @property
    def transistor(self) -> MOSFET:
        """The cell's transistor as a two-terminal device: ``mosfet`` with ``v_g = v_gate``."""
        return self.mosfet.with_params(v_g=float(self.v_gate))

    @property
    def bulk_voltage(self) -> float:
        """Bulk bias in V: ``v_bulk`` if given, else -10 V for level 1 (GAMMA = 0, no body
        effect) and 0 V for a custom card (BSIM has a body effect; a negative drive then
        forward-biases the drain junction, as in a real grounded-bulk 1T1R)."""
        if self.v_bulk is not None:
            return float(self.v_bulk)
        return 0.0 if self.card else -10.0

    def model_line(self, name: str = "nmos_memlab") -> str:
        """ngspice ``.model`` line of the transistor: the card, or level 1 with ``mosfet``'s values."""
        if self.card:
            return f".model {name} {self.card}"
        p = self.mosfet.values
        return (f".model {name} nmos level=1 vto={p['vto']!r} kp={p['kp']!r} lambda={p['lam']!r} "
                f"gamma=0 cgso=0 cgdo=0 cgbo=0 cbd=0 cbs=0")

    def nodes(self):
        return ("in", "te", "d", "g", "bulk")

    def compliance(self, v_ds: float | None = None) -> float:
        """Saturation current (A) of the transistor at ``v_gate`` (level-1 formula), at
        ``v_ds`` (V, default the saturation edge)."""
        return self.transistor.saturation_current(v_ds)
