"""NeuroSim's chip floorplan and its tile/PE buffer and interconnect hierarchy, transcribed
from DNN+NeuroSim V1.4 (github.com/neurosim/DNN_NeuroSim_V1.4, ``Inference_pytorch/NeuroSIM/``):
:func:`floorplan` and :func:`movement`.

Every formula is NeuroSim's, rewritten in memlab's words, with its file and function in
:data:`HIERARCHY_SOURCES`; tests/accel/test_pim_hierarchy.py evaluates each by hand for VGG-8.
Counts are in NeuroSim's synchronous clocks (a register-file buffer moves one line a clock, a
bus one word a clock), energies in J, lengths in m, areas in m^2.

* **network** (NeuroSim's ``NetWork.csv`` rows): per weight layer input rows/cols, input
  channels C, kernel K x K, output channels N, 2x2 pool after it, stride; a fully connected
  layer is a 1 x 1 "convolution" of a 1 x 1 input.
* **floorplan** (``Chip.cpp`` ChipDesignInitialize, ChipFloorPlan, TileDesignCM/NM, PEDesign,
  SubArrayDup, OverallEachLayer): the kernel size most layers share sets the PEs of a
  novel-mapping (NM) tile (one PE per kernel position); large convolutions of that kernel use NM
  tiles, the rest conventional-mapping (CM) tiles; tile and PE sizes are the powers of two that
  maximise the weight utilisation; the pipeline speed-up of a layer is
  ``ceil((IFM / ceil(IFM_max / degree))^2)`` with the degree capped at ``IFM_max / IFM_min``; a
  layer's tiles are its weight tiles times ``ceil(speed-up / duplication inside the tile)``; the
  chip is a ``ceil(sqrt(tiles))``-square grid; the global bus width is the tiles' port widths,
  halved until at most 2048 bits; the global buffer holds half of all layers' inputs in
  128 x 128-bit cores.
* **buffers** (``Tile.cpp`` TileCalculatePerformance, ``ProcessingUnit.cpp``
  ProcessingUnitCalculatePerformance, ``Chip.cpp`` ChipCalculatePerformance, ``Buffer.cpp``,
  ``DFF.cpp``; ``Param.cpp``: register files, tile buffer cores 32 x 32 bits, activation on the
  chip): a layer's buffer clocks are the global buffer's (lines of 128 bits over
  ``min(cores, bus width / 128)`` cores in parallel), plus the slowest tile's input and output
  buffers (32-bit or narrower lines over ``min(cores, tile bus / line)`` cores), plus its PEs'
  DFF buffers (a DFF row a clock) divided by the layer's speed-up; the tile buffers are not
  sped up.
* **interconnect** (``XYBus.cpp``, ``HTree.cpp``, ``Chip.cpp``, ``Tile.cpp``): the global X-Y
  bus moves ``bits / bus width x grid rows (cols) / layer tile rows (cols)`` words in and out,
  over ``ceil(grid cols / 2)`` tile widths and ``grid rows - ceil(grid rows / 2) - 1`` tile
  heights; the tile's H-tree ``bits / (numPE x numRowSubArray)`` words (``TileInitialize``: 256
  bits for a CM tile, 1152 for an NM one) over a ``numPE x numPE`` tree of PEs; each word takes
  the clocks of its wire's delay (:mod:`memlab.accel._pim_wires`: one clock at this design,
  NeuroSim's ``unitLatencyRep`` being picoseconds over millimetres); energy per bit and metre
  from the repeater design (delay tolerance 0.1) times NeuroSim's toggle rates (input 0.18,
  output 0.5).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ._pim_periphery import TECH_22, _MIN_N, dff_energy
from ._pim_wires import htree_length, htree_word_clocks, wire_energy_per_m, word_clocks

__all__ = ["HIERARCHY_SOURCES", "NetLayer", "net_structure", "Floorplan", "floorplan", "movement",
           "buffer_energies", "chip_area", "ic_energy"]

_NS = "DNN_NeuroSim_V1.4 Inference_pytorch/NeuroSIM/"
#: where each formula of this module comes from
HIERARCHY_SOURCES = {
    "mapping": _NS + "Chip.cpp ChipDesignInitialize (numPENM, markNM, maxPESizeNM, maxTileSizeCM, pipelineSpeedUp)",
    "floorplan": _NS + "Chip.cpp ChipFloorPlan, TileDesignCM, TileDesignNM, PEDesign, SubArrayDup, OverallEachLayer",
    "global_buffer": _NS + "Chip.cpp ChipInitialize (maxLayerInput, globalBusWidth, numBufferCore) and "
    "ChipCalculatePerformance (numBitToLoadOut / numBitToLoadIn, / MIN(numBufferCore, busWidth / 128))",
    "tile_buffers": _NS + "Tile.cpp TileInitialize (numInBufferCore*, numOutBufferCore*, interface widths) and "
    "TileCalculatePerformance (numBitToLoadOut / numBitToLoadIn, / MIN(cores, hTree busWidth / width))",
    "pe_buffers": _NS + "ProcessingUnit.cpp ProcessingUnitInitialize (bufferInput numDff = numBitInput x numRow, "
    "bufferOutput numDff = numCol / numColMuxed x (subarray output bits + adder-tree stages)) and "
    "ProcessingUnitCalculatePerformance",
    "speed_up": _NS + "Tile.cpp TileCalculatePerformance (PE latencies / (speedUpRow x speedUpCol))",
    "register_file": _NS + "Buffer.cpp CalculateLatency (synchronous: one line a clock) / CalculatePower "
    "(DFF per bit); DFF.cpp",
    "xy_bus": _NS + "XYBus.cpp CalculateLatency / CalculatePower; Chip.cpp (x_end = ceil(grid cols / 2), "
    "y_init = ceil(grid rows / 2); Param.cpp globalBusType = false)",
    "h_tree": _NS + "HTree.cpp Initialize (numStage, repeater design, delay tolerance) / CalculatePower (root-leaf); "
    "Tile.cpp TileInitialize (hTreeCM / hTreeNM: numPE x numPE, busWidth numPE x numRowSubArray)",
    "toggle": _NS + "Param.cpp inputtoggle 0.18, outputtoggle 0.5",
    "area": _NS + "Tile.cpp TileCalculateArea, ProcessingUnit.cpp ProcessingUnitCalculateArea, Chip.cpp "
    "ChipCalculateArea (tiles x PEs x subarrays + buffers; bus wires and adder trees not counted here)",
}

_CORE_GLOBAL = 128 * 128      # Param.cpp globalBufferCoreSizeRow x Col
_CORE_TILE, _LINE_TILE = 32 * 32, 32   # Param.cpp tileBufferCoreSizeRow x Col
_MAX_BUS = 2048               # Param.cpp maxGlobalBusWidth
_TOGGLE_OUT = 0.5             # Param.cpp outputtoggle


@dataclass(frozen=True)
class NetLayer:
    """One row of NeuroSim's network description (input rows/cols, C, K, N, pooled, stride)."""
    name: str
    ifm: int
    c: int
    k: int
    n: int
    pool: bool
    stride: int = 1

    def vectors(self) -> int:
        """NeuroSim's ``numInVector``: ``((IFM - K + 1) / stride)^2``, the unpadded positions (Chip.cpp)."""
        return ((self.ifm - self.k + 1) // self.stride) ** 2


def net_structure(workload, pooled=()) -> list[NetLayer]:
    """NeuroSim's rows of the weight layers of a :class:`~memlab.accel.Workload`: a ``Conv2d``
    as it is; any other layer with weight GEMMs as a 1 x 1 layer of its summed ``k`` x ``n``."""
    from ._workload import Conv2d
    out = []
    for l in workload.layers:
        gs = [g for g in l.gemms() if g.static]
        if not gs:
            continue
        if isinstance(l, Conv2d):
            out.append(NetLayer(l.name, l.in_h, l.in_channels // l.groups, l.kernel_h, l.out_channels,
                                l.name in pooled, l.stride))
        else:
            out.append(NetLayer(l.name, 1, sum(g.k * g.count for g in gs), 1, sum(g.n for g in gs),
                                l.name in pooled, 1))
    return out


@dataclass(frozen=True)
class Floorplan:
    """:func:`floorplan`'s result: per layer (lists in network order) the mapping (1 = NM),
    tiles (rows, cols), speed-up (rows, cols); the NM PE count and size, CM tile and PE size,
    tile grid, global bus width (bits) and global buffer cores."""
    nm: tuple
    tiles: tuple
    speed_up: tuple
    pe_nm: int
    pe_size_nm: float
    tile_cm: float
    pe_size_cm: float
    grid: tuple
    bus_width: float
    buffer_cores: int

    @property
    def n_tiles(self) -> int:
        return sum(r * c for r, c in self.tiles)


def _pow2(x):
    return 2.0 ** math.ceil(math.log2(x))


def floorplan(net: list[NetLayer], rows: int, cols: int, cols_per_synapse: int, cols_per_adc: int,
              in_bits: int, speedup_degree: int) -> Floorplan:
    """NeuroSim's floorplan of ``net`` on ``rows`` x ``cols`` subarrays (one synapse row per
    array row, ``cols_per_synapse`` columns a weight), the pipeline ``speedup_degree``."""
    cps = cols_per_synapse
    count = {}
    for l in net:
        if l.k * l.k != 1:
            count[l.k * l.k] = count.get(l.k * l.k, 0) + 1
    n_pe = max(count, key=lambda s: (count[s], -list(count).index(s))) if count else 0
    nm = tuple(int(l.k * l.k == n_pe and l.c * l.k * l.k >= rows) for l in net)
    max_pe_nm = max([_pow2(l.n * cps) for l, m in zip(net, nm) if m] or [0.0])
    max_tile_cm = max([_pow2(l.n * cps) for l, m in zip(net, nm) if not m] or [0.0])
    ifm_max = net[0].ifm
    ifm_min = min([l.ifm for l in net if l.k != 1] or [ifm_max])
    degree = min(speedup_degree, max(1, ifm_max // ifm_min))
    bound = math.ceil(ifm_max / degree)
    pipe = [math.ceil((l.ifm / bound) ** 2) for l in net]

    def util_nm(pe):
        tiles = sum(math.ceil(l.c / pe) * math.ceil(l.n * cps / pe) for l, m in zip(net, nm) if m)
        mat = sum(l.c * l.k * l.k * l.n * cps for l, m in zip(net, nm) if m)
        return mat / (tiles * pe * pe * n_pe) if tiles else 0.0

    def util_cm(ts):
        tiles = sum(math.ceil(l.c * l.k * l.k / ts) * math.ceil(l.n * cps / ts) for l, m in zip(net, nm) if not m)
        mat = sum(l.c * l.k * l.k * l.n * cps for l, m in zip(net, nm) if not m)
        return (mat / (tiles * ts * ts) if tiles else 0.0), tiles

    pe_nm = _best(max(max_pe_nm, 2 * rows), 2 * rows, util_nm) if any(nm) else 0.0
    tile_cm = _best(max(max_tile_cm, 4 * rows), 4 * rows, lambda t: util_cm(t)[0])
    n_cm = util_cm(tile_cm)[1]
    best = util_cm(tile_cm)[0] if tile_cm > 4 * rows else 0.0

    def pe_dup(pe):
        out, mat = [], 0.0
        for l, m in zip(net, nm):
            r = c = 1
            if not m and (l.c * l.k * l.k <= tile_cm or l.n * cps <= tile_cm):
                per = math.ceil(tile_cm / pe)
                r = max(1, per // math.ceil(l.c * l.k * l.k / pe))
                c = max(1, per // math.ceil(l.n * cps / pe))
            if not m:
                mat += r * c * l.c * l.k * l.k * l.n * cps
            out.append((r, c))
        return out, mat / (n_cm * tile_cm * tile_cm) if n_cm else 0.0

    pe_cm, pe = tile_cm / 2, tile_cm / 2
    while pe > 2 * rows:                    # PE size of the CM tiles (Chip.cpp PEDesign loop)
        u = pe_dup(pe)[1]
        if u > best:
            best, pe_cm = u, pe
        pe /= 2
    pdup = pe_dup(pe_cm)[0]
    tiles, speed = [], []
    for l, m, p, (pr, pc) in zip(net, nm, pipe, pdup):
        size, k_rows = (pe_nm, l.c) if m else (pe_cm, l.c * l.k * l.k)
        sr = sc = 1
        if k_rows <= size or l.n * cps <= size:                      # SubArrayDup
            sr = max(1, math.ceil(size / rows) // math.ceil(k_rows / rows))
            sc = max(1, math.ceil(size / cols) // math.ceil(l.n * cps / cols))
        rep = math.ceil(p / (pr * pc * sr * sc))
        wt = pe_nm if m else tile_cm
        tiles.append((math.ceil(k_rows / wt) * rep, math.ceil(l.n * cps / wt)))
        speed.append((pr * sr * rep, pc * sc))
    n_tiles = sum(r * c for r, c in tiles)
    grid_r = math.ceil(math.sqrt(n_tiles))
    bus = 0.0
    for (r, c), m in zip(tiles, nm):
        port = pe_nm * math.ceil(math.sqrt(n_pe)) if m else tile_cm
        bus += (port + port / cols_per_adc) * r * c
    while bus > _MAX_BUS:
        bus /= 2
    cores = math.ceil(in_bits * sum(l.ifm * l.ifm * l.c / 2 for l in net) / _CORE_GLOBAL)
    return Floorplan(nm, tuple(tiles), tuple(speed), n_pe, pe_nm, tile_cm, pe_cm,
                     (grid_r, math.ceil(n_tiles / grid_r)), bus, cores)


def _best(start, floor, util):
    """The largest size from ``start`` halving while above ``floor`` with the best utilisation."""
    best_u, best, s = 0.0, start, start
    while s > floor:
        u = util(s)
        if u > best_u:
            best_u, best = u, s
        s /= 2
    return best


def _lines(bits, width, cores, bus):
    """Clocks of a register-file buffer moving ``bits`` over ``width``-bit lines, its cores in parallel."""
    return bits / width / min(cores, math.ceil(bus / width))


def _tile_buffer(size_bits, width_if_small):
    """(cores, line width) of a tile buffer of ``size_bits`` (Tile.cpp TileInitialize)."""
    return math.ceil(size_bits / _CORE_TILE), (width_if_small if size_bits < _CORE_TILE else _LINE_TILE)


def movement(fp: Floorplan, net: list[NetLayer], i: int, rows: int, cols: int, cps: int, cols_per_adc: int,
             in_bits: int, adc_bits: int, rows_parallel: int, vectors: int, sides: dict | None = None,
             clock_s: float | None = None) -> dict:
    """Buffer and interconnect clocks and bits of layer ``i`` of ``net`` on ``fp`` with
    ``vectors`` input vectors: keys ``buffer`` / ``ic`` (clocks; parts ``buffer_global``,
    ``buffer_tile``, ``buffer_pe``, ``ic_global``, ``ic_tile``) and the bits each level moves
    (``bits_global``, ``bits_tile``, ``bits_pe``, ``bits_xy_in``, ``bits_xy_out``,
    ``bits_htree_in``, ``bits_htree_out``, summed over the layer's weight tiles). With the PE and
    tile ``sides`` (:func:`chip_area`) and the ``clock_s`` (s), a bus word takes the clocks of
    its wire's delay (:mod:`memlab.accel._pim_wires`); without them, one clock."""
    l, m = net[i], fp.nm[i]
    wr, wc, nv = l.c * l.k * l.k, l.n * cps, vectors
    nbs = adc_bits + math.ceil(math.log2(math.ceil(rows / rows_parallel))) + in_bits + (cps - 1) + 1
    size = fp.pe_size_nm if m else fp.pe_size_cm
    n_sub = math.ceil(size / rows) * math.ceil(size / cols)
    sub_side = math.ceil(math.sqrt(n_sub))
    stage_pe = math.ceil(math.log2(sub_side)) if sub_side > 1 else 0
    dff_out = cols / cols_per_adc * (nbs + stage_pe)
    n_pe = fp.pe_nm if m else math.ceil(fp.tile_cm / fp.pe_size_cm)     # NM: PEs a tile; CM: a side
    pes = n_pe if m else n_pe * n_pe
    bits_pe_out_in = nbs + sub_side                                     # PE output bits (numBitPEOutput)
    stage_t = math.ceil(math.log2(pes if m else n_pe)) if (pes if m else n_pe) > 1 else 0
    bus_t = (fp.pe_nm if m else n_pe) * rows                           # Tile.cpp: hTree busWidth numPE x numRow
    w_tree = w_x = w_y = 1
    if sides is not None and clock_s is not None:
        pe_side, tile_side = sides[m]
        w_tree = htree_word_clocks(fp.pe_nm if m else n_pe, pe_side, pe_side, clock_s)
    in_cores, in_w = _tile_buffer(pes * in_bits * rows if m else n_pe * in_bits * rows,
                                  (pes if m else n_pe) * rows)
    out_size = (bits_pe_out_in + stage_t) * (pes if m else n_pe) * cols / cols_per_adc
    out_cores, out_w = _tile_buffer(out_size, (bits_pe_out_in + stage_t) * (pes if m else n_pe))
    if m:
        n_ti, n_tj, t_rows, t_cols = math.ceil(l.c / size), math.ceil(wc / size), size * fp.pe_nm, size
    else:
        n_ti, n_tj, t_rows, t_cols = math.ceil(wr / fp.tile_cm), math.ceil(wc / fp.tile_cm), fp.tile_cm, fp.tile_cm
    sr, sc = fp.speed_up[i]
    res = dict.fromkeys(("buffer_tile", "buffer_pe", "ic_tile", "bits_tile", "bits_pe", "bits_htree_in",
                         "bits_htree_out"), 0.0)
    for ti in range(n_ti):
        for tj in range(n_tj):
            r = min(t_rows, wr - ti * t_rows)
            c = min(t_cols, wc - tj * t_cols)
            pe_list = _pe_blocks(m, r, c, size, n_pe, sr, sc)
            pe_clk = max(pr * nv * in_bits / (in_bits * rows) + pc / cps * nbs * nv / dff_out for pr, pc in pe_list)
            div = pes if (not m and sr * sc > 1 and sr >= n_pe and sc >= n_pe) else sr * sc
            pe_clk /= div if (m or sr * sc > 1) else 1
            b_in = r * nv * in_bits / (math.sqrt(pes) if m else 1)
            b_out = math.ceil(c / cps) * (stage_t + bits_pe_out_in) * nv
            clk = pe_clk + _lines(b_in, in_w, in_cores, bus_t) + _lines(b_out, out_w, out_cores, bus_t)
            res["buffer_tile"] = max(res["buffer_tile"], clk - pe_clk)
            res["buffer_pe"] = max(res["buffer_pe"], pe_clk)
            res["ic_tile"] = max(res["ic_tile"], (b_in + b_out) / bus_t * w_tree)
            res["bits_tile"] += b_in + b_out
            res["bits_htree_in"] += b_in
            res["bits_htree_out"] += b_out
            res["bits_pe"] += sum(pr * nv * in_bits + pc / cps * nbs * nv for pr, pc in pe_list)
    out_bits = wr * in_bits * nv / (l.k if m else 1)
    in_bits_g = math.ceil(wc / cps) * in_bits * nv / (4 if l.pool else 1)
    res["buffer_global"] = (out_bits + in_bits_g) / 128 / min(fp.buffer_cores, math.ceil(fp.bus_width / 128))
    g_rows, g_cols = fp.grid
    t_r, t_c = fp.tiles[i]
    x_len, y_len = math.ceil(g_cols / 2), g_rows - math.ceil(g_rows / 2) - 1
    if sides is not None and clock_s is not None:
        w_x, w_y = word_clocks(tile_side * x_len, clock_s), word_clocks(tile_side * y_len, clock_s)
    res["ic_global"] = ((math.ceil(out_bits / fp.bus_width * g_rows / t_r) * w_x if x_len > 0 else 0)
                        + (math.ceil(in_bits_g / fp.bus_width * g_cols / t_c) * w_y if y_len > 0 else 0))
    res.update(bits_global=out_bits + in_bits_g, bits_xy_in=out_bits, bits_xy_out=in_bits_g,
               xy_tiles=(x_len, y_len))
    res["buffer"] = res["buffer_global"] + res["buffer_tile"] + res["buffer_pe"]
    res["ic"] = res["ic_global"] + res["ic_tile"]
    return res


def _pe_blocks(nm, r, c, size, n_pe, sr, sc):
    """(rows, cols) of the weight block each PE of a tile holding ``r`` x ``c`` weights takes
    (Tile.cpp TileCalculatePerformance's three cases)."""
    if nm:
        return [(r // n_pe, c)] * n_pe
    if sr * sc > 1:
        if sr >= n_pe and sc >= n_pe:
            return [(r, c)]
        return [(min(size, r - a * size), min(size, c - b * size))
                for a in range(math.ceil(r / size)) for b in range(math.ceil(c / size))]
    return [(r // n_pe, c) for a in range(n_pe) for b in range(n_pe) if a * size < r and b * size < c]


def buffer_energies(res: dict, t=TECH_22) -> float:
    """Buffer energy (J) of one layer's :func:`movement`: register-file bits (global, tile) at the
    DFF energy x gamma, PE DFF-buffer bits without it."""
    return (res["bits_global"] + res["bits_tile"]) * dff_energy(1, 1, True, t) + res["bits_pe"] * dff_energy(1, 1, False, t)


def _dff_area(t=TECH_22):
    """Layout area (m^2) of one DFF: 12 minimum inverters (DFF.cpp CalculateArea)."""
    from ._pim_periphery import _gate_area
    f = t.node_m
    return 12 * _gate_area(1, _MIN_N * f, t.pn * _MIN_N * f, f)


def chip_area(fp: Floorplan, net: list[NetLayer], rows: int, cols: int, cols_per_adc: int, in_bits: int,
              adc_bits: int, rows_parallel: int, cps: int, sub_area: float, t=TECH_22) -> dict:
    """Chip area by part (m^2) of floorplan ``fp`` with subarrays of ``sub_area`` (m^2, with their
    periphery): every tile's subarrays, used or idle (``subarrays``), the PEs' DFF buffers, the
    tiles' register-file buffers and the global buffer's cores (Tile.cpp TileCalculateArea,
    ProcessingUnit.cpp ProcessingUnitCalculateArea, Chip.cpp ChipCalculateArea); with the PE and
    tile sides (m, square layout) the buses run over. Not counted: bus wires and repeaters, adder
    trees above the subarray, pooling and activation units."""
    dff = _dff_area(t)
    nbs = adc_bits + math.ceil(math.log2(math.ceil(rows / rows_parallel))) + in_bits + (cps - 1) + 1
    out, sides = dict.fromkeys(("subarrays", "pe_buffers", "tile_buffers"), 0.0), {}
    for kind in (1, 0):
        size = fp.pe_size_nm if kind else fp.pe_size_cm
        n_tiles = sum(r * c for (r, c), m in zip(fp.tiles, fp.nm) if m == kind)
        if not n_tiles:
            continue
        n_sub = math.ceil(size / rows) * math.ceil(size / cols)
        side = math.ceil(math.sqrt(n_sub))
        stage = math.ceil(math.log2(side)) if side > 1 else 0
        pe_dff = in_bits * rows + cols / cols_per_adc * (nbs + stage)
        n_pe = fp.pe_nm if kind else math.ceil(fp.tile_cm / fp.pe_size_cm)
        pes, port = (n_pe, n_pe) if kind else (n_pe * n_pe, n_pe)
        st_t = math.ceil(math.log2(port)) if port > 1 else 0
        in_b = port * in_bits * rows
        out_b = (nbs + side + st_t) * port * cols / cols_per_adc
        tile_dff = sum(math.ceil(b / _CORE_TILE) * min(b, _CORE_TILE) for b in (in_b, out_b))
        pe_area = n_sub * sub_area + pe_dff * dff
        out["subarrays"] += n_tiles * pes * n_sub * sub_area
        out["pe_buffers"] += n_tiles * pes * pe_dff * dff
        out["tile_buffers"] += n_tiles * tile_dff * dff
        sides[kind] = (math.sqrt(pe_area), math.sqrt(pes * pe_area + tile_dff * dff))
    out["global_buffer"] = fp.buffer_cores * _CORE_GLOBAL * dff
    out["total"] = sum(out.values())
    out["sides"] = sides
    return out


def ic_energy(fp: Floorplan, i: int, mv: dict, sides: dict, in_toggle: float, t=TECH_22) -> float:
    """Interconnect energy (J) of layer ``i``: the X-Y bus (input bits over ``x`` tile widths at
    the input toggle rate, output bits over ``y`` tile heights at 0.5) and the tiles' H-trees."""
    e_m = wire_energy_per_m(t)
    m = fp.nm[i]
    pe_side, tile_side = sides[m]
    x_len, y_len = mv["xy_tiles"]
    e = e_m * tile_side * (x_len * mv["bits_xy_in"] * in_toggle + y_len * mv["bits_xy_out"] * _TOGGLE_OUT)
    n = fp.pe_nm if m else math.ceil(fp.tile_cm / fp.pe_size_cm)        # Tile.cpp: hTree over numPE x numPE
    e += e_m * htree_length(n, pe_side, pe_side) * (mv["bits_htree_in"] * in_toggle + mv["bits_htree_out"] * _TOGGLE_OUT)
    return e
