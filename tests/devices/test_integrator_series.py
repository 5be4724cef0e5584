"""Fixed-step integrator with and without a series resistor against a plain-Python ROS2.

The reference steps the same ROS2 scheme (Verwer et al. 1999, gamma = 1 + 1/sqrt(2); the
Jacobian capped at 0.5 / (gamma h) and the state clipped to its bounds, as documented in
memlab.devices._integrator) with the model's lambdified numpy functions and solves the
series split v + rs i(v, x) = vs with scipy's brentq: independent of the generated kernels,
of their common-subexpression pass, of the integrator variant without series resistor and
of the Newton solve.
"""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from memlab.devices import MODELS, TEAM, VTEAM, simulate, spread

G = 1.0 + 1.0 / math.sqrt(2.0)


def _reference(model, vs, t, x0, rs):
    """(x at the output times, current at the output times) of one device (numpy floats)."""
    k = model._k
    vals = [float(np.asarray(p.value, float)) for p in model.params.values()]
    lam = {n: sp.lambdify([k.v, k.x, *k.symbols.values()], e, "math") for n, e in model.jacobian_exprs().items()}
    cur = sp.lambdify([k.v, k.x, *k.symbols.values()], k.current, "math")
    rate = sp.lambdify([k.v, k.x, *k.symbols.values()], k.rate, "math")
    lo, hi = (float(b) for b in model.bounds())

    def split(s, x):
        if rs == 0.0 or s == 0.0:
            return s
        f = lambda v: v + rs * cur(v, x, *vals) - s
        return brentq(f, min(0.0, s), max(0.0, s), xtol=1e-300, rtol=8.9e-16, maxiter=500)

    def stage(s, x):
        v = split(s, x)
        dvdx = -rs * lam["di_dx"](v, x, *vals) / (1.0 + rs * lam["di_dv"](v, x, *vals))
        J = lam["dr_dx"](v, x, *vals) + (lam["dr_dv"](v, x, *vals) * dvdx if rs else 0.0)
        return v, cur(v, x, *vals), rate(v, x, *vals), J if math.isfinite(J) else 0.0

    xs, cs = [x0], []
    x = x0
    for n in range(1, len(t)):
        h = t[n] - t[n - 1]
        v, i, r, J = stage(vs[n - 1], x)
        cs.append(i)
        if (x <= lo and r <= 0.0) or (x >= hi and r >= 0.0):
            J = 0.0
        if J > 0.0 and G * h * J > 0.5:
            J = 0.5 / (G * h)
        den = 1.0 - G * h * J
        k1 = r / den
        x1 = min(max(x + h * k1, lo), hi)
        v2 = split(vs[n], x1)
        k2 = (rate(v2, x1, *vals) - 2.0 * k1) / den
        x = min(max(x + h * (1.5 * k1 + 0.5 * k2), lo), hi)
        xs.append(x)
    cs.append(stage(vs[-1], x)[1])
    return np.array(xs), np.array(cs)


# TEAM (linear) and MSS are affine in v (closed-form split); MSS with its Schottky term and
# PCM (threshold switching) are not: their split is the Newton solve on the stage's kernel
# (PCM from the amorphous state, x0 = 0: threshold switching, then crystallisation)
@pytest.mark.parametrize("model,rs,x0", [(TEAM(), 0.0, None), (TEAM(), 100.0, None), (MODELS["mss"](), 5e3, None),
                                         (MODELS["mss"](schottky=True), 5e3, None), (MODELS["pcm"](), 1e4, 0.0)],
                         ids=["team-rs0", "team-rs100", "mss-rs5k", "mss-schottky-rs5k", "pcm-rs10k"])
def test_fixed_steps_match_a_plain_ros2(model, rs, x0, monkeypatch):
    # with a series resistor the scalar block fixed_block_rs (its lane form is tested below)
    monkeypatch.setattr(model._compiled(), "_LANES_RS", False)
    demo = type(model).iv_demo
    drive = demo.drive(1, r_series=rs)
    if x0 is None:
        x0 = model.state.x0 if demo.x0 is None else demo.x0
    t = np.linspace(0.0, drive.duration, 301)
    tr = simulate(model, drive, x0=x0, t=t, method="fixed")
    x_ref, i_ref = _reference(model, drive.value(t), t, x0, rs)
    lo, hi = (float(b) for b in model.bounds())
    # the state moves over a good part of its range (the test exercises switching)
    assert np.ptp(x_ref) > 0.05 * (hi - lo)
    # 300 steps of roundings of 1e-16 and Newton / brentq solves converged to 1e-13 of v:
    # 1e-11 of the state range and relative 1e-10 of the current (+1e-12 of its peak)
    np.testing.assert_allclose(tr.x, x_ref, rtol=0, atol=1e-11 * (hi - lo))
    np.testing.assert_allclose(tr.i, i_ref, rtol=1e-10, atol=1e-12 * np.max(np.abs(i_ref)))


# the lane-vectorised block (rs = 0, no noise: memlab.devices._lanes) against the same
# reference, for the lane functions the models use: the gap state and 1 - (1-z)^n (VTEAM
# with the Joglekar window, HP), tanh (PCM), sinh, cosh and abs
# (Stanford-PKU), exp and sinh with Piecewise thresholds (Yakopcic), integer powers with
# parameter exponents (TEAM, Kvatinsky window), asin and the Heaviside steps of Min/Max
# derivatives (JART). 35 devices with a 5 % spread: a full block
# of 32 lanes and a partial one (whose unused lanes repeat the last device); devices 0,
# 31, 32 and 34 are each compared with the reference of their own parameter values.
#
# With_rs: the series-resistor lane block (memlab.devices._lanes_rs) with the model's
# demonstration resistor: VTEAM with the Joglekar window (current affine in v: the
# closed-form split; gap state) and PCM from the amorphous state (threshold switching: the
# Newton split over the lanes, whose lanes converge after different numbers of iterations).
# In every case the scalar block must not run.
LANE_CASES = [(VTEAM(window="joglekar"), "k_off", None, False), (MODELS["hp"](), "mu_v", None, False),
              (MODELS["pcm"](), "R_th", None, False), (MODELS["stanford"](), "v0", None, False),
              (MODELS["yakopcic"](), "a1", None, False), (TEAM(window="kvatinsky"), "k_off", None, False),
              (MODELS["jart"](), "R_th0", None, False),
              (VTEAM(window="joglekar"), "k_off", None, True), (MODELS["pcm"](), "R_th", 0.0, True)]


@pytest.mark.parametrize("model,name,x0,with_rs", LANE_CASES,
                         ids=["vteam-joglekar", "hp", "pcm", "stanford", "yakopcic", "team-kvatinsky", "jart",
                              "vteam-joglekar-rs100", "pcm-rs10k"])
def test_lane_block_matches_a_plain_ros2(model, name, x0, with_rs, monkeypatch):
    mod = model._compiled()
    assert mod._LANES_RS if with_rs else mod._LANES   # the model has a lane form (of the variant)

    def scalar(*args):
        raise AssertionError("the scalar fixed-step block ran")
    monkeypatch.setattr(mod, "run_fixed_rs" if with_rs else "run_fixed0", scalar)
    demo = type(model).iv_demo
    rs = demo.r_series if with_rs else 0.0
    drive = demo.drive(1, r_series=rs)
    if x0 is None:
        x0 = model.state.x0 if demo.x0 is None else demo.x0
    t = np.linspace(0.0, drive.duration, 301)
    pop = spread(model, 35, {name: 0.05}, seed=1)
    tr = simulate(pop, drive, x0=x0, t=t, method="fixed")
    lo, hi = (float(b) for b in model.bounds())
    for d in (0, 31, 32, 34):
        dev = model.with_params(**{name: float(pop.values[name][d])})
        x_ref, i_ref = _reference(dev, drive.value(t), t, x0, rs)
        assert np.ptp(x_ref) > 0.05 * (hi - lo)
        # as above: 300 steps of roundings of 1e-16 (the lane functions: <= 2.5 ulp; with rs,
        # the splits converged to 1e-13 of v, as for the scalar block); JART's
        # hop rate exp(-dWa (...) / kT) amplifies a rounding of its argument ~50-fold and its
        # switching is abrupt: the scalar kernels themselves end 2.5e-11 (device 0) and 1.0e-9
        # (device 34) of the range from this reference, the lane block 2.5e-11 and 9.8e-10
        # (measured), so its bound is 1e-8 of the range and 1e-8 of the peak current
        tx, ti = (1e-8, 1e-8) if type(model).__name__ == "JARTVCM" else (1e-11, 1e-12)
        np.testing.assert_allclose(tr.x[d], x_ref, rtol=0, atol=tx * (hi - lo))
        np.testing.assert_allclose(tr.i[d], i_ref, rtol=1e-10 if ti < 1e-8 else 0, atol=ti * np.max(np.abs(i_ref)))
