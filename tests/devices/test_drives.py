"""Triangle and PulseTrain are PWL classes with their own parameters, repr and validation;
their corners are checked against hand-written waveforms."""
from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest

from memlab.devices import PWL, Drive, PulseTrain, Triangle
from memlab.errors import ParameterError


def test_triangle_is_a_periodic_pwl_with_its_parameters():
    tri = Triangle(0.8, 10.0, periods=2, r_series=5e3, points_per_period=100)
    assert isinstance(tri, PWL) and isinstance(tri, Drive)
    assert (tri.amplitude, tri.frequency, tri.periods, tri.points_per_period) == (0.8, 10.0, 2.0, 100)
    # corners by hand: T = 0.1 s; 0 -> +0.8 V at T/4 -> -0.8 V at 3T/4 -> 0 at T
    np.testing.assert_allclose(tri.t, [0.0, 0.025, 0.075, 0.1], rtol=1e-15)
    assert tri.v == (0.0, 0.8, -0.8, 0.0)
    assert tri.period == pytest.approx(0.1, rel=1e-15) and tri.duration == pytest.approx(0.2, rel=1e-15)
    assert tri.value(0.1 + 0.0125) == pytest.approx(0.4, rel=1e-12)      # second period, half way up
    assert repr(tri) == ("Triangle(amplitude=0.8, frequency=10.0, periods=2.0, r_series=5000.0, "
                         "points_per_period=100)")
    assert tri == Triangle(0.8, 10.0, periods=2, r_series=5e3, points_per_period=100)
    with pytest.raises(FrozenInstanceError):
        tri.amplitude = 1.0                                             # frozen like PWL
    # dataclasses.replace works on the drive's own parameters (used to add a series resistor)
    tri2 = replace(tri, r_series=100.0, amplitude=0.4)
    assert tri2 == Triangle(0.4, 10.0, periods=2, r_series=100.0, points_per_period=100) and tri2.v[1] == 0.4


def test_pulse_train_corners_and_repr():
    pt = PulseTrain([1.0, -0.5], [2e-6, 1e-6], gap=2e-6, rise=1e-7, fall=2e-7, base=0.1, repeat=1,
                    points_per_segment=4)
    assert isinstance(pt, PWL)
    # by hand (us): gap/2 = 1 at base; rise 0.1 -> 1.0 V; 2 flat; fall 0.2 -> base; gap/2 = 1; ...
    t_us = [0.0, 1.0, 1.1, 3.1, 3.3, 4.3, 5.3, 5.4, 6.4, 6.6, 7.6]
    v = [0.1, 0.1, 1.0, 1.0, 0.1, 0.1, 0.1, -0.5, -0.5, 0.1, 0.1]
    np.testing.assert_allclose(np.array(pt.t) * 1e6, t_us, rtol=1e-12)
    assert pt.v == tuple(v)
    assert pt.n_points == 10 * 4
    assert pt.levels == (1.0, -0.5) and pt.widths == (2e-6, 1e-6) and pt.fall == 2e-7
    assert repr(pt).startswith("PulseTrain(levels=(1.0, -0.5), widths=(2e-06, 1e-06), gap=2e-06")
    pt2 = replace(pt, r_series=50.0)
    assert pt2.r_series == 50.0 and pt2.t == pt.t and pt2.levels == pt.levels


@pytest.mark.parametrize("make, name", [
    (lambda: Triangle(1.0, 0.0), "frequency"),
    (lambda: Triangle(np.nan, 1.0), "amplitude"),
    (lambda: PulseTrain([1.0], [1e-6, 2e-6]), "widths"),
    (lambda: PulseTrain([1.0], 1e-6, rise=0.0), "rise"),
    (lambda: PulseTrain([1.0], 1e-6, repeat=0), "repeat"),
])
def test_validation_names_class_and_parameter(make, name):
    with pytest.raises(ParameterError, match=rf"^(Triangle|PulseTrain): parameter '{name}'"):
        make()
