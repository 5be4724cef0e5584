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
fast-math flags of the integrator):

* :func:`vexp`: Cody-Waite reduction x = k ln 2 + r, |r| <= ln 2 / 2 (ln 2 split in a
  high part with 11 trailing zero bits and a low part), Taylor polynomial of degree 13
  (truncation 4e-18 relative), result scaled by 2^k built as two halves (so that 2^k in
  the subnormal range and up to the overflow threshold is exact). <= 1 ulp.
  exp(0) = 1 exactly; overflow gives inf, underflow 0 or the subnormal; NaN gives NaN.
* :func:`vlog`: x = 2^e m, sqrt(1/2) <= m < sqrt(2), f = m - 1, s = f / (2 + f),
  log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with R the atanh series of degree 20 in s
  (truncation 6e-19 relative; the form of this sum is fdlibm's). Subnormals are scaled
  by 2^54 first. <= 1 ulp; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
* :func:`vexpm1`: the Taylor series (degree 17) for |x| < ln 2, exp(x) - 1 beyond.
* :func:`vlog1p`: log(1 + x) corrected by x / ((1 + x) - 1) (Goldberg 1991, Theorem 4).
* :func:`vsinh`, :func:`vcosh`: odd Taylor series of degree 19 for sinh at |x| < 1,
  (e^|x| -+ e^-|x|)/2 beyond, e^(|x|/2)^2 / 2 above 700 (finite up to the overflow of
  the result). :func:`vtanh`: -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x.
* :func:`vasin`: for |x| <= 1/2 the Maclaurin series y + y z P(z), z = y^2, degree 25 in z
  (truncation 2e-18 relative at y = 1/2); above, asin|x| = pi/2 - 2 asin sqrt((1 - |x|)/2)
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
    p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (
        1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (1.0 / 3628800.0 + r * (1.0 / 39916800.0 + r * (
            1.0 / 479001600.0 + r * (1.0 / 6227020800.0)))))))))))))   # Horner, 1/n! up to n = 13
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
    # atanh series: log(1+f) = 2s + s R(z), R = sum_n 2 z^n / (2n + 1), n = 1..10 (Horner)
    R = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * (2.0 / 7.0 + z * (2.0 / 9.0 + z * (2.0 / 11.0 + z * (2.0 / 13.0 + z * (
        2.0 / 15.0 + z * (2.0 / 17.0 + z * (2.0 / 19.0 + z * (2.0 / 21.0))))))))))
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
    # Horner: asin y = y + y z sum_n c_n z^(n-1), c_n = (2n)! / (4^n (n!)^2 (2n + 1)), n = 1..25
    p = (0.16666666666666666 + z * (0.075 + z * (0.044642857142857144 + z * (0.030381944444444444 + z * (
        0.022372159090909092 + z * (0.017352764423076924 + z * (0.01396484375 + z * (
        0.011551800896139705 + z * (0.009761609529194078 + z * (0.008390335809616815 + z * (
        0.0073125258735988454 + z * (0.006447210311889649 + z * (0.005740037670841924 + z * (
        0.005153309682319905 + z * (0.004660143486915096 + z * (0.004240907093679363 + z * (
        0.003880964558837669 + z * (0.0035692053938259347 + z * (0.003297059503473485 + z * (
        0.0030578216492580306 + z * (0.002846178401108942 + z * (0.00265787063820729 + z * (
        0.0024894486782468836 + z * (0.002338091892111975 + z * (0.0022014739737101384)))))))))))))))))))))))))
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
