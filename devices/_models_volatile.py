"""Volatile threshold switching: a thermally driven Mott/threshold switch (NbO2-type selector).

The one state variable is the device temperature T (K). Joule heating against a lumped
thermal resistance and capacitance (Newton's law of cooling)::

    C_th dT/dt = i v - (T - T_amb) / R_th
    i = G(T) v,   G(T) = G0 exp(-Ea / (k_B T))

The conductance is thermally activated (Arrhenius); this is the simplified NbO2 Mott
memristor of Messaris et al. (ISCAS 2020: the 3D Poole-Frenkel current of the physics
model reduces to a current linear in v with a conductance that depends only on T, the
state) and the conduction picture of Slesazeck et al. (RSC Adv. 5, 102318 (2015): trap
assisted, Frenkel-Poole-like conduction plus a Joule temperature rise of only ~150 K
explain the threshold, no metal-insulator transition needed). ``imt=True`` adds the
insulator-metal transition of a Mott material (VO2 at ~340 K): a metallic conductance
``G_met`` switched on by a logistic of width ``dT_imt`` around ``T_imt``.

Threshold and hold follow in closed form from the steady state ``v^2 G(T) R_th = T - T_amb``
(docs/notes/devices.md, "Volatile threshold switch"): with ``u = Ea/k_B`` the turning points
of the quasi-static I-V (where dv/dT = 0) are the roots of ``T^2 - u T + u T_amb = 0``,

    T_th = (u - sqrt(u^2 - 4 u T_amb)) / 2  (threshold),  T_h = (u + sqrt(...)) / 2  (hold),

real (a negative differential resistance between them) when ``Ea > 4 k_B T_amb``. The
device is volatile: with the drive removed T relaxes to T_amb with ``tau = R_th C_th``.

Defaults (see each Param's source): Ea is set from Slesazeck et al.'s 150 K threshold
temperature rise at T_amb = 300 K (``Ea = k_B T_th^2 / (T_th - T_amb)`` with T_th = 450 K,
i.e. 0.1163 eV); R_th, G0 and C_th are memlab choices in the range of NbO2 nano-devices
(threshold near 1 V and 100 uA, a 150 ps thermal time constant, sub-nanosecond as Pickett &
Williams report for NbO2 crosspoints, Nanotechnology 23, 215202 (2012)); not a fit to one
device.

``conduction="vo2"`` is a published parameter set with its own resistance law: the VO2
thermal neuristor of Qiu, Zhang, Di Ventra & Schuller (Adv. Mater. 36, 2306818 (2024)) as
coded by its authors for Zhang et al., "Collective dynamics and long-range order in thermal
neuristor networks" (reference code ``collective_dynamics_neuristor/model.py``)::

    R(T) = R0 exp(Ea / (k_B T)) g(T) + R_m,   g(T) = (1 + tanh(beta (w/2 + T_c - T))) / 2
    C_th dT/dt = i v - (T - T_amb) / R_th     (their S_e = 1/R_th, T_base = T_amb)

``g`` is the insulating fraction on the heating branch of the major hysteresis loop (the
source's delta = +1). One state cannot hold the source's minor-loop memory (its reversal
point), so this option is exact for trajectories along which T never decreases -- which
includes every response of the device through a series resistor to a rising or constant
source from rest (one autonomous state: monotone) -- and leaves out the cooling branch
(T_c - w/2) otherwise. The source also clamps T to [305, 370] K inside R(T); memlab does not.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import sympy as sp

from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import IVDemo
from memlab.devices._params import Param, StateVar

__all__ = ["MottSelector"]

_KB_EV = 8.617333262e-5          # Boltzmann constant, eV/K (CODATA 2018)
_SRC_FORM = ("Slesazeck et al., RSC Adv. 5, 102318 (2015); simplified NbO2 Mott memristor of Messaris et al., "
             "ISCAS 2020 (i = G(T) v, T the state)")
_SRC_150K = ("Slesazeck et al., RSC Adv. 5, 102318 (2015), abstract: threshold at a Joule temperature rise of "
             "~150 K; Ea = k_B (450 K)^2 / 150 K")
_SRC_MEMLAB = "memlab choice: NbO2 nano-device range (module docstring), not a fit to one device"
_SRC_IMT = "VO2 insulator-metal transition near 340 K (Morin, PRL 3, 34 (1959)); G_met, dT_imt memlab choices"
_SRC_QIU = ("Qiu et al., Adv. Mater. 36, 2306818 (2024), fitted set in the authors' reference code "
            "(yuanhangzhang98/collective_dynamics_neuristor, model.py)")

#: the VO2 set of the source's code, in its units (ohm, K, mW ns/K, mW/K): R0, Ea/k_B, Rm0 * Rm_factor,
#: Tc, w, beta, Cth, Sth, T_base
_QIU = dict(R0=5.35882879e-03, Ea_K=5.22047417e+03, R_m=262.5 * 4.90025335, T_c=3.32805839e+02,
            w=7.19357064e+00, beta=2.52796285e-01, Cth_mW_ns=49.62776831, Sth_mW=0.20558726, T_base=325.0)

#: default activation energy (eV): threshold temperature rise 150 K above 300 K (module docstring)
EA_150K = _KB_EV * 450.0 ** 2 / 150.0


def _pos(name, value, unit, source, doc, log=False):
    return Param(name, value, unit, lo=0.0, lo_open=True, source=source, doc=doc, log=log)


class MottSelector(DeviceModel):
    """Volatile thermal threshold switch (NbO2/VO2-type selector); state: temperature T (K).

    ``i = G(T) v`` with ``G(T) = G0 exp(-Ea/(k_B T))`` (+ ``G_met / (1 + exp(-(T - T_imt)/dT_imt))``
    with ``imt=True``) and ``dT/dt = (i v - (T - T_amb)/R_th) / C_th``. T lies in
    [0, T_max] (and stays above T_amb). Units: G in S, Ea in eV, R_th in K/W, C_th in J/K, T in K.
    Closed forms of threshold, hold and relaxation: :meth:`threshold`, :attr:`tau`.
    ``conduction="vo2"``: the published VO2 set of Qiu et al. (2024) with
    ``1/G = R0 exp(Ea/(k_B T)) g(T) + R_m`` on the heating branch (module docstring).
    """

    name = "Mott threshold switch (thermal)"
    reference = ("S. Slesazeck et al., 'Physical model of threshold switching in NbO2 based memristors', "
                 "RSC Adv. 5, 102318 (2015); thermal form as in Pickett & Williams, Nanotechnology 23, 215202 (2012)")
    short_name, aliases = "mott", ("mottselector", "nbo2", "thresholdswitch")
    iv_demo = IVDemo(1.5, 1e6, 0.0, 300.0)
    state = StateVar("T", 0.0, 1500.0, "K", 300.0, "device (filament) temperature")
    options = {"imt": (False, (False, True)), "conduction": ("arrhenius", ("arrhenius", "vo2"))}

    _base = (
        _pos("G0", 2e-3, "S", _SRC_MEMLAB, "conductance prefactor (T -> infinity)", log=True),
        _pos("Ea", EA_150K, "eV", _SRC_150K, "activation energy of the conductance"),
        _pos("R_th", 1.5e6, "K/W", _SRC_MEMLAB + "; threshold power 150 K / R_th = 100 uW", "thermal resistance",
             log=True),
        _pos("C_th", 1e-16, "J/K", _SRC_MEMLAB + "; tau = R_th C_th = 150 ps", "thermal capacitance", log=True),
        _pos("T_amb", 300.0, "K", "Slesazeck et al. 2015 (room temperature)", "ambient temperature"),
        _pos("T_max", 1500.0, "K", "memlab choice: upper state bound (melting of the oxide is not modelled)",
             "highest temperature (state bound)"),
    )
    _vo2 = (
        _pos("R0", _QIU["R0"], "ohm", _SRC_QIU, "insulating-resistance prefactor", log=True),
        _pos("Ea", _KB_EV * _QIU["Ea_K"], "eV", _SRC_QIU + "; Ea/k_B = 5220.47 K", "activation energy of R"),
        _pos("R_m", _QIU["R_m"], "ohm", _SRC_QIU + "; Rm0 Rm_factor = 262.5 x 4.900 ohm", "metallic resistance",
             log=True),
        _pos("T_c", _QIU["T_c"], "K", _SRC_QIU, "centre of the hysteresis loop"),
        _pos("w", _QIU["w"], "K", _SRC_QIU, "width of the hysteresis loop (heating branch at T_c + w/2)"),
        _pos("beta", _QIU["beta"], "1/K", _SRC_QIU, "sharpness of the transition"),
        _pos("R_th", 1e3 / _QIU["Sth_mW"], "K/W", _SRC_QIU + "; 1/S_th, S_th = 0.2056 mW/K", "thermal resistance",
             log=True),
        _pos("C_th", _QIU["Cth_mW_ns"] * 1e-12, "J/K", _SRC_QIU + "; 49.63 mW ns/K", "thermal capacitance",
             log=True),
        _pos("T_amb", _QIU["T_base"], "K", _SRC_QIU + " (T_base)", "ambient (substrate) temperature"),
        _base[-1],
    )
    _imt = (
        _pos("G_met", 1e-3, "S", _SRC_IMT, "metallic conductance added above T_imt", log=True),
        _pos("T_imt", 340.0, "K", _SRC_IMT, "insulator-metal transition temperature"),
        _pos("dT_imt", 2.0, "K", _SRC_IMT, "width of the transition"),
    )

    def param_defs(self):
        if self._opts["conduction"] == "vo2":
            if self._opts["imt"]:
                raise ParameterError("MottSelector: option 'imt' = True is for conduction='arrhenius'; "
                                     "conduction='vo2' has its own transition (T_c, w, beta)")
            return self._vo2
        return self._base + (self._imt if self._opts["imt"] else ())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        t_amb = np.asarray(self.values["T_amb"], float)
        if t_amb.ndim == 0 and float(t_amb) != self.state.x0:
            # the device rests at the ambient temperature: the default initial state follows
            # T_amb (325 K for conduction='vo2'); populations keep the class default
            self.__dict__["state"] = replace(type(self).state, x0=float(t_amb))

    def _validate(self, values):
        lo, hi = np.asarray(values["T_amb"]), np.asarray(values["T_max"])
        if np.any(lo >= hi):
            raise ParameterError(f"MottSelector: parameter 'T_amb' must be below 'T_max' "
                                 f"(got T_amb={values['T_amb']!r}, T_max={values['T_max']!r})")

    def bounds_expr(self, p):
        # 0 K, not T_amb: the rest state T = T_amb is then inside the range (a state resting
        # on a bound is held there by the ngspice subcircuit's bound layer, which makes the
        # equilibrium numerically stiff); T never falls below T_amb since i v >= 0
        return sp.Float(0.0), p.T_max

    def conductance_of_T(self, T, p):
        """G(T) in S as a sympy expression (``p``: parameter symbols)."""
        if self._opts["conduction"] == "vo2":
            frac = (1 + sp.tanh(p.beta * (p.w / 2 + p.T_c - T))) / 2
            return 1 / (p.R0 * sp.exp(p.Ea / (_KB_EV * T)) * frac + p.R_m)
        g = p.G0 * sp.exp(-p.Ea / (_KB_EV * T))
        if self._opts["imt"]:
            g = g + p.G_met / (1 + sp.exp(-(T - p.T_imt) / p.dT_imt))
        return g

    def equations(self, v, x, p):
        i = self.conductance_of_T(x, p) * v
        return i, (i * v - (x - p.T_amb) / p.R_th) / p.C_th

    # ------------------------------------------------------------------ closed forms
    @property
    def tau(self):
        """Thermal (relaxation) time constant ``R_th C_th`` in s."""
        return self.values["R_th"] * self.values["C_th"]

    def threshold(self) -> dict:
        """Closed-form turning points of the quasi-static I-V (Arrhenius conduction, ``imt=False``).

        Returns ``{"T_th", "V_th", "I_th", "T_hold", "V_hold", "I_hold"}`` (K, V, A); raises
        :class:`~memlab.errors.ParameterError` when ``Ea <= 4 k_B T_amb`` (no negative
        differential resistance: the I-V is monotone) or for ``imt=True``.
        """
        if self._opts["imt"] or self._opts["conduction"] != "arrhenius":
            raise ParameterError("MottSelector.threshold: closed form only for imt=False and "
                                 "conduction='arrhenius' (option 'conduction' = "
                                 f"{self._opts['conduction']!r}, 'imt' = {self._opts['imt']!r})")
        if self.is_population:
            raise ParameterError("MottSelector.threshold: needs a single device (scalar parameters)")
        p = self.values
        u, t0 = p["Ea"] / _KB_EV, p["T_amb"]
        disc = u * u - 4.0 * u * t0
        if disc <= 0:
            raise ParameterError(f"MottSelector.threshold: parameter 'Ea' = {p['Ea']!r} eV gives no negative "
                                 f"differential resistance; allowed range (4 k_B T_amb, inf) = "
                                 f"({4 * _KB_EV * t0:.4g}, inf) eV")
        out = {}
        for key, T in (("th", (u - math.sqrt(disc)) / 2), ("hold", (u + math.sqrt(disc)) / 2)):
            g = p["G0"] * math.exp(-u / T)
            v = math.sqrt((T - t0) / (p["R_th"] * g))
            out.update({f"T_{key}": T, f"V_{key}": v, f"I_{key}": g * v})
        return out
