"""DataDriven (Messaris et al., IEEE TCAD 37, 3151 (2018)) against an independent
transcription of MemTorch's update (memtorch/bh/memristor/Data_Driven.py, read from the
MemTorch repository, written here in plain Python from their code, not from memlab's):
MemTorch advances the resistance per time step (``time_series_resolution`` = 10 ns by
default) with the exact solution of the rate equation at the step's voltage, keeps it
when the update would cross the voltage-dependent boundary, and clips it to
[r_on, r_off]. The published parameter set is MemTorch's default (the paper's TiOx fit).
"""
import math

import numpy as np
import pytest

from memlab.devices import PWL, DataDriven, get_model, simulate
from memlab.errors import ParameterError

#: MemTorch Data_Driven defaults, copied from its constructor
MT = dict(r_off=17e3, r_on=1280, A_p=743.47, A_n=-68012.28374, t_p=6.51, t_n=0.31645, k_p=5.11e-4, k_n=1.17e-3,
          r_p=[16719, 0], r_n=[29304.82557, 23692.77225], eta=1, a_p=0.24, a_n=0.24, b_p=3, b_n=3)
DT = 1e-8   # MemTorch's default time_series_resolution, s


def memtorch_resistance(R, voltage, p=MT, dt=DT):
    """One MemTorch ``Data_Driven.resistance`` update (transcribed), from resistance R (ohm)."""
    g = 1 / R
    eta = p["eta"]

    def r_pn(v, coeffs):
        return sum(c * v ** m for m, c in enumerate(coeffs))
    if voltage > 0:
        r = r_pn(voltage, p["r_p"])
        res = np.log(np.exp(eta * p["k_p"] * r) + np.exp(-eta * p["k_p"] * (p["A_p"] * (math.exp(p["t_p"] * abs(voltage))
                     - 1)) * dt) * (np.exp(eta * p["k_p"] * (1 / g)) - np.exp(eta * p["k_p"] * r))) / p["k_p"]
        if res > eta * r:
            return 1 / g
        return max(min(res, p["r_off"]), p["r_on"])
    if voltage < 0:
        r = r_pn(voltage, p["r_n"])
        s = p["A_n"] * (-1 + np.exp(p["t_n"] * abs(voltage)))
        res = -np.log(np.exp(-eta * p["k_n"] * (1 / g) + eta * p["k_n"] * s * dt)
                      - np.exp(-eta * p["k_n"] * r) * (-1 + np.exp(eta * p["k_n"] * s * dt))) / p["k_n"]
        if res < eta * r:
            return 1 / g
        return max(min(res, p["r_off"]), p["r_on"])
    return 1 / g


def memtorch_current(R, voltage, p=MT):
    g = 1 / R
    if voltage > 0:
        return p["a_p"] * g * math.sinh(p["b_p"] * voltage)
    return p["a_n"] * g * math.sinh(p["b_n"] * voltage)


def _pulses(levels, n_on=100, n_off=100):
    """Sample voltages (one per MemTorch step) and the matching memlab PWL (1e-13 s edges)."""
    samples, ts, vs = [], [0.0], [0.0]
    k = 0
    for lv in levels:
        for n, val in ((n_off, 0.0), (n_on, lv)):
            samples += [val] * n
            t0 = k * DT
            if val != vs[-1]:
                ts.append(t0 + 1e-13)
                vs.append(val)
            k += n
            ts.append(k * DT)
            vs.append(val)
    ends = np.cumsum([n_off + n_on] * len(levels))
    return np.array(samples), PWL(t=tuple(ts), v=tuple(vs), n_points=len(ts) * 4), ends


def test_defaults_are_memtorchs():
    m = DataDriven()
    v = m.values
    for k in ("r_off", "r_on", "A_p", "A_n", "t_p", "t_n", "k_p", "k_n", "a_p", "a_n", "b_p", "b_n"):
        assert v[k] == MT[k], k
    assert (v["r_p0"], v["r_p1"]) == tuple(MT["r_p"]) and (v["r_n0"], v["r_n1"]) == tuple(MT["r_n"])
    for R, volt in ((1280.0, 0.3), (5e3, -0.7), (17e3, 1.5)):
        assert m.current(volt, R) == pytest.approx(memtorch_current(R, volt), rel=1e-14)


@pytest.mark.parametrize("levels", [[1.0] * 5 + [-1.3] * 3, [1.5, 1.2, -0.9, -1.1, -1.5]])
def test_pulse_train_matches_memtorch_transcription(levels):
    samples, drive, ends = _pulses(levels)
    R = [1280.0]
    for v in samples:
        R.append(memtorch_resistance(R[-1], v))
    R = np.array(R)
    t = ends * DT
    tr = simulate(DataDriven(), drive, x0=1280.0, t=np.concatenate([[0.0], t]), rtol=1e-10)
    # MemTorch's update is the exact solution per step: the two agree to the integrator's
    # tolerance (1e-10 of the 15.7 kohm range per step, over ~1e3 steps) and the 0.1 ps edges
    x = tr.x[np.searchsorted(tr.t, t)]      # the output also holds the drive's corners
    np.testing.assert_allclose(x, R[ends], rtol=2e-6)
    assert np.ptp(R) > 1e3                                  # the pulses do program the device


def test_published_set_reset_after_one_pulse():
    # from r_on, one 1 us pulse of +1 V (MemTorch's defaults): the closed form of the rate
    # equation at constant voltage, exp(k R) = exp(k r_p) + exp(-k s t) (exp(k R0) - exp(k r_p))
    k, r, s = MT["k_p"], MT["r_p"][0], MT["A_p"] * (math.exp(MT["t_p"]) - 1)
    R1 = math.log(math.exp(k * r) + math.exp(-k * s * 1e-6) * (math.exp(k * 1280.0) - math.exp(k * r))) / k
    assert R1 == pytest.approx(2295.0, abs=0.1)
    d = PWL(t=(0.0, 1e-13, 1e-6), v=(0.0, 1.0, 1.0), n_points=11)
    tr = simulate(DataDriven(), d, x0=1280.0, rtol=1e-10)
    assert tr.x[-1] == pytest.approx(R1, rel=1e-6)


def test_bad_parameters_raise_named_errors():
    with pytest.raises(ParameterError, match="r_on"):
        DataDriven(r_on=2e4)
    with pytest.raises(ParameterError, match="A_n"):
        DataDriven(A_n=5.0)
    with pytest.raises(ParameterError, match="k_p"):
        DataDriven(k_p=-1.0)
    assert type(get_model("messaris")) is DataDriven



def test_fit_recovers_t_p_from_a_synthetic_loop():
    """A synthetic loop of the published set (MemTorch's hysteresis drive, 1.5 V at 10 kHz,
    periodic steady state, as tests/devices/test_fit.py builds its loops) fitted with t_p
    free from a wrong start; noise-free data, so the fit must return the truth closely."""
    from memlab.devices import Measurement, Sine, fit
    truth = DataDriven()
    tr = simulate(truth, Sine(1.5, 1e4, periods=4, points_per_period=200), x0=1280.0, rtol=1e-9).last_period()
    meas = Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=tr.i[:-1], frequency=1e4,
                                   label="synthetic 1.5 V 10 kHz")
    res = fit(DataDriven(t_p=4.0), meas, ("t_p",), bounds={"t_p": (3.0, 9.0)}, polarity=1, n_starts=6,
              generations=2, n_local=1, use_model_values=False, x0=1280.0)
    assert res.values["t_p"] == pytest.approx(6.51, rel=1e-2)    # 1 %: the fit's rtol 1e-5 simulations
