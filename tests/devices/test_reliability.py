"""Retention, relaxation and endurance (docs/notes/devices.md §10) against published
statistics (IBM aihwkit's RRAM noise models, transcribed by hand), closed forms and the
Lammie/Ielmini endurance model's reference expression."""
import math

import numpy as np
import pytest

from memlab.errors import MemlabError
from memlab.devices import (VTEAM, Relaxation, RELAXATION, relax, arrhenius, drift, Endurance, ENDURANCE,
                            endurance_window, endurance_model)

N = 200_000            # devices per statistical check: std error of a std = 1/sqrt(2N) = 0.16 %


def test_wan2022_relaxation_sigma_at_one_second_and_one_day():
    # aihwkit ReRamWan2022NoiseModel coefficients (uS, in g/40 uS), evaluated by hand at g = 20 uS:
    # 1 s: 0.348 + 16.030/2 - 43.853/4 + 45.393/8 - 16.815/16 = 2.0229375 uS
    # 1 day: 0.701 + 22.086/2 - 50.773/4 + 47.095/8 - 16.458/16 = 3.909 uS
    g = np.full(N, 20e-6)
    for t, sigma in ((1.0, 2.0229375e-6), (86400.0, 3.909e-6), (172800.0, 3.929125e-6)):
        out = relax(g, t, "wan2022", seed=1)
        assert np.std(out) == pytest.approx(sigma, rel=0.01)
        assert np.mean(out) == pytest.approx(20e-6, abs=5 * sigma / math.sqrt(N))     # no mean drift
    # between tabulated times: linear in ln t (the geometric mean of 1 s and 1 day is half way)
    m = RELAXATION["wan2022"]
    assert float(m.sigma(20e-6, math.sqrt(86400.0))) == pytest.approx((2.0229375e-6 + 3.909e-6) / 2, rel=1e-12)
    with pytest.raises(MemlabError, match="tabulated"):
        relax(g[:3], 10 * 86400.0, "wan2022")


def test_cmo_hfox_relaxation_mean_and_sigma_after_one_day():
    # aihwkit ReRamCMONoiseModel: mean -0.08900206 ln t uS, sigma 0.04201137 ln t + 0.41183342 uS
    # at t = 86400 s: -1.0116635 uS and 0.8893659 uS
    out = relax(np.full(N, 20e-6), 86400.0, "cmo_hfox", seed=2)
    assert np.mean(out) - 20e-6 == pytest.approx(-1.0116635384669879e-6, abs=5 * 0.89e-6 / math.sqrt(N))
    assert np.std(out) == pytest.approx(0.8893658639686661e-6, rel=0.01)


def test_arrhenius_bake_extrapolation():
    # Ea = 1.1 eV, 150 C bake vs 85 C use: exp(1.1 / 8.617333262e-5 (1/358.15 - 1/423.15)) = 238.6196
    af = arrhenius(423.15, ea=1.1, T_ref=358.15)
    assert af == pytest.approx(238.61956707221387, rel=1e-12)
    assert arrhenius(358.15, ea=1.1, T_ref=358.15) == 1.0
    # relaxation at T over t is relaxation at T_ref over t * af (the same draw with the same seed)
    m = Relaxation(form="kww", tau=1e5, beta=0.5, g_inf_ratio=0.6, ea=1.1, T_ref=358.15)
    a = relax([10e-6, 20e-6], 100.0, m, T=423.15, seed=3)
    b = relax([10e-6, 20e-6], 100.0 * af, m, seed=3)
    np.testing.assert_allclose(a, b, rtol=1e-14)


def test_kww_and_power_forms():
    g0 = np.array([5e-6, 50e-6])
    m = Relaxation(form="kww", tau=1e4, beta=0.4, g_inf_ratio=0.7)
    # at t = tau the KWW term is 1/e: G = G_inf + (G0 - G_inf)/e
    np.testing.assert_allclose(relax(g0, 1e4, m), 0.7 * g0 + 0.3 * g0 / math.e, rtol=1e-14)
    # beta = 1 is a plain exponential; t -> 0 leaves G0
    e = Relaxation(form="kww", tau=2.0, beta=1.0, g_inf_ratio=0.0)
    np.testing.assert_allclose(relax(g0, 3.0, e), g0 * math.exp(-1.5), rtol=1e-14)
    np.testing.assert_allclose(relax(g0, 1e-12, m), g0, rtol=1e-6)
    # the power form is the retention drift of devices.drift
    p = Relaxation(form="power", nu=0.05, t0=20.0)
    t = np.logspace(1.5, 6, 7)
    np.testing.assert_allclose(relax(3e-5, t, p), drift(3e-5, t, t0=20.0, nu=0.05), rtol=1e-14)


def test_relax_is_seeded_per_device():
    g = np.linspace(10e-6, 40e-6, 64).reshape(8, 8)
    a = relax(g, 3600.0, "cmo_hfox", seed=5)
    np.testing.assert_array_equal(a, relax(g, 3600.0, "cmo_hfox", seed=5))
    assert a.shape == (8, 8) and np.unique(a).size == 64 and np.all(a >= 0)


def test_relaxed_crossbar_column_currents():
    """Call site: a crossbar read after one day of CMO/HfOx relaxation; the column currents
    shift by the published mean (n_rows v slope ln t) within the published sigma."""
    from memlab.arrays import Crossbar
    rng = np.random.default_rng(0)
    G = rng.uniform(10e-6, 30e-6, (64, 64))
    Gr = relax(G, 86400.0, "cmo_hfox", seed=6)
    v = np.full(64, 0.2)
    i0 = Crossbar(G).solve(v).i_out
    i1 = Crossbar(Gr).solve(v).i_out
    shift = i1 - i0
    expect = 64 * 0.2 * (-1.0116635384669879e-6)
    per_col_sd = math.sqrt(64) * 0.2 * 0.8893658639686661e-6
    assert np.mean(shift) == pytest.approx(expect, abs=5 * per_col_sd / 8)
    assert np.std(shift) == pytest.approx(per_col_sd, rel=0.3)      # 64 columns: std error ~9 %


def test_endurance_power_law_matches_the_reference_expression():
    # SST-Reproducibility GeneralModel.model, gradual mode: for x > th,
    # R = 10 ** (p3 * s * log10(x) + log10(10 ** p0) - p3 * s * log10(th)), else 10 ** p0
    p0, p3, s, th = math.log10(4.4e3), 0.012, 10.0, 1e4
    n = np.array([10.0, 1e4, 3e4, 1e6, 1e8])
    ref = np.where(n <= th, 10 ** p0, 10 ** (p3 * s * np.log10(n) + p0 - p3 * s * math.log10(th)))
    lo, hi, failed = endurance_window(4.4e3, 6.5e4, n, Endurance(n_th=th, p_lrs=p3 * s, p_hrs=0.0))
    np.testing.assert_allclose(lo, ref, rtol=1e-13)
    assert np.all(hi == 6.5e4) and not failed.any()


def test_lammie2021_hfalo_window_after_n_cycles():
    # the source's own function (SST-Reproducibility simulate_6A.py, gradual), transcribed:
    # threshold = p_0 exp(p_1 s); R = 10 ** (p_2 s log10(n) + log10(R0) - p_2 s log10(threshold))
    p_0, p_1, s = 10.0, 0.6907755278982137, 10
    th = p_0 * math.exp(p_1 * s)

    def gradual(r0, n, p_2):
        return 10 ** (p_2 * s * math.log10(n) + math.log10(r0) - p_2 * s * math.log10(th))

    spec = ENDURANCE["lammie2021_hfalo"]
    for n in (3e4, 1e6, 1e8):
        lo, hi, failed = endurance_window(4400.0, 65000.0, n, spec)
        assert lo == pytest.approx(gradual(4400.0, n, 0.012171029136082496), rel=1e-12)
        assert hi == pytest.approx(gradual(65000.0, n, -0.015855563129903612), rel=1e-12)
        assert not failed
    # after 1e6 cycles the 4.4 k / 65 k window (ratio 14.8) has closed to 7.707 k / 31.32 k (ratio 4.06)
    lo, hi, _ = endurance_window(4400.0, 65000.0, 1e6, spec)
    assert lo == pytest.approx(7706.8, rel=1e-4) and hi == pytest.approx(31318.6, rel=1e-4)
    # the two meet at n = 1e4 x 14.773^(1/0.28027) = 1.49e8 cycles: failed just after
    n_meet = th * (65000 / 4400) ** (1 / (0.12171029136082496 + 0.15855563129903612))
    assert n_meet == pytest.approx(1.49e8, rel=0.01)
    assert not endurance_window(4400.0, 65000.0, 0.99 * n_meet, spec)[2]
    assert endurance_window(4400.0, 65000.0, 1.01 * n_meet, spec)[2]


def test_endurance_window_closes_and_fails():
    spec = Endurance(n_th=1e4, p_lrs=0.2, p_hrs=-0.2, stuck="lrs")
    # R_HRS/R_LRS = 10 (n/n_th)^-0.4 reaches 1 at n = n_th 10^2.5 = 3.162e6 cycles
    lo, hi, failed = endurance_window(1e4, 1e5, [3.1e6, 3.2e6])
    assert not endurance_window(1e4, 1e5, 3.1e6, spec)[2] and endurance_window(1e4, 1e5, 3.2e6, spec)[2]
    lo, hi, _ = endurance_window(1e4, 1e5, 1e5, spec)
    assert lo == pytest.approx(1e4 * 10 ** 0.2) and hi == pytest.approx(1e5 * 10 ** -0.2)
    # logarithmic form: R(n) = R0 (1 + p ln(n/n_th))
    lg = Endurance(form="log", n_th=100.0, p_lrs=0.05, p_hrs=-0.05)
    lo, hi, _ = endurance_window(1e4, 1e5, 100.0 * math.e ** 2, lg)
    assert lo == pytest.approx(1.1e4, rel=1e-14) and hi == pytest.approx(0.9e5, rel=1e-14)
    # sudden failure at n_th, stuck at HRS
    sd = Endurance(form="sudden", n_th=1e6, stuck="hrs")
    lo, hi, f = endurance_window(1e4, 1e5, [1e6, 2e6], sd)
    assert list(f) == [False, True] and lo[1] == hi[1] == 1e5


def test_endurance_device_to_device_is_seeded_lognormal():
    spec = Endurance(n_th=1e4, sigma_n=0.5, n_fail=1e6)
    r0 = np.full(N, 1e4)
    _, _, failed = endurance_window(r0, 10 * r0, 1e6, spec, seed=4)
    # n_fail lognormal with median 1e6: half the devices have failed at 1e6 cycles
    assert failed.mean() == pytest.approx(0.5, abs=5 * 0.5 / math.sqrt(N))
    a = endurance_window(r0[:10], 10 * r0[:10], 5e5, spec, seed=4)[0]
    np.testing.assert_array_equal(a, endurance_window(r0[:10], 10 * r0[:10], 5e5, spec, seed=4)[0])
    # curves over n for the same devices: n[:, None] against the device axis
    lo, _, _ = endurance_window(r0[:5], 10 * r0[:5], np.array([1e3, 1e5])[:, None], spec, seed=4)
    assert lo.shape == (2, 5) and np.all(lo[1] >= lo[0])


def test_endurance_model_degrades_parameters():
    m = VTEAM()
    r_on, r_off = m.values["R_on"], m.values["R_off"]
    spec = Endurance(n_th=1e3, p_lrs=0.1, p_hrs=-0.1)
    d = endurance_model(m, 1e5, spec)
    assert d.values["R_on"] == pytest.approx(r_on * 100 ** 0.1) and d.values["R_off"] == pytest.approx(r_off * 100 ** -0.1)
    pop = endurance_model(m, 1e5, Endurance(n_th=1e3, sigma_n=0.3), n_devices=16, seed=1)
    assert pop.values["R_on"].shape == (16,) and np.unique(pop.values["R_on"]).size == 16


BAD = [
    ("T", lambda: arrhenius(0.0, ea=1.0)),
    ("ea", lambda: arrhenius(300.0, ea=-1.0)),
    ("form", lambda: Relaxation(form="x")),
    ("beta", lambda: Relaxation(form="kww", beta=1.5)),
    ("sigma_log", lambda: Relaxation(sigma_log=(-1.0, 0.0))),
    ("model", lambda: relax([1e-5], 1.0, "nope")),
    ("t", lambda: relax([1e-5], -1.0)),
    ("t", lambda: relax([1e-5], 0.5, "cmo_hfox")),
    ("g", lambda: relax([math.nan], 10.0)),
    ("T", lambda: relax([1e-5], 10.0, T="hot")),
    ("form", lambda: Endurance(form="x")),
    ("stuck", lambda: Endurance(stuck="mid")),
    ("n_th", lambda: Endurance(n_th=0.0)),
    ("sigma_n", lambda: Endurance(sigma_n=-1.0)),
    ("r_lrs", lambda: endurance_window(2e5, 1e5, 10.0)),
    ("n", lambda: endurance_window(1e4, 1e5, -1.0)),
    ("spec", lambda: endurance_window(1e4, 1e5, 1.0, None)),
    ("R_x", lambda: endurance_model(VTEAM(), 1.0, lrs="R_x")),
    ("model", lambda: endurance_model(None, 1.0)),
]


@pytest.mark.parametrize("name,call", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_input_raises_named_error(name, call):
    with pytest.raises(MemlabError, match=name):
        call()


def test_relax_negative_tail_is_counted_not_silent():
    """0.2 uS relaxed for a day under cmo_hfox: the fitted Gaussian (sigma ~0.9 uS, from
    aihwkit's coefficients checked above) puts about 40 % of the draws below 0 S; they are
    set to 0 S with a warning that gives their count, and clip=False keeps them."""
    from memlab.errors import MemlabWarning
    g0 = np.full(10_000, 0.2e-6)
    with pytest.warns(MemlabWarning, match=r"\d+ of 10000 relaxed conductances fell below 0 S"):
        g = relax(g0, 86_400.0, seed=3)
    raw = relax(g0, 86_400.0, seed=3, clip=False)
    assert g.min() == 0.0 and raw.min() < 0.0
    np.testing.assert_array_equal(g, np.maximum(raw, 0.0))
