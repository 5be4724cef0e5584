"""Window functions against docs/notes/devices.md §2, including the public-code bugs."""
import numpy as np
import pytest
import sympy as sp

from memlab.devices import HPLinearDrift
from memlab.devices import windows as W

x = sp.Symbol("x", real=True)


def ev(expr, xv, **subs):
    return float(expr.subs({x: xv, **{sp.Symbol(k, real=True): v for k, v in subs.items()}}))


@pytest.mark.parametrize("p", [1, 2, 5])
def test_joglekar(p):
    f = W.joglekar(x, p)
    assert ev(f, 0) == 0 and ev(f, 1) == 0 and ev(f, 0.5) == 1
    # MemTorch's precedence bug computes (2 - 2x)^(2p): at x = 0.25, p = 1 it gives 2.25
    assert ev(W.joglekar(x, 1), 0.25) == pytest.approx(0.75)


@pytest.mark.parametrize("p,j", [(1, 1.0), (2, 1.0), (3, 2.0)])
def test_prodromakis(p, j):
    f = W.prodromakis(x, p, j)
    assert ev(f, 0) == pytest.approx(0, abs=1e-15) and ev(f, 1) == pytest.approx(0, abs=1e-15)
    assert ev(f, 0.5) == pytest.approx(j * (1 - 0.75 ** p))
    # the maximum is at x = 0.5 and the window is positive inside (Xyce's "- 0.75" sign bug
    # would make it 1 - (-0.5)^p-type values; MemTorch's gives j*(1.5-(x-.5)^2)^p > j)
    grid = np.linspace(0.01, 0.99, 99)
    vals = np.array([ev(f, g) for g in grid])
    assert np.all(vals > 0) and np.argmax(vals) == 49


def test_strukov():
    f = W.strukov(x)
    assert ev(f, 0) == 0 and ev(f, 1) == 0 and ev(f, 0.5) == 0.25


def test_biolek_direction_dependence():
    """At x = 1: f = 0 for i > 0 and f = 1 for i < 0 (and mirrored at x = 0)."""
    m = HPLinearDrift(window="biolek", p=1)
    # the rate divided by mu_v R_on i / D^2 is the window; read it off the model
    for v, xv, expect in [(0.5, 1.0, 0.0), (-0.5, 1.0, 1.0), (0.5, 0.0, 1.0), (-0.5, 0.0, 0.0)]:
        i = m.current(v, xv)
        w = m.rate(v, xv) / (1e-14 * 100 * i / 1e-8 ** 2)
        assert w == pytest.approx(expect, abs=1e-12), (v, xv)


def test_symmetric_windows_stick_at_bounds():
    """Joglekar vanishes at the bounds for both directions (the 'stick effect');
    Biolek does not (docs/notes/devices.md §2)."""
    jog, bio = HPLinearDrift(window="joglekar"), HPLinearDrift(window="biolek")
    assert jog.rate(-1.0, 1.0) == 0 and jog.rate(1.0, 0.0) == 0
    assert bio.rate(-1.0, 1.0) < 0 and bio.rate(1.0, 0.0) > 0
