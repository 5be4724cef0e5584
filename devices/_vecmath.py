"""Branch-free elementary functions that LLVM's loop vectoriser can turn into SIMD code.

numba compiles ``math.exp`` and its kin to calls of the C library (``llvm.exp.f64``); in
a loop over independent lanes LLVM vectorises the arithmetic but scalarises such calls
(numba here has no vector math library: no SVML), so the lane-vectorised fixed-step
integrator (:mod:`memlab.devices._lanes`) calls these instead. Each is plain numba
arithmetic (argument reduction, a polynomial, selects for the special values) with the
power of two built by a bit cast (:func:`_i2d`), all of which vectorise (<8 x double>
with AVX-512).

Methods and accuracy (ulp = unit in the last place of the correctly rounded result; the
bounds are the maxima measured against mpmath in tests/devices/test_vecmath.py, with the
fast-math flags of the integrator). The polynomials are Chebyshev interpolants of the
reduced functions at 50 digits rounded to double (benchmarks/vecmath_coefficients.py prints
them with their errors), evaluated by Estrin's scheme: the Taylor series by Horner's rule
had degree 13 (exp), 10 (log's atanh part) and 25 (asin) in one dependent chain; these have
9, 6 and 12 in chains of about half the length (JART's lane kernels, 87 % of whose time is
exp, log and asin: 46 -> 34 ns per device and step, measured under load):

* :func:`vexp`: Cody-Waite reduction x = k ln 2 + r, |r| <= ln 2 / 2 (ln 2 split in a
  high part with 11 trailing zero bits and a low part), e^r = 1 + (r + r^2 Q(r)) with Q
  of degree 9 (1.6e-17 relative), result scaled by 2^k built as two halves (so that 2^k
  in the subnormal range and up to the overflow threshold is exact). <= 1.5 ulp (the
  roundings of r, of r + r^2 Q and of the final sum; measured 0.96).
  exp(0) = 1 exactly; overflow gives inf, underflow 0 or the subnormal; NaN gives NaN.
* :func:`vlog`: x = 2^e m, sqrt(1/2) <= m < sqrt(2), f = m - 1, s = f / (2 + f),
  log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with R(z) = z W(z) the atanh series'
  remainder, W of degree 6 (4.6e-18 relative; the form of this sum is fdlibm's). Subnormals are scaled
  by 2^54 first. <= 1 ulp; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
* :func:`vexpm1`: the Taylor series (degree 17) for |x| < ln 2, exp(x) - 1 beyond.
* :func:`vlog1p`: log(1 + x) corrected by x / ((1 + x) - 1) (Goldberg 1991, Theorem 4).
* :func:`vsinh`, :func:`vcosh`: odd Taylor series of degree 19 for sinh at |x| < 1,
  (e^|x| -+ e^-|x|)/2 beyond, e^(|x|/2)^2 / 2 above 700 (finite up to the overflow of
  the result). :func:`vtanh`: -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x.
* :func:`vasin`: for |x| <= 1/2, y + y z P(z), z = y^2, P of degree 12 (5.1e-18
  relative); above, asin|x| = pi/2 - 2 asin sqrt((1 - |x|)/2)
  (the argument is then <= 1/2), pi/2 in two parts; the sign of x; NaN beyond |x| > 1.
* :func:`vpow` (symbolic exponents): exp(e log|b|) with the sign of an odd integer
  exponent, exact products for e = 0, 1, 2, 3; error <= 2 + 3 |e log b| ulp (log's ulp
  and the product's rounding, amplified by exp), as in any exp-log power.
  :func:`vipow` (integer exponents in [1, 127]): the binary-powering products of the
  scalar kernels' ``_ipow``, bit for bit.
"""
from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["vexp", "vlog", "vexpm1", "vlog1p", "vsinh", "vcosh", "vtanh", "vasin", "vpow", "vipow", "vomp", "vsel",
           "LANE_FUNCTIONS"]

#: sympy function names with a lane version here (the lane printer maps them)
LANE_FUNCTIONS = {"exp": "_vexp", "log": "_vlog", "expm1": "_vexpm1", "log1p": "_vlog1p", "sinh": "_vsinh",
                  "cosh": "_vcosh", "tanh": "_vtanh",
                  "asin": "_vasin"}

_JIT = dict(inline="always", cache=True, error_model="numpy")

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01   # 0x3FE62E42FEE00000: k * _LN2_HI is exact for |k| < 2^11
_LN2_LO = 1.90821492927058770002e-10
_SQRT2 = 1.4142135623730951
_TWO54 = 18014398509481984.0
_TINY = 2.2250738585072014e-308        # the smallest normal double
_PIO2_HI = 1.5707963267948966          # pi/2 rounded, and the rest (fdlibm's pio2_hi, pio2_lo)
_PIO2_LO = 6.123233995736766e-17

# polynomial coefficients (low degree first): Chebyshev interpolants at 50 digits, rounded to
# double, from benchmarks/vecmath_coefficients.py (which prints them and their errors)
#: (e^r - 1 - r) / r^2 on |r| <= ln 2 / 2, degree 9 (1.6e-17 relative in e^r)
_EXP_Q = (0.5000000000000001, 0.16666666666666669, 0.041666666666624164, 0.008333333333330065,
          0.0013888888917196719, 0.00019841269863040545, 2.4801521322368692e-05, 2.7557268480310024e-06,
          2.7620075879983367e-07, 2.5100375832561234e-08)
#: (2 atanh(s) / s - 2) / s^2 for s^2 <= (3 - 2 sqrt 2)^2, degree 6 (4.6e-18 relative in log(1 + f))
_LOG_W = (0.666666666666667, 0.39999999999899505, 0.28571428625975487, 0.2222221113479508,
          0.18182889125261723, 0.15331721600556042, 0.14616449685043406)
#: (asin(y) / y - 1) / y^2 for y^2 <= 1/4, degree 12 (5.1e-18 relative in asin y)
_ASIN_P = (0.16666666666666669, 0.07499999999998433, 0.04464285714635543, 0.030381944138531247,
           0.02237217294214989, 0.017352392720869973, 0.013971212973552933, 0.011479177415184906,
           0.01032281435018578, 0.005457506718640358, 0.01740087944269402, -0.014851887071247204,
           0.028757851367421566)


@intrinsic
def _i2d(typingctx, i):
    """The double whose IEEE bits are the int64 ``i``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _d2i(typingctx, x):
    """The IEEE bits of the double ``x`` as an int64."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@njit(**_JIT)
def vsel(c, a, b):
    """``a if c else b`` with both already evaluated (a select, not a branch)."""
    return a if c else b


@njit(**_JIT)
def vexp(x):
    """e^x (see the module docstring for the method and its accuracy)."""
    y = min(max(x, -746.0), 710.0)          # beyond: the result is 0 or inf anyway
    k = math.floor(y * _LOG2E + 0.5)
    r = (y - k * _LN2_HI) - k * _LN2_LO
    # e^r = 1 + (r + r^2 Q(r)), Q of degree 9 (Chebyshev interpolant, _EXP_Q), by Estrin's
    # scheme: a dependency chain of 5 operations where Horner's has 11
    r2 = r * r
    r4 = r2 * r2
    q = ((_EXP_Q[0] + _EXP_Q[1] * r) + r2 * (_EXP_Q[2] + _EXP_Q[3] * r)) \
        + r4 * ((_EXP_Q[4] + _EXP_Q[5] * r) + r2 * (_EXP_Q[6] + _EXP_Q[7] * r)) \
        + (r4 * r4) * (_EXP_Q[8] + _EXP_Q[9] * r)
    p = 1.0 + (r + r2 * q)
    ki = np.int64(k)
    k1 = ki >> 1
    s1 = _i2d((k1 + 1023) << 52)
    s2 = _i2d((ki - k1 + 1023) << 52)
    res = (p * s1) * s2
    return res if x == x else x


@njit(**_JIT)
def vlog(x):
    """Natural logarithm (see the module docstring)."""
    sub = x < _TINY
    xs = x * _TWO54 if sub else x
    ix = _d2i(xs)
    e = (ix >> 52) - 1023
    m = _i2d((ix & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    e = e - 54 if sub else e
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    # log(1+f) = 2s + s R(z), R(z) = z W(z), W of degree 6 (Chebyshev interpolant of the atanh
    # series' (2 atanh(s)/s - 2)/z, _LOG_W), by Estrin's scheme
    z2 = z * z
    R = z * (((_LOG_W[0] + _LOG_W[1] * z) + z2 * (_LOG_W[2] + _LOG_W[3] * z))
             + (z2 * z2) * ((_LOG_W[4] + _LOG_W[5] * z) + z2 * _LOG_W[6]))
    hfsq = 0.5 * f * f
    fe = float(e)
    res = fe * _LN2_HI + (f - (hfsq - (s * (hfsq + R) + fe * _LN2_LO)))
    res = math.inf if x == math.inf else res
    res = -math.inf if x == 0.0 else res
    return math.nan if (x < 0.0 or not (x == x)) else res


@njit(**_JIT)
def vexpm1(x):
    """e^x - 1 without cancellation near 0."""
    # Horner: x (1 + x/2! + ... + x^16/17!)
    p = 0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0 + x * (
        1.0 / 40320.0 + x * (1.0 / 362880.0 + x * (1.0 / 3628800.0 + x * (1.0 / 39916800.0 + x * (1.0 / 479001600.0 + x * (
            1.0 / 6227020800.0 + x * (1.0 / 87178291200.0 + x * (1.0 / 1307674368000.0 + x * (1.0 / 20922789888000.0 + x * (
                1.0 / 355687428096000.0)))))))))))))))
    small = x * (p * x + 1.0)
    return small if abs(x) < 0.6931471805599453 else vexp(x) - 1.0


@njit(**_JIT)
def vlog1p(x):
    """log(1 + x) without cancellation near 0."""
    u = 1.0 + x
    d = u - 1.0
    res = vlog(u) * (x / vsel(d == 0.0, 1.0, d))
    res = x if d == 0.0 else res
    return x if x == math.inf else res


@njit(**_JIT)
def vsinh(x):
    """Hyperbolic sine."""
    t = abs(x)
    z = x * x
    # Horner in z = x^2: sinh x = x + x z (1/3! + z/5! + ... + z^8/19!)
    p = 1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (1.0 / 39916800.0 + z * (
        1.0 / 6227020800.0 + z * (1.0 / 1307674368000.0 + z * (1.0 / 355687428096000.0 + z * (
            1.0 / 121645100408832000.0))))))))
    small = x + x * (z * p)
    e = vexp(min(t, 700.0))
    h = vexp(0.5 * t)
    big = vsel(t > 700.0, (0.5 * h) * h, 0.5 * (e - 1.0 / e))
    big = big if x >= 0.0 else -big
    return small if t < 1.0 else big


@njit(**_JIT)
def vcosh(x):
    """Hyperbolic cosine."""
    t = abs(x)
    e = vexp(min(t, 700.0))
    h = vexp(0.5 * t)
    return vsel(t > 700.0, (0.5 * h) * h, 0.5 * (e + 1.0 / e))


@njit(**_JIT)
def vtanh(x):
    """Hyperbolic tangent."""
    em = vexpm1(-2.0 * abs(x))
    t = -em / (2.0 + em)
    return t if x > 0.0 else (-t if x < 0.0 else x)   # x itself for 0, -0 and NaN


@njit(**_JIT)
def vasin(x):
    """Arcsine (see the module docstring)."""
    a = abs(x)
    big = a > 0.5
    y = math.sqrt(0.5 * (1.0 - a)) if big else a     # asin a = pi/2 - 2 asin sqrt((1 - a)/2)
    z = y * y
    # asin y = y + y z P(z), P of degree 12 (Chebyshev interpolant on [0, 1/4], _ASIN_P), by
    # Estrin's scheme
    z2 = z * z
    z4 = z2 * z2
    c = _ASIN_P
    p = (((c[0] + c[1] * z) + z2 * (c[2] + c[3] * z)) + z4 * ((c[4] + c[5] * z) + z2 * (c[6] + c[7] * z))) \
        + (z4 * z4) * (((c[8] + c[9] * z) + z2 * (c[10] + c[11] * z)) + z4 * c[12])
    s = y + y * (z * p)
    r = _PIO2_HI - (2.0 * s - _PIO2_LO) if big else s
    return -r if x < 0.0 else (r if x > 0.0 else x)   # x itself for 0, -0 and NaN


@njit(**_JIT)
def vpow(b, e):
    """b^e for a symbolic exponent (the lane version of the kernels' ``_ipow``)."""
    fl = math.floor(e)
    integer = fl == e
    odd = integer and (fl - 2.0 * math.floor(0.5 * fl)) == 1.0
    g = vexp(e * vlog(abs(b)))
    g = -g if (b < 0.0 and odd) else g
    g = math.nan if (b < 0.0 and not integer) else g
    g = 1.0 if (e == 0.0 or b == 1.0) else g
    g = b if e == 1.0 else g
    g = b * b if e == 2.0 else g
    return b * b * b if e == 3.0 else g


@njit(**_JIT)
def vomp(z, n):
    """1 - (1 - z)^n without cancellation at small z (the lane version of ``_omp``)."""
    g = -vexpm1(n * vlog1p(-z))
    g = z if n == 1.0 else g
    g = z * (2.0 - z) if n == 2.0 else g
    return z * (3.0 - z * (3.0 - z)) if n == 3.0 else g


@njit(**_JIT)
def vipow(b, e):
    """b^e for an integer e in [1, 127] given as a double: the binary powering of the
    kernels' ``_ipow`` (the same products), unrolled over the 7 bits with selects."""
    n = np.int64(e)
    r = 1.0
    for bit in (1, 2, 4, 8, 16, 32, 64):
        r = r * b if n & bit else r
        b = b * b
    return r
