"""Window functions as sympy expressions of the normalised state x in [0, 1].

Definitions follow docs/notes/devices.md §2 (Strukov 2008 with its corrigendum,
Joglekar 2009, Biolek 2009, Prodromakis 2011, Kvatinsky TEAM 2013). The precedence and
sign bugs of public implementations (MemTorch's Joglekar and Prodromakis, Xyce's
Prodromakis) are not repeated; tests in tests/devices/test_windows.py prove it.

Windows that vanish at a bound are also offered in a *gap form* (``gaps=(a, b)``): written
with the normalised distances ``a = (x - lo)/(hi - lo)`` and ``b = (hi - x)/(hi - lo)``
(the symbols :data:`GAP_LO`, :data:`GAP_HI`) and :class:`OneMinusPow`, so that they keep
their relative precision when the state is within 1e-100 of a bound. A model whose
equations use the gap symbols is integrated with the distance to the nearer bound as its
state (see :mod:`memlab.devices._integrator`); everywhere else (numpy evaluation, ngspice,
Verilog-A) the gaps are replaced by ``x - lo`` and ``hi - x``.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["strukov", "joglekar", "biolek", "prodromakis", "kvatinsky_off", "kvatinsky_on", "WINDOWS",
           "GAP_LO", "GAP_HI", "OneMinusPow", "gap_window"]

#: normalised distance of the state to its lower bound, (x - lo)/(hi - lo)
GAP_LO = sp.Symbol("_gap_lo", positive=True)
#: normalised distance of the state to its upper bound, (hi - x)/(hi - lo)
GAP_HI = sp.Symbol("_gap_hi", positive=True)


class OneMinusPow(sp.Function):
    """``1 - (1 - z)^n`` without cancellation for small z (compiled as
    ``-expm1(n log1p(-z))``); :func:`plain` rewrites it as ``1 - (1 - z)**n``."""

    nargs = 2

    def fdiff(self, argindex=1):
        z, n = self.args
        if argindex == 1:
            return n * (1 - z) ** (n - 1)
        return -(1 - z) ** n * sp.log(1 - z)

    def _eval_rewrite_as_Pow(self, z, n, **kwargs):
        return 1 - (1 - z) ** n


def plain(expr):
    """``expr`` with every :class:`OneMinusPow` written as ``1 - (1 - z)**n``."""
    return sp.sympify(expr).replace(OneMinusPow, lambda z, n: 1 - (1 - z) ** n)


def strukov(x, gaps=None):
    """Strukov window x(1 - x) (the corrected w(D - w)/D^2 form)."""
    if gaps is not None:
        return gaps[0] * gaps[1]
    return x * (1 - x)


def joglekar(x, p, gaps=None):
    """Joglekar window 1 - (2x - 1)^(2p); f(0) = f(1) = 0, f(0.5) = 1.

    Gap form: (2x - 1)^2 = 1 - 4ab, so f = 1 - (1 - 4ab)^p."""
    if gaps is not None:
        return OneMinusPow(4 * gaps[0] * gaps[1], p)
    return 1 - (2 * x - 1) ** (2 * p)


def biolek(x, p, i_nonpositive, gaps=None):
    """Biolek window 1 - (x - stp(-i))^(2p), stp(-i) = 1 when i <= 0.

    ``i_nonpositive`` is a sympy boolean that is true when the current is <= 0
    (for a passive device: v <= 0). Gap form: 1 - (1 - a)^(2p) for i <= 0 and
    1 - (1 - b)^(2p) otherwise.
    """
    if gaps is not None:
        return sp.Piecewise((OneMinusPow(gaps[0], 2 * p), i_nonpositive), (OneMinusPow(gaps[1], 2 * p), True))
    stp = sp.Piecewise((1, i_nonpositive), (0, True))
    return 1 - (x - stp) ** (2 * p)


def prodromakis(x, p, j, gaps=None):
    """Prodromakis window j (1 - [(x - 0.5)^2 + 0.75]^p); f(0) = f(1) = 0.

    Gap form: (x - 0.5)^2 + 0.75 = 1 - ab, so f = j (1 - (1 - ab)^p)."""
    if gaps is not None:
        return j * OneMinusPow(gaps[0] * gaps[1], p)
    return j * (1 - ((x - sp.Rational(1, 2)) ** 2 + sp.Rational(3, 4)) ** p)


def kvatinsky_off(x, a_off, w_c):
    """TEAM window for the OFF direction, exp(-exp((x - a_off)/w_c))."""
    return sp.exp(-sp.exp((x - a_off) / w_c))


def kvatinsky_on(x, a_on, w_c):
    """TEAM window for the ON direction, exp(-exp(-(x - a_on)/w_c))."""
    return sp.exp(-sp.exp(-(x - a_on) / w_c))


def gap_window(name, x, p, v_nonpositive, j=None):
    """The window ``name`` of :data:`WINDOWS` in gap form (1 for ``"none"``); ``x`` is the
    state normalised to [0, 1] (used by no gap form, kept for the signature)."""
    g = (GAP_LO, GAP_HI)
    if name == "none":
        return sp.Integer(1)
    if name == "strukov":
        return strukov(x, g)
    if name == "joglekar":
        return joglekar(x, p, g)
    if name == "biolek":
        return biolek(x, p, v_nonpositive, g)
    return prodromakis(x, p, j, g)


WINDOWS = ("none", "strukov", "joglekar", "biolek", "prodromakis")
