"""Native simulator vs ngspice for every device model (sine loops at two frequencies, one
wide, and a SET/read/RESET/read pulse train), plus a closed-form check of both.

Targets (issue 3): normalised max current error <= 1 % on the sine loops and <= 2 % on
the pulse train, where the error is max|i_ngspice - i_native| / max|i_native| on the
drive's output grid. The native run uses rtol = 1e-9: HP with the Joglekar window comes
within 4e-8 of x = 1 at 1 V / 1 Hz and its return time depends on that distance (see
test_hp_closed_form for the ill-conditioning), so a loose native tolerance is the larger
error there.
"""
import warnings

import numpy as np
import pytest

from memlab.devices import (HPLinearDrift, TEAM, VTEAM, Yakopcic, StanfordPKU, KnowmMSS, ThresholdMemristor,
                            SinhConductance, Selector, Sine, PulseTrain, Trace, StochasticSwitch, MottSelector,
                            DataDriven, JARTVCM)
from memlab.circuits import OneS1R, characterize, compare_traces

pytestmark = pytest.mark.ngspice

# model, amplitude (V), wide-loop frequency (Hz), second frequency (Hz)
CASES = {
    "hp_joglekar": (lambda: HPLinearDrift(), 1.0, 1.0, 10.0),
    "hp_none": (lambda: HPLinearDrift(window="none"), 1.0, 1.0, 10.0),
    "team": (lambda: TEAM(), 1.0, 1e3, 1e6),
    "team_exp_kvatinsky": (lambda: TEAM(iv="exponential", window="kvatinsky"), 1.0, 1e3, 1e6),
    "vteam": (lambda: VTEAM(), 1.0, 1e6, 1e7),
    "vteam_exp_kvatinsky": (lambda: VTEAM(iv="exponential", window="kvatinsky"), 1.0, 1e6, 1e7),
    "yakopcic": (lambda: Yakopcic(), 1.0, 1e3, 1e4),
    "stanford_pku": (lambda: StanfordPKU(), 1.5, 1e6, 1e7),
    "knowm_mss": (lambda: KnowmMSS(), 0.8, 1e3, 1e4),
    "threshold": (lambda: ThresholdMemristor(), 2.0, 1e2, 1e3),
    "sinh": (lambda: SinhConductance(), 0.5, 1e3, 1e4),
    "selector": (lambda: Selector(), 1.5, 1e3, 1e4),
    # issue 14: windows in gap form (native integrates the distance to the bound), the
    # reference Verilog-A clamp of Stanford-PKU, the generalized MSS with its Schottky path
    "vteam_joglekar": (lambda: VTEAM(window="joglekar"), 1.0, 1e6, 1e7),
    "vteam_prodromakis": (lambda: VTEAM(window="prodromakis", p=1), 1.0, 1e6, 1e7),
    "hp_prodromakis": (lambda: HPLinearDrift(window="prodromakis"), 1.0, 1.0, 10.0),
    "stanford_reference_clamp": (lambda: StanfordPKU(reference_clamp=True), 1.5, 1e6, 1e7),
    "stochastic_switch": (lambda: StochasticSwitch(E=2.0, w=0.05, tau0=1e-3, v0=0.1), 0.6, 1e2, 1e3),
    "knowm_gmss": (lambda: KnowmMSS(schottky=True, phi=0.8, a_f=2e-6, b_f=6.0, a_r=2e-6, b_r=3.0), 0.8, 1e3, 1e4),
    # issue 14: the volatile thermal threshold switch (state T, snaps at ~1 V) and Messaris's data-driven model
    "mott_selector": (lambda: MottSelector(), 1.5, 1e6, 1e7),
    "mott_selector_imt": (lambda: MottSelector(imt=True), 1.0, 1e6, 1e7),
    "mott_selector_vo2": (lambda: MottSelector(conduction="vo2"), 9.0, 1e5, 1e6),
    "data_driven": (lambda: DataDriven(), 1.5, 1e4, 1e5),
    # issue 14: JART VCM v1b (explicit JART-TUD current, v1b ionic and thermal kinetics)
    "jart_vcm": (lambda: JARTVCM(), 1.5, 1.0, 1e3),
}
#: wide loops of these sweep less than 40 % of the state range (reference_clamp: the state
#: is the unclamped gap integral, whose range is 21 gap ranges)
NARROW = {"stanford_reference_clamp", "hp_prodromakis", "stochastic_switch", "mott_selector_vo2"}
#: initial states other than the model's (VTEAM's x0 = x_on is a fixed point of a window
#: that vanishes there)
X0 = {"vteam_joglekar": 1.5e-9, "vteam_prodromakis": 1.5e-9}


def _native(m, d, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return characterize(m, d, simulator="native", rtol=1e-9, **kw)


@pytest.mark.parametrize("key", sorted(CASES))
def test_sine_and_pulse_agreement(key):
    make, amp, f_wide, f_other = CASES[key]
    m = make()
    lo, hi = (float(b) for b in m.bounds())
    moves = m.rate_expr != 0
    for f, wide in ((f_wide, True), (f_other, False)):
        d = Sine(amplitude=amp, frequency=f, periods=2, points_per_period=200)
        ref = _native(m, d, x0=X0.get(key))
        ng = characterize(m, d, x0=X0.get(key))
        assert ng.source == "ngspice" and ref.source == "native"
        assert ng.stats["failures"] == []                       # converged at the first step limit
        c = compare_traces(ng, ref, state_range=hi - lo)
        assert c.i_max < 0.01, f"{key} sine {f:g} Hz: {c}"      # issue target: 1 %
        if wide and moves and key not in NARROW:
            # the wide loop really is wide: the state sweeps >= 40 % of its range
            assert np.ptp(ref.x) / (hi - lo) > 0.4
    T = 1.0 / f_wide
    p = PulseTrain([amp, 0.1, -amp, 0.1], [T / 20] * 4, gap=T / 20, rise=T / 200, repeat=2, points_per_segment=20)
    ref = _native(m, p, x0=X0.get(key))
    ng = characterize(m, p, x0=X0.get(key))
    c = compare_traces(ng, ref, state_range=hi - lo)
    assert ng.stats["failures"] == []
    assert c.i_max < 0.02, f"{key} pulse train: {c}"              # issue target: 2 %
    if moves:
        assert np.ptp(ref.x) / (hi - lo) > 0.02                    # the pulses do program the device


def test_hp_closed_form():
    """HP linear drift without window has a closed form with clipping: with
    F(x) = R_off x - (R_off - R_on) x^2 / 2, dF/dt = k v(t) (k = mu_v R_on / D^2), F clipped
    to [F(0), F(1)]. Both simulators must follow it (independent reference)."""
    m = HPLinearDrift(window="none")
    p = m.values
    k = p["mu_v"] * p["R_on"] / p["D"] ** 2
    r_on, r_off = p["R_on"], p["R_off"]
    dr = r_off - r_on
    d = Sine(amplitude=1.0, frequency=1.0, periods=2, points_per_period=200)
    t = np.linspace(0.0, 2.0, 400_001)
    phi = np.concatenate([[0.0], np.cumsum(0.5 * np.diff(t) * (np.sin(2 * np.pi * t[1:]) + np.sin(2 * np.pi * t[:-1])))])
    F = lambda x: r_off * x - dr * x * x / 2
    y = F(0.5) + k * phi
    # clipping as a running projection (the flux integral restarts at each bound)
    yc = np.empty_like(y)
    acc = F(0.5)
    for j in range(t.size):
        if j:
            acc += k * (phi[j] - phi[j - 1])
        acc = min(max(acc, 0.0), F(1.0))
        yc[j] = acc
    x = (r_off - np.sqrt(r_off ** 2 - 2 * dr * yc)) / dr
    tg = d.time_grid()
    xr = np.interp(tg, t, x)
    ref = Trace(t=tg, v=None, i=np.sin(2 * np.pi * tg) / (r_off - dr * xr), x=xr)
    nat = _native(m, d)
    ng = characterize(m, d)
    # the trapezoidal flux on a 5 us grid is accurate to ~1e-9 relative; the current is
    # 160x more sensitive to the state near R_on, so 1 % of peak current is ~6e-5 in x
    assert compare_traces(nat, ref, state_range=1.0).i_max < 1e-3
    assert compare_traces(ng, ref, state_range=1.0).i_max < 1e-2
    assert abs(xr.max() - 1.0) < 1e-12                       # the loop reaches the bound (clipping tested)


def test_ngspice_grid_output_and_dc_sweep():
    from memlab.circuits import DCSweep, OneR
    m = VTEAM()
    d = Sine(amplitude=1.0, frequency=1e6, periods=1, points_per_period=100)
    raw = characterize(m, d, t="ngspice")
    assert raw.t.size == raw.stats["n_points"] and np.all(np.diff(raw.t) > 0)
    nat = _native(m, d, t=raw.t)
    assert compare_traces(raw, nat, state_range=3e-9).i_max < 0.01
    # a triangle (periodic PWL, expanded repeats in ngspice)
    from memlab.devices import Triangle
    tri = Triangle(amplitude=1.0, frequency=1e6, periods=2, points_per_period=200)
    assert compare_traces(characterize(m, tri), _native(m, tri), state_range=3e-9).i_max < 0.02
    # DC sweep at frozen state: I = V / R(x) with the series resistor (Ohm's law, exact)
    x0 = 1.5e-9
    sw = DCSweep(-0.5, 0.5, 0.05, r_series=25.0)
    tr = characterize(OneR(m), sw, x0=x0)
    R = 50.0 + 950.0 * 0.5
    np.testing.assert_allclose(tr.i, sw.values() / (R + 25.0), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(characterize(OneR(m), sw, x0=x0, simulator="native").i, tr.i, rtol=1e-9, atol=1e-15)


def test_stanford_sliding_threshold_needs_the_blend():
    """Stanford-PKU's F_min gate switches the rate off as the gap grows: the exact state
    equation jumps where the solution slides along the threshold. ngspice 39 stops there
    ("timestep too small") with exact thresholds; the automatic retry blends the
    state-dependent threshold over a relative width 1e-6 and then agrees with the native
    (hard-threshold) run."""
    from memlab.errors import ConvergenceError
    m = StanfordPKU()
    d = Sine(amplitude=1.52, frequency=1.71e5, periods=2, points_per_period=215)
    with pytest.raises(ConvergenceError, match="Timestep too small") as err:
        characterize(m, d, retries=0)
    assert "doAnalyses" in err.value.log
    ng = characterize(m, d)
    assert ng.stats["smooth_rate"] == 1e-6 and len(ng.stats["failures"]) == 1
    assert compare_traces(ng, _native(m, d), state_range=1.5e-9).i_max < 0.01


# issue 14: 1S1R cells whose selector is a volatile thermal threshold switch (state T) and whose
# memristor moves too: cell, pulse amplitude (V), initial memristor state. R_on/R_off are raised to
# the order of the selector's cold resistance (45 kohm) so that the fired selector hands the
# memristor enough voltage; MSS's tau is shortened to the pulse scale (ns)
CELL_CASES = {
    "1s1r_mott_vteam": (lambda: OneS1R(VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1, R_on=1e3,
                                             R_off=2e4), selector=MottSelector()), 3.0, 0.5e-9),
    "1s1r_mott_mss": (lambda: OneS1R(KnowmMSS(R_on=2e3, R_off=2e4, tau=1e-8), selector=MottSelector()), 2.5, 0.0),
}


@pytest.mark.parametrize("key", sorted(CELL_CASES))
def test_1s1r_with_a_moving_selector_native_vs_ngspice(key):
    """A SET/RESET pulse pair through the fired selector: the selector heats past its threshold
    temperature, the memristor switches, the selector relaxes in the gaps. Both states and the
    current, native (both states in one ODE) against ngspice (two stateful subcircuits in series),
    with the pulse-train target of the suite (2 % of peak current) and 1 % of each state range."""
    make, amp, x0 = CELL_CASES[key]
    cell = make()
    sel = cell.selector
    lo, hi = (float(b) for b in cell.device.bounds())
    p = PulseTrain([amp, -amp], [20e-9, 20e-9], rise=1e-9, gap=5e-9, points_per_segment=40)
    nat = _native(cell, p, x0=x0)
    ng = characterize(cell, p, x0=x0)
    assert ng.stats["failures"] == []
    c = compare_traces(ng, nat, state_range=hi - lo)
    assert c.i_max < 0.02 and c.x_max < 0.01, f"{key}: {c}"
    T_nat, T_ng = nat.stats["x_selector"], ng.stats["x_selector"]
    assert np.max(np.abs(T_nat - T_ng)) / float(sel.values["T_max"]) < 0.01
    # physics: the selector fired (closed-form threshold temperature) and the memristor switched
    assert T_nat.max() > sel.threshold()["T_th"] and np.ptp(nat.x) / (hi - lo) > 0.3
    # with the drive off the selector relaxes as T - T_amb = (T_0 - T_amb) exp(-t / (R_th C_th)) (the
    # linear cooling law at v = 0, closed form); native rtol 1e-9 of the 1500 K range: measured 1e-8, 3e-8
    t_off = p.duration - 2.5e-9                    # end of the last falling edge (half gap after it)
    k = nat.t >= t_off - 1e-15
    T_amb = float(sel.values["T_amb"])
    closed = T_amb + (T_nat[k][0] - T_amb) * np.exp(-(nat.t[k] - nat.t[k][0]) / sel.tau)
    assert T_nat[k][0] - T_amb > 1.0 and np.max(np.abs(T_nat[k] - closed)) < 1e-6 * (T_nat[k][0] - T_amb)
