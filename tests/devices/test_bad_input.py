"""Bad input raises a memlab exception naming the parameter and the allowed range."""
import numpy as np
import pytest

from memlab.errors import MemlabError, ParameterError
from memlab.devices import HPLinearDrift, VTEAM, Yakopcic, Sine, PWL, PulseTrain, Triangle, simulate, get_model


def test_negative_resistance():
    with pytest.raises(ParameterError, match=r"'R_on' = -5.0 is outside the allowed range \(0, inf\) ohm"):
        HPLinearDrift(R_on=-5.0)
    with pytest.raises(ParameterError, match="R_off"):
        VTEAM(R_off=np.array([1e3, -1.0]))


def test_window_exponent_zero():
    with pytest.raises(ParameterError, match=r"'p' = 0.0 is outside the allowed range \[1, 50\] \(integer\)"):
        HPLinearDrift(window="joglekar", p=0)
    with pytest.raises(ParameterError, match="'p' = 1.5"):
        HPLinearDrift(window="biolek", p=1.5)


def test_x0_outside_bounds():
    with pytest.raises(ParameterError, match=r"'x0' = 1.5 is outside the allowed range \[0, 1\]"):
        simulate(HPLinearDrift(), Sine(1.0, 1.0), x0=1.5)
    with pytest.raises(ParameterError, match="'x0'.*3e-09"):
        simulate(VTEAM(), Sine(1.0, 1e6), x0=4e-9)


def test_drive_with_nan():
    with pytest.raises(ParameterError, match="'amplitude' = nan"):
        Sine(np.nan, 1.0)
    with pytest.raises(ParameterError, match="'v' = nan"):
        PWL(t=(0, 1, 2), v=(0, np.nan, 0))
    with pytest.raises(ParameterError, match="'frequency'"):
        Triangle(1.0, -3.0)
    with pytest.raises(ParameterError, match="'levels' = nan"):
        PulseTrain([1.0, np.nan], 1e-6)
    with pytest.raises(ParameterError, match="'r_series' = -1"):
        Sine(1.0, 1.0, r_series=-1.0)


def test_other_bad_input():
    with pytest.raises(ParameterError, match="unknown parameter"):
        VTEAM(R_of=1e3)
    with pytest.raises(ParameterError, match="option 'window'"):
        HPLinearDrift(window="jogelkar")
    with pytest.raises(ParameterError, match="'R_on' must be below 'R_off'"):
        VTEAM(R_on=2e3)
    with pytest.raises(ParameterError, match="'rtol'"):
        simulate(Yakopcic(), Sine(0.5, 10.0), rtol=0)
    with pytest.raises(ParameterError, match="unknown model"):
        get_model("nosuch")
    with pytest.raises(ParameterError, match="'eta'"):
        Yakopcic(eta=0.5)
    with pytest.raises(MemlabError, match="'t' must"):
        simulate(Yakopcic(), Sine(0.5, 10.0), t=[0.0, 0.2, 0.1])
