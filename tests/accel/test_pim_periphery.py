"""NeuroSim V1.4's periphery as transcribed in accel/_pim_periphery.py, each formula checked
against a hand evaluation of NeuroSim's C++ (file and function named in each test) at the
22 nm release-test design point. The reference numbers are written out from the C++
expressions and Technology.cpp's constants, not from memlab's functions. Every comparison
sets abs=0: pytest.approx's default 1e-12 absolute tolerance would swamp fF and fJ."""
import math

import pytest

from memlab.accel import PIMDesign
from memlab.accel import _pim_periphery as pp

F = 22e-9                                            # tech.featureSize at 22 nm
VDD = 0.85                                           # Technology.cpp, 22 nm LP
CG = 5.245e-10 * 1.2 + 8.004e-10                     # capIdealGate + capOverlap (0.2x) + capFringe, F/m
PN = 791.90 / 600.20                                 # pnSizeRatio = currentOnNmos / currentOnPmos at 300 K
CJ = 1e-3 / math.sqrt(1 + VDD / 0.9)                 # cjd / (1 + vdd / phi)^0.5
CSW = 2.5e-10 / (1 + VDD / 0.9) ** 0.33
CDC = 0.5e-10 / (1 + VDD / 0.9) ** 0.33


def inv_drain(wn, wp):
    # formula.cpp CalculateGateCapacitance, bulk INV without folding at 28 F:
    # drain width 2.8 F, height = transistor width, sidewall 2 x 2.8 F + width
    d = 2.8 * F
    return (d * wn + d * wp) * CJ + ((2 * d + wn) + (2 * d + wp)) * CSW + (wn + wp) * CDC


def test_technology_and_gate_formulas_by_hand():
    assert pp.gate_cap(1e-6) == pytest.approx(CG * 1e-6, rel=1e-12, abs=0)          # 1.43 fF per um
    # CalculateOnResistance: 1.77 x Vdd / (I_on x W); the _normal variant drops the 1.77
    assert pp.on_res(F) == pytest.approx(1.77 * VDD / (791.90 * F), rel=1e-12, abs=0)
    assert pp.on_res(F, nmos=False, normal=True) == pytest.approx(VDD / (600.20 * F), rel=1e-12, abs=0)
    # horowitz with a step input (ramp 1e20): tr x sqrt(ln(0.5)^2 + ~0) = tr ln 2
    assert pp.horowitz(1e-12)[0] == pytest.approx(1e-12 * math.log(2), rel=1e-6, abs=0)
    # finite ramp: tr sqrt(ln(0.5)^2 + 2 alpha 0.5 0.5), alpha = 1 / (ramp tr)
    tr, ramp = 1e-11, 2e10
    assert pp.horowitz(tr, ramp)[0] == pytest.approx(tr * math.sqrt(math.log(0.5) ** 2 + 0.5 / (ramp * tr)), rel=1e-12, abs=0)
    # minimum INV (2 F / 2 pn F) fits the 28 F cell unfolded
    assert pp.drain_cap("INV", 1, 2 * F, 2 * PN * F) == pytest.approx(inv_drain(2 * F, 2 * PN * F), rel=1e-12, abs=0)


def test_dff_and_adder_energy_by_hand():
    cin = CG * (2 * F + 2 * PN * F)
    cout = inv_drain(2 * F, 2 * PN * F)
    # DFF.cpp: clock INV (cin + cout) x 4, clock TG gates x 2, D-to-Q path (3 ctg + cin) + (ctg + cout)
    # + (cin + cout), x Vdd^2, x gamma 0.5 (validated); the TG drain equals the INV drain here
    one = ((cin + cout) * 4 + cin * 2 + (cout * 3 + cin) + (cout + cout) + (cin + cout)) * VDD ** 2
    assert pp.dff_energy(1, 1) == pytest.approx(one * 0.5, rel=1e-12, abs=0)
    assert pp.dff_energy(10, 4, validated=False) == pytest.approx(
        (((cin + cout) * 4 + cin * 2) * 10 + ((cout * 3 + cin) + 2 * cout + (cin + cout)) * 4) * VDD ** 2, rel=1e-12, abs=0)
    # Adder.cpp: NAND2 4 F / 2 pn F enlarged to the 28 F cell (EnlargeSize: 20.9 F of diffusion
    # split in the P/N ratio), then per bit 7 cin + 3 cout (+ hidden 3 cin + cout, cin + cout,
    # 2 (cin + cout)); first bit 6 cin + 2 cout (+ hidden); x delta 0.15
    ratio = 2 * PN / (2 * PN + 4)
    wp, wn = ratio * 20.9 * F, (1 - ratio) * 20.9 * F
    ci = CG * (wn + wp)
    d = 2.8 * F                 # NAND2, no folding: P drains floor(3/2) = 1, N drains 2
    co = (d * wp + 2 * d * wn) * CJ + ((2 * d + 0) + (2 * 2 * d + wn)) * CSW + (wn + wp) * CDC
    first = ci * 6 + co * 2 + (co + ci) * 2 + (co + ci * 2) + (co + ci * 3) + (co + ci)
    per_bit = ci * 7 + co * 3 + (co + ci * 3) + (co + ci) + (co + ci) * 2
    assert pp.adder_energy(1) == pytest.approx(first * VDD ** 2 * 0.15, rel=1e-12, abs=0)
    assert pp.adder_energy(5) - pp.adder_energy(4) == pytest.approx(per_bit * VDD ** 2 * 0.15, rel=1e-9, abs=0)


def test_shift_add_and_adder_tree_compose_as_neurosim():
    # ShiftAdd.cpp: numDff = (numAdderBit + 1 + numReadPulse - 1) x numUnit, all passing
    e = pp.shift_add_energy(16, 4, 8)
    assert e == pytest.approx(16 * pp.adder_energy(4) + pp.dff_energy(12 * 16, 12 * 16), rel=1e-12, abs=0)
    # AdderTree.cpp: 9 inputs -> stages of ceil(9/2)=5, 3, 2, 1 adders, one bit wider per stage
    tree = pp.adder_tree_energy(9, 21, 16)
    want = 16 * (5 * pp.adder_energy(21) + 3 * pp.adder_energy(22) + 2 * pp.adder_energy(23) + pp.adder_energy(24))
    assert tree == pytest.approx(want, rel=1e-12, abs=0)
    assert pp.adder_tree_energy(1, 21, 16) == 0.0


def test_array_wires_are_neurosims_1t1r_layout():
    # SubArray.cpp: lengthRow = numCol x cell width (12 F), lengthCol = numRow x cell height (4 F)
    # in tech.featureSize; access width = R_on(1 F) x 0.2 / (R_on,cell x 0.25) F; capRow2 adds
    # numCol access gates, capCol numRow access drains; 0.2 fF/um wire
    c = pp.array_caps(128, 128, 4, 12, 100e3)
    w_acc = 1.77 * VDD / (791.90 * F) * 0.2 / (100e3 * 0.25)
    assert c["w_access_F"] == pytest.approx(w_acc, rel=1e-12, abs=0)          # 0.69 F
    assert c["c_row"] == pytest.approx(128 * 12 * F * 0.2e-9 + 128 * CG * w_acc * F, rel=1e-12, abs=0)
    # NMOS-only drain (no PMOS: the full 28 F - 3.6 F height available, no folding)
    drain = 2.8 * F * w_acc * F * CJ + (2 * 2.8 * F + w_acc * F) * CSW + w_acc * F * CDC
    assert c["c_col"] == pytest.approx(128 * 4 * F * 0.2e-9 + 128 * drain, rel=1e-12, abs=0)


def test_bitline_capacitance_regression_rows_times_cell_height():
    # Regression: the earlier model took the bit line as rows x cell WIDTH (12 F) x 40 nm
    # (12.3 fF); NeuroSim's capCol is rows x cell HEIGHT (4 F) x 22 nm plus the access drains
    # (5.97 fF). It feeds the sense amplifier's column-switching energy and latency.
    d = PIMDesign(r_on=100e3, r_off=1.7e6)          # the device of the earlier model
    assert d.c_col == pytest.approx(pp.array_caps(128, 128, 4, 12, 100e3)["c_col"], rel=1e-12, abs=0)
    assert d.c_col < 7e-15
    assert PIMDesign(periphery="none", hierarchy="flat").c_col == pytest.approx(128 * 12 * 40e-9 * 0.2e-9, rel=1e-12, abs=0)


def test_switch_matrix_and_mux_energy_by_hand():
    # NewSwitchMatrix.cpp: TG of 14 x minimum (newswitchmatrixsizeratio at 22 nm); per selected
    # row 2 ctd Vaccess^2 + 3 ctd Vread^2 + 3 (cgn + cgp) Vdd^2; the TG height is the array
    # height over ceil(128 / ceil(128 / int(512 F / 28 F))) = 16 gates a column: 32 F
    caps = pp.array_caps(128, 128, 4, 12, 100e3)
    sm = pp.switch_matrix(128, caps["c_row"], caps["length_row"], 1.1, 0.5, array_h=128 * 4 * F)
    wn, wp = 28 * F, 28 * PN * F
    h = 32 * F
    ratio = wp / (wn + wp)
    mp, mn = ratio * (h - 7.1 * F), (1 - ratio) * (h - 7.1 * F)        # 24.9 F of diffusion split
    fp, fn = math.ceil(wp / mp), math.ceil(wn / mn)
    dwp, dwn = math.ceil((fp + 1) / 2) * 2.8 * F, math.ceil((fn + 1) / 2) * 2.8 * F
    side = (dwp * 2 + mp * (1 + (fp + 1) % 2)) + (dwn * 2 + mn * (1 + (fp + 1) % 2))
    ctd = (dwp * mp + dwn * mn) * CJ + side * CSW + (fp * mp + fn * mn) * CDC
    assert sm.e_row == pytest.approx(ctd * 2 * 1.1 ** 2 + ctd * 3 * 0.25 + CG * (wn + wp) * 3 * VDD ** 2, rel=1e-12, abs=0)
    assert sm.e_dff == pytest.approx(pp.dff_energy(128, 128, validated=False), rel=1e-12, abs=0)
    # Mux.cpp: CalculatePower = numInput (cgn Vdd^2 + 2 ctd Vread^2) per step
    # its gates are sized so the TG resistance is 0.25 x the column's: W = R_normal(1 F) F / (2 x 0.25 R)
    mux = pp.column_mux(16, 8, 1000.0, 0.5, caps["length_row"])
    wn, wp = VDD / (791.90 * F) * F / (2 * 250.0), VDD / (600.20 * F) * F / (2 * 250.0)
    assert (mux.c_gate_n, mux.c_gate_p) == (pytest.approx(CG * wn, rel=1e-12, abs=0), pytest.approx(CG * wp, rel=1e-12, abs=0))
    assert mux.e_step > 16 * CG * wn * VDD ** 2          # + the drains' 2 ctd Vread^2 per input


def test_clock_is_beta_times_the_sensing_path():
    # SubArray.cpp CalculateLatency (CalculateclkFreq): beta 1.4 x (max(row switch, mux + decoder)
    # + sense amplifier + encoder)
    assert pp.clock_period(0.9e-9, 0.1e-9, 0.2e-9, 0.05e-9) == pytest.approx(1.4 * (0.2 + 0.9 + 0.05) * 1e-9, rel=1e-12, abs=0)
    d = PIMDesign()
    _e, t = d.conversion()
    p = pp.periphery(d, t / d.sense_factor)
    want = 1.4 * (max(p["switch"].delay, p["mux"].delay + p["decoder"].delay) + t / 1.4 + p["t_encoder"])
    assert p["clock_s"] == pytest.approx(want, rel=1e-12, abs=0)
    # against the release test's 2.2312 ns: tests/accel/test_pim_release.py


def test_mlsa_gate_terms_by_hand():
    # MultilevelSenseAmp.cpp Column_SwitchingE without the column and reference terms, 16 levels
    cgn, cgp = CG * 2 * F, CG * 2 * PN * F
    cjn = 2.8 * F * 2 * F * CJ + (2 * 2.8 * F + 2 * F) * CSW + 2 * F * CDC
    cjp = 2.8 * F * 2 * PN * F * CJ + (2 * 2.8 * F + 2 * PN * F) * CSW + 2 * PN * F * CDC
    e = (2 * cgn + (cjn + cgn) / 15 + (cjn + cgn) / 16) * 0.55 ** 2
    e += ((2 * cgp + cgn) + (3 * cgp + 3 * cgn + 3 * (cjp + cjn) + cjp) + (cgp + cgn)) * VDD ** 2
    assert pp.mlsa_gate_energy(16) == pytest.approx(15 * e, rel=1e-12, abs=0)


def test_periphery_needs_the_transcribed_node():
    from memlab.errors import MemlabError
    with pytest.raises(MemlabError, match="node_nm"):
        PIMDesign(node_nm=32)
    assert PIMDesign(node_nm=32, periphery="none", hierarchy="flat").node_nm == 32


def test_subarray_area_by_hand_and_against_the_chip():
    # CalculateGateArea, bulk 28 F cell: a minimum INV is 2 poly pitches (2 x 3.8 F) wide; a DFF
    # 12 of them; a NAND2 (enlarged, no folding) 3 pitches; MultilevelSenseAmp CalculateArea:
    # 9 NMOS cells (2 pitches wide) per level and amplifier + a dummy column per 32 amplifiers
    # (dumcolshared 32 in the release test's Param.cpp)
    from memlab.accel._pim_area import encoder_area, subarray_area
    d = PIMDesign()
    a = subarray_area(d)
    cell = 28 * F * 7.6 * F
    assert a["array"] == pytest.approx(128 * 4 * F * 128 * 12 * F, rel=1e-12, abs=0)          # 380.6 um^2
    mlsa = 16 * (9 * cell * 15 + 128 * 4 * F * 12 * F * 15 / 32)
    assert a["adc"] == pytest.approx(mlsa + encoder_area(16, 16, 128 * 12 * F), rel=1e-12, abs=0)
    # NeuroSim's floorplan (tests/accel/test_pim_hierarchy.py) holds 9472 subarrays, idle ones
    # included, plus the PE, tile and global buffers; the chip total by hand from them (against
    # the release test part by part: tests/accel/test_pim_release.py)
    from memlab.accel._pim_neurosim import NEUROSIM_V14, neurosim_system
    res = neurosim_system()
    ar = res.area_m2
    assert ar["subarrays"] == 9472
    assert ar["total"] == pytest.approx(9472 * a["total"] + ar["pe_buffers"] + ar["tile_buffers"]
                                        + ar["global_buffer"], rel=1e-12, abs=0)
    assert ar["total"] * 1e6 < NEUROSIM_V14["area_mm2"]          # bus wires and adder trees not transcribed
