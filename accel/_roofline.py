"""Roofline chips (CPU, GPU) and a DSP-budget FPGA model.

Per layer (``docs/notes/hardware.md`` §4)::

    t_compute = 2*MACs / (peak_ops[dtype] * efficiency)
    t_dram    = DRAM bytes / dram_bw ;  t_onchip = on-chip bytes / onchip_bw
    t_power   = E_dynamic / (tdp - p_static)           (the TDP is a roof too)
    latency   = max(t_compute, t_dram, t_onchip, t_power)       (bound = the largest)
    E = E_dynamic + p_static*latency,  E_dynamic = MACs*e_mac[dtype] + onchip_bytes*e_onchip + dram_bytes*e_dram

so the average power E / latency lies between ``p_static`` (idle) and ``tdp``, never above.

DRAM traffic: the weights once per batch (every time step for a recurrent layer whose
weights exceed ``onchip_bytes``), plus the layer's input/output activations when
they do not fit in ``onchip_bytes`` (or when the layer is the first/last of the network).
On-chip traffic: every operand passes the last-level on-chip memory once (compulsory).
The roofline is a bound, not a predictor (Williams, Waterman & Patterson, CACM 2009);
``efficiency`` (0..1] scales the compute roof for a measured or assumed sustained fraction.
"""
from __future__ import annotations

import math

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult

__all__ = ["RooflineChip", "FPGA", "dram_traffic", "overlapped_latency"]

_POS = Spec("")


def dram_traffic(layer, batch, onchip_bytes, first, last):
    """(DRAM bytes, on-chip bytes) of one layer under the capacity rule in the module doc."""
    w = 0.0
    for g in layer.gemms():
        if g.static:
            gw = g.k * g.n * g.count * layer.w_bits / 8
            # recurrent weights that do not stay on chip are re-read every time step
            w += gw * (g.steps if gw > onchip_bytes else 1)
    a_in, a_out = layer.input_bytes * batch, layer.output_bytes * batch
    spill = (a_in + a_out) > onchip_bytes
    dram = w + (a_in if (first or spill) else 0.0) + (a_out if (last or spill) else 0.0)
    return dram, w + a_in + a_out


def overlapped_latency(times: dict, overhead: float = 0.0) -> tuple[str, float]:
    """``(bound, latency)`` of resources that overlap (``times``, s) after a serial
    ``overhead`` (s): latency = overhead + max(times); bound = the largest resource, or
    ``"overhead"`` when the overhead alone is longer."""
    bound = max(times, key=times.get)
    if overhead > times[bound]:
        bound = "overhead"
    return bound, overhead + max(times.values())


class RooflineChip(HardwareModel):
    """CPU or GPU as a two-level roofline (on-chip memory + DRAM)."""

    MODEL = "roofline"
    ACCEPTS = ("gpu", "cpu")  # RooflineChip(get_preset("A100")) is the bound of the GPU (and CPU) model
    REQUIRED = {
        "peak_ops_fp32": Spec("op/s"), "peak_ops_fp16": Spec("op/s"), "peak_ops_int8": Spec("op/s"),
        "e_mac_fp32": Spec("J"), "e_mac_fp16": Spec("J"), "e_mac_int8": Spec("J"),
        "dram_bw": Spec("B/s"), "e_dram": Spec("J/B"),
        "onchip_bytes": Spec("B"), "onchip_bw": Spec("B/s"), "e_onchip": Spec("J/B"),
        "p_static": Spec("W", lo=0.0, lo_open=False), "tdp": Spec("W"),
        "efficiency": Spec("1", lo=0.0, hi=1.0), "area_mm2": Spec("mm^2"),
    }

    def _setup(self):
        if self.v["p_static"] >= self.v["tdp"]:
            from memlab.errors import out_of_range
            raise out_of_range("p_static", self.v["p_static"], f"< tdp = {self.v['tdp']} W", f"preset '{self.name}'")

    def peak_ops_per_s(self, dtype="int8"):
        return self.v[f"peak_ops_{dtype}"]

    def dram_bw_Bps(self):
        return self.v["dram_bw"]

    def e_mac(self, dtype):
        return self.v[f"e_mac_{dtype}"]

    def _layer(self, layer, batch, first, last):
        v = self.v
        macs = layer.macs * batch
        dt = layer.dtype
        dram, onchip = dram_traffic(layer, batch, v["onchip_bytes"], first, last)
        e = energy_dict(compute=macs * self.e_mac(dt), onchip=onchip * v["e_onchip"], dram=dram * v["e_dram"])
        times = {"compute": 2 * macs / (self.peak_ops_per_s(dt) * v["efficiency"]),
                 "memory:DRAM": dram / v["dram_bw"], "memory:onchip": onchip / v["onchip_bw"],
                 "power": sum(e.values()) / (v["tdp"] - v["p_static"])}
        bound = max(times, key=times.get)
        t = times[bound]
        e["static"] = v["p_static"] * t
        util = 2 * macs / (self.peak_ops_per_s(dt) * t)
        return LayerResult(layer.name, layer.kind, macs, dram, onchip, times, t, bound, e, util,
                           {"dtype": dt})


class FPGA(RooflineChip):
    """FPGA accelerator: the compute roof comes from the DSP and LUT budgets,
    ``peak = 2 * (floor(n_dsp / dsp_per_mac[dtype]) + floor(luts_for_macs / luts_per_mac[dtype]))
    * clock_hz``; the rest is the roofline."""

    MODEL = "fpga"
    REQUIRED = {k: s for k, s in RooflineChip.REQUIRED.items() if not k.startswith("peak_ops") and k != "area_mm2"}
    REQUIRED.update({"n_dsp": Spec("1", kind="int"), "clock_hz": Spec("Hz"),
                     "dsp_per_mac_fp32": Spec("1"), "dsp_per_mac_fp16": Spec("1"),
                     "dsp_per_mac_int8": Spec("1"),
                     "luts_for_macs": Spec("1", lo=0, lo_open=False, kind="int"),
                     "luts_per_mac_fp32": Spec("1"), "luts_per_mac_fp16": Spec("1"), "luts_per_mac_int8": Spec("1")})

    def _setup(self):
        super()._setup()
        v = self.v
        self._peak = {d: 2 * (math.floor(v["n_dsp"] / v[f"dsp_per_mac_{d}"])
                              + math.floor(v["luts_for_macs"] / v[f"luts_per_mac_{d}"])) * v["clock_hz"]
                      for d in ("fp32", "fp16", "int8")}
        for d, p in self._peak.items():
            if p <= 0:
                from memlab.errors import out_of_range
                raise out_of_range(f"dsp_per_mac_{d}", v[f"dsp_per_mac_{d}"],
                                   f"<= n_dsp={v['n_dsp']} (at least one MAC unit from DSPs or LUTs)", f"preset '{self.name}'")

    def peak_ops_per_s(self, dtype="int8"):
        return self._peak[dtype]
