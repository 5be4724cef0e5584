"""Presets: provenance on every constant, overrides, and clear errors."""
import math

import pytest

from memlab import accel
from memlab.errors import ConfigError, DataFormatError, ParameterError


@pytest.mark.parametrize("name", sorted(accel.PRESETS))
def test_every_constant_has_a_source(name):
    p = accel.get_preset(name)
    assert p.params
    for key, c in p.params.items():
        prov = p.provenance(key)
        assert prov["source"] and prov["tag"] in {"P", "S", "D", "M", "A"}
        assert prov["basis"]
        if c.tag in ("M", "A"):
            # recalled or assumed numbers must say so in their note or source
            assert c.note or "assumption" in c.source or "calibration" in c.source


@pytest.mark.parametrize("name", accel.DEFAULT_CHIPS)
def test_every_chip_preset_builds_and_evaluates(name):
    rep = accel.make_chip(name).evaluate("lenet5")
    assert rep.latency_s > 0 and rep.energy_total_J > 0
    assert all(math.isfinite(v) for v in rep.energy_J.values())


def test_preset_missing_constant_names_it():
    p = accel.get_preset("V100")
    params = dict(p.params)
    del params["dram_bw"]
    broken = accel.Preset("V100-broken", "roofline", params)
    with pytest.raises(ConfigError, match="missing constant.*dram_bw"):
        accel.RooflineChip(broken)


def test_override_marks_provenance_and_rejects_unknown():
    chip = accel.make_chip("A100", dram_bw=1e12)
    assert chip.v["dram_bw"] == 1e12
    assert chip.preset.provenance("dram_bw")["tag"] == "U"
    assert "datasheet" in chip.preset.provenance("dram_bw")["note"]
    with pytest.raises(ParameterError, match="dram_bandwidth"):
        accel.make_chip("A100", dram_bandwidth=1e12)


@pytest.mark.parametrize("key,value", [("dram_bw", 0.0), ("dram_bw", -5.0), ("efficiency", 1.5),
                                       ("dram_bw", float("nan")), ("peak_ops_int8", "fast")])
def test_override_out_of_range_names_constant(key, value):
    with pytest.raises(ParameterError, match=f"'{key}'"):
        accel.make_chip("A100", **{key: value})


def test_wrong_model_kind_and_unknown_preset():
    with pytest.raises(ConfigError, match="'systolic' model"):
        accel.RooflineChip(accel.get_preset("TPU-v1"))
    with pytest.raises(ConfigError, match="unknown preset"):
        accel.make_chip("TPU-v9")
    with pytest.raises(ConfigError, match="not a workload chip"):
        accel.make_chip("dark-silicon-45nm")
    with pytest.raises(ParameterError, match="'dataflow'"):
        accel.make_chip("TPU-v1", dataflow="rs")
    with pytest.raises(ParameterError, match="'rows'"):
        accel.make_chip("TPU-v1", rows=2.5)


def test_param_requires_source():
    with pytest.raises(ParameterError, match="source"):
        accel.Constant(1.0, "W", "")


@pytest.mark.parametrize("preset", [[], 123, None, {"a": 1}, 1.5])
def test_preset_of_the_wrong_type_is_a_config_error(preset):
    with pytest.raises(ConfigError, match="parameter 'preset'"):
        accel.make_chip(preset)


@pytest.mark.parametrize("value", ["a", float("nan"), float("inf"), 0, -3, 2.5, None, [64]])
def test_integer_constant_bad_values(value):
    with pytest.raises(ParameterError, match=r"preset 'ISAAC': parameter 'rows'.*\(0, inf\) \(integer\)"):
        accel.make_chip("ISAAC", rows=value)


def test_binary_and_directory_workloads(tmp_path):
    binary = tmp_path / "w.yaml"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(DataFormatError, match="not a UTF-8 text file"):
        accel.load_workload(binary)
    with pytest.raises(ConfigError, match="is a directory"):
        accel.load_workload(tmp_path)
    bad = tmp_path / "w.json"
    bad.write_text("{nope")
    with pytest.raises(DataFormatError, match="not valid .json"):
        accel.load_workload(bad)
