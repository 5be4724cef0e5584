"""Systolic-array ASIC (TPU-like) with a fold-level cycle model.

Each GEMM ``(m x k) @ (k x n)`` (``m`` = rows per sample x batch) is cut into folds that fit
the ``rows x cols`` array (SCALE-Sim's analytical model; Samajdar et al., ISPASS 2020):

* weight stationary (``ws``): ``ceil(k/R) * ceil(n/C)`` folds of ``2R + C + m - 2`` cycles
  (load R rows of weights, stream m rows of inputs, fill and drain the pipeline);
* ws with **weight double-buffering** (TPU v1: a second weight tile is shifted in while the
  current one computes, hiding the R-cycle load): ``R + folds x max(m, R) + R + C - 2``;
* output stationary (``os``): ``ceil(m/R) * ceil(n/C)`` folds of ``R + C + k - 2`` cycles.

The OS formula gives 10 cycles for the 4x4 RTL case of SCALE-Sim (ISPASS Fig. 4; v2
reports 9, ARM-software/SCALE-Sim#125).

**Stalls**: each WS fold needs ``min(k,R) x min(n,C)`` weight bytes from DRAM; when their
transfer (``bytes / (dram_bw / clock)`` cycles) is longer than the fold's compute, the
array waits: with double-buffering the fold takes the longer of the two, without it the
two add. **SRAM traffic** (:func:`systolic_counts`, SCALE-Sim's counting): input reads
``m k ceil(n/C)`` (WS), weight reads ``k n``, output writes ``m n ceil(k/R)`` (partial
sums, WS); **DRAM**: weights once per batch (a recurrent layer whose weights exceed the
weight buffer re-streams them every time step), inputs once when they fit the input half
of the unified buffer, else once per column fold; outputs once when input + output do not
fit the unified buffer (or at the network's ends). Latency = max(cycles incl. stalls /
clock, DRAM bytes / BW, dynamic energy / (tdp - p_static)); a stalled schedule is
labelled DRAM time (``memory:DRAM``), the stall-free cycles ``compute``.

**What the figures are**: every constant of the TPU-v1 preset is the paper's specification
(or a textbook energy); nothing is fitted to a measurement, so reports are ``"predicted"``
(``KIND``), with an empty calibration set. The model times the matrix unit and DRAM only:
the activation/pooling/vector work that Jouppi'17 Table 3 counts as "non-matrix" cycles
(10-32% per app) is not timed. Held-apart checks: Table 3's achieved TeraOps/s per app and
Table 4's MLP0 throughput (``_measurements.MEASUREMENTS``, printed by
benchmarks/bench_accel.py).
"""
from __future__ import annotations

import math

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult

__all__ = ["SystolicArray", "fold_cycles", "systolic_counts"]


def fold_cycles(m: int, k: int, n: int, rows: int, cols: int, dataflow: str,
                double_buffer: bool = False, stall_per_fold: float = 0.0) -> tuple[int, int]:
    """(folds, cycles) of one GEMM on a ``rows x cols`` array (formulas in the module doc);
    ``stall_per_fold``: cycles to fetch one fold's weights from DRAM (WS only)."""
    if dataflow == "ws":
        folds = math.ceil(k / rows) * math.ceil(n / cols)
        if double_buffer:
            return folds, math.ceil(rows + folds * max(m, rows, stall_per_fold) + rows + cols - 2)
        return folds, math.ceil(folds * (2 * rows + cols + m - 2 + stall_per_fold))
    folds = math.ceil(m / rows) * math.ceil(n / cols)
    return folds, folds * (rows + cols + k - 2)


def systolic_counts(m: int, k: int, n: int, rows: int, cols: int, dataflow: str, ifmap_sram_bytes: float,
                    elem_bytes: float = 1.0, partial_sums_to_dram: bool = False) -> dict:
    """Element counts of one GEMM as SCALE-Sim reports them: SRAM ``ifmap_reads``,
    ``filter_reads``, ``ofmap_writes`` and DRAM ``ifmap_dram``, ``filter_dram``,
    ``ofmap_dram`` (formulas in the module doc; the input is re-read from DRAM once per
    column fold when it does not fit half of ``ifmap_sram_bytes`` (double-buffered)).
    ``partial_sums_to_dram``: every output SRAM write also goes to DRAM (SCALE-Sim's ofmap
    buffer drains each fold); False = partial sums stay in on-chip accumulators (TPU v1)
    and each output reaches DRAM once."""
    cf, rf = math.ceil(n / cols), math.ceil(k / rows)
    if dataflow == "ws":
        sram = {"ifmap_reads": m * k * cf, "filter_reads": k * n, "ofmap_writes": m * n * rf}
    else:
        sram = {"ifmap_reads": m * k * cf, "filter_reads": k * n * math.ceil(m / rows), "ofmap_writes": m * n}
    refetch = 1 if m * k * elem_bytes <= ifmap_sram_bytes / 2 else cf
    return {**sram, "ifmap_dram": m * k * refetch, "filter_dram": k * n,
            "ofmap_dram": sram["ofmap_writes"] if partial_sums_to_dram else m * n}


class SystolicArray(HardwareModel):
    """Systolic ASIC; constants in SI (``e_*`` in J or J/B, ``*_bytes`` in B)."""

    MODEL = "systolic"
    #: spec constants only, a cycle model with stalls (not a roofline): a prediction
    KIND = "predicted"
    REQUIRED = {
        "rows": Spec("1", kind="int"), "cols": Spec("1", kind="int"), "clock_hz": Spec("Hz"),
        "dataflow": Spec("", kind="choice", choices=("ws", "os")),
        "ub_bytes": Spec("B"), "weight_buf_bytes": Spec("B"), "acc_bits": Spec("bit", kind="int"),
        "double_buffer": Spec("", kind="bool"),
        "dram_bw": Spec("B/s"), "e_mac": Spec("J"), "e_sram": Spec("J/B"), "e_dram": Spec("J/B"),
        "p_static": Spec("W", lo=0.0, lo_open=False), "tdp": Spec("W"), "area_mm2": Spec("mm^2"),
    }

    def _setup(self):
        if self.v["p_static"] >= self.v["tdp"]:
            from memlab.errors import out_of_range
            raise out_of_range("p_static", self.v["p_static"], f"< tdp = {self.v['tdp']} W", f"preset '{self.name}'")

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
        bytes_per_cycle = v["dram_bw"] / v["clock_hz"]
        cycles, stalls, sram, w_dram = 0, 0, 0.0, 0.0
        for g in layer.gemms():
            m = g.m * batch
            fetch = min(g.k, R) * min(g.n, C) * wb / bytes_per_cycle if (g.static and df == "ws") else 0.0
            _, cyc = fold_cycles(m, g.k, g.n, R, C, df, v["double_buffer"], fetch)
            _, cyc0 = fold_cycles(m, g.k, g.n, R, C, df, v["double_buffer"])
            cycles += cyc * g.count * g.steps
            stalls += (cyc - cyc0) * g.count * g.steps
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
        e = energy_dict(compute=macs * v["e_mac"], onchip=sram * v["e_sram"], dram=dram * v["e_dram"])
        # stalls are waits for DRAM: the stalled schedule counts as DRAM time
        times = {"compute": (cycles - stalls) / v["clock_hz"],
                 "memory:DRAM": max(dram / v["dram_bw"], cycles / v["clock_hz"] if stalls else 0.0),
                 "power": sum(e.values()) / (v["tdp"] - v["p_static"])}
        bound = max(times, key=times.get)
        t = times[bound]
        e["static"] = v["p_static"] * t
        util = 2 * macs / (self.peak_ops_per_s() * t)
        return LayerResult(layer.name, layer.kind, macs, dram, sram, times, t, bound, e, util,
                           {"cycles": cycles, "stall_cycles": stalls, "weight_dram_bytes": w_dram,
                            "mapping_utilisation": macs / ((cycles - stalls) * R * C)})

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
