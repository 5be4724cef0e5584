"""Lane-vectorised fixed-step integrator (no series resistor): kernels and stepper.

The scalar fixed-step block (``fixed_block0`` in :mod:`memlab.devices._integrator`) steps
its devices one after the other; LLVM does not vectorise it (the kernels are calls, their
exponentials libm calls). Here the same ROS2 step runs over ``LANES`` devices at once as
loops over lanes that LLVM's loop vectoriser turns into SIMD code: the kernels are printed
a second time from the same sympy expressions in a *lane form* (:func:`lane_source`):

* one loop over the lanes, reading the state, gaps and parameters from lane arrays (the
  parameters transposed to ``PB[column, lane]``) and writing one array per output;
* every Piecewise computed on all its branches and chosen by a select (``_vsel``): no
  branch, no lazy evaluation (a branch's value that overflows or is NaN is discarded);
* exp, log, expm1, log1p, sinh, cosh, tanh and powers with a symbolic or fractional
  exponent by the vectorisable arithmetic of :mod:`memlab.devices._vecmath`, constant
  integer powers by binary powering, sqrt, abs, min, max and floor as LLVM intrinsics.

A model whose kernels use anything else (e.g. ``atan``) has no lane form
(``lane_source`` returns None) and keeps the scalar block; so do models with noise (their
random jump is a scalar call). With a series resistor the lane block of
:mod:`memlab.devices._lanes_rs` runs (``run_lanes_rs``: the split v + rs i(v, x) = vs
solved over the lanes), when all six kernel outputs (i, di/dv, di/dx, rate, dr/dv, dr/dx)
have a lane form; its kernels take the device voltage as a lane array. The lane steppers
perform per device exactly the operations of the scalar ones (same clipping, Jacobian cap,
reflection of the gap state, series-solve predictors); their results differ only by the
roundings of the vectorised functions (<= 2.5 ulp against <= 1 ulp for libm).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from string import Template
from types import SimpleNamespace

import sympy as sp

from memlab.devices._lanes_rs import LANE_BLOCK_RS
from memlab.devices._vecmath import LANE_FUNCTIONS

__all__ = ["lane_source", "lane_block", "LANE_BLOCK", "LANES", "VECMATH_TAG"]

#: devices per lane block (a multiple of the 8 doubles of an AVX-512 vector; the lane
#: arrays of a block, parameters included, stay in the L1 cache)
LANES = 32
#: the source hash of the vectorisable functions: part of every generated module's source
#: (and so of its cache key), since numba's cache does not see changes of imported code
VECMATH_TAG = hashlib.sha256((Path(__file__).parent / "_vecmath.py").read_bytes()).hexdigest()[:16]
#: math-module names the lane form may print (they compile to vectorisable LLVM intrinsics)
_LANE_MATH = {"math.sqrt", "math.floor", "math.ceil", "math.pi", "math.e", "math.inf"}
_LANE_JIT = '@njit(cache=True, error_model="numpy", fastmath=FASTMATH)'


def _join(printer, expr, op):
    # a logical And / Or as the bitwise operation of its operands (no short-circuit branch)
    return "(" + op.join(f"({printer._print(a)})" for a in expr.args) + ")"


def _lane_printer_class():
    from memlab.devices._codegen import _kernel_printer_class

    class LanePrinter(_kernel_printer_class()):
        """The kernel printer with selects for Piecewise, bitwise logic and the lane
        versions of the elementary functions; ``intpow``: symbolic exponents are integers
        in [1, 64] (binary powering)."""

        intpow = False

        def _print_Piecewise(self, expr):
            out = None
            for e, c in reversed(expr.args):
                val = f"float({self._print(e)})"
                out = val if out is None else f"_vsel({self._print(c)}, {val}, {out})"
            return out

        def _print_Heaviside(self, expr):
            # as the scalar printer's conditional (0 below, H(0) at 0, 1 above and for NaN)
            x = self._print(expr.args[0])
            h0 = float(expr.args[1]) if len(expr.args) > 1 else 0.5
            return f"_vsel(({x}) < 0.0, 0.0, _vsel(({x}) == 0.0, {h0!r}, 1.0))"

        def _print_And(self, expr):
            return _join(self, expr, " & ")

        def _print_Or(self, expr):
            return _join(self, expr, " | ")

        def _print_Not(self, expr):
            return f"(not ({self._print(expr.args[0])}))"

        def _print_Pow(self, expr, rational=False):
            b, e = expr.base, expr.exp
            if e.is_Number and float(e).is_integer() and 1 <= abs(int(e)) <= 64:   # Float(10.0) != 10 in sympy
                s = f"_vipow({self._print(b)}, {float(abs(int(e)))})"
                return s if e > 0 else f"(1.0 / {s})"
            if e == sp.S.Half:
                return f"math.sqrt({self._print(b)})"
            if e == -sp.S.Half:
                return f"(1.0 / math.sqrt({self._print(b)}))"
            return f"_{'vipow' if self.intpow else 'vpow'}({self._print(b)}, {self._print(e)})"

        def _print_OneMinusPow(self, expr):
            z, n = (self._print(a) for a in expr.args)
            return f"_vomp({z}, {n})"

    for name, lane in LANE_FUNCTIONS.items():
        setattr(LanePrinter, f"_print_{name}", (lambda lane: lambda self, e: f"{lane}({self._print(e.args[0])})")(lane))
    return LanePrinter


def _outer_groups(exprs: list) -> dict:
    """The outermost Piecewise nodes of ``exprs``, grouped by their tuple of conditions."""
    groups: dict = {}
    seen: set = set()

    def walk(e):
        if e in seen:
            return
        seen.add(e)
        if isinstance(e, sp.Piecewise):
            groups.setdefault(tuple(c for _, c in e.args), []).append(e)
            return
        for a in e.args:
            walk(a)
    for e in exprs:
        walk(e)
    return groups


def _int_columns(exprs: list, cols: dict) -> list:
    """The parameter columns of the symbolic exponents of ``exprs`` ([] unless each is one)."""
    expo = {p.exp for e in exprs for p in e.atoms(sp.Pow) if not p.exp.is_Number}
    return sorted(cols[e] for e in expo) if expo and expo <= cols.keys() else []


def _int_test(cols: list, name: str = "_lint") -> str:
    """Source of ``name(_PB)``: whether the columns ``cols`` hold integers in [1, 64] on
    every lane (the kernels' integer-power variant, see :func:`_lane_function`)."""
    if not cols:
        return "\n".join([_LANE_JIT, f"def {name}(_PB):", "    return False"]) + "\n"
    lines = [_LANE_JIT, f"def {name}(_PB):", "    ok = True", "    for _l in range(LANES):"]
    lines += [f"        ok = ok and _PB[{j}, _l] >= 1.0 and _PB[{j}, _l] <= 64.0 and _PB[{j}, _l] == math.floor(_PB[{j}, _l])"
              for j in cols]
    return "\n".join(lines + ["    return ok"]) + "\n"


def _lane_function(fname: str, k: SimpleNamespace, exprs: list, extra: list, derived: list, printer,
                   vlane: bool = False) -> str:
    """Source of the lane kernel ``fname(v, _X, _A, _B, _PB, _int, _O0, _O1, ...)``: for every
    lane ``_l`` the outputs ``exprs`` at (v, _X[_l]) with the gaps _A[_l], _B[_l] and the
    parameters (and hoisted parameter-only parts ``derived``) ``_PB[column, _l]``; with
    ``vlane`` the voltage is a lane array too, ``fname(_V, _X, ...)`` at (_V[_l], _X[_l])
    (the device voltages of a series-resistor split, which differ per lane).

    Two specialisations, chosen per call by tests over the lanes (``_int``: the test of
    :func:`_int_test`, once per block), keep SIMD from paying
    for work a scalar branch would skip: when every lane takes the same branch of the
    costliest group of Piecewise nodes (the test is per lane, whether the voltage is
    common to the lanes or not), a loop with that branch alone; and when every symbolic exponent is an
    integer in [1, 64] on every lane, powers by binary powering (``_vipow``: the products
    of the scalar kernels' ``_ipow``) instead of exp-log. Otherwise all branches are
    computed and selected."""
    from memlab.devices._codegen import _cse

    exprs = [sp.sympify(e) for e in exprs]
    cols = {s_: j for j, s_ in enumerate(list(k.symbols.values()) + list(derived))}
    outs = [f"_O{j}" for j in range(len(exprs))]
    head = [f"{k.v.name} = _V[_l]"] * vlane + [f"{k.x.name} = _X[_l]", f"{extra[0]} = _A[_l]", f"{extra[1]} = _B[_l]"]

    def loop(es, pad, intpow=False):
        # one loop over the lanes computing es (indented by pad)
        used = set().union(*(e.free_symbols for e in es))
        body = head + [f"{s_} = _PB[{j}, _l]" for s_, j in cols.items() if s_ in used]
        subs, reduced = _cse(es)
        printer.intpow = intpow
        body += [f"{s_} = {printer.doprint(e)}" for s_, e in subs]
        body += [f"{o}[_l] = float({printer.doprint(e)})" for o, e in zip(outs, reduced)]
        return [pad + "for _l in range(LANES):"] + [pad + "    " + ln for ln in body]

    groups = _outer_groups(exprs)
    conds, members = max(groups.items(), key=lambda g: sum(sp.count_ops(a) for p in g[1] for a, _ in p.args),
                         default=((), []))
    # the exponents of the symbolic powers: the integer variant when each is a parameter column
    int_cols = _int_columns(exprs, cols)
    lines = [_LANE_JIT, f"def {fname}({'_V' if vlane else k.v.name}, _X, _A, _B, _PB, _int, {', '.join(outs)}):"]
    variants = [(None, exprs)]
    if members:
        nb = len(conds)
        subs, red = _cse(list(conds[:-1]))
        used = set().union(*(c.free_symbols for c in conds[:-1]))
        lines += [f"    _bl = {nb - 1}", "    _bh = 0", "    for _l in range(LANES):"]
        lines += ["        " + ln for ln in head + [f"{s_} = _PB[{j}, _l]" for s_, j in cols.items() if s_ in used]]
        lines += [f"        {s_} = {printer.doprint(e)}" for s_, e in subs]
        lines.append(f"        _b = {nb - 1}")
        lines += [f"        _b = {b} if {printer.doprint(c)} else _b" for b, c in reversed(list(enumerate(red)))]
        lines += ["        _bl = min(_bl, _b)", "        _bh = max(_bh, _b)"]
        variants = [(b, [e.xreplace({p: p.args[b][0] for p in members}) for e in exprs]) for b in range(nb)] \
            + variants
    for i, (b, es) in enumerate(variants):
        kw = "if" if i == 0 else "elif"
        test = "True" if b is None else f"_bl == {b} and _bh == {b}"
        has_pow = any(not p.exp.is_Number for e in es for p in e.atoms(sp.Pow))
        for intpow in ([True, False] if int_cols and has_pow else [False]):
            cond = f"{test} and _int" if intpow else test
            lines.append(f"    {kw} {cond}:" if cond != "True" or i > 0 else "    if True:")
            lines += loop(es, "        ", intpow)
            kw = "elif"
    return "\n".join(lines) + "\n"


#: sympy functions the lane printer handles besides LANE_FUNCTIONS (selects, intrinsics)
_LANE_SYMPY = {"Abs", "Min", "Max", "floor", "ceiling", "Piecewise", "OneMinusPow", "Heaviside"}


def _lane_printable(exprs: list) -> bool:
    """Whether every function in ``exprs`` has a lane version (one visit per subtree)."""
    seen: set = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if e in seen or e.is_Atom:
            continue
        seen.add(e)
        if isinstance(e, sp.Function) and type(e).__name__ not in LANE_FUNCTIONS.keys() | _LANE_SYMPY:
            return False
        stack += e.args
    return True


def lane_source(k: SimpleNamespace, full: list, extra: list, derived: list, rs: bool = False) -> str | None:
    """Source of the lane kernels ``_lkernel_j`` (i, rate, d(rate)/dx) and ``_lkernel_ir``
    (i, rate) from the integrator's expressions ``full`` (i, di/dv, di/dx, rate, dr/dv,
    dr/dx, gap form, parameter-only parts hoisted to the symbols ``derived``), with their
    integer-power test ``_lint``; with ``rs`` the kernels of the series-resistor block,
    which take a voltage per lane: ``_lkernel_iv`` (i, di/dv: the solve), ``_lkernel_jv``
    (i, rate, d(rate)/dx) and ``_lkernel_dv`` (di/dv, di/dx, d(rate)/dv: stage 1),
    ``_lkernel_irv`` (i, rate: stage 2) and ``_lint_rs``. None when an
    expression uses a function without a vectorisable version."""
    i_, didv, didx, r_, drdv, drdx = full
    exprs = [sp.sympify(e) for e in (full if rs else (i_, r_, drdx))]
    if not _lane_printable(exprs):
        return None   # decided before the costly printing
    printer = _lane_printer_class()({"fully_qualified_modules": True, "standard": "python3"})
    cols = {s_: j for j, s_ in enumerate(list(k.symbols.values()) + list(derived))}
    # stage 1 of the series-resistor block needs all six outputs, in two kernels: one loop
    # computing the six was not vectorised by LLVM (PCM: 51 ns a lane against 9.7 + 9.5 ns
    # for the two halves, measured)
    kernels = ([("_lkernel_iv", [i_, didv]), ("_lkernel_jv", [i_, r_, drdx]), ("_lkernel_dv", [didv, didx, drdv]),
                ("_lkernel_irv", [i_, r_])] if rs else [("_lkernel_j", [i_, r_, drdx]), ("_lkernel_ir", [i_, r_])])
    # one test for the kernels of a block: its columns cover every kernel's exponents (or
    # it is False, and no kernel takes its integer-power variant)
    src = "\n\n".join([_int_test(_int_columns(exprs, cols), "_lint_rs" if rs else "_lint")]
                       + [_lane_function(f, k, es, extra, derived, printer, vlane=rs) for f, es in kernels])
    names = set(re.findall(r"math\.[A-Za-z_0-9]+", src)) - _LANE_MATH
    if names or "_ipow(" in src or "_omp(" in src:
        return None
    return src


def lane_block(k: SimpleNamespace, full: list, extra: list, derived: list) -> tuple[str, bool]:
    """(the lane block filled for the kernel namespace ``k``, whether it holds the
    series-resistor stepper ``run_lanes_rs``): ``("", False)`` when the model has no lane
    form; the series-resistor part needs all six outputs of ``full`` in lane form."""
    lanes = lane_source(k, full, extra, derived)
    if lanes is None:
        return "", False
    lanes_rs = lane_source(k, full, extra, derived, rs=True)
    rs_block = "" if lanes_rs is None else Template(LANE_BLOCK_RS).substitute(lane_kernels_rs=lanes_rs)
    return Template(LANE_BLOCK).substitute(vecmath_tag=VECMATH_TAG, lanes=LANES, lane_kernels=lanes,
                                           lane_block_rs=rs_block), lanes_rs is not None


#: the lane stepper (filled into the integrator template when the model has a lane form)
LANE_BLOCK = '''\
from memlab.devices._vecmath import (vexp as _vexp, vlog as _vlog, vexpm1 as _vexpm1, vlog1p as _vlog1p,
                                     vsinh as _vsinh, vcosh as _vcosh, vtanh as _vtanh, vpow as _vpow,
                                     vasin as _vasin, vipow as _vipow, vomp as _vomp,
                                     vsel as _vsel)
# vectorisable functions: memlab.devices._vecmath ${vecmath_tag}
LANES = ${lanes}

${lane_kernels}

@njit(inline="always", cache=True, error_model="numpy")
def lane_unpack(U, SD, LO, HI, X, A, B, SC):
    # unpack over the lanes; SD: the side of the gap state as 0.0 / 1.0
    for l in range(LANES):
        u, lo, hi = U[l], LO[l], HI[l]
        if _GAP:
            w = hi - lo
            s0 = SD[l] == 0.0
            X[l] = _vsel(s0, lo + w * u, hi - w * u)
            A[l] = _vsel(s0, u, 1.0 - u)
            B[l] = _vsel(s0, 1.0 - u, u)
            SC[l] = _vsel(s0, 1.0 / w, -1.0 / w)
        else:
            X[l] = u
            A[l] = 0.0
            B[l] = 0.0
            SC[l] = 1.0


@njit(inline="always", cache=True, error_model="numpy")
def lane_stage1(v, U, SD, LO, HI, PB, intp, X, A, B, SC, I, R, JJ):
    # stage 1 (and the output sample) at the source voltage v: i, du/dt, d(du/dt)/du
    lane_unpack(U, SD, LO, HI, X, A, B, SC)
    if _RATE_X_FREE:
        _lkernel_ir(v, X, A, B, PB, intp, I, R)
        for l in range(LANES):
            R[l] = R[l] * SC[l]
            JJ[l] = 0.0
    else:
        _lkernel_j(v, X, A, B, PB, intp, I, R, JJ)
        lane_scale(R, SC, JJ)


@njit(inline="always", cache=True, error_model="numpy")
def lane_scale(R, SC, JJ):
    # the rates in u units (du/dt) and the Jacobian with a non-finite entry replaced by 0
    for l in range(LANES):
        R[l] = R[l] * SC[l]
        J = JJ[l]
        JJ[l] = _vsel((J == J) & (abs(J) != math.inf), J, 0.0)


@njit(parallel=True, cache=True, error_model="numpy")
def run_lanes0(P, x0, lo_b, hi_b, rs_a, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps, vgrid,
               has_noise, z):
    # run_fixed0 in LANES-wide blocks (no series resistor, no noise)
    n_dev = P.shape[0]
    for b in prange((n_dev + LANES - 1) // LANES):
        lanes_block0(b * LANES, min(n_dev, (b + 1) * LANES), P, x0, lo_b, hi_b, t_out, out_v, out_i, out_x,
                     store, x_final, gap_final, nsteps, vgrid)


@njit(inline="always", cache=True, error_model="numpy")
def lane_setup(d0, m, P, x0, lo_b, hi_b, PB, LO, HI, U, SD):
    # the parameters (PB[column, lane]), bounds and packed initial states of the lanes
    for l in range(LANES):
        dv = d0 + min(l, m - 1)
        for c in range(P.shape[1]):
            PB[c, l] = P[dv, c]
        LO[l], HI[l] = lo_b[dv], hi_b[dv]
        u, side = pack(x0[dv], LO[l], HI[l])
        U[l], SD[l] = u, float(side)


@njit(inline="always", cache=True, error_model="numpy")
def lane_k1(h, U, R, JJ, LO, HI, K1, INV, U1):
    # the first ROS2 stage k1 = r / (1 - gamma h J) and the stage-2 state U1
    gh = GAMMA * h
    for l in range(LANES):
        u, r, J = U[l], R[l], JJ[l]
        ulo, uhi = u_range(LO[l], HI[l])
        J = _vsel(((u <= ulo) & (r <= 0.0)) | ((u >= uhi) & (r >= 0.0)), 0.0, J)
        J = _vsel((J > 0.0) & (gh * J > 0.5), 0.5 / gh, J)   # cap the linearisation
        inv = 1.0 / (1.0 - gh * J)
        k1 = r * inv
        K1[l], INV[l] = k1, inv
        U1[l] = min(max(u + h * k1, ulo), uhi)


@njit(inline="always", cache=True, error_model="numpy")
def lane_step(h, U, SD, LO, HI, K1, INV, R2, SC1):
    # the ROS2 update from k1 and the stage-2 rate R2 (du/dt: R2 SC1), clipped and reflected
    for l in range(LANES):
        k1 = K1[l]
        k2 = (R2[l] * SC1[l] - 2.0 * k1) * INV[l]
        ulo, uhi = u_range(LO[l], HI[l])
        un = min(max(U[l] + h * (1.5 * k1 + 0.5 * k2), ulo), uhi)
        if _GAP:
            flip = un > 0.5
            U[l] = _vsel(flip, 1.0 - un, un)
            SD[l] = _vsel(flip, 1.0 - SD[l], SD[l])
        else:
            U[l] = un


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lanes_block0(d0, d1, P, x0, lo_b, hi_b, t_out, out_v, out_i, out_x, store, x_final, gap_final, nsteps,
                 vgrid):
    # the devices d0 .. d1 - 1 (lanes past d1 - 1 repeat device d1 - 1, results unused)
    n_t = t_out.shape[0]
    m = d1 - d0
    PB = np.empty((P.shape[1], LANES))
    E = LANES
    LO, HI, U, SD, X, A, B, SC = np.empty(E), np.empty(E), np.empty(E), np.empty(E), np.empty(E), np.empty(E), \
        np.empty(E), np.empty(E)
    I, R, JJ, K1, INV, U1, X1, A1 = np.empty(E), np.empty(E), np.empty(E), np.empty(E), np.empty(E), np.empty(E), \
        np.empty(E), np.empty(E)
    B1, SC1, R2, I2 = np.empty(E), np.empty(E), np.empty(E), np.empty(E)
    lane_setup(d0, m, P, x0, lo_b, hi_b, PB, LO, HI, U, SD)
    intp = _lint(PB)
    lane_stage1(vgrid[0], U, SD, LO, HI, PB, intp, X, A, B, SC, I, R, JJ)
    stores = store[0] or store[1] or store[2]
    for k in range(1, n_t):
        h = t_out[k] - t_out[k - 1]
        vk = vgrid[k]
        if stores:
            for l in range(m):
                keep(out_v, out_i, out_x, store, d0 + l, k - 1, vgrid[k - 1], I[l], X[l])
        lane_k1(h, U, R, JJ, LO, HI, K1, INV, U1)
        lane_unpack(U1, SD, LO, HI, X1, A1, B1, SC1)
        _lkernel_ir(vk, X1, A1, B1, PB, intp, I2, R2)
        lane_step(h, U, SD, LO, HI, K1, INV, R2, SC1)
        lane_stage1(vk, U, SD, LO, HI, PB, intp, X, A, B, SC, I, R, JJ)
    for l in range(m):
        dv = d0 + l
        keep(out_v, out_i, out_x, store, dv, n_t - 1, vgrid[n_t - 1], I[l], X[l])
        finish(x_final, gap_final, dv, U[l], int(SD[l]), LO[l], HI[l])
        nsteps[dv] = n_t - 1
${lane_block_rs}
'''
