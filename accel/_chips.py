"""Build a chip model from a preset name or object."""
from __future__ import annotations

from memlab.errors import ConfigError

from ._fpga import TiledFPGA
from ._neuromorphic import NeuromorphicChip
from ._params import Preset
from ._pim import PIMChip
from ._presets import get_preset
from ._roofline import FPGA, RooflineChip
from ._systolic import SystolicArray

__all__ = ["MODEL_CLASSES", "make_chip"]

MODEL_CLASSES = {"roofline": RooflineChip, "fpga": FPGA, "systolic": SystolicArray,
                 "neuromorphic": NeuromorphicChip, "pim": PIMChip}
MODEL_CLASSES["fpga_tiled"] = TiledFPGA      # Zhang'15 loop tiling, design found by search (accel/_fpga.py)


def make_chip(preset, **overrides):
    """Chip model for ``preset`` (name or :class:`Preset`), with constants overridden by keyword."""
    p = get_preset(preset) if not isinstance(preset, Preset) else preset
    if p.model not in MODEL_CLASSES:
        raise ConfigError(f"preset '{p.name}' has model '{p.model}', which is not a workload chip; "
                          f"chip models: {sorted(MODEL_CLASSES)}")
    return MODEL_CLASSES[p.model](p, **overrides)
