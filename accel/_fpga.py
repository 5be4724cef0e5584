"""FPGA CNN accelerator with loop tiling: the roofline model of Zhang, Li, Sun, Guan, Xiao &
Cong, "Optimizing FPGA-based Accelerator Design for Deep Convolutional Neural Networks",
FPGA 2015, and its design-space exploration (DSE).

A convolution (per group) has ``M`` output maps, ``N`` input maps, ``R x C`` outputs,
a ``K_h x K_w`` kernel and stride ``S``. The accelerator computes a ``Tm x Tn`` block of
MACs per cycle (``Tn`` inputs unrolled into ``Tm`` adder trees, pipelined with II = 1) on a
``Tr x Tc`` output tile held in double-buffered on-chip buffers; the loop order keeps an
output tile on chip across the input-map loop. Per layer::

    tiles   = ceil(M/Tm) ceil(N/Tn) ceil(R/Tr) ceil(C/Tc)
    cycles  = tiles * Tr * Tc * K_h * K_w                       (computation roof)
    words   = tiles * (Tn (S Tr + K_h - S)(S Tc + K_w - S) + Tm Tn K_h K_w)
              + ceil(M/Tm) ceil(R/Tr) ceil(C/Tc) * Tm Tr Tc     (external traffic)
    CTC     = 2 MACs / (words * bytes_per_word)                  (op/B)
    t       = max(cycles / f, words * bytes_per_word / BW)       (double buffering overlaps)
    DSP     = Tm * Tn * dsp_per_mac                              <= n_dsp
    BRAM18K = 2 (Tn ceil(in_words_per_bank / wpb) + Tm Tn ceil(K_h K_w / wpb)
                 + Tm ceil(Tr Tc / wpb))                         <= n_bram18k

with ``wpb`` the words a BRAM18K holds (18 Kib / 36 bit = 512 for 32-bit words, 1024 for
16-bit, 2048 for 8-bit). The DSE enumerates every ``<Tm, Tn>`` the DSP budget allows (only
the smallest factor of each class with equal ``ceil(M/Tm)`` for all layers, resp.
``ceil(N/Tn)``: the others are dominated) and, per layer, every distinct ``<Tr, Tc>``; it
keeps the ONE ``<Tm, Tn>`` shared by all layers that minimises the summed time (Zhang's
cross-layer uniform design), ties going to the design with fewer DSPs; per layer, among
tiles of equal time the one with the fewest BRAMs, then the highest CTC ratio (least
external traffic), is kept: the paper's abstract asks for "the solution with best
performance and lowest FPGA resource requirement". Fully connected and other GEMM layers are
convolutions with ``K = 1``, ``C = 1`` and ``R`` = the rows of the GEMM. Board power
``power_W`` is drawn for the whole run.

**Convolver arrays** (``convolver = k > 0``; Qiu et al., FPGA 2016, Sec. 6: each processing
element is built of ``k x k`` line-buffer convolvers): the kernel window is unrolled too, so
the array holds ``Tm x Tn`` convolvers of ``k^2`` multipliers, each keeping its ``k^2``
weights in registers (loaded, double buffered, while the previous tile runs) and taking one
new input pixel per cycle into a line buffer, so a pass over a tile lasts as many cycles as
the tile has INPUT pixels (the halo rows and columns fill the line buffer without giving an
output; a K <= k window is done in one pass). Per layer::

    cycles  = tiles * (S Tr + K_h - S)(S Tc + K_w - S) * ceil(K_h/k) ceil(K_w/k)
    DSP     = Tm * Tn * k^2 * dsp_per_mac                       <= n_dsp
    BRAM18K = 2 (Tn ceil(in_words_per_bank / wpb) + Tn ceil(Tm K_h K_w / wpb)
                 + Tm ceil(Tr Tc / wpb))                        <= n_bram18k

the weights of a tile sit in one bank per input map (read once per tile, not once per MAC),
which is what lets such a design use every DSP where the scalar array runs out of BRAM banks
(2 Tm Tn weight banks); external traffic is the same as above. A ``1 x 1`` (or fully
connected) layer uses one multiplier of each convolver, as on Qiu's engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from memlab.errors import ParameterError, out_of_range

from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._report import LayerResult
from ._workload import Conv2d

__all__ = ["TiledFPGA", "ConvShape", "conv_shape", "explore", "TileDesign"]

_BRAM18K_BITS = 18 * 1024


@dataclass(frozen=True)
class ConvShape:
    """One convolution (per group): maps ``M`` out / ``N`` in, outputs ``R x C``, kernel
    ``Kh x Kw``, stride ``S``, run ``repeats`` times (groups x batch)."""

    M: int              # output maps
    N: int              # input maps
    R: int              # output rows
    C: int              # output columns
    Kh: int             # kernel rows
    Kw: int             # kernel columns
    S: int              # stride
    repeats: int = 1    # groups x batch

    @property
    def macs(self) -> int:
        return self.M * self.N * self.R * self.C * self.Kh * self.Kw * self.repeats


def conv_shape(layer, batch: int = 1) -> list[ConvShape]:
    """The convolution shapes of a workload layer (a GEMM ``(m x k) @ (k x n)`` is
    ``M = n, N = k, R = m``, ``K = 1``)."""
    if isinstance(layer, Conv2d):
        g = layer.groups
        return [ConvShape(layer.out_channels // g, layer.in_channels // g, layer.out_h, layer.out_w,
                          layer.kernel_h, layer.kernel_w, layer.stride, g * batch)]
    return [ConvShape(op.n, op.k, op.m * batch, 1, 1, 1, 1, op.count * op.steps) for op in layer.gemms()]


@dataclass(frozen=True)
class TileDesign:
    """A design point: ``Tm``, ``Tn`` (shared) and per-layer ``tiles`` = [(Tr, Tc), ...]."""

    Tm: int
    Tn: int
    tiles: tuple
    cycles: tuple          # per layer (compute), one repeat
    seconds: tuple         # per layer, all repeats (s)
    words: tuple           # per layer external traffic, all repeats (words)
    bram18k: int
    dsp: int


@lru_cache(maxsize=1024)
def _tile_tuple(n: int) -> tuple:
    return tuple(sorted({-(-n // k) for k in range(1, n + 1)}))


def _tile_values(n: int) -> np.ndarray:
    """Distinct useful tile sizes for an extent n: ceil(n / k) for k = 1..n."""
    return np.array(_tile_tuple(n), dtype=np.int64)


def _representatives(extents, limit: int) -> list[int]:
    """The smallest unroll factor u <= limit of each class of equal (ceil(e / u) for e in
    extents): a larger u of the same class needs as many cycles and more DSPs, BRAM and
    traffic, so only these can be optimal."""
    seen, out = set(), []
    for u in range(1, min(limit, max(extents)) + 1):
        key = tuple(-(-e // u) for e in extents)
        if key not in seen:
            seen.add(key)
            out.append(u)
    return out


def _merge(shapes):
    """Identical shapes merged (repeats summed), order of first appearance kept."""
    out: dict = {}
    for s in shapes:
        key = (s.M, s.N, s.R, s.C, s.Kh, s.Kw, s.S)
        out[key] = out.get(key, 0) + s.repeats
    return [ConvShape(*k, r) for k, r in out.items()]


def _layer_grid(sh: ConvShape, tm, tn, wpb, bram_cap, bw_words_per_cycle, kc: int = 0):
    """For every (Tm, Tn) row and every (Tr, Tc) column: time in cycles (inf if BRAM does
    not fit), compute cycles, words and BRAMs of one repeat; ``kc`` > 0: ``kc x kc``
    convolvers (module doc)."""
    tr = _tile_values(sh.R)
    tc = _tile_values(sh.C)
    TR, TC = (a.ravel() for a in np.meshgrid(tr, tc, indexing="ij"))
    tm, tn = tm[:, None], tn[:, None]
    om, on = np.ceil(sh.M / tm), np.ceil(sh.N / tn)
    orr, oc = np.ceil(sh.R / TR), np.ceil(sh.C / TC)
    kk = sh.Kh * sh.Kw
    in_tile = (sh.S * TR + sh.Kh - sh.S) * (sh.S * TC + sh.Kw - sh.S)
    if kc == 0:
        cycles = om * on * orr * oc * TR * TC * kk
    else:       # the line buffer streams the whole input tile, one pixel a cycle, per pass
        cycles = om * on * orr * oc * in_tile * (-(-sh.Kh // kc) * -(-sh.Kw // kc))
    words = om * on * orr * oc * (tn * in_tile + tm * tn * kk) + om * orr * oc * tm * TR * TC
    w_banks = tm * tn * math.ceil(kk / wpb) if kc == 0 else tn * np.ceil(tm * kk / wpb)
    bram = 2 * (tn * np.ceil(in_tile / wpb) + w_banks + tm * np.ceil(TR * TC / wpb))
    t = np.maximum(cycles, words / bw_words_per_cycle)
    t = np.where(bram <= bram_cap, t, np.inf)
    return t, cycles, words, bram, TR, TC


def explore(shapes: list[ConvShape], n_dsp: int, dsp_per_mac: float, n_bram18k: int, word_bits: int,
            clock_hz: float, dram_bw: float, tm_tn: tuple | None = None, convolver: int = 0) -> TileDesign:
    """Zhang'15 design-space exploration (module doc); ``tm_tn`` fixes ``<Tm, Tn>``;
    ``convolver`` = k > 0 builds the array of ``k x k`` convolvers (Qiu'16) instead of
    scalar MACs. Results are cached on every argument (the shapes and budgets; the design
    is immutable)."""
    return _explore(tuple(shapes), int(n_dsp), float(dsp_per_mac), int(n_bram18k), int(word_bits),
                    float(clock_hz), float(dram_bw), None if tm_tn is None else tuple(int(x) for x in tm_tn),
                    int(convolver))


@lru_cache(maxsize=256)
def _explore(shapes, n_dsp, dsp_per_mac, n_bram18k, word_bits, clock_hz, dram_bw, tm_tn, kc=0) -> TileDesign:
    if not shapes:
        raise ParameterError("explore: parameter 'shapes' is empty; give at least one layer")
    wpb = _BRAM18K_BITS // (36 if word_bits > 18 else 18 if word_bits > 9 else 9)
    bpw = word_bits / 8
    bw_wpc = dram_bw / bpw / clock_hz
    if tm_tn is None:
        max_mac = int(n_dsp // (dsp_per_mac * max(kc, 1) ** 2))     # MAC units, or convolvers
        tms = _representatives([s.M for s in shapes], max_mac)
        tns = _representatives([s.N for s in shapes], max_mac)
        pairs = [(m, n) for m in tms for n in tns if m * n <= max_mac]
    else:
        pairs = [tuple(int(x) for x in tm_tn)]
    if not pairs:
        raise out_of_range("n_dsp", n_dsp, f">= dsp_per_mac x convolver^2 = {dsp_per_mac * max(kc, 1) ** 2} "
                           "(room for one MAC unit or convolver)", "explore")
    tm = np.array([p[0] for p in pairs], dtype=float)
    tn = np.array([p[1] for p in pairs], dtype=float)
    total = np.zeros(len(pairs))
    best_cols = {}
    for sh in _merge(shapes):
        t, _, w, b, *_ = _layer_grid(sh, tm, tn, wpb, n_bram18k, bw_wpc, kc)
        tmin = t.min(axis=1, keepdims=True)
        # equal time: fewest BRAMs, then least traffic (highest CTC ratio)
        j = np.argmin(np.where(t <= tmin * (1 + 1e-12), b + w / (w.max() + 1.0), np.inf), axis=1)
        total += t[np.arange(len(pairs)), j] * sh.repeats
        best_cols[(sh.M, sh.N, sh.R, sh.C, sh.Kh, sh.Kw, sh.S)] = j
    if not np.isfinite(total).any():
        raise ParameterError(f"explore: no <Tm, Tn> design fits 'n_bram18k' = {n_bram18k} BRAM18K blocks")
    dsp = tm * tn * max(kc, 1) ** 2 * dsp_per_mac
    i = int(np.lexsort((dsp, total))[0])
    tiles, cyc, sec, words, brams = [], [], [], [], []
    for sh in shapes:
        j = best_cols[(sh.M, sh.N, sh.R, sh.C, sh.Kh, sh.Kw, sh.S)]
        t, c, w, b, TR, TC = _layer_grid(sh, tm[i:i + 1], tn[i:i + 1], wpb, n_bram18k, bw_wpc, kc)
        k = int(j[i])
        tiles.append((int(TR[k]), int(TC[k])))
        cyc.append(int(c[0, k]))
        sec.append(float(t[0, k]) * sh.repeats / clock_hz)
        words.append(float(w[0, k]) * sh.repeats)
        brams.append(int(b[0, k]))
    return TileDesign(int(tm[i]), int(tn[i]), tuple(tiles), tuple(cyc), tuple(sec), tuple(words), max(brams),
                      int(dsp[i]))


class TiledFPGA(HardwareModel):
    """FPGA running Zhang'15's tiled accelerator; the design is found by :func:`explore` on
    the workload (``tm``/``tn`` = 0) or fixed by the preset (``tm``, ``tn`` > 0); with
    ``convolver`` = k > 0 the array is made of ``k x k`` convolvers (Qiu'16), ``tm x tn``
    of them."""

    MODEL = "fpga_tiled"
    KIND = "predicted"
    REQUIRED = {
        "n_dsp": Spec("1", kind="int"), "n_bram18k": Spec("1", kind="int"), "clock_hz": Spec("Hz"),
        "dsp_per_mac": Spec("1"), "word_bits": Spec("bit", kind="int"), "dram_bw": Spec("B/s"),
        "tm": Spec("1", lo=0, lo_open=False, kind="int"), "tn": Spec("1", lo=0, lo_open=False, kind="int"),
        "power_W": Spec("W"), "e_dram": Spec("J/B", lo=0.0, lo_open=False),
        "convolver": Spec("1", lo=0, lo_open=False, kind="int"),
    }

    def _setup(self):
        v = self.v
        if (v["tm"] == 0) != (v["tn"] == 0):
            raise out_of_range("tn" if v["tm"] else "tm", 0, "both tm and tn > 0, or both 0 (search)",
                               f"preset '{self.name}'")
        self._k2 = max(v["convolver"], 1) ** 2         # multipliers per array element
        if self._k2 * v["dsp_per_mac"] > v["n_dsp"]:
            raise out_of_range("convolver", v["convolver"], f"convolver^2 x dsp_per_mac <= n_dsp = {v['n_dsp']} "
                               "(room for one convolver)", f"preset '{self.name}'")
        if v["tm"] and v["tm"] * v["tn"] * self._k2 * v["dsp_per_mac"] > v["n_dsp"]:
            raise out_of_range("tm", v["tm"], f"tm x tn x convolver^2 x dsp_per_mac <= n_dsp = {v['n_dsp']}",
                               f"preset '{self.name}'")
        self.design = None

    def peak_ops_per_s(self, dtype="fp32"):
        """2 x the MACs per cycle of the current design (of the whole DSP budget before a search)."""
        v = self.v
        macs = (self.design.Tm * self.design.Tn * self._k2 if self.design
                else v["n_dsp"] // (v["dsp_per_mac"] * self._k2) * self._k2)
        return 2.0 * macs * v["clock_hz"]

    def dram_bw_Bps(self):
        return self.v["dram_bw"]

    def area_mm2(self):
        return None

    def explore(self, workload, batch: int | None = None) -> TileDesign:
        """Run the DSE on ``workload``'s layers (a :class:`TileDesign`)."""
        from ._zoo import get_workload
        wl = get_workload(workload, batch)
        v = self.v
        shapes = [s for l in wl.layers for s in conv_shape(l, wl.batch)]
        fixed = (v["tm"], v["tn"]) if v["tm"] else None
        return explore(shapes, v["n_dsp"], v["dsp_per_mac"], v["n_bram18k"], v["word_bits"], v["clock_hz"],
                       v["dram_bw"], fixed, v["convolver"])

    def evaluate(self, workload, batch: int | None = None):
        from ._zoo import get_workload
        wl = get_workload(workload, batch)
        self.design = self.explore(wl)
        self._idx = 0
        return super().evaluate(wl)

    def _layer(self, layer, batch, first, last):
        v, d = self.v, self.design
        n = len(conv_shape(layer, batch))
        sl = slice(self._idx, self._idx + n)
        self._idx += n
        t = float(sum(d.seconds[sl]))
        words = float(sum(d.words[sl]))
        comp = sum(c * s.repeats for c, s in zip(d.cycles[sl], conv_shape(layer, batch))) / v["clock_hz"]
        dram_b = words * v["word_bits"] / 8
        times = {"compute": comp, "memory:DRAM": dram_b / v["dram_bw"]}
        if t > max(times.values()) * (1 + 1e-12):
            times["tiling"] = t          # several GEMMs, each bound by a different resource
        t = max(times.values())
        bound = max(times, key=times.get)
        macs = layer.macs * batch
        e = energy_dict(dram=dram_b * v["e_dram"], static=v["power_W"] * t)
        util = 2 * macs / (self.peak_ops_per_s() * t) if t > 0 else 0.0
        return LayerResult(layer.name, layer.kind, macs, dram_b, 0.0, times, t, bound, e, util,
                           {"Tm": d.Tm, "Tn": d.Tn, "convolver": v["convolver"], "tiles": d.tiles[sl],
                            "cycles": d.cycles[sl]})
