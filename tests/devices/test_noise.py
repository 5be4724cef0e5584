"""Read noise with a spectrum (docs/notes/devices.md §10): RTN and 1/f against closed forms.

Independent references: the Machlup Lorentzian of a two-state Markov process (and its
aliased sum for sampled data), the exponential dwell-time law (KS test), the Bernoulli
variance of a two-level signal, the 1/f law, and IBM aihwkit's PCM read-noise expression
transcribed by hand.
"""
import math

import numpy as np
import pytest
from scipy import integrate, signal, stats

from memlab.errors import MemlabError
from memlab.devices import FlickerNoise, TelegraphNoise, telegraph, flicker, read_noise

KS_ALPHA = 0.01          # level of every Kolmogorov-Smirnov test here


def _runs(state):
    """Lengths (samples) of the runs of equal values in a 1-D 0/1 array, first and last run dropped."""
    edges = np.flatnonzero(np.diff(state)) + 1
    lengths = np.diff(edges)
    first = state[edges[:-1]]
    return lengths, first


def test_rtn_dwell_times_are_exponential_from_the_sampled_trace():
    # tau = 1 ms each, sampled at 200 kHz (dt = tau/200): 10,000+ dwells of each state
    rtn = TelegraphNoise(tau_c=1e-3, tau_e=1e-3, a_ref=0.1, r_ref=1e4)
    x = telegraph(rtn, 1e-4, 4_400_000, 2e5, seed=7)
    filled = (x < 1.0).astype(np.int8)
    lengths, state = _runs(filled)
    dt = 1 / 2e5
    for s, tau in ((0, rtn.tau_c), (1, rtn.tau_e)):
        d = lengths[state == s][:10_000] * dt
        assert d.size == 10_000
        # a run of L samples brackets a dwell in ((L-1) dt, (L+1) dt): centre it (shift dt/2 is
        # the mean offset of sampling an exponential at a uniform phase); the residual
        # discretisation error (<= dt/tau = 0.5 %) is far below the KS critical D 1.63/100 = 1.6 %
        p = stats.kstest((d - 0.5 * dt) / tau, "expon").pvalue
        assert p > KS_ALPHA, (s, p)
        assert np.mean(d) == pytest.approx(tau, rel=4 / math.sqrt(10_000))   # 4 standard errors


def test_rtn_event_dwell_times_ks_and_stationary_occupancy():
    rtn = TelegraphNoise(tau_c=2e-3, tau_e=6e-3)
    _, ev = telegraph(rtn, 1e-4, 100_000, 1e3, seed=3, return_events=True)    # 100 s, ~12,500 cycles
    d = np.diff(np.concatenate([[0.0], ev[0]]))
    x0 = telegraph(rtn, 1e-4, 100_000, 1e3, seed=3)
    first_filled = x0[0] < 1
    filled_d = d[(0 if first_filled else 1)::2][:10_000]
    empty_d = d[(1 if first_filled else 0)::2][:10_000]
    assert stats.kstest(filled_d / rtn.tau_e, "expon").pvalue > KS_ALPHA
    assert stats.kstest(empty_d / rtn.tau_c, "expon").pvalue > KS_ALPHA
    # occupancy of the filled state over 2,000 devices at one instant: Bernoulli(tau_e/(tau_c+tau_e) = 0.75)
    many = telegraph(rtn, np.full(2000, 1e-4), 2, 1e3, seed=4)[:, 0] < 1
    assert many.mean() == pytest.approx(0.75, abs=4 * math.sqrt(0.75 * 0.25 / 2000))


def test_rtn_levels_and_variance_match_the_two_level_closed_form():
    rtn = TelegraphNoise(tau_c=1e-3, tau_e=3e-3, a_ref=0.02, r_ref=1e4, exponent=1.0)
    g = 1 / 5e4                                     # R = 50 kOhm -> dR/R = 0.02 * 5 = 0.1
    x = telegraph(rtn, np.full(20_000, g), 2, 1e3, seed=11)[:, 1]
    levels = np.unique(x)
    np.testing.assert_allclose(levels, [1 / 1.1, 1.0], rtol=1e-15)     # I/I0 = 1/(1 + dR/R)
    p = 0.75
    var = (1 / 1.1 - 1) ** 2 * p * (1 - p)          # Bernoulli variance of the two levels
    assert np.var(x) == pytest.approx(var, rel=0.03)     # std error of a variance, n = 20k: ~1.2 %
    # the band variance over an (effectively) infinite band is the same number
    assert rtn.variance(g, bandwidth=1e12, duration=1e6) == pytest.approx(var, rel=1e-6)


def test_rtn_spectrum_is_the_aliased_lorentzian():
    rtn = TelegraphNoise(tau_c=2e-3, tau_e=5e-3, a_ref=0.05, r_ref=1e4)
    g, fs, n, m = 1e-4, 1e4, 2 ** 15, 48
    x = telegraph(rtn, np.full(m, g), n, fs, seed=5)
    f, P = signal.welch(x - x.mean(axis=1, keepdims=True), fs=fs, nperseg=1024, axis=1)
    P = P.mean(axis=0)
    k = np.arange(-3000, 3001)
    ref = rtn.psd(np.abs(f[:, None] + k[None, :] * fs), g).sum(axis=1)    # aliasing of a sampled process
    sel = (f >= 20) & (f <= 2000)
    r = P[sel] / ref[sel]
    ratio = r[:r.size // 6 * 6].reshape(-1, 6).mean(axis=1)
    # per Welch bin: ~63 segments x 48 devices -> relative std ~1.8 %; 6-bin groups ~0.8 %: 5 % is > 5 sigma
    assert np.all(np.abs(ratio - 1) < 0.05), ratio
    # the closed form itself integrates to the Bernoulli variance (quad, independent of the code)
    total, _ = integrate.quad(lambda ff: float(rtn.psd(ff, g)), 0, np.inf, limit=400)
    di = 1 / (1 + rtn.amplitude(g)) - 1
    assert total == pytest.approx(di ** 2 * rtn.p_filled * (1 - rtn.p_filled), rel=1e-8)


def test_flicker_spectrum_has_slope_minus_one_and_level_k():
    fn = FlickerNoise(k_ref=1e-6, g_ref=1e-5, exponent=1.0)
    g, fs, n, m = 2e-5, 1e4, 2 ** 14, 32
    x = flicker(fn, np.full(m, g), n, fs, seed=9)
    f, P = signal.periodogram(x - 1.0, fs=fs, window="boxcar", axis=1, detrend=False)
    f, P = f[1:-1], P[:, 1:-1].mean(axis=0)
    K = 1e-6 * 0.5                                     # k_ref (g/g_ref)^-1
    # every bin is (K/f) chi2_2 / 2 averaged over 32 records: mean of P f/K over 8,190 bins has
    # std 1/sqrt(32 * 8190) = 0.19 %; 1 % is > 5 sigma
    assert np.mean(P * f / K) == pytest.approx(1.0, abs=0.01)
    slope = np.polyfit(np.log(f), np.log(P), 1)[0]
    # the log of an averaged chi2 has a constant bias (no slope bias); OLS slope std over 4 decades
    # ~ 0.18 / sqrt(8190) / std(ln f) ~ 2e-3: 0.01 is a 5-sigma bound
    assert slope == pytest.approx(-1.0, abs=0.01)


def test_flicker_k_reproduces_aihwkit_pcm_read_noise():
    # IBM aihwkit PCMLikeNoiseModel: q_s = min(0.0088 / (g/g_max)^0.65, 0.2) with g_max = 25 uS,
    # sigma = q_s sqrt(ln((t + t_read) / (2 t_read))), t_read = 250 ns (transcribed by hand)
    fn = FlickerNoise()
    t_read = 250e-9
    for g, t in ((12.5e-6, 1.0), (25e-6, 3600.0), (2e-6, 86400.0), (0.05e-6, 20.0)):
        q_s = min(0.0088 / (g / 25e-6) ** 0.65, 0.2)
        sigma = q_s * math.sqrt(math.log((t + t_read) / (2 * t_read)))
        got = math.sqrt(float(fn.variance(g, bandwidth=1 / (2 * t_read), duration=t + t_read)))
        assert got == pytest.approx(sigma, rel=1e-12)
    # K vs R: log-log slope 2 x 0.65 = 1.3 below the cap
    g = np.array([1e-6, 5e-6, 25e-6])
    slope = np.polyfit(np.log(1 / g), np.log(fn.k(g)), 1)[0]
    assert slope == pytest.approx(1.3, abs=1e-12)


def test_read_noise_with_spectra_has_the_band_sigma():
    fn, rtn = FlickerNoise(), TelegraphNoise()
    g = np.full(200_000, 10e-6)
    B, T = 1e6, 10.0
    out = read_noise(g, (fn, rtn), bandwidth=B, duration=T, seed=2)
    K = 0.0088 ** 2 * 0.4 ** -1.3                              # aihwkit K at 10 uS
    di = 1 / (1 + 0.01 * 10.0) - 1                             # dR/R = 1 % (R/10 kOhm), R = 100 kOhm
    a = 1 / rtn.tau_c + 1 / rtn.tau_e
    rtn_var = di ** 2 * 0.25 * (2 / math.pi) * (math.atan(2 * math.pi * B / a) - math.atan(2 * math.pi / (T * a)))
    expect = math.sqrt(K * math.log(B * T) + rtn_var)
    assert np.std(out / g - 1) == pytest.approx(expect, rel=0.01)    # std error 0.16 %
    assert read_noise(g[:3], 0.01, seed=1) == pytest.approx(read_noise(g[:3], 0.01, seed=1))
    # a per-cell sigma array works as before for scalars
    s = np.linspace(0, 0.1, 5)
    r = read_noise(np.full(5, 1e-5), s, seed=3)
    assert r[0] == 1e-5 and np.all(np.isfinite(r))


def test_generators_are_seeded():
    rtn, fn = TelegraphNoise(), FlickerNoise()
    g = np.array([[1e-5, 2e-5], [3e-5, 4e-5]])
    np.testing.assert_array_equal(telegraph(rtn, g, 500, 1e4, seed=1), telegraph(rtn, g, 500, 1e4, seed=1))
    np.testing.assert_array_equal(flicker(fn, g, 500, 1e4, seed=1), flicker(fn, g, 500, 1e4, seed=1))
    assert telegraph(rtn, g, 500, 1e4, seed=1).shape == (2, 2, 500)
    assert not np.array_equal(flicker(fn, g, 500, 1e4, seed=1), flicker(fn, g, 500, 1e4, seed=2))


def test_crossbar_read_with_spectral_read_noise():
    """Call site: an AnalogMatrix read with 1/f + RTN read noise (arrays.ReadNoise) has the
    output spread that the per-cell band sigmas predict."""
    from memlab.arrays import AnalogMatrix, ReadNoise
    rng = np.random.default_rng(0)
    W = rng.uniform(-1, 1, (4, 16))
    fn, rtn = FlickerNoise(), TelegraphNoise()
    step = ReadNoise((fn, rtn), bandwidth=1e6, duration=1.0)
    am = AnalogMatrix(W, g_min=1e-6, g_max=25e-6, nonidealities=[step], seed=4)
    x = rng.uniform(-1, 1, 16)
    ys = np.array([am.matvec(x) for _ in range(400)])
    G = am.G_programmed                                   # (n_in, 2 n_out): (+, -) column pairs
    s = np.sqrt(fn.variance(G, bandwidth=1e6, duration=1.0) + rtn.variance(G, bandwidth=1e6, duration=1.0))
    dg = am.g_max - am.g_min
    var_cols = ((x[:, None] * s * G) ** 2).sum(axis=0)
    expect = am.w_max / dg * np.sqrt(var_cols[0::2] + var_cols[1::2])
    # std of a std from 400 reads: 1/sqrt(800) = 3.5 %; 15 % is > 4 sigma
    np.testing.assert_allclose(ys.std(axis=0), expect, rtol=0.15)
    np.testing.assert_allclose(ys.mean(axis=0), am.ideal(x), atol=4 * expect.max() / math.sqrt(400))


BAD = [
    ("n", lambda: telegraph(TelegraphNoise(), 1e-5, 1, 1e3)),
    ("rate", lambda: telegraph(TelegraphNoise(), 1e-5, 10, 0.0)),
    ("g", lambda: telegraph(TelegraphNoise(), -1e-5, 10, 1e3)),
    ("noise", lambda: telegraph(None, 1e-5, 10, 1e3)),
    ("noise", lambda: flicker(TelegraphNoise(), 1e-5, 10, 1e3)),
    ("rate", lambda: flicker(FlickerNoise(), 1e-5, 10, math.nan)),
    ("tau_c", lambda: TelegraphNoise(tau_c=0.0)),
    ("a_max", lambda: TelegraphNoise(a_max=2.0)),
    ("exponent", lambda: FlickerNoise(exponent="a")),
    ("k_ref", lambda: FlickerNoise(k_ref=-1.0)),
    ("bandwidth", lambda: read_noise([1e-5], FlickerNoise(), duration=1.0)),
    ("bandwidth", lambda: read_noise([1e-5], FlickerNoise(), bandwidth=0.5, duration=1.0)),
    ("relative", lambda: read_noise([1e-5], FlickerNoise(), relative=False, bandwidth=1e3, duration=1.0)),
    ("sigma", lambda: read_noise([1e-5, 2e-5], [0.1, 0.2, 0.3])),
    ("sigma", lambda: read_noise([1e-5], [-0.1])),
    ("sigma", lambda: read_noise([1e-5], None)),
    ("f", lambda: FlickerNoise().psd(0.0, 1e-5)),
    ("g", lambda: FlickerNoise().k(0.0)),
]


@pytest.mark.parametrize("name,call", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_input_raises_named_error(name, call):
    with pytest.raises(MemlabError, match=name):
        call()
