"""Build a chip model from a preset name or object."""
from __future__ import annotations

from memlab.errors import ConfigError

from ._cpu import CPUChip
from ._fpga import TiledFPGA
from ._gpu import GPUChip
from ._neuromorphic import NeuromorphicChip
from ._params import Preset
from ._pim import PIMChip
from ._presets import get_preset
from ._roofline import FPGA, RooflineChip
from ._systolic import SystolicArray

__all__ = ["MODEL_CLASSES", "make_chip", "chip_names"]

MODEL_CLASSES = {"roofline": RooflineChip, "gpu": GPUChip, "fpga": FPGA, "systolic": SystolicArray,
                 "neuromorphic": NeuromorphicChip, "pim": PIMChip}
MODEL_CLASSES["fpga_tiled"] = TiledFPGA      # Zhang'15 loop tiling, design found by search (accel/_fpga.py)
MODEL_CLASSES["cpu"] = CPUChip               # multi-instance server CPU beyond the roofline (accel/_cpu.py)


def chip_names() -> list[str]:
    """Preset names that :func:`make_chip` (and so ``compare``) accepts: presets of a workload
    chip model (the dark-silicon preset, for instance, is not one)."""
    from ._presets import PRESETS
    return [n for n, p in PRESETS.items() if p.model in MODEL_CLASSES]


def make_chip(preset, **overrides):
    """Chip model for ``preset`` (name or :class:`Preset`), with constants overridden by keyword."""
    if isinstance(preset, str) and preset not in chip_names():
        from ._presets import PRESETS
        what = "is not a workload chip" if preset in PRESETS else "is an unknown preset"
        raise ConfigError(f"parameter 'chips' = {preset!r:.80} {what}; chip presets: {chip_names()}")
    p = get_preset(preset) if not isinstance(preset, Preset) else preset
    if p.model not in MODEL_CLASSES:
        raise ConfigError(f"preset '{p.name}' has model '{p.model}', which is not a workload chip; "
                          f"chip models: {sorted(MODEL_CLASSES)}")
    return MODEL_CLASSES[p.model](p, **overrides)
