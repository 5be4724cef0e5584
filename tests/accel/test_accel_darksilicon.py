"""Dark silicon under a fixed power and area budget (Esmaeilzadeh ISCA'11)."""
import pytest

from memlab import accel


@pytest.fixture(scope="module")
def model():
    return accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"))


def test_calibration_point_22nm(model):
    # CALIBRATION, not validation: the preset's core_power_45_W (3.645 W) was chosen so that
    # the ITRS table gives the paper's 21 % dark at 22 nm (abstract of Esmaeilzadeh et al.,
    # ISCA'11). This only checks that the calibration still holds; 2 percentage points for
    # integer core counts.
    assert model.at(22).dark_fraction == pytest.approx(0.21, abs=0.02)


def test_held_out_8nm_above_half(model):
    # HELD OUT: the same abstract, "at 8 nm, this number grows to more than 50%": predicted
    # from the published ITRS power factors and area halving once 22 nm is fixed
    assert model.at(8).dark_fraction > 0.50


def test_hand_computed_16nm(model):
    # the documented equations with the preset's numbers, by hand: N_area = floor(111 mm^2 /
    # (5.55 mm^2 x 0.125)) = 160; P_core = 3.645 W x 0.38 = 1.3851 W; n_active =
    # floor(125 W / 1.3851 W) = floor(90.25) = 90; dark = 1 - 90/160 = 0.4375
    r = model.at(16)
    assert (r.n_area, r.n_active) == (160, 90)
    assert r.dark_fraction == pytest.approx(0.4375, rel=1e-12)
    assert r.chip_power_W == pytest.approx(90 * 1.3851, rel=1e-12)


@pytest.mark.xfail(strict=True, reason="model discrepancy (accel/_darksilicon.py, not owned here): the "
                   "single-core-type Amdahl model (parallel fraction 0.99, ITRS frequency factors) gives "
                   "17x speedup at 8 nm over 45 nm; Esmaeilzadeh et al. ISCA'11 abstract: 7.9x average "
                   "through 2024")
def test_held_out_speedup_through_2024(model):
    # abstract of Esmaeilzadeh et al., ISCA'11: "only 7.9x average speedup is possible"
    # (8 nm, 2024); a factor 1.5 either way allows for the paper's workload mix (PARSEC)
    # that this one-core-type model does not represent
    assert 7.9 / 1.5 <= model.at(8).speedup <= 7.9 * 1.5


def test_45nm_all_lit_and_budget_respected(model):
    # (the ITRS table is not monotone in dark fraction: power per device halves from 11 to
    # 8 nm while area halves too, so 8 nm is slightly less dark than 11 nm)
    d = [r.dark_fraction for r in model.sweep()]
    assert d[0] == 0.0
    assert d[2] > d[1]
    for r in model.sweep():
        assert r.chip_power_W <= 125.0 + 1e-9


def test_conservative_scaling_is_darker(model):
    cons = accel.DarkSiliconModel(accel.get_preset("dark-silicon-45nm"), scaling="conservative")
    assert cons.at(8).dark_fraction > model.at(8).dark_fraction


def test_bad_node(model):
    from memlab.errors import ParameterError
    with pytest.raises(ParameterError, match="node_nm"):
        model.at(7)
