"""The built-in compact models, each written once in sympy.

Every default parameter names its source; see docs/notes/devices.md and the class
docstrings. Polarity conventions follow each model's original publication.
"""
from __future__ import annotations

import math

import sympy as sp

from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import FitDefaults, IVDemo
from memlab.devices._params import Param, StateVar
from memlab.devices import _windows as W

__all__ = ["HPLinearDrift", "TEAM", "VTEAM", "Yakopcic", "StanfordPKU", "KnowmMSS",
           "ThresholdMemristor", "SinhConductance", "Selector", "MODELS"]

INF = math.inf
_Q = 1.602176634e-19      # elementary charge, C
_KB = 1.380649e-23        # Boltzmann constant, J/K

_SRC_HP = "Strukov et al., Nature 453, 80 (2008), Fig. 2; Joglekar/Kvatinsky TEAM preprint Fig. 2 (docs/notes/devices.md §1)"


def _pos(name, value, unit, source, doc, log=False, **kw):
    return Param(name, value, unit, lo=0.0, lo_open=True, source=source, doc=doc, log=log, **kw)


def _check_order(model, values, lo_name, hi_name):
    import numpy as np
    lo, hi = np.asarray(values[lo_name]), np.asarray(values[hi_name])
    if np.any(lo >= hi):
        raise ParameterError(f"{type(model).__name__}: parameter '{lo_name}' must be below '{hi_name}' "
                             f"(got {lo_name}={values[lo_name]!r}, {hi_name}={values[hi_name]!r})")


class HPLinearDrift(DeviceModel):
    """HP linear ion drift memristor (Strukov et al. 2008) with a choice of window.

    State ``x = w/D`` in [0, 1] (1 = fully doped, R_on). Equations::

        i = v / (R_on x + R_off (1 - x))
        dx/dt = mu_v R_on i / D^2 * f(x)

    ``window``: ``"none"``, ``"strukov"`` (x(1-x)), ``"joglekar"`` (p), ``"biolek"`` (p),
    ``"prodromakis"`` (p, j). Positive current increases x (lowers the resistance).
    """

    name = "HP linear drift"
    reference = "D. B. Strukov et al., 'The missing memristor found', Nature 453, 80-83 (2008)"
    short_name, aliases = "hp", ("hplineardrift",)
    iv_demo = IVDemo(1.0, 2.0, 0.0, 0.5)          # at 1 Hz the state reaches the bound x = 1
    fit_defaults = FitDefaults(params=("R_on", "R_off", "mu_v"),
                               search={"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "mu_v": (1e-20, 1e-8)},
                               on_positive=True)
    state = StateVar("x", 0.0, 1.0, "1", 0.5, "normalised doped-region width w/D")
    options = {"window": ("joglekar", W.WINDOWS)}

    def param_defs(self):
        ps = [
            _pos("R_on", 100.0, "ohm", _SRC_HP, "resistance when fully doped (x = 1)", log=True),
            _pos("R_off", 16e3, "ohm", _SRC_HP, "resistance when undoped (x = 0)", log=True),
            _pos("D", 10e-9, "m", _SRC_HP, "device thickness"),
            _pos("mu_v", 1e-14, "m^2/(V s)", _SRC_HP, "dopant mobility", log=True),
        ]
        w = self._opts["window"]
        if w in ("joglekar", "biolek", "prodromakis"):
            ps.append(Param("p", 1, "1", lo=1, hi=50, integer=True, doc="window exponent",
                            source="Joglekar & Wolf, Eur. J. Phys. 30, 661 (2009); KN Joglekar/Verilog-A p = 1"))
        if w == "prodromakis":
            ps.append(_pos("j", 1.0, "1", "Prodromakis et al., IEEE TED 58, 3099 (2011)", "window scale"))
        return tuple(ps)

    def _validate(self, values):
        _check_order(self, values, "R_on", "R_off")

    def equations(self, v, x, p):
        i = v / (p.R_on * x + p.R_off * (1 - x))
        # windows in gap form: the integrator keeps the distance to the bound (issue 14)
        f = W.gap_window(self._opts["window"], x, p.p if "p" in self._defs else None, v <= 0,
                         p.j if "j" in self._defs else None)
        return i, p.mu_v * p.R_on * i / p.D ** 2 * f


_SRC_TEAM = "Kvatinsky et al., IEEE TCAS-I 60, 211 (2013), Figs. 10-13 TEAM fit; Xyce_Regression memristorTEAM_test.cir"
_SRC_XY = "Xyce N_DEV_MemristorTEAM.C defaults (docs/notes/devices.md §3)"
_SRC_VA = ("Kvatinsky et al., 'Verilog-A for memristor models', Technion CCIT Technical Report 801 (Dec. 2011): "
           "window_type 1-3 with p_coeff = 2, J = 1 for TEAM")
_SRC_VT = "MemTorch memristor/VTEAM.py defaults (asic2.group VTEAM); Kvatinsky et al., IEEE TCAS-II 62, 786 (2015)"


class _TeamBase(DeviceModel):
    """Shared I-V and window of TEAM and VTEAM (state x = oxide width in m)."""

    options = {"iv": ("linear", ("linear", "exponential")), "window": ("none", ("none", "kvatinsky") + W.WINDOWS[2:])}

    def _common(self, src_r):
        return [
            _pos("R_on", 50.0, "ohm", src_r, "resistance at x = x_on", log=True),
            _pos("R_off", 1e3, "ohm", src_r, "resistance at x = x_off", log=True),
            Param("x_on", 0.0, "m", lo=0.0, source=_SRC_XY, doc="state at R_on"),
            _pos("x_off", 3e-9, "m", _SRC_XY, "state at R_off (oxide thickness D)"),
        ]

    def bounds_expr(self, p):
        return p.x_on, p.x_off

    def _window_params(self):
        w = self._opts["window"]
        if w in ("joglekar", "biolek", "prodromakis"):
            ps = [Param("p", 2, "1", lo=1, hi=50, integer=True, doc="window exponent", source=_SRC_VA)]
            if w == "prodromakis":
                ps.append(_pos("j", 1.0, "1", _SRC_VA, "window scale"))
            return ps
        if w != "kvatinsky":
            return []
        return [Param("a_on", 0.0, "m", source=_SRC_XY, doc="ON window position"),
                Param("a_off", 3e-9, "m", source=_SRC_XY, doc="OFF window position"),
                _pos("w_c", 1.07e-12, "m", _SRC_XY, "window width")]

    def _validate(self, values):
        _check_order(self, values, "R_on", "R_off")
        _check_order(self, values, "x_on", "x_off")

    def _current(self, v, x, p):
        s = (x - p.x_on) / (p.x_off - p.x_on)
        if self._opts["iv"] == "linear":
            return v / (p.R_on + (p.R_off - p.R_on) * s)
        return v / (p.R_on * sp.exp(sp.log(p.R_off / p.R_on) * s))

    def _windows(self, x, p, nonpositive):
        """(f_on, f_off); the Joglekar, Biolek and Prodromakis windows act on the state
        normalised to [x_on, x_off], in gap form (as Kvatinsky et al.'s Verilog-A, with
        x/D; Biolek's step is taken of the current for TEAM, of the voltage for VTEAM)."""
        w = self._opts["window"]
        if w == "kvatinsky":
            return W.kvatinsky_on(x, p.a_on, p.w_c), W.kvatinsky_off(x, p.a_off, p.w_c)
        s = (x - p.x_on) / (p.x_off - p.x_on)
        f = W.gap_window(w, s, getattr(p, "p", None), nonpositive, getattr(p, "j", None))
        return f, f


class TEAM(_TeamBase):
    """ThrEshold Adaptive Memristor model (Kvatinsky et al. 2013), current-controlled.

    ``dx/dt = k_off (i/i_off - 1)^alpha_off f_off(x)`` for i > i_off > 0, zero between
    the thresholds, ``k_on (i/i_on - 1)^alpha_on f_on(x)`` for i < i_on < 0.
    State x (m) in [x_on, x_off]; ``iv`` linear or exponential; ``window`` none,
    kvatinsky, or (as in the TEAM paper's Verilog-A) joglekar, biolek, prodromakis. Defaults: the TEAM paper's fit (k in m/s: 1.46e-9 nm/s = 1.46e-18 m/s).
    """

    name = "TEAM"
    reference = "S. Kvatinsky et al., 'TEAM: ThrEshold Adaptive Memristor Model', IEEE TCAS-I 60(1), 211 (2013)"
    short_name = "team"
    iv_demo = IVDemo(1.0, 20e6, 100.0, 1.5e-9)
    fit_defaults = FitDefaults(
        params=("R_on", "R_off", "k_off", "k_on", "alpha_off", "alpha_on", "i_off", "i_on"),
        search={"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "k_off": (1e-15, 1.0), "k_on": (-1.0, -1e-15),
                "alpha_off": (0.5, 12.0), "alpha_on": (0.5, 12.0), "i_off": (1e-9, 1e-2), "i_on": (-1e-2, -1e-9)},
        log=("k_on", "i_off", "i_on"), on_positive=False)
    state = StateVar("x", 0.0, 3e-9, "m", 1.5e-9, "oxide (undoped) width")

    def param_defs(self):
        return tuple(self._common(_SRC_TEAM) + [
            _pos("k_off", 1.46e-18, "m/s", _SRC_TEAM, "OFF rate constant", log=True),
            Param("k_on", -4.68e-22, "m/s", hi=0.0, hi_open=True, source=_SRC_TEAM, doc="ON rate constant (negative)"),
            _pos("alpha_off", 10.0, "1", _SRC_TEAM, "OFF nonlinearity exponent"),
            _pos("alpha_on", 10.0, "1", _SRC_TEAM, "ON nonlinearity exponent"),
            _pos("i_off", 115e-6, "A", _SRC_TEAM, "OFF current threshold"),
            Param("i_on", -8.9e-6, "A", hi=0.0, hi_open=True, source=_SRC_TEAM + " (negative, unlike Xyce's default)",
                  doc="ON current threshold (negative)"),
        ] + self._window_params())

    def _validate(self, values):
        super()._validate(values)
        # state bounds follow x_on/x_off
        return None

    def equations(self, v, x, p):
        i = self._current(v, x, p)
        f_on, f_off = self._windows(x, p, i <= 0)
        rate = sp.Piecewise(
            (p.k_off * (i / p.i_off - 1) ** p.alpha_off * f_off, i > p.i_off),
            (p.k_on * (i / p.i_on - 1) ** p.alpha_on * f_on, i < p.i_on),
            (0, True))
        return i, rate


class VTEAM(_TeamBase):
    """Voltage ThrEshold Adaptive Memristor model (Kvatinsky et al. 2015).

    ``dx/dt = k_off (v/v_off - 1)^alpha_off f_off(x)`` for v > v_off > 0, zero between
    thresholds, ``k_on (v/v_on - 1)^alpha_on f_on(x)`` for v < v_on < 0. State x (m) in
    [x_on, x_off]; positive voltage drives towards R_off. ``window`` as for :class:`TEAM`. Defaults: MemTorch's VTEAM
    (R_on 50 ohm, R_off 1 kohm, D 3 nm, k_on -10 m/s, k_off 5e-4 m/s, alpha 3/1,
    v_on -0.2 V, v_off 0.02 V).
    """

    name = "VTEAM"
    reference = "S. Kvatinsky et al., 'VTEAM: A General Model for Voltage-Controlled Memristors', IEEE TCAS-II 62(8), 786 (2015)"
    short_name = "vteam"
    iv_demo = IVDemo(1.0, 20e6, 100.0, 1.5e-9)
    fit_defaults = FitDefaults(
        params=("R_on", "R_off", "k_off", "k_on", "alpha_off", "alpha_on", "v_off", "v_on"),
        search={"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "k_off": (1e-13, 1e-3), "k_on": (-1e-3, -1e-13),
                "alpha_off": (0.5, 10.0), "alpha_on": (0.5, 10.0), "v_off": (1e-3, "vmax"), "v_on": ("-vmax", -1e-3)},
        log=("k_on",), on_positive=False)
    state = StateVar("x", 0.0, 3e-9, "m", 0.0, "oxide (undoped) width")

    def param_defs(self):
        return tuple(self._common(_SRC_VT) + [
            _pos("k_off", 5e-4, "m/s", _SRC_VT, "OFF rate constant", log=True),
            Param("k_on", -10.0, "m/s", hi=0.0, hi_open=True, source=_SRC_VT, doc="ON rate constant (negative)"),
            _pos("alpha_off", 1.0, "1", _SRC_VT, "OFF nonlinearity exponent"),
            _pos("alpha_on", 3.0, "1", _SRC_VT, "ON nonlinearity exponent"),
            _pos("v_off", 0.02, "V", _SRC_VT, "OFF voltage threshold"),
            Param("v_on", -0.2, "V", hi=0.0, hi_open=True, source=_SRC_VT, doc="ON voltage threshold (negative)"),
        ] + self._window_params())

    def equations(self, v, x, p):
        i = self._current(v, x, p)
        f_on, f_off = self._windows(x, p, v <= 0)
        rate = sp.Piecewise(
            (p.k_off * (v / p.v_off - 1) ** p.alpha_off * f_off, v > p.v_off),
            (p.k_on * (v / p.v_on - 1) ** p.alpha_on * f_on, v < p.v_on),
            (0, True))
        return i, rate


_SRC_YK = "Yakopcic et al., IEEE EDL 32, 1436 (2011); set A from Xyce_Regression memristorYakopcic.cir (docs/notes/devices.md §4)"


class Yakopcic(DeviceModel):
    """Yakopcic generalized memristor model (EDL 2011, TCAD 2013).

    ``i = a1 x sinh(b v)`` (v >= 0), ``a2 x sinh(b v)`` (v < 0); ``dx/dt = eta g(v) f(x)``
    with threshold function g (Ap, Vp, An, Vn; Vn is a magnitude) and state-dependent
    motion f (xp, xn, alpha_p, alpha_n). State x in [0, 1]. Defaults: set A.
    """

    name = "Yakopcic"
    reference = "C. Yakopcic et al., 'A Memristor Device Model', IEEE EDL 32(10), 1436 (2011)"
    short_name = "yakopcic"
    iv_demo = IVDemo(0.5, 100.0, 0.0, 0.11)
    fit_defaults = FitDefaults(
        params=("a1", "a2", "b", "Vp", "Vn", "Ap", "An", "xp", "xn", "alpha_p", "alpha_n"),
        search={"a1": (1e-7, 1.0), "a2": (1e-7, 1.0), "b": (0.01, 20.0), "Vp": (0.0, "vmax"), "Vn": (0.0, "vmax"),
                "Ap": (1.0, 1e7), "An": (1.0, 1e7), "xp": (0.0, 0.99), "xn": (0.0, 0.99),
                "alpha_p": (0.0, 20.0), "alpha_n": (0.0, 20.0)},
        on_positive=True)
    state = StateVar("x", 0.0, 1.0, "1", 0.11, "normalised state")
    parameters = (
        _pos("a1", 0.17, "A", _SRC_YK, "current scale, v >= 0", log=True),
        _pos("a2", 0.17, "A", _SRC_YK, "current scale, v < 0", log=True),
        _pos("b", 0.05, "1/V", _SRC_YK, "sinh slope"),
        Param("Vp", 0.16, "V", lo=0.0, source=_SRC_YK, doc="positive threshold"),
        Param("Vn", 0.15, "V", lo=0.0, source=_SRC_YK, doc="negative threshold magnitude"),
        _pos("Ap", 4000.0, "1/s", _SRC_YK, "positive rate magnitude", log=True),
        _pos("An", 4000.0, "1/s", _SRC_YK, "negative rate magnitude", log=True),
        Param("xp", 0.3, "1", lo=0.0, hi=1.0, hi_open=True, source=_SRC_YK, doc="onset of positive motion limit"),
        Param("xn", 0.5, "1", lo=0.0, hi=1.0, hi_open=True, source=_SRC_YK, doc="onset of negative motion limit"),
        Param("alpha_p", 1.0, "1", lo=0.0, source=_SRC_YK, doc="positive decay rate"),
        Param("alpha_n", 5.0, "1", lo=0.0, source=_SRC_YK, doc="negative decay rate"),
        Param("eta", 1.0, "1", lo=-1.0, hi=1.0, source=_SRC_YK, doc="polarity (+1 or -1)"),
    )

    def _validate(self, values):
        import numpy as np
        if np.any(np.abs(np.asarray(values["eta"])) != 1):
            raise ParameterError(f"Yakopcic: parameter 'eta' = {values['eta']!r} is outside the allowed set {{-1, +1}}")

    def equations(self, v, x, p):
        i = sp.Piecewise((p.a1 * x * sp.sinh(p.b * v), v >= 0), (p.a2 * x * sp.sinh(p.b * v), True))
        g = sp.Piecewise((p.Ap * (sp.exp(v) - sp.exp(p.Vp)), v > p.Vp),
                         (-p.An * (sp.exp(-v) - sp.exp(p.Vn)), v < -p.Vn),
                         (0, True))
        # wp = (xp - x)/(1 - xp) + 1 = (1 - x)/(1 - xp) and wn = x/(1 - xn) vanish at the
        # bounds: written with the gaps so the state keeps its distance to them (issue 14)
        wp = W.GAP_HI / (1 - p.xp)
        wn = W.GAP_LO / (1 - p.xn)
        f_pos = sp.Piecewise((sp.exp(-p.alpha_p * (x - p.xp)) * wp, x >= p.xp), (1, True))
        f_neg = sp.Piecewise((sp.exp(p.alpha_n * (x + p.xn - 1)) * wn, x <= 1 - p.xn), (1, True))
        f = sp.Piecewise((f_pos, p.eta * v >= 0), (f_neg, True))
        return i, p.eta * g * f


_SRC_SP = "Stanford-PKU RRAM v1.0.0 (Jiang & Wong, doi:10.4231/D37H1DN48); MemTorch Stanford_PKU.py (docs/notes/devices.md §5)"


class StanfordPKU(DeviceModel):
    """Stanford-PKU RRAM model v1.0.0 (deterministic; model_switch = 0).

    State: the tunnelling gap g (m) in [g_min, g_max]::

        i = I0 exp(-g/g0) sinh(v/V0)
        dg/dt = -v0 exp(-q Ea / kT) sinh(gamma a0 q v / (t_ox k T))
        gamma = gamma0 - beta (g/1 nm)^alpha, and 0 when gamma |v| / t_ox < F_min
        T = T0 + |v i| R_th

    ``noise=True`` adds the original's stochastic gap term (model_switch = 1): at every
    output time the gap jumps by ``dg0 N(0, 1) / (1 + exp((T_crit - T)/T_smth))``. The
    original adds this term to dg/dt inside its own fixed time step, so its size depends
    on that step; here it is a jump per output sample of :func:`simulate`, so its effect
    likewise depends on the output grid (choose it, and ``seed``, deliberately).

    ``reference_clamp=True`` reproduces the reference Verilog-A (and so HSPICE results made
    with it): there ``gap = idt(gap_ddt, gap_ini)`` is clamped to [g_min, g_max] *after*
    the integration without resetting the integrator, so under an over-driven SET the
    integral winds up below g_min (the current and the rate see the clamped gap) and a
    following RESET must first unwind it: it ends at a larger gap than memlab's default
    clamped state, which stops at the bound. The state is then that unclamped integral
    (m, within g_min - 10 (g_max - g_min) and g_max + 10 (g_max - g_min); rtol refers to
    that 21x wider range), and the gap is its clamp. The option also takes the reference
    code's field enhancement for negative bias, ``gamma_ini = 16`` whatever gamma0 is
    (parameter ``gamma0_neg``).
    """

    options = {"noise": (False, (False, True)), "reference_clamp": (False, (False, True))}
    name = "Stanford-PKU"
    reference = "Z. Jiang et al., IEEE TED 63(5), 1884 (2016); Stanford RRAM model v1.0.0"
    short_name, aliases = "stanford", ("stanfordpku",)
    iv_demo = IVDemo(1.6, 1e4, 0.0, 0.2e-9)
    state = StateVar("g", 0.2e-9, 1.7e-9, "m", 0.2e-9, "tunnelling gap")
    def param_defs(self):
        ps = self._base
        if self._opts["reference_clamp"]:
            ps = ps + (Param("gamma0_neg", 16.0, "1", lo=0.0, doc="field enhancement for v < 0",
                             source=_SRC_SP + " (rram_v_1_0_0.va: gamma_ini = 16 if Vtb < 0)"),)
        if self._opts["noise"]:
            ps = ps + (Param("dg0", 0.02e-9, "m", lo=0.0, source=_SRC_SP + " (delta_g0 = 0.02, read as nm)",
                             doc="gap noise amplitude"),
                       _pos("T_crit", 450.0, "K", _SRC_SP, "threshold temperature of the noise"),
                       _pos("T_smth", 500.0, "K", _SRC_SP, "smoothing temperature of the noise"))
        return ps

    def bounds_expr(self, p):
        lo, hi = self.state.lo, self.state.hi
        if self._opts["reference_clamp"]:
            return sp.Float(lo - 10 * (hi - lo)), sp.Float(hi + 10 * (hi - lo))
        return sp.Float(lo), sp.Float(hi)

    def _clamped(self, x, fn):
        """``fn(g)`` at the physical gap g: the state, or (reference_clamp) the clamp of its
        integral, as a top-level Piecewise over the three regions (a clamp inside the
        threshold condition would put a Piecewise inside a relational, which numpy's
        ``select`` cannot evaluate)."""
        if not self._opts["reference_clamp"]:
            return fn(x)
        lo, hi = sp.Float(self.state.lo), sp.Float(self.state.hi)
        return sp.Piecewise((fn(lo), x < lo), (fn(hi), x > hi), (fn(x), True))

    def noise_expr(self, v, x, p):
        if not self._opts["noise"]:
            return None
        def amp(g):
            i = p.I0 * sp.exp(-g / p.g0) * sp.sinh(v / p.V0)
            T = p.T0 + sp.Abs(v * i) * p.R_th
            return p.dg0 / (1 + sp.exp((p.T_crit - T) / p.T_smth))
        return self._clamped(x, amp)

    _base = (
        _pos("I0", 1e-3, "A", _SRC_SP, "current scale", log=True),
        _pos("g0", 0.25e-9, "m", _SRC_SP, "gap decay length"),
        _pos("V0", 0.25, "V", _SRC_SP, "sinh voltage scale"),
        _pos("v0", 10.0, "m/s", _SRC_SP, "gap velocity prefactor", log=True),
        _pos("Ea", 0.6, "eV", _SRC_SP, "activation energy"),
        _pos("a0", 0.25e-9, "m", _SRC_SP, "atomic hopping distance"),
        _pos("t_ox", 12e-9, "m", _SRC_SP, "oxide thickness"),
        Param("gamma0", 16.0, "1", lo=0.0, source=_SRC_SP, doc="field enhancement"),
        Param("beta", 0.8, "1", lo=0.0, source=_SRC_SP, doc="gamma gap coefficient"),
        Param("alpha", 3.0, "1", lo=0.0, source=_SRC_SP, doc="gamma gap exponent"),
        Param("F_min", 1.4e9, "V/m", lo=0.0, source=_SRC_SP, doc="minimum field for gap motion"),
        Param("R_th", 2.1e3, "K/W", lo=0.0, source=_SRC_SP, doc="thermal resistance"),
        _pos("T0", 298.0, "K", _SRC_SP, "ambient temperature"),
    )

    def equations(self, v, x, p):
        def current(g):
            return p.I0 * sp.exp(-g / p.g0) * sp.sinh(v / p.V0)

        def rate(g):
            T = p.T0 + sp.Abs(v * current(g)) * p.R_th
            kT_q = _KB * T / _Q                      # thermal voltage, V
            g0 = sp.Piecewise((p.gamma0_neg, v < 0), (p.gamma0, True)) if self._opts["reference_clamp"] else p.gamma0
            gamma = g0 - p.beta * (g / 1e-9) ** p.alpha
            move = -p.v0 * sp.exp(-p.Ea / kT_q) * sp.sinh(gamma * p.a0 * v / (p.t_ox * kT_q))
            return sp.Piecewise((0, gamma * sp.Abs(v) / p.t_ox < p.F_min), (move, True))
        return self._clamped(x, current), self._clamped(x, rate)


_SRC_MSS = ("Knowm's published MSS model card (Molter & Nugent, 'The generalized metastable switch memristor "
            "model', CNNA 2016): knowm/memristor-models-4-all Knowm/Xyce/knowm.cir (.MODEL mrm1 memristor level=5 "
            "Ron=500 Roff=1500 Von=0.27 Voff=0.27 TAU=0.0001), the same values in knowm/jspice README (model MRM5)")
_SRC_MSS_VT = ("1/(kT/q) at 300 K, the default TEMP of Knowm's Xyce device MemristorKnowm "
               "(knowm/memristor-models-4-all Knowm/Xyce/N_DEV_MemristorKnowm.C)")


_SRC_GMSS = ("Molter & Nugent, 'The generalized metastable switch memristor model', CNNA 2016 (arXiv:1608.04659); "
             "defaults of Knowm's Xyce device MemristorKnowm (PHI = 1, SFA = SFB = SRA = SRB = 0: term off)")


class KnowmMSS(DeviceModel):
    """Knowm mean metastable switch (MSS) memristor model.

    ``schottky=True``: the generalized MSS current
    ``i = phi i_mss + (1 - phi) (a_f exp(b_f v) - a_r exp(-b_r v))``, the switches in
    parallel with a Schottky-diode-like path (Molter & Nugent 2016; as in Knowm's Xyce
    device). Its defaults (phi = 1) switch the term off; fitted values are device
    specific. With a_f != a_r the diode path carries a_f - a_r at v = 0, as in the source.

    ``i = (x/R_on + (1 - x)/R_off) v``;
    ``dx/dt = [(1 - x) P_on(v) - x P_off(v)] / tau`` with
    ``P_on = 1/(1 + exp(-beta (v - V_on)))`` and ``P_off = 1 - 1/(1 + exp(-beta (v + V_off)))``.
    State x in [0, 1] is the fraction of switches in the low-resistance state.

    Defaults: Knowm's published model card (R_on 500 ohm, R_off 1.5 kohm, V_on = V_off =
    0.27 V, tau 0.1 ms, beta = q/kT at 300 K), not a fit to any measured file; fits start
    from the data (``use_model_values=False``) or from these.
    """

    name = "Knowm MSS"
    reference = "T. W. Molter, M. A. Nugent, 'The Generalized Metastable Switch Memristor Model', CNNA 2016"
    short_name, aliases = "mss", ("knowmmss", "knowm")
    iv_demo = IVDemo(0.8, 10.0, 5e3, 0.0)
    # tau below 1e-3 x the shortest period trades off with V_on ("tmin")
    fit_defaults = FitDefaults(
        params=("R_on", "R_off", "tau", "V_on", "V_off", "beta"),
        search={"R_on": (10.0, 1e6), "R_off": (100.0, 1e8), "tau": ("tmin", "tmax"), "V_on": (0.0, "vmax"),
                "V_off": (0.0, "vmax"), "beta": (1.0, 200.0)},
        on_positive=True)
    state = StateVar("x", 0.0, 1.0, "1", 0.0, "fraction of metastable switches ON")
    options = {"schottky": (False, (False, True))}
    _schottky = (
        Param("phi", 1.0, "1", lo=0.0, hi=1.0, source=_SRC_GMSS, doc="fraction of the current through the switches"),
        Param("a_f", 0.0, "A", lo=0.0, source=_SRC_GMSS, doc="Schottky forward current scale"),
        Param("b_f", 0.0, "1/V", lo=0.0, source=_SRC_GMSS, doc="Schottky forward exponent"),
        Param("a_r", 0.0, "A", lo=0.0, source=_SRC_GMSS, doc="Schottky reverse current scale"),
        Param("b_r", 0.0, "1/V", lo=0.0, source=_SRC_GMSS, doc="Schottky reverse exponent"),
    )

    def param_defs(self):
        return self.parameters + (self._schottky if self._opts["schottky"] else ())

    parameters = (
        _pos("R_on", 500.0, "ohm", _SRC_MSS, "resistance with all switches ON", log=True),
        _pos("R_off", 1500.0, "ohm", _SRC_MSS, "resistance with all switches OFF", log=True),
        _pos("tau", 1e-4, "s", _SRC_MSS, "switching time constant", log=True),
        Param("V_on", 0.27, "V", source=_SRC_MSS, doc="ON switching voltage"),
        Param("V_off", 0.27, "V", source=_SRC_MSS, doc="OFF switching voltage (magnitude)"),
        _pos("beta", _Q / (_KB * 300.0), "1/V", _SRC_MSS_VT, "inverse thermal voltage"),
    )

    def _validate(self, values):
        _check_order(self, values, "R_on", "R_off")

    def equations(self, v, x, p):
        i = (x / p.R_on + (1 - x) / p.R_off) * v
        if self._opts["schottky"]:
            # generalized MSS: phi I_mss + (1 - phi) I_schottky (Molter & Nugent 2016)
            i = p.phi * i + (1 - p.phi) * (p.a_f * sp.exp(p.b_f * v) - p.a_r * sp.exp(-p.b_r * v))
        p_on = 1 / (1 + sp.exp(-p.beta * (v - p.V_on)))
        p_off = 1 - 1 / (1 + sp.exp(-p.beta * (v + p.V_off)))
        return i, ((1 - x) * p_on - x * p_off) / p.tau


_SRC_PD = ("Pershin, La Fontaine & Di Ventra, Phys. Rev. E 80, 021926 (2009) threshold model, as in ngspice "
           "examples/memristor/memristor.sp (R_on 1 k, R_off 10 k, Vt 1.6 V)")


class ThresholdMemristor(DeviceModel):
    """Voltage-threshold memristor (Pershin, La Fontaine & Di Ventra, 'Memristive model of
    amoeba learning', PRE 80, 021926 (2009); its SPICE form: Pershin & Di Ventra,
    arXiv:1204.2600), the model of ngspice's example.

    State: the resistance R (ohm) in [R_on, R_off]; ``i = v / R`` and
    ``dR/dt = beta v + (alpha - beta)/2 (|v + Vt| - |v - Vt|)``, i.e. slope alpha below
    the threshold Vt and beta above it; the bounds are enforced by the integrator.
    ``beta`` default (1e7 ohm/(V s), a 1 V overdrive sweeps the window in about 1 ms) is a
    choice of this project, not a published value.
    """

    name = "Threshold (Pershin-Di Ventra)"
    reference = "Y. V. Pershin, S. La Fontaine, M. Di Ventra, 'Memristive model of amoeba learning', Phys. Rev. E 80, 021926 (2009)"
    short_name = "threshold"
    iv_demo = IVDemo(3.0, 1e3, 0.0, 5e3)
    state = StateVar("R", 1e3, 10e3, "ohm", 5e3, "device resistance")
    parameters = (
        _pos("R_on", 1e3, "ohm", _SRC_PD, "lowest resistance (state bound)", log=True),
        _pos("R_off", 10e3, "ohm", _SRC_PD, "highest resistance (state bound)", log=True),
        Param("alpha", 0.0, "ohm/(V s)", source=_SRC_PD, doc="sub-threshold slope"),
        Param("beta", 1e7, "ohm/(V s)", lo=0.0, source="memlab choice (see docstring)", doc="above-threshold slope"),
        _pos("Vt", 1.6, "V", _SRC_PD, "threshold voltage"),
    )

    def _validate(self, values):
        _check_order(self, values, "R_on", "R_off")

    def bounds_expr(self, p):
        return p.R_on, p.R_off

    def equations(self, v, x, p):
        rate = p.beta * v + (p.alpha - p.beta) / 2 * (sp.Abs(v + p.Vt) - sp.Abs(v - p.Vt))
        return v / x, rate


class SinhConductance(DeviceModel):
    """Static nonlinear cell ``i = g v0 sinh(v / v0)`` (state g in S does not move).

    Small-signal conductance at v = 0 equals g. Used for nonlinear crossbar cells.
    """

    name = "sinh conductance"
    reference = "common RRAM read nonlinearity, e.g. Yakopcic I-V; CrossSim RRAM_Milo cubic fit"
    short_name = "sinh"
    iv_demo = IVDemo(0.5, 10.0, 0.0, 1e-5)
    state = StateVar("g", 0.0, 1.0, "S", 1e-5, "small-signal conductance")
    parameters = (_pos("v0", 0.25, "V", "typical HfOx read nonlinearity (Stanford-PKU V0 = 0.25 V)", "sinh voltage scale"),)

    def equations(self, v, x, p):
        return x * p.v0 * sp.sinh(v / p.v0), sp.Integer(0)


class Selector(DeviceModel):
    """Static selector for 1S1R cells: ``i = i_s sinh(v / v_s) + v / r_leak``.

    State-less (its state x is a dummy that never moves). Defaults give a half-bias
    selectivity I(1.5 V)/I(0.75 V) = sinh(10)/sinh(5) ~ 148.
    """

    name = "selector"
    reference = "sinh-type selector I-V (e.g. Burr et al., JVST B 32, 040802 (2014) review)"
    short_name = "selector"
    iv_demo = IVDemo(1.5, 10.0, 0.0, 0.0)
    state = StateVar("x", 0.0, 1.0, "1", 0.0, "dummy (static model)")
    parameters = (
        _pos("i_s", 1e-9, "A", "memlab default (see docstring)", "current scale", log=True),
        _pos("v_s", 0.15, "V", "memlab default (see docstring)", "voltage scale"),
        _pos("r_leak", 1e12, "ohm", "memlab default", "parallel leakage resistance", log=True),
    )

    def equations(self, v, x, p):
        return p.i_s * sp.sinh(v / p.v_s) + v / p.r_leak, sp.Integer(0)


#: the built-in models by :attr:`~memlab.devices.DeviceModel.short_name`
MODELS = {cls.short_name: cls for cls in (HPLinearDrift, TEAM, VTEAM, Yakopcic, StanfordPKU, KnowmMSS,
                                          ThresholdMemristor, SinhConductance, Selector)}
