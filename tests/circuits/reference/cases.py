"""Reference ngspice runs stored as text (house style §7.14): the cases and their regeneration.

Each case is a netlist exactly as memlab generates it (``<case>.cir``) and the vectors ngspice
computed from it (``<case>.txt``: plain text columns, a header naming the ngspice version and
the date). ``tests/circuits/test_reference.py`` checks, without starting ngspice, that memlab
still writes byte-identical netlists and that memlab's own solvers (native cell simulator,
memlab.arrays) agree with the stored ngspice vectors.

Regenerate by hand (needs ngspice; only after a deliberate change of the netlist text)::

    .venv/bin/python tests/circuits/reference/cases.py            # every case
    .venv/bin/python tests/circuits/reference/cases.py vteam_1r   # some cases

and commit the changed ``.cir``/``.txt`` files with the reason in the message.
"""
from __future__ import annotations

import datetime
import pathlib
import sys

import numpy as np
import sympy as sp

HERE = pathlib.Path(__file__).resolve().parent

#: crossbar wire, driver and sense resistances (ohm) of the crossbar cases
WIRES = dict(r_row=2.0, r_col=3.0, r_driver=5.0, r_sense=4.0)


def cubic_model():
    """A state-scaled v**3 cell, i = c3 x v**3 (A): an odd power, whose sign ngspice's pow loses."""
    from memlab.devices import DeviceModel, Param, StateVar

    class CubicCell(DeviceModel):
        name = "cubic reference cell"
        state = StateVar("x", 0.0, 1.0, "1", 0.5, "scale of the cubic current")
        parameters = (Param("c3", 1e-4, "A/V^3", 0.0, np.inf, "reference case", "cubic coefficient",
                            lo_open=True),)

        def equations(self, v, x, p):
            return p.c3 * x * v ** 3, sp.Integer(0)

    return CubicCell()


def _transient(cell, drive):
    """(cell, drive, cell_netlist keywords) with the step settings characterize chooses by default."""
    from memlab.devices import Sine
    t_out = drive.time_grid()
    dt = float(np.median(np.diff(t_out)))
    per_output = 4.0 if isinstance(drive, Sine) else 20.0
    kw = dict(x0=float(cell.device.state.x0), t_step=dt, t_stop=float(t_out[-1]),
              max_step=min(dt / per_output, drive.duration / 50))
    return cell, drive, kw


def transient_cases():
    """name -> (cell, drive, cell_netlist keywords)."""
    from memlab.circuits import OneR, OneS1R, OneT1R, MOSFET
    from memlab.devices import VTEAM, Sine
    return {
        "vteam_1r_sine": _transient(OneR(VTEAM()), Sine(amplitude=1.0, frequency=1e6, periods=1,
                                                         points_per_period=100)),
        "vteam_1s1r_sine": _transient(OneS1R(VTEAM(), r_series=50.0),
                                      Sine(amplitude=2.5, frequency=1e6, periods=1, points_per_period=200)),
        "vteam_1t1r_level1_sine": _transient(OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.5, mosfet=MOSFET(w=10e-6)),
                                             Sine(amplitude=1.0, frequency=1e6, periods=1, points_per_period=200)),
    }


def crossbar_cases():
    """name -> crossbar_netlist keywords (x, v_in, cell and the wires)."""
    rng = np.random.default_rng(10)
    return {
        "crossbar_linear_wires_op": dict(x=rng.uniform(1e-5, 1e-4, (3, 4)), v_in=np.array([0.3, -0.2, 0.1]),
                                         cell=None, **WIRES),
        "crossbar_cubic_op": dict(x=rng.uniform(0.2, 1.0, (3, 4)), v_in=np.array([0.8, -0.6, 0.4]),
                                  cell=cubic_model(), **WIRES),
    }


def netlist(name: str) -> str:
    """The netlist text memlab generates today for case ``name``."""
    from memlab.circuits import cell_netlist, crossbar_netlist
    tc = transient_cases()
    if name in tc:
        cell, drive, kw = tc[name]
        return cell_netlist(cell, drive, **kw)
    return crossbar_netlist(**crossbar_cases()[name])


def names() -> list[str]:
    return sorted(transient_cases()) + sorted(crossbar_cases())


def read(name: str) -> dict[str, np.ndarray]:
    """The stored ngspice vectors of case ``name`` (lower-case names as ngspice gives them)."""
    path = HERE / f"{name}.txt"
    header = [ln for ln in path.read_text().splitlines() if ln.startswith("#")]
    cols = header[-1].lstrip("#").split()
    data = np.loadtxt(path, comments="#", ndmin=2)
    return {c: data[:, k] for k, c in enumerate(cols)}


def _vector_names(name, vectors):
    if name in transient_cases():
        keep = ["time", "in", "te", "m", "d", "vsense#branch", "x1.xs"]
        return [k for k in keep if k in vectors]
    return sorted(k for k in vectors if k.startswith(("w_", "b_", "m_")) or k.endswith("#branch"))


def regenerate(name: str) -> None:
    from memlab.circuits import characterize, get_runner, run_netlist
    text = netlist(name)
    if name in transient_cases():
        cell, drive, kw = transient_cases()[name]
        # the stored netlist is the one characterize runs
        assert characterize(cell, drive, x0=kw["x0"]).stats["netlist"] == text, name
    res = run_netlist(text, what=f"reference case {name}")
    cols = _vector_names(name, res.vectors)
    data = np.column_stack([np.real(res.vectors[c]) for c in cols])
    version = get_runner().version
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    head = [f"memlab reference case {name}: ngspice output of {name}.cir",
            f"ngspice {version} (shared library libngspice via PySpice), generated {today} "
            f"by tests/circuits/reference/cases.py",
            f"plot {res.plot}; SI units (s, V, A; x1.xs is the normalised state in [0, 1])",
            " ".join(cols)]
    (HERE / f"{name}.cir").write_text(text, newline="")
    np.savetxt(HERE / f"{name}.txt", data, fmt="%.17g", header="\n".join(head), comments="# ")
    print(f"{name}: {data.shape[0]} rows x {len(cols)} vectors")


if __name__ == "__main__":
    for case in (sys.argv[1:] or names()):
        regenerate(case)
