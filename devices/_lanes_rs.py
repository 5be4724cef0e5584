"""Lane-vectorised fixed-step block with a series resistor (``run_lanes_rs``).

The lane form (:mod:`memlab.devices._lanes`) of the scalar ``fixed_block_rs`` of
:mod:`memlab.devices._integrator`: the same ROS2 step over ``LANES`` devices at once,
where every stage first solves the series split v + rs i(v, x) = vs for the device voltage
v of each lane (``lane_solve``, the lane form of the scalar ``solve_v``):

* current affine in v (``_AFFINE_V``): the closed form v = (vs - rs i(0)) / (1 + rs di/dv),
  one evaluation of (i, di/dv) at v = 0 on every lane; a lane whose denominator is not
  positive goes on to the Newton iteration, as in the scalar solve;
* otherwise safeguarded Newton on the bracket [min(0, vs), max(0, vs)] of each lane, from
  the same starting guesses as the scalar block (the last voltage moved by the
  linearisation of the last stage 1: source change, state change), iterated until every
  lane has converged, at most the scalar's 200 iterations. A lane that has converged keeps
  its value while the others iterate, so each lane's voltage is the scalar iteration's
  result for its device (to the roundings of the lane functions).

Stage 1 then evaluates the six outputs (i, di/dv, di/dx, rate, dr/dv, dr/dx) at the
lanes' voltages for the Jacobian with dv/dx = -rs di/dx / (1 + rs di/dv), stage 2 (i, rate).
A lane with rs = 0 takes the source voltage, as the scalar block does. The lane kernels
taking a voltage per lane (``_lkernel_iv``, ``_lkernel_jv``, ``_lkernel_dv``, ``_lkernel_irv``) are printed
by :func:`memlab.devices._lanes.lane_block`; numba compiles this block on its first call
(the first fixed-step simulation with a series resistor), not when the module loads.
"""
from __future__ import annotations

__all__ = ["LANE_BLOCK_RS"]

#: the series-resistor lane stepper (appended to the lane block when the model's six
#: kernel outputs have a lane form); ``${lane_kernels_rs}``: the lane kernels with a lane
#: voltage and their integer-power test ``_lint_rs``
LANE_BLOCK_RS = '''\
${lane_kernels_rs}

TAIL = 8   # lanes left in a solve below which it goes on lane by lane

@njit(inline="always", cache=True, error_model="numpy")
def lane_solve(vs, X, A, B, PB, intp, RS, VG, V, LOV, HIV, DN, I, D, P, d0, m):
    # the device voltage V of every lane from vs = v + rs i(v, x) (solve_v over the lanes;
    # VG: the starting guesses; DN: 1.0 on a lane whose solve has ended); once at most TAIL
    # lanes are left, their iterations go on one lane at a time (newton_v, the scalar
    # kernel) instead of over all LANES
    todo = 0
    if _AFFINE_V:
        for l in range(LANES):
            V[l] = 0.0
        _lkernel_iv(V, X, A, B, PB, intp, I, D)
        for l in range(LANES):
            rs = RS[l]
            den = 1.0 + rs * D[l]
            done = (den > 0.0) | (rs == 0.0)
            V[l] = _vsel(rs == 0.0, vs, (vs - rs * I[l]) / den)
            DN[l] = _vsel(done, 1.0, 0.0)
            todo += _vsel(done, 0, 1)
    else:
        for l in range(LANES):
            done = RS[l] == 0.0
            V[l] = vs
            DN[l] = _vsel(done, 1.0, 0.0)
            todo += _vsel(done, 0, 1)
    if todo == 0:
        return
    lo = min(0.0, vs)
    hi = max(0.0, vs)
    for l in range(LANES):
        vg = VG[l]
        LOV[l] = lo
        HIV[l] = hi
        start = _vsel((vg >= lo) & (vg <= hi), vg, _vsel(vg > hi, hi, lo))   # NaN: lo
        V[l] = _vsel(DN[l] != 0.0, V[l], start)
    for it in range(200):
        if todo <= TAIL:
            for l in range(LANES):
                if DN[l] == 0.0:
                    V[l] = newton_v(vs, X[l], A[l], B[l], P, d0 + min(l, m - 1), RS[l], V[l], LOV[l], HIV[l], 200 - it)
            return
        _lkernel_iv(V, X, A, B, PB, intp, I, D)
        todo = 0
        for l in range(LANES):
            v, rs, lo, hi = V[l], RS[l], LOV[l], HIV[l]
            active = DN[l] == 0.0
            F = v + rs * I[l] - vs
            up = F > 0.0
            lo = _vsel(up, lo, v)
            hi = _vsel(up, v, hi)
            den = 1.0 + rs * D[l]
            mid = 0.5 * (lo + hi)
            vn = _vsel(den > 0.0, v - F / den, mid)
            vn = _vsel((vn > lo) & (vn < hi), vn, mid)
            zero = F == 0.0
            done = (abs(vn - v) <= 1e-15 + 1e-13 * abs(v)) | (hi - lo <= 1e-15 + 1e-14 * abs(v)) | zero
            V[l] = _vsel(active & (not zero), vn, v)
            LOV[l] = _vsel(active, lo, LOV[l])
            HIV[l] = _vsel(active, hi, HIV[l])
            DN[l] = _vsel(active & (not done), 0.0, 1.0)
            todo += _vsel(active & (not done), 1, 0)


@njit(inline="always", cache=True, error_model="numpy")
def lane_stage1_rs(vs, X, A, B, SC, PB, intp, RS, VG, V, LOV, HIV, DN, I, D, DI, R, DRV, DRX, JJ, PV, DX, P, d0, m):
    # stage 1 (and the output sample) at the unpacked state: v, i, du/dt, the Jacobian
    # d(du/dt)/du with dv/dx, and the predictors dv/dvs (PV) and dv/dx (DX)
    lane_solve(vs, X, A, B, PB, intp, RS, VG, V, LOV, HIV, DN, I, D, P, d0, m)
    _lkernel_jv(V, X, A, B, PB, intp, I, R, DRX)
    _lkernel_dv(V, X, A, B, PB, intp, D, DI, DRV)
    for l in range(LANES):
        rs = RS[l]
        pv = 1.0 / (1.0 + rs * D[l])
        on = rs != 0.0
        PV[l] = _vsel(on, pv, 1.0)
        dvdx = _vsel(on, -rs * DI[l] * pv, 0.0)
        DX[l] = dvdx
        JJ[l] = DRX[l] + DRV[l] * dvdx
    lane_scale(R, SC, JJ)


@njit(parallel=True, cache=True, error_model="numpy")
def run_lanes_rs(P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps, vgrid,
                 has_noise, z):
    # run_fixed_rs in LANES-wide blocks (no noise): block b holds the devices from b LANES
    nb = (P.shape[0] + LANES - 1) // LANES
    for b in prange(nb):
        d1 = min(P.shape[0], (b + 1) * LANES)
        lanes_block_rs(b * LANES, d1, P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final,
                       nsteps, vgrid)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lanes_block_rs(d0, d1, P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps,
                   vgrid):
    # the devices d0 .. d1 - 1 (lanes past d1 - 1 repeat device d1 - 1, results unused):
    # per device the operations of fixed_block_rs
    n_t = t_out.shape[0]
    m = d1 - d0
    PB = np.empty((P.shape[1], LANES))
    W = np.empty((31, LANES))   # the lane arrays, one row each
    LO, HI, U, SD, X, A, B, SC, I, R = W[0], W[1], W[2], W[3], W[4], W[5], W[6], W[7], W[8], W[9]
    JJ, K1, INV, U1, X1, A1, B1, SC1, R2, I2 = W[10], W[11], W[12], W[13], W[14], W[15], W[16], W[17], W[18], W[19]
    RS, VG, V, V2, LOV, HIV, DN, D, DI, DRV = W[20], W[21], W[22], W[23], W[24], W[25], W[26], W[27], W[28], W[29]
    DRX, PV, DX = W[30], np.ones(LANES), np.zeros(LANES)
    lane_setup(d0, m, P, x0, lo_b, hi_b, PB, LO, HI, U, SD)
    for l in range(LANES):
        RS[l] = rs_a[d0 + min(l, m - 1)]
        VG[l] = 0.0
    intp = _lint_rs(PB)
    lane_unpack(U, SD, LO, HI, X, A, B, SC)
    lane_stage1_rs(vgrid[0], X, A, B, SC, PB, intp, RS, VG, V, LOV, HIV, DN, I, D, DI, R, DRV, DRX, JJ, PV, DX, P,
                   d0, m)
    stores = store[0] or store[1] or store[2]
    for k in range(1, n_t):
        h, vk, dvs = t_out[k] - t_out[k - 1], vgrid[k], vgrid[k] - vgrid[k - 1]
        for l in range(m if stores else 0):   # the output sample k - 1 (stage 1 of step k)
            keep(out_v, out_i, out_x, store, d0 + l, k - 1, V[l], I[l], X[l])
        lane_k1(h, U, R, JJ, LO, HI, K1, INV, U1)
        lane_unpack(U1, SD, LO, HI, X1, A1, B1, SC1)
        for l in range(LANES):
            VG[l] = V[l] + PV[l] * dvs + DX[l] * (X1[l] - X[l])
        lane_solve(vk, X1, A1, B1, PB, intp, RS, VG, V2, LOV, HIV, DN, I2, D, P, d0, m)
        _lkernel_irv(V2, X1, A1, B1, PB, intp, I2, R2)
        lane_step(h, U, SD, LO, HI, K1, INV, R2, SC1)
        lane_unpack(U, SD, LO, HI, X, A, B, SC)
        for l in range(LANES):
            VG[l] = V2[l] + DX[l] * (X[l] - X1[l])
        lane_stage1_rs(vk, X, A, B, SC, PB, intp, RS, VG, V, LOV, HIV, DN, I, D, DI, R, DRV, DRX, JJ, PV, DX, P, d0, m)
    for l in range(m):
        dv = d0 + l
        keep(out_v, out_i, out_x, store, dv, n_t - 1, V[l], I[l], X[l])
        finish(x_final, gap_final, dv, U[l], int(SD[l]), LO[l], HI[l])
        nsteps[dv] = n_t - 1
'''
