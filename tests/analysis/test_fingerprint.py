"""Fingerprint helpers against closed forms (a linear resistor has no loop; a synthetic
ellipse has area pi a b)."""
import numpy as np
import pytest

from memlab.analysis import pinch, lobe_areas, loop_width, critical_frequency, area_vs_frequency
from memlab.devices import Trace, Yakopcic, SinhConductance, Sine, simulate
from memlab.errors import ShapeError, ParameterError


def _trace(t, v, i, period=None):
    return Trace(t=t, v=v, i=i, x=np.zeros_like(t), v_source=v, model="synthetic", period=period)


def test_shoelace_on_closed_forms():
    t = np.linspace(0, 1, 20001)
    v = np.sin(2 * np.pi * t)
    # two lobes: i = 1e-3 v + 1e-4 sin(4 pi t) gives a figure-eight pinched at v = 0;
    # each lobe's area = |integral v di| over a half period
    # = 4 pi 1e-4 |integral_0^1/2 sin(2 pi t) cos(4 pi t) dt| = 4 pi 1e-4 / (3 pi) = 4e-4 / 3
    i = 1e-3 * v + 1e-4 * np.sin(4 * np.pi * t)
    tr = _trace(t, v, i, period=1.0)
    a, b = lobe_areas(tr)
    assert a == pytest.approx(4e-4 / 3, rel=1e-6)
    assert b == pytest.approx(4e-4 / 3, rel=1e-6)
    assert pinch(tr).ratio < 1e-9
    assert loop_width(tr) == pytest.approx(2e-4 / np.max(np.abs(i)), rel=1e-3)


def test_resistor_has_no_loop():
    tr = simulate(SinhConductance(), Sine(0.5, 1e3, periods=2), x0=1e-5)
    assert sum(lobe_areas(tr)) < 1e-12 * np.abs(tr.i).max() * 0.5
    assert loop_width(tr) < 1e-12


def test_unpinched_loop_detected():
    t = np.linspace(0, 1, 2001)
    v = np.sin(2 * np.pi * t)
    i = 1e-3 * np.sin(2 * np.pi * t + 0.3)     # capacitor-like phase shift: no pinch
    assert not pinch(_trace(t, v, i)).ok


def test_critical_frequency():
    f = [1, 3, 10, 30, 100]
    assert critical_frequency(f, [1, 3, 2, 1.5, 1.0]) == 3
    assert critical_frequency(f, [5, 4, 3, 2, 1]) == 1
    with pytest.raises(ShapeError):
        critical_frequency([1, 2], [1])


def test_yakopcic_critical_frequency_in_steady_state():
    """docs/notes/devices.md §4: set A area rises until ~100 Hz and falls monotonically above ~300 Hz."""
    sw = area_vs_frequency(Yakopcic(), 0.5, [10, 100, 1e3, 1e4, 1e5], x0=0.11, periods=3, points_per_period=2000)
    assert 10 < sw.f_critical <= 1e3 and sw.monotone_above
    assert np.all(sw.widths[-2:] < sw.widths[2])   # collapse towards high frequency


def test_population_needs_one_device():
    from memlab.devices import VTEAM, spread
    tr = simulate(spread(VTEAM(), 3, {"k_off": 0.1}, seed=0), Sine(1.0, 1e7, points_per_period=100), x0=1e-9)
    with pytest.raises(ShapeError, match="trace\\[k\\]"):
        pinch(tr)
    assert pinch(tr[1]).ok
