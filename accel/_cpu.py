"""Server-CPU model beyond the roofline, calibrated on one published measurement.

The machine (``n_cores`` cores, one shared last-level cache of ``onchip_bytes``, DRAM of
``dram_bw``) is split the way inference harnesses split it: ``n_cores // cores_per_instance``
instances, each running the network on its own ``cores_per_instance`` cores. A query of
``batch`` samples is dealt out ``b = ceil(batch / instances)`` per instance; the instances run
side by side, so the latency is one instance's and the throughput ``batch / latency``.

Per layer and instance, every GEMM (``m = rows x b``) is scheduled as a blocked GEMM library
does it (oneDNN brgemm style), with :func:`memlab.accel._gpu.gemm_schedule`:

* **SIMD / matrix-tile quantisation**: the output is cut into register blocks ``TM x TN``
  (:data:`CPU_TILES`: 16-row AMX tiles, 2 x 2 tiles at most in the 8 tile registers) and
  ``K`` is padded to the tile row (``tile_k_bytes``: 64 int8 values); the padded work runs;
* **core-count wave quantisation**: the blocks are shared out over the instance's cores in
  ``ceil(blocks / cores)`` rounds; every core sustains ``kernel_eff`` of its peak (the one
  fitted constant);
* **cache hierarchy with reuse**: each core keeps square panels of side ``s`` (the largest
  multiple of 32 with ``2 s K`` bytes in half its ``l2_bytes``) in L2, so the LLC->L2 traffic
  is ``(m k ceil(n/s) + k n ceil(m/s)) x bytes`` plus the outputs (the operand panels are
  re-read once per block of the other dimension: classic blocked-GEMM traffic), at the
  instance's share of the LLC bandwidth ``onchip_bw``;
* **sub-batching and DRAM**: an instance runs each layer in the largest sub-batch ``sb`` whose
  input + output activations fit its share of the LLC (a blocked runtime keeps activations
  on chip; ``sb`` = 1 when one sample does not fit, and then they spill), so activations go
  to DRAM only when one sample's do not fit (or at the network's ends); weights are read
  once per sub-batch, from the shared LLC when the whole network's weights fit there
  (ResNet-50's 25 MB do, BERT-large's 340 MB do not), else from DRAM, at the instance's
  share of ``dram_bw``;
* **framework overhead**: ``t_layer`` per GEMM kernel (operator dispatch, thread barrier),
  serial with the kernel;
* **power between idle and TDP**: ``p_static`` (idle, whole machine) burns over the latency;
  the dynamic energy of all instances may not exceed ``(tdp - p_static)`` per second
  (``t_power``), so the average power is never above the TDP.

``latency = overhead + max(t_compute, t_LLC, t_DRAM, t_power)``.

Calibration (:func:`calibrate_cpu`): ``kernel_eff`` alone, by a 1-D root find on the one
measurement of ``_measurements.MEASUREMENTS`` with ``chip = CALIBRATED_ON`` and
``use = "calibration"`` (MLPerf v3.0 ResNet-50 Offline on 2 x Xeon 8480+). Everything else
(the Server harness split, BERT) is a prediction.
"""
from __future__ import annotations

import copy
import math

from ._base import HardwareModel, energy_dict
from ._gpu import gemm_schedule
from ._params import Spec
from ._report import LayerResult
from ._roofline import RooflineChip, dram_traffic, overlapped_latency

__all__ = ["CPUChip", "calibrate_cpu", "CPU_TILES", "CALIBRATED_ON"]

#: the preset whose calibration measurement fixes kernel_eff for the CPU presets
CALIBRATED_ON = "Xeon-8480+-2S"

#: register blocks (rows, cols) of the output: AMX C tiles are 16 x 16 int32 (16 rows of 64 B);
#: with 8 tile registers a 2 x 2 block of C tiles (+2 A, +2 B) is the largest (memlab's menu)
CPU_TILES = ((32, 32), (16, 32), (32, 16), (16, 16))
_DT_BYTES = {"int8": 1, "fp16": 2, "fp32": 4}


def _l2_panel(k: int, nb: int, l2_bytes: float) -> int:
    """Side ``s`` (multiple of 32, at least 32) of the square panels whose two ``s x k``
    operand slices fill half the L2: ``2 s k nb <= l2_bytes / 2``."""
    return max(32, int(l2_bytes / (4.0 * k * nb)) // 32 * 32)


class CPUChip(RooflineChip):
    """Multi-instance server CPU: tile/core quantisation, L2 blocking, shared LLC, framework
    overhead and a TDP cap (module doc). Constants beyond the roofline ones: ``n_cores``,
    ``cores_per_instance``, ``l2_bytes`` (per core, B), ``tile_k_bytes`` (B), ``kernel_eff``
    (1) and ``t_layer`` (s per kernel)."""

    MODEL = "cpu"
    KIND = "calibrated"
    ACCEPTS = ()
    REQUIRED = {**RooflineChip.REQUIRED,
                "n_cores": Spec("1", kind="int"), "cores_per_instance": Spec("1", kind="int"),
                "l2_bytes": Spec("B"), "tile_k_bytes": Spec("B", kind="int"),
                "kernel_eff": Spec("1", lo=0.0, hi=1.0), "t_layer": Spec("s", lo=0.0, lo_open=False)}

    _weights_resident = False

    def _setup(self):
        super()._setup()                    # p_static < tdp
        v = self.v
        if v["cores_per_instance"] > v["n_cores"]:
            from memlab.errors import out_of_range
            raise out_of_range("cores_per_instance", v["cores_per_instance"], f"<= n_cores = {v['n_cores']}",
                               f"preset '{self.name}'")
        from ._measurements import measurements_for
        self.calibration = tuple(m.name for m in measurements_for(chip=CALIBRATED_ON, use="calibration"))

    @property
    def instances(self) -> int:
        """Instances the cores are split into (1)."""
        return self.v["n_cores"] // self.v["cores_per_instance"]

    def evaluate(self, workload, batch=None):
        """As :meth:`HardwareModel.evaluate`; first decides whether the workload's weights stay in
        the shared LLC (on a copy of the chip: this object is not changed)."""
        from ._zoo import get_workload
        wl = get_workload(workload, batch)
        chip = copy.copy(self)
        w_bytes = sum(l.weights * l.w_bits / 8 for l in wl.layers)
        chip._weights_resident = w_bytes <= self.v["onchip_bytes"]
        return HardwareModel.evaluate(chip, wl)

    def _layer(self, layer, batch, first, last):
        v = self.v
        dt = layer.dtype
        nb = _DT_BYTES[dt]
        cpi, n_inst = v["cores_per_instance"], self.instances
        b = math.ceil(batch / n_inst)
        active = math.ceil(batch / b)
        share = cpi / v["n_cores"]          # the instance's share of LLC and DRAM
        peak = self.peak_ops_per_s(dt)
        ops_core = peak / v["n_cores"] * v["kernel_eff"]
        tile_k = max(1, v["tile_k_bytes"] // nb)
        rs = getattr(layer, "kernel_h", 1) * getattr(layer, "kernel_w", 1)
        a_reuse = min(1.0, getattr(layer, "stride", 1) ** 2 / rs)    # implicit-GEMM conv
        llc_share = v["onchip_bytes"] * share
        # the largest sub-batch whose activations stay in the instance's LLC share
        act = layer.input_bytes + layer.output_bytes
        sb = max(1, min(b, int(llc_share // act) if act > 0 else b))
        n_sub = math.ceil(b / sb)
        t_c, exec_macs, llc, kernels, waves = 0.0, 0.0, 0.0, 0, 0
        for g in layer.gemms():
            m, n, cnt = g.m * sb, g.n, g.count
            if cnt > 1 and g.static:        # grouped / depthwise: channels side by side
                n, cnt = n * cnt, 1
            s = gemm_schedule(m, g.k, n, cnt, cpi, tile_k, ops_core, nb, tiles=CPU_TILES)
            side = _l2_panel(g.k, nb, v["l2_bytes"])
            fill = (m * g.k * a_reuse * math.ceil(n / side) + g.k * n * math.ceil(m / side) + m * n) * nb * cnt
            reps = g.steps * n_sub
            t_c += s["t_s"] * reps
            exec_macs += s["exec_macs"] * reps
            llc += fill * reps
            kernels += reps
            waves += s["waves"] * reps
        dram, _ = dram_traffic(layer, sb, llc_share, first, last)
        if self._weights_resident:
            dram = max(0.0, dram - layer.weights * layer.w_bits / 8)
        dram *= n_sub
        e = energy_dict(compute=exec_macs * self.e_mac(dt) * active, onchip=llc * v["e_onchip"] * active,
                        dram=dram * v["e_dram"] * active)
        times = {"compute": t_c, "memory:DRAM": dram / (v["dram_bw"] * share),
                 "memory:LLC": llc / (v["onchip_bw"] * share),
                 "power": sum(e.values()) / (v["tdp"] - v["p_static"])}
        overhead = kernels * v["t_layer"]
        bound, t = overlapped_latency(times, overhead)
        e["static"] = v["p_static"] * t
        return LayerResult(layer.name, layer.kind, layer.macs * batch, dram * active, llc * active, times, t, bound,
                           e, 2 * layer.macs * batch / (peak * t),
                           {"dtype": dt, "instances": active, "batch_per_instance": b, "sub_batch": sb,
                            "kernels": kernels,
                            "waves": waves, "tile_utilisation": layer.macs * b / exec_macs if exec_macs else 1.0,
                            "weights_in_llc": self._weights_resident},
                           overhead_s=overhead)


def calibrate_cpu(preset: str = CALIBRATED_ON) -> dict:
    """Fit ``kernel_eff`` of ``preset`` to its one calibration measurement (module doc):
    ``{"kernel_eff", "points": [(name, measured, model)]}``."""
    from scipy.optimize import brentq

    from memlab.errors import ConfigError

    from ._chips import make_chip
    from ._measurements import measurements_for
    pts = measurements_for(chip=preset, use="calibration")
    if len(pts) != 1:
        raise ConfigError(f"calibrate_cpu: preset '{preset}' needs exactly one calibration measurement, "
                          f"has {[m.name for m in pts]}")
    m = pts[0]

    def model(eff):
        return getattr(make_chip(preset, kernel_eff=eff).evaluate(m.workload, batch=m.batch), m.quantity)

    eff = brentq(lambda x: model(x) - m.value, 1e-3, 1.0, xtol=1e-12)
    return {"kernel_eff": eff, "points": [(m.name, m.value, model(eff))]}
