"""Constants with provenance, and presets built from them.

Every number a hardware model uses is a :class:`Constant`: a value in SI units plus where it
comes from (``source``), how it was obtained (``tag``, ``basis``) and a free-text ``note``.
A :class:`Preset` is a named, immutable mapping of such constants for one model kind;
``preset.override(name=value, ...)`` returns a new preset whose overridden entries are
marked as user overrides (so a report never silently mixes sources).

Tags follow ``docs/notes/hardware.md``:

``P``  read in the primary source; ``S`` read in a third-party transcription that quotes
the primary; ``D`` arithmetic on P/S numbers; ``M`` recalled, not found at a source (to be
checked); ``A`` a memlab modelling assumption; ``U`` user override.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Mapping

from memlab._validate import interval_text, real
from memlab.errors import ConfigError, ParameterError, out_of_range

__all__ = ["Constant", "Preset", "Spec", "P"]

_TAGS = {"P", "S", "D", "M", "A", "U"}
_BASES = {"measured", "simulated", "derived", "datasheet", "assumption", "calibrated", "user"}


@dataclass(frozen=True)
class Constant:
    """One constant: ``value`` (SI unit ``unit``) and its provenance."""

    value: Any
    unit: str
    source: str
    tag: str = "S"
    basis: str = "datasheet"
    note: str = ""

    def __post_init__(self):
        if self.tag not in _TAGS:
            raise ParameterError(f"Constant: parameter 'tag' = {self.tag!r} is not one of {sorted(_TAGS)}")
        if self.basis not in _BASES:
            raise ParameterError(f"Constant: parameter 'basis' = {self.basis!r} is not one of {sorted(_BASES)}")
        if not self.source:
            raise ParameterError("Constant: parameter 'source' is empty; every constant needs a source")

    @property
    def provenance(self) -> dict:
        """``{source, tag, basis, note}`` as a plain dict."""
        return {"source": self.source, "tag": self.tag, "basis": self.basis, "note": self.note}


def P(value, unit, source, tag="S", basis="datasheet", note="") -> Constant:
    """Short constructor used by the preset tables."""
    return Constant(value, unit, source, tag, basis, note)


@dataclass(frozen=True)
class Spec:
    """What a model requires of one constant: kind and allowed closed/open range."""

    unit: str
    lo: float | None = 0.0
    hi: float | None = None
    lo_open: bool = True          # value must be > lo (True) or >= lo (False)
    kind: str = "float"           # float | int | choice | bool
    choices: tuple = ()
    doc: str = ""

    def allowed(self) -> str:
        if self.kind == "choice":
            return f"one of {list(self.choices)}"
        if self.kind == "bool":
            return "True or False"
        return interval_text(**self._range())

    def _range(self) -> dict:
        return {"lo": -math.inf if self.lo is None else self.lo, "hi": math.inf if self.hi is None else self.hi,
                "lo_open": self.lo_open, "integer": self.kind == "int"}

    def check(self, name: str, value, where: str):
        if self.kind == "choice":
            if isinstance(value, (list, dict, set)) or value not in self.choices:
                raise out_of_range(name, value, self.allowed(), where)
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise out_of_range(name, value, self.allowed(), where)
            return value
        if self.kind == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)          # YAML/JSON give 4.0 for 4 at times
        return real(value, name, where=where, **self._range())


@dataclass(frozen=True)
class Preset:
    """A named set of constants for one model kind (``model``: 'roofline', 'systolic', ...)."""

    name: str
    model: str
    params: Mapping[str, Constant]
    description: str = ""
    chip_kind: str = ""          # display group: CPU, GPU, FPGA, ASIC, neuromorphic, PIM

    def __post_init__(self):
        for k, v in self.params.items():
            if not isinstance(v, Constant):
                raise ConfigError(f"preset '{self.name}': constant '{k}' is a {type(v).__name__}, "
                                  "expected a Constant (value + provenance)")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __getitem__(self, key: str):
        try:
            return self.params[key].value
        except KeyError:
            raise ConfigError(f"preset '{self.name}' has no constant '{key}'; it has "
                              f"{sorted(self.params)}") from None

    def __contains__(self, key) -> bool:
        return key in self.params

    def provenance(self, key: str) -> dict:
        """Provenance dict of constant ``key``."""
        if key not in self.params:
            raise ConfigError(f"preset '{self.name}' has no constant '{key}'")
        return self.params[key].provenance

    def override(self, name: str | None = None, **values) -> "Preset":
        """New preset with ``values`` replacing constants (marked tag 'U', source 'user override').

        Unknown names raise :class:`ParameterError` naming the constant.
        """
        new = dict(self.params)
        for k, v in values.items():
            if k not in new:
                raise ParameterError(f"preset '{self.name}': cannot override unknown constant '{k}'; "
                                     f"known constants: {sorted(new)}")
            old = new[k]
            new[k] = replace(old, value=v, tag="U", basis="user",
                             source="user override", note=f"was {old.value!r} from {old.source}")
        return Preset(name or self.name, self.model, new, self.description, self.chip_kind)

    def table(self) -> list[dict]:
        """Rows ``{name, value, unit, source, tag, basis, note}`` for documentation."""
        return [{"name": k, "value": p.value, "unit": p.unit, **p.provenance} for k, p in self.params.items()]


def resolve(preset: Preset, required: Mapping[str, Spec], overrides: Mapping[str, Any], kind: str) -> tuple[dict, Preset]:
    """Check ``preset`` against ``required``; return (validated plain values, effective preset).

    Missing constants raise :class:`ConfigError` naming the constant; bad values raise
    :class:`ParameterError` naming the constant, the value and the allowed range.
    """
    if not isinstance(preset, Preset):
        raise ConfigError(f"{kind}: expected a Preset, got {type(preset).__name__}")
    if overrides:
        preset = preset.override(**overrides)
    missing = [k for k in required if k not in preset.params]
    if missing:
        raise ConfigError(f"preset '{preset.name}' for the {kind} model is missing constant(s) "
                          f"{missing}; each needs a value and a source")
    where = f"preset '{preset.name}'"
    return {k: spec.check(k, preset.params[k].value, where) for k, spec in required.items()}, preset
