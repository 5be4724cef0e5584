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
    # network takes longer. Energy: the arrays spend more; with all rows active ("ideal") a
    # conversion sums twice the rows, so there are half as many, each 1.18x dearer (9 b vs
    # 8 b in the Saberi-scaled ADC table): ADC energy falls. Keeping exact sums ("rows"), the
    # bigger array activates fewer rows per read and the network costs more in total.
    small = accel.make_chip("ISAAC", precision_policy=policy)
    big = accel.make_chip("ISAAC", precision_policy=policy, rows=256, cols=256, arrays_per_ima=2, adcs_per_ima=2)
    assert big.t_read > small.t_read
    assert big.design_bits == small.design_bits + 1
    assert big.physics.usable_bits[256] < small.physics.usable_bits[128]
    assert big.physics.power_W[256] > small.physics.power_W[128]
    rs, rb = small.evaluate(net), big.evaluate(net)
    assert rb.latency_s > rs.latency_s
    assert rb.energy_J["compute"] > rs.energy_J["compute"]
    if policy == "ideal":
        assert rb.energy_J["adc"] < rs.energy_J["adc"]
    else:
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
    # 8-bit ADC at Table I's 1.2 GS/s shared by 128 columns -> 128 / 1.2e9 = 106.7 ns per read
    # (the paper rounds its cycle to 100 ns)
    assert ideal.t_read == pytest.approx(128 / 1.2e9, rel=1e-12)


def _laplacian_solve(G, V, r_wire):
    """Port currents of a crossbar with ideal drivers and sense amplifiers, from a dense
    graph-Laplacian solve written here: word node (i, j) = i*N + j, bit node = M*N + i*N + j;
    edges: word segments, cells, bit segments; word node (i, 0) held at V[i], bit node
    (M-1, j) held at 0 V. Returns (sense currents (N, K), driver currents (M, K))."""
    M, N = G.shape
    n = 2 * M * N
    idx = np.arange(M * N).reshape(M, N)
    edges = [(idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.full(M * (N - 1), 1 / r_wire)),
             (idx.ravel(), M * N + idx.ravel(), G.ravel()),
             (M * N + idx[:-1].ravel(), M * N + idx[1:].ravel(), np.full((M - 1) * N, 1 / r_wire))]
    L = np.zeros((n, n))
    for a, b, g in edges:
        np.add.at(L, (a, a), g)
        np.add.at(L, (b, b), g)
        np.add.at(L, (a, b), -g)
        np.add.at(L, (b, a), -g)
    fixed = np.concatenate([idx[:, 0], M * N + idx[-1]])
    free = np.setdiff1d(np.arange(n), fixed)
    u = np.zeros((n, V.shape[1]))
    u[idx[:, 0]] = V
    u[free] = np.linalg.solve(L[np.ix_(free, free)], -L[np.ix_(free, fixed)] @ u[fixed])
    net = L @ u                      # current leaving each node into the network
    return -net[M * N + idx[-1]], net[idx[:, 0]]


def test_physics_figures_against_an_independent_nodal_solve():
    """crossbar_figures (through memlab.arrays) for a 6x5 array with 0.5 ohm wires against a
    dense Laplacian solve written here, on the documented fixed-seed patterns (seed 1: level
    map, then 8 binary input vectors): error after the least-squares gain, relative to
    rows x g_on x v_read, and the mean driver power. Both are exact solves in float64 ->
    1e-9 relative (the error figure is a difference of nearly equal currents)."""
    rows, cols, g_on, g_off, v, r = 6, 5, 1e-5, 1e-7, 0.2, 0.5
    f = accel.crossbar_figures(rows, cols, g_on, g_off, v, r, 0.0, 0.0, 2, 1e-15)
    rng = np.random.default_rng(1)
    G = g_off + (g_on - g_off) * rng.integers(0, 4, size=(rows, cols)) / 3
    V = v * (rng.random((rows, 8)) < 0.5)
    i_out, i_in = _laplacian_solve(G, V, r)
    ideal = G.T @ V
    gain = (i_out * ideal).sum() / (i_out * i_out).sum()
    err = np.abs(gain * i_out - ideal).max() / (rows * g_on * v)
    assert err > 1e-6                                  # IR drop is visible
    assert f.err_rel[rows] == pytest.approx(err, rel=1e-9)
    assert f.power_W[rows] == pytest.approx((V * i_in).sum(axis=0).mean(), rel=1e-9)


def test_isaac_array_power_calibration():
    # v_read is calibrated so one 128x128 array draws ~ISAAC's 2.4 mW / 8 = 0.3 mW with all
    # rows driven (Table I): a calibration check, 15 % for the level and input patterns
    chip = accel.make_chip("ISAAC")
    assert chip.physics.power_W[128] == pytest.approx(0.3e-3, rel=0.15)


def test_bad_physics_inputs():
    from memlab.errors import ParameterError
    with pytest.raises(ParameterError, match="g_off"):
        accel.make_chip("ISAAC", g_off=2e-5)
    with pytest.raises(ParameterError, match="r_wire"):
        accel.make_chip("ISAAC", r_wire=-1.0)
