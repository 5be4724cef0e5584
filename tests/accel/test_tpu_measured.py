"""TPU v1 against Jouppi'17's measured per-app figures (held apart: nothing is fitted).

Measured values come from ``memlab.accel._measurements`` (Jouppi et al., ISCA 2017, Tables 3
and 4, read in a public transcription of the paper's tables; see that module's docstring).
"""
import pytest

from memlab import accel
from memlab.accel._measurements import measurements_for

# Jouppi'17 Table 3, "non-matrix" row: share of TPU cycles spent outside the matrix unit
# (activation, pooling, vector work, host interaction) per app, %. The model times only the
# matrix unit and DRAM, so its error on an app whose matrix and weight traffic it captures
# can be as large as this unmodelled share: |error| <= f / (1 - f) is the tolerance.
NON_MATRIX = {"MLP0": 17.5, "MLP1": 31.9, "LSTM0": 17.9, "LSTM1": 10.3, "CNN0": 21.8, "CNN1": 18.7}
# The stand-ins lack what Table 3 shows for these two: CNN1 23.7% of cycles with unused
# MACs (layers shallower than 256) and 22.8% RAW stalls; LSTM1 62.1% weight stalls with
# 4.2% unused MACs. They are the model's known misses: asserted as over-predictions.
KNOWN_MISS = ("LSTM1", "CNN1")


@pytest.fixture(scope="module")
def tpu():
    return accel.make_chip("TPU-v1")


def _table3(app):
    (m,) = [m for m in measurements_for(chip="TPU-v1", workload=app, use="validation")
            if m.quantity == "throughput_ops_per_s"]
    return m


def test_tpu_is_uncalibrated_prediction(tpu):
    # the preset's constants are the paper's spec: no calibration point, every report predicted
    rep = tpu.evaluate("MLP0")
    assert rep.kind == "predicted" and rep.calibration == ()
    assert not measurements_for(chip="TPU-v1", use="calibration")


@pytest.mark.parametrize("app", [a for a in NON_MATRIX if a not in KNOWN_MISS])
def test_table3_tops_predicted(tpu, app):
    m = _table3(app)
    rep = tpu.evaluate(m.workload, batch=m.batch)
    f = NON_MATRIX[app] / 100
    err = rep.validation_error[m.name]
    assert err == pytest.approx((rep.throughput_ops_per_s - m.value) / m.value)
    assert abs(err) <= f / (1 - f), f"{app}: {err:+.1%}"


@pytest.mark.parametrize("app", KNOWN_MISS)
def test_table3_known_misses_are_optimistic(tpu, app):
    m = _table3(app)
    rep = tpu.evaluate(m.workload, batch=m.batch)
    # the stand-in has none of the inefficiencies listed above: the model must be above
    assert rep.throughput_ops_per_s > m.value
    assert rep.throughput_ops_per_s <= tpu.peak_ops_per_s()


def test_table4_mlp0_ips_above_measured(tpu):
    # Table 4's IPS include host time and (batch 200) the 7 ms latency limit, neither of
    # which the model has: it must not come out slower than either measurement
    rows = [m for m in measurements_for(chip="TPU-v1", workload="MLP0") if m.quantity == "inferences_per_s"]
    assert {m.batch for m in rows} == {200, 250}
    for m in rows:
        assert tpu.evaluate("MLP0", batch=m.batch).inferences_per_s >= m.value


def test_stand_ins_match_table1():
    # the six apps are synthetic stand-ins (layer shapes are not published); their batch
    # and weights are Jouppi'17 Table 1's (weights within 1%, the table's rounding)
    # and ops per weight byte (the TPU's weight traffic, within 1%); literals as transcribed
    table1 = {"MLP0": (200, 20, 200), "MLP1": (168, 5, 168), "LSTM0": (64, 52, 64), "LSTM1": (96, 34, 96),
              "CNN0": (8, 8, 2888), "CNN1": (32, 100, 1750)}
    tpu = accel.make_chip("TPU-v1")
    for app, wl in accel.tpu_v1_workloads().items():
        assert "stand-in" in wl.source
        batch, weights_m, ops_per_byte = table1[app]
        assert wl.batch == batch and wl.weights / 1e6 == pytest.approx(weights_m, rel=0.01)
        assert tpu.roofline(wl)["macs_per_weight_byte"] == pytest.approx(ops_per_byte, rel=0.01)


def test_haswell_roofline_is_a_bound_on_table4():
    # the CPU model is left a roofline bound (the only CPU figures verified here are these
    # two Table 4 rows: too few to fit an overhead + efficiency model and hold two apart);
    # a bound must not come out slower than a measurement
    cpu = accel.make_chip("Haswell-E5-2699v3")
    rows = measurements_for(chip="Haswell-E5-2699v3", workload="MLP0")
    assert {m.batch for m in rows} == {16, 64}
    for m in rows:
        rep = cpu.evaluate("MLP0", batch=m.batch)
        assert rep.kind == "bound" and rep.inferences_per_s >= m.value
