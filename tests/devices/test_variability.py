"""Variability and reliability against closed forms and exact counts (docs/notes/devices.md §9)."""
import numpy as np
import pytest

from memlab.errors import ParameterError
from memlab.devices import VTEAM, KnowmMSS, Sine, spread, cycle_to_cycle, quantize, read_noise, drift, stuck_at


def test_lognormal_spread_median_and_sigma():
    pop = spread(VTEAM(), 200_000, {"R_off": 0.2}, seed=3)
    r = pop.values["R_off"]
    # sampling error of the median ~ 1.25 sigma / sqrt(n) = 5.6e-4 relative -> 0.3 % is > 5 sigma
    assert np.median(r) == pytest.approx(1e3, rel=3e-3)
    assert np.std(np.log(r)) == pytest.approx(0.2, rel=0.01)   # std error of sigma ~ 0.16 %
    assert np.all(pop.values["R_on"] == 50.0)


def test_spread_is_seeded():
    a = spread(VTEAM(), 10, {"k_off": 0.3}, seed=5).values["k_off"]
    b = spread(VTEAM(), 10, {"k_off": 0.3}, seed=5).values["k_off"]
    np.testing.assert_array_equal(a, b)


def test_normal_spread_out_of_range_raises():
    with pytest.raises(ParameterError, match="R_on"):
        spread(VTEAM(), 1000, {"R_on": 2.0}, dist="normal", seed=0)


def test_quantize_levels():
    g = np.linspace(1e-6, 1e-4, 10_001)
    q = quantize(g, 2 ** 3, 1e-6, 1e-4)
    levels = np.unique(q)
    assert levels.size == 8 and levels[0] == 1e-6 and levels[-1] == pytest.approx(1e-4)
    assert np.max(np.abs(q - g)) <= (1e-4 - 1e-6) / 7 / 2 * (1 + 1e-9)
    with pytest.raises(ParameterError, match="outside"):
        quantize([2e-4], 4, 1e-6, 1e-4)


def test_drift_power_law():
    t = np.logspace(0, 6, 13)
    g = drift(1e-5, t, t0=1.0, nu=0.05)
    assert g[0] == 1e-5
    # G0 (t/t0)^-nu at 1e3 s and 1e6 s, hand-computed: 10^-0.15 = 0.707945784384138,
    # 10^-0.3 = 0.501187233627272 (a decade costs 10^-0.05 = 0.891250938133746)
    np.testing.assert_allclose(g[[6, 12]], 1e-5 * np.array([0.707945784384138, 0.501187233627272]), rtol=1e-14)
    np.testing.assert_allclose(g[2:] / g[:-2], 0.891250938133746, rtol=1e-14)


def test_stuck_at_exact_counts():
    g = np.full((100, 37), 5e-5)
    out, on, off = stuck_at(g, p_on=0.013, p_off=0.021, g_on=1e-4, g_off=1e-6, seed=2)
    n = g.size
    assert on.sum() == int(n * 0.013) and off.sum() == int(n * 0.021)
    assert not np.any(on & off)
    assert np.all(out[on] == 1e-4) and np.all(out[off] == 1e-6) and np.all(out[~(on | off)] == 5e-5)


def test_read_noise_statistics():
    g = np.full(100_000, 1e-5)
    n = read_noise(g, 0.05, seed=1)
    assert np.std(n / g - 1) == pytest.approx(0.05, rel=0.02)   # std error ~ 0.22 %


def test_cycle_to_cycle_continuity():
    m = KnowmMSS()
    tr = cycle_to_cycle(m, Sine(0.8, 10.0, r_series=5e3, points_per_period=200), 4, {"V_on": 0.05}, x0=0.0, seed=1)
    assert tr.t.size == 4 * 200 + 1 and np.all(np.diff(tr.t) > 0)
    vals = [c["V_on"] for c in tr.stats["cycle_params"]]
    assert len(set(vals)) == 4                     # a new draw every cycle
    # the state is continuous across cycle boundaries
    assert np.max(np.abs(np.diff(tr.x))) < 0.5
