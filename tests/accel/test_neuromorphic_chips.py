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
    # the inactive cost; the running chip adds p_active x wall time (closed form, 1e-12)
    chip = accel.make_chip("Loihi")
    layer = accel.Spiking("s", n_in=10, n_out=100, timesteps=1000, rate=1e-4)
    rep = chip.evaluate(accel.Workload("w", [layer]))
    l = rep.layers[0]
    p_act = 1 - (1 - 1e-4) ** 10
    updates = 100 * 1000
    p_active = chip.v["p_active"]
    expected = (l.extra["synaptic_events"] * 23.6e-12 + updates * (p_act * 81e-12 + (1 - p_act) * 52e-12)
                + p_active * l.latency_s)
    assert l.energy_J["compute"] == pytest.approx(expected, rel=1e-12)
    assert rep.kind == "predicted" and "Blouw" in rep.calibration[0]
    assert l.energy_J["static"] == pytest.approx(0.029 * l.latency_s, rel=1e-12)
    # CALIBRATION: at a 1 ms real-time step the silent layer's updates add 100 x 52 pJ x 1 kHz
    # = 5 uW to the board's network-loaded level, 0.098 W in Blouw et al.'s C10L10 power log
    # (p_static 0.029 W idle + p_active): reproduced to within those 5 uW (1 %)
    slow = accel.make_chip("Loihi", t_tick_min=1e-3).evaluate(accel.Workload("w", [layer]))
    assert slow.average_power_W == pytest.approx(0.098, rel=0.01)


def test_loihi_blouw19_chip_faster_than_host_loop():
    # Blouw et al. 2019 measured 296 inferences/s for the 390-256-256-29 keyword spotter
    # (accel._measurements BLOUW19) and 1000 / 16.12 s for the 26,112-neuron C10L10 network
    # (power logs). Both runs are paced by the host loop that sends inputs and reads outputs;
    # the chip alone (no t_sample_min) must be faster than either (directional: the host
    # time is not modelled, it is an input of the power predictions below)
    from memlab.accel._measurements import blouw19_scaled
    for wl, measured in ((accel.get_workload("kws_blouw19"), 296.0), (blouw19_scaled(10, 10), 1000 / 16.12)):
        assert accel.make_chip("Loihi").evaluate(wl).inferences_per_s > measured


def _paced(name):
    from memlab.accel._measurements import BLOUW19_RUN_RATE, blouw19_scaled
    wl = accel.get_workload(name) if name == "kws_blouw19" else blouw19_scaled(*{"kws_blouw19_C00L00": (0, 0),
                                                                                   "kws_blouw19_C10L10": (10, 10)}[name])
    return accel.make_chip("Loihi", t_sample_min=1 / BLOUW19_RUN_RATE[name]).evaluate(wl)


# Tolerance of the running-power predictions, 10 %: the larger of (a) the 5 % by which two
# measured runs of the same 390-256-256-29 architecture on the same board differ (results
# table 0.110 W, log C00L00 0.1045 W) and (b) the up to 9 % by which the model's one
# unpublished input, the conversion's spike rate, moves the predictions between x0.25 and
# x2 (benchmarks/bench_accel_chips.py prints both), rounded up.
POWER_TOL = 0.10


@pytest.mark.parametrize("name", ["kws_blouw19", "kws_blouw19_C00L00", "kws_blouw19_C10L10"])
def test_loihi_held_apart_running_power(name):
    # PREDICTION (held apart): the board's running power of Blouw et al. 2019 (results table
    # 0.110 W; logs C00L00 0.1045 W and C10L10 0.112 W, 26,112 neurons) from the calibrated
    # 0.098 W running baseline plus the Davies'18 per-event energies, at the run's measured
    # pace (an input); the scaled nets' activity fades down their random-weight branches
    # (accel._measurements.relu_gain, from ScaledModel's published initialisers)
    from memlab.accel._measurements import measurements_for
    (m,) = [x for x in measurements_for(chip="Loihi", workload=name) if x.quantity == "average_power_W"]
    rep = _paced(name)
    assert rep.kind == "predicted"
    assert rep.average_power_W == pytest.approx(m.value, rel=POWER_TOL)
    assert rep.validation_error[m.name] == pytest.approx((rep.average_power_W - m.value) / m.value)


def test_loihi_held_apart_dynamic_energy():
    # PREDICTION (held apart): Blouw et al.'s 0.27 mJ dynamic energy per inference (running
    # minus the 29 mW idle board, per inference). Tolerance 14 %: the 10 % power tolerance
    # carried through the subtraction of the idle power, x P / (P - 0.029) = 0.110 / 0.081
    rep = _paced("kws_blouw19")
    assert rep.dynamic_energy_per_inference_J == pytest.approx(0.27e-3, rel=POWER_TOL * 0.110 / 0.081)


def test_resident_layers_share_time_steps():
    # closed form: two resident layers on Loihi advance in lockstep, so a 10-step sample
    # takes 10 + 1 network steps of the slower layer's step time, not 10 + 10 steps
    a = accel.Spiking("a", n_in=100, n_out=100, timesteps=10, rate=0.1)
    b = accel.Spiking("b", n_in=100, n_out=1000, timesteps=10, rate=0.1)
    chip = accel.make_chip("Loihi")
    rep = chip.evaluate(accel.Workload("w", [a, b]))
    v = chip.v
    t_b = max(100 * 1000 * 0.1 * v["t_syn"], 1000 * v["t_neuron"]) + v["t_barrier"]
    assert rep.latency_s == pytest.approx(11 * t_b, rel=1e-12)
