"""JART VCM v1b: the Juelich/Aachen valence-change model (Bengel et al., TCAS-I 2020).

State: the oxygen-vacancy concentration ``N`` of the disc next to the Schottky contact,
in m^-3 (the source counts in 1e26 m^-3), bounded by ``N_min`` and ``N_max``. The cell is
a Schottky contact in series with the disc (resistance ``l_disc / (z q mu_n N A)``), the
plug (``N_plug``), the TiOx layer and the lines (``R_TiOx + R0 (1 + R0 alpha I^2 R_th,line)``).
The Schottky current is thermionic emission in the RESET direction (v > 0) and
thermionic-field emission in the SET direction (v < 0), with image-force barrier lowering
that grows with N; the temperature is algebraic, ``T = T0 + I V_int R_th,eff`` (V_int: the
voltage over Schottky, disc and plug), with R_th,eff = R_th0 for SET and
R_th0 * Rth_reset_scale for RESET. The ionic current is field-accelerated,
Arrhenius-activated hopping over the barrier ``dWa`` (Mott-Gurney form with gamma =
z a E / (pi dWa)), limited near the bounds by F_lim = 1 - (N_min/N)^10 (RESET) or
1 - (N/N_max)^10 (SET); ``dN/dt = -I_ion / (z q A l_disc)``.

The published model's current is implicit: the Schottky voltage and the temperature solve
``v = u + I(u, T) R_tot(I)`` and ``T = T0 + I (u + I (R_disc + R_plug)) R_th,eff`` together
(internal nodes of the Verilog-A). memlab's models need an explicit ``i(v, x)`` (the
numba kernels, the ngspice and Verilog-A printers all work on it), and a closed-form
solve (a Lambert-W form with the barrier and temperature frozen per stage) grows to
megabytes of printed expression. :class:`JARTVCM` therefore takes the explicit current
that Ntinas et al. published for exactly this device and parameter set (JART-TUD,
SMACD 2023: a generalised-logistic plus exp-lin function of ln(N / 0.004e26 m^-3) whose
coefficients depend on v, fitted to JART v1b at the nominal geometry r = 45 nm,
l_disc = 0.4 nm), and keeps the v1b ionic kinetics and thermal model around it, as
JART-TUD does: the series voltage, the disc voltage, the field and T follow from that
current. The error of the explicit current against the implicit v1b solution (solved
independently with scipy brentq per point) is measured in tests/devices/test_jart.py and
stated in docs/notes/devices.md.
"""
from __future__ import annotations


import numpy as np
import sympy as sp

from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import FitDefaults, IVDemo
from memlab.devices._params import Param, StateVar

__all__ = ["JARTVCM", "tud_current", "tud_branches"]

_Q = 1.602e-19            # elementary charge as in the source, C
_KB = 1.3807e-23          # Boltzmann constant as in the source, J/K (its 'physical constants'
                          # block; CODATA's 1.380649e-23 shifts the switching times by ~1e-4 s
                          # on a 1 V/s sweep: docs/notes/devices.md §6)
_ZVO = 2                  # oxygen-vacancy charge number


_SRC = ("JART VCM v1b (Bengel et al., IEEE TCAS-I 67(12), 4618 (2020)); defaults of the JART VCM v1b "
        "Verilog-A (www.emrl.de/JART.html), as carried by the JART-TUD and C++ ports")


def _pos(name, value, unit, doc, log=False, **kw):
    return Param(name, value, unit, lo=0.0, lo_open=True, source=_SRC, doc=doc, log=log, **kw)


class JARTVCM(DeviceModel):
    """JART VCM v1b (deterministic) valence-change cell; SET at v < 0, RESET at v > 0.

    State ``N`` (m^-3) in [N_min, N_max]; parameters in SI units, energies in eV (the
    source gives concentrations in 1e26 m^-3 and lengths in nm). See the module
    docstring for the equations; the terminal current is the published explicit
    approximation (JART-TUD) of the source's implicit one, error stated in
    docs/notes/devices.md; :meth:`temperature` gives T.
    """

    name = "JART VCM v1b"
    reference = ("C. Bengel et al., 'Variability-aware modeling of filamentary oxide-based bipolar resistive "
                 "switching cells using SPICE level compact models', IEEE TCAS-I 67(12), 4618-4630 (2020)")
    short_name, aliases = "jart", ("jartvcm", "jartvcmv1b", "jartv1b")
    iv_demo = IVDemo(1.5, 1.0, 0.0, 0.008e26)
    fit_defaults = FitDefaults(params=("dWa", "R_TiOx"), search={"dWa": (1.0, 1.6), "R_TiOx": (10.0, 5e3)},
                               on_positive=False)
    state = StateVar("N", 0.008e26, 20e26, "1/m^3", 0.008e26, "oxygen-vacancy concentration of the disc")

    parameters = (
        _pos("T0", 293.0, "K", "ambient temperature"),
        _pos("mu_n", 4e-6, "m^2/(V s)", "electron mobility", log=True),
        _pos("N_min", 0.008e26, "1/m^3", "minimum disc concentration (state bound)", log=True),
        _pos("N_max", 20e26, "1/m^3", "maximum disc concentration (state bound)", log=True),
        _pos("N_plug", 20e26, "1/m^3", "plug concentration"),
        _pos("a", 0.25e-9, "m", "ion hopping distance"),
        _pos("nu0", 2e13, "Hz", "attempt frequency", log=True),
        _pos("dWa", 1.35, "eV", "activation energy of ion hopping"),
        _pos("R_th0", 15.72e6, "K/W", "thermal resistance (SET)", log=True),
        _pos("Rth_reset_scale", 0.27, "1", "R_th,eff(RESET) / R_th0"),
        _pos("r_fil", 45e-9, "m", "filament radius"),
        _pos("l_cell", 3e-9, "m", "length of disc plus plug"),
        _pos("l_disc", 0.4e-9, "m", "length of the disc"),
        Param("R_TiOx", 650.0, "ohm", lo=0.0, source=_SRC, doc="series resistance of the TiOx layer"),
        Param("R0", 719.2437, "ohm", lo=0.0, source=_SRC, doc="line resistance at T0"),
        Param("R_th_line", 90471.47, "K/W", lo=0.0, source=_SRC, doc="thermal resistance of the lines"),
        Param("alpha_line", 3.92e-3, "1/K", lo=0.0, source=_SRC, doc="temperature coefficient of the lines"),
    )

    def _validate(self, values):
        checks = (("N_min", "N_max"), ("l_disc", "l_cell"))
        for lo, hi in checks:
            if np.any(np.asarray(values[lo]) >= np.asarray(values[hi])):
                raise ParameterError(f"JARTVCM: parameter '{lo}' must be below '{hi}' "
                                     f"(got {lo}={values[lo]!r}, {hi}={values[hi]!r})")

    def bounds_expr(self, p):
        return p.N_min, p.N_max

    # ------------------------------------------------------------------ equations
    @staticmethod
    def _area(p):
        return sp.pi * p.r_fil ** 2

    def equations(self, v, x, p):
        pos, neg = tud_branches(v, x)
        # one Piecewise over the polarity, each branch with its own current (printed once
        # per use instead of the two-branch current in every use)
        rate = sp.Piecewise((self._rate(v, x, p, pos, True), v > 0), (self._rate(v, x, p, neg, False), True))
        return sp.Piecewise((pos, v > 0), (neg, True)), rate

    def _rate(self, v, x, p, i, reset):
        """dN/dt (m^-3/s) for the RESET (v > 0) or SET branch at terminal current ``i``."""
        A = self._area(p)
        r_series = p.R_TiOx + p.R0 * (1 + p.R0 * p.alpha_line * i ** 2 * p.R_th_line)
        v_int = v - i * r_series                          # over Schottky, disc and plug
        if reset:   # field over disc and plug, flux limited near N_min, reduced R_th
            E, rth = v_int / p.l_cell, p.R_th0 * p.Rth_reset_scale
            # float exponent: sympy would expand (N/x)**10 into N**10/x**10, which
            # overflows ngspice's pow at N ~ 1e27 m^-3
            flim = 1 - (p.N_min / x) ** 10.0
        else:       # field over the disc (its voltage / l_disc), limited near N_max
            E, rth = i / (x * _ZVO * _Q * p.mu_n * A), p.R_th0
            flim = 1 - (x / p.N_max) ** 10.0
        T = p.T0 + i * v_int * rth
        gamma = _ZVO * p.a * E / (sp.pi * p.dWa)
        # |gamma| = 1 removes the hopping barrier; beyond (|v| of several V) it stays removed
        gm = sp.Max(sp.Min(gamma, 1), -1)
        root = sp.sqrt(1 - gm ** 2) + gm * sp.asin(gm)
        kT_eV = _KB * T / _Q
        # exp(-dW_min/kT) - exp(-dW_max/kT), dW_min/max = dWa (root -/+ gamma pi/2)
        # (written as two exponentials, not 2 e^(-a) sinh(b): sympy asks sinh(b).is_real
        # through b.as_real_imag(), which made d(rate)/dv take 120-180 s per process)
        w_min, w_max = p.dWa * (root - gm * sp.pi / 2), p.dWa * (root + gm * sp.pi / 2)
        hop = sp.exp(-w_min / kT_eV) - sp.exp(-w_max / kT_eV)
        cvo = (p.N_plug + x) / 2
        i_ion = _ZVO * _Q * cvo * p.a * p.nu0 * A * hop * flim
        return -i_ion / (A * p.l_disc * _ZVO * _Q)

    def temperature(self, v, x):
        """Filament temperature (K) at device voltage ``v`` (V) and state ``x`` (m^-3):
        ``T0 + I (v - I R_series) R_th,eff`` with R_th,eff of the polarity."""
        vals = self._values
        v, x = np.asarray(v, float), np.asarray(x, float)
        i = self.current(v, x)
        r_series = vals["R_TiOx"] + vals["R0"] * (1 + vals["R0"] * vals["alpha_line"] * i ** 2 * vals["R_th_line"])
        rth = np.where(v > 0, vals["R_th0"] * vals["Rth_reset_scale"], vals["R_th0"])
        return vals["T0"] + i * (v - i * r_series) * rth


# JART-TUD explicit current (Ntinas et al., SMACD 2023; coefficients of their published
# table for the nominal device, d_r = d_l = 0), N normalised by N_dL = 0.004e26 m^-3
_TUD_POS = dict(p5_1=1.3769e-03, p5_2=8.1819e-02, p6_0=1.9687e-01, p6_1=-2.1833e-02, p7_0=-9.7606e+01,
                p7_1=7.8250e+00, p7_2=9.9296e+01, p7_3=7.1092e-02, p8_0=1.1713e-01, p8_1=8.1370e-02,
                p10_0=9.7733e-01, p10_1=3.5214e-02, p10_2=1.2856e-02, p11_0=9.4207e-01, p11_1=3.8953e-02,
                p11_2=2.3436e-02)
_TUD_NEG = dict(p1_0=1.1830e+00, p1_1=-2.7034e-03, p1_2=-4.5379e-06, p1_3=9.9115e-01, p1_4=4.4093e-01,
                p2_0=-2.5955e+03, p3_0=6.8845e+00, p3_1=-5.8995e-01, p4_0=2.5890e+03, p4_1=-2.9537e+00,
                p4_2=-5.4031e-01, p5_1=6.4705e-04, p5_2=5.1529e-05, p7_0=1.1708e-01, p9_0=3.9052e+00,
                p9_1=9.6130e+00, p9_2=-4.5637e-01, p9_3=1.4310e+00, p10_0=4.6925e-01, p10_1=3.4731e+00,
                p10_2=-1.1871e+00, p10_3=5.6947e-01, p11_0=1.0667e+01, p11_1=1.2812e-01, p11_2=7.4414e-01,
                p11_3=4.2381e-01)
_N_DL = 0.004e26


def tud_current(v, x):
    """The JART-TUD explicit current (A) at device voltage ``v`` (V) and disc
    concentration ``x`` (m^-3), as a sympy expression (sympy or float arguments)."""
    pos, neg = tud_branches(v, x)
    return sp.Piecewise((pos, v > 0), (neg, True))


def tud_branches(v, x):
    """The two branches (v > 0, v <= 0) of :func:`tud_current` as sympy expressions."""
    c, n = _TUD_POS, _TUD_NEG
    L = sp.log(x / _N_DL)

    def logistic(lo, hi, mid, width):
        return lo + (hi - lo) / (1 + sp.exp((v - mid) / width))

    def glf(p5, p6, p7, p8, p9, p10, p11):            # generalised logistic part
        # p5 / (p6 + p7 (p8 e^(L - p9))^(-p10))^(1/p11), powers of positive bases written as
        # exponentials (the printers would otherwise add a sign branch per power)
        inner = p6 + p7 * sp.exp(-p10 * (sp.log(p8) + L - p9))
        return p5 * sp.exp(-sp.log(inner) / p11)

    pos = glf(c["p5_1"] - c["p5_1"] * sp.exp(-c["p5_2"] * v), c["p6_0"] + c["p6_1"] * v,
              c["p7_0"] + c["p7_1"] * v + c["p7_2"] * sp.exp(-c["p7_3"] * v), c["p8_0"] + c["p8_1"] * v, 0,
              c["p10_0"] + c["p10_1"] * v + c["p10_2"] * v ** 2, c["p11_0"] + c["p11_1"] * v + c["p11_2"] * v ** 2)
    p1 = n["p1_0"] * (n["p1_1"] * v + n["p1_2"] * v ** 2) / (1 + n["p1_3"] * v + n["p1_4"] * v ** 2)
    p3 = n["p3_0"] + n["p3_1"] * v
    p4 = n["p4_0"] - n["p4_1"] * sp.exp(-n["p4_2"] * v)
    explin = p1 * (n["p2_0"] * (sp.exp((L - p3) / p4) - 1) + (L - p3))
    neg = explin + glf(n["p5_1"] * v + n["p5_2"] * v ** 2, 1, n["p7_0"], 1,
                       logistic(n["p9_0"], n["p9_1"], n["p9_2"], n["p9_3"]),
                       logistic(n["p10_0"], n["p10_1"], n["p10_2"], n["p10_3"]),
                       1 / logistic(n["p11_0"], n["p11_1"], n["p11_2"], n["p11_3"]))
    return pos, neg


