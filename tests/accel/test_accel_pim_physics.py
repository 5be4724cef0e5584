"""PIM <-> arrays coupling: directions physics requires, and closed forms."""
import numpy as np
import pytest

from memlab import accel

BASE = dict(rows=64, cols=64, g_on=1e-5, g_off=1e-7, v_read=0.2, r_wire=0.5, r_driver=0.0, r_sense=0.0,
            cell_bits=2, c_seg=1e-15)


def figs(**kw):
    d = dict(BASE, **kw)
    return accel.crossbar_figures(d["rows"], d["cols"], d["g_on"], d["g_off"], d["v_read"], d["r_wire"],
                                  d["r_driver"], d["r_sense"], d["cell_bits"], d["c_seg"])


def test_no_wire_resistance_is_exact():
    # r_wire = 0, ideal driver and sense: column currents are exactly v @ G (no IR drop),
    # so the error is at round-off and the usable resolution hits the 16-bit cap; the read
    # power equals sum_ij v_i^2 G_ij, checked against the same patterns rebuilt here
    f = figs(r_wire=0.0)
    full = BASE["rows"]
    assert f.err_rel[full] < 1e-9
    assert f.usable_bits[full] == 16
    rng = np.random.default_rng(1)
    lv = rng.integers(0, 4, size=(64, 64))
    G = 1e-7 + (1e-5 - 1e-7) * lv / 3
    bits = (rng.random((64, 8)) < 0.5).astype(float)
    V = 0.2 * bits
    p_expected = float(((V ** 2).T @ G).sum(axis=1).mean())
    assert f.power_W[full] == pytest.approx(p_expected, rel=1e-8)


def test_doubling_wire_resistance_direction():
    # more wire resistance: larger IR-drop error (fewer usable bits, never more), less
    # current drawn (lower read power), longer RC settling
    a, b = figs(r_wire=0.5), figs(r_wire=1.0)
    full = BASE["rows"]
    assert b.err_rel[full] > a.err_rel[full]
    assert b.usable_bits[full] <= a.usable_bits[full]
    assert b.power_W[full] < a.power_W[full]
    assert b.tau_s > a.tau_s


def test_doubling_array_size_direction():
    # larger array: more IR drop, more power per read, longer lines
    a, b = figs(rows=64, cols=64), figs(rows=128, cols=128)
    assert b.err_rel[128] > a.err_rel[64]
    assert b.usable_bits[128] <= a.usable_bits[64]
    assert b.power_W[128] > a.power_W[64]
    assert b.tau_s > a.tau_s


@pytest.fixture(scope="module")
def net():
    return accel.get_workload("resnet18")


def test_chip_wire_resistance_rows_policy(net):
    # keep exact column sums: worse wires -> fewer usable bits -> fewer rows per read ->
    # more reads: latency and energy per inference go up, ADC bits (needed for fewer rows) go down
    base = accel.make_chip("ISAAC")
    worse = accel.make_chip("ISAAC", r_wire=2 * base.v["r_wire"])
    assert worse.physics.usable_bits[128] < base.physics.usable_bits[128]
    assert worse.active_rows < base.active_rows
    assert worse.adc_bits < base.adc_bits
    rb, rw = base.evaluate(net), worse.evaluate(net)
    assert rw.latency_s > rb.latency_s
    assert rw.energy_total_J > rb.energy_total_J


def test_chip_wire_resistance_bits_policy(net):
    # keep all rows: worse wires -> fewer usable ADC bits, cheaper conversions, precision lost
    base = accel.make_chip("ISAAC", precision_policy="bits")
    worse = accel.make_chip("ISAAC", precision_policy="bits", r_wire=2 * base.v["r_wire"])
    assert worse.adc_bits < base.adc_bits
    assert worse.lost_bits > base.lost_bits
    assert worse.evaluate(net).energy_J["adc"] < base.evaluate(net).energy_J["adc"]


@pytest.mark.parametrize("policy", ["ideal", "rows"])
def test_chip_array_size_direction(net, policy):
    # 128x128 -> 256x256 arrays at the same total cell count (8 -> 2 arrays per IMA, one ADC
    # per array): each read takes longer (twice the columns per ADC) and costs more array
    # energy; the exact sum needs one more ADC bit while the usable resolution drops; the
    # network takes longer and more energy
    small = accel.make_chip("ISAAC", precision_policy=policy)
    big = accel.make_chip("ISAAC", precision_policy=policy, rows=256, cols=256, arrays_per_ima=2, adcs_per_ima=2)
    assert big.t_read > small.t_read
    assert big.design_bits == small.design_bits + 1
    assert big.physics.usable_bits[256] < small.physics.usable_bits[128]
    assert big.physics.power_W[256] > small.physics.power_W[128]
    rs, rb = small.evaluate(net), big.evaluate(net)
    assert rb.latency_s > rs.latency_s
    assert rb.energy_total_J > rs.energy_total_J


def test_chip_array_size_bits_policy(net):
    # keeping all rows of a bigger array, fewer ADC bits remain usable
    small = accel.make_chip("ISAAC", precision_policy="bits")
    big = accel.make_chip("ISAAC", precision_policy="bits", rows=256, cols=256, arrays_per_ima=2, adcs_per_ima=2)
    assert big.adc_bits < small.adc_bits
    assert big.lost_bits > small.lost_bits


def test_ideal_policy_ignores_ir_drop(net):
    ideal = accel.make_chip("ISAAC", precision_policy="ideal")
    assert ideal.active_rows == 128 and ideal.adc_bits == 8
    # 8-bit ADC at 1.28 GS/s shared by 128 columns -> ISAAC's 100 ns read cycle
    assert ideal.t_read == pytest.approx(100e-9, rel=1e-12)


def test_physics_comes_from_arrays_solver():
    chip = accel.make_chip("ISAAC")
    s = chip.physics_summary()
    assert s["solver"] == "memlab.arrays.Crossbar"
    # array energy per read is the solved power times the read time
    assert s["e_array_read_J"] == pytest.approx(s["array_read_power_W"] * s["t_read_s"], rel=1e-12)
    # v_read is calibrated so one 128x128 array draws ~ISAAC's 2.4 mW / 8 = 0.3 mW with all
    # rows driven (Table I); the rows policy then uses fewer rows -> less power
    full = chip.physics.power_W[128]
    assert full == pytest.approx(0.3e-3, rel=0.15)


def test_bad_physics_inputs():
    from memlab.errors import ParameterError
    with pytest.raises(ParameterError, match="g_off"):
        accel.make_chip("ISAAC", g_off=2e-5)
    with pytest.raises(ParameterError, match="r_wire"):
        accel.make_chip("ISAAC", r_wire=-1.0)
