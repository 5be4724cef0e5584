"""The PIM chip fed by a MappedNetwork (issue 11 "feed accel"): energy and accuracy from one
mapping, the array energy checked against a hand sum, physics changes both."""
import numpy as np
import pytest

from memlab import accel
from memlab.errors import ConfigError
from memlab.networks import map_network


@pytest.fixture(scope="module")
def net_and_data(digits_mlp):
    return digits_mlp(200)


def test_read_energy_is_the_hand_sum_without_wires(net_and_data):
    net, x, y = net_and_data
    chip = accel.make_chip("ISAAC")
    m = map_network(net, tile=(128, 128), calibration=x)
    rep = chip.evaluate_mapped(m, x[:4], energy_samples=4)
    # without wire resistance every word line sits at its drive voltage: P = sum_i v_i^2 sum_j G_ij
    first = m.tiles[0]
    U = m.matrices[(first.layer, first.group)].inputs(x[:4])
    V = first.padded(U[first.rows[0]:first.rows[1]]) * first.analog.v_read
    G = first.conductances
    p_hand = np.mean(np.sum((V ** 2) * G.sum(axis=1)[:, None], axis=0))
    layer0 = rep.layers[0]
    assert layer0.energy_J["compute"] - layer0.extra["conversions"] * chip.v["e_shift_add"] == \
        pytest.approx(p_hand * chip.t_read, rel=1e-9)
    assert rep.latency_s > 0 and rep.energy_total_J > 0


def test_wire_resistance_changes_energy_and_accuracy_from_one_mapping(net_and_data):
    net, x, y = net_and_data
    chip = accel.make_chip("ISAAC")
    out = {}
    for r in (0.0, 20.0):
        m = map_network(net, tile=(128, 128), calibration=x, r_row=r, r_col=r, adc_bits=8, adc_range="calibrated")
        rep = chip.evaluate_mapped(m, x, y, energy_samples=8)
        acc = m.accuracy(x, y)
        out[r] = (rep.energy_J["compute"], acc, rep)
        assert f"accuracy on the 200 inputs: {acc:.4f}" in " ".join(rep.notes)
    # IR drop lowers the cell voltages, so the arrays draw less power, and the outputs err more
    # (measured: 4.32e-11 J and 0.950 at 0 ohm, 3.09e-11 J and 0.835 at 20 ohm)
    assert out[20.0][0] < 0.9 * out[0.0][0]
    assert out[20.0][1] < out[0.0][1] - 0.05


def test_tile_must_match_the_chip(net_and_data):
    net, x, _ = net_and_data
    m = map_network(net, tile=(64, 64), calibration=x)
    with pytest.raises(ConfigError, match="64x64 tiles but chip 'ISAAC' has 128x128"):
        accel.make_chip("ISAAC").evaluate_mapped(m, x[:2])


def test_device_window_changes_energy_and_accuracy_from_one_mapping(net_and_data):
    # the same network and wires (10 ohm segments), two programming windows of the device:
    # [1, 100] uS and [1, 10] uS. Cell currents scale with the conductances, so the read power
    # drops about as the mean conductance (differential weights: ~5x here), and the IR drop
    # (current x wire resistance) drops with it: the outputs err less and the accuracy rises
    # (measured: 3.80e-11 J, 0.910 at [1, 100] uS; 8.63e-12 J, 0.950 at [1, 10] uS).
    net, x, y = net_and_data
    chip = accel.make_chip("ISAAC")
    out = {}
    for g_max in (1e-4, 1e-5):
        m = map_network(net, tile=(128, 128), calibration=x, r_row=10.0, r_col=10.0, adc_bits=8,
                        adc_range="calibrated", g_min=1e-6, g_max=g_max)
        res = chip.pipeline(m, x, y, energy_samples=8)
        err = max(l.extra["rel_error"] for l in res.report.layers)
        out[g_max] = (res.report.energy_J["compute"], res.accuracy, err)
        assert res.accuracy == pytest.approx(m.accuracy(x, y), abs=1e-12)
    wide, narrow = out[1e-4], out[1e-5]
    assert narrow[0] < 0.35 * wide[0]
    assert narrow[2] < wide[2]
    assert narrow[1] > wide[1] + 0.02
