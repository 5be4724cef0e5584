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


class _Decay(DeviceModel):
    """dx/dt = -k x, i = G x v: a population with one decay rate per device."""
    name = "decay"
    state = StateVar("x", 0.0, 1.0, "1", 1.0)
    parameters = (Param("G", 1e-3, "S", lo=0.0), Param("k", 1.0, "1/s", lo=0.0))

    def equations(self, v, x, p):
        return p.G * x * v, -p.k * x


def test_fixed_steps_keep_each_device_of_a_block_apart():
    # run_fixed steps devices in interleaved blocks: 13 devices (one full block of 8 and a
    # partial one), each with its own rate k and initial state, against the closed form
    # x0 exp(-k t); the tolerance bounds ROS2's global error, of order (k h)^2 k t = 2e-6
    # relative for k h <= 1.3e-3 over 1,000 steps (h = 1 ms, t = 1 s)
    k = np.linspace(0.1, 1.3, 13)
    x0 = np.linspace(0.3, 0.9, k.size)
    t = np.linspace(0.0, 1.0, 1001)
    tr = simulate(_Decay(k=k), Sine(0.5, 1.0), x0=x0, t=t, method="fixed")
    expected = x0[:, None] * np.exp(-k[:, None] * t[None, :])
    np.testing.assert_allclose(tr.x, expected, rtol=1e-5)
    np.testing.assert_allclose(tr.i, 1e-3 * expected * tr.v, rtol=1e-5)


def test_factor_terms_shared_equals_sympys_factor_terms():
    """The memoised factor_terms used in the kernels' cse gives sympy's own result, on
    expressions whose subtrees repeat (Min/Max, Piecewise, negated sums) and on the rate and
    current of PCM (the largest model besides JART)."""
    import sympy as sp

    from memlab.devices import get_model
    from memlab.devices._codegen import _factor_terms_shared

    v, x, a, b = sp.symbols("v x a b", real=True)
    shared = sp.Max(a - x, 2 * b * x - 2 * b)
    exprs = [shared * sp.exp(-shared) + sp.Min(shared, v - 1) / (3 * x - 3 * v),
             sp.Piecewise((shared ** 2 * (4 * v - 4), v > x), (-(a - b) * sp.sinh(shared), True)),
             sp.Tuple(shared, 6 * a * b - 6 * b)]
    k = get_model("pcm")._k
    exprs += [k.current, k.rate, k.dr_dx]
    for e in exprs:
        assert _factor_terms_shared(e) == sp.factor_terms(e)
