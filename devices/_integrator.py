"""The compiled integrator as a module template with explicit placeholders.

:func:`memlab.devices._codegen.module_source` fills :data:`TEMPLATE` with a model's
generated device functions and writes the result as one self-contained module file
(imports, device functions, integrator), which is imported like any module; numba needs
the device functions as globals of the jitted integrator, and caches the machine code of
every function of that file on disk (``cache=True``).

Placeholders (``string.Template`` syntax):

``${label}``
    A comment line naming the model and its options.
``${device_functions}``
    Source of the njit-decorated device functions, which must define
    ``_kernel(v, x, p) -> (i, di/dv, di/dx, rate, drate/dv, drate/dx)``,
    ``_kernel_r(v, x, p) -> (i, di/dv, rate)``, ``_noise(v, x, p) -> amplitude`` and
    their versions for the integrator, ``_gkernel(v, x, a, b, P, d)``, ``_gkernel_r`` and
    ``_gkernel_i(v, x, a, b, P, d) -> (i, di/dv)`` (series-resistor Newton), which
    take the normalised gaps a, b and read the parameters from row d of the matrix P (see
    :data:`DEVICE_FUNCTIONS`).
``${rate_x_free}``
    ``True`` when d(rate)/dx vanishes identically (the cheaper kernel then serves both
    Rosenbrock stages of the fixed-step integrator).
``${affine_v}``
    ``True`` when the current is affine in the device voltage (d^2 i / dv^2 vanishes
    identically): the series-resistor split v + rs i(v, x) = vs is then solved in closed
    form, one kernel evaluation instead of Newton iterations.
``${gap}``
    ``True`` when the model's equations have a gap form (windows that vanish at a bound,
    see :mod:`memlab.devices._windows`): the integrated variable ``u`` is then the
    normalised distance of the state to the nearer bound (``side`` 0: lower, 1: upper),
    switched to the other bound when it passes 0.5, and the local error is measured
    relative to the length |rate / (d rate/dx)| over which the rate changes (near such a
    bound: the distance itself), so the state approaches a bound where its window vanishes
    to a depth of 1e-100 of the range with relative precision, and deeper with absolute
    error rtol * 1e-100 (x itself stops 1e-16 short: it would round to the bound, where
    such a window is exactly 0, and lock there). Otherwise
    ``u`` is x and the error is absolute, ``rtol (hi - lo)``.

``${lanes}``, ``${lane_block}``
    ``True`` and the lane-vectorised fixed-step block (:mod:`memlab.devices._lanes`:
    ``run_lanes0``, its lane kernels) when the model's kernels have a lane form; ``False``
    and nothing otherwise.
``${lanes_rs}``
    ``True`` when the lane block also holds the series-resistor stepper ``run_lanes_rs``
    (:mod:`memlab.devices._lanes_rs`: all six kernel outputs have a lane form).

The integrator functions: ``run`` (adaptive ROS2, see :mod:`memlab.devices._simulate`)
and ``run_fixed`` (one ROS2 step per output interval; ``fixed_block`` steps BLOCK devices
interleaved, so that their independent chains of dependent operations overlap in the
processor; without noise ``run_lanes0`` (no series resistor) or ``run_lanes_rs`` instead,
when they exist), plus
their helpers ``drive``, ``keep`` (output samples), ``solve_v``
(series-resistor Newton), ``stage`` and ``stage_r``.
"""
from __future__ import annotations

from string import Template

__all__ = ["TEMPLATE", "STEPPER", "STAGE_CALL", "DEVICE_FUNCTIONS", "ENTRY_POINTS"]

#: names the device-function source must define
DEVICE_FUNCTIONS = ("_kernel", "_kernel_r", "_noise", "derived", "_gkernel", "_gkernel_r", "_gkernel_i",
                    "_gkernel_j", "_gkernel_ir")
#: names of the integrator entry points in the generated module
ENTRY_POINTS = ("run", "run_fixed")

TEMPLATE = Template('''\
${label}
import math

from numba import njit, prange
import numpy as np

_RATE_X_FREE = ${rate_x_free}
_GAP = ${gap}
_AFFINE_V = ${affine_v}
_LANES = ${lanes}   # a lane-vectorised fixed-step block exists (memlab.devices._lanes)
_LANES_RS = ${lanes_rs}   # ... and its series-resistor variant (memlab.devices._lanes_rs)
GAMMA = 1.0 + 1.0 / math.sqrt(2.0)   # ROS2 (Verwer et al. 1999): gamma = 1 + 1/sqrt(2), L-stable
# gap state: relative precision of the distance to a bound down to DEPTH (of the range);
# deeper, the error is absolute (rtol DEPTH), which bounds the steps of a fast approach
DEPTH = 1e-100
# LLVM fast-math flags of the fixed-step block: reciprocals for divisions and fused
# multiply-adds (roundings of 1e-16, within the integrator test's 1e-11), not the flags
# that assume no NaN/inf (the guards test x == x and abs(x) == inf) or no signed zeros
FASTMATH = {"arcp", "contract"}
# devices stepped together by run_fixed (interleaved: their independent operations overlap)
BLOCK = 8

# ---- device functions (generated from the model's sympy equations)
${device_functions}

# ---- integrator
@njit(cache=True, error_model="numpy")
def drive(kind, dp, tp, vp, t):
    if kind == 0:
        return dp[3] + dp[0] * math.sin(2.0 * math.pi * dp[1] * t + dp[2])
    period = dp[0]
    if period > 0.0:
        t = t - period * math.floor(t / period)
        if t < 0.0:
            t = 0.0
    n = tp.shape[0]
    if t <= tp[0]:
        return vp[0]
    if t >= tp[n - 1]:
        return vp[n - 1]
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if tp[mid] <= t:
            lo = mid
        else:
            hi = mid
    return vp[lo] + (vp[hi] - vp[lo]) * (t - tp[lo]) / (tp[hi] - tp[lo])

@njit(inline="always", cache=True)
def keep(out_v, out_i, out_x, store, d, k, v, i, x):
    # store the output sample k of device d (only the waveforms asked for)
    if store[0]:
        out_v[d, k] = v
    if store[1]:
        out_i[d, k] = i
    if store[2]:
        out_x[d, k] = x

@njit(inline="always", cache=True)
def unpack(u, side, lo, hi):
    # (x, a, b, du/dx): the state, its normalised distances to the bounds, the scale of u
    if not _GAP:
        return u, 0.0, 0.0, 1.0
    w = hi - lo
    if side == 0:
        return lo + w * u, u, 1.0 - u, 1.0 / w
    return hi - w * u, 1.0 - u, u, -1.0 / w

@njit(inline="always", cache=True)
def pack(x, lo, hi):
    # the integrated variable u and its side for the state x
    if not _GAP:
        return x, 0
    a = (x - lo) / (hi - lo)
    if a <= 0.5:
        return a, 0
    return (hi - x) / (hi - lo), 1

@njit(inline="always", cache=True)
def u_range(lo, hi):
    if _GAP:
        return 0.0, 1.0
    return lo, hi

@njit(inline="always", cache=True)
def reflect(u, side):
    # keep u the distance to the nearer bound
    if _GAP and u > 0.5:
        return 1.0 - u, 1 - side
    return u, side

@njit(inline="always", cache=True)
def finite_or_0(J):
    # a non-finite Jacobian entry is replaced by 0 (the step is then explicit in it)
    if not (J == J) or abs(J) == math.inf:
        return 0.0
    return J

@njit(inline="always", cache=True, error_model="numpy")
def solve_v(vs, x, a, b, P, d, rs, vguess):
    # device voltage from vs = v + rs i(v, x): in closed form when i is affine in v,
    # i = i(0) + v di/dv, otherwise by safeguarded Newton on a bracket
    if _AFFINE_V:
        o = _gkernel_i(0.0, x, a, b, P, d)
        den = 1.0 + rs * o[1]
        if den > 0.0:
            return (vs - rs * o[0]) / den
    lo = min(0.0, vs)
    hi = max(0.0, vs)
    v = vguess if vguess >= lo and vguess <= hi else (hi if vguess > hi else lo)   # NaN: lo
    return newton_v(vs, x, a, b, P, d, rs, v, lo, hi, 200)

@njit(inline="always", cache=True, error_model="numpy")
def newton_v(vs, x, a, b, P, d, rs, v, lo, hi, n):
    # at most n safeguarded Newton iterations of solve_v from v on the bracket [lo, hi]
    # (the lane block finishes its last few lanes' solves here)
    for _ in range(n):
        o = _gkernel_i(v, x, a, b, P, d)
        F = v + rs * o[0] - vs
        if F == 0.0:
            return v
        if F > 0.0:
            hi = v
        else:
            lo = v
        den = 1.0 + rs * o[1]
        vn = v - F / den if den > 0.0 else 0.5 * (lo + hi)
        if not (vn > lo and vn < hi):
            vn = 0.5 * (lo + hi)
        if abs(vn - v) <= 1e-15 + 1e-13 * abs(v) or hi - lo <= 1e-15 + 1e-14 * abs(v):
            return vn
        v = vn
    return v

@njit(inline="always", cache=True, error_model="numpy")
def stage_rs(vs, u, side, lo, hi, P, d, rs, vguess):
    # (v, i, du/dt, d(du/dt)/du, dv/dvs, dv/dx); d(du/dt)/du equals d(dx/dt)/dx in either
    # representation; the last two predict the next solve's start (fixed_block)
    x, a, b, sc = unpack(u, side, lo, hi)
    v = vs if rs == 0.0 else solve_v(vs, x, a, b, P, d, rs, vguess)
    o = _gkernel(v, x, a, b, P, d)
    dvdx = 0.0
    pv = 1.0
    if rs != 0.0:
        pv = 1.0 / (1.0 + rs * o[1])
        dvdx = -rs * o[2] * pv
    return v, o[0], o[3] * sc, finite_or_0(o[5] + o[4] * dvdx), pv, dvdx

@njit(inline="always", cache=True, error_model="numpy")
def stage_r_rs(vs, u, side, lo, hi, P, d, rs, vguess):
    x, a, b, sc = unpack(u, side, lo, hi)
    v = vs if rs == 0.0 else solve_v(vs, x, a, b, P, d, rs, vguess)
    o = _gkernel_r(v, x, a, b, P, d)
    return v, o[0], o[2] * sc

@njit(inline="always", cache=True, error_model="numpy")
def stage0(vs, u, side, lo, hi, P, d, rs, vguess):
    # no series resistor: the device voltage is the source's, and neither di/dv, di/dx
    # nor d(rate)/dv is needed (_gkernel_j: i, rate, d(rate)/dx)
    x, a, b, sc = unpack(u, side, lo, hi)
    o = _gkernel_j(vs, x, a, b, P, d)
    return vs, o[0], o[1] * sc, finite_or_0(o[2]), 1.0, 0.0

@njit(inline="always", cache=True, error_model="numpy")
def stage_r0(vs, u, side, lo, hi, P, d, rs, vguess):
    x, a, b, sc = unpack(u, side, lo, hi)
    o = _gkernel_ir(vs, x, a, b, P, d)
    return vs, o[0], o[1] * sc

# the stages as calls, for the adaptive integrator (STAGE_CALL): its step calls them at
# three places (and the noise jump at a fourth), and inlining each copy in numba's IR had
# made its compile the longest part of a first simulation (VTEAM: 31 s -> 12 s); the
# fixed-step block keeps them inlined (with calls there, the population benchmark's VTEAM
# case took 1.10 s against 0.82 s)
${stage_calls}
@njit(inline="always", cache=True)
def finish(x_final, gap_final, dv, u, side, lo, hi):
    x, a, b, sc = unpack(u, side, lo, hi)
    x_final[dv] = x
    if _GAP:
        gap_final[dv, 0] = (hi - lo) * a
        gap_final[dv, 1] = (hi - lo) * b
    else:
        gap_final[dv, 0] = x - lo
        gap_final[dv, 1] = hi - x

${stepper_0}

${stepper_rs}

${lane_block}

def run(P, x0, lo_b, hi_b, rs_a, *rest):
    """Adaptive ROS2 (arguments: see memlab.devices._simulate); the variant without series
    resistors when every rs is 0 (each variant compiles on its first call)."""
    (run_rs if np.any(rs_a != 0.0) else run0)(derived(P), x0, lo_b, hi_b, rs_a, *rest)


def run_fixed(P, x0, lo_b, hi_b, rs_a, *rest):
    """Fixed-step ROS2, dispatched like run; without noise the lane-vectorised block
    (with or without series resistors) when the model has one (rest[-2]: has_noise)."""
    if np.any(rs_a != 0.0):
        (run_lanes_rs if _LANES_RS and not rest[-2] else run_fixed_rs)(derived(P), x0, lo_b, hi_b, rs_a, *rest)
    elif _LANES and not rest[-2]:
        run_lanes0(derived(P), x0, lo_b, hi_b, rs_a, *rest)
    else:
        run_fixed0(derived(P), x0, lo_b, hi_b, rs_a, *rest)
''')

#: a stage as a call (not inlined), filled for the stages ``f`` (stage, stage_r) of the
#: variants ``s`` (0, _rs): ``stage_c0`` calls ``stage0`` and so on
STAGE_CALL = Template('''\
@njit(cache=True, error_model="numpy")
def ${f}_c${s}(vs, u, side, lo, hi, P, d, rs, vguess):
    return ${f}${s}(vs, u, side, lo, hi, P, d, rs, vguess)
''')

#: the integrator functions, filled twice: suffix ``s`` 0 (no series resistor,
#: stage0 and stage_r0) and _rs (stage_rs, stage_r_rs with the Newton solve of the device voltage)
STEPPER = Template('''\
@njit(cache=True, error_model="numpy")
def jump${s}(u, side, lo, hi, P, d, rs, vs, vguess, z):
    # model noise: a random state jump (amplitude from _noise, state units)
    ulo, uhi = u_range(lo, hi)
    x, a, b, sc = unpack(u, side, lo, hi)
    vn_, in_, rn_ = stage_r_c${s}(vs, u, side, lo, hi, P, d, rs, vguess)
    return reflect(min(max(u + sc * _noise(vn_, x, P[d]) * z, ulo), uhi), side)

@njit(parallel=True, cache=True, error_model="numpy")
def run${s}(P, x0, lo_b, hi_b, rs_a, t_out, kind, dp, tp, vp, rtol, h_max, max_steps,
        out_v, out_i, out_x, store, x_final, gap_final, status, nsteps, vgrid, has_noise, z):
    # the loop body is a function of its own: numba's parallel-loop passes then analyse a
    # call, not the inlined integrator (a third of the module's compile time)
    for dv in prange(P.shape[0]):
        adaptive${s}(dv, P, x0, lo_b, hi_b, rs_a, t_out, kind, dp, tp, vp, rtol, h_max, max_steps,
                  out_v, out_i, out_x, store, x_final, gap_final, status, nsteps, vgrid, has_noise, z)


@njit(cache=True, error_model="numpy")
def adaptive${s}(dv, P, x0, lo_b, hi_b, rs_a, t_out, kind, dp, tp, vp, rtol, h_max, max_steps,
             out_v, out_i, out_x, store, x_final, gap_final, status, nsteps, vgrid, has_noise, z):
    # device dv over the whole time grid (adaptive ROS2)
    n_t = t_out.shape[0]
    g = GAMMA
    lo, hi, rs = lo_b[dv], hi_b[dv], rs_a[dv]
    ulo, uhi = u_range(lo, hi)
    atol = rtol * (hi - lo)
    if not (atol > 0.0):
        atol = rtol
    u, side = pack(x0[dv], lo, hi)
    t = t_out[0]
    v, i, r, J, _, _ = stage_c${s}(vgrid[0], u, side, lo, hi, P, dv, rs, 0.0)
    keep(out_v, out_i, out_x, store, dv, 0, v, i, x0[dv])
    h = min(h_max, t_out[1] - t_out[0]) if n_t > 1 else 0.0
    steps = 0
    st = 0
    for k in range(1, n_t):
        t_target = t_out[k]
        while t < t_target and st < 2:
            rem = t_target - t
            last = False
            if h >= rem * (1.0 - 1e-12):
                h = rem
                last = True
            vs1 = vgrid[k - 1] if t == t_out[k - 1] else drive(kind, dp, tp, vp, t)
            v, i, r, J, _, _ = stage_c${s}(vs1, u, side, lo, hi, P, dv, rs, v)
            if (u <= ulo and r <= 0.0) or (u >= uhi and r >= 0.0):
                J = 0.0  # pinned at a bound: the clipped dynamics are trivially stable
            if J > 0.0 and g * h * J > 0.5:
                h = 0.5 / (g * J)
                last = False
            den = 1.0 - g * h * J
            k1 = r / den
            u1 = min(max(u + h * k1, ulo), uhi)
            vs2 = vgrid[k] if last else drive(kind, dp, tp, vp, t + h)
            if _GAP:
                v2, i2, r2, J2, _, _ = stage_c${s}(vs2, u1, side, lo, hi, P, dv, rs, v)
            else:
                v2, i2, r2 = stage_r_c${s}(vs2, u1, side, lo, hi, P, dv, rs, v)
                J2 = 0.0
            k2 = (r2 - 2.0 * k1) / den
            un = min(max(u + h * (1.5 * k1 + 0.5 * k2), ulo), uhi)
            if _GAP:
                # relative to the length over which the rate changes by itself, |r / J|
                # at either stage (capped at the range): near a vanishing window that is
                # the distance to the bound, so the depth keeps relative precision; where
                # the rate does not depend on the state (leaving a bound) it is absolute
                aj = max(abs(J), abs(J2))
                ls = 1.0 if aj == 0.0 else min(1.0, (abs(r) + abs(r2)) / aj)
                err = abs(un - u1) / (rtol * max(min(un, u1), ls, DEPTH))
            else:
                err = abs(un - u1) / atol
            if (un <= ulo and r2 > 0.0) or (un >= uhi and r2 < 0.0):
                # clipped on a bound while the end rate points inward: the stages cannot
                # see when the state left the bound; h |r2| bounds the missed motion
                err = max(err, h * abs(r2) / (rtol * max(ls, DEPTH) if _GAP else atol))
            if not (err == err):  # NaN from the model
                err = 1e10
            if err <= 1.0 or h <= 1e-15 * (abs(t) + rem):
                if err > 1.0:
                    st = 1
                t = t_target if last else t + h
                u, side = reflect(un, side)
                steps += 1
                if steps >= max_steps:
                    st = 2
            fac = 0.9 / math.sqrt(max(err, 1e-12))
            fac = min(4.0, max(0.2, fac))
            if last and err <= 1.0:
                h = min(h_max, max(h, (h * fac)))
            else:
                h = min(h_max, h * fac)
        if st == 2:
            break
        if has_noise:
            u, side = jump${s}(u, side, lo, hi, P, dv, rs, vgrid[k], v, z[dv, k - 1])
        if store[0] or store[1]:
            v, i, r = stage_r_c${s}(vgrid[k], u, side, lo, hi, P, dv, rs, v)
        keep(out_v, out_i, out_x, store, dv, k, v, i, unpack(u, side, lo, hi)[0])
    finish(x_final, gap_final, dv, u, side, lo, hi)
    status[dv] = st
    nsteps[dv] = steps



@njit(parallel=True, cache=True, error_model="numpy")
def run_fixed${s}(P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps, vgrid,
              has_noise, z):
    # one ROS2 step per output interval; the stage-1 evaluation at (t_k, x_k) doubles as
    # the output sample, so a step costs two model evaluations whatever is stored.
    # Devices are stepped in blocks of BLOCK, interleaved step by step: one device's step
    # is a chain of dependent operations (its latency, not the arithmetic, bounds the
    # speed), and the independent chains of a block overlap in the processor
    n_dev = P.shape[0]
    for b in prange((n_dev + BLOCK - 1) // BLOCK):
        fixed_block${s}(b * BLOCK, min(n_dev, (b + 1) * BLOCK), P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x,
                    store, x_final, gap_final, nsteps, vgrid, has_noise, z)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def fixed_block${s}(d0, d1, P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps,
                vgrid, has_noise, z):
    # the devices d0 .. d1 - 1: per device exactly the operations of a lone ROS2 step
    n_t = t_out.shape[0]
    g = GAMMA
    m = d1 - d0
    U = np.empty(BLOCK)
    SIDE = np.zeros(BLOCK, dtype=np.int64)
    V = np.empty(BLOCK)
    I = np.empty(BLOCK)
    R = np.empty(BLOCK)
    JJ = np.zeros(BLOCK)
    PV = np.ones(BLOCK)    # dv/dvs and dv/dx at the last stage 1 (series resistor: predictors)
    DX = np.zeros(BLOCK)
    for j in range(m):
        dv = d0 + j
        lo, hi, rs = lo_b[dv], hi_b[dv], rs_a[dv]
        u, side = pack(x0[dv], lo, hi)
        # J = d(rate)/dx vanishes identically for some models (e.g. VTEAM without window)
        # when there is no series resistor: the cheaper kernel then serves both stages
        if _RATE_X_FREE and rs == 0.0:
            v, i, r = stage_r${s}(vgrid[0], u, side, lo, hi, P, dv, rs, 0.0)
            J = 0.0
        else:
            v, i, r, J, PV[j], DX[j] = stage${s}(vgrid[0], u, side, lo, hi, P, dv, rs, 0.0)
        U[j], SIDE[j], V[j], I[j], R[j], JJ[j] = u, side, v, i, r, J
    for k in range(1, n_t):
        h = t_out[k] - t_out[k - 1]
        vk = vgrid[k]
        for j in range(m):
            dv = d0 + j
            lo, hi, rs = lo_b[dv], hi_b[dv], rs_a[dv]
            u, side, v, r, J = U[j], SIDE[j], V[j], R[j], JJ[j]
            x = unpack(u, side, lo, hi)[0]
            keep(out_v, out_i, out_x, store, dv, k - 1, v, I[j], x)
            ulo, uhi = u_range(lo, hi)
            if (u <= ulo and r <= 0.0) or (u >= uhi and r >= 0.0):
                J = 0.0
            if J > 0.0 and g * h * J > 0.5:
                J = 0.5 / (g * h)  # cap the linearisation: keeps the step stable and bounded
            inv = 1.0 / (1.0 - g * h * J)   # one division for both stages
            k1 = r * inv
            u1 = min(max(u + h * k1, ulo), uhi)
            # series resistor: each solve starts from the last voltage moved by the
            # linearisation of the last stage 1 (source change, state change)
            x1 = unpack(u1, side, lo, hi)[0]
            v2, i2, r2 = stage_r${s}(vk, u1, side, lo, hi, P, dv, rs, v + PV[j] * (vk - vgrid[k - 1]) + DX[j] * (x1 - x))
            k2 = (r2 - 2.0 * k1) * inv
            u, side = reflect(min(max(u + h * (1.5 * k1 + 0.5 * k2), ulo), uhi), side)
            if has_noise:
                u, side = jump${s}(u, side, lo, hi, P, dv, rs, vk, v2, z[dv, k - 1])
            if _RATE_X_FREE and rs == 0.0:
                v, i, r = stage_r${s}(vk, u, side, lo, hi, P, dv, rs, v2)
            else:
                v, i, r, J, PV[j], DX[j] = stage${s}(vk, u, side, lo, hi, P, dv, rs,
                                                    v2 + DX[j] * (unpack(u, side, lo, hi)[0] - x1))
            U[j], SIDE[j], V[j], I[j], R[j], JJ[j] = u, side, v, i, r, J
    for j in range(m):
        dv = d0 + j
        lo, hi = lo_b[dv], hi_b[dv]
        keep(out_v, out_i, out_x, store, dv, n_t - 1, V[j], I[j], unpack(U[j], SIDE[j], lo, hi)[0])
        finish(x_final, gap_final, dv, U[j], SIDE[j], lo, hi)
        nsteps[dv] = n_t - 1
''')
