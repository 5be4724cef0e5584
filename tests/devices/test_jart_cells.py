"""JART VCM v1b (memlab.devices.JARTVCM) everywhere a model works: a crossbar transient
against ngspice and a fit that recovers a parameter of a synthetic loop."""
import numpy as np
import pytest

from memlab.devices import JARTVCM, PWL, Sine, Measurement, fit, simulate

N_MIN, N_MAX = 0.008e26, 20e26


@pytest.mark.ngspice
def test_crossbar_transient_native_vs_ngspice():
    """A 1x2 crossbar of JART cells from HRS: a -1.2 V SET pulse on the row, the second
    column half-selected (+0.6 V on its bit line, -0.6 V over the cell). memlab.arrays'
    transient and ngspice agree: the fully selected cell SETs to N_max in both, at the
    same output sample within one sample (0.1 us: the SET is abrupt, so a sample-by-sample
    state difference would measure only the step placement), and the half-selected cell's
    small drift agrees within 1 % (native rtol 1e-4 per step, ngspice max_step T/2000)."""
    pytest.importorskip("PySpice")
    from memlab.arrays import LineDrives, TransientCrossbar
    from memlab.circuits import simulate_crossbar_tran
    cell = JARTVCM()
    x0 = np.full((1, 2), N_MIN)
    T = 10e-6
    full = PWL(t=(0, 1e-6, 6e-6, 7e-6, T), v=(0, -1.2, -1.2, 0, 0), n_points=101)
    zero = PWL(t=(0, T), v=(0, 0), n_points=101)
    half = PWL(t=(0, 1e-6, 6e-6, 7e-6, T), v=(0, -0.6, -0.6, 0, 0), n_points=101)
    dr = LineDrives(word=(full,), bit=(zero, half))
    t = np.linspace(0, T, 101)
    nat = TransientCrossbar(cell, x0, r_row=10.0, r_col=10.0).simulate(dr, t=t, rtol=1e-4)
    ng = simulate_crossbar_tran(x0, dr.word, dr.bit, cell=cell, r_row=10.0, r_col=10.0, t=t, max_step=T / 2000)
    for x in (nat.x, ng.x):
        assert x[-1, 0, 0] == pytest.approx(N_MAX, rel=1e-3) and x[-1, 0, 1] < 2 * N_MIN
    k_nat, k_ng = (int(np.argmax(x[:, 0, 0] > 1e27)) for x in (nat.x, ng.x))
    assert abs(k_nat - k_ng) <= 1
    drift_nat, drift_ng = nat.x[-1, 0, 1] - N_MIN, ng.x[-1, 0, 1] - N_MIN
    assert drift_nat > 0 and drift_ng == pytest.approx(drift_nat, rel=0.01)


def test_fit_recovers_the_activation_energy():
    """devices.fit on a synthetic 1.5 V, 1 Hz loop through 1 kohm: dWa = 1.30 eV is
    recovered from a search over the model's default range 1.0-1.6 eV (noise-free data: the
    fit's own error floor; 0.5 % is a loose bound, a 0.5 % change of dWa moves the SET and
    RESET voltages visibly since the rate goes as exp(-dWa/kT))."""
    truth = JARTVCM(dWa=1.30)
    tr = simulate(truth, Sine(1.5, 1.0, periods=2, r_series=1e3, points_per_period=400), x0=N_MIN,
                  rtol=1e-7).last_period()
    assert tr.x.min() < 0.1e26 and tr.x.max() > 10e26                   # the loop SETs and RESETs
    meas = Measurement.from_arrays(t=tr.t[:-1] - tr.t[0], v_source=tr.v_source[:-1], i=tr.i[:-1],
                                   frequency=1.0, r_series=1e3, label="synthetic JART")
    res = fit(JARTVCM(), [meas], ("dWa",), n_starts=8, generations=4, n_local=1, use_model_values=False,
              x0=float(tr.x[0]), polarity=1, progress=False)
    assert abs(res.values["dWa"] / 1.30 - 1) < 0.005
