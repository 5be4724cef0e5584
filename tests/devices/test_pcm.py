"""Phase-change memory model (devices/_models_pcm.py) against closed forms and published numbers.

Independent references:
- drift: R(t) = R(t0) (t/t0)^nu with the published nu ~ 0.1 of amorphous GST (Pirovano et al.,
  IEEE TED 51, 714 (2004); Khan et al., APL 116, 253501 (2020): 0.07-0.11), so R grows by
  10^(0.1 * 4) = 2.51 over four decades and the crystalline phase does not drift;
- retention: the Arrhenius line through the published GST numbers (Ea = 2.34 eV; 10 years
  at 85 C), written here from those numbers only, against the simulated JMAK (n = 1)
  crystallisation c(t) = 1 - exp(-t/tau(T)) of an amorphous cell at zero bias;
- RESET current: a crystalline cell melts at I = sqrt((T_melt - T_amb)/(R_th R_c));
- threshold switching: OFF branch v/R_a below V_th, ON branch (v - V_h)/R_on above it.
"""
import math

import numpy as np
import pytest

from memlab.devices import PCM, PWL, PulseTrain, get_model, simulate, fit, Measurement, Sine
from memlab.errors import ParameterError

KB = 8.617333262e-5          # eV/K, CODATA 2018
YEAR = 365.25 * 86400.0


def _read_resistance(model, c, v=0.1):
    """Resistance (ohm) read by simulating a 0.1 V read pulse (the state does not move at 0.1 V)."""
    tr = simulate(model, PulseTrain([v], [1e-6], gap=0.0, rise=1e-8), x0=c)
    k = np.argmax(np.abs(np.atleast_2d(tr.v)[0]))
    return tr.v[..., k] / tr.i[..., k]


def test_registered_and_exported():
    import memlab
    assert type(get_model("pcm")) is PCM and memlab.PCM is PCM
    assert PCM().values["nu"] == 0.1 and PCM().values["Ea"] == 2.34


def test_drift_exponent_published():
    """A population of RESET cells read at t = 1 ... 1e4 s after programming (one device per
    time): the resistance follows t^0.1 (log-log slope nu = 0.1, the published value) and
    the SET cell keeps its resistance."""
    t = np.logspace(0, 4, 5)
    aged = PCM().after(t)
    assert aged.n_devices == 5
    r = _read_resistance(aged, 0.0)
    slope = np.polyfit(np.log10(t), np.log10(r), 1)[0]
    assert abs(slope - 0.1) < 1e-6                                  # exact power law (float rounding)
    assert abs(r[-1] / r[0] - 10 ** 0.4) < 1e-6 * 2.51              # 2.51x over four decades
    r_set = _read_resistance(aged, 1.0)
    np.testing.assert_allclose(r_set, 10e3, rtol=1e-9)              # crystalline: no drift


def test_retention_arrhenius_from_published_numbers():
    """Amorphous cell at zero bias and T_amb = 150 C: simulated crystallisation vs the
    Arrhenius extrapolation of the published 10-year / 85 C point with Ea = 2.34 eV."""
    T = 423.15
    tau = 10 * YEAR * math.exp(2.34 / KB * (1 / T - 1 / 358.15)) + 10e-9     # + tau_x, 10 ns
    m = PCM(T_amb=T)
    d = PWL([0.0, 3 * tau], [0.0, 0.0])
    tr = simulate(m, d, x0=0.0, t=np.linspace(0.0, 3 * tau, 31), rtol=1e-8)
    expect = 1 - np.exp(-tr.t / tau)
    assert np.max(np.abs(tr.x - expect)) < 1e-6                     # rtol 1e-8 of the unit state range
    assert 1e3 < tau < 1e4                                          # ~ 1 h at 150 C from these numbers


def test_reset_current_closed_form():
    m = PCM()
    i_reset = math.sqrt((900.0 - 300.0) / (2.5e6 * 10e3))           # 155 uA
    assert abs(m.reset_current() - i_reset) < 1e-12 * i_reset
    assert abs(m.temperature(i_reset * 10e3, 1.0) - 900.0) < 1e-9
    v_reset = i_reset * 10e3                                        # 1.55 V on the SET cell
    ends = []
    for scale in (0.95, 1.05):
        d = PulseTrain([scale * v_reset], [100e-9], gap=100e-9, rise=2e-9)
        ends.append(simulate(m, d, x0=1.0, rtol=1e-7).x[-1])
    assert ends[0] > 0.99 and ends[1] < 0.1                         # melts only above the RESET current


def test_threshold_switching_branches():
    m = PCM()
    # 15 dV from V_th the other branch weighs (1 - tanh(7.5))/2 ~ 3e-7 (v^2 argument: less below, more above)
    np.testing.assert_allclose(m.current(0.7, 0.0), 0.7 / 1e6, rtol=1e-3)
    np.testing.assert_allclose(m.current(1.3, 0.0), (1.3 - 0.75) / 300.0, rtol=1e-3)
    np.testing.assert_allclose(m.current(-1.3, 0.0), -(1.3 - 0.75) / 300.0, rtol=1e-3)
    # crystalline cell: ohmic, no threshold
    np.testing.assert_allclose(m.current([0.5, 1.2], 1.0), np.array([0.5, 1.2]) / 10e3, rtol=1e-12)


def test_set_reset_and_slow_quench():
    """SET by a current-limited pulse through the ON branch; RESET by melting with a fast
    (2 ns) trailing edge; the same RESET pulse with a slow (1 us) trailing edge
    recrystallises on the way down (the SET-by-slow-quench of PCM)."""
    m = PCM()
    set_ = simulate(m, PulseTrain([2.5], [200e-9], gap=100e-9, rise=5e-9, r_series=10e3), x0=0.0, rtol=1e-7)
    assert set_.x[-1] > 0.5
    fast = simulate(m, PulseTrain([4.0], [50e-9], gap=100e-9, rise=2e-9, fall=2e-9, r_series=10e3), x0=1.0, rtol=1e-7)
    slow = simulate(m, PulseTrain([4.0], [50e-9], gap=100e-9, rise=2e-9, fall=1e-6, r_series=10e3), x0=1.0, rtol=1e-7)
    assert fast.x[-1] < 0.1 and slow.x[-1] > 0.5
    assert _read_resistance(m, fast.x[-1]) > 10 * _read_resistance(m, set_.x[-1])


@pytest.mark.ngspice
def test_crossbar_of_pcm_cells_matches_ngspice():
    """A 3x4 crossbar of PCM cells (mixed states, one row above V_th): the memlab.arrays
    Kirchhoff solver against ngspice .op (tolerance as tests/circuits/test_crossbar_cells.py)."""
    from memlab.arrays import Crossbar
    from memlab.circuits import simulate_crossbar_op
    wires = dict(r_row=2.0, r_col=3.0, r_driver=5.0, r_sense=4.0)
    c = np.array([[0.0, 1.0, 0.3, 0.0], [1.0, 0.5, 0.0, 0.9], [0.2, 0.0, 1.0, 1.0]])
    v = np.array([0.3, -0.2, 1.3])
    op = simulate_crossbar_op(c, v, cell=PCM(), **wires)
    sol = Crossbar(c, cell=PCM(), **wires).solve(v)
    assert np.max(np.abs(op.i_out - sol.i_out)) <= 1e-6 * np.max(np.abs(sol.i_out))
    assert np.max(np.abs(op.i_in - sol.i_in)) <= 1e-6 * np.max(np.abs(sol.i_in))


def test_verilog_a_module_prints():
    from memlab.circuits import verilog_a_module
    text = verilog_a_module(PCM())
    assert "module" in text and "tanh" in text and "R_th" in text


def test_bad_parameters_raise_named_errors():
    with pytest.raises(ParameterError, match="V_h"):
        PCM(V_h=1.5)
    with pytest.raises(ParameterError, match="T_melt"):
        PCM(T_melt=-5.0)
    with pytest.raises(ParameterError, match="nu"):
        PCM(nu=float("nan"))
    with pytest.raises(ParameterError, match="'t'"):
        PCM().after(-1.0)
    with pytest.raises(ParameterError, match="'T'"):
        PCM().crystallisation_time(0.0)


def test_fit_recovers_thermal_resistance():
    """devices.fit on a synthetic 3 V, 100 kHz loop through 10 kohm (the cell melts and
    recrystallises every half period): R_th = 3.2 K/uW is recovered from a search over
    1-10 K/uW (noise-free data: the fit's own error floor, 1 % is a loose bound)."""
    truth = PCM(R_th=3.2e6)
    tr = simulate(truth, Sine(3.0, 1e5, periods=4, r_series=10e3, points_per_period=200), x0=1.0,
                  rtol=1e-7).last_period()
    assert tr.x.min() < 0.01 and tr.x.max() > 0.99                    # the loop RESETs and SETs
    meas = Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=tr.i[:-1],
                                   frequency=1e5, r_series=10e3, label="synthetic")
    res = fit(PCM(), [meas], ("R_th",), bounds={"R_th": (1e6, 1e7)}, n_starts=8, generations=4, n_local=1,
              use_model_values=False, x0=1.0, polarity=1)
    assert abs(res.values["R_th"] / 3.2e6 - 1) < 0.01
