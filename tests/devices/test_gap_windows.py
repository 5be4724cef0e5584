"""Windows that vanish at a bound, integrated with the distance to the bound as the state.

Checked against closed forms derived here (not memlab's code) and against the window
definitions of Kvatinsky et al.'s Verilog-A for the TEAM model ('Verilog-A for memristor
models', Technion 2011: window_type 1 Joglekar 1 - (2x/D - 1)^(2p), 2 Biolek
1 - (x/D - stp(-I))^(2p), 3 Prodromakis J (1 - ((x/D - 0.5)^2 + 0.75)^p)).
"""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import exp1

from memlab.devices import PWL, TEAM, VTEAM, Yakopcic, simulate

D = 3e-9        # x_off - x_on of the TEAM/VTEAM defaults, m


@pytest.mark.parametrize("window", ["joglekar", "biolek", "prodromakis"])
@pytest.mark.parametrize("cls", [TEAM, VTEAM])
def test_team_windows_follow_the_verilog_a(cls, window):
    """rate / (rate without window) equals the Verilog-A window at x/D (same p, J)."""
    kw = {"p": 3} if window != "prodromakis" else {"p": 3, "j": 1.5}
    m, bare = cls(window=window, **kw), cls()
    v_on_side = -1.0 if cls is VTEAM else -2.0     # beyond the ON threshold for both
    v_off_side = 0.5 if cls is VTEAM else 1.0
    for v in (v_off_side, v_on_side):
        for x in (0.1e-9, 0.7e-9, 1.5e-9, 2.9e-9):
            w = x / D
            if window == "joglekar":
                f = 1 - (2 * w - 1) ** 6
            elif window == "biolek":
                stp = 1.0 if m.current(v, x) <= 0 else 0.0
                f = 1 - (w - stp) ** 6
            else:
                f = 1.5 * (1 - ((w - 0.5) ** 2 + 0.75) ** 3)
            r0 = bare.rate(v, x)
            assert r0 != 0
            assert m.rate(v, x) / r0 == pytest.approx(f, rel=1e-12), (v, x)


def _vteam_drive():
    t = (0.0, 1e-9, 5e-6, 5.001e-6, 5.6e-6)
    v = (0.0, 0.5, 0.5, -0.25, -0.25)
    return PWL(t, v, n_points=4000), t, v


def test_vteam_joglekar_closed_form_through_deep_saturation():
    """VTEAM + Joglekar p = 1 under a voltage drive: ds/dt = 4 g(v(t)) s (1 - s) / D with
    s = x/D and g the VTEAM threshold term, so logit(s) = logit(s0) + 4/D int g dt (the
    rate does not depend on the current). +0.5 V for 5 us drives 1 - s to ~1e-33; -0.25 V
    then brings it back in ~0.35 us, at a time set by that depth. Tolerance 1e-4 of the
    peak current at rtol = 1e-7 (as the HP closed-form test)."""
    m = VTEAM(window="joglekar", p=1)
    drive, tp, vp = _vteam_drive()
    tr = simulate(m, drive, x0=0.5 * D, rtol=1e-7)

    def g(t):
        v = np.interp(t, tp, vp)
        if v > 0.02:
            return 5e-4 * (v / 0.02 - 1) ** 1
        if v < -0.2:
            return -10.0 * (v / -0.2 - 1) ** 3
        return 0.0
    brk = list(tp)
    y = np.empty_like(tr.t)
    acc, t_prev = 0.0, 0.0
    for k, tk in enumerate(tr.t):
        pts = [b for b in brk if t_prev < b < tk]
        acc += quad(g, t_prev, tk, points=pts or None, limit=200, epsabs=0, epsrel=1e-13)[0] if tk > t_prev else 0.0
        y[k] = 4 / D * acc
        t_prev = tk
    s = 1 / (1 + np.exp(-y))
    i_ref = tr.v / (50.0 + (1e3 - 50.0) * s)
    assert y.max() > 70                       # 1 - s below 1e-30: beyond double-precision x
    err = np.max(np.abs(tr.i - i_ref)) / np.max(np.abs(i_ref))
    assert err < 1e-4, err


def test_yakopcic_gap_keeps_relative_precision():
    """Yakopcic set A at a constant 0.5 V (> Vp): for x >= xp, dx/dt = c e^(-alpha_p (x - xp))
    (1 - x)/(1 - xp), c = Ap (e^0.5 - e^Vp). With b = 1 - x this separates into
    c t / (1 - xp) = e^(1 - xp) [E1(b) - E1(b0)] (E1 the exponential integral, alpha_p = 1),
    whose root after 60 ms is b ~ 1e-37. The simulated distance to the bound matches it to
    1e-4 relative at rtol = 1e-8 (a relative error in b is an absolute error in ln b,
    accumulated over ~85 units of ln b)."""
    m = Yakopcic()
    T, xp, c = 60e-3, 0.3, 4000.0 * (np.exp(0.5) - np.exp(0.16))
    drive = PWL((0.0, 1e-12, T), (0.5, 0.5, 0.5), n_points=50)
    b0 = 0.5
    tr = simulate(m, drive, x0=1 - b0, rtol=1e-8)
    rhs = exp1(b0) + c * T / ((1 - xp) * np.exp(1 - xp))
    b_ref = np.exp(brentq(lambda lb: exp1(np.exp(lb)) - rhs, -300.0, 0.0, xtol=1e-14, rtol=1e-15))
    assert 1e-40 < b_ref < 1e-30
    assert tr.stats["gap_final"][1] == pytest.approx(b_ref, rel=1e-4)
