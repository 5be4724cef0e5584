"""A :class:`memlab.networks.MappedNetwork` on a memristor PIM chip: the accuracy and the cost
come from one mapping.

:meth:`PIMChip.evaluate_mapped` takes the tiles the networks layer built (each an exact
:mod:`memlab.arrays` crossbar) instead of re-deriving a mapping from layer shapes:

- array read energy per layer: the driver power of that layer's tile solves at the inputs of
  ``x`` (``MappedNetwork.report``), times the chip's read time ``t_read`` (s) per vector and
  input plane;
- ADC energy: the mapping's conversions per inference x the chip's energy per conversion at
  the mapping's ADC resolution (the chip's own when the mapping has an ideal ADC);
- DAC energy: active word lines x vectors x input planes x the chip's energy per DAC drive;
- shift-and-add: one per conversion; static power x latency;
- latency per layer: a layer of ``T`` tiles runs ``floor(n_arrays / T)`` copies in parallel
  (``ceil(T / n_arrays)`` passes when it does not fit, flagged ``time_multiplexed``); each
  vector and input plane takes ``t_read``; layers run one after another.

Each figure is a prediction of the chip constants' sources applied to the exact array
solves; the report's notes say so.
"""
from __future__ import annotations

import math

import numpy as np

from memlab.errors import ConfigError, ParameterError

from ._adc import adc_energy_isaac, adc_energy_survey
from ._base import energy_dict
from ._report import LayerResult, Report

__all__ = ["evaluate_mapped"]


def evaluate_mapped(chip, mapped, x, y=None, *, energy_samples: int = 16) -> Report:
    """Latency and energy (per inference, SI) of ``mapped`` on ``chip`` for the inputs ``x``;
    with labels ``y`` the accuracy of the same mapping on ``x`` is in ``Report.notes``."""
    from memlab.networks import MappedNetwork

    if not isinstance(mapped, MappedNetwork):
        raise ParameterError(f"parameter 'mapped' = {mapped!r:.60} must be a memlab.networks.MappedNetwork "
                             "(memlab.networks.map_network)")
    v = chip.v
    s = mapped.settings
    if tuple(s["tile"]) != (v["rows"], v["cols"]):
        raise ConfigError(f"the network is mapped on {s['tile'][0]}x{s['tile'][1]} tiles but chip '{chip.name}' has "
                          f"{v['rows']}x{v['cols']} arrays; map it with tile=({v['rows']}, {v['cols']})")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2 or x.shape[0] < 1:
        raise ParameterError(f"parameter 'x' has shape {x.shape}; give a batch of at least one input")
    rep = mapped.report(x, y, t_read=chip.t_read, energy_samples=energy_samples)
    planes = int(s["dac_bits"]) if s.get("input_mode") == "bit-serial" and s.get("dac_bits") else 1
    bits = s.get("adc_bits") or chip.adc_bits
    e_conv = (adc_energy_isaac(bits, v["e_adc_8bit"]) if v["adc_model"] == "isaac"
              else adc_energy_survey(bits, v["adc_rate"]))
    layers = []
    for row in rep.layers:
        tiles, vec = row["tiles"], row["vectors"]
        n_out, n_in = row["shape"]
        if tiles <= chip.n_arrays:
            passes = math.ceil(vec / (chip.n_arrays // tiles))
        else:
            passes = vec * math.ceil(tiles / chip.n_arrays)
        t = passes * planes * chip.t_read
        conv = row["conversions"]
        e = energy_dict(compute=row["read_energy"] + conv * v["e_shift_add"], adc=conv * e_conv,
                        dac=vec * row["active_rows"] * planes * chip.e_dac, static=v["p_static"] * t)
        macs = float(vec * n_out * n_in)
        util = 2 * macs / (chip.peak_ops_per_s("int8") * t) if t > 0 else 0.0
        layers.append(LayerResult(f"{row['layer']}[{row['group']}]", "mapped", macs, 0.0, 0.0, {chip.read_bound: t},
                                  t, chip.read_bound, e, util,
                                  {"tiles": tiles, "conversions": conv, "adc_bits": bits, "input_planes": planes,
                                   "rel_error": row.get("rel_error"), "time_multiplexed": tiles > chip.n_arrays}))
    notes = [f"mapped network '{rep.network}' on {rep.n_tiles} tiles of {v['rows']}x{v['cols']}: array read energy "
             f"from the exact tile solves, ADC/DAC/shift-add/static energy from the '{chip.name}' constants "
             "(predicted, not calibrated on this network)"]
    if rep.accuracy is not None:
        notes.append(f"accuracy on the {x.shape[0]} inputs: {rep.accuracy:.4f} (ideal {rep.ideal_accuracy:.4f})")
    out = Report(chip.name, chip.chip_kind, rep.network, 1, layers, chip.peak_ops_per_s("int8"), chip.dram_bw_Bps(),
                 chip.area_mm2(), notes, kind="predicted")
    return out
