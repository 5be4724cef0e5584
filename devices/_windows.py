"""Window functions as sympy expressions of the normalised state x in [0, 1].

Definitions follow docs/notes/devices.md §2 (Strukov 2008 with its corrigendum,
Joglekar 2009, Biolek 2009, Prodromakis 2011, Kvatinsky TEAM 2013). The precedence and
sign bugs of public implementations (MemTorch's Joglekar and Prodromakis, Xyce's
Prodromakis) are not repeated; tests in tests/devices/test_windows.py prove it.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["strukov", "joglekar", "biolek", "prodromakis", "kvatinsky_off", "kvatinsky_on", "WINDOWS"]


def strukov(x):
    """Strukov window x(1 - x) (the corrected w(D - w)/D^2 form)."""
    return x * (1 - x)


def joglekar(x, p):
    """Joglekar window 1 - (2x - 1)^(2p); f(0) = f(1) = 0, f(0.5) = 1."""
    return 1 - (2 * x - 1) ** (2 * p)


def biolek(x, p, i_nonpositive):
    """Biolek window 1 - (x - stp(-i))^(2p), stp(-i) = 1 when i <= 0.

    ``i_nonpositive`` is a sympy boolean that is true when the current is <= 0
    (for a passive device: v <= 0).
    """
    stp = sp.Piecewise((1, i_nonpositive), (0, True))
    return 1 - (x - stp) ** (2 * p)


def prodromakis(x, p, j):
    """Prodromakis window j (1 - [(x - 0.5)^2 + 0.75]^p); f(0) = f(1) = 0."""
    return j * (1 - ((x - sp.Rational(1, 2)) ** 2 + sp.Rational(3, 4)) ** p)


def kvatinsky_off(x, a_off, w_c):
    """TEAM window for the OFF direction, exp(-exp((x - a_off)/w_c))."""
    return sp.exp(-sp.exp((x - a_off) / w_c))


def kvatinsky_on(x, a_on, w_c):
    """TEAM window for the ON direction, exp(-exp(-(x - a_on)/w_c))."""
    return sp.exp(-sp.exp(-(x - a_on) / w_c))


WINDOWS = ("none", "strukov", "joglekar", "biolek", "prodromakis")
