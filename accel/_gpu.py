"""GPU (and CPU-like many-core) model beyond the roofline, calibrated on published measurements.

Per layer, every GEMM of the layer (``m = rows x batch``) is scheduled the way a GEMM
library does it (CUTLASS / cuBLAS style):

* **tile quantisation**: the output is cut into ``TM x TN`` thread-block tiles and ``K`` is
  padded to the tensor-core step (``tile_k_bytes`` bytes of K per step); the padded work
  is executed (and burns energy) even though only ``m k n`` MACs are useful;
* **wave quantisation**: ``ctas = tiles x split_k`` thread blocks run on ``n_sm``
  streaming multiprocessors in ``ceil(ctas / n_sm)`` waves; a layer with 10 tiles on 108
  SMs runs at 10/108 of the peak, which is why batch-1 layers are slow;
* **split-K** (1, 2, 4, ... slices of K) when there are fewer tiles than SMs;
* the library picks the tile shape and split with the shortest time; each wave runs at
  ``kernel_eff`` of the per-SM peak (the one fitted efficiency);

then ``t_compute = waves x 2 TM TN K_slice / (peak/n_sm x kernel_eff)``. Memory:

* **L2 with reuse**: each thread block reads its ``TM x K`` and ``K x TN`` panels through L2
  (``(TM + TN) K`` bytes per block: reuse = tile size), ``t_L2 = L2 bytes / onchip_bw``;
* **DRAM**: weights once per batch, activations only when they do not fit in L2
  (``onchip_bytes``) or at the network's ends (:func:`memlab.accel._roofline.dram_traffic`);
* **launch + framework overhead**: ``t_launch`` per kernel (one per GEMM; one per time step
  of a recurrent layer), serial with the kernel: ``latency = overhead + max(t_compute,
  t_DRAM, t_L2, t_power)``;
* **power between idle and TDP**: ``p_static`` (idle) burns over the whole latency; the
  dynamic energy (executed MACs, L2 and DRAM bytes) may not exceed ``(tdp - p_static)``
  per second, so ``t_power = E_dynamic / (tdp - p_static)`` (the clock throttles at the
  power limit) and the average power is never above the TDP.

Calibration (:func:`calibrate_gpu`): two constants, ``kernel_eff`` and ``t_launch``, are fitted
to two published measurements of one chip (``_measurements.MEASUREMENTS`` with
``use="calibration"``): the large-batch throughput fixes ``kernel_eff`` (launch overhead is
negligible there), the batch-1 latency of a deep network fixes ``t_launch`` (compute is
small there); the two 1-D root finds are alternated until both points are reproduced to
1e-6. Everything else (other networks, batch sizes, other GPUs) is a prediction.
"""
from __future__ import annotations

import math

from ._base import energy_dict
from ._params import Spec
from ._report import LayerResult
from ._roofline import RooflineChip, dram_traffic

__all__ = ["GPUChip", "gemm_schedule", "calibrate_gpu", "TILES", "CALIBRATED_ON"]

#: the preset whose two measurements fix kernel_eff and t_launch for every GPU preset
CALIBRATED_ON = "A100-PCIe"

#: thread-block tile shapes the library chooses from (CUTLASS default tensor-core shapes;
#: a memlab assumption about the menu, not a measured figure)
TILES = ((256, 128), (128, 256), (128, 128), (128, 64), (64, 128), (64, 64), (32, 64))
_SPLITS = (1, 2, 4, 8, 16, 32)
_DT_BYTES = {"int8": 1, "fp16": 2, "fp32": 4}


def gemm_schedule(m: int, k: int, n: int, count: int, n_sm: int, tile_k: int, ops_per_sm: float,
                  operand_bytes: float, l2_bw: float = math.inf, a_reuse: float = 1.0, tiles=TILES) -> dict:
    """Fastest (tile, split-K) schedule of ``count`` GEMMs ``(m x k) @ (k x n)`` on ``n_sm``
    SMs of ``ops_per_sm`` op/s each, judged by ``max(compute, L2 time)``: ``{"t_s", "tm",
    "tn", "split", "ctas", "waves", "exec_macs", "l2_bytes"}`` (``t_s``: compute time, s).
    ``a_reuse`` (<= 1) scales the L2 bytes of the ``m x k`` panel: an implicit-GEMM
    convolution reads each input pixel once per tile, not ``R x S`` times as im2col would.
    ``tiles``: the ``(TM, TN)`` menu (a CPU passes its register-block shapes)."""
    kp = math.ceil(k / tile_k) * tile_k
    best = None
    for tm, tn in tiles:
        tiles = math.ceil(m / tm) * math.ceil(n / tn) * count
        for s in _SPLITS:
            if s > 1 and (tiles * (s // 2) >= n_sm or kp / s < 2 * tile_k):
                break                       # split-K only to fill idle SMs, >= 2 K steps each
            ks = math.ceil(kp / s / tile_k) * tile_k
            ctas = tiles * s
            waves = math.ceil(ctas / n_sm)
            t = waves * 2.0 * tm * tn * ks / ops_per_sm
            l2 = float(ctas) * (tm * a_reuse + tn) * ks * operand_bytes
            if best is None or max(t, l2 / l2_bw) < best["cost"]:
                best = {"t_s": t, "cost": max(t, l2 / l2_bw), "tm": tm, "tn": tn, "split": s, "ctas": ctas,
                        "waves": waves, "exec_macs": float(ctas) * tm * tn * ks, "l2_bytes": l2}
    return best


class GPUChip(RooflineChip):
    """Tile/wave-quantised GPU with launch overhead, L2 reuse and a TDP cap (module doc).

    Constants beyond the roofline ones: ``n_sm`` (SMs), ``tile_k_bytes`` (bytes of K per
    tensor-core step), ``kernel_eff`` (fraction of the per-SM peak a full wave sustains, 1)
    and ``t_launch`` (launch + framework overhead per kernel, s).
    """

    MODEL = "gpu"
    KIND = "calibrated"
    REQUIRED = {**RooflineChip.REQUIRED,
                "n_sm": Spec("1", kind="int"), "tile_k_bytes": Spec("B", kind="int"),
                "kernel_eff": Spec("1", lo=0.0, hi=1.0), "t_launch": Spec("s", lo=0.0, lo_open=False)}

    def _setup(self):
        super()._setup()                    # p_static < tdp
        from ._measurements import measurements_for
        # every GPU preset carries the kernel_eff / t_launch fitted on CALIBRATED_ON
        self.calibration = tuple(m.name for m in measurements_for(chip=CALIBRATED_ON, use="calibration"))

    def _layer(self, layer, batch, first, last):
        v = self.v
        dt = layer.dtype
        nb = _DT_BYTES[dt]
        peak = self.peak_ops_per_s(dt)
        ops_sm = peak / v["n_sm"] * v["kernel_eff"]
        tile_k = max(1, v["tile_k_bytes"] // nb)
        t_c, exec_macs, l2, kernels, waves = 0.0, 0.0, 0.0, 0, 0
        # implicit-GEMM conv: an input pixel serves up to R*S/stride^2 rows of the im2col panel
        rs = getattr(layer, "kernel_h", 1) * getattr(layer, "kernel_w", 1)
        a_reuse = min(1.0, getattr(layer, "stride", 1) ** 2 / rs)
        for g in layer.gemms():
            m, n, cnt = g.m * batch, g.n, g.count
            if cnt > 1 and g.static:        # grouped / depthwise conv: channels side by side
                n, cnt = n * cnt, 1
            s = gemm_schedule(m, g.k, n, cnt, v["n_sm"], tile_k, ops_sm, nb, v["onchip_bw"], a_reuse)
            t_c += s["t_s"] * g.steps
            exec_macs += s["exec_macs"] * g.steps
            l2 += (s["l2_bytes"] + m * n * cnt * nb) * g.steps
            kernels += g.steps
            waves += s["waves"] * g.steps
        dram, _ = dram_traffic(layer, batch, v["onchip_bytes"], first, last)
        e = energy_dict(compute=exec_macs * self.e_mac(dt), onchip=l2 * v["e_onchip"], dram=dram * v["e_dram"])
        e_dyn = sum(e.values())
        times = {"compute": t_c, "memory:DRAM": dram / v["dram_bw"], "memory:L2": l2 / v["onchip_bw"],
                 "power": e_dyn / (v["tdp"] - v["p_static"])}
        overhead = kernels * v["t_launch"]
        bound = max(times, key=times.get)
        if overhead > times[bound]:
            bound = "overhead"
        t = overhead + max(times.values())
        e["static"] = v["p_static"] * t
        macs = layer.macs * batch
        return LayerResult(layer.name, layer.kind, macs, dram, l2, times, t, bound, e, 2 * macs / (peak * t),
                           {"dtype": dt, "kernels": kernels, "waves": waves, "exec_macs": exec_macs,
                            "tile_utilisation": macs / exec_macs if exec_macs else 1.0},
                           overhead_s=overhead)


def calibrate_gpu(preset: str = "A100-PCIe", tol: float = 1e-6) -> dict:
    """Fit ``kernel_eff`` and ``t_launch`` of ``preset`` to its two calibration measurements
    (procedure in the module doc). Returns ``{"kernel_eff", "t_launch", "points": [(name,
    measured, model)]}``."""
    from scipy.optimize import brentq

    from memlab.errors import ConfigError

    from ._chips import make_chip
    from ._measurements import measurements_for
    pts = measurements_for(chip=preset, use="calibration")
    thr = [m for m in pts if m.quantity == "inferences_per_s"]
    lat = [m for m in pts if m.quantity == "latency_s"]
    if len(thr) != 1 or len(lat) != 1:
        raise ConfigError(f"calibrate: preset '{preset}' needs one throughput and one latency calibration "
                          f"measurement, has {[m.name for m in pts]}")
    thr, lat = thr[0], lat[0]

    def model(m, eff, tl):
        return getattr(make_chip(preset, kernel_eff=eff, t_launch=tl).evaluate(m.workload, batch=m.batch), m.quantity)

    eff, tl = 0.8, 5e-6
    for _ in range(50):
        eff_new = brentq(lambda x: model(thr, x, tl) - thr.value, 1e-3, 1.0, xtol=1e-12)
        tl_new = brentq(lambda x: model(lat, eff_new, x) - lat.value, 0.0, lat.value, xtol=1e-15)
        done = abs(eff_new - eff) <= tol * eff and abs(tl_new - tl) <= tol * max(tl, 1e-12)
        eff, tl = eff_new, tl_new
        if done:
            break
    return {"kernel_eff": eff, "t_launch": tl,
            "points": [(m.name, m.value, model(m, eff, tl)) for m in (thr, lat)]}
