"""Fitting compact models to I-V loops: synthetic recovery and the Knowm W-SDC data.

Budgets: the tests use fewer global-search members/generations than
``examples/fit_knowm.py`` (stated per call below) to stay within the CI time; no test
starts from preset values (``use_model_values=False``: the search starts from the data
and the model's search box).
"""

import numpy as np
import pytest

from memlab.devices import (KnowmMSS, Measurement, Sine, VTEAM, Yakopcic, FitSettings, compare_models, evaluate, fit,
                            fit_files, fit_resistor, load_knowm_set, simulate)
from memlab.errors import ParameterError



def synth(model, freqs, *, amp=0.8, rs=5e3, noise=0.01, seed=1):
    """Loops of ``model`` (sine + series resistor, periodic steady state) plus Gaussian noise
    of ``noise * max|i|`` (1 % in the tests), 200 samples per period like the Knowm files."""
    rng = np.random.default_rng(seed)
    out = []
    for f in freqs:
        tr = simulate(model, Sine(amp, f, periods=4, r_series=rs, points_per_period=200), rtol=1e-7).last_period()
        i = tr.i[:-1] + noise * np.max(np.abs(tr.i)) * rng.standard_normal(200)
        out.append(Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=i, frequency=f,
                                           r_series=rs, label=f"{f:g} Hz"))
    return out


def _check_recovery(res, truth, params):
    devs = {n: res.values[n] / truth.values[n] - 1 for n in params}
    for n in params:
        print(f"  {n:<8} true {truth.values[n]:.5g} fitted {res.values[n]:.5g} ({devs[n]:+.2%}) "
              f"rel std {res.rel_std[n]:.2%} identifiable {res.identifiable[n]}")
    # "identifiable" = the fit's own Jacobian standard error is at most 2 % (so that 5 %, the
    # issue's bar, is 2.5 standard errors); every such parameter must be within 5 %
    ident = [n for n in params if res.identifiable[n] and res.rel_std[n] <= 0.02]
    for n in ident:
        assert abs(devs[n]) <= 0.05, (n, devs[n])
    # the Jacobian standard errors must be honest: every parameter reported identifiable
    # (rel. std < 10 %) deviates by at most 4 standard errors
    for n in params:
        if res.identifiable[n]:
            assert abs(devs[n]) <= 4 * res.rel_std[n] + 1e-3, (n, devs[n], res.rel_std[n])
    # the fit reaches the noise floor: each loop's error ~ the 1 % noise (within 20 %)
    assert np.all(res.errors < 0.012), res.errors
    return ident


def test_recovery_yakopcic_with_noise():
    # Yakopcic shape parameters (xp, xn, alpha_p, alpha_n) stay at their true values: the
    # free set is the I-V and threshold/rate parameters (7), searched from scrambled Sobol
    # points (32 members, 12 generations; the example uses more).
    truth = Yakopcic(a1=1e-4, a2=8e-5, b=4.0, Vp=0.2, Vn=0.1, Ap=2000.0, An=1000.0)
    params = ("a1", "a2", "b", "Vp", "Vn", "Ap", "An")
    ms = synth(truth, [1.0, 10.0, 100.0])
    res = fit(Yakopcic(), ms, params, polarity=1, n_starts=32, generations=12, n_local=2, use_model_values=False)
    print(res.summary())
    ident = _check_recovery(res, truth, params)
    # (a1, a2 and Ap come out at 2.0-2.3 % standard error with these three loops: noise-limited)
    assert {"b", "Vp", "Vn"} <= set(ident) and len(ident) >= 4, ident


def test_recovery_vteam_with_noise():
    # VTEAM exponential I-V, 6 free parameters; the exponents alpha_on/off (= 1) stay fixed
    # (they trade off with k and the threshold over one amplitude). Rates chosen so that the
    # state saturates every period at 1-10 Hz (periodic steady state within 3 periods; at
    # 100 Hz this device drifts for many periods). Polarity is searched ("auto").
    truth = VTEAM(iv="exponential", R_on=2e3, R_off=2e4, k_off=3e-7, k_on=-1e-6, alpha_off=1.0, alpha_on=1.0,
                  v_off=0.1, v_on=-0.2)
    params = ("R_on", "R_off", "k_off", "k_on", "v_off", "v_on")
    ms = synth(truth, [1.0, 3.0, 10.0])
    res = fit(VTEAM(iv="exponential", alpha_off=1.0, alpha_on=1.0), ms, params, n_starts=48, generations=25,
              n_local=2, use_model_values=False)
    print(res.summary())
    assert res.polarity == 1
    ident = _check_recovery(res, truth, params)
    assert {"R_on", "R_off", "v_off", "v_on"} <= set(ident) and len(ident) >= 5, ident


# ------------------------------------------------------------------------- Knowm data
@pytest.fixture(scope="module")
def m1(knowm_data):
    return {m.frequency: m for m in load_knowm_set(knowm_data, device="M1", amplitude=0.8, frequency=[1, 10, 100])}


@pytest.fixture(scope="module")
def comparison(m1):
    """MSS, Yakopcic and VTEAM (exponential I-V) fitted to M1 0.8 V 10 Hz, predicted at 1 and
    100 Hz. Computed once for the tests of this module (the work is not cached elsewhere)."""
    budgets = {"MSS": dict(n_starts=48, generations=20, n_local=2),
               "Yakopcic": dict(n_starts=32, generations=15, n_local=1),
               "VTEAM exp": dict(n_starts=48, generations=25, n_local=2)}
    cmp = compare_models({"MSS": KnowmMSS(), "Yakopcic": Yakopcic(), "VTEAM exp": VTEAM(iv="exponential")},
                  [m1[10.0]], validate=[m1[1.0], m1[100.0]], fit_kwargs={"use_model_values": False},
                  per_model=budgets)
    print("\n" + cmp.table())
    return cmp


def test_knowm_m1_best_model_error_and_resistor_baseline(comparison):
    res = comparison.results
    rf = res["fixed resistor"]
    # baseline independent of the fit code: docs/notes/fitting.md measured 0.32
    assert 0.30 <= rf.errors[0] <= 0.34
    best = comparison.best()                        # lowest BIC on the fitted loop
    e = res[best].errors[0]
    assert best != "fixed resistor"
    assert e <= 0.05                                # the issue's bar
    assert e * 3 <= rf.errors[0]                    # at least 3x better than any fixed resistor
    for name in ("MSS", "Yakopcic", "VTEAM exp"):   # every memristor model beats the resistor 3x
        assert res[name].errors[0] * 3 <= rf.errors[0], name


def test_knowm_m1_prediction_without_refit(comparison, m1):
    best = comparison.best()
    e1, e100 = comparison.validation[best]
    print(f"best {best}: 1 Hz {e1:.4f}, 100 Hz {e100:.4f}")
    assert e1 <= 0.15 and e100 <= 0.15              # the issue's bar
    # same settings for fit and evaluation: re-evaluating reproduces the stored error exactly
    r = comparison.results[best]
    assert r.evaluate([m1[10.0]])[0] == pytest.approx(r.errors[0], rel=1e-12)
    err, tr = r.predict(m1[1.0])
    assert err == pytest.approx(e1, rel=1e-12) and tr.period == pytest.approx(1.0)


def test_knowm_comparison_table_and_plots(comparison, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    rows = {r["model"]: r for r in comparison.rows()}
    assert set(rows) == {"MSS", "Yakopcic", "VTEAM exp", "fixed resistor"}
    assert rows["MSS"]["k"] == 6 and rows["Yakopcic"]["k"] == 11 and rows["VTEAM exp"]["k"] == 8
    assert rows["fixed resistor"]["k"] == 1
    for r in rows.values():
        assert np.isfinite(r["aic"]) and np.isfinite(r["bic"]) and r["bic"] > r["aic"]   # ln(200) > 2
    table = comparison.table()
    assert ("| model | k | fit M1 0.8 V 10 Hz 5 kohm | pred M1 0.8 V 1 Hz 5 kohm | pred M1 0.8 V 100 Hz 5 kohm | fit rms "
            "| validation rms | aic | bic | at bound |") in table
    fig = comparison.plot(tmp_path / "overlay.png")
    assert (tmp_path / "overlay.png").stat().st_size > 10_000
    ax = fig.axes[0]
    assert "V" in ax.get_xlabel() and "uA" in ax.get_ylabel() and ax.get_legend() is not None
    # uncertainty from the Jacobian: finite for the MSS resistances, which the loop fixes
    mss = comparison.results["MSS"]
    assert mss.identifiable["R_on"] and mss.rel_std["R_on"] < 0.05
    assert mss.correlation.shape == (6, 6) and np.allclose(np.diag(mss.correlation), 1.0)


def test_knowm_joint_fit_beats_single_frequency_fit(comparison, m1):
    loops = [m1[1.0], m1[10.0], m1[100.0]]
    single = comparison.results["MSS"].evaluate(loops)
    joint = fit(KnowmMSS(), loops, n_starts=48, generations=20, n_local=2, use_model_values=False)
    print(f"MSS fitted at 10 Hz only, errors 1/10/100 Hz: {np.round(single, 4)}")
    print(f"MSS fitted jointly at 1/10/100 Hz, errors:    {np.round(joint.errors, 4)}")
    print(joint.summary())
    # joint fit: lower total squared error over the three loops than the 10 Hz fit
    assert np.sum(joint.errors ** 2) < np.sum(single ** 2)
    assert np.max(joint.errors) < np.max(single)


def test_knowm_other_devices(m1, knowm_data):
    # M2, M3 at 0.8 V 10 Hz through the CLI entry point (no bar in the issue; devices differ
    # by 5-16 %); each must still beat its best fixed resistor 3x
    for dev in ("M2", "M3"):
        path = knowm_data / f"5kohm_0.8V_10Hz_{dev}__Memristor.csv"
        r = fit_files("mss", [path], n_starts=32, generations=15, n_local=1, use_model_values=False,
                      validate=[knowm_data / f"5kohm_0.8V_1Hz_{dev}__Memristor.csv",
                                knowm_data / f"5kohm_0.8V_100Hz_{dev}__Memristor.csv"])
        rf = fit_resistor(r.measurements)
        print(f"{dev}: MSS 10 Hz error {r.errors[0]:.4f}, predicted {r.validation}, resistor {rf.errors[0]:.4f}")
        assert r.errors[0] * 3 <= rf.errors[0]
        # the M1 parameters predict M2/M3 worse than their own fit (device-to-device spread)
        assert evaluate(KnowmMSS(), r.measurements)[0] > r.errors[0]


def test_fit_rejects_bad_input(m1):
    m = m1[10.0]
    with pytest.raises(ParameterError, match="unknown parameter 'R_x'"):
        fit(KnowmMSS(), m, ["R_x"])
    with pytest.raises(ParameterError, match="'strategy'"):
        fit(KnowmMSS(), m, strategy="anneal")
    with pytest.raises(ParameterError, match="'polarity'"):
        fit(KnowmMSS(), m, polarity=2)
    with pytest.raises(ParameterError, match="measurements"):
        fit(KnowmMSS(), [])
    with pytest.raises(ParameterError, match="finite search range"):
        fit(VTEAM(), m, ["x_off"], bounds={"x_off": (0.0, np.inf)})
    with pytest.raises(ParameterError, match="'periods' = 1"):
        FitSettings(periods=1)


@pytest.mark.ngspice
def test_fitted_model_as_ngspice_subcircuit_reproduces_native_loop(m1):
    """The fitted MSS model, exported as an ngspice subcircuit (memlab.circuits.subcircuit),
    driven by the measured sine through 5 kOhm in ngspice, reproduces the native fitted loop
    within 2 % (normalised RMS over the last period)."""
    from memlab.circuits import characterize, subcircuit
    m = m1[10.0]
    r = fit(KnowmMSS(), [m], n_starts=32, generations=15, n_local=1, use_model_values=False)
    sub = subcircuit(r.model)
    assert ".subckt KnowmMSS" in sub.text and f"{r.values['R_on']:.6g}"[:5] in sub.text.replace("e+0", "e")
    s = r.settings
    drive = m.drive(s.periods, s.points_per_period, polarity=r.polarity)
    x0 = r.model.state.x0 if r.x0 is None else r.x0
    sp_tr = characterize(r.model, drive, x0=x0, simulator="ngspice", max_step=m.period / 4000)
    native = r.traces[0]
    last = sp_tr.t >= sp_tr.t[-1] - m.period * (1 + 1e-9)
    i_sp = np.interp(native.t, sp_tr.t[last] - sp_tr.t[last][0], sp_tr.i[last] * r.polarity)
    diff = np.sqrt(np.mean((i_sp - native.i) ** 2)) / np.max(np.abs(native.i))
    print(f"ngspice vs native fitted loop: normalised RMS difference {diff:.2e}")
    assert diff <= 0.02


def test_triangle_source_multistart_and_device_circuit():
    # a non-sine source (triangle -> periodic PWL drive), the "multistart" strategy, 2 free
    # parameters; noise-free, so the fit must land on the truth (to the integrator's rtol)
    from memlab.devices import Triangle
    truth = KnowmMSS(R_on=3e3, R_off=8e4)
    tr = simulate(truth, Triangle(0.8, 10.0, periods=4, r_series=5e3, points_per_period=200), rtol=1e-8).last_period()
    m = Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=tr.i[:-1], frequency=10.0,
                                r_series=5e3)
    assert m.sine["residual"] > 0.02                     # not a sine: simulated through a PWL source
    r = fit(KnowmMSS(), m, ["R_on", "R_off"], strategy="multistart", n_starts=16, n_local=2,
            use_model_values=False)
    assert r.errors[0] < 1e-4
    for n in ("R_on", "R_off"):
        assert r.values[n] == pytest.approx(truth.values[n], rel=1e-3)
    # the derived device voltage applied directly reproduces the same loop for the true model
    # (no noise: the device voltage is exact), so circuit="device" also finds the truth
    rd = fit(KnowmMSS(), m, ["R_on", "R_off"], circuit="device", strategy="multistart", n_starts=16,
             n_local=1, use_model_values=False)
    assert rd.values["R_on"] == pytest.approx(3e3, rel=1e-2)
