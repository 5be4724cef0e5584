"""Neuromorphic chips: static plus per-event energy, mapping limits, conversion inputs.

TrueNorth published figures (Merolla et al., Science 345, 2014; Akopyan et al., IEEE TCAD
2015), read with `search`: abstract, "With 400-pixel-by-240-pixel video input at 30 frames
per second, the chip consumes 63 milliwatts" (sciencemag citation record); "65 mW" (title of
Akopyan et al.); "up to 400 billion synaptic operations (SOPS) per watt" (authorea review);
26 pJ per synaptic event all-in at 20 Hz and 128 active synapses per neuron
(docs/notes/hardware.md §2, [S]). The preset's p_static is fitted to the 26 pJ figure (the ONE
calibration point); the 63 mW and 65 mW figures are held apart.
"""
import pytest

from memlab import accel

N_TN = 2 ** 20            # TrueNorth neurons (Merolla 2014 abstract: "1 million")
SOPS_BENCH = N_TN * 20 * 128


def _real_time(rate_hz, synapses, seconds=1.0):
    """All TrueNorth neurons firing at ``rate_hz`` into ``synapses`` targets, 1 ms ticks."""
    ticks = int(seconds * 1000)
    return accel.Workload("rt", [accel.Spiking("rt", n_in=N_TN, n_out=N_TN, timesteps=ticks,
                                               rate=rate_hz * 1e-3, fanout=synapses)])


@pytest.fixture(scope="module")
def tn():
    return accel.make_chip("TrueNorth")


def test_truenorth_calibration_point(tn):
    # CALIBRATION: 26 pJ per event x 2^20 x 20 Hz x 128 events/s = 69.79 mW; the model must
    # reproduce it to rounding (1e-9)
    rep = tn.evaluate(_real_time(20, 128))
    assert rep.latency_s == pytest.approx(1.0, rel=1e-12)          # real time: 1000 ticks of 1 ms
    assert rep.average_power_W == pytest.approx(26e-12 * SOPS_BENCH, rel=1e-9)
    assert rep.energy_total_J / rep.layers[0].extra["synaptic_events"] == pytest.approx(26e-12, rel=1e-9)


def test_truenorth_held_apart_video_63mW(tn):
    # PREDICTION: the abstract's 63 mW for a real-time video network. Its activity is not
    # published here, so the model is run at a low activity (1 Hz, 16 synapses); tolerance
    # 5 %: the paper's two real-time chip powers, 63 mW (video) and 65 mW (typical), differ
    # by 3 % for different networks, so a prediction cannot be asked to be closer
    p = tn.evaluate(_real_time(1, 16)).average_power_W
    assert p == pytest.approx(63e-3, rel=0.05)


def test_truenorth_held_apart_typical_65mW(tn):
    # PREDICTION: Akopyan et al.'s "65 mW" typical real-time power must lie between the
    # model's idle-activity power and its power on the 20 Hz / 128-synapse benchmark
    lo = tn.evaluate(_real_time(1, 16)).average_power_W
    hi = tn.evaluate(_real_time(20, 128)).average_power_W
    assert lo <= 65e-3 <= hi


def test_truenorth_mnist_mlp_is_not_microwatts(tn):
    # regression (issue 12): the MNIST MLP on TrueNorth drew 0.23 mW because static power
    # was zero; the whole chip leaks while it runs, so its power is at least the 63 mW floor
    rep = tn.evaluate("mlp_mnist")
    assert rep.average_power_W >= 63e-3
    assert rep.kind == "predicted" and rep.calibration


def test_truenorth_mapping_limits_closed_form(tn):
    # 784 -> 500 dense layer: 256 neurons and 256 axons per core, one target core per neuron
    # (Merolla 2014): ceil(500/256) x ceil(784/256) = 2 x 4 = 8 cores; each input spike is
    # bound for 2 cores, so 784 relay neurons on ceil(784/256) = 4 more cores: 12
    m = tn.mapping(784, 500, fan_in=784, fanout=500)
    assert m == {"cores": 12, "relay_neurons": 784, "dest_cores": 2}
    layer = accel.Spiking("s", n_in=784, n_out=500, timesteps=10, rate=0.05)
    assert tn.evaluate(accel.Workload("w", [layer])).layers[0].extra["cores"] == 12


def test_conversion_rate_and_latency_are_inputs():
    # a converted (non-spiking) layer runs conv_timesteps ticks of 1 ms on TrueNorth, and
    # its synaptic events scale with conv_rate (closed form: MACs x rate x T)
    layer = accel.Linear("fc", in_features=256, out_features=128)
    wl = accel.Workload("w", [layer])
    a = accel.make_chip("TrueNorth", conv_timesteps=16, conv_rate=0.1).evaluate(wl).layers[0]
    b = accel.make_chip("TrueNorth", conv_timesteps=32, conv_rate=0.2).evaluate(wl).layers[0]
    assert a.latency_s == pytest.approx(16e-3, rel=1e-12) and b.latency_s == pytest.approx(32e-3, rel=1e-12)
    assert a.extra["synaptic_events"] == pytest.approx(256 * 128 * 0.1 * 16, rel=1e-12)
    assert b.extra["synaptic_events"] == pytest.approx(4 * a.extra["synaptic_events"], rel=1e-12)


def test_loihi_idle_neurons_and_kind():
    # Davies et al. 2018 Table 2: active update 81 pJ, inactive 52 pJ. A layer whose
    # inputs rarely spike (rate 1e-4, fan-in 10: P(active) = 1 - (1 - 1e-4)^10) pays mostly
    # the inactive cost; the static power is Blouw et al.'s measured idle 29 mW (CALIBRATION:
    # a run of an almost silent layer must draw it to within the per-event energy, 1 %)
    chip = accel.make_chip("Loihi")
    layer = accel.Spiking("s", n_in=10, n_out=100, timesteps=1000, rate=1e-4)
    l = chip.evaluate(accel.Workload("w", [layer])).layers[0]
    p_act = 1 - (1 - 1e-4) ** 10
    updates = 100 * 1000
    expected = l.extra["synaptic_events"] * 23.6e-12 + updates * (p_act * 81e-12 + (1 - p_act) * 52e-12)
    assert l.energy_J["compute"] == pytest.approx(expected, rel=1e-12)
    rep = chip.evaluate(accel.Workload("w", [layer]))
    assert rep.kind == "predicted" and "Blouw" in rep.calibration[0]
    assert l.energy_J["static"] == pytest.approx(0.029 * l.latency_s, rel=1e-12)
    # at a 1 ms real-time step the silent layer's updates add 100 x 52 pJ x 1 kHz = 5 uW
    slow = accel.make_chip("Loihi", t_tick_min=1e-3).evaluate(accel.Workload("w", [layer]))
    assert slow.average_power_W == pytest.approx(0.029, rel=0.01)


def test_loihi_blouw19_held_apart_run():
    # Blouw et al. 2019 measured, in the same run whose idle power (29 mW) Loihi's p_static
    # was fitted to, 296 inferences/s and 0.27 mJ dynamic energy per inference for a
    # 390-256-256-29 keyword spotter (values in accel._measurements, BLOUW19). Both are held
    # apart. The measurement is of a board with its embedded x86 cores and host I/O, which
    # the model (Davies'18 per-event energies only, no I/O time) leaves out, so the checks
    # are directional: the model must be faster and cheaper in dynamic energy than measured.
    from memlab.accel._measurements import measurements_for
    rows = {m.quantity: m for m in measurements_for(chip="Loihi", workload="kws_blouw19", use="validation")}
    assert set(rows) == {"inferences_per_s", "dynamic_energy_per_inference_J"}
    wl = accel.get_workload("kws_blouw19")
    assert [(l.inputs, l.outputs) for l in wl.layers] == [(390, 256), (256, 256), (256, 29)]
    rep = accel.make_chip("Loihi").evaluate(wl)
    assert rep.kind == "predicted" and "Blouw" in rep.calibration[0]
    assert rep.inferences_per_s > rows["inferences_per_s"].value
    assert 0 < rep.dynamic_energy_per_inference_J < rows["dynamic_energy_per_inference_J"].value
    # the errors the benchmark prints are the ones the report carries
    for m in rows.values():
        assert rep.validation_error[m.name] == pytest.approx((getattr(rep, m.quantity) - m.value) / m.value)
