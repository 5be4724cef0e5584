"""Write-verify pulse programming of 1R and 1T1R cells, natively and in ngspice."""
import warnings

import numpy as np
import pytest

from memlab.devices import VTEAM
from memlab.circuits import OneR, OneT1R, MOSFET, write_verify

pytestmark = pytest.mark.ngspice


def _both(cell, target, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nat = write_verify(cell, target, simulator="native", **kw)
    ng = write_verify(cell, target, simulator="ngspice", **kw)
    return nat, ng


@pytest.mark.parametrize("cell, target, v_step, v_read", [
    # read at 15 mV, below VTEAM's v_off = 20 mV, so reading does not disturb the state
    (OneR(VTEAM()), (6.0e-5, 7.5e-5), 0.0, 0.015),
    (OneT1R(VTEAM(R_on=1e3, R_off=2e4), v_gate=1.5, mosfet=MOSFET(w=10e-6)), (1.2e-5, 1.3e-5), 0.02, 0.1),
], ids=["1R", "1T1R_ispp"])
def test_write_verify_native_and_ngspice(cell, target, v_step, v_read):
    # VTEAM sets with a negative voltage; start in HRS (x = x_off); ISPP step v_step
    nat, ng = _both(cell, target, v_set=-0.25, v_reset=0.4, width=1e-9, v_read=v_read, v_step=v_step,
                    x0=3e-9, max_pulses=30)
    for r in (nat, ng):
        assert r.success and target[0] <= r.reads[-1] <= target[1]
        assert 2 <= r.n_pulses < 30
        assert r.reads.size == r.n_pulses + 1 == r.states.size
        sets = np.flatnonzero(r.pulses < 0)
        # every SET pulse raises the read current (x moves towards x_on = R_on)
        assert np.all(r.reads[sets + 1] > r.reads[sets])
    # same pulse sequence and the same read currents in both simulators (1 % like the loops)
    assert nat.n_pulses == ng.n_pulses
    np.testing.assert_allclose(nat.pulses, ng.pulses)
    np.testing.assert_allclose(ng.reads, nat.reads, rtol=0.01)
    # 1R: the undisturbed read obeys Ohm's law with the final state, i = v / R(x), with R
    # linear in x for VTEAM's linear I-V (R_on 50 ohm at x = 0, R_off 1 kohm at 3 nm)
    if cell.kind == "1R":
        R = 50.0 + 950.0 * ng.x_final / 3e-9
        assert ng.reads[-1] == pytest.approx(v_read / R, rel=1e-6)


def test_write_verify_reset_direction_and_give_up():
    cell = OneR(VTEAM())
    # start in LRS (x = 0, read 2 mA at 0.1 V): the band below needs RESET pulses
    r = write_verify(cell, (2.0e-4, 2.5e-4), v_set=-0.25, v_reset=0.6, width=5e-9, v_read=0.1, x0=0.0,
                     max_pulses=40)
    assert r.success and np.all(r.pulses > 0)
    # an unreachable band (above the R_on read current 2 mA) stops at max_pulses
    r = write_verify(cell, (3e-3, 4e-3), v_set=-0.25, v_reset=0.6, width=1e-9, v_read=0.1, x0=3e-9, max_pulses=5)
    assert not r.success and r.n_pulses == 5
