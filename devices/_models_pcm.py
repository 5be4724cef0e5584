"""Phase-change memory (PCM): crystalline fraction, Ovonic threshold switching, Joule
heating, crystallisation and melt-quench kinetics, and resistance drift.

A lumped compact model in the spirit of Ventrice et al., IEEE TED 54(1), 2007 (a cell of
crystalline fraction ``c`` whose amorphous part switches electronically above V_th, with
a thermal resistance and phase-transition kinetics; docs/notes/devices.md §11):

* current: crystalline and amorphous parts in parallel,
  ``i = c v / R_c + (1 - c) i_a(v)``; the amorphous part follows its OFF branch
  ``v / R_a`` below the threshold voltage and the ON branch ``(v - V_h sgn v)/R_on``
  above it, blended by ``s = (1 + tanh((v^2 - V_th^2)/(4 V_th dV)))/2`` (width dV);
* temperature: quasi-static Joule heating ``T = T_amb + R_th v i``. The framework has one
  state variable, so the thermal capacitance is not modelled: T follows the power
  instantly, which holds for pulses longer than the thermal time of the cell (~ns);
* kinetics: ``dc/dt = (1 - m) k(T) (1 - c) - m c / tau_melt`` with the melt fraction
  ``m = (1 + tanh((T - T_melt)/(2 dT)))/2``. Crystallisation is JMAK with Avrami exponent
  1 (growth from the crystalline rim, the growth-dominated regime of GST mushroom cells)
  and ``1/k = tau_x + exp(Ea / kB T)/k0``: Arrhenius at low T (retention), limited by
  the fastest crystallisation time tau_x near the melt. Above T_melt the cell melts
  towards c = 0 in tau_melt; when the power is removed T falls to T_amb at once
  (quasi-static T: a quench), so the melt stays amorphous unless the falling edge is slow
  enough to cross the crystallisation window;
* drift: the amorphous resistance rises as ``R_a (t / t0)^nu`` after programming
  (:meth:`PCM.after`, through :func:`memlab.devices.drift`); time since programming is not
  a state, so drift is applied when reading, not during a transient.

Limitation (one state): the snapback's memory (an ON amorphous cell stays ON down to the
holding voltage V_h) is not represented; the switch is a single-valued, steep function of
v, so a cell behind a series resistor sits near V_th while it conducts on the ON branch.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

from memlab._validate import real
from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import FitDefaults, IVDemo
from memlab.devices._params import Param, StateVar

__all__ = ["PCM"]

_KB_EV = 8.617333262e-5      # Boltzmann constant, eV/K (CODATA 2018)
_YEAR = 365.25 * 86400.0     # s

_SRC_EA = ("effective crystallisation activation energy of amorphous Ge2Sb2Te5 films, 2.34 eV at slow heating "
           "(in situ sheet-resistance study 'Effect of heating rate on the activation energy for crystallization of "
           "amorphous Ge2Sb2Te5 thin film')")
_SRC_RET = "10-year retention at 85 C, the usual GST data-retention target (e.g. Pirovano et al., IEEE TDMR 4, 422 (2004))"
_SRC_TM = "melting point of Ge2Sb2Te5, ~ 900 K (Raoux, Welnic & Ielmini, Chem. Rev. 110, 240 (2010))"
_SRC_NU = ("drift exponent ~ 0.1 of amorphous GST at and above room temperature (Pirovano et al., IEEE TED 51, "
           "714 (2004); Khan et al., APL 116, 253501 (2020): 0.07-0.11)")
_SRC_TH = ("threshold switching of amorphous GST near 1 V, holding voltage below it (Pirovano et al., IEEE TED 51, "
           "452 (2004)); ON-state cell voltage plateau ~ 0.8 V above 100 uA (IBM mushroom cell, Sci. Rep. 12 "
           "(2022), doi:10.1038/s41598-022-09948-6, Fig. 5a)")
_SRC_CELL = ("representative mushroom GST cell (SET ~ 10 kohm, RESET ~ 1 Mohm, R_th of a few K/uW; Rajendran et al., "
             "IEDM 2008; Sebastian et al., Nat. Commun. 5, 4314 (2014)); not a fitted set")
_MEMLAB = "memlab choice (smoothing width / time scale, see module docstring)"


def _k0_from_retention(Ea=2.34, t_ret=10 * _YEAR, T_ret=358.15):
    """Arrhenius prefactor (1/s) that gives a crystallisation time ``t_ret`` (s) at ``T_ret`` (K)."""
    return math.exp(Ea / (_KB_EV * T_ret)) / t_ret


def _pos(name, value, unit, source, doc, log=False):
    return Param(name, value, unit, lo=0.0, lo_open=True, source=source, doc=doc, log=log)


class PCM(DeviceModel):
    """Phase-change memory cell, state c = crystalline fraction in [0, 1] (1: SET).

    ``i = c v/R_c + (1 - c) [(1 - s) v/R_a + s (v - V_h sgn v)/R_on]``,
    ``T = T_amb + R_th v i``,
    ``dc/dt = (1 - m) (1 - c) / (tau_x + exp(Ea/kB T)/k0) - m c / tau_melt``
    (s: threshold switch at V_th, m: melt fraction at T_melt; module docstring).
    Units: ohm, V, K, K/W, eV, s, 1/s. :meth:`after` applies the resistance drift
    ``R_a (t/t0)^nu`` of the amorphous phase.
    """

    name = "PCM (phase-change memory)"
    simplify_conductance = False      # i/v keeps its 1/v (threshold branch); simplify: 13.6 s for nothing
    reference = ("lumped PCM compact model after D. Ventrice et al., IEEE TED 54(1), 2007 (threshold switching, "
                 "Joule heating, crystallisation/melting kinetics); drift after Pirovano et al., IEEE TED 51, 714 (2004)")
    short_name, aliases = "pcm", ("phasechange", "pcram")
    state = StateVar("c", 0.0, 1.0, "1", 1.0, "crystalline fraction of the active volume")
    iv_demo = IVDemo(3.0, 1e5, 10e3, 1.0)
    fit_defaults = FitDefaults(params=("R_c", "R_a", "V_th", "R_th"),
                               search={"R_c": (1e3, 1e5), "R_a": (1e5, 1e8), "V_th": (0.3, "vmax"),
                                       "R_th": (1e5, 1e8)},
                               log=("R_th",), on_positive=None)
    parameters = (
        _pos("R_c", 10e3, "ohm", _SRC_CELL, "crystalline (SET) resistance", log=True),
        _pos("R_a", 1e6, "ohm", _SRC_CELL, "amorphous OFF-branch (RESET) resistance at t0 after programming", log=True),
        _pos("V_th", 1.0, "V", _SRC_TH, "threshold switching voltage of the amorphous phase"),
        Param("V_h", 0.75, "V", lo=0.0, source=_SRC_TH, doc="holding voltage (offset of the ON branch)"),
        _pos("R_on", 300.0, "ohm", _SRC_TH, "dynamic resistance of the ON branch", log=True),
        _pos("dV", 0.02, "V", _MEMLAB, "width of the threshold switch"),
        _pos("T_amb", 300.0, "K", "room temperature", "ambient temperature"),
        Param("R_th", 2.5e6, "K/W", lo=0.0, source=_SRC_CELL, doc="thermal resistance (2.5 K/uW)"),
        _pos("T_melt", 900.0, "K", _SRC_TM, "melting temperature"),
        _pos("dT", 5.0, "K", _MEMLAB, "width of the melting transition"),
        _pos("Ea", 2.34, "eV", _SRC_EA, "crystallisation activation energy"),
        _pos("k0", _k0_from_retention(), "1/s", f"from Ea and {_SRC_RET}", "Arrhenius prefactor of crystallisation",
             log=True),
        _pos("tau_x", 10e-9, "s", "GST SET (crystallisation) times of tens of ns", "fastest crystallisation time",
             log=True),
        _pos("tau_melt", 1e-9, "s", _MEMLAB, "melting time constant", log=True),
        Param("nu", 0.1, "1", lo=0.0, hi=1.0, source=_SRC_NU, doc="drift exponent of the amorphous resistance"),
        _pos("t0", 1.0, "s", _SRC_NU, "reference time of R_a after programming"),
    )

    def _validate(self, values):
        for lo, hi in (("V_h", "V_th"), ("R_c", "R_a"), ("R_on", "R_a"), ("T_amb", "T_melt")):
            if np.any(np.asarray(values[lo]) >= np.asarray(values[hi])):
                raise ParameterError(f"PCM: parameter '{lo}' must be below '{hi}' "
                                     f"(got {lo}={values[lo]!r}, {hi}={values[hi]!r})")

    @staticmethod
    def _step(z):
        """Smooth unit step (1 + tanh z)/2 (never overflows, unlike 1/(1 + exp(-2z)))."""
        return (1 + sp.tanh(z)) / 2

    def current_parts(self, v, x, p):
        """(current i in A, temperature T in K) as sympy expressions of v, c and ``p``."""
        s = self._step((v ** 2 - p.V_th ** 2) / (4 * p.V_th * p.dV))
        i_on = sp.Piecewise(((v - p.V_h) / p.R_on, v >= 0), ((v + p.V_h) / p.R_on, True))
        i_a = (1 - s) * v / p.R_a + s * i_on
        i = x * v / p.R_c + (1 - x) * i_a
        return i, p.T_amb + p.R_th * v * i

    def equations(self, v, x, p):
        i, T = self.current_parts(v, x, p)
        m = self._step((T - p.T_melt) / (2 * p.dT))
        k = 1 / (p.tau_x + sp.exp(p.Ea / (_KB_EV * T)) / p.k0)
        # plain c, not the gap form of memlab.devices.windows: both terms decay
        # exponentially into their bound, where the current no longer depends on c, and
        # relative precision of a gap of 1e-200 would cost steps for nothing
        rate = (1 - m) * k * (1 - x) - m * x / p.tau_melt
        return i, rate

    # ------------------------------------------------------------------ derived physics
    def temperature(self, v, c):
        """Quasi-static cell temperature ``T_amb + R_th v i`` (K) at voltage v (V), state c."""
        v = real(v, "v", unit="V", where="PCM.temperature", array=True)
        c = real(c, "c", lo=0.0, hi=1.0, where="PCM.temperature", array=True)
        return self.values["T_amb"] + self.values["R_th"] * np.asarray(v, float) * self.current(v, c)

    def crystallisation_time(self, T):
        """1/k(T) in s: the JMAK (n = 1) time constant of crystallisation at temperature T (K)
        below the melt, ``tau_x + exp(Ea / kB T)/k0``."""
        from memlab._validate import real
        T = real(T, "T", lo=0.0, lo_open=True, unit="K", where="PCM.crystallisation_time", array=True)
        p = self.values
        with np.errstate(over="ignore"):
            return p["tau_x"] + np.exp(p["Ea"] / (_KB_EV * T)) / p["k0"]

    def reset_current(self):
        """Current (A) at which a fully crystalline cell reaches T_melt:
        ``sqrt((T_melt - T_amb)/(R_th R_c))`` (Joule heating of the SET resistance)."""
        p = self.values
        with np.errstate(divide="ignore"):
            return np.sqrt((p["T_melt"] - p["T_amb"]) / (p["R_th"] * p["R_c"]))

    def after(self, t) -> "PCM":
        """The model read a time ``t`` (s) after programming: R_a drifted to ``R_a (t/t0)^nu``
        (:func:`memlab.devices.drift` on the amorphous conductance; the crystalline phase
        does not drift). ``t`` may be an array (one device per time, broadcast with the
        parameters)."""
        from memlab.devices._variability import drift
        p = self.values
        g = drift(1.0 / np.asarray(p["R_a"], float), t, t0=p["t0"], nu=p["nu"])
        r_a = 1.0 / g
        return self.with_params(R_a=float(r_a) if np.ndim(r_a) == 0 else r_a)
