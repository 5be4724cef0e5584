"""Model-level checks against independent numbers (docs/notes/devices.md §3-§5, closed forms)."""
import numpy as np
import pytest

from memlab.analysis import lobe_areas
from memlab.devices import (VTEAM, TEAM, Yakopcic, StanfordPKU, KnowmMSS, ThresholdMemristor,
                            HPLinearDrift, SinhConductance, Selector, Sine, PulseTrain, simulate, get_model)


def test_vteam_subthreshold_sine_leaves_state():
    m = VTEAM()   # thresholds v_on = -0.2 V, v_off = 0.02 V
    tr = simulate(m, Sine(0.019, 1e6, periods=3), x0=1.2e-9)
    assert np.all(tr.x == 1.2e-9)
    scale = np.abs(tr.v).max() * np.abs(tr.i).max()
    assert sum(lobe_areas(tr)) < 1e-12 * scale       # zero up to float rounding


@pytest.mark.parametrize("iv", ["linear", "exponential"])
def test_team_iv_end_points(iv):
    for M in (VTEAM, TEAM):
        m = M(iv=iv, R_on=80.0, R_off=4e3, x_on=0.5e-9, x_off=2.5e-9)
        assert m.resistance(0.1, 0.5e-9) == pytest.approx(80.0, rel=1e-12)
        assert m.resistance(0.1, 2.5e-9) == pytest.approx(4e3, rel=1e-12)
    if iv == "exponential":   # geometric mean in the middle: R_on exp(ln(R_off/R_on)/2)
        assert VTEAM(iv=iv).resistance(0.1, 1.5e-9) == pytest.approx(np.sqrt(50 * 1e3), rel=1e-12)


def test_vteam_rate_closed_form():
    m = VTEAM()
    # k_off (v/v_off - 1)^alpha_off = 5e-4 * (0.5/0.02 - 1) = 0.012 m/s
    assert m.rate(0.5, 1e-9) == pytest.approx(5e-4 * 24)
    # k_on (v/v_on - 1)^alpha_on = -10 * (1 - 1)^3 ... at v = -0.4: -10 * 1 = -10
    assert m.rate(-0.4, 1e-9) == pytest.approx(-10.0)
    assert m.rate(0.0, 1e-9) == 0


def test_vteam_switching_time_closed_form():
    """Constant 0.5 V from x_on: dx/dt = 0.012 m/s, so x_off (3 nm) is reached at 250 ns."""
    m = VTEAM()
    d = PulseTrain([0.5], [400e-9], gap=0.0, rise=1e-12, points_per_segment=400)
    tr = simulate(m, d, x0=0.0, rtol=1e-7)
    t_hit = tr.t[np.argmax(tr.x >= 3e-9 * (1 - 1e-9))]
    assert t_hit == pytest.approx(250e-9 + 1e-12 / 2, rel=0.01)   # 1 % = output sampling (1 ns)
    assert tr.x.max() <= 3e-9 and tr.x.min() >= 0


YAK_AREAS = {3: 1.7e-4, 10: 2.4e-4, 100: 5.6e-4, 300: 5.5e-4, 1e3: 3.3e-4, 1e4: 3.8e-5, 1e5: 3.8e-6}


def test_yakopcic_area_rises_then_falls():
    """docs/notes/devices.md §4 (set A, 0.5 V, one cycle from x0 = 0.11): A+ table, 2 digits -> 4 %."""
    y = Yakopcic()
    areas = []
    for f, ref in YAK_AREAS.items():
        tr = simulate(y, Sine(0.5, f, points_per_period=4000), x0=0.11, rtol=1e-7)
        a = lobe_areas(tr, last_period=False)[0]
        assert a == pytest.approx(ref, rel=0.04), f
        assert tr.x.min() >= 0 and tr.x.max() <= 1
        areas.append(a)
    areas = np.array(areas)
    k = int(np.argmax(areas))
    assert 0 < k < len(areas) - 1                    # rises, then falls
    assert np.all(np.diff(areas[3:]) < 0)            # monotone above ~300 Hz


def test_yakopcic_threshold_band():
    y = Yakopcic()
    assert y.rate(0.16, 0.5) == 0 and y.rate(-0.15, 0.5) == 0
    assert y.rate(0.2, 0.5) > 0 and y.rate(-0.2, 0.5) < 0


def test_stanford_resistance_at_read():
    """docs/notes/devices.md §5: MemTorch r_on/r_off = V/I at 0.1 V for g = 0.2 nm and 1.7 nm."""
    s = StanfordPKU()
    assert s.resistance(0.1, 0.2e-9) == pytest.approx(542.0, rel=0.005)
    assert s.resistance(0.1, 1.7e-9) == pytest.approx(218.6e3, rel=0.005)


def test_stanford_symmetry_bounds_and_fmin():
    s = StanfordPKU()
    v = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(s.current(-v, 1e-9), -s.current(v, 1e-9), rtol=1e-14)
    # no gap motion below F_min: gamma |v| / t_ox < 1.4e9 V/m -> |v| < ~1.05 V at g = 0.2 nm
    assert s.rate(1.0, 0.2e-9) == 0 and s.rate(-1.0, 0.2e-9) == 0
    assert s.rate(1.3, 0.5e-9) < 0 and s.rate(-1.3, 0.5e-9) > 0
    tr = simulate(s, Sine(1.6, 1e4, periods=2), x0=0.2e-9)
    assert tr.x.min() >= 0.2e-9 and tr.x.max() <= 1.7e-9 and tr.x.max() > 0.3e-9


def test_series_resistor_circuit_equation():
    m = KnowmMSS()
    tr = simulate(m, Sine(0.8, 10.0, periods=2, r_series=5e3), x0=0.0)
    np.testing.assert_allclose(tr.v + 5e3 * tr.i, tr.v_source, atol=1e-12)
    # the Newton solution is consistent with the model's own I-V at the stored state
    np.testing.assert_allclose(tr.i, m.current(tr.v, tr.x), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("model,drive,x0", [
    (VTEAM(iv="exponential"), Sine(1.0, 20e6, periods=2, r_series=100.0), 1.5e-9),
    (Yakopcic(), Sine(0.5, 100.0, periods=2), 0.11),
    (KnowmMSS(), Sine(0.8, 10.0, periods=2, r_series=5e3), 0.0),
    (ThresholdMemristor(), Sine(3.0, 1e3, periods=2), 5e3),
])
def test_against_scipy_radau(model, drive, x0):
    """Independent integrator: scipy Radau on the same model (numpy kernels, brentq for the
    series resistor), states compared where the state is away from its bounds."""
    from scipy.integrate import solve_ivp
    from scipy.optimize import brentq
    lo, hi = model.bounds()
    rs = drive.r_series

    def vdev(t, x):
        vs = drive.value(t)
        if rs == 0 or vs == 0:
            return vs
        return brentq(lambda v: v + rs * model.current(v, x) - vs, min(0, vs), max(0, vs), xtol=1e-15)

    def rhs(t, y):
        x = min(max(y[0], lo), hi)
        r = model.rate(vdev(t, x), x)
        if (x <= lo and r < 0) or (x >= hi and r > 0):
            r = 0.0
        return [r]

    tr = simulate(model, drive, x0=x0, rtol=1e-7)
    ref = solve_ivp(rhs, (0, tr.t[-1]), [x0], t_eval=tr.t, method="Radau", rtol=1e-9,
                    atol=1e-9 * (hi - lo), max_step=drive.duration / 2000)
    # 1e-3 of the state range: both are adaptive solvers at tight tolerances; the clipped
    # bound in the reference is approximate (a rate switched off at the bound)
    np.testing.assert_allclose(np.clip(ref.y[0], lo, hi), tr.x, atol=1e-3 * (hi - lo))


def test_static_cells():
    s = SinhConductance(v0=0.25)
    assert s.di_dv(0.0, 2e-5) == pytest.approx(2e-5)
    assert s.current(0.5, 1e-5) == pytest.approx(1e-5 * 0.25 * np.sinh(2.0))
    sel = Selector()
    # half-bias selectivity, closed form: sinh(1.5/0.15)/sinh(0.75/0.15) ~ 148 (leak negligible)
    assert sel.current(1.5, 0) / sel.current(0.75, 0) == pytest.approx(np.sinh(10) / np.sinh(5), rel=1e-3)


def test_get_model_and_latex():
    for name in ["hp", "team", "vteam", "yakopcic", "stanford", "mss", "threshold", "sinh", "selector"]:
        m = get_model(name)
        assert "frac{d" in m.latex()
        assert all(p.source for p in m.params.values()), name


def test_population_equals_single_calls():
    """10,000 VTEAM devices with lognormal spread in one call == single-device calls."""
    from memlab.devices import spread
    pop = spread(VTEAM(), 10_000, {"k_off": 0.3, "R_off": 0.1, "v_off": 0.2}, seed=1)
    drive = Sine(1.0, 20e6, periods=1, points_per_period=400)
    tr = simulate(pop, drive, x0=1.5e-9)
    assert tr.i.shape == (10_000, 401)
    rng = np.random.default_rng(7)
    for k in rng.choice(10_000, 20, replace=False):
        single = VTEAM(**{n: (v[k] if np.ndim(v) else v) for n, v in pop.values.items()})
        one = simulate(single, drive, x0=1.5e-9)
        np.testing.assert_array_equal(one.i, tr.i[k])
        np.testing.assert_array_equal(one.x, tr.x[k])


def test_stanford_noise_option_seeded_and_sized():
    """Noise (model_switch = 1) is off by default; with noise=True the jumps at zero bias
    have std dg0 / (1 + exp((T_crit - T0)/T_smth)) (closed form, T = T0 when i = 0)."""
    from memlab.devices import PWL
    assert not StanfordPKU().has_noise
    s = StanfordPKU(noise=True, dg0=1e-12)
    d = PWL(t=(0.0, 1e-3), v=(0.0, 0.0), n_points=20_001)
    a = simulate(s, d, x0=0.9e-9, seed=4)
    b = simulate(s, d, x0=0.9e-9, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    steps = np.diff(a.x)
    expect = 1e-12 / (1 + np.exp((450 - 298) / 500))
    # 20,000 samples: std error of the std ~ 0.5 %; 3 % is > 5 sigma
    assert np.std(steps) == pytest.approx(expect, rel=0.03)
    assert a.x.min() >= 0.2e-9 and a.x.max() <= 1.7e-9


def test_fixed_step_method_is_second_order():
    """method='fixed' (one ROS2 step per output interval) converges at order 2: halving the
    step divides the state error against a tight adaptive reference by about 4."""
    def errors(model, x0, ns, **drive):
        out = []
        for n in ns:
            d = Sine(points_per_period=n, **drive)
            ref = simulate(model, d, x0=x0, rtol=1e-10)
            out.append(np.max(np.abs(simulate(model, d, x0=x0, method="fixed").x - ref.x)))
        return np.array(out)

    e = errors(HPLinearDrift(), 0.5, (1000, 2000, 4000), amplitude=1.0, frequency=10.0)
    assert np.all((e[:-1] / e[1:] > 3.6) & (e[:-1] / e[1:] < 4.5)), e     # smooth model: 4.0-4.1 seen
    # the MSS switches sharply (tau = 0.445 ms): the ratio rises towards 4 as the step shrinks
    e = errors(KnowmMSS(), 0.0, (2000, 4000, 8000), amplitude=0.8, frequency=10.0, r_series=5e3)
    assert np.all(e[:-1] / e[1:] > 3.0) and e[-1] < 1e-4, e


def test_series_split_keeps_an_exact_root_on_the_bracket_edge():
    # regression: with the transistor of a 1T1R cell cut off (v_g = 0 < vto) no current flows,
    # so the whole voltage sits across the transistor; series_split returned the bracket's
    # midpoint (v/2) when the first guess was already the exact root on the bracket's edge,
    # and the cell then carried v/2 / R = 0.5 mA at 1 V instead of 0.
    from memlab.devices import MOSFET, Resistor, SeriesCell
    from memlab.devices._cell import series_split
    v = np.array([1.0, 0.5, -0.3])
    cell = SeriesCell(Resistor(1e3), MOSFET(v_g=0.0))
    s = series_split(cell.first, cell.second, v)
    # closed form: i = 0 for v >= 0 through the resistor, so s = i R = 0; for v < 0 the
    # reversed transistor conducts, the root is interior and only needs to satisfy KCL
    assert np.all(s[:2] == 0.0)
    np.testing.assert_allclose(cell.current(v[:2], None), 0.0, atol=0)
    flipped = SeriesCell(MOSFET(v_g=0.0), Resistor(1e3))
    np.testing.assert_array_equal(series_split(flipped.first, flipped.second, v[:2]), v[:2])
