"""Generated code for the compiled kernels: source generation and the module cache.

A model's kernel namespace (:meth:`DeviceModel._k`) is turned into Python source by
:func:`module_source`: njit-decorated scalar device functions printed from the sympy
expressions, filled into the integrator template :data:`memlab.devices._integrator.TEMPLATE`.
:func:`load_module` writes that source to a cache folder and imports it, so numba can
cache the machine code on disk (``cache=True``) between Python processes.

The folder is ``$MEMLAB_CACHE_DIR`` or ``~/.cache/memlab/kernels`` (a temporary folder
when neither is writable). Files are named by the SHA-256 of their source, which is a
function of the model's expressions (and its name and options) and of this generator only,
and written atomically, so concurrent processes never see a half-written module and a
changed model never meets stale machine code. The printed source itself is kept there too
(``memlab_src_<key>.py``, :func:`source_key`: the generator's files and version, sympy's and
Python's versions and the model's defining expressions), so a later process skips the
printing (JART: 16 s -> 0.1 s).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import sympy as sp

from memlab._io import atomic_write_text
from memlab.errors import ConfigError, UnsupportedExpressionError
from memlab.devices._integrator import DEVICE_FUNCTIONS, ENTRY_POINTS, STAGE_CALL, STEPPER, TEMPLATE
from memlab.devices._lanes import lane_block
from memlab.devices._windows import GAP_HI, GAP_LO

__all__ = ["cache_dir", "load_module", "device_source", "module_source", "source_key", "hoist_parameters",
           "GENERATOR_VERSION", "INLINE_OPS"]

#: version of the generated code; part of every kernel-cache key (bump on changes of the
#: printer or of the function layout)
GENERATOR_VERSION = "13"

_LOADED: dict[str, object] = {}
_JIT = '@njit(cache=True, error_model="numpy")'
_JIT_INLINE = '@njit(inline="always", cache=True, error_model="numpy")'
#: integrator kernels with at most this many operations (sympy count_ops of the six
#: expressions) are inlined into the integrator
INLINE_OPS = 450


def cache_dir() -> Path:
    """The folder holding generated kernel modules (created on first use)."""
    for cand in (os.environ.get("MEMLAB_CACHE_DIR"), Path.home() / ".cache" / "memlab" / "kernels",
                 Path(tempfile.gettempdir()) / f"memlab-kernels-{os.getuid() if hasattr(os, 'getuid') else 0}"):
        if not cand:
            continue
        p = Path(cand)
        try:
            p.mkdir(parents=True, exist_ok=True)
            # a probe file of this call's own (a shared name let concurrent calls delete each
            # other's probe and fall through to the next folder: 73-685 of 4,500 calls did)
            with tempfile.TemporaryFile(dir=p):
                pass
            return p
        except OSError:
            continue
    raise ConfigError("no writable folder for generated kernels (tried $MEMLAB_CACHE_DIR, ~/.cache/memlab/kernels "
                      "and the temporary folder); set MEMLAB_CACHE_DIR to a writable folder")


def load_module(source: str, tag: str = "kernel"):
    """Import ``source`` as a module stored under :func:`cache_dir` (cached per process)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    name = f"memlab_gen_{tag}_{digest}"
    mod = _LOADED.get(name)
    if mod is not None:
        return mod
    path = cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        atomic_write_text(path, source)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    _LOADED[name] = mod
    return mod


#: the files whose code decides the printed source: with sympy's version, the generator
#: version, Python's and the model's expressions, the key of the source cache (:func:`module_source`)
_GENERATOR_FILES = ("_codegen.py", "_lanes.py", "_lanes_rs.py", "_integrator.py", "_vecmath.py")
_GENERATOR_TAG = hashlib.sha256(b"".join([GENERATOR_VERSION.encode(), sp.__version__.encode(), sys.version.encode()]
                                         + [(Path(__file__).parent / f).read_bytes() for f in _GENERATOR_FILES]
                                         )).hexdigest()


def source_key(label: str, k: SimpleNamespace) -> str:
    """The source cache's key of the kernel namespace ``k``: a SHA-256 of everything the
    printed module depends on -- the generator (:data:`_GENERATOR_TAG`: its files, its
    version, sympy's version), the label, and the defining expressions as sympy trees
    (``srepr``: symbols with their assumptions, the parameters in order, current, rate,
    noise, bounds and the gap form); the derivatives and everything else the printer uses
    are functions of these."""
    parts = [_GENERATOR_TAG, label, sp.srepr(k.v), sp.srepr(k.x), repr(list(k.symbols)),
             sp.srepr(list(k.symbols.values())), sp.srepr(k.current), sp.srepr(k.rate),
             sp.srepr(k.noise) if k.noise is not None else "None", sp.srepr(k.bounds)]
    if k.gap is not None:
        parts += [sp.srepr(k.gap.current), sp.srepr(k.gap.rate), sp.srepr(k.gap.di_dx)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def module_source(label: str, k: SimpleNamespace) -> str:
    """Source of the complete kernel module of the kernel namespace ``k``: device functions
    and the integrator (the template's placeholders filled, see :mod:`~memlab.devices._integrator`).

    Printing takes sympy's CSE over the six integrator expressions (JART: ~16 s), so the
    source is kept in the cache folder under :func:`source_key` (``memlab_src_<key>.py``,
    written atomically) and read back by later calls and processes; a changed model,
    option, generator or sympy gives another key."""
    path = cache_dir() / f"memlab_src_{source_key(label, k)}.py"
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    source = _print_module(label, k)
    atomic_write_text(path, source)
    return source


def _print_module(label: str, k: SimpleNamespace) -> str:
    """The module source of ``k``, printed (see :func:`module_source`)."""
    devices, lanes, lanes_rs = _device_parts(k)
    return TEMPLATE.substitute(label=f"# generated by memlab for {label}", device_functions=devices,
                               lanes=str(bool(lanes)), lane_block=lanes, lanes_rs=str(lanes_rs),
                               rate_x_free=str(bool(sp.sympify(k.dr_dx) == 0)), gap=str(k.gap is not None),
                               affine_v=str(bool(sp.diff((k.gap or k).di_dv, k.v) == 0)),
                               stage_calls="\n".join(STAGE_CALL.substitute(f=f, s=s) for s in ("_rs", "0")
                                                      for f in ("stage", "stage_r")),
                               stepper_0=STEPPER.substitute(s="0"), stepper_rs=STEPPER.substitute(s="_rs"))


def load_kernels(label: str, k: SimpleNamespace, tag: str):
    """Import (writing when new) the kernel module of ``k``; checks it defines the entry points."""
    mod = load_module(module_source(label, k), tag=tag)
    missing = [n for n in DEVICE_FUNCTIONS + ENTRY_POINTS if not hasattr(mod, n)]
    if missing:  # pragma: no cover - a generator bug, not a user error
        raise RuntimeError(f"memlab: generated kernel module for {label} lacks {missing}")
    return mod


def device_source(k: SimpleNamespace) -> str:
    """Python source of the device functions (see :func:`_device_parts`)."""
    return _device_parts(k)[0]


def _device_parts(k: SimpleNamespace) -> tuple[str, str, bool]:
    """(device functions, lane stepper or ``""``, whether it has the series-resistor part): Python source of the njit-compiled scalar device functions (math module).

    ``_kernel`` returns (i, di/dv, di/dx, rate, drate/dv, drate/dx); ``_kernel_r`` returns
    only (i, di/dv, rate), for the integrator's second stage; ``_noise`` the amplitude of the
    stochastic state jump (0 for deterministic models). ``_gkernel(v, x, a, b, p)`` and
    ``_gkernel_r`` are the integrator's versions ``(v, x, a, b, P, d)``, and ``_gkernel_i``
    returns only (i, di/dv) for the series-resistor Newton iterations; without a series
    resistor the integrator needs only ``_gkernel_j`` (i, rate, drate/dx) and ``_gkernel_ir``
    (i, rate). These also take
    the normalised distances a, b of the state to its bounds and read the parameters from
    row d of the parameter matrix P: the gap form of the equations when the model has one
    (``k.gap``, derivatives total in x), otherwise the plain ones (a, b unused). They are
    inlined into the integrator when they have at most :data:`INLINE_OPS` operations.
    """
    noise = k.noise if k.noise is not None else sp.Integer(0)
    parts = [_IPOW_SOURCE,
             _function_source("_kernel", k, [k.current, k.di_dv, k.di_dx, k.rate, k.dr_dv, k.dr_dx]),
             _function_source("_kernel_r", k, [k.current, k.di_dv, k.rate]),
             _function_source("_noise", k, [noise])]
    g = k.gap if k.gap is not None else k
    extra = [str(GAP_LO), str(GAP_HI)]
    # the integrator's kernels read the parameter-only subexpressions (divisions, exp of
    # a parameter, ...) from columns of their own, computed once per device by ``derived``
    full, qs = hoist_parameters([g.current, g.di_dv, g.di_dx, g.rate, g.dr_dv, g.dr_dx], k.symbols.values())
    i_, didv, didx, r_, drdv, drdx = full
    # small kernels are inlined into the integrator (numba IR): the call and its argument
    # passing cost as much as their arithmetic; large ones stay calls (compile time)
    inline = sum(sp.count_ops(e) for e in full) <= INLINE_OPS
    q = [s_ for s_, _ in qs]
    parts += [_derived_source(k, qs),
              _function_source("_gkernel", k, full, extra, inline, q),
              _function_source("_gkernel_r", k, [i_, didv, r_], extra, inline, q),
              _function_source("_gkernel_i", k, [i_, didv], extra, inline, q),
              _function_source("_gkernel_j", k, [i_, r_, drdx], extra, inline, q),
              _function_source("_gkernel_ir", k, [i_, r_], extra, inline, q)]
    return ("\n\n".join(parts), *lane_block(k, full, extra, q))


def hoist_parameters(exprs: list, params) -> tuple[list, list]:
    """``exprs`` with their costly parameter-only parts replaced by symbols ``_q0, _q1, ...``,
    and the list of ``(symbol, expression)``.

    A part is a maximal subtree whose free symbols are all parameters, or the product
    (sum) of the parameter-only factors (terms) of a product (sum); it is replaced when it
    costs an operation beyond a sign (a division, a power, a function, two parameters
    combined). Its value is the same for every step of a device, so the integrator computes
    it once per device (:func:`_derived_source`) instead of at every model evaluation.
    """
    pset = set(params)
    table: dict = {}
    memo: dict = {}   # e -> parameter-only (free_symbols walks the whole subtree: quadratic without it)

    def is_param(e):
        r = memo.get(e)
        if r is None:
            r = memo[e] = e.free_symbols <= pset and isinstance(e, sp.Expr)
        return r

    def costly(parts):
        syms = [a for a in parts if a.free_symbols]
        return len(syms) >= 2 or any(not a.is_Atom and not (a.is_Mul and len(a.args) == 2 and a.args[0] == -1
                                                           and a.args[1].is_Atom) for a in syms)

    def sym_for(e):
        if e not in table:
            table[e] = sp.Symbol(f"_q{len(table)}", real=True)
        return table[e]

    def walk1(e):
        if e.free_symbols and is_param(e):
            return sym_for(e) if costly([e]) else e
        if isinstance(e, (sp.Mul, sp.Add)):
            po = [a for a in e.args if is_param(a)]
            if costly(po) and len(po) < len(e.args):
                rest = [walk(a) for a in e.args if not is_param(a)]
                return e.func(sym_for(e.func(*po)), *rest)
        new = [walk(a) for a in e.args]
        return e.func(*new) if any(n is not a for n, a in zip(new, e.args)) else e

    # once per distinct subtree: the trees share subtrees, and rebuilding a Min/Max is costly
    walk = _memoised(walk1, lambda e: e.is_Atom, lambda e: e)
    out = [walk(sp.sympify(e)) for e in exprs]
    return out, [(s_, e) for e, s_ in table.items()]


def _derived_source(k: SimpleNamespace, qs: list) -> str:
    """Source of ``derived(P)``: the parameter matrix with the columns of the hoisted
    parameter-only subexpressions ``qs`` (see :func:`hoist_parameters`) appended, one row
    per device; P itself when there are none."""
    lines = ['@njit(cache=True, error_model="numpy")', "def derived(P):"]
    if not qs:
        return "\n".join(lines + ["    return P"]) + "\n"
    printer = _kernel_printer_class()({"fully_qualified_modules": True, "standard": "python3"})
    n_p = len(k.symbols)
    subs, reduced = _cse([e for _, e in qs])
    lines += ["    n = P.shape[0]", f"    Q = np.empty((n, {n_p + len(qs)}))", "    for _d in range(n):"]
    for j, name in enumerate(k.symbols):
        lines += [f"        {name} = P[_d, {j}]", f"        Q[_d, {j}] = {name}"]
    for s_, e in subs:
        lines.append(f"        {s_} = {printer.doprint(e)}")
    for j, e in enumerate(reduced):
        lines.append(f"        Q[_d, {n_p + j}] = float({printer.doprint(e)})")
    return "\n".join(lines + ["    return Q"]) + "\n"


def _factor_terms_shared(expr):
    """``sympy.factor_terms(expr)`` (its defaults) with the result of every subtree kept:
    sympy's recursion revisits a subtree at each of its occurrences, and the expressions of
    one kernel share large subtrees (JART's six expressions: 30 s in cse's preprocessing,
    mostly rebuilding Min/Max). Same steps and result as sympy 1.14's ``factor_terms``;
    sums and integrals go to sympy's own."""
    from sympy.core.exprtools import _keep_coeff, gcd_terms
    from sympy.utilities.iterables import iterable

    def do1(e):
        if e.is_Pow or e.is_Function or iterable(e) or not hasattr(e, "args_cnc"):
            args = e.args
            new = tuple(do(i) for i in args)
            return e if new == args else e.func(*new)
        if isinstance(e, (sp.Sum, sp.Integral)):
            return sp.factor_terms(e)
        cont, p = e.as_content_primitive(radical=False, clear=False)
        if p.is_Add:
            list_args = [do(a) for a in sp.Add.make_args(p)]
            if not any(a.as_coeff_Mul()[0].extract_multiplicatively(-1) is None for a in list_args):
                cont = -cont
                list_args = [-a for a in list_args]
            special = {}
            for i, a in enumerate(list_args):
                b, ex = a.as_base_exp()
                if ex.is_Mul and ex != sp.Mul(*ex.args):
                    list_args[i] = sp.Dummy()
                    special[list_args[i]] = a
            p = sp.Add._from_args(list_args)
            p = gcd_terms(p, isprimitive=True, clear=False, fraction=False).xreplace(special)
        elif p.args:
            p = p.func(*[do(a) for a in p.args])
        return _keep_coeff(cont, p, clear=False, sign=True)

    do = _memoised(do1, lambda e: not isinstance(e, sp.Basic) or e.is_Atom,
                   lambda e: type(e)([do(i) for i in e]) if iterable(e) else e)
    return do(sp.sympify(expr))


def _memoised(step, is_leaf, leaf):
    """The recursion ``f(e) = step(e)`` (``step`` recurses through ``f``) evaluated once per
    distinct subtree ``e``; ``leaf(e)`` where ``is_leaf(e)``, not remembered."""
    memo: dict = {}

    def f(e):
        if is_leaf(e):
            return leaf(e)
        r = memo.get(e)
        if r is None:
            r = memo[e] = step(e)
        return r
    return f


def _cse(exprs):
    """sympy's ``cse`` with its "basic" optimizations, factor_terms done by
    :func:`_factor_terms_shared` (the same result)."""
    from sympy.simplify.cse_opts import sub_post, sub_pre

    # repeating cse over its own definitions was measured on JART (the model with the
    # duplicates): 8 passes take its fixed-step kernel from 20 exp / 3 asin to 16 / 2 but its
    # source from 11 s to 15 s (paid by every process) for 4 % of the 100,000-device
    # benchmark; so one pass, with the definitions whose expansions are equal merged
    opts = [(sub_pre, sub_post), (_factor_terms_shared, None)]
    return _merge_duplicates(*sp.cse(exprs, symbols=sp.numbered_symbols("_c"), optimizations=opts))


def _merge_duplicates(subs: list, reduced: list) -> tuple[list, list]:
    """cse's result with the definitions whose expansions are equal merged into the first,
    and the definitions nothing uses any more dropped.

    sympy's cse first splits the products and sums of its input into shared factors
    (``opt_cse``), so one subexpression can reach its tree matching in two shapes (e.g.
    JART's ``-c42 + c43 exp(-c44 log(0.11708 exp(c45 c46) + 1))`` once whole and once with
    its exp named): it is then defined twice, and what only the second copy used (an exp,
    a log) is computed twice too."""
    full: dict = {}
    first: dict = {}
    ren: dict = {}
    kept = []
    for s_, e in subs:
        ex = full[s_] = e.xreplace(full)
        if ex in first:
            ren[s_] = first[ex]
            continue
        first[ex] = s_
        kept.append((s_, e.xreplace(ren)))
    reduced = [sp.sympify(r).xreplace(ren) for r in reduced]
    used = set().union(*(sp.sympify(r).free_symbols for r in reduced)) if reduced else set()
    out = []
    for s_, e in reversed(kept):
        if s_ in used:
            used |= e.free_symbols
            out.append((s_, e))
    return out[::-1], reduced


def _kernel_printer_class():
    from sympy.printing.pycode import PythonCodePrinter

    class KernelPrinter(PythonCodePrinter):
        """Python printer whose powers with a symbolic exponent (or a float one with an
        integer value, such as JART's 10.0) call ``_ipow``, which multiplies for the
        exponents 1, 2 and 3 (exact, and several times faster than ``pow`` in the
        integrator's inner loop), by binary powering for the integers 4 to 64 and calls
        ``pow`` otherwise."""

        def _print_Pow(self, expr, rational=False):
            e = expr.exp
            if e.is_Float and float(e).is_integer() and 4 <= int(e) <= 64:   # (Float(10.0) != 10 in sympy >= 1.13)
                return f"_ipow({self._print(expr.base)}, {self._print(e)})"
            if e.is_Number:
                return super()._print_Pow(expr, rational=rational)
            return f"_ipow({self._print(expr.base)}, {self._print(expr.exp)})"

        def _print_OneMinusPow(self, expr):
            z, n = (self._print(a) for a in expr.args)
            return f"_omp({z}, {n})"

    return KernelPrinter


_IPOW_SOURCE = """\
@njit(inline="always", cache=True)
def _ipow(b, e):
    if e == 1.0:
        return b
    if e == 0.0:
        return 1.0
    if e == 2.0:
        return b * b
    if e == 3.0:
        return b * b * b
    if e >= 4.0 and e <= 64.0 and e == math.floor(e):
        # binary powering: at most 11 products, within a few roundings of pow
        n = int(e)
        r = 1.0
        while True:
            if n & 1:
                r *= b
            n >>= 1
            if n == 0:
                return r
            b *= b
    return b ** e


@njit(inline="always", cache=True)
def _omp(z, n):
    # 1 - (1 - z)^n without cancellation at small z (OneMinusPow): exact products for
    # n = 1, 2, 3, -expm1(n log1p(-z)) otherwise
    if n == 1.0:
        return z
    if n == 2.0:
        return z * (2.0 - z)
    if n == 3.0:
        return z * (3.0 - z * (3.0 - z))
    return -math.expm1(n * math.log1p(-z))
"""


def _function_source(fname: str, k: SimpleNamespace, exprs: list, extra: list | None = None,
                     inline: bool = False, derived: list = ()) -> str:
    """Source of one njit-decorated scalar kernel ``fname(v, x, *extra, _p)`` returning ``exprs``.

    Top-level Piecewise nodes become if/elif/else blocks (Piecewise with identical
    conditions share one block), so the costly terms of a branch (pow, exp) are evaluated
    only when that branch is taken; common subexpressions are eliminated outside and
    inside each branch separately. Every Piecewise has a default branch (checked when the
    kernel namespace is built, see ``DeviceModel._k``). ``derived``: the symbols of the
    hoisted parameter-only parts (:func:`hoist_parameters`), read from the columns after
    the parameters.
    """
    printer = _kernel_printer_class()({"fully_qualified_modules": True, "standard": "python3"})
    # 1. pull out Piecewise nodes (outermost first) and replace them by placeholders
    groups: dict[tuple, list] = {}
    repl: dict = {}
    ph_names = sp.numbered_symbols("_pw")

    def pull(e):
        if isinstance(e, sp.Piecewise):
            if e in repl:
                return repl[e]
            conds = tuple(c for _, c in e.args)
            sym = next(ph_names)
            repl[e] = sym
            groups.setdefault(conds, []).append((sym, [a for a, _ in e.args]))
            return sym
        if not e.args:
            return e
        new = [pull(a) for a in e.args]
        return e.func(*new) if any(n is not a for n, a in zip(new, e.args)) else e

    outer = [pull(sp.sympify(e)) for e in exprs]
    args = ", ".join([k.v.name, k.x.name, *(extra or [])])
    # the integrator's versions (with the gaps) read row _d of the parameter matrix: a row
    # view per call would cost two atomic reference-count updates on the matrix, shared by
    # every thread
    rows = extra is not None
    lines = [_JIT_INLINE if inline else _JIT, f"def {fname}({args}, {'_P, _d' if rows else '_p'}):"]
    for j, name in enumerate(k.symbols):
        lines.append(f"    {name} = _P[_d, {j}]" if rows else f"    {name} = _p[{j}]")
    used = set().union(*(sp.sympify(e).free_symbols for e in exprs)) if exprs else set()
    for j, q in enumerate(derived):       # hoisted parameter-only parts (row of derived(P))
        if q in used:
            lines.append(f"    {q} = _P[_d, {len(k.symbols) + j}]")
    # 2. common subexpressions over everything (conditions, outer tree, every branch):
    # one used by a condition or the outer tree (always evaluated) is computed once before
    # the blocks (after them when it needs a block's result); one used only in branches is
    # computed in each branch that uses it, so a branch's costly terms stay lazy
    conds_all = list(dict.fromkeys(c for conds in groups for c in conds if c != sp.true))
    sites = ["top"] * (len(conds_all) + len(outer))
    roots = conds_all + outer
    for gi, (conds, members) in enumerate(groups.items()):
        for b in range(len(conds)):
            roots += [args_[b] for _, args_ in members]
            sites += [(gi, b)] * len(members)
    subs, reduced = _cse(roots)
    defs = dict(subs)
    used: dict = {s_: set() for s_, _ in subs}
    for site, e in zip(sites, reduced):
        for s_ in e.free_symbols & defs.keys():
            used[s_].add(site)
    for s_, e in reversed(subs):   # a definition's symbols are used wherever it is
        for t in e.free_symbols & defs.keys():
            used[t] |= used[s_]
    late = set(repl.values())
    pre, post, local = [], [], {}
    for s_, e in subs:
        if "top" in used[s_]:
            if e.free_symbols & late:
                late.add(s_)
                post.append((s_, e))
            else:
                pre.append((s_, e))
        else:
            for site in used[s_]:
                local.setdefault(site, []).append((s_, e))
    for s_, e in pre:
        lines.append(f"    {s_} = {printer.doprint(e)}")
    red_cond = dict(zip(conds_all, reduced[:len(conds_all)]))
    red_branch = iter(reduced[len(conds_all) + len(outer):])
    # 3. the Piecewise blocks
    for gi, (conds, members) in enumerate(groups.items()):
        for b, cond in enumerate(conds):
            if cond == sp.true:
                head = "else:" if b > 0 else "if True:"
            else:
                head = ("if " if b == 0 else "elif ") + f"{printer.doprint(red_cond[cond])}:"
            lines.append("    " + head)
            for s_, e in local.get((gi, b), []):
                lines.append(f"        {s_} = {printer.doprint(e)}")
            for sym, _ in members:
                lines.append(f"        {sym} = {printer.doprint(next(red_branch))}")
        if conds[-1] != sp.true:  # excluded when the kernel namespace is built; never print a hole
            raise UnsupportedExpressionError(f"{k.label}: Piecewise without a default (True) branch")
    # 4. the rest of the outer tree
    for s_, e in post:
        lines.append(f"    {s_} = {printer.doprint(e)}")
    outs = []
    for j, e in enumerate(reduced[len(conds_all):len(conds_all) + len(outer)]):
        lines.append(f"    _o{j} = float({printer.doprint(e)})")
        outs.append(f"_o{j}")
    lines.append(f"    return ({', '.join(outs)})")
    return "\n".join(lines) + "\n"
