"""Property tests (hypothesis): for any drive in a wide range, every dynamic model keeps its
state inside its bounds, passes through the origin, and satisfies the series-resistor
circuit equation exactly."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from memlab.devices import (HPLinearDrift, VTEAM, TEAM, Yakopcic, StanfordPKU, KnowmMSS, ThresholdMemristor,
                            Sine, simulate)

# (model, amplitude range V, frequency range Hz): ranges where each model switches
CASES = {
    "hp": (HPLinearDrift(window="biolek"), (0.2, 2.0), (0.5, 100.0)),
    "vteam": (VTEAM(iv="exponential"), (0.1, 1.5), (1e5, 1e8)),
    "team": (TEAM(window="kvatinsky"), (0.2, 1.5), (1e2, 1e5)),
    "yakopcic": (Yakopcic(), (0.1, 1.0), (1.0, 1e4)),
    "stanford": (StanfordPKU(), (0.5, 2.0), (1e3, 1e6)),
    "mss": (KnowmMSS(), (0.1, 1.5), (1.0, 1e3)),
    "threshold": (ThresholdMemristor(), (0.5, 4.0), (1e2, 1e4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.floats(0, 1), f=st.floats(0, 1), rs=st.sampled_from([0.0, 100.0, 5e3]), x0=st.floats(0, 1))
def test_bounds_pinch_and_circuit(name, a, f, rs, x0):
    model, (a_lo, a_hi), (f_lo, f_hi) = CASES[name]
    amp = a_lo + a * (a_hi - a_lo)
    freq = float(np.exp(np.log(f_lo) + f * (np.log(f_hi) - np.log(f_lo))))
    lo, hi = model.bounds()
    x_init = lo + x0 * (hi - lo)
    tr = simulate(model, Sine(amp, freq, periods=2, points_per_period=200, r_series=rs), x0=x_init)
    assert np.all(tr.x >= lo) and np.all(tr.x <= hi)
    assert np.all(np.isfinite(tr.i))
    zero = tr.v_source == 0.0
    assert np.all(tr.i[zero] == 0.0)                      # passive: no current without bias
    np.testing.assert_allclose(tr.v + rs * tr.i, tr.v_source, atol=1e-12 * max(amp, 1.0))
