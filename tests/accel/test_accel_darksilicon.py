"""Dark silicon with Pareto-frontier cores under fixed power and area budgets
(Esmaeilzadeh et al., "Dark Silicon and the End of Multicore Scaling", ISCA 2011).

Published numbers used here, abstract of the ISCA'11 paper (read with `search` in the
ISCA text and the TOCS 2012 version): "at 22 nm, 21% of a fixed-size chip must be powered
off, and at 8 nm, this number grows to more than 50%. Through 2024, only 7.9x average
speedup is possible". The preset's ``bandwidth_roof`` is fitted to the 7.9x (the ONE
calibration point); the dark fractions and the conservative-scaling speedup are predictions.
"""
import numpy as np
import pytest

from memlab import accel
from memlab.errors import ConfigError, ParameterError


@pytest.fixture(scope="module")
def model():
    return accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"))


def test_calibration_point_8nm_speedup(model):
    # CALIBRATION, not validation: bandwidth_roof = 8.106 was fitted (to 4 digits) so that the
    # symmetric ITRS chip gives the abstract's 7.9x at 8 nm; 0.5 % allows the rounding of the
    # fitted constant
    assert model.at(8).speedup == pytest.approx(7.9, rel=0.005)
    assert model.KIND == "calibrated"
    # the label says which result is the calibration point: only this one
    assert model.at(8).kind == "calibrated"
    assert [r.kind for r in model.sweep()[:-1]] == ["predicted"] * 5
    cons = accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"), scaling="conservative")
    assert cons.at(8).kind == "predicted"
    # refitting an input (here the roof) leaves no calibration point
    assert accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"), bandwidth_roof=20.0).at(8).kind == "predicted"


def test_held_apart_dark_fraction_22nm(model):
    # PREDICTION: abstract, "at 22 nm, 21% of a fixed-size chip must be powered off". The
    # tolerance, 3 percentage points, is one core of the ~32 that fit at 22 nm (integer core
    # counts quantise the dark fraction in steps of 1/32 = 3.1 points)
    r = model.at(22)
    assert r.dark_fraction == pytest.approx(0.21, abs=1.0 / r.n_area)


def test_held_apart_dark_fraction_8nm_above_half(model):
    # PREDICTION: abstract, "at 8 nm, this number grows to more than 50%"
    assert model.at(8).dark_fraction > 0.50


@pytest.mark.xfail(strict=True, reason="model discrepancy: the conservative 8 nm chip reaches 6.7x where "
                   "Esmaeilzadeh et al. ISCA'11 give 3.7x (UNVERIFIED: recalled; only the openings of the ISCA'11, TOCS'12 and "
                   "CACM'13 texts were reachable with `search`, see docs/notes/hardware.md §3). "
                   "Measured with this model (benchmarks/bench_accel_chips.py, sensitivity rows): for every single "
                   "parallel fraction f with the roof refitted to 7.9x, cons8 and the 22 nm dark fraction cannot "
                   "both match (f = 0.93: 3.9x but 37.5 % dark at 22 nm; f >= 0.99: 21-23 % but 6.7x). The paper "
                   "takes the geometric mean over 12 PARSEC benchmarks, each with its own f and memory traffic "
                   "(CmpM_U); those per-benchmark inputs were not found at any source searched (issue 12), so the mix is not "
                   "modelled")
def test_held_apart_conservative_speedup_8nm():
    # PREDICTION: the paper's conservative-scaling 8 nm geometric-mean speedup, 3.7x; a
    # factor 1.5 either way allows for the single parallel fraction standing in for PARSEC
    cons = accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"), scaling="conservative")
    assert 3.7 / 1.5 <= cons.at(8).speedup <= 3.7 * 1.5


def test_conservative_scaling_is_darker_and_slower(model):
    # the paper's conservative projection has smaller power and frequency gains (Table 1):
    # at 8 nm power x0.22 (ITRS x0.12) and frequency x1.34 (ITRS x3.85)
    cons = accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"), scaling="conservative")
    assert cons.at(8).dark_fraction > model.at(8).dark_fraction
    assert cons.at(8).speedup < model.at(8).speedup


def test_symmetric_design_closed_form(model):
    # the documented equations by hand at the chosen 22 nm design: A(q) = 7.4393 +
    # 0.0265 q + 0.0152 q^2 (mm^2), P(q) = -0.0301 + 0.3859 q + 0.0009 q^2 + 0.0002 q^3 (W),
    # area x0.25 and power x0.54 (ITRS 22 nm); N_area = floor(111 / A), N = min(N_area,
    # floor(125 / P)); dark = 1 - N / N_area
    r = model.at(22)
    q = r.q_large
    a = (7.4393 + 0.0265 * q + 0.0152 * q * q) * 0.25
    p = (-0.0301 + 0.3859 * q + 0.0009 * q * q + 0.0002 * q ** 3) * 0.54
    n_area = int(np.floor(111.0 / a))
    n = min(n_area, int(np.floor(125.0 / p)))
    assert (r.n_area, r.n_active) == (n_area, n)
    assert r.dark_fraction == pytest.approx(1 - n / n_area, rel=1e-12)
    assert r.core_power_W == pytest.approx(p, rel=1e-12)


def test_baseline_is_the_quad_core_at_45nm(model):
    # 4 baseline cores fill 111 mm^2: A(q_base) = 27.75 mm^2 -> q_base = 35.69 SPECmark
    # (quadratic formula on the area frontier, by hand)
    a, b, c = 0.0152, 0.0265, 7.4393 - 111.0 / 4
    q = (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    assert model.q_base == pytest.approx(q, abs=0.01)
    # the 45 nm chip is all lit, and the best 45 nm design beats the baseline only modestly
    r = model.at(45)
    assert r.dark_fraction == 0.0
    assert 1.0 <= r.speedup < 1.2


def test_budgets_respected_and_topologies(model):
    p = accel.get_preset("dark-silicon-45nm")
    for topo in ("symmetric", "asymmetric", "dynamic", "best"):
        m = accel.DarkSiliconModel(p, topology=topo)
        for r in m.sweep():
            assert r.chip_power_W <= 125.0 + 1e-9
            assert 0.0 <= r.dark_fraction < 1.0
    # asymmetric chips contain the symmetric ones (q_S = q_L is allowed only as a limit),
    # so "best" is never below symmetric
    best = accel.DarkSiliconModel(p, topology="best")
    for node in accel.NODES_NM:
        assert best.at(node).speedup >= model.at(node).speedup - 1e-12


def test_bad_inputs_name_the_parameter(model):
    with pytest.raises(ParameterError, match="node_nm"):
        model.at(7)
    p = accel.get_preset("dark-silicon-45nm")
    with pytest.raises(ParameterError, match="topology"):
        accel.DarkSiliconModel(p, topology="composed")
    with pytest.raises(ParameterError, match="q_max"):
        accel.DarkSiliconModel(p, q_max=1.0)
    with pytest.raises(ParameterError, match="pareto_area_mm2"):
        accel.DarkSiliconModel(p, pareto_area_mm2="big")
    with pytest.raises(ParameterError, match="parallel_fraction"):
        accel.DarkSiliconModel(p, parallel_fraction=1.5)
    with pytest.raises(ParameterError, match="area_budget_mm2"):
        accel.DarkSiliconModel(p, area_budget_mm2=1.0)
    with pytest.raises(ConfigError, match="not a workload chip"):
        accel.make_chip("dark-silicon-45nm")


@pytest.mark.parametrize("name", accel.preset_names("darksilicon"))
def test_every_listed_dark_silicon_preset_works(name):
    # issue 12: "dark-silicon-45nm is listed and then refused"; every dark-silicon preset the
    # error messages list must build and give a table for each node, with its estimate kind
    rows = accel.DarkSiliconModel(accel.get_preset(name)).table()
    assert [r["node_nm"] for r in rows] == list(accel.NODES_NM)
    assert all(r["cores_lit"] <= r["cores_built"] for r in rows)
    assert [r["estimate"] for r in rows] == ["predicted"] * 5 + ["calibrated"]
    with pytest.raises(ConfigError, match="not a workload chip"):
        accel.make_chip(name)
