"""Memristor processing-in-memory (ISAAC-like tiles of crossbars).

Hierarchy: chip = ``tiles`` x tile; tile = ``imas_per_tile`` IMAs + eDRAM buffer, bus,
router; IMA = ``arrays_per_ima`` crossbars of ``rows x cols`` cells (``cell_bits`` per
cell) sharing ``adcs_per_ima`` ADCs, 1 DAC per row, shift-and-add units.

Mapping of a weight GEMM ``(m x k) @ (k x n)`` with ``w``-bit weights and ``a``-bit inputs:
``ceil(w/cell_bits)`` columns per weight, ``ceil(a/dac_bits)`` input cycles, arrays =
``ceil(k/rows) * ceil(n*ceil(w/cell_bits)/cols)`` (docs/notes/hardware.md §4).

Physics from :mod:`memlab.arrays` (see :mod:`._pim_physics`): for the chosen array size,
wire resistance, device conductances and read voltage, the exact Kirchhoff solution gives
the read power (-> array energy per read = power x read time) and the usable ADC bits
(analog error < LSB/2). ``precision_policy`` says what the chip does with them:

* ``"rows"``: keep an exact column sum; activate only ``ra`` rows per read, the largest
  power of two whose ISAAC ADC requirement ``isaac_adc_bits(ra, ...)`` fits the usable
  bits (more reads, latency and energy when the wires are worse);
* ``"bits"``: activate all rows and convert with ``min(required, usable)`` bits (fewer
  ADC bits, lower precision reported in ``extra['lost_bits']``);
* ``"ideal"``: the paper's assumption, required bits at full rows regardless of IR drop.

``adc_bits_cap`` (0 = none) caps the ADC resolution whatever the policy asks, as designs
with a fixed low-resolution ADC do (DNN+NeuroSim's 4-bit multi-level sense amplifier); the
truncated bits are reported in ``extra['lost_bits']``, and the ADC's area and power in the
Table I rebuild scale with the capped resolution.

Read time: ``t_read = max(cols_per_adc / adc_rate, t_settle)`` where ``cols_per_adc =
cols*arrays_per_ima/adcs_per_ima``; bound 'adc' or 'array'. Weight GEMMs whose operands
are both activations (attention) run on a digital unit (``digital_ops``, ``e_mac_digital``).
:meth:`PIMChip.evaluate` (a :class:`Workload`, a bound): layers run one after the other,
each with the whole chip (replicated when it fits more than once); weights that need more
arrays than the chip has are time-multiplexed without reprogramming cost (flagged in
``extra``). :meth:`PIMChip.pipeline` / :meth:`PIMChip.evaluate_mapped` (a
:class:`memlab.networks.MappedNetwork`, a prediction): layers pipelined on their own arrays,
with buffers, network-on-chip traffic and reprogramming (:mod:`._pim_pipeline`).
"""
from __future__ import annotations

import math

from ._adc import adc_energy_isaac, adc_energy_survey, dac_energy, isaac_adc_bits, isaac_adc_scale
from ._base import HardwareModel, energy_dict
from ._params import Spec
from ._pim_physics import crossbar_figures
from ._report import LayerResult

__all__ = ["PIMChip", "ISAAC_TABLE_I", "isaac_rebuild", "isaac_background_power"]

_HWC = "Accelergy-Project/hwcomponents-library hwcomponents_library/library/isaac.py (quotes ISAAC Table I)"
_REF = "Shafiee et al., ISCA 2016 (corrected 5 Oct 2016) Table I, via docs/notes/hardware.md"
_MEM = "Shafiee et al., ISCA 2016 Table I [M: recalled; component totals reproduce the published tile/chip sums]"

#: ISAAC Table I components: (level, name, count, power_W, area_mm2, source). Power and
#: area are for all ``count`` units of one IMA / one tile / the chip.
ISAAC_TABLE_I = [
    ("ima", "ADC 8b 1.2 GS/s", 8, 16e-3, 0.0096, _HWC),
    ("ima", "DAC 1b", 8 * 128, 4e-3, 0.00017, _HWC),
    ("ima", "sample+hold", 8 * 128, 0.01e-3, 0.00004, _MEM),
    ("ima", "memristor array 128x128", 8, 2.4e-3, 0.0002, _REF + " (array power); area " + _MEM),
    ("ima", "shift+add", 4, 0.2e-3, 0.00024, _HWC),
    ("ima", "input register 2KB", 1, 1.24e-3, 0.0021, _MEM),
    ("ima", "output register 256B", 1, 0.23e-3, 0.00077, _MEM),
    ("tile", "eDRAM buffer 64KB", 1, 20.7e-3, 0.083, _HWC),
    ("tile", "eDRAM-IMA bus", 1, 7e-3, 0.090, _HWC),
    ("tile", "router (1/4 share)", 1, 42e-3 / 4, 0.150 / 4, _HWC),
    ("tile", "sigmoid", 2, 0.52e-3, 0.0006, _MEM),
    ("tile", "shift+add", 1, 0.05e-3, 0.00006, _MEM),
    ("tile", "maxpool", 1, 0.4e-3, 0.00024, _MEM),
    ("tile", "output register 3KB", 1, 1.68e-3, 0.0032, _MEM),
    ("chip", "HyperTransport links", 4, 10.4, 22.88, _REF + " (power); area " + _MEM),
]


def isaac_rebuild(imas_per_tile: int = 12, tiles: int = 168, arrays_per_ima: int = 8, adcs_per_ima: int = 8,
                  adc_bits: int = 8, include_io: bool = True) -> dict:
    """Tile and chip power (W) / area (mm^2) summed from :data:`ISAAC_TABLE_I`.

    Per-IMA entries scale with ``arrays_per_ima`` (arrays, DACs, S+H) and ``adcs_per_ima``
    (ADCs); ADC power and area scale with ``adc_bits`` as ISAAC's Saberi-scaled ADC table
    (:func:`isaac_adc_scale`). Returns tile/chip power and area and the ADC shares of tile
    power and area.
    """
    ima_p = ima_a = tile_p = tile_a = chip_p = chip_a = 0.0
    adc_p = adc_a = 0.0
    for level, name, _count, p, a, _src in ISAAC_TABLE_I:
        if level == "ima":
            s = 1.0
            if name.startswith("ADC"):
                se, sa = isaac_adc_scale(adc_bits)
                adc_p, adc_a = p * adcs_per_ima / 8 * se, a * adcs_per_ima / 8 * sa
                ima_p += adc_p
                ima_a += adc_a
                continue
            elif name.startswith(("DAC", "sample", "memristor")):
                s = arrays_per_ima / 8
            ima_p += p * s
            ima_a += a * s
        elif level == "tile":
            tile_p += p
            tile_a += a
        elif include_io:
            chip_p += p
            chip_a += a
    tile_power = imas_per_tile * ima_p + tile_p
    tile_area = imas_per_tile * ima_a + tile_a
    return {"ima_power_W": ima_p, "ima_area_mm2": ima_a, "tile_power_W": tile_power, "tile_area_mm2": tile_area,
            "chip_power_W": tiles * tile_power + chip_p, "chip_area_mm2": tiles * tile_area + chip_a,
            "adc_share_power": imas_per_tile * adc_p / tile_power, "adc_share_area": imas_per_tile * adc_a / tile_area}


#: components whose energy the PIM model counts per event (conversions, drives, reads,
#: shift-adds, eDRAM bytes); every other Table I entry is charged as always-on power
_EVENT_COUNTED = ("ADC", "DAC", "memristor", "shift+add", "eDRAM buffer")


def isaac_background_power(imas_per_tile: int = 12, tiles: int = 168) -> float:
    """Chip power (W) of the Table I components not counted per event (registers, S+H, bus,
    router, sigmoid, maxpool), i.e. what the chip burns while a layer runs; excludes the
    chip-to-chip links."""
    ima = sum(p for lvl, n, _c, p, _a, _s in ISAAC_TABLE_I if lvl == "ima" and not n.startswith(_EVENT_COUNTED))
    tile = sum(p for lvl, n, _c, p, _a, _s in ISAAC_TABLE_I if lvl == "tile" and not n.startswith(_EVENT_COUNTED))
    return tiles * (imas_per_tile * ima + tile)


class PIMChip(HardwareModel):
    """Memristor PIM accelerator; see the module docstring for the model."""

    MODEL = "pim"
    REQUIRED = {
        "rows": Spec("1", kind="int"), "cols": Spec("1", kind="int"), "cell_bits": Spec("bit", kind="int"),
        "dac_bits": Spec("bit", kind="int"), "arrays_per_ima": Spec("1", kind="int"),
        "adcs_per_ima": Spec("1", kind="int"), "imas_per_tile": Spec("1", kind="int"),
        "tiles": Spec("1", kind="int"), "adc_rate": Spec("Hz"),
        "adc_model": Spec("", kind="choice", choices=("isaac", "survey")), "e_adc_8bit": Spec("J"),
        "flip_encoding": Spec("", kind="bool"), "e_dac_1bit": Spec("J"), "e_shift_add": Spec("J"),
        "e_edram": Spec("J/B"), "edram_bw": Spec("B/s"), "io_bw": Spec("B/s"), "e_io": Spec("J/B"),
        "g_on": Spec("S"), "g_off": Spec("S", lo=0.0, lo_open=False), "v_read": Spec("V"),
        "r_wire": Spec("ohm", lo=0.0, lo_open=False), "r_driver": Spec("ohm", lo=0.0, lo_open=False),
        "r_sense": Spec("ohm", lo=0.0, lo_open=False), "c_seg": Spec("F", lo=0.0, lo_open=False),
        "precision_policy": Spec("", kind="choice", choices=("rows", "bits", "ideal")),
        "digital_ops": Spec("op/s"), "e_mac_digital": Spec("J"), "p_static": Spec("W", lo=0.0, lo_open=False),
        "edram_bytes": Spec("B"), "e_noc": Spec("J/B", lo=0.0, lo_open=False),
        "noc_hops": Spec("1", lo=0.0, lo_open=False), "e_write_cell": Spec("J", lo=0.0, lo_open=False),
        "t_write_pulse": Spec("s"), "write_pulses": Spec("1", kind="int"),
        "adc_bits_cap": Spec("bit", kind="int", lo=0.0, lo_open=False),
    }

    def _setup(self):
        v = self.v
        if v["g_off"] >= v["g_on"]:
            from memlab.errors import out_of_range
            raise out_of_range("g_off", v["g_off"], f"[0, g_on={v['g_on']})", f"preset '{self.name}'")
        self.physics = crossbar_figures(v["rows"], v["cols"], v["g_on"], v["g_off"], v["v_read"], v["r_wire"],
                                        v["r_driver"], v["r_sense"], v["cell_bits"], v["c_seg"])
        self.design_bits = isaac_adc_bits(v["rows"], v["dac_bits"], v["cell_bits"], v["flip_encoding"])
        pol = v["precision_policy"]
        usable = self.physics.usable_bits
        if pol == "ideal":
            ra, bits = v["rows"], self.design_bits
        elif pol == "bits":
            ra, bits = v["rows"], max(1, min(self.design_bits, usable[v["rows"]]))
        else:
            ra = None
            for cand in self.physics.active_rows:          # largest first
                need = isaac_adc_bits(cand, v["dac_bits"], v["cell_bits"], v["flip_encoding"])
                if need <= usable[cand]:
                    ra = cand
                    break
            if ra is None:
                ra = 1
            bits = isaac_adc_bits(ra, v["dac_bits"], v["cell_bits"], v["flip_encoding"])
        if v["adc_bits_cap"]:
            bits = min(bits, v["adc_bits_cap"])
        self.active_rows, self.adc_bits = ra, bits
        self.lost_bits = max(0, isaac_adc_bits(ra, v["dac_bits"], v["cell_bits"], v["flip_encoding"]) - bits)
        self.cols_per_adc = v["cols"] * v["arrays_per_ima"] / v["adcs_per_ima"]
        t_adc = self.cols_per_adc / v["adc_rate"]
        t_set = self.physics.t_settle(bits)
        self.t_read = max(t_adc, t_set)
        self.read_bound = "adc" if t_adc >= t_set else "array"
        self.e_array_read = self.physics.power_W[ra] * self.t_read
        self.e_adc = (adc_energy_isaac(bits, v["e_adc_8bit"]) if v["adc_model"] == "isaac"
                      else adc_energy_survey(bits, v["adc_rate"]))
        self.e_dac = dac_energy(v["dac_bits"], v["e_dac_1bit"])
        self.n_arrays = v["tiles"] * v["imas_per_tile"] * v["arrays_per_ima"]
        self._table = isaac_rebuild(v["imas_per_tile"], v["tiles"], v["arrays_per_ima"], v["adcs_per_ima"],
                                    min(self.design_bits, v["adc_bits_cap"] or self.design_bits))

    def area_mm2(self):
        return self._table["chip_area_mm2"]

    def peak_ops_per_s(self, dtype="int8"):
        """Peak with every array busy, all rows active, for ``dtype`` weights and inputs
        (int8: 8 bits, fp16: 16 bits (ISAAC's fixed-point format), fp32: 32 bits)."""
        v = self.v
        b = {"int8": 8, "fp16": 16, "fp32": 32}[dtype]
        w_cols = math.ceil(b / v["cell_bits"])
        cycles = math.ceil(b / v["dac_bits"])
        macs_per_read = v["rows"] * v["cols"] / w_cols
        return 2 * self.n_arrays * macs_per_read / (cycles * self.cols_per_adc / v["adc_rate"])

    def dram_bw_Bps(self):
        return self.v["io_bw"]

    def physics_summary(self) -> dict:
        """The arrays-derived numbers this chip uses (for reports and tests)."""
        return {"solver": self.physics.solver, "rows": self.v["rows"], "cols": self.v["cols"],
                "r_wire_ohm": self.v["r_wire"], "usable_bits_full_rows": self.physics.usable_bits[self.v["rows"]],
                "err_rel_full_rows": self.physics.err_rel[self.v["rows"]], "design_adc_bits": self.design_bits,
                "active_rows": self.active_rows, "adc_bits": self.adc_bits, "lost_bits": self.lost_bits,
                "t_read_s": self.t_read, "read_bound": self.read_bound, "e_array_read_J": self.e_array_read,
                "array_read_power_W": self.physics.power_W[self.active_rows], "e_adc_J": self.e_adc}

    def evaluate_mapped(self, mapped, x, y=None, *, energy_samples: int = 16, batch: int = 1):
        """A :class:`memlab.networks.MappedNetwork` on this chip: per-layer latency and energy
        from the mapping's tiles and exact solves, layers pipelined over the chip's arrays
        (see :mod:`memlab.accel._pim_mapped` and :mod:`memlab.accel._pim_pipeline`)."""
        return self.pipeline(mapped, x, y, energy_samples=energy_samples, batch=batch).report

    def pipeline(self, mapped, x, y=None, *, energy_samples: int = 16, batch: int = 1, report=None):
        """The :class:`~memlab.accel.PipelineResult` of ``mapped`` on this chip: pipeline
        throughput and latency, buffer spills, reprogramming and network-on-chip cost,
        accuracy; ``batch`` inferences share one reprogramming when the network does not fit;
        ``report``: a ``network_report(mapped, x, y)`` to reuse (``memlab.accel._pim_mapped``)."""
        from ._pim_mapped import evaluate_mapped
        return evaluate_mapped(self, mapped, x, y, energy_samples=energy_samples, batch=batch, report=report)

    def _layer(self, layer, batch, first, last):
        v = self.v
        R, C, ra = v["rows"], v["cols"], self.active_rows
        wsl = math.ceil(layer.w_bits / v["cell_bits"])
        cyc = math.ceil(layer.a_bits / v["dac_bits"])
        macs = layer.macs * batch
        t_arr = t_dig = 0.0
        e_adc = e_dac = e_arr = e_sa = e_dig = 0.0
        conversions = reads = 0.0
        arrays_total = 0
        multiplexed = False
        for g in layer.gemms():
            vectors = g.m * batch * g.steps
            if not g.static:
                t_dig += 2 * g.macs * batch / v["digital_ops"]
                e_dig += g.macs * batch * v["e_mac_digital"]
                continue
            row_tiles = math.ceil(g.k / R)
            col_arrays = math.ceil(g.n * wsl / C)
            arrays = row_tiles * col_arrays * g.count
            arrays_total += arrays
            sub = math.ceil(min(g.k, R) / ra)                  # row groups read one after another
            n_reads = vectors * arrays * sub * cyc             # array activations
            n_conv = vectors * g.count * math.ceil(g.k / ra) * g.n * wsl * cyc
            reads += n_reads
            conversions += n_conv
            if arrays <= self.n_arrays:
                replicas = self.n_arrays // arrays
                t_arr += math.ceil(vectors / replicas) * sub * cyc * self.t_read
            else:
                multiplexed = True
                t_arr += vectors * math.ceil(arrays / self.n_arrays) * sub * cyc * self.t_read
            e_adc += n_conv * self.e_adc
            e_dac += vectors * g.count * g.k * col_arrays * cyc * self.e_dac
            e_arr += n_reads * self.e_array_read
            e_sa += n_conv * v["e_shift_add"]
        a_in, a_out = layer.input_bytes * batch, layer.output_bytes * batch
        onchip = a_in + a_out
        io = (a_in if first else 0.0) + (a_out if last else 0.0)
        times = {self.read_bound: t_arr, "digital": t_dig,
                 "memory:eDRAM": onchip / (v["edram_bw"] * v["tiles"]), "memory:IO": io / v["io_bw"]}
        bound = max(times, key=times.get)
        t = times[bound]
        e = energy_dict(compute=e_arr + e_sa + e_dig, adc=e_adc, dac=e_dac, onchip=onchip * v["e_edram"],
                        dram=io * v["e_io"], static=v["p_static"] * t)
        util = 2 * macs / (self.peak_ops_per_s(layer.dtype) * t) if t > 0 else 0.0
        return LayerResult(layer.name, layer.kind, macs, io, onchip, times, t, bound, e, util,
                           {"arrays": arrays_total, "conversions": conversions, "array_reads": reads,
                            "active_rows": ra, "adc_bits": self.adc_bits, "lost_bits": self.lost_bits,
                            "time_multiplexed": multiplexed})
