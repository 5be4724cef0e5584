"""The :class:`DeviceModel` base: two sympy expressions, everything else derived.

A model declares its parameters (:class:`~memlab.devices.Param`), one state variable
(:class:`~memlab.devices.StateVar`) and implements :meth:`DeviceModel.equations`, which
returns the terminal current ``i(v, x)`` in amperes and the state rate ``dx/dt(v, x)``
in state units per second. Conductance, Jacobians, numpy kernels (lambdify with common
subexpression elimination), compiled scalar kernels for the integrator, and LaTeX are
derived from those two expressions and never written by hand per model.
"""
from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from memlab.errors import ParameterError, UnsupportedExpressionError
from memlab.devices._meta import FitDefaults, IVDemo
from memlab.devices._codegen import GENERATOR_VERSION, load_kernels, module_source
from memlab.devices._params import Param, StateVar, check_value
from memlab.devices._windows import GAP_HI, GAP_LO, plain

__all__ = ["DeviceModel"]

_V = sp.Symbol("v", real=True)
#: kernel namespaces by expression key (see ``DeviceModel._equations``)
_KERNELS: dict[str, SimpleNamespace] = {}


class DeviceModel:
    """Base class of compact memristor models.

    Subclasses set :attr:`name`, :attr:`state` and implement :meth:`param_defs` (or the
    class attribute ``parameters``) and :meth:`equations`. Options that change the
    equations (window, I-V form) are constructor keywords declared in :attr:`options`.

    Parameters given as keywords override the defaults; arrays define a population of
    devices (they broadcast against each other and against ``x0`` in
    :func:`~memlab.devices.simulate`). Instances are immutable: :meth:`with_params`
    returns a new one.
    """

    name: ClassVar[str] = "device"
    parameters: ClassVar[tuple[Param, ...]] = ()
    state: ClassVar[StateVar]
    #: option name -> (default, allowed values)
    options: ClassVar[dict[str, tuple[Any, tuple]]] = {}
    #: literature reference of the model equations
    reference: ClassVar[str] = ""
    #: short name for :func:`~memlab.devices.get_model` and the CLI ("" for user models);
    #: ``aliases`` are further accepted spellings (lower case, without "-" and "_")
    short_name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: sine drive (and initial state) that shows the model's I-V loop, see :meth:`demo_drive`
    iv_demo: ClassVar[IVDemo] = IVDemo()
    #: defaults of :func:`~memlab.devices.fit` (free parameters, search ranges); None: the
    #: caller names the parameters
    fit_defaults: ClassVar[FitDefaults | None] = None
    #: how the chord conductance i/v is derived: True ``sympy.simplify`` (cancels v where the
    #: current has it as a factor), False ``cancel`` only (for currents whose i/v keeps its
    #: 1/v and where simplify costs seconds: PCM 13.6 s for no gain), None automatic
    #: (simplify below 60 operations in the current, else i/v as written: simplify took
    #: 82 s of JART's 115 s set-up; every other built-in current has at most 19)
    simplify_conductance: ClassVar[bool | None] = None

    def __init__(self, **kwargs):
        opts = {}
        for key, (default, allowed) in self.options.items():
            val = kwargs.pop(key, default)
            if isinstance(val, str):
                val = val.lower()
            if val not in allowed:
                raise ParameterError(f"{type(self).__name__}: option '{key}' = {val!r} is not one of {allowed}")
            opts[key] = val
        self._opts = opts
        defs = {p.name: p for p in self.param_defs()}
        unknown = set(kwargs) - set(defs)
        if unknown:
            raise ParameterError(f"{type(self).__name__}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(defs)} and options {sorted(self.options)}")
        values = {}
        for name, p in defs.items():
            values[name] = check_value(p, kwargs.get(name, p.value), type(self).__name__)
        self._defs = defs
        self._values = values
        self._validate(values)

    # ------------------------------------------------------------------ declaration
    def param_defs(self) -> tuple[Param, ...]:
        """Parameter declarations for the chosen options (default: ``parameters``)."""
        return self.parameters

    def equations(self, v: sp.Symbol, x: sp.Symbol, p: SimpleNamespace) -> tuple[sp.Expr, sp.Expr]:
        """Return ``(i(v, x), dx/dt(v, x))`` as sympy expressions (implemented by models)."""
        raise NotImplementedError(f"{type(self).__name__} must implement equations()")

    def _validate(self, values: dict) -> None:
        """Cross-parameter checks (e.g. R_on < R_off); raise ParameterError."""

    def noise_expr(self, v, x, p: SimpleNamespace):
        """Optional stochastic term: amplitude (state units) of a random jump
        ``amplitude * N(0, 1)`` applied at every output time of :func:`simulate`.
        ``None`` (default) for deterministic models."""
        return None

    def bounds_expr(self, p: SimpleNamespace) -> tuple:
        """State bounds as sympy expressions of the parameter symbols ``p``.

        Default: the constant bounds of :attr:`state`; models whose bounds are
        parameters (TEAM's x_on/x_off) override this.
        """
        return sp.Float(self.state.lo), sp.Float(self.state.hi)

    def bounds(self):
        """State bounds ``(lo, hi)`` as floats or arrays (one per device), state units."""
        k = self._k
        return tuple(self._eval_expr(e) for e in k.bounds)

    def _eval_expr(self, expr):
        expr = sp.sympify(expr)
        if not expr.free_symbols:
            return float(expr)
        syms = self._k.symbols
        fn = sp.lambdify(list(syms.values()), expr, modules="numpy")
        return fn(*self._values.values())

    @classmethod
    def demo_drive(cls, periods: float = 2) -> tuple:
        """``(drive, x0)`` of the I-V demonstration (:attr:`iv_demo`): a
        :class:`~memlab.devices.Sine` of ``periods`` periods and the initial state (state
        units; the model's ``state.x0`` when the demo sets none)."""
        demo = cls.iv_demo
        return demo.drive(periods), (cls.state.x0 if demo.x0 is None else demo.x0)

    # ------------------------------------------------------------------ parameters
    @property
    def option_values(self) -> dict:
        return dict(self._opts)

    @property
    def params(self) -> dict[str, Param]:
        """Parameter declarations with the instance's current values."""
        return {n: p.with_value(self._values[n]) for n, p in self._defs.items()}

    @property
    def values(self) -> dict[str, Any]:
        """Current parameter values (float or ndarray), SI units."""
        return dict(self._values)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(self._defs)

    def with_params(self, **kwargs) -> "DeviceModel":
        """A new model with some parameters (or options) replaced."""
        merged = {**self._opts, **self._values, **kwargs}
        out = type(self)(**merged)
        if out._opts == self._opts and "_eq" in self.__dict__:
            out.__dict__["_eq"] = self.__dict__["_eq"]   # same class and options: same equations
        return out

    @property
    def n_devices(self) -> int:
        """Number of devices implied by array-valued parameters (1 if all scalar)."""
        shape = np.broadcast_shapes(*(np.shape(v) for v in self._values.values()))
        return int(np.prod(shape)) if shape else 1

    @property
    def is_population(self) -> bool:
        return any(np.ndim(v) > 0 for v in self._values.values())

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._opts.items())
        pops = " (population of %d)" % self.n_devices if self.is_population else ""
        return f"{type(self).__name__}({opts}){pops}"

    # ------------------------------------------------------------------ symbolic
    def _equations(self) -> SimpleNamespace:
        """The model's defining expressions for its options, checked, with their cache key.

        Calls :meth:`equations`, :meth:`bounds_expr` and :meth:`noise_expr` on fresh symbols.
        The key is a hash of the expressions (``srepr``), the parameter order and
        :data:`~memlab.devices._codegen.GENERATOR_VERSION`, so two classes with the same
        name but different equations never share kernels. Raises
        :class:`~memlab.errors.UnsupportedExpressionError` for a Piecewise without a default
        branch (no printer can translate it: the kernels, ngspice and Verilog-A all need a
        value everywhere) and :class:`~memlab.errors.ParameterError` for undeclared symbols.
        """
        eq = self.__dict__.get("_eq")
        if eq is not None:
            return eq
        where = type(self).__name__
        x = sp.Symbol(self.state.name, real=True)
        syms = {n: sp.Symbol(n, real=True) for n in self._defs}
        ns = SimpleNamespace(**syms)
        i_raw, r_raw = (sp.sympify(e) for e in self.equations(_V, x, ns))
        bounds = tuple(sp.sympify(b) for b in self.bounds_expr(ns))
        noise = self.noise_expr(_V, x, ns)
        noise = None if noise is None else sp.sympify(noise)
        named = {"current": i_raw, "rate": r_raw, "lower bound": bounds[0], "upper bound": bounds[1]}
        if noise is not None:
            named["noise"] = noise
        allowed = {_V, x, GAP_LO, GAP_HI, *syms.values()}
        free = set().union(*(e.free_symbols for e in named.values())) - allowed
        if free:
            raise ParameterError(f"{where}: equations use undeclared symbols {sorted(map(str, free))}")
        if any(e.has(GAP_LO, GAP_HI) for e in (bounds[0], bounds[1], noise) if e is not None):
            raise ParameterError(f"{where}: the gap symbols may appear in the current and rate only")
        for label, e in named.items():
            for pw in e.atoms(sp.Piecewise):
                if pw.args[-1].cond != sp.true:
                    raise UnsupportedExpressionError(
                        f"{where} (model {self.name!r}): the {label} expression contains a Piecewise without a default branch "
                        f"(its last condition is not True), undefined where no condition holds, so no target "
                        f"(compiled kernel, ngspice, Verilog-A) can print it: {pw}; add a final (value, True) "
                        f"branch")
        # windows written with the gaps (see memlab.devices._windows): the integrator keeps
        # the distance to the nearer bound; every other user sees plain expressions of x
        gap = None
        if i_raw.has(GAP_LO, GAP_HI) or r_raw.has(GAP_LO, GAP_HI):
            width = bounds[1] - bounds[0]
            gap = SimpleNamespace(current=i_raw, rate=r_raw, width=width)
            to_x = {GAP_LO: (x - bounds[0]) / width, GAP_HI: (bounds[1] - x) / width}
            i_expr, r_expr = plain(i_raw.subs(to_x)), plain(r_raw.subs(to_x))
        else:
            i_expr, r_expr = i_raw, r_raw
        text = sp.srepr((tuple(named.items()), x, tuple(syms.values()), GENERATOR_VERSION))
        key = hashlib.sha256(text.encode()).hexdigest()
        eq = SimpleNamespace(x=x, symbols=syms, current=i_expr, rate=r_expr, bounds=bounds, noise=noise, key=key,
                             gap=gap)
        self.__dict__["_eq"] = eq    # derived from the class and options only (both fixed)
        return eq

    @property
    def _k(self) -> SimpleNamespace:
        """Kernel namespace (expressions, derivatives, numpy kernels), shared by every
        model whose expressions are the same (cache keyed by the expressions)."""
        eq = self._equations()
        k = _KERNELS.get(eq.key)
        if k is None:
            k = _derive(eq, f"{type(self).__name__} {self._opts}", simplify=type(self).simplify_conductance)
            _KERNELS[eq.key] = k
        return k

    @property
    def v(self) -> sp.Symbol:
        """Device voltage symbol (V)."""
        return self._k.v

    @property
    def x(self) -> sp.Symbol:
        """State symbol (unit: ``state.unit``)."""
        return self._k.x

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        return dict(self._k.symbols)

    @property
    def current_expr(self) -> sp.Expr:
        """Terminal current i(v, x) in A (sympy)."""
        return self._k.current

    @property
    def rate_expr(self) -> sp.Expr:
        """State rate dx/dt(v, x) in state units per second (sympy)."""
        return self._k.rate

    @property
    def conductance_expr(self) -> sp.Expr:
        """Chord conductance i/v in S (sympy, derived)."""
        return self._k.conductance

    @property
    def bounds_exprs(self) -> tuple:
        """State bounds ``(lo, hi)`` as sympy expressions of the parameter symbols (state units)."""
        return self._k.bounds

    @property
    def noise_amplitude_expr(self):
        """Amplitude of the stochastic state jump (sympy, state units) or None, see :meth:`noise_expr`."""
        return self._k.noise

    def jacobian_exprs(self) -> dict[str, sp.Expr]:
        """Partial derivatives di/dv, di/dx, d(rate)/dv, d(rate)/dx (sympy, derived)."""
        k = self._k
        return {"di_dv": k.di_dv, "di_dx": k.di_dx, "dr_dv": k.dr_dv, "dr_dx": k.dr_dx}

    def latex(self) -> str:
        """LaTeX of the two defining equations."""
        k = self._k
        i_sym = sp.Symbol("i")
        dx = sp.Symbol(r"\frac{d%s}{dt}" % sp.latex(k.x))
        return (f"{sp.latex(i_sym)} = {sp.latex(k.current)}\\\\\n"
                f"{sp.latex(dx)} = {sp.latex(k.rate)}")

    # ------------------------------------------------------------------ numpy evaluation
    def _eval(self, name: str, v, x, overrides: dict | None = None):
        vals = dict(self._values)
        if overrides:
            vals.update(overrides)
        fn = getattr(self._k, "np_" + name)
        with np.errstate(all="ignore"):
            out = fn(np.asarray(v, dtype=float), np.asarray(x, dtype=float), *vals.values())
        shape = np.broadcast_shapes(np.shape(v), np.shape(x), *(np.shape(a) for a in vals.values()))
        return np.broadcast_to(np.asarray(out, dtype=float), shape).copy() if shape else float(out)

    def current(self, v, x, **params):
        """Terminal current in A at device voltage ``v`` (V) and state ``x``."""
        return self._eval("current", v, x, params)

    def di_dv(self, v, x, **params):
        """Small-signal conductance dI/dV in S."""
        return self._eval("di_dv", v, x, params)

    def di_dx(self, v, x, **params):
        """dI/dx in A per state unit."""
        return self._eval("di_dx", v, x, params)

    def rate(self, v, x, **params):
        """State rate dx/dt in state units per second."""
        return self._eval("rate", v, x, params)

    def conductance(self, v, x, **params):
        """Chord conductance i/v in S; at v = 0 the limit (dI/dV) is returned."""
        v = np.asarray(v, dtype=float)
        g = self._eval("conductance", v, x, params)
        g0 = self._eval("di_dv", v, x, params)
        return np.where(np.asarray(v) == 0, g0, g) if np.ndim(g) else (g0 if v == 0 else g)

    def resistance(self, v, x, **params):
        """Chord resistance v/i in ohm."""
        with np.errstate(divide="ignore"):
            return 1.0 / self.conductance(v, x, **params)

    # ------------------------------------------------------------------ compiled kernels
    def scalar_kernel(self):
        """numba-compiled ``f(v, x, p) -> (i, di/dv, di/dx, rate, drate/dv, drate/dx)``.

        ``p`` is a 1-D float64 array of the parameter values in :attr:`param_names`
        order. The generated source lives in a cached module file (see
        :mod:`memlab.devices._codegen`); ``kernel_source`` shows it.
        """
        return self._compiled()._kernel

    @property
    def uses_gaps(self) -> bool:
        """True when the model's windows are written with the distances to its bounds
        (:data:`~memlab.devices.windows.GAP_LO`, ``GAP_HI``): :func:`~memlab.devices.simulate`
        then integrates the distance to the nearer bound, which keeps its relative precision
        down to 1e-100 of the state range (x itself could not come closer than 1e-16)."""
        return self._k.gap is not None

    @property
    def has_noise(self) -> bool:
        """True when the model (with its options) has a stochastic term."""
        return self._k.noise is not None

    @property
    def kernel_source(self) -> str:
        """Python source of the generated kernel module (device functions and integrator)."""
        return module_source(self._k.label, self._k)

    def _compiled(self):
        """The imported kernel module (device functions, ``run``, ``run_fixed``)."""
        k = self._k
        if k.module is None:
            k.module = load_kernels(k.label, k, tag=type(self).__name__.lower())
        return k.module

    def param_matrix(self, n: int | None = None) -> np.ndarray:
        """Parameter values broadcast to shape ``(n_devices, n_params)`` (float64, C order)."""
        vals = [np.asarray(v, dtype=float) for v in self._values.values()]
        shape = np.broadcast_shapes(*(np.shape(v) for v in vals))
        size = int(np.prod(shape)) if shape else 1
        if n is None:
            n = size
        elif size not in (1, n):
            raise ParameterError(f"{type(self).__name__}: parameter arrays describe {size} devices, "
                                 f"but {n} are simulated")
        cols = [np.broadcast_to(v, shape).reshape(-1) if shape else np.full(1, float(v)) for v in vals]
        P = np.stack(cols, axis=1) if cols else np.zeros((size, 0))
        if P.shape[0] == 1 and n > 1:
            P = np.repeat(P, n, axis=0)
        return np.ascontiguousarray(P)


def _derive(eq: SimpleNamespace, label: str, simplify: bool | None = None) -> SimpleNamespace:
    """Everything derived from the defining expressions: conductance, Jacobian entries and
    their numpy kernels (lambdify with common subexpression elimination)."""
    x, syms, i_expr, r_expr = eq.x, eq.symbols, eq.current, eq.rate
    if not i_expr.has(_V):
        g_expr = sp.Integer(0)
    elif simplify is None:     # automatic: simplify is cubic-ish in the expression size
        g_expr = sp.simplify(i_expr / _V) if sp.count_ops(i_expr) < 60 else i_expr / _V
    else:
        g_expr = (sp.simplify if simplify else sp.cancel)(i_expr / _V)
    d = SimpleNamespace(
        v=_V, x=x, symbols=syms, current=i_expr, rate=r_expr, conductance=g_expr,
        di_dv=sp.diff(i_expr, _V), di_dx=sp.diff(i_expr, x),
        dr_dv=sp.diff(r_expr, _V), dr_dx=sp.diff(r_expr, x),
        bounds=eq.bounds, noise=eq.noise, key=eq.key, label=label, module=None, gap=None,
    )
    if eq.gap is not None:
        # kernels of the gap form: total x-derivatives, da/dx = 1/width, db/dx = -1/width
        gi, gr, w = eq.gap.current, eq.gap.rate, eq.gap.width
        total = lambda e: sp.diff(e, x) + (sp.diff(e, GAP_LO) - sp.diff(e, GAP_HI)) / w
        d.gap = SimpleNamespace(current=gi, di_dv=sp.diff(gi, _V), di_dx=total(gi), rate=gr,
                                dr_dv=sp.diff(gr, _V), dr_dx=total(gr))
    args = [_V, x, *syms.values()]
    for name in ("current", "di_dv", "di_dx", "rate", "dr_dv", "dr_dx", "conductance"):
        setattr(d, "np_" + name, sp.lambdify(args, getattr(d, name), modules="numpy", cse=True))
    return d
