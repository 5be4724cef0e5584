"""Exact-string tests of the ngspice B-source and Verilog-A printers (no ngspice needed).

The expected strings follow ngspice 39's B-source grammar (checked by hand in ngspice:
``pow(-2,3) = 8`` i.e. |base|^e, ``pwr(-2,3) = -8``, ``u(0) = 0.5``, ``log = ln``).
"""
import pytest
import sympy as sp

from memlab.circuits import NgspiceBSourcePrinter, VerilogAPrinter, ngspice_code, verilog_a_code
from memlab.errors import UnsupportedExpressionError

x, y = sp.symbols("x y", real=True)
p = sp.Symbol("p", positive=True)


@pytest.mark.parametrize("expr, expected", [
    (x + 2 * y, "x + 2*y"),
    (x / y, "x/y"),
    (1 / x, "1/x"),
    (x ** 2, "pow(x, 2)"),            # even power: |x|^2 = x^2
    (x ** 3, "pwr(x, 3)"),            # odd power needs ngspice's sign-keeping pwr
    (p ** 3, "pow(p, 3)"),            # non-negative base: plain pow
    (sp.sqrt(x), "sqrt(x)"),
    (x ** sp.Rational(-1, 2), "1/sqrt(x)"),
    (p ** y, "pow(p, y)"),
    (x ** y, "((x) >= 0 ? pow(x, y) : cos(pi*(y))*pow(x, y))"),
    (sp.exp(x), "exp(x)"),
    (sp.sinh(x), "sinh(x)"),
    (sp.log(x), "ln(x)"),
    (sp.Abs(x), "abs(x)"),
    (sp.sign(x), "sgn(x)"),
    (sp.Heaviside(x), "u(x)"),
    (sp.Heaviside(x, 1), "((x) > 0 ? 1 : ((x) < 0 ? 0 : 1))"),
    (sp.Min(x, y), "min(x, y)"),
    (sp.Max(x, y, 1), "max(max(1, x), y)"),
    (sp.Piecewise((x, x > 1), (0, True)), "(x > 1 ? x : 0)"),
    (sp.Piecewise((x, x > 1), (y, x < -1), (0, True)), "(x > 1 ? x : (x < -1 ? y : 0))"),
    (sp.Piecewise((x, sp.And(x > 0, y <= 2)), (0, True)), "(((y <= 2) && (x > 0)) ? x : 0)"),
    (sp.Piecewise((x, sp.Or(x > 0, sp.Not(y > 2))), (0, True)), "(((y <= 2) || (x > 0)) ? x : 0)"),
    (sp.Eq(x, y), "x == y"),
    (sp.Ne(x, 1), "x != 1"),
    (sp.Float(1.46e-18) * x, "1.46e-18*x"),
    (sp.pi * x, "pi*x"),
])
def test_ngspice_constructs(expr, expected):
    assert ngspice_code(expr) == expected


def test_ngspice_symbol_map():
    v, s = sp.symbols("v s", real=True)
    out = ngspice_code(v / (1 + s), symbols={v: "V(te,be)", s: "V(xs)"})
    assert out == "V(te,be)/(V(xs) + 1)"


@pytest.mark.parametrize("expr, expected", [
    (sp.Abs(x), "((x)*tanh((x)/2e-05))"),
    (sp.sign(x), "tanh((x)/2e-05)"),
    (sp.Heaviside(x), "(1/(1 + exp(-(x)/1e-05)))"),
    (sp.Max(x, y), "(0.5*((x) + (y) + ((x) - (y))*tanh(((x) - (y))/2e-05)))"),
])
def test_ngspice_smooth_variants(expr, expected):
    # smooth step 1/(1+exp(-x/b)) and |x| = x tanh(x/(2b)) (docs/notes/devices.md §8, Biolek 2013)
    assert ngspice_code(expr, smooth=1e-5) == expected


def test_piecewise_without_default_is_rejected():
    with pytest.raises(UnsupportedExpressionError, match=r"model 'VTEAM'.*no default branch"):
        ngspice_code(sp.Piecewise((x, x > 0)), model="VTEAM")
    with pytest.raises(UnsupportedExpressionError, match="no default branch"):
        verilog_a_code(sp.Piecewise((x, x > 0)))


@pytest.mark.parametrize("expr, construct", [
    (sp.gamma(x), "gamma"), (sp.Function("f")(x), "f"), (sp.oo * x, "Infinity"), (sp.I * x, "ImaginaryUnit"),
    (sp.besselj(0, x), "besselj"),
])
def test_unsupported_construct_names_model_and_construct(expr, construct):
    with pytest.raises(UnsupportedExpressionError) as err:
        ngspice_code(expr, model="MyModel")
    assert "MyModel" in str(err.value) and construct in str(err.value) and "ngspice" in str(err.value)


def test_non_strict_does_not_raise():
    out = NgspiceBSourcePrinter({"strict": False}).doprint(sp.gamma(x))
    assert "gamma" in out


@pytest.mark.parametrize("expr, expected", [
    (x ** 3, "pow(x, 3)"),
    (1 / x, "1.0/x"),
    (sp.sqrt(x), "sqrt(x)"),
    (sp.log(x), "ln(x)"),
    (sp.exp(x) * sp.sinh(y), "exp(x)*sinh(y)"),
    (sp.Abs(x), "abs(x)"),
    (sp.sign(x), "((x) > 0 ? 1.0 : ((x) < 0 ? -1.0 : 0.0))"),
    (sp.Heaviside(x), "((x) > 0 ? 1.0 : ((x) < 0 ? 0.0 : 0.5))"),
    (sp.Min(x, y), "min(x, y)"),
    (sp.Max(x, y), "max(x, y)"),
    (sp.Piecewise((x, x > 1), (y, x < -1), (0, True)), "((x > 1) ? x : ((x < -1) ? y : 0))"),
    (sp.Piecewise((x, sp.And(x > 0, y <= 2)), (0, True)), "((((y <= 2) && (x > 0))) ? x : 0)"),
    (sp.pi * x, "`M_PI*x"),
])
def test_verilog_a_constructs(expr, expected):
    assert verilog_a_code(expr) == expected


def test_verilog_a_unsupported():
    with pytest.raises(UnsupportedExpressionError, match="Verilog-A"):
        verilog_a_code(sp.gamma(x), model="M")


def test_printers_are_codeprinter_subclasses_with_tables():
    from sympy.printing.codeprinter import CodePrinter
    assert issubclass(NgspiceBSourcePrinter, CodePrinter) and issubclass(VerilogAPrinter, CodePrinter)
    pr = NgspiceBSourcePrinter()
    assert pr.known_functions["sign"] == "sgn" and pr._settings["strict"] is True
    assert VerilogAPrinter().known_functions["log"] == "ln"


def test_piecewise_blend_for_state_dependent_thresholds():
    # Piecewise((A, a < b), (B, True)) -> A s + B (1 - s), s = 1/(1 + exp(-(b - a)/(w (|a| + |b|))))
    out = ngspice_code(sp.Piecewise((x, y < 2), (0, True)), smooth_piecewise=1e-6)
    sig = "(1/(1 + exp(-((2) - (y))/(1e-06*(abs(y) + abs(2)) + 1e-300))))"
    assert out == f"((x)*{sig} + (0)*(1 - {sig}))"
    # restricted to conditions on chosen symbols: a threshold on y alone stays exact
    pr = NgspiceBSourcePrinter({"smooth_piecewise": 1e-6, "smooth_piecewise_symbols": (x,)})
    assert pr.doprint(sp.Piecewise((x, y < 2), (0, True))) == "(y < 2 ? x : 0)"
