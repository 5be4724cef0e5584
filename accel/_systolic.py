"""Systolic-array ASIC (TPU-like) with a fold-level cycle model.

Each GEMM ``(m x k) @ (k x n)`` (``m`` = rows per sample x batch) is cut into folds that fit
the ``rows x cols`` array (SCALE-Sim's analytical model; Samajdar et al., ISPASS 2020):

* weight stationary (``ws``): ``ceil(k/R) * ceil(n/C)`` folds of ``2R + C + m - 2`` cycles;
* output stationary (``os``): ``ceil(m/R) * ceil(n/C)`` folds of ``R + C + k - 2`` cycles.

The OS formula gives 10 cycles for the 4x4 RTL case of SCALE-Sim (ISPASS Fig. 4; v2
reports 9, ARM-software/SCALE-Sim#125). Latency = max(cycles / clock, DRAM bytes / BW).
Weights come from DRAM once per batch; a recurrent layer whose weights exceed the weight
buffer re-streams them every time step. Activations stay in the unified buffer unless the
layer's input + output exceed it.
"""
from __future__ import annotations

import math

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult

__all__ = ["SystolicArray", "fold_cycles"]


def fold_cycles(m: int, k: int, n: int, rows: int, cols: int, dataflow: str) -> tuple[int, int]:
    """(folds, cycles) of one GEMM on a ``rows x cols`` array (formulas in the module doc)."""
    if dataflow == "ws":
        folds = math.ceil(k / rows) * math.ceil(n / cols)
        return folds, folds * (2 * rows + cols + m - 2)
    folds = math.ceil(m / rows) * math.ceil(n / cols)
    return folds, folds * (rows + cols + k - 2)


class SystolicArray(HardwareModel):
    """Systolic ASIC; constants in SI (``e_*`` in J or J/B, ``*_bytes`` in B)."""

    MODEL = "systolic"
    REQUIRED = {
        "rows": Spec("1", kind="int"), "cols": Spec("1", kind="int"), "clock_hz": Spec("Hz"),
        "dataflow": Spec("", kind="choice", choices=("ws", "os")),
        "ub_bytes": Spec("B"), "weight_buf_bytes": Spec("B"), "acc_bits": Spec("bit", kind="int"),
        "dram_bw": Spec("B/s"), "e_mac": Spec("J"), "e_sram": Spec("J/B"), "e_dram": Spec("J/B"),
        "p_static": Spec("W", lo=0.0, lo_open=False), "tdp": Spec("W"), "area_mm2": Spec("mm^2"),
    }

    def peak_ops_per_s(self, dtype="int8"):
        return 2.0 * self.v["rows"] * self.v["cols"] * self.v["clock_hz"]

    def dram_bw_Bps(self):
        return self.v["dram_bw"]

    @property
    def ridge_macs_per_byte(self) -> float:
        """Roofline ridge point in MACs per DRAM byte (TPU v1 paper: ~1350)."""
        return self.peak_ops_per_s() / 2 / self.v["dram_bw"]

    def _layer(self, layer, batch, first, last):
        v = self.v
        R, C, df = v["rows"], v["cols"], v["dataflow"]
        ab, wb, accb = layer.a_bits / 8, layer.w_bits / 8, v["acc_bits"] / 8
        cycles, sram, w_dram = 0, 0.0, 0.0
        for g in layer.gemms():
            m = g.m * batch
            _, cyc = fold_cycles(m, g.k, g.n, R, C, df)
            cycles += cyc * g.count * g.steps
            kn_bytes = g.k * g.n * (wb if g.static else ab)
            if df == "ws":
                per = m * g.k * ab * math.ceil(g.n / C) + 2 * m * g.n * accb * math.ceil(g.k / R) + kn_bytes
            else:
                per = m * g.k * ab * math.ceil(g.n / C) + kn_bytes * math.ceil(m / R) + m * g.n * ab
            sram += per * g.count * g.steps
            if g.static:
                restream = g.steps if g.k * g.n * wb * g.count > v["weight_buf_bytes"] else 1
                w_dram += g.k * g.n * g.count * wb * restream
        a_in, a_out = layer.input_bytes * batch, layer.output_bytes * batch
        spill = (a_in + a_out) > v["ub_bytes"]
        dram = w_dram + (a_in if (first or spill) else 0.0) + (a_out if (last or spill) else 0.0)
        macs = layer.macs * batch
        times = {"compute": cycles / v["clock_hz"], "memory:DRAM": dram / v["dram_bw"]}
        bound = max(times, key=times.get)
        t = times[bound]
        e = energy_dict(compute=macs * v["e_mac"], onchip=sram * v["e_sram"], dram=dram * v["e_dram"],
                        static=v["p_static"] * t)
        util = 2 * macs / (self.peak_ops_per_s() * t)
        return LayerResult(layer.name, layer.kind, macs, dram, sram, times, t, bound, e, util,
                           {"cycles": cycles, "weight_dram_bytes": w_dram,
                            "mapping_utilisation": macs / (cycles * R * C)})

    def roofline(self, workload) -> dict:
        """Roofline of a whole workload in the TPU paper's terms: MACs per weight byte read
        from DRAM, attainable MAC/s = min(peak, BW x intensity), and the bound
        ('memory' left of the ridge point, 'compute' right of it)."""
        from ._zoo import get_workload
        wl = get_workload(workload)
        rep = self.evaluate(wl)
        wbytes = sum(l.extra["weight_dram_bytes"] for l in rep.layers)
        ai = rep.macs / wbytes
        peak = self.peak_ops_per_s() / 2
        att = min(peak, self.v["dram_bw"] * ai)
        return {"workload": wl.name, "macs_per_weight_byte": ai, "ridge_macs_per_byte": self.ridge_macs_per_byte,
                "attainable_macs_per_s": att, "bound": "memory" if ai < self.ridge_macs_per_byte else "compute"}
