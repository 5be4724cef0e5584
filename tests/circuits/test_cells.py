"""1S1R and 1T1R cells: native loop solver vs ngspice, and the 1T1R compliance current
against ngspice's own MOSFET operating point."""
import warnings

import numpy as np
import pytest

from memlab.devices import VTEAM, StanfordPKU, Sine, PWL
from memlab.circuits import (OneR, OneS1R, OneT1R, MOSFET, characterize, compare_traces, run_netlist, solve_cell)

pytestmark = pytest.mark.ngspice


def _native(cell, d, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return characterize(cell, d, simulator="native", rtol=1e-8, **kw)


@pytest.mark.parametrize("cell, amp", [
    (OneS1R(VTEAM(), r_series=50.0), 2.5),
    (OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.5, mosfet=MOSFET(w=10e-6)), 1.0),
], ids=["1S1R_vteam", "1T1R_vteam"])
def test_series_cells_native_vs_ngspice(cell, amp):
    d = Sine(amplitude=amp, frequency=1e6, periods=2, points_per_period=200)
    ng = characterize(cell, d)
    nat = _native(cell, d)
    lo, hi = cell.device.bounds()
    c = compare_traces(ng, nat, state_range=hi - lo)
    assert c.i_max < 0.01, str(c)                          # same 1 % target as the 1R loops
    assert np.ptp(nat.x) / (hi - lo) > 0.3                 # the device does switch in the cell


def test_1t1r_compliance_matches_ngspice_mosfet_op():
    """SET ramp on a Stanford-PKU device in HRS: after switching starts, the cell current is
    the transistor's saturation current at the gate voltage. Reference: a separate ngspice
    .op of the MOSFET alone at the same gate and drain voltages."""
    mos = MOSFET(w=2e-6)
    d = PWL(t=(0.0, 1e-6, 2e-6), v=(0.0, 3.0, 3.0), n_points=400)
    finals = []
    for vg in (1.4, 1.7, 2.0):
        cell = OneT1R(StanfordPKU(), v_gate=vg, mosfet=mos)
        tr = characterize(cell, d, x0=1.7e-9)
        v_drain = float(tr.v_source[-1] - tr.v[-1])
        op = run_netlist("\n".join([
            "mosfet alone", cell.model_line(),
            "M1 d g 0 bulk nmos_memlab w=2e-06 l=1e-06",
            f"Vd d 0 dc {v_drain!r}", f"Vg g 0 dc {vg!r}", "Vb bulk 0 dc -10", ".op", ".end"]))
        i_op = -float(op.vec("vd#branch")[0])
        i_cell = float(tr.i[-1])
        # same level-1 equations in both runs; the transient solves V(d) to reltol 1e-8
        assert i_cell == pytest.approx(i_op, rel=1e-6)
        # and both equal the Shichman-Hodges saturation current 0.5 beta (vg - vto)^2 (1 + lam vds)
        assert v_drain > vg - mos.values["vto"]                # saturation region
        assert i_cell == pytest.approx(cell.compliance(v_drain), rel=1e-6)
        # without the transistor the same device state would draw >= 100x more current
        assert OneR(cell.device).device.current(3.0, tr.x[-1]) > 100 * i_cell
        # the SET did start (gap shrank from 1.7 nm) and stopped at the compliance
        assert tr.x[-1] < 1.65e-9
        finals.append(i_cell)
        nat = _native(cell, d, x0=1.7e-9)
        assert compare_traces(tr, nat, state_range=1.5e-9).i_max < 0.01
    assert finals[0] < finals[1] < finals[2]                   # compliance rises with the gate voltage


def test_solve_cell_kcl():
    cell = OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.5, mosfet=MOSFET(w=10e-6), r_series=100.0)
    vs = np.array([-1.0, -0.3, 0.2, 0.8])
    x = 1e-9
    vd, u, i = solve_cell(cell, vs, x)
    # loop and node equations hold: v_source = vd + u + R i, i_dev(vd) = I_mos(u)
    np.testing.assert_allclose(vd + u + 100.0 * i, vs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cell.device.current(vd, x), i, rtol=1e-10)
    np.testing.assert_allclose(cell.transistor.current(u, 0.0), i, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("cell", [OneS1R(VTEAM(), r_series=50.0),
                                  OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.2)], ids=["1S1R", "1T1R"])
def test_dc_sweep_native_vs_ngspice(cell):
    from memlab.circuits import DCSweep
    sw = DCSweep(-2.0, 2.0, 0.1)
    ng = characterize(cell, sw, x0=1e-9)
    nat = characterize(cell, sw, x0=1e-9, simulator="native")
    np.testing.assert_allclose(ng.v_source, sw.values(), atol=1e-12)
    # .dc converges to ngspice's reltol (1e-8); both solve the same static equations. atol:
    # ngspice puts GMIN = 1e-12 S across the MOSFET junctions, whose bulk sits at -10 V, so
    # up to ~1e-11 A leaks that the native level-1 equations do not have
    np.testing.assert_allclose(ng.i, nat.i, rtol=1e-6, atol=2e-11)
    np.testing.assert_allclose(ng.v, nat.v, rtol=1e-6, atol=1e-7)  # that leak x R_device (<= 20 kohm)


def test_1t1r_bsim4_card_compliance():
    """ngspice's BSIM4 (level 14, default card): the SET current is the transistor's own
    current at the final gate/drain voltages (separate .op), rising with the gate voltage.
    The native solver only has level 1 and refuses a custom card."""
    card = "nmos level=14 version=4.8.1"
    d = PWL(t=(0.0, 1e-6, 2e-6), v=(0.0, 3.0, 3.0), n_points=200)
    currents = []
    for vg in (0.8, 1.0, 1.2):
        cell = OneT1R(StanfordPKU(), v_gate=vg, card=card)
        assert cell.bulk_voltage == 0.0
        tr = characterize(cell, d, x0=1.7e-9)
        v_drain = float(tr.v_source[-1] - tr.v[-1])
        op = run_netlist("\n".join([
            "bsim4 alone", cell.model_line(), "M1 d g 0 0 nmos_memlab w=1e-06 l=1e-06",
            f"Vd d 0 dc {v_drain!r}", f"Vg g 0 dc {vg!r}", ".op", ".end"]))
        # same BSIM4 instance equations; 1e-5 covers the .op Newton tolerance (reltol 1e-3 on
        # the iterate change, converged quadratically) at a fixed drain voltage
        assert float(tr.i[-1]) == pytest.approx(-float(op.vec("vd#branch")[0]), rel=1e-5)
        assert OneR(cell.device).device.current(3.0, tr.x[-1]) > 100 * tr.i[-1]
        currents.append(float(tr.i[-1]))
    assert currents[0] < currents[1] < currents[2]
    from memlab.errors import ParameterError
    with pytest.raises(ParameterError, match="card"):
        characterize(OneT1R(StanfordPKU(), card=card), d, simulator="native")


def test_1s1r_with_a_moving_selector_dc_sweep_and_input():
    """A volatile selector (MottSelector, state T) in a 1S1R cell: a DC sweep freezes both states,
    so the cell is two linear resistors in series, I = V / (R_m(x) + 1 / G(T_amb)) with
    G = G0 exp(-Ea / (k_B T)) (the model's published form; Ohm's law, exact), in ngspice and natively."""
    from memlab.circuits import DCSweep
    from memlab.devices import MottSelector
    from memlab.errors import ParameterError
    sel = MottSelector()
    dev = VTEAM(R_on=1e3, R_off=2e4)
    cell = OneS1R(dev, selector=sel)
    sw = DCSweep(-1.0, 1.0, 0.1)
    x0 = 1.5e-9
    p = sel.values
    r = 1e3 + 19e3 * 0.5 + 1.0 / (p["G0"] * np.exp(-p["Ea"] / (8.617333262e-5 * p["T_amb"])))
    for sim in ("ngspice", "native"):
        tr = characterize(cell, sw, x0=x0, simulator=sim)
        np.testing.assert_allclose(tr.i, sw.values() / r, rtol=1e-9, atol=1e-15)
    with pytest.raises(ParameterError, match="single device"):
        OneS1R(dev, selector=MottSelector(G0=[1e-3, 2e-3]))
    with pytest.raises(ParameterError, match="x0_selector"):
        from memlab.circuits import simulate_cell
        simulate_cell(cell, Sine(amplitude=1.0, frequency=1e6), x0_selector=-5.0)
