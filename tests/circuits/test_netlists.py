"""Netlist and Verilog-A text tests (no ngspice needed)."""
import numpy as np
import pytest

from memlab.devices import (VTEAM, TEAM, HPLinearDrift, StanfordPKU, Selector, Sine, Triangle,
                            MODELS)
from memlab.circuits import (subcircuit, cell_netlist, verilog_a_module, OneR, OneS1R, OneT1R, DCSweep)
from memlab.errors import ParameterError


def test_vteam_subcircuit_text():
    sub = subcircuit(VTEAM())
    lines = sub.text.split("\n")
    assert lines[0].startswith(".subckt VTEAM_linear_none te be x0=0.0 rmax=1e30 tedge=1e-15 m_r_on=50.0 "
                               "m_r_off=1000.0 m_x_on=0.0 m_x_off=3e-09 m_k_off=0.0005 m_k_on=-10.0")
    assert "Cx xs 0 1 ic={(x0 - (m_x_on))/((m_x_off) - (m_x_on))}" in lines
    assert "Raux xs 0 1e12" in lines
    bx = [ln for ln in lines if ln.startswith("Bx 0 xs i=min(max(")][0]
    assert "(V(te,be) > m_v_off ? m_k_off*" in bx
    assert bx.endswith("/(m_x_off - m_x_on), max(-rmax, -V(xs)/tedge)), min(rmax, (1 - V(xs))/tedge))")
    assert not any(ln.startswith("Br ") for ln in lines)
    assert lines[-2] == ("Bi te be i=V(te,be)/(m_r_on + (m_r_off - m_r_on)*(((m_x_on) + ((m_x_off) - (m_x_on))"
                         "*min(max(V(xs), 0), 1)) - m_x_on)/(m_x_off - m_x_on))")
    assert lines[-1] == ".ends VTEAM_linear_none"
    assert "\r" not in sub.text


def test_a_rate_that_depends_on_the_current_reads_the_sense_source():
    # TEAM's rate is a function of the device current: the subcircuit measures it with the
    # zero-volt source Vi (te -> ti) in series with Bi and the rate reads i(Vi), so the
    # current's expression is not repeated in the rate (ngspice differentiates and evaluates
    # it at each Newton iteration; JART's ngspice transient took 53.7 s with the expression
    # inlined, 16.2 s with the sense source, the same agreement with the native solver to
    # 4e-5 of the peak: tests/circuits/test_agreement.py checks TEAM, PCM and JART)
    sub = subcircuit(TEAM())
    lines = sub.text.split("\n")
    assert "Vi te ti dc 0" in lines
    assert lines[-2] == f"Bi ti be i={sub.current}"
    bx = [ln for ln in lines if ln.startswith("Bx 0 xs i=")][0]
    assert "i(Vi)" in bx and sub.current not in bx
    # VTEAM's rate depends on the voltage only: no sense source
    assert "Vi " not in subcircuit(VTEAM()).text and "i(Vi)" not in subcircuit(VTEAM()).rate


def test_case_insensitive_names_are_mangled_apart():
    # Stanford-PKU has both V0 (sinh voltage scale) and v0 (velocity): ngspice is case-insensitive
    sub = subcircuit(StanfordPKU())
    assert sub.param_map["V0"] != sub.param_map["v0"]
    assert {sub.param_map["V0"], sub.param_map["v0"]} == {"m_v0", "m_v0_1"}


def test_static_models_have_no_state_node():
    sub = subcircuit(Selector())
    assert sub.static and "Cx" not in sub.text and "Bi te be i=m_i_s*sinh(V(te,be)/m_v_s)" in sub.text
    frozen = subcircuit(VTEAM(), static=True)
    assert frozen.static and "Cx" not in frozen.text and "(x0)" in frozen.current


@pytest.mark.parametrize("key", sorted(MODELS))
def test_every_model_prints(key):
    m = MODELS[key]()
    sub = subcircuit(m)
    assert sub.text.startswith(".subckt ") and sub.text.endswith(f".ends {sub.name}")
    va = verilog_a_module(m)
    assert va.count("module ") == 1 and va.rstrip().endswith("endmodule") and "I(te, be) <+ " in va


def test_instance_line_and_checks():
    sub = subcircuit(VTEAM())
    line = sub.instance("7", "a", "b", VTEAM(R_on=100.0), x0=1e-9, rate_max=1e9, t_edge=1e-15)
    assert line.startswith("X7 a b VTEAM_linear_none x0=1e-09 rmax=1000000000.0 tedge=1e-15 m_r_on=100.0 ")
    with pytest.raises(ParameterError, match="x0"):
        sub.instance("1", "a", "b", x0=5e-9)          # above x_off = 3 nm
    with pytest.raises(ParameterError, match="differs"):
        sub.instance("1", "a", "b", TEAM())
    with pytest.raises(ParameterError, match="population"):
        sub.instance("1", "a", "b", VTEAM(R_on=np.array([50.0, 60.0])))


def test_cell_netlists():
    d = Sine(amplitude=1.0, frequency=1e6, periods=1, points_per_period=100)
    t1r = cell_netlist(OneT1R(VTEAM(), v_gate=1.1, r_series=50.0), d, t_step=1e-8, t_stop=1e-6, max_step=2.5e-9)
    lines = t1r.split("\n")
    assert "Vsrc in 0 dc 0 sin(0.0 1.0 1000000.0 0 0 0.0)" in lines
    assert "Rs in a 50.0" in lines and "Vsense a te dc 0" in lines
    assert "M1 d g 0 bulk nmos_memlab w=1e-06 l=1e-06" in lines and "Vg g 0 dc 1.1" in lines
    assert any(ln.startswith(".model nmos_memlab nmos level=1 vto=0.5 kp=0.0002 lambda=0.02 gamma=0") for ln in lines)
    assert lines[-2] == ".tran 1e-08 1e-06 0 2.5e-09 uic" and lines[-1] == ".end"
    s1r = cell_netlist(OneS1R(VTEAM()), d, t_step=1e-8, t_stop=1e-6, max_step=2.5e-9)
    assert "X2 m 0 Selector x0=0.0 m_i_s=1e-09 m_v_s=0.15 m_r_leak=1000000000000.0" in s1r.split("\n")
    dc = cell_netlist(OneR(HPLinearDrift()), DCSweep(-1.0, 1.0, 0.5), x0=0.3)
    assert ".dc Vsrc -1.0 1.0 0.5" in dc and "Cx" not in dc


def test_pwl_source_expands_periodic_repeats():
    from memlab.circuits._characterize import _source_line
    tri = Triangle(amplitude=1.0, frequency=1e3, periods=2)
    line = _source_line(tri)
    vals = np.array(line.split("pwl(")[1].replace("+", " ").replace(")", " ").split(), float).reshape(-1, 2)
    np.testing.assert_allclose(vals[:, 0], [0, 2.5e-4, 7.5e-4, 1e-3, 1.25e-3, 1.75e-3, 2e-3])
    np.testing.assert_allclose(vals[:, 1], [0, 1, -1, 0, 1, -1, 0])
    np.testing.assert_allclose(vals[:, 1], tri.value(vals[:, 0]))


def test_pyspice_subcircuit_object():
    from PySpice.Spice.Netlist import Circuit
    sub = subcircuit(VTEAM())
    assert str(sub.pyspice).strip() == sub.text
    c = Circuit("composed")
    c.subcircuit(sub.pyspice)
    assert sub.text in str(c)


def test_verilog_a_selector_module_exact():
    assert verilog_a_module(Selector()) == "\n".join([
        "// selector (no options): generated by memlab from the sympy model; do not edit",
        "// reference: sinh-type selector I-V (e.g. Burr et al., JVST B 32, 040802 (2014) review)",
        '`include "disciplines.vams"',
        '`include "constants.vams"',
        "",
        "module Selector(te, be);",
        "  inout te, be;",
        "  electrical te, be;",
        "  parameter real i_s = 1e-09 from (0.0:inf);  // A: current scale",
        "  parameter real v_s = 0.15 from (0.0:inf);  // V: voltage scale",
        "  parameter real r_leak = 1000000000000.0 from (0.0:inf);  // ohm: parallel leakage resistance",
        "  parameter real x0 = 0.0;  // 1: initial x (dummy (static model))",
        "  real v, x, s, r, i_dev;",
        "",
        "  analog begin",
        "    v = V(te, be);",
        "    x = x0;",
        "    i_dev = i_s*sinh(v/v_s) + v/r_leak;",
        "    I(te, be) <+ i_dev;",
        "  end",
        "endmodule", ""])


def test_verilog_a_vteam_state_lines():
    va = verilog_a_module(VTEAM()).split("\n")
    assert "  electrical te, be, xs;" in va
    assert "    x = (x_on) + ((x_off) - (x_on))*min(max(s, 0.0), 1.0);" in va
    assert ("    r = ((v > v_off) ? k_off*pow(v/v_off - 1, alpha_off) : ((v < v_on) ? "
            "k_on*pow(v/v_on - 1, alpha_on) : 0))/(x_off - x_on);") in va
    assert "    V(xs) <+ idt(r, (x0 - (x_on))/((x_off) - (x_on)));" in va
    assert "    i_dev = v/(R_on + (R_off - R_on)*(x - x_on)/(x_off - x_on));" in va
    assert "    I(te, be) <+ i_dev;" in va


def test_verilog_a_team_rate_reads_the_current_variable():
    # TEAM's rate is written in the current, as in Kvatinsky et al. 2013 (eq. 1): the module
    # computes i_dev once and the rate reads it
    va = verilog_a_module(TEAM()).split("\n")
    assert ("    r = ((i_dev > i_off) ? k_off*pow(i_dev/i_off - 1, alpha_off) : ((i_dev < i_on) ? "
            "k_on*pow(i_dev/i_on - 1, alpha_on) : 0))/(x_off - x_on);") in va
