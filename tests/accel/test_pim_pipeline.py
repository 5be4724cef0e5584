"""Inter-layer pipelining, buffers and reprogramming of a mapped network on the PIM chip
(memlab.accel._pim_pipeline), against hand calculations."""
import numpy as np
import pytest

from memlab import accel
from memlab.accel._pim_pipeline import Stage, allocate
from memlab.networks import digits, from_arrays, map_network


@pytest.fixture(scope="module")
def mapped():
    ds = digits()
    x = ds.x[:40] / 16.0
    rng = np.random.default_rng(3)
    net = from_arrays([rng.normal(0, 0.3, (32, 64)), rng.normal(0, 0.3, (10, 32))], [np.zeros(32), np.zeros(10)])
    return map_network(net, tile=(128, 128), calibration=x), x, ds.y[:40]


def test_replication_balances_the_slowest_stage():
    # ISAAC-style balancing by hand: A needs 2 arrays and 8 vectors, B 1 array and 2 vectors, 8
    # arrays on the chip. 5 arrays left: A (8 reads) gets a copy -> 4, another -> ceil(8/3) = 3;
    # 1 array left cannot hold a third copy of A (the slowest), so B stays single
    st = [Stage("A", 2, 8, 1, 100, 0.0, 0.0), Stage("B", 1, 2, 1, 50, 0.0, 0.0)]
    groups, rep = allocate(st, 8, 1.0)
    assert groups == [[0, 1]] and rep == [3, 1]
    # a stage larger than the chip is its own group, run in passes
    groups, rep = allocate([Stage("A", 3, 1, 1, 1, 0, 0), Stage("B", 9, 1, 1, 1, 0, 0), Stage("C", 2, 1, 1, 1, 0, 0)],
                           4, 1.0)
    assert groups == [[0], [1], [2]]


def test_fitting_network_pipelines_throughput_and_latency(mapped):
    # two dense layers, one 128x128 tile each, on ISAAC (16128 arrays): no reprogramming. Each
    # stage reads one vector in one read cycle t_read = 128 / 1.2 GS/s (its eDRAM, NoC and I/O
    # traffic are far shorter), so latency = 2 t_read and, in steady state, one inference
    # leaves every t_read: batch B takes (2 + B - 1) t_read
    m, x, y = mapped
    chip = accel.make_chip("ISAAC")
    res = chip.pipeline(m, x, y, batch=64, energy_samples=4)
    t = 128 / 1.2e9
    assert res.fits and res.reprogram_J == 0.0 and len(res.groups) == 1
    assert res.latency_s == pytest.approx(2 * t, rel=1e-12)
    assert res.interval_s == pytest.approx(t, rel=1e-12)
    assert res.throughput_per_s == pytest.approx(64 / (65 * t), rel=1e-12)
    assert res.report.kind == "predicted"
    assert res.accuracy == pytest.approx(m.accuracy(x, y), abs=1e-12)
    # NoC: the first layer's 32 outputs (8-bit) over one hop at 20.74 pJ / 32 B
    assert res.noc_bytes == 32.0
    assert res.report.energy_J["interconnect"] == pytest.approx(32 * 20.74e-12 / 32, rel=1e-12)
    # static energy per inference = p_static x batch time / batch
    assert res.report.energy_J["static"] == pytest.approx(chip.v["p_static"] * 65 * t / 64, rel=1e-9)


def test_network_that_does_not_fit_is_reprogrammed(mapped):
    # a one-array chip: each layer is a group, programmed in turn for every batch. Write cost
    # by hand from the tiles: used cells x 1 pulse x 0.6 pJ, weights (2 bit per cell) in over
    # the I/O at e_io; time per group = max(128 rows x 10 ns, bytes / io_bw)
    m, x, y = mapped
    chip = accel.make_chip("ISAAC", tiles=1, imas_per_tile=1, arrays_per_ima=1, adcs_per_ima=1)
    assert chip.n_arrays == 1
    res = chip.pipeline(m, x, batch=10, energy_samples=4)
    cells = [t.used[0] * t.used[1] for t in m.tiles]
    assert not res.fits and len(res.groups) == 2
    e_hand = sum(c * 0.6e-12 + c * 2 / 8 * chip.v["e_io"] for c in cells)
    t_hand = sum(max(128 * 10e-9, c * 2 / 8 / chip.v["io_bw"]) for c in cells)
    assert res.reprogram_J == pytest.approx(e_hand, rel=1e-12)
    assert res.reprogram_s == pytest.approx(t_hand, rel=1e-12)
    rows = [l for l in res.report.layers if l.kind == "reprogram"]
    assert sum(l.energy_J["write"] + l.energy_J["dram"] for l in rows) == pytest.approx(e_hand / 10, rel=1e-12)
    # the cell writes are their own component, not 'compute' (the arrays' read energy)
    assert sum(l.energy_J["write"] for l in rows) == pytest.approx(sum(c * 0.6e-12 for c in cells) / 10, rel=1e-12)
    assert all(l.energy_J["compute"] == 0.0 for l in rows)
    fit = accel.make_chip("ISAAC").pipeline(m, x, batch=10, energy_samples=4)
    assert res.energy_per_inference_J > fit.energy_per_inference_J
    assert res.throughput_per_s < fit.throughput_per_s


def test_buffer_spill_goes_off_chip(mapped):
    # an eDRAM of 16 B per tile cannot hold the 64-byte input (48 B spill) nor the 32-byte
    # hidden layer (16 B spill): 64 B go out and back over the I/O, 2 x 64 B more I/O traffic
    m, x, _ = mapped
    small = accel.make_chip("ISAAC", edram_bytes=16).pipeline(m, x, energy_samples=4)
    base = accel.make_chip("ISAAC").pipeline(m, x, energy_samples=4)
    assert base.spill_bytes == 0.0
    assert small.spill_bytes == 64.0
    io = lambda r: sum(l.dram_bytes for l in r.report.layers)  # noqa: E731
    assert io(small) - io(base) == pytest.approx(128.0, abs=1e-9)
    assert small.report.energy_J["dram"] - base.report.energy_J["dram"] == \
        pytest.approx(128.0 * accel.make_chip("ISAAC").v["e_io"], rel=1e-12)


def test_bad_pipeline_inputs_are_named(mapped):
    from memlab.errors import ParameterError
    m, x, _ = mapped
    chip = accel.make_chip("ISAAC")
    with pytest.raises(ParameterError, match="parameter 'batch'"):
        chip.pipeline(m, x, batch=0)
    with pytest.raises(ParameterError, match="parameter 'mapped'"):
        chip.pipeline("net", x)
    with pytest.raises(ParameterError, match="parameter 'write_pulses'"):
        accel.make_chip("ISAAC", write_pulses=0)


def test_stage_larger_than_the_chip_runs_in_passes(mapped):
    # the first layer (65 x 64 cells) on 32x32 tiles needs 3 x 2 = 6 tiles; a 4-array chip runs it
    # in ceil(6 / 4) = 2 passes of one read each and writes it in 2 passes of 32 rows x 10 ns
    m, x, _ = mapped
    m32 = map_network(m.network, tile=(32, 32), calibration=x)
    chip = accel.make_chip("ISAAC", rows=32, cols=32, tiles=1, imas_per_tile=1, arrays_per_ima=4, adcs_per_ima=4)
    res = chip.pipeline(m32, x, energy_samples=2)
    first = res.report.layers[0]
    assert first.extra["tiles"] == 6 and first.extra["time_multiplexed"]
    assert first.times_s[chip.read_bound] == pytest.approx(2 * chip.t_read, rel=1e-12)
    rep0 = next(l for l in res.report.layers if l.name == "reprogram[0]")
    cells = sum(t.used[0] * t.used[1] for t in m32.tiles if t.layer == first.name.split("[")[0])
    assert rep0.extra["cells"] == cells
    assert rep0.extra["per_batch_s"] == pytest.approx(max(2 * 32 * 10e-9, cells * 2 / 8 / chip.v["io_bw"]), rel=1e-12)
