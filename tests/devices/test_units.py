"""Param and StateVar units are checked at declaration (SI, unprefixed)."""
import re

import pytest

from memlab.devices import MODELS, Param, StateVar
from memlab.devices._params import check_unit
from memlab.errors import UnitError


@pytest.mark.parametrize("unit", ["ohm", "m^2/(V s)", "1", "1/V", "K/W", "ohm/(V s)", "A/V^2", "V*s", "eV", "S"])
def test_si_units_accepted(unit):
    assert Param("p", 1.0, unit).unit == unit
    assert check_unit(unit, "here") == unit


@pytest.mark.parametrize("unit, why", [("nm", "unknown symbol 'nm'"), ("kohm", "unknown symbol 'kohm'"),
                                       ("uA", "unknown symbol"), ("", "empty"), ("V/", "incomplete"),
                                       ("(V s", "incomplete"), ("V)", "unbalanced"), ("2", "number"),
                                       ("m^2.5", "unexpected '.'"), ("/V", "misplaced")])
def test_non_si_units_raise_unit_error(unit, why):
    with pytest.raises(UnitError, match=re.escape(f"Param 'R': unit {unit!r} is not an SI unit ({why}")):
        Param("R", 1.0, unit)
    with pytest.raises(UnitError, match="StateVar 'w'"):
        StateVar("w", 0.0, 1.0, unit, 0.5)


def test_builtin_models_declare_si_units():
    for cls in MODELS.values():
        model = cls()
        units = [p.unit for p in model.params.values()] + [model.state.unit]
        assert all(check_unit(u, cls.__name__) == u for u in units)
