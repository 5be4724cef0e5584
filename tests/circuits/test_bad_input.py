"""Bad input gives a clear memlab exception, and ngspice failures never end the process."""
import os
import subprocess
import sys

import pytest
import sympy as sp

from memlab.devices import DeviceModel, Param, StateVar, VTEAM, Sine
from memlab.circuits import (characterize, subcircuit, run_netlist, OneR, OneT1R, write_verify, compare_traces,
                             DCSweep)
from memlab.errors import (ConvergenceError, NetlistError, ParameterError, ShapeError,
                           UnsupportedExpressionError)


class ErfDevice(DeviceModel):
    """A toy model whose current uses erf, which ngspice B-sources do not have."""

    name = "erf device"
    state = StateVar("x", 0.0, 1.0, "1", 0.5, "state")
    parameters = (Param("g", 1e-3, "S", lo=0.0, doc="conductance"),)

    def equations(self, v, x, p):
        return p.g * v * (1 + sp.erf(x)), -x + v


class NoDefaultBranch(DeviceModel):
    name = "no default branch"
    state = StateVar("x", 0.0, 1.0, "1", 0.5, "state")
    parameters = (Param("g", 1e-3, "S", lo=0.0, doc="conductance"),)

    def equations(self, v, x, p):
        return p.g * v * x, sp.Piecewise((v, v > 0.5))


SINE = Sine(amplitude=1.0, frequency=1e6, periods=1, points_per_period=100)


def test_unsupported_expression_names_model_and_construct():
    with pytest.raises(UnsupportedExpressionError) as err:
        subcircuit(ErfDevice())
    assert "erf device" in str(err.value) and "erf" in str(err.value)
    with pytest.raises(UnsupportedExpressionError, match="no default branch"):
        characterize(NoDefaultBranch(), SINE)


@pytest.mark.parametrize("kw, match", [
    ({"max_step": -1e-9}, r"'max_step' = -1e-09 .*\(0, inf\)"),
    ({"t_step": -1e-9}, "'t_step' = -1e-09"),
    ({"max_step": 0.0}, "'max_step' = 0.0"),
    ({"max_step": 2e-6}, r"longer than the drive period 1e-06 s"),
    ({"t_step": 5e-6}, r"longer than the drive period"),
    ({"max_step": float("nan")}, "max_step"),
    ({"x0": 4e-9}, r"'x0' = 4e-09 .*\[0, 3e-09\]"),
    ({"simulator": "spectre"}, "simulator"),
    ({"retries": -1}, "retries"),
    ({"t": [0.0, 1e-7, 5e-8]}, "strictly increasing"),
])
def test_bad_characterize_arguments(kw, match):
    with pytest.raises(ParameterError, match=match):
        characterize(VTEAM(), SINE, **kw)


def test_unknown_node_names():
    with pytest.raises(NetlistError, match=r"unknown node name\(s\) \['bitline'\].*known nodes"):
        characterize(OneT1R(VTEAM()), SINE, save=["d", "bitline"])
    tr = characterize(OneT1R(VTEAM(R_on=1e3, R_off=2e4)), SINE, save=["d", "g"])
    assert set(tr.stats["nodes"]) == {"d", "g"} and abs(tr.stats["nodes"]["g"][-1] - 1.2) < 1e-9
    res = run_netlist("t\nV1 a 0 dc 1\nR1 a 0 1k\n.op\n.end")
    with pytest.raises(NetlistError, match="no vector 'nowhere'"):
        res.vec("nowhere")


def test_ngspice_errors_do_not_kill_the_interpreter():
    # a malformed netlist, an unknown model, a circuit without a DC solution: all exceptions
    with pytest.raises(NetlistError):
        run_netlist("garbage title\nxyz abc def\n.tran 1u 1m\n.end")
    with pytest.raises(NetlistError, match="modelname|model"):
        run_netlist("t\nV1 a 0 dc 1\nQ1 a a 0 nomodel\n.op\n.end")
    with pytest.raises(ConvergenceError) as err:
        run_netlist("t\nV1 a 0 dc 1\nB1 a b I=V(b)*V(b)*1e3+1\n.op\n.end")
    assert err.value.log  # ngspice's own messages travel with the exception
    # ngspice still works afterwards
    res = run_netlist("t\nV1 a 0 dc 2\nR1 a 0 1k\n.op\n.end")
    assert res.vec("v1#branch")[0] == pytest.approx(-2e-3)


def test_missing_ngspice_library_says_make_setup():
    code = ("from memlab.errors import SimulatorNotFoundError\nimport memlab.circuits as c\n"
            "try:\n    c.get_runner()\nexcept SimulatorNotFoundError as e:\n    print('SNF', e)\n")
    env = dict(os.environ, NGSPICE_LIBRARY_PATH="/nonexistent/libngspice.so")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "SNF" in out.stdout and "make setup" in out.stdout


def test_bad_cells_drives_and_programming():
    with pytest.raises(ParameterError, match="r_series"):
        OneR(VTEAM(), r_series=-1.0)
    with pytest.raises(ParameterError, match="drive"):
        characterize(VTEAM(), "sine")
    with pytest.raises(ParameterError, match="step"):
        DCSweep(0.0, 1.0, -0.1)
    with pytest.raises(ParameterError, match="target"):
        write_verify(VTEAM(), (5e-4, 4e-4), v_set=-0.3, v_reset=0.5, width=1e-9)
    with pytest.raises(ParameterError, match="width"):
        write_verify(VTEAM(), (4e-4, 5e-4), v_set=-0.3, v_reset=0.5, width=-1e-9)
    a = characterize(VTEAM(), SINE, simulator="native")
    b = characterize(VTEAM(), Sine(amplitude=1.0, frequency=1e6, periods=1, points_per_period=70),
                     simulator="native")
    with pytest.raises(ShapeError, match="time grids differ"):
        compare_traces(a, b)


def test_pyspice_version_warning_is_silenced_and_logging_untouched():
    # a fresh interpreter: loading libngspice through memlab prints nothing on stderr (PySpice
    # would log "Unsupported Ngspice version 39" through logging's last-resort handler)
    code = ("import logging\nimport memlab.circuits as c\n"
            "r = c.run_netlist('t\\nV1 a 0 dc 1\\nR1 a 0 1k\\n.op\\n.end')\n"
            "print(r.vec('v1#branch')[0])\n"
            "print(logging.getLogger().handlers, logging.getLogger('PySpice').level)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert out.stdout.split("\n")[0] == "-0.001"
    assert out.stdout.split("\n")[1] == "[] 0"          # no handler added, PySpice's level untouched


def test_missing_pyspice_is_said_once_and_text_still_works():
    # a fresh interpreter where PySpice's netlist module cannot be imported (ImportError only;
    # other errors in a broken install are not swallowed)
    code = ("import sys, logging\nsys.modules['PySpice.Spice.Netlist'] = None\n"
            "logging.basicConfig(level=logging.WARNING, format='%(name)s: %(message)s')\n"
            "import memlab.circuits as c\nfrom memlab.devices import VTEAM, Selector\n"
            "a = c.subcircuit(VTEAM()); b = c.subcircuit(Selector())\n"
            "print(a.pyspice is None, b.pyspice is None, a.text.startswith('.subckt VTEAM'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True True True"
    said = [ln for ln in out.stderr.splitlines() if "PySpice is not importable" in ln]
    assert len(said) == 1 and said[0].startswith("memlab.circuits._subckt:")
