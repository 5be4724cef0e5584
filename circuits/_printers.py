"""Code printers: sympy device expressions as ngspice B-source and Verilog-A text.

Both printers follow sympy's code-printer design (house style §2, §7.1): the output is
chosen per expression class (``_print_<Class>``), the differences between targets are
kept as data (``known_functions``, ``reserved_words``), and an unsupported construct
raises :class:`~memlab.errors.UnsupportedExpressionError` naming the model, the
construct and the target (``strict=True`` is the default). A ``Piecewise`` without a
default branch ``(expr, True)`` is rejected: the generated expression might not evaluate
to anything.

ngspice semantics that the printer takes care of (checked against ngspice 39):

* ``pow(a, b)``, ``a^b`` and ``a**b`` compute ``|a|^b``; ``pwr(a, b)`` computes
  ``sgn(a)|a|^b``. Integer powers therefore print as ``pow`` (even) or ``pwr`` (odd); a
  symbolic exponent on a base of unknown sign prints a ternary that restores the sign of
  an integer power (``cos(pi*e)`` is exactly +-1 for integer ``e``).
* ``log`` and ``ln`` are the natural logarithm; ``u(0) = 0.5`` like sympy's
  ``Heaviside(0)``; ``sgn`` is sign; ``exp`` saturates above an argument of ~228.
* Conditions use ``< <= > >= == !=``, ``&&``, ``||``, ``!`` and ``c ? a : b``.

``smooth=b`` (V or the argument's unit) replaces ``Heaviside``, ``Abs``, ``sign``,
``Min`` and ``Max`` by smooth versions of width ``b`` (docs/notes/devices.md §8: smooth step
``1/(1+exp(-x/b))``, smooth ``|x| = x tanh(x/(2b))``); the exact forms are the default.
"""
from __future__ import annotations

import math

import sympy as sp
from sympy.printing.codeprinter import CodePrinter
from sympy.printing.c import C99CodePrinter
from sympy.printing.precedence import precedence

from memlab._validate import real
from memlab.errors import UnsupportedExpressionError

__all__ = ["NgspiceBSourcePrinter", "VerilogAPrinter", "ngspice_code", "verilog_a_code",
           "known_functions_ngspice", "known_functions_veriloga"]

#: sympy function name -> ngspice B-source function name
known_functions_ngspice = {
    "exp": "exp", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "sin": "sin", "cos": "cos",
    "tan": "tan", "asin": "asin", "acos": "acos", "atan": "atan", "asinh": "asinh",
    "acosh": "acosh", "atanh": "atanh", "sqrt": "sqrt", "Abs": "abs", "sign": "sgn",
    "floor": "floor", "ceiling": "ceil",
}

#: sympy function name -> Verilog-A analog function name
known_functions_veriloga = {
    "exp": "exp", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "sin": "sin", "cos": "cos",
    "tan": "tan", "asin": "asin", "acos": "acos", "atan": "atan", "asinh": "asinh",
    "acosh": "acosh", "atanh": "atanh", "sqrt": "sqrt", "Abs": "abs", "floor": "floor",
    "ceiling": "ceil", "log": "ln",
}

#: names that are ngspice functions/constants and must not be used for parameters
reserved_words_ngspice = frozenset(
    {"abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "ln", "log",
     "log10", "sin", "sinh", "sqrt", "tan", "tanh", "u", "u2", "uramp", "sgn", "pow", "pwr", "min",
     "max", "floor", "ceil", "nint", "int", "ternary_fcn", "pi", "e", "time", "temper", "hertz",
     "v", "i", "gauss", "agauss", "unif", "aunif", "limit", "if", "table", "tablef", "m"})


class _StrictMixin:
    """Shared by both text printers: strict handling of unsupported constructs (an error
    naming the model, the construct and the target), the function table lookup, symbol
    substitution, ``ln``, plain decimal numbers, C-style logic and the Piecewise default-branch rule."""

    def _unsupported(self, expr, why=""):
        extra = f" ({why})" if why else ""
        raise UnsupportedExpressionError(
            f"model {self._settings['model']!r}: construct {type(expr).__name__} `{sp.sstr(expr)}` "
            f"is not supported by the {self.language} printer{extra}")

    def _print_not_supported(self, expr):
        if self._settings.get("strict", True):
            self._unsupported(expr)
        try:
            self._not_supported.add(expr)
        except TypeError:
            pass
        return sp.sstr(expr)

    def _print_Function(self, expr):
        if expr.func.__name__ not in self.known_functions:
            return self._print_not_supported(expr)
        return CodePrinter._print_Function(self, expr)

    def _print_Pi(self, expr):
        return self.constants["pi"]

    def _print_Exp1(self, expr):
        return self.constants["e"]

    def _print_Symbol(self, expr):
        sym = self._settings["symbols"].get(expr)
        return sym if sym is not None else expr.name

    def _print_BooleanTrue(self, expr):
        return "1"

    def _print_BooleanFalse(self, expr):
        return "0"

    def _print_log(self, expr):
        if len(expr.args) != 1:
            return self._print_not_supported(expr)
        return f"ln({self._print(expr.args[0])})"

    def _print_Infinity(self, expr):
        self._unsupported(expr, f"infinite values have no {self.language} representation")

    _print_NegativeInfinity = _print_Infinity
    _print_ComplexInfinity = _print_Infinity

    def _print_NaN(self, expr):
        self._unsupported(expr, f"NaN has no {self.language} representation")

    def _pow_special(self, expr):
        """Text of ``a**-1``, ``a**(1/2)`` and ``a**(-1/2)`` (alike in both targets but for the
        literal one), or None for any other power."""
        base, e = expr.args
        one = self.constants["one"]
        if e == -1:
            return f"{one}/{self.parenthesize(base, precedence(expr))}"
        if e == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if e == -sp.Rational(1, 2):
            return f"{one}/sqrt({self._print(base)})"
        return None

    def _require_default_branch(self, expr):
        if expr.args[-1].cond != sp.true:
            raise UnsupportedExpressionError(
                f"model {self._settings['model']!r}: Piecewise `{sp.sstr(expr)}` has no default branch "
                f"(expr, True); without one the {self.language} expression may not evaluate to anything")

    def _print_Float(self, expr):
        return _num(float(expr))

    def _print_Rational(self, expr):
        return _num(float(expr))

    def _print_Integer(self, expr):
        return str(int(expr))

    # C-style logic is common to ngspice B-sources and Verilog-A
    def _print_And(self, expr):
        return "(" + " && ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " || ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"!({self._print(expr.args[0])})"


class NgspiceBSourcePrinter(_StrictMixin, CodePrinter):
    """Print sympy expressions as ngspice behavioural-source (B element) expressions.

    Settings (besides sympy's CodePrinter settings):

    strict : bool, default True
        Raise :class:`UnsupportedExpressionError` on a construct ngspice cannot express.
    model : str
        Name of the device model, used in error messages.
    symbols : dict
        ``{sympy.Symbol: "text"}``: what to print for each symbol (e.g. ``v`` ->
        ``V(te,be)``). Symbols not in the map print by name.
    smooth : float, default 0
        Width of the smooth replacements for Heaviside/Abs/sign/Min/Max; 0 = exact.
    smooth_piecewise : float, default 0
        Relative width ``w``: a Piecewise branch whose condition compares ``a`` and ``b``
        is blended with the rest by ``1/(1 + exp(-(a - b)/(w (|a| + |b|))))`` instead of
        a ternary (continuous thresholds for ngspice); 0 = exact ternaries.
    smooth_piecewise_symbols : iterable of Symbol
        If given, only conditions that contain one of these symbols are blended.
    """

    printmethod = "_ngspice"
    language = "ngspice"
    constants = {"pi": "pi", "e": "exp(1)", "one": "1"}
    _default_settings = dict(CodePrinter._default_settings, strict=True, model="<expression>",
                             symbols={}, smooth=0.0, smooth_piecewise=0.0, smooth_piecewise_symbols=(),
                             user_functions={})
    _operators = {"and": "&&", "or": "||", "not": "!"}

    def __init__(self, settings=None):
        super().__init__(settings)
        for key in ("smooth", "smooth_piecewise"):   # widths: None or 0 mean exact
            if self._settings.get(key) is not None:
                self._settings[key] = real(self._settings[key], key, lo=0.0, where="NgspiceBSourcePrinter")
        self.known_functions = dict(known_functions_ngspice)
        self.known_functions.update(self._settings.get("user_functions", {}))
        self.reserved_words = set(reserved_words_ngspice)

    emptyPrinter = _StrictMixin._print_not_supported

    def _print_Basic(self, expr, **kwargs):
        return self._print_not_supported(expr)

    # CodePrinter plumbing (not used: we print single expressions)
    def _rate_index_position(self, p):
        return p * 5

    def _get_statement(self, codestring):
        return codestring

    def _get_comment(self, text):
        return f"* {text}"

    def _declare_number_const(self, name, value):
        return f".param {name} = {value}"

    def _format_code(self, lines):
        return lines

    def _traverse_matrix_indices(self, mat):
        return self._print_not_supported(mat)

    # -------------------------------------------------------------- atoms
    def _print_Half(self, expr):
        return "0.5"

    def _print_ImaginaryUnit(self, expr):
        self._unsupported(expr, "B-sources are real-valued")

    # -------------------------------------------------------------- functions
    def _smooth_width(self):
        return float(self._settings.get("smooth") or 0.0)

    def _print_Heaviside(self, expr):
        x = self._print(expr.args[0])
        b = self._smooth_width()
        if b > 0:
            return f"(1/(1 + exp(-({x})/{_num(b)})))"
        h0 = expr.args[1] if len(expr.args) > 1 else sp.Rational(1, 2)
        if h0 == sp.Rational(1, 2):
            return f"u({x})"
        return f"(({x}) > 0 ? 1 : (({x}) < 0 ? 0 : {self._print(h0)}))"

    def _smooth_or_exact(self, expr, smooth: str, exact: str) -> str:
        """``smooth`` (placeholders ``{x}``, ``{b2}`` = 2 x width) when smoothing is on, else ``exact``."""
        x = self._print(expr.args[0])
        b = self._smooth_width()
        return smooth.format(x=x, b2=_num(2 * b)) if b > 0 else exact.format(x=x)

    def _print_Abs(self, expr):
        return self._smooth_or_exact(expr, "(({x})*tanh(({x})/{b2}))", "abs({x})")

    def _print_sign(self, expr):
        return self._smooth_or_exact(expr, "tanh(({x})/{b2})", "sgn({x})")

    def _minmax(self, expr, name):
        args = [self._print(a) for a in expr.args]
        b = self._smooth_width()
        out = args[0]
        for a in args[1:]:
            if b > 0:
                d = f"({out}) - ({a})"
                sgn = "+" if name == "max" else "-"
                out = f"(0.5*(({out}) + ({a}) {sgn} ({d})*tanh(({d})/{_num(2 * b)})))"
            else:
                out = f"{name}({out}, {a})"
        return out

    def _print_Min(self, expr):
        return self._minmax(expr, "min")

    def _print_Max(self, expr):
        return self._minmax(expr, "max")

    # -------------------------------------------------------------- arithmetic
    def _print_Pow(self, expr, rational=False):
        special = self._pow_special(expr)
        if special is not None:
            return special
        base, e = expr.args
        b = self._print(base)
        if e.is_Integer:
            n = int(e)
            if n % 2 == 0 or base.is_nonnegative:
                return f"pow({b}, {n})"
            return f"pwr({b}, {n})"
        es = self._print(e)
        if base.is_nonnegative or (e.is_Number and not e.is_Integer):
            # non-integer constant exponent: real only for a non-negative base
            return f"pow({b}, {es})"
        # symbolic exponent, base of unknown sign: C pow semantics for integer exponents
        return f"(({b}) >= 0 ? pow({b}, {es}) : cos(pi*({es}))*pow({b}, {es}))"

    def _print_Relational(self, expr):
        ops = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        op = expr.rel_op
        if op not in ops:
            return self._print_not_supported(expr)
        return f"{self._print(expr.lhs)} {ops[op]} {self._print(expr.rhs)}"

    def _print_ITE(self, expr):
        return self._print(expr.rewrite(sp.Piecewise))

    def _print_Piecewise(self, expr):
        self._require_default_branch(expr)
        w = float(self._settings.get("smooth_piecewise") or 0.0)
        out = self._print(expr.args[-1].expr)
        for e, c in reversed(expr.args[:-1]):
            only = self._settings.get("smooth_piecewise_symbols")
            if (w > 0 and isinstance(c, sp.core.relational.Relational) and c.rel_op in ("<", "<=", ">", ">=")
                    and (not only or c.free_symbols & set(only))):
                # logistic blend across a relative width w of the compared quantities
                a, b = self._print(c.lhs), self._print(c.rhs)
                z = f"(({a}) - ({b}))" if c.rel_op in (">", ">=") else f"(({b}) - ({a}))"
                scale = f"({_num(w)}*(abs({a}) + abs({b})) + 1e-300)"
                sig = f"(1/(1 + exp(-{z}/{scale})))"
                out = f"(({self._print(e)})*{sig} + ({out})*(1 - {sig}))"
            else:
                out = f"({self._print(c)} ? {self._print(e)} : {out})"
        return out


class VerilogAPrinter(_StrictMixin, C99CodePrinter):
    """Print sympy expressions as Verilog-A analog expressions.

    ``ln`` is the natural logarithm, ``pow`` is used for non-trivial powers, ``Piecewise``
    becomes nested ``c ? a : b`` (a default branch is required), logical operators are
    ``&& || !``. Settings: ``strict`` (default True), ``model`` (for messages),
    ``symbols`` ({Symbol: text}).
    """

    printmethod = "_veriloga"
    language = "Verilog-A"
    constants = {"pi": "`M_PI", "e": "exp(1.0)", "one": "1.0"}
    _default_settings = dict(C99CodePrinter._default_settings, strict=True, model="<expression>",
                             symbols={})

    def __init__(self, settings=None):
        super().__init__(settings)
        self.known_functions = dict(known_functions_veriloga)
        self.known_functions.update(self._settings.get("user_functions", {}))

    def _print_math_func(self, expr, nest=False, known=None):
        return self._print_Function(expr)

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_sign(self, expr):
        x = self._print(expr.args[0])
        return f"(({x}) > 0 ? 1.0 : (({x}) < 0 ? -1.0 : 0.0))"

    def _print_Heaviside(self, expr):
        x = self._print(expr.args[0])
        h0 = expr.args[1] if len(expr.args) > 1 else sp.Rational(1, 2)
        return f"(({x}) > 0 ? 1.0 : (({x}) < 0 ? 0.0 : {self._print(h0)}))"

    def _print_Min(self, expr):
        out = self._print(expr.args[0])
        for a in expr.args[1:]:
            out = f"min({out}, {self._print(a)})"
        return out

    def _print_Max(self, expr):
        out = self._print(expr.args[0])
        for a in expr.args[1:]:
            out = f"max({out}, {self._print(a)})"
        return out

    def _print_Pow(self, expr, rational=False):
        special = self._pow_special(expr)
        if special is not None:
            return special
        return f"pow({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_Relational(self, expr):
        return f"{self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)}"

    def _print_Piecewise(self, expr):
        self._require_default_branch(expr)
        out = self._print(expr.args[-1].expr)
        for e, c in reversed(expr.args[:-1]):
            out = f"(({self._print(c)}) ? {self._print(e)} : {out})"
        return out


# C99CodePrinter binds _print_<mathfunc> (gamma, erf, ...) to its own math-function printer;
# route every one not overridden above through the Verilog-A table (unknown -> error)
from sympy.printing.c import known_functions_C99 as _kf99  # noqa: E402
for _name in _kf99:
    if f"_print_{_name}" not in VerilogAPrinter.__dict__:
        setattr(VerilogAPrinter, f"_print_{_name}", VerilogAPrinter._print_math_func)


def _num(x: float) -> str:
    """Shortest round-trip text of a float, in a form both targets parse."""
    if not math.isfinite(x):
        raise UnsupportedExpressionError(f"non-finite number {x!r} cannot be printed")
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x)}.0" if x != 0 else "0.0"
    return repr(x)


def ngspice_code(expr, *, model: str = "<expression>", symbols: dict | None = None, strict: bool = True,
                 smooth: float = 0.0, smooth_piecewise: float = 0.0) -> str:
    """``expr`` as an ngspice B-source expression (see :class:`NgspiceBSourcePrinter`)."""
    return NgspiceBSourcePrinter({"model": model, "symbols": symbols or {}, "strict": strict,
                                  "smooth": smooth, "smooth_piecewise": smooth_piecewise}).doprint(sp.sympify(expr))


def verilog_a_code(expr, *, model: str = "<expression>", symbols: dict | None = None, strict: bool = True) -> str:
    """``expr`` as a Verilog-A analog expression (see :class:`VerilogAPrinter`)."""
    return VerilogAPrinter({"model": model, "symbols": symbols or {}, "strict": strict}).doprint(sp.sympify(expr))
