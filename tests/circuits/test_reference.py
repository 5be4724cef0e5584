"""memlab against stored ngspice runs (tests/circuits/reference/, house style §7.14): no ngspice needed.

For every reference case: (a) memlab still writes the stored netlist byte for byte, so the
stored ngspice output is the output of today's netlist; (b) memlab's own solvers (the native
cell simulator, the memlab.arrays Kirchhoff solver), which share no code with ngspice, agree
with the stored ngspice vectors. Regenerate the fixtures with
``.venv/bin/python tests/circuits/reference/cases.py`` (see that file).

Tolerances: the transient loops use the issue-3 agreement target, max current error <= 1 %
of the peak current on the drive's output grid (ngspice's points linearly interpolated
onto it, as :func:`~memlab.circuits.characterize` does; at >= 100 points per period and
4 ngspice steps per output point the interpolation error is far below 1 %); the .op cases use
1e-6 relative as in test_crossbar_cells.py (ngspice .op at reltol 1e-9, vntol 1e-12 V; the
solver converges to rtol 1e-10: three decades of margin).
"""
import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

from memlab.devices import Trace

_spec = importlib.util.spec_from_file_location("memlab_reference_cases",
                                               pathlib.Path(__file__).parent / "reference" / "cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

TRANSIENT = sorted(cases.transient_cases())
CROSSBAR = sorted(cases.crossbar_cases())


@pytest.fixture(autouse=True)
def no_ngspice(monkeypatch):
    """These tests must pass where ngspice is absent: starting it here is an error."""
    from memlab.circuits import _ngspice

    def refuse(*a, **k):
        raise AssertionError("a reference test tried to start ngspice")
    monkeypatch.setattr(_ngspice.NgspiceRunner, "__init__", refuse)
    monkeypatch.setattr(_ngspice, "_RUNNER", None)


def test_every_case_has_its_fixtures():
    stored = {p.stem for p in (pathlib.Path(__file__).parent / "reference").glob("*.cir")}
    assert stored == set(cases.names())
    for name in cases.names():
        head = (cases.HERE / f"{name}.txt").read_text().splitlines()[:2]
        assert head[0].startswith(f"# memlab reference case {name}")
        assert "ngspice 39" in head[1] and "generated 20" in head[1]      # version and date


@pytest.mark.parametrize("name", cases.names())
def test_netlist_text_is_byte_identical(name):
    stored = (cases.HERE / f"{name}.cir").read_bytes()
    assert cases.netlist(name).encode("utf8") == stored


@pytest.mark.parametrize("name", TRANSIENT)
def test_native_cell_simulator_matches_stored_ngspice_loop(name):
    from memlab.circuits import characterize, compare_traces
    cell, drive, kw = cases.transient_cases()[name]
    ng = cases.read(name)
    m = cell.device
    lo, hi = (float(b) for b in m.bounds())
    bottom = {"1R": None, "1S1R": "m", "1T1R": "d"}[cell.kind]
    v = ng["te"] - (ng[bottom] if bottom else 0.0)
    t = drive.time_grid()      # as characterize does: ngspice's points interpolated onto the drive's grid
    at = lambda a: np.interp(t, ng["time"], a)
    ref = Trace(t=t, v=at(v), i=at(ng["vsense#branch"]), x=at(lo + (hi - lo) * np.clip(ng["x1.xs"], 0.0, 1.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nat = characterize(cell, drive, x0=kw["x0"], simulator="native", rtol=1e-8)
    c = compare_traces(ref, nat, state_range=hi - lo)
    assert c.i_max < 0.01, f"{name}: {c}"                       # issue-3 target: 1 % of peak current
    assert np.ptp(nat.x) / (hi - lo) > 0.1      # the state moves: the loop tests the dynamics, not only I-V
    assert np.allclose(ng["in"], drive.value(ng["time"]), rtol=0, atol=1e-9 * drive.amplitude)


@pytest.mark.parametrize("name", CROSSBAR)
def test_arrays_solver_matches_stored_ngspice_op(name):
    from memlab.arrays import Crossbar
    kw = dict(cases.crossbar_cases()[name])
    x, v, cell = kw.pop("x"), kw.pop("v_in"), kw.pop("cell")
    ng = cases.read(name)
    M, N = x.shape
    i_out = np.array([ng[f"vs{j}#branch"][0] for j in range(N)])
    i_in = np.array([-ng[f"vin{i}#branch"][0] for i in range(M)])
    v_word = np.array([[ng[f"w_{i}_{j}"][0] for j in range(N)] for i in range(M)])
    sol = (Crossbar(x, **kw) if cell is None else Crossbar(x, cell=cell, **kw)).solve(v)
    assert np.max(np.abs(i_out - sol.i_out)) <= 1e-6 * np.max(np.abs(sol.i_out))
    assert np.max(np.abs(i_in - sol.i_in)) <= 1e-6 * np.max(np.abs(sol.i_in))
    assert np.max(np.abs(v_word - sol.v_word)) <= 1e-6 * np.max(np.abs(v))
    if cell is not None:                                          # the odd power keeps its sign
        assert np.any(v_word - np.array([[ng[f"b_{i}_{j}"][0] for j in range(N)] for i in range(M)]) < -0.1)
