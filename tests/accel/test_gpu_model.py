"""GPU model beyond the roofline: calibration reproduced, held-out measurements predicted,
power within [idle, TDP], tile/wave quantisation against hand counts."""
import math

import pytest

from memlab import accel
from memlab.accel._gpu import calibrate_gpu, gemm_schedule
from memlab.accel._measurements import MEASUREMENTS, measurements_for


def test_calibration_reproduces_its_points_and_the_preset_constants():
    # the fit (accel._gpu.calibrate_gpu) reproduces both calibration measurements to 1e-4 and
    # its constants are the ones stored in the presets (stored to 4 significant digits:
    # 1e-3 relative)
    fit = calibrate_gpu("A100-PCIe")
    for name, measured, model in fit["points"]:
        assert model == pytest.approx(measured, rel=1e-4), name
    p = accel.get_preset("A100")
    assert p["kernel_eff"] == pytest.approx(fit["kernel_eff"], rel=1e-3)
    assert p["t_launch"] == pytest.approx(fit["t_launch"], rel=1e-3)


def _predicted(name):
    m = next(m for m in MEASUREMENTS if m.name == name)
    assert m.use == "validation"       # never a calibration point
    rep = accel.make_chip(m.chip).evaluate(m.workload, batch=m.batch)
    assert rep.kind == "predicted"
    return rep, m


@pytest.mark.parametrize("name", ["A100-PCIe resnet50 bs1 (MLPerf v3.0 SingleStream)", "A100 resnet50 bs1 (TRT zoo)"])
def test_resnet50_batch1_latency_on_a100_is_predicted_within_2x(name):
    # issue 12: the roofline gave 19 us against ~470 us measured (24x optimistic). Target:
    # within 2x of the published measurement (the acceptance tolerance); the
    # model is expected closer (it gives ~-9%), 25% is asserted so a regression shows
    rep, m = _predicted(name)
    ratio = rep.latency_s / m.value
    assert 0.5 < ratio < 2.0
    assert abs(rep.validation_error[name]) < 0.25
    bound = accel.RooflineChip(accel.get_preset("A100-PCIe")).evaluate("resnet50", batch=1)
    assert bound.kind == "bound" and bound.latency_s < 0.2 * m.value    # the old figure is a bound


def test_h100_large_batch_throughput_is_predicted_from_the_a100_fit():
    # cross-chip prediction: H100 uses the constants fitted on A100; MLPerf v3.0 H100-SXM
    # ResNet-50 Offline 91,826 samples/s. Tolerance 25%: the spread of per-chip
    # efficiency between software releases (NVIDIA's own v2.1 -> v3.0 H100 gains were up
    # to 54% on some benchmarks, techpowerup 2023); the model gives ~+10%
    rep, m = _predicted("H100 resnet50 offline (MLPerf v3.0)")
    assert abs(rep.validation_error[m.name]) < 0.25


def test_mobilenet_batch1_is_predicted_within_2x():
    # depthwise layers are the model's weakest case (one kernel each, no fusion modelled):
    # issue tolerance 2x
    rep, m = _predicted("A100 mobilenet_v1 bs1 (TRT zoo)")
    assert 0.5 < rep.latency_s / m.value < 2.0


def test_batch64_throughput_between_batch1_and_the_large_batch_measurement():
    # A100 and H100 at batch 64: more than at batch 1 (launch overhead amortised), at most
    # the large-batch (2048) MLPerf throughput of the same chip family plus the model's
    # own large-batch error (the throughput can only grow with batch)
    for chip, meas in (("A100-PCIe", "A100-PCIe resnet50 offline (MLPerf v3.0)"),
                       ("H100", "H100 resnet50 offline (MLPerf v3.0)")):
        c = accel.make_chip(chip)
        big = c.evaluate("resnet50", batch=2048).inferences_per_s
        t64 = c.evaluate("resnet50", batch=64).inferences_per_s
        t1 = c.evaluate("resnet50", batch=1).inferences_per_s
        assert 5 * t1 < t64 <= big
        assert t64 > 0.5 * next(m.value for m in MEASUREMENTS if m.name == meas)


def _tdp_presets():
    return [n for n, p in accel.PRESETS.items() if "tdp" in p.params and p.model in accel.MODEL_CLASSES]


@pytest.mark.parametrize("chip", _tdp_presets())
def test_power_never_above_tdp_nor_below_idle(chip):
    # issue 12: an A100 MLP drew 410 W on a 400 W part. Every preset with a TDP, every zoo
    # workload, batch 1, 64 and 256: idle <= average power <= TDP (datasheet), also per
    # layer. On the old code this failed (seen: V100 lenet5 F6 at batch 64 309 W > 300 W,
    # A100 lenet5 C5 at batch 256 432 W > 400 W, H100 resnet50 742 W > 700 W)
    c = accel.make_chip(chip)
    tdp, idle = c.v["tdp"], c.v["p_static"]
    for wl in accel.zoo_names():
        for b in (1, 64, 256):
            rep = c.evaluate(wl, batch=b)
            assert idle * (1 - 1e-9) <= rep.average_power_W <= tdp * (1 + 1e-9), (wl, b)
            for l in rep.layers:
                assert l.energy_total_J / l.latency_s <= tdp * (1 + 1e-9), (wl, b, l.name)


def test_gemm_schedule_wave_quantisation_hand_count():
    # 108 SMs: a 128 x (128*108) output is exactly one wave of 128x128 tiles, hand count
    # t = 2*128*128*256 / 1e12 s. One more column of tiles (109) would need a second wave
    # (2x) with that tile; the library's choice of smaller tiles / split-K keeps the
    # penalty below 2x but cannot remove it
    ops = 1.0e12
    s108 = gemm_schedule(128, 64 * 4, 128 * 108, 1, 108, 64, ops, 1)
    s109 = gemm_schedule(128, 64 * 4, 128 * 109, 1, 108, 64, ops, 1)
    assert s108["waves"] == 1           # (ties: 128x256 tiles split-K 2 is as fast)
    assert s108["t_s"] == pytest.approx(2 * 128 * 128 * 256 / ops, rel=1e-12)
    assert s108["t_s"] * 109 / 108 < s109["t_s"] < 2 * s108["t_s"]
    # tile quantisation: m = 1 still executes a full tile row (padded MACs >= 32x useful)
    s1 = gemm_schedule(1, 2048, 1000, 1, 108, 64, ops, 1)
    assert s1["exec_macs"] >= 32 * 2048 * 1000


def test_every_measurement_names_its_source_and_use():
    for m in MEASUREMENTS:
        assert m.source and m.where and m.use in ("calibration", "validation")
        assert m.quantity in ("latency_s", "inferences_per_s", "throughput_ops_per_s",
                              "dynamic_energy_per_inference_J", "average_power_W") and m.value > 0 and not math.isinf(m.value)
    # at least two held-out GPU measurements, none of them a calibration point
    held = [m for m in measurements_for(use="validation") if m.chip in ("A100-PCIe", "H100") and m.tag == "P"]
    assert len(held) >= 2
    cal = {(m.chip, m.workload, m.batch) for m in measurements_for(use="calibration")}
    assert not any((m.chip, m.workload, m.batch) in cal for m in held)


def test_every_report_says_what_it_is():
    for chip in accel.DEFAULT_CHIPS:
        rep = accel.make_chip(chip).evaluate("lenet5")
        assert rep.kind in accel.KINDS
    assert accel.make_chip("Haswell-E5-2699v3").evaluate("lenet5").kind == "bound"
    assert accel.make_chip("A100").evaluate("lenet5").kind == "predicted"
    assert accel.make_chip("A100-PCIe").evaluate("resnet101").kind == "calibrated"


def test_idle_power_at_or_above_tdp_is_a_named_error():
    from memlab.errors import ParameterError
    for chip in ("A100", "Haswell-E5-2699v3", "TPU-v1"):
        with pytest.raises(ParameterError, match="p_static"):
            accel.make_chip(chip, p_static=1e4)


def test_bert_large_predictions_and_the_padding_caveat():
    # a transformer the fit never saw: MLPerf v3.0 A100-PCIe BERT-99 SingleStream (1.486 ms)
    # within the 2x (the model gives ~+23%)
    rep, m = _predicted("A100-PCIe bert_large bs1 (MLPerf v3.0 SingleStream)")
    assert 0.5 < rep.latency_s / m.value < 2.0
    # Offline: 3168 samples/s exceeds the int8 dense peak for 384-token sequences
    # (312e12 MAC/s over the padded net's MACs), so the measured run cannot have been padded
    # to 384; the padded zoo net is predicted below the peak and so below the measurement
    off, m2 = _predicted("A100-PCIe bert_large offline (MLPerf v3.0)")
    peak_rate = accel.get_preset("A100-PCIe")["peak_ops_int8"] / 2 / accel.get_workload("bert_large").macs
    assert m2.value > peak_rate > off.inferences_per_s
