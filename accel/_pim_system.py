"""A PIM system model with explicit peripheral, buffer, interconnect and replication choices:
:class:`PIMDesign` and :func:`evaluate_system`.

Where :class:`memlab.accel.PIMChip` is ISAAC's organisation with its 32 nm Table I
components, a :class:`PIMDesign` states every choice a CIM system evaluation makes, so that
another simulator's design point can be entered as its *inputs* (node, array, cell bits,
converter, input drive, clock, buffers, bus, replication) and its outputs predicted. All
SI units. Per layer of a :class:`~memlab.accel.Workload` (weight GEMMs ``k x n`` with
``vectors`` input vectors, ``w``-bit weights on ``cell_bits`` cells, ``a``-bit inputs):

* **mapping**: ``ceil(k/rows) * ceil(n * ceil(w/cell_bits) / cols)`` arrays a copy;
  ``rows_parallel`` rows read at once (0: all ``rows``), the row groups of an array one after
  another; one conversion per column, row group and input plane.
* **converter** (``adc``): ``"mlsa"`` NeuroSim's current-mode multi-level sense amplifier
  (:func:`memlab.accel._adc.mlsa_conversion`, its Cadence fits at the node); ``"walden"``
  a SAR ADC at a Walden figure of merit ``fom_walden`` (J/step) and ``adc_rate``;
  ``"isaac"`` ISAAC's Saberi-scaled SAR table at ``adc_rate``. ``cols_per_adc`` columns
  share one converter through a multiplexer: one array read takes ``cols_per_adc`` sensing
  times (x ``sense_factor``, a stated post-layout latency factor).
* **input drive** (``input_drive``): ``"bit-serial"``: 1-bit pulses on the word lines, no
  DAC; each input plane charges the active rows' word lines (``c_wire`` x row length x
  ``v_wl``^2) once per multiplexer step, as NeuroSim's array energy does; ``"dac"``: a
  ``dac_bits`` DAC per row (ISAAC's ``e_dac_1bit * 2**(dac_bits-1)`` per drive), input
  planes ``ceil(a / dac_bits)``.
* **array**: bit-line charging ``c_wire`` x column length x ``v_read``^2 per sensed column;
  the column's DC current ``v_read^2 / R_col`` over the sensing time is inside the
  current-mode sense amplifier's fitted column power (``"mlsa"``, whose fit depends on
  ``R_col``) and added to the array for the voltage-input converters (``"walden"``,
  ``"isaac"``); ``R_col`` from :meth:`PIMDesign.r_col`.
* **periphery** (``periphery="neurosim"``, the default): NeuroSim V1.4's CMOS periphery
  transcribed in :mod:`memlab.accel._pim_periphery` (word-line switch matrix, column
  multiplexer and decoder, sense-amplifier gate terms, weight and input shift-adds, adder
  trees over the subarray rows, register-file buffer, NeuroSim's bit- and word-line
  capacitances); the word lines charge at Vdd (``capRow2 Vdd^2``) and the bit-line charge is
  inside the sense amplifier (``"mlsa"``). ``"none"``: the earlier model, below.
* **clock** (``clock="sensing"``): NeuroSim's synchronous clock, beta x the sensing path,
  never faster than ``clock_hz``; a subarray read takes ``cols_per_adc`` clocks and buffer
  and bus one line a clock. ``"stated"``: ``clock_hz`` for buffer and bus and
  ``cols_per_adc`` sensing times per read.
* **accumulation** (``periphery="none"``): ``e_shift_add`` per conversion.
* **hierarchy** (``hierarchy="neurosim"``, the default; needs ``periphery="neurosim"`` and
  ``replication="speedup"``): NeuroSim's floorplan and data movement, transcribed in
  :mod:`memlab.accel._pim_hierarchy`: the layers' tiles, PEs and speed-ups (replicas), buffer
  time = global buffer + slowest tile's input/output buffers + PE buffers / speed-up, bus time
  = X-Y bus + tile H-tree, in clocks; buffer and bus energy from the bits each level moves;
  area = every tile's subarrays (idle too) + buffers. ``"flat"``: the single buffer and bus
  below. ``positions``: ``"workload"`` (the layer's output positions) or ``"valid"``
  (NeuroSim's unpadded ``numInVector``).
* **buffer** (``hierarchy="flat"``): each layer reads its input from and writes its output to a buffer of
  ``buffer_width`` bits per access and clock (``buffer_ports`` in parallel),
  ``e_buffer_bit`` J/bit (``periphery="none"``; NeuroSim's register file otherwise); input bits = unrolled input rows x vectors x ``a`` /
  ``row_reuse`` (``kernel_h`` when the mapping reuses the overlapping rows of a sliding
  window, NeuroSim's "novel mapping"; 1 for plain im2col); output bits / 4 after a 2x2 pool.
* **interconnect**: the same bits over a ``bus_width``-bit bus, a line a clock, energy
  ``c_wire * v_dd**2`` per bit and metre over ``bus_length`` (m), times the bit toggle rate.
* **replication** (``replication``): ``"one-copy"``, ``"speedup"`` (each layer copied
  ``min(max_speedup, vectors)`` times, NeuroSim's speed-up degree) or ``"replicate"``
  (ISAAC's balancing over ``n_arrays``: :func:`memlab.accel._pim_pipeline.allocate`).
* **stage time** = array time, buffer time and bus time added (``overlap=False``, the
  layer's data moves before and after it computes, as NeuroSim adds them) or the slowest
  of them (``overlap=True``, double-buffered). Layers are pipelined: one image every
  ``max(stage time)``; energy per image = sum x ``post_layout_factor``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from memlab._validate import positive_int, real
from memlab.errors import out_of_range

from ._adc import adc_energy_isaac, adc_walden, mlsa_conversion, ISAAC_ADC_TABLE
from ._base import energy_dict
from ._report import LayerResult, Report

__all__ = ["PIMDesign", "SystemResult", "evaluate_system"]

_CHOICES = {"adc": ("mlsa", "walden", "isaac"), "input_drive": ("bit-serial", "dac"),
            "replication": ("one-copy", "speedup", "replicate"), "periphery": ("neurosim", "none"),
            "clock": ("sensing", "stated"), "hierarchy": ("neurosim", "flat"), "positions": ("valid", "workload")}


@dataclass(frozen=True)
class PIMDesign:
    """A CIM system's stated design (SI units; see the module doc). Defaults: DNN+NeuroSim
    V1.4's release-test inputs (``Param.cpp``), or the memlab assumption named in
    :data:`memlab.accel._pim_neurosim.DESIGN_SOURCES`."""

    node_nm: int = 22
    feature_m: float = 40e-9           # NeuroSim's wireWidth at 22 nm
    rows: int = 128
    rows_parallel: int = 0             # 0: all rows at once
    cols: int = 128
    cell_bits: int = 1
    cell_h_F: float = 4.0              # 1T1R cell height / width in feature sizes
    cell_w_F: float = 12.0
    r_on: float = 6e3                  # Param.cpp at the release test's commit (module doc of _pim_neurosim)
    r_off: float = 102e3
    v_read: float = 0.5
    v_wl: float = 1.1                  # 1T1R access (word-line) voltage
    v_dd: float = 0.85
    c_wire: float = 0.2e-9             # F/m (0.2 fF/um)
    adc: str = "mlsa"
    adc_bits: int = 4
    cols_per_adc: int = 8
    ref_shared: int = 32               # sense amplifiers sharing a dummy reference column (dumcolshared)
    adc_rate: float = 1e9              # walden / isaac only (memlab assumption)
    # walden only, J/step (memlab assumption): B. E. Jonsson's ADC survey updates
    # (converterpassion.wordpress.com, 2012) list 4.4 fJ/step as the best Walden FoM and 9.7 fJ/step
    # for a 250 MS/s SAR (Verbruggen et al.); GS/s designs sit above
    fom_walden: float = 10e-15
    sense_factor: float = 1.4
    input_drive: str = "bit-serial"
    dac_bits: int = 1
    e_dac_1bit: float = 0.41667e-12
    input_density: float = 0.1         # from Param.cpp inputtoggle 0.18 = 2 p (1 - p), independent bits
    e_shift_add: float = 0.021e-12 * 22 / 32
    clock_hz: float = 1e9
    buffer_width: int = 128
    buffer_ports: int = 1
    e_buffer_bit: float = 10e-12 / 64 * 22 / 45
    bus_width: int = 128
    bus_length: float = 4e-3
    toggle: float = 0.18
    row_reuse: bool = True
    replication: str = "speedup"
    max_speedup: int = 8
    n_arrays: int = 0
    overlap: bool = False
    post_layout_factor: float = 1.22
    periphery: str = "neurosim"
    clock: str = "sensing"
    hierarchy: str = "neurosim"
    positions: str = "workload"

    def __post_init__(self):
        where = "PIMDesign"
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in _CHOICES:
                if v not in _CHOICES[f.name]:
                    raise out_of_range(f.name, v, f"one of {list(_CHOICES[f.name])}", where)
            elif isinstance(f.default, bool):
                if not isinstance(v, bool):
                    raise out_of_range(f.name, v, "True or False", where)
            elif isinstance(f.default, int):
                if f.name in ("n_arrays", "rows_parallel"):
                    real(v, f.name, lo=0, lo_open=False, integer=True, where=where)
                else:
                    positive_int(v, f.name)
            else:
                hi = 1.0 if f.name in ("input_density", "toggle") else math.inf
                real(v, f.name, lo=0.0, lo_open=True, hi=hi, where=where)
        if self.r_off <= self.r_on:
            raise out_of_range("r_off", self.r_off, f"(r_on={self.r_on}, inf) ohm", where)
        if self.replication == "replicate" and self.n_arrays < 1:
            raise out_of_range("n_arrays", self.n_arrays, "integer >= 1 with replication='replicate'", where)
        if self.hierarchy == "neurosim" and self.periphery != "neurosim":
            raise out_of_range("hierarchy", self.hierarchy, "'flat' with periphery='none'", where)
        if self.hierarchy == "neurosim" and self.replication != "speedup":
            raise out_of_range("hierarchy", self.hierarchy, f"'flat' with replication='{self.replication}' "
                               "(NeuroSim's floorplan sets the speed-up)", where)
        if self.periphery == "neurosim" and self.node_nm != 22:
            raise out_of_range("node_nm", self.node_nm, "22 with periphery='neurosim' (the transcribed node)", where)

    @property
    def ra(self) -> int:
        """Rows read at once."""
        return min(self.rows, self.rows_parallel or self.rows)

    def with_(self, **changes) -> "PIMDesign":
        """A copy with ``changes`` (validated)."""
        return replace(self, **changes)

    # --- per-event component figures -------------------------------------------------
    def _caps(self):
        from ._pim_periphery import array_caps
        return array_caps(self.rows, self.cols, self.cell_h_F, self.cell_w_F, self.r_on, self.c_wire)

    @property
    def c_col(self) -> float:
        """Bit-line capacitance (F). ``periphery="neurosim"``: NeuroSim's ``capCol``, rows x cell
        height (in the CMOS feature) x ``c_wire`` + the rows' access-transistor drains;
        ``"none"``: rows x cell width x ``feature_m`` x ``c_wire`` (the earlier model)."""
        if self.periphery == "neurosim":
            return self._caps()["c_col"]
        return self.rows * self.cell_w_F * self.feature_m * self.c_wire

    @property
    def c_row(self) -> float:
        """Word-line capacitance (F). ``periphery="neurosim"``: NeuroSim's ``capRow2``, cols x
        cell width x ``c_wire`` + the cols' access gates; ``"none"``: cols x cell height x
        ``feature_m`` x ``c_wire``."""
        if self.periphery == "neurosim":
            return self._caps()["c_row"]
        return self.cols * self.cell_h_F * self.feature_m * self.c_wire

    def r_col(self) -> float:
        """Mean resistance (ohm) of a column read with all rows active: ``input_density`` of
        the rows driven, half the 1-bit cells on (memlab assumption: no data trace)."""
        n = self.ra * self.input_density
        return 1.0 / (n * (0.5 / self.r_on + 0.5 / self.r_off))

    def conversion(self) -> tuple[float, float]:
        """(energy J, time s) of one conversion of the chosen converter."""
        if self.adc == "mlsa":
            e, t = mlsa_conversion(self.adc_bits, self.node_nm, self.r_on, self.ra, self.r_col(), self.v_read,
                                   self.c_col, self.ref_shared)
        elif self.adc == "walden":
            e, t = adc_walden(self.adc_bits, self.fom_walden), 1.0 / self.adc_rate
        else:
            e, t = adc_energy_isaac(self.adc_bits, ISAAC_ADC_TABLE[8]), 1.0 / self.adc_rate
        return e, t * self.sense_factor

    def planes(self, a_bits: int) -> int:
        return a_bits if self.input_drive == "bit-serial" else math.ceil(a_bits / self.dac_bits)


@dataclass
class SystemResult:
    """:func:`evaluate_system`'s result (SI units, per image): ``report`` (per layer,
    ``kind="predicted"``), ``interval_s`` (pipeline: time between images), ``stages``
    (per-layer times by part), ``conversions``, ``clock_s`` (the clock period used),
    ``parts`` (energy in NeuroSim's categories before the post-layout factor: ``adc`` sense
    amplifiers + array, ``accum`` shift-adds + adder trees, ``other`` switch matrices,
    multiplexers and decoders, ``buffer``, ``ic``), ``area_m2`` (``periphery="neurosim"``: the
    used subarrays' layout area by part, m^2, :func:`memlab.accel._pim_area.subarray_area`
    x subarrays with replicas; ``hierarchy="neurosim"``: NeuroSim's floorplan, every tile's
    subarrays with their periphery plus ``pe_buffers``, ``tile_buffers``, ``global_buffer``)."""

    report: Report
    interval_s: float
    stages: list = field(default_factory=list)
    conversions: float = 0.0
    clock_s: float = 0.0
    parts: dict = field(default_factory=dict)
    area_m2: dict = field(default_factory=dict)

    throughput_ops_per_s = property(lambda self: 2 * self.report.macs / self.interval_s,
                                    doc="operations per second in steady state (op/s)")
    inferences_per_s = property(lambda self: 1.0 / self.interval_s, doc="images per second (1/s)")
    energy_per_image_J = property(lambda self: self.report.energy_total_J, doc="energy per image (J)")
    ops_per_J = property(lambda self: 2 * self.report.macs / self.energy_per_image_J, doc="energy efficiency (op/J)")

    @property
    def bottleneck(self) -> str:
        return max(self.stages, key=lambda s: s["time_s"])["layer"]


def _positions(d: PIMDesign, layer, g) -> int:
    """Input vectors of GEMM ``g``: the workload's, or (``positions="valid"``) NeuroSim's
    ``numInVector`` of a convolution, ``((in - kernel + 1) / stride)^2`` (Chip.cpp: the unpadded
    positions; its operation count keeps the padded ones)."""
    from ._workload import Conv2d
    if d.positions == "valid" and isinstance(layer, Conv2d):
        return ((layer.in_h - layer.kernel_h + 1) // layer.stride) * ((layer.in_w - layer.kernel_w + 1) // layer.stride)
    return g.m * g.steps


def _layer_counts(d: PIMDesign, layer):
    """(arrays, vectors, rows-in, cols-out, conversions, kernel_h, row groups, subarray reads
    (all row groups of a subarray once, per input plane), adder-tree reductions as (count,
    inputs, trees)) of ``layer``'s weight GEMMs."""
    wsl = math.ceil(layer.w_bits / d.cell_bits)
    arrays = vectors = conv = k_tot = n_tot = reads = 0
    sub, trees = 1, []
    for g in layer.gemms():
        if not g.static:
            continue
        col_blocks = math.ceil(g.n * wsl / d.cols)
        a = math.ceil(g.k / d.rows) * col_blocks * g.count
        arrays += a
        v = _positions(d, layer, g)
        vectors = max(vectors, v)
        conv += v * g.count * math.ceil(g.k / d.ra) * g.n * wsl * d.planes(layer.a_bits)
        reads += v * g.count * math.ceil(g.k / d.rows) * col_blocks * d.planes(layer.a_bits)
        sub = max(sub, math.ceil(d.rows / d.ra))        # SubArray.cpp readLatencyADC = numColMuxed x numAdd
        if g.k > d.rows:
            trees.append((v * g.count * d.cols_per_adc, math.ceil(g.k / d.rows),
                          col_blocks * max(1, d.cols // d.cols_per_adc)))
        k_tot += g.k * g.count
        n_tot += g.n * g.count
    return arrays, vectors, k_tot, n_tot, conv, getattr(layer, "kernel_h", 1), sub, reads, trees


def _periphery_energy(d, P, layer, reads, trees, wsl, planes):
    """NeuroSim's periphery energy of one layer (J, before the post-layout factor), per
    subarray read (``SubArray.cpp`` CalculatePower, RRAM parallel mode): the word-line charge
    of all rows, the switch matrix, multiplexer and decoder for ``cols_per_adc`` steps, the
    partial-sum adders when the rows are read in ``numAdd`` groups, the weight and input
    shift-adds; then the adder trees per reduction."""
    from ._pim_periphery import TECH_22, adder_energy, adder_tree_energy, dff_energy, shift_add_energy
    n_add = math.ceil(d.rows / d.ra)
    rows_on = d.rows * d.input_density
    sm, units, cpa = P["switch"], P["units"], d.cols_per_adc
    wl = reads * cpa * rows_on * d.c_row * TECH_22.vdd ** 2
    other = reads * cpa * (rows_on * sm.e_row + sm.e_dff + P["mux"].e_step + P["decoder"].energy)
    per_read = 0.0
    if n_add > 1:
        bits = d.adc_bits + math.ceil(math.log2(n_add))
        per_read += cpa * (n_add - 1) * (adder_energy(bits - 1) * units
                                         + dff_energy(bits * units, units * (d.adc_bits + math.ceil(math.log2(n_add)) / 2)))
    if wsl > 1:
        per_read += shift_add_energy(units, d.adc_bits, wsl) * (wsl - 1) * math.ceil(cpa / wsl)
    if planes > 1:
        per_read += shift_add_energy(units, d.adc_bits + wsl, planes) * math.ceil(cpa / wsl)
    tree = sum(n * adder_tree_energy(k, d.adc_bits + layer.a_bits + wsl + 1, t) for n, k, t in trees)
    return wl, other, reads * per_read + tree


def evaluate_system(design: PIMDesign, workload, pooled=()) -> SystemResult:
    """``workload`` (a :class:`~memlab.accel.Workload`, one image) on ``design``; ``pooled``:
    names of layers followed by a 2x2 pool (their output is buffered pooled)."""
    from ._pim_pipeline import Stage, allocate
    from ._zoo import get_workload

    d = design
    if not isinstance(d, PIMDesign):
        raise out_of_range("design", type(d).__name__, "a PIMDesign", "evaluate_system")
    wl = get_workload(workload, 1)
    e_conv, t_conv = d.conversion()
    per = d.periphery == "neurosim"
    P = None
    if per:
        from ._pim_periphery import adder_tree_latency, buffer_bit_energy, periphery
        P = periphery(d, t_conv / d.sense_factor)
    if d.clock == "sensing":            # synchronous: the sensing path sets the clock, never above clock_hz
        t_cycle = max(1.0 / d.clock_hz, P["clock_s"] if per else t_conv)
        t_read = d.cols_per_adc * t_cycle                  # one multiplexer step a cycle
    else:
        t_cycle, t_read = 1.0 / d.clock_hz, d.cols_per_adc * t_conv
    e_dc = 0.0 if d.adc == "mlsa" else d.v_read ** 2 / d.r_col() * t_conv   # column DC current
    e_bl = 0.0 if (per and d.adc == "mlsa") else d.c_col * d.v_read ** 2  # NeuroSim: inside the MLSA
    e_bit = buffer_bit_energy() if per else d.e_buffer_bit
    if per:
        e_conv += P["e_mlsa_gates"]
    counts = [_layer_counts(d, l) for l in wl.layers]
    if not any(c[0] for c in counts):
        from memlab.errors import ConfigError
        raise ConfigError(f"workload '{wl.name}' has no weight GEMM to map on crossbars")
    digital = [l.name for l in wl.layers if any(not g.static for g in l.gemms())]
    planes = [d.planes(l.a_bits) for l in wl.layers]
    hier = _hierarchy(d, wl, pooled) if d.hierarchy == "neurosim" else None
    if d.replication == "replicate":
        stages = [Stage(l.name, max(1, c[0]), max(1, c[1]), p, 0, 0.0, 0.0)
                  for l, c, p in zip(wl.layers, counts, planes)]
        _groups, reps = allocate(stages, d.n_arrays, t_read)
    elif hier:
        reps = [hier["reps"].get(l.name, 1) for l in wl.layers]
    elif d.replication == "speedup":
        reps = [min(d.max_speedup, max(1, c[1])) for c in counts]
    else:
        reps = [1] * len(counts)
    layers, rows, interval, conv_tot = [], [], 0.0, 0.0
    parts = dict.fromkeys(("adc", "accum", "other", "buffer", "ic"), 0.0)
    for l, (arrays, vectors, k, n, conv, kh, sub, reads, trees), p, r in zip(wl.layers, counts, planes, reps):
        t_arr = math.ceil(vectors / r) * p * sub * t_read if arrays else 0.0
        t_acc = 0.0
        if per and trees:
            t_tree = adder_tree_latency(max(t[1] for t in trees), d.adc_bits + l.a_bits + 8 + 1)
            t_acc = math.ceil(vectors / r) * d.cols_per_adc * math.ceil(t_tree / t_cycle) * t_cycle
        bits_in = k * vectors * l.a_bits / (kh if d.row_reuse else 1)
        bits_out = n * vectors * l.a_bits / (4 if l.name in pooled else 1)
        bits = bits_in + bits_out
        t_buf = bits / (d.buffer_width * d.buffer_ports) * t_cycle
        t_bus = bits / d.bus_width * t_cycle
        e_buf, e_ic = bits * e_bit, bits * d.toggle * d.c_wire * d.bus_length * d.v_dd ** 2
        levels = {}
        if hier and l.name in hier["index"]:
            e_buf, e_ic, bits, t_buf, t_bus, levels = _moved(d, hier, l, vectors, t_cycle)
        times = {"array": t_arr + t_acc, "memory:buffer": t_buf, "interconnect": t_bus}
        t = max(times.values()) if d.overlap else sum(times.values())
        bound = max(times, key=times.get)
        mux_steps = conv / (d.cols / d.cols_per_adc) if conv else 0.0   # array reads x mux steps
        wsl = math.ceil(l.w_bits / d.cell_bits)
        if per:
            e_wl, e_other, e_accum = _periphery_energy(d, P, l, reads, trees, wsl, p)
            drive = (e_wl + e_other if d.input_drive == "bit-serial"
                     else conv / d.cols * d.ra * d.e_dac_1bit * 2.0 ** (d.dac_bits - 1) + e_other)
        else:
            e_wl, e_other, e_accum = 0.0, 0.0, conv * d.e_shift_add
            drive = (mux_steps * d.ra * d.input_density * d.c_row * d.v_wl ** 2 if d.input_drive == "bit-serial"
                     else conv / d.cols * d.ra * d.e_dac_1bit * 2.0 ** (d.dac_bits - 1))
        e = energy_dict(adc=conv * e_conv, compute=conv * (e_bl + e_dc) + e_accum, dac=drive,
                        onchip=e_buf, interconnect=e_ic)
        for key, v in (("adc", conv * (e_conv + e_bl + e_dc) + e_wl), ("accum", e_accum), ("other", e_other),
                       ("buffer", e_buf), ("ic", e_ic)):
            parts[key] += v
        e = {c: v * d.post_layout_factor for c, v in e.items()}
        interval = max(interval, t)
        conv_tot += conv
        layers.append(LayerResult(l.name, l.kind, l.macs, 0.0, bits / 8, times, t, bound, e, 0.0,
                                  {"arrays": arrays, "replicas": r, "conversions": conv, "bits_moved": bits}))
        rows.append({"layer": l.name, "arrays": arrays, "replicas": r, "array_s": t_arr, "accum_s": t_acc,
                     "buffer_s": t_buf, "bus_s": t_bus, "time_s": t, **levels})
    notes = [f"PIM system model ({d.adc} {d.adc_bits}-bit converter, {d.input_drive} inputs, {d.replication} "
             f"replication, {'overlapped' if d.overlap else 'serial'} data movement, {d.periphery} periphery, "
             f"{d.clock} clock {t_cycle:.4g} s) at {d.node_nm} nm: predicted from the stated design, not fitted "
             "to the result",
             f"pipeline interval {interval:.4g} s (slowest stage); the report's latency is the sum of stages"]
    if digital:
        notes.append(f"activation x activation GEMMs of {digital} are not costed (no digital unit in this model)")
    wsl = max(math.ceil(l.w_bits / d.cell_bits) for l in wl.layers)
    peak = 2 * sum(c[0] * r for c, r in zip(counts, reps)) * d.rows * d.cols / wsl / (max(planes) * t_read)
    rep = Report("PIMDesign", "PIM", wl.name, 1, layers, peak, 0.0, None, notes, kind="predicted")
    area = {}
    if hier:
        area = hier["area"]
    elif per:
        from ._pim_area import subarray_area
        n_sub = sum(c[0] * r for c, r in zip(counts, reps))
        area = {k: v * n_sub for k, v in subarray_area(d).items()}
        area["subarrays"] = n_sub
    return SystemResult(rep, interval, rows, conv_tot, t_cycle, parts, area)


def _hierarchy(d: PIMDesign, wl, pooled) -> dict:
    """NeuroSim's floorplan of ``wl`` (:mod:`memlab.accel._pim_hierarchy`): the floorplan, its
    network rows by layer name, each layer's speed-up, the chip area by part (m^2)."""
    from ._pim_hierarchy import chip_area, floorplan, net_structure
    from ._pim_area import subarray_area
    net = net_structure(wl, pooled)
    weights = [l for l in wl.layers if any(g.static for g in l.gemms())]
    cps = max(math.ceil(l.w_bits / d.cell_bits) for l in weights)
    a_bits = max(l.a_bits for l in weights)
    fp = floorplan(net, d.rows, d.cols, cps, d.cols_per_adc, a_bits, d.max_speedup)
    sub = subarray_area(d)
    ca = chip_area(fp, net, d.rows, d.cols, d.cols_per_adc, a_bits, d.adc_bits, d.ra, cps, sub["total"])
    n_sub = ca["subarrays"] / sub["total"]
    area = {k: sub[k] * n_sub for k in ("array", "adc", "accum", "other", "mux", "level_shifters", "digital")}
    area.update({k: ca[k] for k in ("pe_buffers", "tile_buffers", "global_buffer", "total")}, subarrays=round(n_sub),
                tiles=fp.n_tiles)
    return {"fp": fp, "net": net, "index": {n.name: i for i, n in enumerate(net)}, "cps": cps, "sides": ca["sides"],
            "reps": {n.name: r * c for n, (r, c) in zip(net, fp.speed_up)}, "area": area}


def _moved(d: PIMDesign, hier: dict, layer, vectors: int, t_cycle: float):
    """(buffer energy J, interconnect energy J, bits through the global buffer, buffer time s, bus
    time s, their times by level s) of ``layer`` through NeuroSim's buffer and interconnect hierarchy."""
    from ._pim_hierarchy import buffer_energies, ic_energy, movement
    i = hier["index"][layer.name]
    mv = movement(hier["fp"], hier["net"], i, d.rows, d.cols, hier["cps"], d.cols_per_adc, layer.a_bits,
                  d.adc_bits, d.ra, vectors, hier["sides"], t_cycle)
    e_ic = ic_energy(hier["fp"], i, mv, hier["sides"], d.toggle)
    levels = {k + "_s": mv[k] * t_cycle for k in ("buffer_global", "buffer_tile", "buffer_pe", "ic_global", "ic_tile")}
    return buffer_energies(mv), e_ic, mv["bits_global"], mv["buffer"] * t_cycle, mv["ic"] * t_cycle, levels
