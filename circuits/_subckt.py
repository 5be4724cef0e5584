"""Device model -> ngspice subcircuit, generated from the model's two sympy expressions.

Layout of every generated subcircuit (ports ``te`` = top electrode, ``be`` = bottom
electrode; the device voltage is ``V(te,be)`` and positive current flows te -> be)::

    .subckt <NAME> te be x0=<state x0> rmax=1e30 tedge=1e-15 m_<param>=<value> ...
    * normalised state s = (x - lo)/(hi - lo) is the voltage of a 1 F capacitor
    Cx xs 0 1 ic={(x0 - lo)/(hi - lo)}
    Raux xs 0 1e12                     DC path (leak time constant 1e12 s)
    Bx 0 xs i=min(max(R, max(-rmax, -V(xs)/tedge)), min(rmax, (1 - V(xs))/tedge))
    Bi te be i=<i(v, x)>
    .ends

  where ``R = dx/dt(v, x) / (hi - lo)`` is the normalised rate in 1/s.

* The state enters every expression clamped, ``x = lo + (hi - lo)*min(max(V(xs),0),1)``.
* A rate that contains the device current (TEAM, PCM, JART) reads it as ``i(Vi)`` from a
  sense source, ``Vi te ti dc 0`` in series with ``Bi ti be``: the current is then one of
  ngspice's unknowns (converged to ``abstol`` and ``reltol``), not its expression repeated
  inside the rate and inside the rate's derivative trees, which ngspice evaluates at every
  Newton iteration (JART's rate: 2109 -> 375 operations).
* Bounds (the native integrator clips the state to them): outward motion is limited to
  ``distance to the bound / tedge``, so the state stops at a bound within a few
  ``tedge`` (and is pulled back if a step overshoots), continuously in the state. A hard
  gate (rate set to 0 at the bound) is a jump in the state equation and makes ngspice
  fail with "timestep too small" on threshold models (TEAM, VTEAM); a multiplicative
  layer ``R (1 - s)/delta`` slows the last ``delta`` of the state range and changes
  models whose state only approaches a bound (HP with the Joglekar window comes within
  4e-8 of x = 1 at 1 V, 1 Hz). The clamp acts only when the rate would cross the bound
  within ``tedge``.
* ``rmax`` caps |ds/dt| (1/s). TEAM's default parameters give rates of ~1e20 /s (a full
  switch in 1e-20 s, below ngspice's time resolution); the cap makes a full switch take
  at least ``1/rmax``. :func:`~memlab.circuits.characterize` sets ``rmax = 100/max_step``
  and ``tedge = 1e-4 max_step``.
* The rate is not put on a node of its own: node voltages must converge to ``vntol``
  (absolute, volts), and a rate of 1e5..1e11 /s with a kink at a threshold (VTEAM's
  v_off) then never converges in Newton's iteration ("timestep too small, trouble with
  node xr" in an earlier version).
* The state is normalised to [0, 1] because node voltages are checked against ngspice's
  absolute tolerance ``vntol`` (1 uV by default); a state of 3e-9 m stored as 3e-9 V
  would be invisible to it.
* Parameter names are prefixed ``m_`` and lower-cased (ngspice is case-insensitive:
  Stanford-PKU's ``V0`` and ``v0`` become ``m_v0`` and ``m_v0_1``); the mapping is in
  :attr:`DeviceSubcircuit.param_map`.
* Static models (rate identically zero: selector, sinh conductance) have no state node;
  their state is the parameter ``x0``. ``static=True`` builds that form for any model
  (state frozen at ``x0``: used for DC sweeps and operating points).
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import sympy as sp

from memlab._validate import real
from memlab.errors import ParameterError, UnsupportedExpressionError
from memlab.devices import DeviceModel
from memlab.circuits._printers import NgspiceBSourcePrinter, reserved_words_ngspice, _num

__all__ = ["DeviceSubcircuit", "subcircuit", "subckt_name"]

_log = logging.getLogger(__name__)


@dataclass
class DeviceSubcircuit:
    """A generated ngspice subcircuit of one device model.

    Attributes
    ----------
    name : str
        Subcircuit name (``.subckt <name> te be ...``).
    text : str
        The ``.subckt ... .ends`` block, lines joined with ``"\\n"``.
    param_map : dict
        model parameter name -> subcircuit parameter name.
    static : bool
        True when the state is a parameter (no state node).
    pyspice : PySpice SubCircuit
        The same subcircuit as a PySpice object (for composing PySpice circuits).
    """

    name: str
    text: str
    param_map: dict
    static: bool
    model: DeviceModel
    current: str = ""
    rate: str = ""
    pyspice: object = None
    defaults: dict = field(default_factory=dict)

    def instance(self, ref: str, te: str, be: str, model: DeviceModel | None = None, x0=None,
                 rate_max: float | None = None, t_edge: float | None = None) -> str:
        """Instance line ``X<ref> te be <name> x0=... m_...=...`` with ``model``'s values."""
        model = self.model if model is None else model
        if type(model) is not type(self.model) or model.option_values != self.model.option_values:
            raise ParameterError(f"subcircuit {self.name}: instance model {model!r} differs from {self.model!r}")
        if model.is_population:
            raise ParameterError(f"subcircuit {self.name}: a population model needs one instance per device; "
                                 f"pass a single-device model (parameters must be scalars)")
        where = f"subcircuit {self.name}"
        x0 = real(model.state.x0 if x0 is None else x0, "x0", unit=model.state.unit, where=where)
        if rate_max is not None:
            rate_max = real(rate_max, "rate_max", lo=0.0, lo_open=True, unit="1/s", where=where)
        if t_edge is not None:
            t_edge = real(t_edge, "t_edge", lo=0.0, lo_open=True, unit="s", where=where)
        lo, hi = (float(b) for b in model.bounds())
        if not (np.isfinite(x0) and lo <= x0 <= hi):
            raise ParameterError(f"subcircuit {self.name}: parameter 'x0' = {x0!r} is outside the allowed range "
                                 f"[{lo:g}, {hi:g}] {model.state.unit}")
        vals = " ".join(f"{self.param_map[k]}={_num(float(v))}" for k, v in model.values.items())
        rm = "" if (self.static or rate_max is None) else f"rmax={_num(rate_max)} "
        rm += "" if (self.static or t_edge is None) else f"tedge={_num(t_edge)} "
        return f"X{ref} {te} {be} {self.name} x0={_num(x0)} {rm}{vals}".rstrip()


def _mangle(names) -> dict:
    out, used = {}, set()
    for n in names:
        base = "m_" + re.sub(r"[^a-z0-9_]", "_", n.lower())
        cand, k = base, 0
        while cand in used or cand in reserved_words_ngspice:
            k += 1
            cand = f"{base}_{k}"
        used.add(cand)
        out[n] = cand
    return out


def subckt_name(model: DeviceModel) -> str:
    """Subcircuit name of a model class with its options, e.g. ``VTEAM_linear_none``."""
    parts = [type(model).__name__] + [str(v) for v in model.option_values.values()]
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def subcircuit(model: DeviceModel, *, static: bool = False, smooth: float = 0.0,
               strict: bool = True, smooth_rate: float = 0.0) -> DeviceSubcircuit:
    """Generate the ngspice subcircuit of ``model`` (see the module docstring for the layout).

    Parameters
    ----------
    model : DeviceModel
        Any memlab device model; its parameter values become the subcircuit defaults.
    static : bool
        Freeze the state at the parameter ``x0`` (no state node): DC sweeps, ``.op``.
    smooth : float
        Smooth-function width passed to :class:`NgspiceBSourcePrinter` (0 = exact).
    strict : bool
        Raise :class:`UnsupportedExpressionError` (naming the model and the construct) when
        an expression cannot be printed.
    smooth_rate : float
        Relative width of logistic blends replacing those Piecewise thresholds of the rate
        whose condition depends on the state (``smooth_piecewise`` of the printer); 0
        keeps exact ternaries. A threshold that switches the rate on and off as the state
        moves (Stanford-PKU's minimum field F_min, a function of the gap) is a jump in the
        state equation: the exact solution slides along the threshold, and ngspice's
        Newton/step control fails there with "timestep too small". Thresholds in the
        voltage only are jumps in time, which the step control handles; they stay exact.
    """
    if not isinstance(model, DeviceModel):
        raise ParameterError(f"subcircuit: 'model' must be a memlab DeviceModel, got {type(model).__name__}")
    smooth = real(smooth, "smooth", lo=0.0, where="subcircuit")
    smooth_rate = real(smooth_rate, "smooth_rate", lo=0.0, where="subcircuit")
    syms = model.symbols
    pmap = _mangle(model.param_names)
    lo_e, hi_e = (sp.sympify(b) for b in model.bounds_expr(SimpleNamespace(**syms)))
    base_symbols = {syms[n]: pmap[n] for n in model.param_names}
    pr0 = NgspiceBSourcePrinter({"model": model.name, "symbols": base_symbols, "strict": strict})
    lo_s, hi_s = pr0.doprint(lo_e), pr0.doprint(hi_e)
    if not (lo_e.is_finite is not False and hi_e.is_finite is not False):
        raise UnsupportedExpressionError(f"model {model.name!r}: state bounds ({lo_e}, {hi_e}) must be finite "
                                         f"for the ngspice subcircuit (the state is normalised to [0, 1])")
    rate = model.rate_expr
    is_static = static or rate == 0
    if is_static:
        xtext = "(x0)"
    else:
        xtext = f"(({lo_s}) + (({hi_s}) - ({lo_s}))*min(max(V(xs), 0), 1))"
    symbols = dict(base_symbols)
    symbols[model.v] = "V(te,be)"
    symbols[model.x] = xtext
    pr = NgspiceBSourcePrinter({"model": model.name, "symbols": symbols, "strict": strict, "smooth": smooth})
    cur = pr.doprint(model.current_expr)
    name = subckt_name(model) + ("_static" if static and rate != 0 else "") + ("_smooth" if smooth_rate > 0 else "")
    defaults = {pmap[k]: float(np.asarray(v).flat[0]) for k, v in model.values.items()}
    x0d = float(model.state.x0)
    head = f".subckt {name} te be x0={_num(x0d)} " + ("" if is_static else "rmax=1e30 tedge=1e-15 ") + " ".join(f"{k}={_num(v)}" for k, v in defaults.items())
    lines = [head.rstrip(),
             f"* memlab: {model.name} ({', '.join(f'{k}={v}' for k, v in model.option_values.items()) or 'no options'})",
             f"* state {model.state.name} [{model.state.unit}] in [{lo_s}, {hi_s}]"]
    rate_s = ""
    sense = False
    if not is_static:
        # a rate that contains the device current reads it from the sense source Vi (an
        # unknown of ngspice's own): the current's expression is then not repeated inside
        # the rate and its derivative trees (JART's rate: 2109 -> 375 operations)
        rate_i, sense = _rate_with_current_symbol(type(model), tuple(model.option_values.items()))
        rate = rate_i if sense else rate
        prr = NgspiceBSourcePrinter({"model": model.name, "symbols": {**symbols, _I_SENSE: "i(Vi)"},
                                     "strict": strict, "smooth": smooth,
                                     "smooth_piecewise": smooth_rate, "smooth_piecewise_symbols": (model.x,)})
        rate_s = prr.doprint(rate / (hi_e - lo_e))
        lines += [
            f"Cx xs 0 1 ic={{(x0 - ({lo_s}))/(({hi_s}) - ({lo_s}))}}",
            "Raux xs 0 1e12",
            f"Bx 0 xs i=min(max({rate_s}, max(-rmax, -V(xs)/tedge)), min(rmax, (1 - V(xs))/tedge))",
        ]
    lines += ["Vi te ti dc 0", f"Bi ti be i={cur}"] if sense else [f"Bi te be i={cur}"]
    lines.append(f".ends {name}")
    text = "\n".join(lines)
    ps = _pyspice_subcircuit(name, defaults, x0d, lines)
    return DeviceSubcircuit(name=name, text=text, param_map=pmap, static=is_static, model=model,
                            current=cur, rate=rate_s, pyspice=ps, defaults=defaults)


#: the device current in a rate expression, printed as the current of the sense source Vi
_I_SENSE = sp.Symbol("_memlab_i_sense")


@functools.lru_cache(maxsize=64)
def _rate_with_current_symbol(cls, options: tuple):
    """(rate with each branch of the current replaced by :data:`_I_SENSE`, whether any was)
    of the model class ``cls`` with ``options``: the expressions depend on these only (the
    parameters are symbols), which is the cache's key. ``subs`` also finds a current that
    sympy has merged into a larger product or power (JART's i^2 R terms)."""
    m = cls(**dict(options))
    cur, rate = m.current_expr, m.rate_expr
    branches = [a for a, _ in cur.args] if isinstance(cur, sp.Piecewise) else [cur]
    branches = [b for b in branches if b.has(m.v) and not b.is_Atom]   # not a constant or a bare symbol
    # the literal subtrees first (fast), then subs for the merged ones (JART: 6.3 s -> 1.6 s)
    out = rate.xreplace({b: _I_SENSE for b in branches})
    for b in branches:
        out = out.subs(b, _I_SENSE)
    return out, _I_SENSE in out.free_symbols


@functools.cache
def _pyspice_subcircuit_base():
    """PySpice's ``SubCircuit`` class, or None (said once, on memlab's logger) when PySpice is missing."""
    try:
        from PySpice.Spice.Netlist import SubCircuit
    except ImportError as exc:  # PySpice is a dependency; stay usable for text output without it
        _log.warning("PySpice is not importable (%s): DeviceSubcircuit.pyspice is None; the netlist text is "
                     "unaffected (run `make setup` to install PySpice)", exc)
        return None
    return SubCircuit


def _pyspice_subcircuit(name, defaults, x0, lines):
    """The same subcircuit as a PySpice ``SubCircuit`` (elements added as raw lines)."""
    SubCircuit = _pyspice_subcircuit_base()
    if SubCircuit is None:
        return None

    class _Generated(SubCircuit):
        NAME = name
        NODES = ("te", "be")

        def __init__(self):
            super().__init__(name, "te", "be", x0=x0, **defaults)
            self._body = [ln for ln in lines[1:-1]]

        def __str__(self):
            return "\n".join([lines[0]] + self._body + [lines[-1]]) + "\n"

    return _Generated()
