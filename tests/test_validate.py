"""memlab._validate.real: the one numeric validator (every bad kind of value, one error type)."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from memlab._validate import interval_text, positive_float, positive_int, real
from memlab.errors import ParameterError

BAD_KINDS = ["abc", b"1", None, True, np.bool_(False), 1 + 2j, [1, 2], {"a": 1}, object(), [[1], [1, 2]]]


# (object()'s repr holds its address, which differs between pytest-xdist workers)
@pytest.mark.parametrize("value", BAD_KINDS, ids=lambda v: "object()" if type(v) is object else repr(v))
def test_non_numbers_are_named_errors(value):
    with pytest.raises(ParameterError, match=r"parameter 'R_on' must be a real number in \(0, inf\) ohm"):
        real(value, "R_on", lo=0, lo_open=True, unit="ohm")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0.0, -1e-300])
def test_outside_open_range(value):
    with pytest.raises(ParameterError, match=r"parameter 'R_on' = .* is outside the allowed range \(0, inf\) ohm"):
        real(value, "R_on", lo=0, lo_open=True, unit="ohm")


def test_inf_is_never_allowed_even_with_an_infinite_end():
    # an infinite end is printed open: "(0, inf)" does not contain inf
    assert interval_text(0, math.inf, lo_open=True) == "(0, inf)"
    with pytest.raises(ParameterError):
        real(math.inf, "x")


def test_arrays_report_the_first_bad_element_and_are_copies():
    with pytest.raises(ParameterError, match=r"'g' = -1.0"):
        real([1.0, -1.0, 2.0], "g", lo=0, array=True)
    with pytest.raises(ParameterError, match="empty array"):
        real([], "g", array=True)
    with pytest.raises(ParameterError, match="must be a real number"):
        real([1.0, 2.0], "g")                      # an array where a scalar is expected
    src = np.array([1.0, 2.0])
    out = real(src, "g", array=True)
    out[0] = 5.0
    assert src[0] == 1.0


def test_integers():
    assert positive_int(3, "n") == 3 and positive_int(np.int64(4), "n") == 4
    for bad in (0, -1, 3.0, 2.5, "3", math.nan, True):
        with pytest.raises(ParameterError, match="'n'"):
            positive_int(bad, "n")
    with pytest.raises(ParameterError, match=r"\[1, 8\] \(integer\)"):
        positive_int(9, "bits", maximum=8)


def test_where_prefix_and_closed_ends():
    assert real(0.0, "v", lo=0) == 0.0 and positive_float(0, "v", allow_zero=True) == 0.0
    with pytest.raises(ParameterError, match=r"^VTEAM: parameter 'x_off' = 5.0 is outside the allowed range \[0, 1\] m$"):
        real(5.0, "x_off", lo=0, hi=1, unit="m", where="VTEAM")


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(-10, 10), st.floats(-10, 10))
def test_accepts_exactly_the_finite_values_in_range(x, a, b):
    lo, hi = min(a, b), max(a, b)
    inside = math.isfinite(x) and lo < x <= hi
    try:
        got = real(x, "x", lo=lo, hi=hi, lo_open=True)
    except ParameterError:
        assert not inside
    else:
        assert inside and got == x
