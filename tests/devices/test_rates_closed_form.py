"""Rate and current equations of TEAM, Knowm MSS, the threshold model and Stanford-PKU,
written out here in numpy from their published sources (not from memlab's sympy), and one
constant-voltage step per model whose state ODE has a closed-form solution.

The ngspice agreement tests print the same sympy expression on both sides, so they cannot
see a wrong equation; these can. Grid comparisons use rtol 1e-12: both sides evaluate the
same formula in float64, so they differ only by rounding (~1e-16 per operation, amplified by
at most alpha ~ 10 through a power of a difference that stays >= 0.1 on the grids below).
"""
import numpy as np
import pytest
from scipy.optimize import brentq

from memlab.devices import PWL, TEAM, KnowmMSS, StanfordPKU, ThresholdMemristor, simulate

RTOL = 1e-12          # float64 rounding, see the module docstring
Q, KB = 1.602176634e-19, 1.380649e-23     # CODATA 2018 exact, C and J/K


def _grid(vs, xs):
    V, X = np.meshgrid(np.asarray(vs, float), np.asarray(xs, float), indexing="ij")
    return V.ravel(), X.ravel()


def _step(v, T, n=401):
    """A constant source voltage v (V) from t = 0 to T (s), n output samples."""
    return PWL(t=(0.0, T), v=(v, v), n_points=n)


# ----------------------------------------------------------------------------- TEAM
# Kvatinsky et al., IEEE TCAS-I 60, 211 (2013), eqs. (2)-(4) (current thresholds) and
# eqs. (5), (7) (linear and exponential I-V), checked against Xyce N_DEV_MemristorTEAM.C
# (docs/notes/devices.md §3 [S]):
#   dx/dt = k_off (i/i_off - 1)^a_off f_off(x)   for i > i_off > 0
#         = 0                                    for i_on <= i <= i_off
#         = k_on (i/i_on - 1)^a_on f_on(x)       for i < i_on < 0
#   f_off = exp(-exp((x - a_off)/w_c)), f_on = exp(-exp(-(x - a_on)/w_c))
#   linear:      v = [R_on + (R_off - R_on)(x - x_on)/(x_off - x_on)] i
#   exponential: v = R_on exp(ln(R_off/R_on)(x - x_on)/(x_off - x_on)) i
def team_ref(v, x, iv="linear", window="none", R_on=50.0, R_off=1e3, x_on=0.0, x_off=3e-9, k_off=1.46e-18,
             k_on=-4.68e-22, alpha_off=10.0, alpha_on=10.0, i_off=115e-6, i_on=-8.9e-6, a_on=0.0, a_off=3e-9,
             w_c=1.07e-12):
    s = (x - x_on) / (x_off - x_on)
    R = R_on + (R_off - R_on) * s if iv == "linear" else R_on * np.exp(np.log(R_off / R_on) * s)
    i = v / R
    win = window == "kvatinsky"
    f_off = np.exp(-np.exp((x - a_off) / w_c)) if win else np.ones_like(i)
    f_on = np.exp(-np.exp(-(x - a_on) / w_c)) if win else np.ones_like(i)
    rate = np.zeros_like(i)
    off, on = i > i_off, i < i_on
    rate[off] = k_off * (i[off] / i_off - 1) ** alpha_off * f_off[off]
    rate[on] = k_on * (i[on] / i_on - 1) ** alpha_on * f_on[on]
    return i, rate


@pytest.mark.parametrize("iv", ["linear", "exponential"])
@pytest.mark.parametrize("window", ["none", "kvatinsky"])
def test_team_rate_and_current_closed_form(iv, window):
    # voltages: both polarities; |i| below and above both thresholds (i_on = -8.9 uA,
    # i_off = 115 uA at R between 50 ohm and 1 kohm); states at, near and between the bounds
    vs = [-1.0, -0.3, -0.05, -0.02, -5e-3, -1e-3, 0.0, 1e-3, 0.02, 0.05, 0.3, 1.0]
    xs = [0.0, 1e-12, 0.3e-9, 1.5e-9, 2.9e-9, 3e-9 - 1e-12, 3e-9]
    V, X = _grid(vs, xs)
    m = TEAM(iv=iv, window=window)
    i_ref, r_ref = team_ref(V, X, iv=iv, window=window)
    np.testing.assert_allclose(m.current(V, X), i_ref, rtol=RTOL, atol=0)
    np.testing.assert_allclose(m.rate(V, X), r_ref, rtol=RTOL, atol=0)
    # the grid exercises all three branches
    assert (r_ref > 0).sum() > 5 and (r_ref < 0).sum() > 5 and (r_ref == 0).sum() > 5


def test_team_rate_closed_form_other_exponents():
    """Non-default, odd and unequal exponents and thresholds: a swapped exponent cannot hide
    behind alpha_off == alpha_on, nor a sign error in (i/i_on - 1) behind an even power."""
    kw = dict(alpha_off=3.0, alpha_on=5.0, i_off=1e-3, i_on=-2e-4, k_off=2e-3, k_on=-5e-4)
    m = TEAM(**kw)
    V, X = _grid(np.linspace(-1, 1, 21), np.linspace(0, 3e-9, 7))
    i_ref, r_ref = team_ref(V, X, **kw)
    np.testing.assert_allclose(m.current(V, X), i_ref, rtol=RTOL, atol=0)
    np.testing.assert_allclose(m.rate(V, X), r_ref, rtol=RTOL, atol=0)


def test_team_constant_voltage_step_closed_form():
    """alpha_off = 1, linear I-V, no window, constant v: with u = R(x) = a + b x and c = v/i_off,
    dx/dt = k (c/u - 1) integrates to t(u) = [-(u - u0) - c ln((c - u)/(c - u0))] / (k b),
    solved for x at every output time (brentq) and compared with simulate."""
    k, v, i_off = 1e-3, 0.5, 115e-6       # k_off in m/s chosen so the 3 nm window takes ~1 us
    m = TEAM(k_off=k, alpha_off=1.0)
    a, b, c = 50.0, (1e3 - 50.0) / 3e-9, v / i_off
    x0 = 0.2e-9

    def t_of_x(x):
        u, u0 = a + b * x, a + b * x0
        return (-(u - u0) - c * np.log((c - u) / (c - u0))) / (k * b)

    T = 0.9 * t_of_x(3e-9)                # stop before the bound x_off
    tr = simulate(m, _step(v, T), x0=x0, rtol=1e-8)
    x_ref = np.array([x0] + [brentq(lambda x: t_of_x(x) - t, x0, 3e-9, xtol=1e-22) for t in tr.t[1:]])
    # 1e-6 of the state range: 100x the integrator's local tolerance (global error of an
    # adaptive solver is a small multiple of its local tolerance; seen: 7e-9)
    np.testing.assert_allclose(tr.x, x_ref, rtol=0, atol=1e-6 * 3e-9)
    np.testing.assert_allclose(tr.i, team_ref(tr.v, x_ref, k_off=k, alpha_off=1.0)[0], rtol=1e-5)


# ----------------------------------------------------------------------------- Knowm MSS
# Molter & Nugent, CNNA 2016; knowm/memristor-models-4-all Knowm/Verilog-A/knowm.va (read
# here with the search tool): P_a = 1/(1 + exp(-(V - V_on)/V_T)), P_b = 1 - 1/(1 + exp(-(V + V_off)/V_T));
# mean-field state dx/dt = [(1 - x) P_a - x P_b]/tau with beta = 1/V_T; G = x/R_on + (1 - x)/R_off.
MSS = dict(R_on=2.35e3, R_off=121e3, tau=0.445e-3, V_on=0.312, V_off=0.127, beta=38.7)


def mss_ref(v, x, R_on, R_off, tau, V_on, V_off, beta):
    p_on = 1.0 / (1.0 + np.exp(-beta * (v - V_on)))
    p_off = 1.0 - 1.0 / (1.0 + np.exp(-beta * (v + V_off)))
    return (x / R_on + (1 - x) / R_off) * v, ((1 - x) * p_on - x * p_off) / tau


@pytest.mark.parametrize("params", [MSS, dict(MSS, V_on=0.05, V_off=0.4, beta=120.0, tau=2e-6)])
def test_mss_rate_and_current_closed_form(params):
    vs = [-1.0, -0.4, -0.2, -0.127, -0.05, 0.0, 0.05, 0.2, 0.312, 0.4, 0.8, 1.0]
    xs = [0.0, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-9, 1.0]
    V, X = _grid(vs, xs)
    m = KnowmMSS(**params)
    i_ref, r_ref = mss_ref(V, X, **params)
    np.testing.assert_allclose(m.current(V, X), i_ref, rtol=RTOL, atol=0)
    # rtol on the rate: (1-x)P_on - x P_off cancels where the two balance; an absolute
    # floor of 1e-15 of the largest rate covers that cancellation (float64 rounding)
    np.testing.assert_allclose(m.rate(V, X), r_ref, rtol=RTOL, atol=1e-15 * np.abs(r_ref).max())


@pytest.mark.parametrize("v,x0", [(0.6, 0.0), (-0.5, 1.0), (0.2, 0.3)])
def test_mss_constant_voltage_step_closed_form(v, x0):
    """At constant v the MSS state equation is linear: x(t) = x_inf + (x0 - x_inf) exp(-(a + b) t)
    with a = P_on/tau, b = P_off/tau, x_inf = a/(a + b) (docs/notes/fitting.md)."""
    p = MSS
    a = 1.0 / (1.0 + np.exp(-p["beta"] * (v - p["V_on"]))) / p["tau"]
    b = (1.0 - 1.0 / (1.0 + np.exp(-p["beta"] * (v + p["V_off"])))) / p["tau"]
    x_inf = a / (a + b)
    T = 5.0 / (a + b)
    tr = simulate(KnowmMSS(**MSS), _step(v, T), x0=x0, rtol=1e-8)
    x_ref = x_inf + (x0 - x_inf) * np.exp(-(a + b) * tr.t)
    # 1e-6 of the state range [0, 1]: 100x the local tolerance (seen: 9e-9)
    np.testing.assert_allclose(tr.x, x_ref, rtol=0, atol=1e-6)


# ----------------------------------------------------------------------------- threshold model
# Pershin & Di Ventra threshold memristor (the model of Pershin, La Fontaine & Di Ventra,
# PRE 80, 021926 (2009), in the SPICE form of Pershin & Di Ventra, Radioengineering 22, 485
# (2013) / arXiv:1204.2600 as shipped in ngspice examples/memristor/memristor.sp, read here):
#   I = V/R,  dR/dt = f(V) = beta V + (alpha - beta)/2 (|V + Vt| - |V - Vt|),
# and dR/dt = 0 when it would drive R beyond [R_on, R_off] (ngspice's Bx conditions).
# Closed form of f by branch: alpha V for |V| <= Vt, beta (V -+ Vt) +- alpha Vt beyond.
def threshold_ref(v, R, alpha, beta, Vt):
    f = np.where(np.abs(v) <= Vt, alpha * v, beta * (v - np.sign(v) * Vt) + np.sign(v) * alpha * Vt)
    return v / R, f


@pytest.mark.parametrize("alpha,beta,Vt", [(0.0, 1e7, 1.6), (3e5, 2e6, 0.7)])
def test_threshold_rate_and_current_closed_form(alpha, beta, Vt):
    vs = [-3.0, -2.0, -Vt - 0.1, -Vt + 0.1, -0.5, 0.0, 0.5, Vt - 0.1, Vt + 0.1, 2.0, 3.0]
    Rs = [1e3, 1e3 + 1e-6, 2e3, 5e3, 9.9e3, 10e3]
    V, R = _grid(vs, Rs)
    m = ThresholdMemristor(alpha=alpha, beta=beta, Vt=Vt)
    i_ref, r_ref = threshold_ref(V, R, alpha, beta, Vt)
    np.testing.assert_allclose(m.current(V, R), i_ref, rtol=RTOL, atol=0)
    # |v + Vt| - |v - Vt| rounds to ~1e-16 V; times beta that is the absolute floor
    np.testing.assert_allclose(m.rate(V, R), r_ref, rtol=RTOL, atol=4e-16 * beta * max(vs))


@pytest.mark.parametrize("v,R0,bound", [(2.5, 2e3, 10e3), (-2.0, 9e3, 1e3), (1.0, 5e3, None)])
def test_threshold_constant_voltage_step_closed_form(v, R0, bound):
    """Constant v: R(t) = R0 + f(v) t, clamped at the bound it runs into (alpha = 0 so the
    sub-threshold step does not move; f(2.5) = 9e6 ohm/s, f(-2) = -4e6 ohm/s)."""
    m = ThresholdMemristor()
    f = threshold_ref(np.array([v]), 1.0, 0.0, 1e7, 1.6)[1][0]
    T = 2.5e-3                                 # both bounded steps reach their bound before T
    tr = simulate(m, _step(v, T), x0=R0, rtol=1e-8)
    R_ref = np.clip(R0 + f * tr.t, 1e3, 10e3)
    if bound is None:
        assert f == 0.0
    else:
        assert np.any(R_ref == bound)          # the step does reach its bound
    # 1e-6 of the state range (9 kohm): 100x the local tolerance (seen: 2e-15, the rate is
    # constant so the integrator is exact up to rounding); the clamp is exact
    np.testing.assert_allclose(tr.x, R_ref, rtol=0, atol=1e-6 * 9e3)


# ----------------------------------------------------------------------------- Stanford-PKU
# Stanford RRAM model v1.0.0 (Jiang & Wong, doi:10.4231/D37H1DN48; MemTorch Stanford_PKU.py,
# medwatt stanford_model_1.py; docs/notes/devices.md §5 [S]), deterministic (model_switch = 0):
#   I = I0 exp(-g/g0) sinh(V/V0)
#   dg/dt = -v0 exp(-q Ea/(k T)) sinh(gamma a0 q V/(t_ox k T))
#   gamma = gamma0 - beta (g / 1 nm)^alpha;  dg/dt = 0 if gamma |V|/t_ox < F_min
#   T = T0 + |V I| R_th
SP = dict(I0=1e-3, g0=0.25e-9, V0=0.25, v0=10.0, Ea=0.6, a0=0.25e-9, t_ox=12e-9, gamma0=16.0, beta=0.8,
          alpha=3.0, F_min=1.4e9, R_th=2.1e3, T0=298.0)


def stanford_ref(V, g, I0, g0, V0, v0, Ea, a0, t_ox, gamma0, beta, alpha, F_min, R_th, T0):
    I = I0 * np.exp(-g / g0) * np.sinh(V / V0)
    T = T0 + np.abs(V * I) * R_th
    gamma = gamma0 - beta * (g / 1e-9) ** alpha
    rate = -v0 * np.exp(-Q * Ea / (KB * T)) * np.sinh(gamma * a0 * Q * V / (t_ox * KB * T))
    return I, np.where(gamma * np.abs(V) / t_ox < F_min, 0.0, rate)


@pytest.mark.parametrize("params", [SP, dict(SP, alpha=2.0, beta=1.5, R_th=5e3, F_min=0.8e9, Ea=0.5)])
def test_stanford_rate_and_current_closed_form(params):
    vs = [-2.0, -1.6, -1.2, -1.0, -0.5, 0.0, 0.5, 1.0, 1.2, 1.6, 2.0]
    gs = [0.2e-9, 0.2e-9 + 1e-15, 0.5e-9, 1.0e-9, 1.5e-9, 1.7e-9 - 1e-15, 1.7e-9]
    V, G = _grid(vs, gs)
    m = StanfordPKU(**params)
    i_ref, r_ref = stanford_ref(V, G, **params)
    np.testing.assert_allclose(m.current(V, G), i_ref, rtol=RTOL, atol=0)
    np.testing.assert_allclose(m.rate(V, G), r_ref, rtol=RTOL, atol=0)
    assert (r_ref > 0).sum() >= 3 and (r_ref < 0).sum() >= 3 and (r_ref == 0).sum() >= 3


def test_stanford_constant_voltage_step_closed_form():
    """With R_th = 0 (T = T0) and beta = 0 (gamma = gamma0) the gap rate is constant at constant
    v, so g(t) = g(0) + rate t until the bound g_min: a straight line with a closed-form slope."""
    p = dict(SP, R_th=0.0, beta=0.0)
    v = -1.2                                   # reset direction: the gap grows
    slope = -p["v0"] * np.exp(-Q * p["Ea"] / (KB * p["T0"])) * np.sinh(
        p["gamma0"] * p["a0"] * Q * v / (p["t_ox"] * KB * p["T0"]))
    assert slope > 0
    T = 1.0e-9 / slope                         # 1 nm of gap growth from 0.3 nm
    tr = simulate(StanfordPKU(**p), _step(v, T), x0=0.3e-9, rtol=1e-8)
    # 1e-6 of the gap range (1.5 nm): 100x the local tolerance (seen: 1e-14, constant rate)
    np.testing.assert_allclose(tr.x, 0.3e-9 + slope * tr.t, rtol=0, atol=1e-6 * 1.5e-9)
    np.testing.assert_allclose(tr.i, stanford_ref(tr.v, tr.x, **p)[0], rtol=1e-5)
