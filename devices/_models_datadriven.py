"""The data-driven ReRAM model of Messaris et al. (IEEE TCAD 37, 3151 (2018)), as in MemTorch.

State: the device resistance R (ohm) in [r_on, r_off]. Current (sinh I-V, per polarity)::

    i = a_p sinh(b_p v) / R   (v > 0),      i = a_n sinh(b_n v) / R   (v <= 0)

Switching rate: a voltage-dependent switching sensitivity times a window that stops the
resistance at a voltage-dependent boundary r_p(v) (RESET, v > 0) or r_n(v) (SET, v < 0)::

    dR/dt = A_p (exp(t_p |v|) - 1) (exp(k_p (r_p(v) - R)) - 1)   for v > 0 and R < r_p(v)
    dR/dt = A_n (exp(t_n |v|) - 1) (exp(k_n (R - r_n(v))) - 1)   for v < 0 and R > r_n(v)
    dR/dt = 0                                                     otherwise

with ``r_p(v) = r_p0 + r_p1 v`` and ``r_n(v) = r_n0 + r_n1 v`` (the two coefficients of
MemTorch's ``r_p``, ``r_n`` lists); A_p > 0 raises R towards r_p, A_n < 0 lowers it towards
r_n. The switching direction ``eta`` of the paper is +1 here (MemTorch's default; a device
of the other orientation is connected reversed).

MemTorch (memtorch/bh/memristor/Data_Driven.py) advances R per time step with the exact
solution of this ODE at constant voltage (``R(t + dt)`` from ``exp(k R)``), keeps R when
the step would pass the boundary (the step function above) and confines R to
[r_on, r_off]; memlab integrates the same ODE (the state bounds are r_on and r_off). The
defaults are MemTorch's published set (the paper's fit to a TiOx device).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import FitDefaults, IVDemo
from memlab.devices._params import Param, StateVar

__all__ = ["DataDriven"]

_SRC = ("Messaris et al., 'A data-driven Verilog-A ReRAM model', IEEE TCAD 37(12), 3151 (2018); defaults of "
        "MemTorch memtorch/bh/memristor/Data_Driven.py")


def _pos(name, value, unit, doc, log=False):
    return Param(name, value, unit, lo=0.0, lo_open=True, source=_SRC, doc=doc, log=log)


class DataDriven(DeviceModel):
    """Messaris et al.'s data-driven ReRAM model (module docstring); state R (ohm).

    Units: resistances in ohm, A_p/A_n in ohm/s, t_p/t_n in 1/V, k_p/k_n in 1/ohm, r_p1/r_n1
    in ohm/V, a_p/a_n dimensionless (current a sinh(b v)/R in A), b_p/b_n in 1/V.
    """

    name = "data-driven (Messaris)"
    reference = ("I. Messaris et al., 'A Data-Driven Verilog-A ReRAM Model', IEEE TCAD 37(12), 3151-3162 (2018)")
    short_name, aliases = "datadriven", ("messaris", "data")
    iv_demo = IVDemo(1.5, 10e3, 0.0, 1280.0)       # MemTorch's plot_hysteresis_loop: 1.5 V, 10 kHz
    fit_defaults = FitDefaults(
        params=("A_p", "A_n", "t_p", "t_n", "a_p", "a_n"),
        search={"A_p": (1.0, 1e6), "A_n": (-1e7, -1.0), "t_p": (0.1, 20.0), "t_n": (0.01, 20.0),
                "a_p": (0.01, 10.0), "a_n": (0.01, 10.0)},
        log=("A_n",), on_positive=False)
    state = StateVar("R", 1280.0, 17e3, "ohm", 1280.0, "device resistance")
    parameters = (
        _pos("r_on", 1280.0, "ohm", "lowest resistance (state bound)", log=True),
        _pos("r_off", 17e3, "ohm", "highest resistance (state bound)", log=True),
        _pos("A_p", 743.47, "ohm/s", "RESET sensitivity amplitude", log=True),
        Param("A_n", -68012.28374, "ohm/s", hi=0.0, hi_open=True, source=_SRC, doc="SET sensitivity amplitude (negative)"),
        _pos("t_p", 6.51, "1/V", "RESET sensitivity exponent"),
        _pos("t_n", 0.31645, "1/V", "SET sensitivity exponent"),
        _pos("k_p", 5.11e-4, "1/ohm", "RESET window steepness"),
        _pos("k_n", 1.17e-3, "1/ohm", "SET window steepness"),
        Param("r_p0", 16719.0, "ohm", source=_SRC, doc="RESET boundary r_p(v) = r_p0 + r_p1 v, constant term"),
        Param("r_p1", 0.0, "ohm/V", source=_SRC, doc="RESET boundary, slope"),
        Param("r_n0", 29304.82557, "ohm", source=_SRC, doc="SET boundary r_n(v) = r_n0 + r_n1 v, constant term"),
        Param("r_n1", 23692.77225, "ohm/V", source=_SRC, doc="SET boundary, slope"),
        _pos("a_p", 0.24, "1", "current scale, v > 0"),
        _pos("a_n", 0.24, "1", "current scale, v <= 0"),
        _pos("b_p", 3.0, "1/V", "sinh slope, v > 0"),
        _pos("b_n", 3.0, "1/V", "sinh slope, v <= 0"),
    )

    def _validate(self, values):
        if np.any(np.asarray(values["r_on"]) >= np.asarray(values["r_off"])):
            raise ParameterError(f"DataDriven: parameter 'r_on' must be below 'r_off' "
                                 f"(got r_on={values['r_on']!r}, r_off={values['r_off']!r})")

    def bounds_expr(self, p):
        return p.r_on, p.r_off

    def equations(self, v, x, p):
        i = sp.Piecewise((p.a_p * sp.sinh(p.b_p * v) / x, v > 0), (p.a_n * sp.sinh(p.b_n * v) / x, True))
        r_p = p.r_p0 + p.r_p1 * v
        r_n = p.r_n0 + p.r_n1 * v
        reset = p.A_p * (sp.exp(p.t_p * v) - 1) * (sp.exp(p.k_p * (r_p - x)) - 1)
        set_ = p.A_n * (sp.exp(-p.t_n * v) - 1) * (sp.exp(p.k_n * (x - r_n)) - 1)
        rate = sp.Piecewise((reset, (v > 0) & (x < r_p)), (set_, (v < 0) & (x > r_n)), (0, True))
        return i, rate
