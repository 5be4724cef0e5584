"""A :class:`memlab.networks.MappedNetwork` on a memristor PIM chip: the accuracy and the cost
come from one mapping.

:meth:`PIMChip.pipeline` (and :meth:`PIMChip.evaluate_mapped`, its report) takes the tiles the
networks layer built (each an exact :mod:`memlab.arrays` crossbar) instead of re-deriving a
mapping from layer shapes:

- array read energy per layer: the driver power of that layer's tile solves at the inputs of
  ``x`` (``MappedNetwork.report``), times the chip's read time ``t_read`` (s) per vector and
  input plane;
- ADC energy: the mapping's conversions per inference x the chip's energy per conversion at
  the mapping's ADC resolution (the chip's own when the mapping has an ideal ADC);
- DAC energy: active word lines x vectors x input planes x the chip's energy per DAC drive;
- shift-and-add: one per conversion;
- eDRAM: each stage's input feature map written and read once (``e_edram`` J/B); network on
  chip: each stage's output feature map over ``noc_hops`` router hops (``e_noc`` J/B);
  off-chip I/O: network input and output, buffer spills, weight reloads (``e_io`` J/B);
- feature maps count ``a_bits / 8`` bytes per value, ``a_bits`` = the mapping's DAC bits, or 8;
- timing, replication, buffers and reprogramming: :mod:`memlab.accel._pim_pipeline`;
- static power x batch time / batch, spread over the rows in proportion to their latency.

Each figure is a prediction of the chip constants' sources applied to the exact array
solves; the report's notes say so.
"""
from __future__ import annotations

import math

import numpy as np

from memlab._validate import positive_int
from memlab.errors import ConfigError, ParameterError

from ._adc import adc_energy_isaac, adc_energy_survey
from ._base import energy_dict
from ._pim_pipeline import PipelineResult, Stage, allocate, stage_time
from ._report import LayerResult, Report

__all__ = ["evaluate_mapped", "network_report"]


def _stages(mapped, rep, x, a_bytes, planes):
    """Pipeline stages of the mapping, in network order, from its report rows."""
    cells = {}
    for t in rep.tiles:
        key = (t["layer"], t["group"])
        cells[key] = cells.get(key, 0) + t["rows"] * t["cols"]
    stages, prev_out = [], float(np.prod(x.shape[1:])) * a_bytes
    for row in rep.layers:
        key = (row["layer"], row["group"])
        n_out, _n_in = row["shape"]
        out_b = row["vectors"] * n_out * a_bytes
        stages.append(Stage(f"{row['layer']}[{row['group']}]", row["tiles"], row["vectors"], planes, cells[key],
                            prev_out, out_b))
        prev_out = out_b
    return stages


def _stage_times(chip, s, replicas, first, last):
    v = chip.v
    tiles = max(1, math.ceil(min(s.arrays * replicas, chip.n_arrays) / (v["arrays_per_ima"] * v["imas_per_tile"])))
    spill = max(0.0, s.in_bytes - tiles * v["edram_bytes"])
    io = (s.in_bytes if first else 0.0) + (s.out_bytes if last else 0.0) + 2 * spill
    times = {chip.read_bound: stage_time(s, replicas, chip.t_read, chip.n_arrays),
             "memory:eDRAM": 2 * s.in_bytes / (v["edram_bw"] * tiles),
             "noc": 0.0 if last else s.out_bytes / v["edram_bw"],
             "memory:IO": io / v["io_bw"]}
    return times, spill, io


def network_report(mapped, x, y=None, *, energy_samples: int = 16):
    """``mapped.report`` on ``x`` (and ``y``) at ``t_read`` = 1 s: the read energies per second
    of read time, which :func:`evaluate_mapped` scales to a chip's ``t_read`` (they are linear
    in it). Lets one mapping be costed on many chips without re-solving its tiles."""
    return mapped.report(x, y, t_read=1.0, energy_samples=energy_samples)


def evaluate_mapped(chip, mapped, x, y=None, *, energy_samples: int = 16, batch: int = 1,
                    report=None) -> PipelineResult:
    """Pipeline ``mapped`` on ``chip`` for the inputs ``x`` (SI units, per inference); with
    labels ``y`` the accuracy of the same mapping on ``x`` is in the result and the notes.
    ``report``: a :func:`network_report` of ``mapped`` on the same ``x``, ``y`` (else made here)."""
    from memlab.networks import MappedNetwork

    if not isinstance(mapped, MappedNetwork):
        raise ParameterError(f"parameter 'mapped' = {mapped!r:.60} must be a memlab.networks.MappedNetwork "
                             "(memlab.networks.map_network)")
    batch = positive_int(batch, "batch")
    v = chip.v
    s = mapped.settings
    if tuple(s["tile"]) != (v["rows"], v["cols"]):
        raise ConfigError(f"the network is mapped on {s['tile'][0]}x{s['tile'][1]} tiles but chip '{chip.name}' has "
                          f"{v['rows']}x{v['cols']} arrays; map it with tile=({v['rows']}, {v['cols']})")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2 or x.shape[0] < 1:
        raise ParameterError(f"parameter 'x' has shape {x.shape}; give a batch of at least one input")
    rep = network_report(mapped, x, y, energy_samples=energy_samples) if report is None else report
    planes = int(s["dac_bits"]) if s.get("input_mode") == "bit-serial" and s.get("dac_bits") else 1
    a_bytes = (s.get("dac_bits") or 8) / 8
    bits = s.get("adc_bits") or chip.adc_bits
    e_conv = (adc_energy_isaac(bits, v["e_adc_8bit"]) if v["adc_model"] == "isaac"
              else adc_energy_survey(bits, v["adc_rate"]))
    stages = _stages(mapped, rep, x, a_bytes, planes)
    groups, replicas = allocate(stages, chip.n_arrays, chip.t_read)
    fits = len(groups) == 1 and all(st.arrays <= chip.n_arrays for st in stages)
    n = len(stages)
    layers, rows, batch_time, interval = [], [], 0.0, 0.0
    spill_tot = noc_tot = rep_J = rep_s = 0.0
    for gi, g in enumerate(groups):
        g_times = []
        for i in g:
            st, row = stages[i], rep.layers[i]
            times, spill, io = _stage_times(chip, st, replicas[i], i == 0, i == n - 1)
            bound = max(times, key=times.get)
            t = times[bound]
            g_times.append(t)
            conv = row["conversions"]
            noc_b = 0.0 if i == n - 1 else st.out_bytes * v["noc_hops"]
            spill_tot += spill
            noc_tot += noc_b
            e = energy_dict(compute=row["read_energy"] * chip.t_read + conv * v["e_shift_add"], adc=conv * e_conv,
                            dac=st.vectors * row["active_rows"] * planes * chip.e_dac,
                            onchip=2 * st.in_bytes * v["e_edram"], interconnect=noc_b * v["e_noc"],
                            dram=io * v["e_io"])
            n_out, n_in = row["shape"]
            macs = float(st.vectors * n_out * n_in)
            layers.append(LayerResult(st.name, "mapped", macs, io, 2 * st.in_bytes, times, t, bound, e,
                                      2 * macs / (chip.peak_ops_per_s("int8") * t) if t > 0 else 0.0,
                                      {"tiles": st.arrays, "replicas": replicas[i], "group": gi, "conversions": conv,
                                       "adc_bits": bits, "input_planes": planes, "rel_error": row.get("rel_error"),
                                       "spill_bytes": spill, "time_multiplexed": st.arrays > chip.n_arrays}))
            rows.append({"stage": st.name, "group": gi, "arrays": st.arrays, "replicas": replicas[i], "time_s": t,
                         "bound": bound, "spill_B": spill, "energy_J": sum(e.values())})
        t_rep = 0.0
        if not fits:
            cells = sum(stages[i].cells for i in g)
            e_w = cells * v["write_pulses"] * v["e_write_cell"]
            load_b = cells * v["cell_bits"] / 8
            passes = max(math.ceil(stages[i].arrays / chip.n_arrays) for i in g)   # > 1: one stage, in passes
            t_rep = max(passes * v["rows"] * v["write_pulses"] * v["t_write_pulse"], load_b / v["io_bw"])
            rep_J += e_w + load_b * v["e_io"]
            rep_s += t_rep
            layers.append(LayerResult(f"reprogram[{gi}]", "reprogram", 0.0, load_b / batch, 0.0,
                                      {"reprogram": t_rep / batch}, t_rep / batch, "reprogram",
                                      energy_dict(write=e_w / batch, dram=load_b * v["e_io"] / batch), 0.0,
                                      {"cells": cells, "group": gi, "per_batch_J": e_w + load_b * v["e_io"],
                                       "per_batch_s": t_rep}))
        interval = max(interval, max(g_times))
        batch_time += sum(g_times) + (batch - 1) * max(g_times) + t_rep
    lat = sum(l.latency_s for l in layers)
    e_static = v["p_static"] * batch_time / batch
    for l in layers:
        l.energy_J["static"] = e_static * l.latency_s / lat if lat > 0 else 0.0
    slow = max(range(n), key=lambda i: rows[i]["time_s"])       # rows are in stage order
    notes = [f"mapped network '{rep.network}' on {rep.n_tiles} tiles of {v['rows']}x{v['cols']}, pipelined over "
             f"{chip.n_arrays} arrays in {len(groups)} group(s): array read energy from the exact tile solves, "
             f"ADC/DAC/shift-add/eDRAM/NoC/I/O/static energy from the '{chip.name}' constants "
             "(predicted, not calibrated on this network)",
             f"throughput {batch / batch_time:.4g} inferences/s at batch {batch}; latency = sum of stage times"]
    if not fits:
        notes.append(f"the network does not fit on the chip: every batch reprograms {rep_J:.4g} J in {rep_s:.4g} s")
    if rep.accuracy is not None:
        notes.append(f"accuracy on the {x.shape[0]} inputs: {rep.accuracy:.4f} (ideal {rep.ideal_accuracy:.4f})")
    report = Report(chip.name, chip.chip_kind, rep.network, 1, layers, chip.peak_ops_per_s("int8"),
                    chip.dram_bw_Bps(), chip.area_mm2(), notes, kind="predicted")
    return PipelineResult(report, batch, interval, batch_time, batch / batch_time,
                          [[stages[i].name for i in g] for g in groups],
                          {st.name: replicas[i] for i, st in enumerate(stages)}, stages[slow].name, bool(fits),
                          rep_J, rep_s, spill_tot, noc_tot, rep.accuracy, rep.ideal_accuracy, rows)
