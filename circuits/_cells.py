"""Memory cells: 1R, 1S1R and 1T1R, each with an optional series (line) resistance.

Topology (source node ``in`` driven by the drive's voltage, return to ground ``0``)::

    1R    in --R_s-- te --[device]-- 0
    1S1R  in --R_s-- te --[device]-- m --[selector]-- 0
    1T1R  in --R_s-- te --[device]-- d --[NMOS d, g, s=0, b=bulk]-- 0,  V(g) = v_gate

The series resistance ``r_series`` (ohm) lumps line and contact resistance; the drive's
own ``r_series`` adds to it. The 1T1R transistor is ngspice's level-1 MOSFET
(Shichman-Hodges) with no junction capacitances and GAMMA = 0; its bulk is held at
``v_bulk`` (default -10 V, below any drive) so the drain/source junctions stay reverse
biased when a negative (RESET) voltage makes the drain the lower terminal. The native
path evaluates the same level-1 equations (:meth:`MOSFET.ids`). A BSIM card can be given
with ``MOSFET(card="nmos level=14 version=4.8.1")`` for ngspice-only runs (bulk then at
0 V by default: BSIM has a body effect).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


from memlab.errors import ParameterError
from memlab.devices import DeviceModel, Selector

__all__ = ["Cell", "OneR", "OneS1R", "OneT1R", "MOSFET"]


def _check(owner, name, value, lo=-math.inf, hi=math.inf, lo_open=False, unit=""):
    v = float(value)
    bad = not math.isfinite(v) or (v <= lo if lo_open else v < lo) or v > hi
    if bad:
        left = "(" if lo_open else "["
        raise ParameterError(f"{owner}: parameter '{name}' = {value!r} is outside the allowed range "
                             f"{left}{lo:g}, {hi:g}] {unit}".rstrip())
    return v


@dataclass(frozen=True)
class MOSFET:
    """n-channel MOSFET for 1T1R cells (ngspice level 1 unless ``card`` is given).

    Parameters: ``vto`` threshold voltage (V), ``kp`` transconductance parameter (A/V^2),
    ``w``/``l`` channel width/length (m), ``lam`` channel-length modulation (1/V).
    ``card``: a complete ``.model`` line body for ngspice (e.g. ``"nmos level=14"`` for
    BSIM4 defaults); then only ngspice can simulate the cell.
    """

    vto: float = 0.5
    kp: float = 2e-4
    w: float = 1e-6
    l: float = 1e-6
    lam: float = 0.02
    card: str | None = None

    def __post_init__(self):
        n = "MOSFET"
        _check(n, "vto", self.vto, unit="V")
        _check(n, "kp", self.kp, lo=0.0, lo_open=True, unit="A/V^2")
        _check(n, "w", self.w, lo=0.0, lo_open=True, unit="m")
        _check(n, "l", self.l, lo=0.0, lo_open=True, unit="m")
        _check(n, "lam", self.lam, lo=0.0, hi=1.0, unit="1/V")

    @property
    def beta(self) -> float:
        """KP W / L in A/V^2."""
        return self.kp * self.w / self.l

    def model_line(self, name: str = "nmos_memlab") -> str:
        if self.card:
            return f".model {name} {self.card}"
        return (f".model {name} nmos level=1 vto={self.vto!r} kp={self.kp!r} lambda={self.lam!r} "
                f"gamma=0 cgso=0 cgdo=0 cgbo=0 cbd=0 cbs=0")

    def ids(self, vg: float, vd: float, vs: float = 0.0) -> tuple[float, float]:
        """Drain current (A, into the drain) and dI/dV_d (S) of the level-1 equations.

        Symmetric: for ``vd < vs`` source and drain swap (as ngspice does). GAMMA = 0.
        """
        if self.card:
            raise ParameterError("MOSFET.ids: a custom model card can only be simulated by ngspice")
        sgn = 1.0
        if vd < vs:
            vd, vs, sgn = vs, vd, -1.0
        vgs, vds = vg - vs, vd - vs
        vgst = vgs - self.vto
        if vgst <= 0.0:
            return 0.0, 0.0
        b = self.beta
        f = 1.0 + self.lam * vds
        if vgst <= vds:
            i = 0.5 * b * vgst * vgst * f
            g = 0.5 * b * vgst * vgst * self.lam
        else:
            i = b * vds * (vgst - 0.5 * vds) * f
            g = b * (vgst - vds) * f + b * vds * (vgst - 0.5 * vds) * self.lam
        if sgn < 0:
            # roles swapped: i flows from the physical source to the drain node; with
            # vgs' = vg - vd and vds' = vs - vd, d(-i)/d(vd) = gm + gds
            gm = self._gm(vgst, vds)
            return -i, gm + g
        return i, g

    def _gm(self, vgst, vds):
        b = self.beta
        f = 1.0 + self.lam * vds
        if vgst <= vds:
            return b * vgst * f
        return b * vds * f


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
    """Device in series with a selector (a static memlab model, default :class:`Selector`)."""

    selector: DeviceModel = field(default_factory=Selector)
    kind = "1S1R"

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.selector, DeviceModel):
            raise ParameterError(f"OneS1R: 'selector' must be a memlab DeviceModel, got {type(self.selector).__name__}")
        if self.selector.rate_expr != 0:
            raise ParameterError(f"OneS1R: 'selector' model {self.selector.name!r} has a moving state; "
                                 f"a selector must be static (rate = 0)")

    def nodes(self):
        return ("in", "te", "m")


@dataclass(frozen=True)
class OneT1R(Cell):
    """Device in series with the drain of an NMOS; ``v_gate`` (V) sets the compliance current."""

    v_gate: float = 1.2
    mosfet: MOSFET = field(default_factory=MOSFET)
    v_bulk: float | None = None
    kind = "1T1R"

    def __post_init__(self):
        super().__post_init__()
        _check("OneT1R", "v_gate", self.v_gate, lo=-20.0, hi=20.0, unit="V")
        if not isinstance(self.mosfet, MOSFET):
            raise ParameterError(f"OneT1R: 'mosfet' must be a MOSFET, got {type(self.mosfet).__name__}")
        if self.v_bulk is not None:
            _check("OneT1R", "v_bulk", self.v_bulk, lo=-100.0, hi=0.0, unit="V")

    @property
    def bulk_voltage(self) -> float:
        """Bulk bias in V: ``v_bulk`` if given, else -10 V for level 1 (GAMMA = 0, no body
        effect) and 0 V for a custom card (BSIM has a body effect; a negative drive then
        forward-biases the drain junction, as in a real grounded-bulk 1T1R)."""
        if self.v_bulk is not None:
            return float(self.v_bulk)
        return 0.0 if self.mosfet.card else -10.0

    def nodes(self):
        return ("in", "te", "d", "g", "bulk")

    def compliance(self, v_ds: float | None = None) -> float:
        """Saturation current (A) of the transistor at ``v_gate`` (level-1 formula)."""
        vgst = self.v_gate - self.mosfet.vto
        if vgst <= 0:
            return 0.0
        vds = vgst if v_ds is None else v_ds
        return 0.5 * self.mosfet.beta * vgst ** 2 * (1 + self.mosfet.lam * vds)
