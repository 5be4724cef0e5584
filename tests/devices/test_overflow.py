"""Huge but finite data never turn into inf (issue 10: `memlab fit` printed 'error inf')."""
import numpy as np

from memlab.devices import loop_error


def test_loop_error_of_huge_currents_is_finite():
    i_meas = np.sin(np.linspace(0, 2 * np.pi, 200)) * 1e300
    # the model carries half the measured current: RMS(i/2) / max|i| = (1/2)(1/sqrt 2)
    err = loop_error(0.5 * i_meas, i_meas)
    assert np.isfinite(err) and abs(err - 0.5 / np.sqrt(2)) < 1e-3
