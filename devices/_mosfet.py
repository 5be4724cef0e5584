"""Level-1 (Shichman-Hodges) n-channel MOSFET as a two-terminal sympy device: the 1T1R access transistor.

One set of equations for every simulator: the native cell solver (compiled scalar
kernel), the ngspice subcircuit (B-source printed by the house printer) and crossbar
cells (``SeriesCell(device, MOSFET(...))``) all use :class:`MOSFET`'s sympy current.

The device is the drain-source channel between the terminals ``te`` and ``be`` with the
gate held at ``v_g`` volts above ``be`` (in a 1T1R cell ``be`` is the grounded source
and ``v_g`` the gate line voltage). Source and drain are symmetric, as in SPICE: for
``v = V(te, be) >= 0`` the drain is ``te`` (``v_gs = v_g``, ``v_ds = v``); for ``v < 0``
the terminals swap (``v_gs = v_g - v``, ``v_ds = -v``) and the current reverses. With
``beta = kp w / l`` and ``v_gst = v_gs - vto`` (Shichman & Hodges 1968; ngspice manual,
MOS level 1, GAMMA = 0, no body effect or junctions)::

    i = 0                                               v_gst <= 0      (cut-off)
    i = beta/2 v_gst^2 (1 + lam v_ds)                   0 < v_gst <= v_ds (saturation)
    i = beta v_ds (v_gst - v_ds/2) (1 + lam v_ds)       otherwise       (linear)

State: the transistor has none. :class:`~memlab.devices.DeviceModel` declares one state
variable, so the model carries a dummy state ``x`` in [0, 1] (unit 1, default 0) whose
rate is identically 0 and which the current does not depend on, like
:class:`~memlab.devices.Selector`: simulators treat it as a static model (no state node,
no integration), and crossbar code recognises it as state-less because ``x`` does not
appear in :attr:`current_expr`.
"""
from __future__ import annotations

import sympy as sp

from memlab.devices._model import DeviceModel
from memlab.devices._params import Param, StateVar

__all__ = ["MOSFET"]

_SRC_SH = ("H. Shichman, D. A. Hodges, IEEE JSSC 3(3), 285 (1968); ngspice 39 manual, MOS level 1 equations; "
           "defaults: memlab's generic 1 um x 1 um NMOS (ngspice's own defaults are VTO=0, KP=2e-5, LAMBDA=0)")


def _channel(beta, vgst, vds, lam):
    """Drain current (A) for v_ds >= 0 (level 1 with channel-length modulation)."""
    return sp.Piecewise((0, vgst <= 0),
                        (beta / 2 * vgst ** 2 * (1 + lam * vds), vgst <= vds),
                        (beta * vds * (vgst - vds / 2) * (1 + lam * vds), True))


class MOSFET(DeviceModel):
    """n-channel MOSFET, SPICE level 1 (Shichman-Hodges), as a two-terminal device of v_ds.

    Parameters (keywords; SI units)
    -------------------------------
    vto : V, threshold voltage (SPICE VTO), default 0.5 V.
    kp : A/V^2, transconductance parameter mu_n C_ox (SPICE KP), default 2e-4 A/V^2.
    w, l : m, channel width and length (instance W, L), default 1e-6 m each.
    lam : 1/V, channel-length modulation (SPICE LAMBDA; ``lambda`` is a Python keyword),
        default 0.02 /V, allowed [0, 1].
    v_g : V, gate voltage above the ``be`` terminal (the source of a 1T1R cell), default 1.2 V.

    See the module docstring for the equations and the dummy state.
    """

    name = "MOSFET level 1"
    reference = _SRC_SH
    state = StateVar("x", 0.0, 1.0, "1", 0.0, "dummy (state-less transistor; never moves)")
    parameters = (
        Param("vto", 0.5, "V", source=_SRC_SH, doc="threshold voltage VTO"),
        Param("kp", 2e-4, "A/V^2", lo=0.0, lo_open=True, source=_SRC_SH, doc="transconductance parameter KP",
              log=True),
        Param("w", 1e-6, "m", lo=0.0, lo_open=True, source=_SRC_SH, doc="channel width W", log=True),
        Param("l", 1e-6, "m", lo=0.0, lo_open=True, source=_SRC_SH, doc="channel length L", log=True),
        Param("lam", 0.02, "1/V", lo=0.0, hi=1.0, source=_SRC_SH, doc="channel-length modulation LAMBDA"),
        Param("v_g", 1.2, "V", lo=-20.0, hi=20.0, source="memlab default (1T1R read/SET gate voltage)",
              doc="gate voltage above the be terminal"),
    )

    def equations(self, v, x, p):
        beta = p.kp * p.w / p.l
        fwd = _channel(beta, p.v_g - p.vto, v, p.lam)
        rev = _channel(beta, p.v_g - v - p.vto, -v, p.lam)
        return sp.Piecewise((fwd, v >= 0), (-rev, True)), sp.Integer(0)

    @property
    def beta(self):
        """``kp w / l`` in A/V^2 (float, or array for a population)."""
        vals = self.values
        return vals["kp"] * vals["w"] / vals["l"]

    def saturation_current(self, v_ds=None):
        """Saturation current (A) at the gate voltage ``v_g``: ``beta/2 v_gst^2 (1 + lam v_ds)``
        with ``v_ds`` (V) defaulting to the saturation edge ``v_gst``; 0 below threshold."""
        vals = self.values
        vgst = vals["v_g"] - vals["vto"]
        if vgst <= 0:
            return 0.0
        vds = vgst if v_ds is None else v_ds
        return 0.5 * self.beta * vgst ** 2 * (1 + vals["lam"] * vds)
