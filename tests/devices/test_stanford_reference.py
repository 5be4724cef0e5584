"""Stanford-PKU ``reference_clamp=True``: the reference Verilog-A's clamp after idt().

The reference (rram_v_1_0_0.va, Jiang & Wong, doi:10.4231/D37H1DN48) integrates
``gap = idt(gap_ddt, gap_ini)`` and clamps the *result* to [gap_min, gap_max] without
resetting the integrator, and uses gamma_ini = 16 for negative bias. The independent
check below transcribes that algorithm as a forward-Euler loop (the Python port of the
reference by M. Watfa does the same, with the clamp inside the loop; here the clamp is
applied only to what the current and rate see, as idt() does).
"""
import numpy as np
import pytest

from memlab.devices import PulseTrain, StanfordPKU, simulate

KB, Q = 1.380649e-23, 1.602176634e-19


def reference_gap_integral(t, v, G0, gamma0=16.0, gamma_neg=16.0):
    G = G0
    for k in range(len(t) - 1):
        g = min(max(G, 0.2e-9), 1.7e-9)                # what the equations see
        i = 1e-3 * np.exp(-g / 0.25e-9) * np.sinh(v[k] / 0.25)
        T = 298.0 + abs(v[k] * i) * 2.1e3
        gam = (gamma_neg if v[k] < 0 else gamma0) - 0.8 * (g / 1e-9) ** 3
        if gam * abs(v[k]) / 12e-9 < 1.4e9:
            gam = 0.0
        G += (t[k + 1] - t[k]) * -10.0 * np.exp(-Q * 0.6 / KB / T) * np.sinh(gam * 0.25e-9 / 12e-9 * Q * v[k] / KB / T)
    return G


def test_overdriven_set_then_reset_follows_the_reference_integrator():
    """1.4 V, 50 ns SET from g = 1 nm winds the integral to about -5 nm; the -1.3 V, 100 ns
    RESET unwinds it only to -0.55 nm, so the device stays at g_min (LRS), where memlab's
    default clamped state is reset to about 1.03 nm. Tolerance 5e-12 m: the Euler
    reference's first-order error at its 2.5 ps step (halving it moves the result by less)."""
    d = PulseTrain([1.4, -1.3], [50e-9, 100e-9], gap=50e-9, rise=1e-9)
    t = np.linspace(0, d.duration, 100_001)
    G_ref = reference_gap_integral(t, d.value(t), 1e-9)
    tr = simulate(StanfordPKU(reference_clamp=True), d, x0=1e-9, rtol=1e-8)
    assert tr.x.min() < -4e-9                           # the integral wound past g_min
    assert tr.x[-1] == pytest.approx(G_ref, abs=5e-12)
    default = simulate(StanfordPKU(), d, x0=1e-9, rtol=1e-8)
    assert default.x[-1] > 1e-9 and G_ref < 0.2e-9      # the two behaviours really differ
    assert np.min(default.x) == pytest.approx(0.2e-9, abs=1e-15)


def test_gamma_for_negative_bias_is_the_reference_constant():
    """With gamma0 = 14, the reference still uses 16 for v < 0: the rate at -1.3 V equals
    the default model's (gamma0 = 16) and differs from gamma0 = 14 applied to both signs."""
    ref = StanfordPKU(reference_clamp=True, gamma0=14.0)
    g = 1e-9
    assert ref.rate(-1.3, g) == pytest.approx(StanfordPKU().rate(-1.3, g), rel=1e-13)
    assert ref.rate(1.3, g) == pytest.approx(StanfordPKU(gamma0=14.0).rate(1.3, g), rel=1e-13)
    assert ref.rate(-1.3, g) != pytest.approx(StanfordPKU(gamma0=14.0).rate(-1.3, g), rel=1e-3)
