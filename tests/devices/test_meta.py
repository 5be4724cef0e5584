"""Per-model metadata lives on the classes: short names, I-V demo drives, fit defaults."""
import pytest

from memlab.devices import MODELS, DeviceModel, FitDefaults, IVDemo, KnowmMSS, Sine, TEAM, VTEAM, get_model

# the I-V demo drives as they stood in analysis._characterize.IV_PRESETS (amplitude V,
# frequency Hz, series resistor ohm, x0 in state units), copied by hand
PRESETS = {"hp": (1.0, 2.0, 0.0, 0.5), "team": (1.0, 20e6, 100.0, 1.5e-9), "vteam": (1.0, 20e6, 100.0, 1.5e-9),
           "yakopcic": (0.5, 100.0, 0.0, 0.11), "stanford": (1.6, 1e4, 0.0, 0.2e-9), "mss": (0.8, 10.0, 5e3, 0.0),
           "threshold": (3.0, 1e3, 0.0, 5e3), "sinh": (0.5, 10.0, 0.0, 1e-5), "selector": (1.5, 10.0, 0.0, 0.0),
           "pcm": (3.0, 1e5, 10e3, 1.0),
           "mott": (1.5, 1e6, 0.0, 300.0), "datadriven": (1.5, 10e3, 0.0, 1280.0),
           "jart": (1.5, 1.0, 0.0, 0.008e26)}


def test_registry_and_get_model_use_class_names():
    assert sorted(MODELS) == sorted(PRESETS)
    for key, cls in MODELS.items():
        assert cls.short_name == key and type(get_model(key)) is cls
    assert type(get_model("Knowm")) is KnowmMSS and type(get_model("stanford-pku")).short_name == "stanford"


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_demo_drive_matches_the_former_table(key):
    cls = MODELS[key]
    a, f, rs, x0 = PRESETS[key]
    assert cls.iv_demo == IVDemo(a, f, rs, x0)
    drive, x_init = cls.demo_drive(periods=3)
    assert drive == Sine(a, f, periods=3, r_series=rs) and x_init == x0


def test_demo_defaults_and_overrides():
    assert DeviceModel.iv_demo == IVDemo(1.0, 10.0, 0.0, None)
    assert IVDemo(0.5, 2.0).drive(1, amplitude=0.2, frequency=None) == Sine(0.2, 2.0, periods=1)


def test_fit_defaults_on_the_classes():
    assert isinstance(KnowmMSS.fit_defaults, FitDefaults)
    assert KnowmMSS.fit_defaults.params == ("R_on", "R_off", "tau", "V_on", "V_off", "beta")
    assert VTEAM.fit_defaults.on_positive is False and TEAM.fit_defaults.log == ("k_on", "i_off", "i_on")
    for cls in MODELS.values():
        d = cls.fit_defaults
        if d is not None:   # every default names declared parameters
            assert set(d.params) <= set(cls().param_names) and set(d.search) <= set(d.params)
