"""The generated integrator kernels against the model's sympy equations evaluated with mpmath.

Every integrator kernel of the generated module (``_gkernel``: i, di/dv, di/dx, rate,
drate/dv, drate/dx; ``_gkernel_r``, ``_gkernel_i``, ``_gkernel_j``, ``_gkernel_ir``: subsets;
each reading the parameter matrix with the hoisted parameter-only columns, ``derived``)
is evaluated as plain Python (``py_func``, the very source numba compiles) at points spread
over each model's demonstration voltage and state range, and compared with the model's
current and rate expressions and their sympy derivatives (``jacobian_exprs``), evaluated in
40-digit mpmath arithmetic (sympy's lambdify): independent of the printer, the
common-subexpression pass, the hoisting of parameter-only parts, the binary powering of
integer exponents and the gap form of the kernels.
"""
import mpmath
import numpy as np
import pytest
import sympy as sp

from memlab.devices import MODELS, StochasticSwitch, TEAM, VTEAM, HPLinearDrift

# JARTVCM is left out: its sympy derivatives take over 10 minutes to evaluate in mpmath here
CASES = [(name, cls) for name, cls in MODELS.items() if name != "jart"] + [
    ("stochastic", StochasticSwitch), ("team+kvatinsky", lambda: TEAM(window="kvatinsky")),
    ("vteam+joglekar", lambda: VTEAM(window="joglekar")), ("hp none", lambda: HPLinearDrift(window="none"))]

#: which outputs each kernel returns (names of the reference quantities)
KERNELS = {"_gkernel": ("i", "di_dv", "di_dx", "r", "dr_dv", "dr_dx"), "_gkernel_r": ("i", "di_dv", "r"),
           "_gkernel_i": ("i", "di_dv"), "_gkernel_j": ("i", "r", "dr_dx"), "_gkernel_ir": ("i", "r")}


def _reference(model):
    """mpmath functions (v, x) of the current, rate and their partial derivatives."""
    k = model._k
    vals = {s: sp.Float(repr(float(np.asarray(model.params[n].value, float))), 40) for n, s in k.symbols.items()}
    i_e, r_e = k.current.xreplace(vals), k.rate.xreplace(vals)
    jac = {n: e.xreplace(vals) for n, e in model.jacobian_exprs().items()}
    exprs = {"i": i_e, "r": r_e, **jac}
    fns = {n: sp.lambdify([k.v, k.x], e, "mpmath", cse=True) for n, e in exprs.items()}

    def at(fn, v, x):
        with mpmath.workdps(40):
            return float(fn(mpmath.mpf(v), mpmath.mpf(x)))
    return {n: (lambda fn: lambda v, x: at(fn, v, x))(fn) for n, fn in fns.items()}


@pytest.mark.parametrize("name,factory", CASES, ids=[c[0] for c in CASES])
def test_generated_kernels_match_the_equations(name, factory):
    model = factory()
    k = model._k
    mod = model._compiled()
    ref = _reference(model)
    lo, hi = (float(np.asarray(b, float)) for b in model.bounds())
    amp = float(type(model).iv_demo.amplitude)
    P = mod.derived(model.param_matrix(1))    # with the hoisted parameter-only columns
    rows = []
    for fv in (-0.9, -0.35, 0.15, 0.6, 1.0):
        for fx in (0.2, 0.55, 0.9):
            v, x = fv * amp, lo + fx * (hi - lo)
            want = {n: float(f(v, x)) for n, f in ref.items()}
            for kname, outs in KERNELS.items():
                a, b = (fx, 1.0 - fx) if k.gap is not None else (0.0, 0.0)
                got = getattr(mod, kname).py_func(v, x, a, b, P, 0)
                rows += [(kname, n, v, x, g, want[n]) for n, g in zip(outs, got)]
    scale = {}
    for _, n, _, _, _, w in rows:
        scale[n] = max(scale.get(n, 0.0), abs(w))
    for kname, n, v, x, g, w in rows:
        # double precision evaluation of formulas of up to hundreds of operations: relative
        # 1e-10 (a rounding of 1e-16 amplified up to 1e6 by cancellation in JART's
        # exponentials; 1.2e-11 seen there), and absolute 1e-13 of
        # the largest value of that quantity on the grid (smooth steps such as 1 - tanh
        # round to 0 where the exact value is 1e-166)
        assert abs(g - w) <= 1e-10 * abs(w) + 1e-13 * scale[n], (name, kname, n, v, x, g, w)
