"""Generated kernels: cache keyed by the equations, Piecewise checks at kernel build."""
import math

import numpy as np
import pytest
import sympy as sp

from memlab.devices import DeviceModel, Param, StateVar, Sine, simulate
from memlab.errors import UnsupportedExpressionError


def _linear_leak(rate_coeff: float):
    """A class named ``Leak`` whose rate is ``-k x`` with ``k = rate_coeff`` written into the
    equations (not a parameter): each call defines a class of the same name and qualname."""

    class Leak(DeviceModel):
        name = "leak"
        state = StateVar("x", 0.0, 1.0, "1", 1.0)
        parameters = (Param("G", 1e-3, "S", lo=0.0),)

        def equations(self, v, x, p):
            return p.G * x * v, -rate_coeff * x

    return Leak


def test_redefined_class_gets_its_own_equations():
    # two classes with the same module, qualname and options, different equations
    Old, New = _linear_leak(1.0), _linear_leak(3.0)
    assert Old.__qualname__ == New.__qualname__ and Old.__module__ == New.__module__
    drive = Sine(0.5, 1.0, periods=1.0, points_per_period=200)
    tr_old = simulate(Old(), drive, x0=1.0, rtol=1e-7)
    tr_new = simulate(New(), drive, x0=1.0, rtol=1e-7)
    # closed form: x(t) = exp(-k t); the tolerance is the integrator's (rtol 1e-7 per step,
    # second order, 200 outputs per second)
    assert tr_old.x[-1] == pytest.approx(math.exp(-1.0), rel=1e-5)
    assert tr_new.x[-1] == pytest.approx(math.exp(-3.0), rel=1e-5)
    # numpy kernels, sympy expressions and the compiled scalar kernel follow the class too
    assert New().rate(0.0, 0.5) == pytest.approx(-1.5, rel=1e-15)
    assert sp.simplify(New().rate_expr + 3 * New().x) == 0
    assert New().scalar_kernel()(0.0, 0.5, np.array([1e-3]))[3] == pytest.approx(-1.5, rel=1e-15)


class _NoDefault(DeviceModel):
    name = "no default"
    state = StateVar("x", 0.0, 1.0, "1", 0.5)
    parameters = (Param("G", 1e-3, "S", lo=0.0),)

    def equations(self, v, x, p):
        # a Piecewise without a (True) default branch: undefined for v <= 0
        return p.G * v, sp.Piecewise((x * v, v > 0))


def test_piecewise_without_default_is_rejected_at_kernel_build():
    m = _NoDefault()                 # construction does not build the equations
    with pytest.raises(UnsupportedExpressionError, match=r"_NoDefault.*Piecewise.*default"):
        m.current_expr               # the first use builds the kernels: shared by every printer
    with pytest.raises(UnsupportedExpressionError, match="_NoDefault"):
        simulate(m, Sine(0.5, 1.0))  # used to give NaN currents/states for v <= 0
