"""The PIM model against a published DNN+NeuroSim evaluation: :func:`neurosim_rows`.

The evaluation: DNN+NeuroSim V1.4's release test (github.com/neurosim/DNN_NeuroSim_V1.4,
``Data/1.4_Release_test.csv``, first row), the default VGG-8 on CIFAR-10 (8-bit "WAGE":
8-bit weights and activations) on RRAM at 22 nm. Its columns are named by the commented
writer at the end of ``Inference_pytorch/NeuroSIM/main.cpp`` (technode, operation mode,
cell type, access type, chip area, ..., energy efficiency, throughput TOPS, FPS, TOPS/mm^2,
operations, then labelled parameters). Published outputs (:data:`NEUROSIM_V14`): 23.94
TOPS/W (after NeuroSim's post-layout factor ``zeta``), 6.342 TOPS, 5148.66 frames/s, chip
area 84.77 mm^2, 1.23184e9 operations per image, 42.0 uJ dynamic read energy per image (21.6
uJ of it in the ADCs). Its configuration, labelled in the same row: 128 x 128 subarrays,
1-bit cells, 16-level (4-bit) sense amplifiers in current mode, all 128 rows read at once,
``Ron/Roff`` = 1/17, input toggle rate 0.18; from ``Param.cpp`` at the commit that adds the
CSV (9e6742cd): 8 columns share one sense amplifier (``numColMuxed``), read voltage 0.5 V, read
pulse 10 ns, ``Ron`` 6 kOhm, dummy reference columns shared by 32 amplifiers, write voltage 2 V,
1T1R cells. (The repository's later Param.cpp has Ron 100 kOhm, levelOutput 32, SRAM cells and a
0.55 V read; with 100 kOhm the transcribed clock is 1.52 ns against the row's 2.2312 ns, with
6 kOhm 2.2311 ns: the row was computed with the earlier file.)

memlab's chip for it (:func:`neurosim_chip`): the ISAAC preset with NeuroSim's array,
cell, converter sharing, ADC resolution (``adc_bits_cap`` 4, all rows active:
``precision_policy="ideal"``) and device; tiles sized to hold VGG-8's weights once (NeuroSim
sizes its chip to the network). Everything else stays ISAAC's 32 nm component energies and
areas (ADC, DAC, shift-add, eDRAM, router, HyperTransport links), not NeuroSim's 22 nm
circuits: this is a prediction by a different model of the same design point, not a fit,
and the differences the table shows are the two models' different peripherals and nodes
(explained in docs/notes/hardware.md, "DNN+NeuroSim comparison"); :func:`neurosim_isaac_rows`.

The system model's prediction (:func:`neurosim_rows`, :func:`neurosim_system`): the
:class:`~memlab.accel._pim_system.PIMDesign` with the release test's stated inputs, each
with the file and line it comes from or marked a memlab assumption in
:data:`DESIGN_SOURCES` (node, array, cell, sense amplifier, column sharing, input pulses,
clock, buffer core, bus toggle rate, mapping, speed-up degree, NeuroSim's calibration
factors beta and zeta); :data:`NEUROSIM_V14_PARTS` holds the row's per-part latencies and
energies the benchmark compares part by part.
"""
from __future__ import annotations

import math

__all__ = ["NEUROSIM_V14", "NEUROSIM_V14_ROW3", "NEUROSIM_V14_PARTS", "NEUROSIM_V14_AREA", "DESIGN_SOURCES",
           "neurosim_area_rows", "neurosim_vgg8", "neurosim_chip", "neurosim_design",
           "neurosim_rows", "neurosim_isaac_rows", "neurosim_system"]

_SRC = "DNN+NeuroSim V1.4 release test (neurosim/DNN_NeuroSim_V1.4 Data/1.4_Release_test.csv, row 1; 22 nm RRAM)"

#: published outputs of the release test's first row (SI units)
NEUROSIM_V14 = {"ops_per_J": 23.9369e12, "throughput_ops_per_s": 6.3423e12, "inferences_per_s": 5148.66,
                "area_mm2": 84.7747, "ops": 1.23184e9, "dynamic_energy_J": 42.0048e-6, "adc_energy_J": 21.612e-6}


def neurosim_vgg8(batch: int = 1):
    """NeuroSim's default VGG-8 for CIFAR-10 (``Inference_pytorch/models/VGG.py``: 128-128-M-256-256-M-
    512-512-M convolutions 3x3 'same', then 8192-1024-10), 8-bit weights and activations:
    615,917,568 MACs = the row's 1.23184e9 operations."""
    from ._workload import Conv2d, Linear, Workload
    cfg = [(3, 128, 32), (128, 128, 32), (128, 256, 16), (256, 256, 16), (256, 512, 8), (512, 512, 8)]
    layers = [Conv2d(f"conv{i + 1}", in_channels=c, out_channels=k, in_h=hw, in_w=hw, kernel_h=3, kernel_w=3,
                     stride=1, padding=1) for i, (c, k, hw) in enumerate(cfg)]
    layers += [Linear("fc1", in_features=8192, out_features=1024), Linear("fc2", in_features=1024, out_features=10)]
    return Workload("vgg8_cifar10", layers, batch, "VGG-8 CIFAR-10 (DNN+NeuroSim default)", _SRC)


def neurosim_chip(tiles: int | None = None):
    """The ISAAC preset set to the release test's design point (module doc); ``tiles`` default:
    just enough 96-array tiles to hold VGG-8 once."""
    from ._chips import make_chip
    over = dict(rows=128, cols=128, cell_bits=1, dac_bits=1, adc_bits_cap=4, precision_policy="ideal",
                adcs_per_ima=8 * 128 // 8, g_on=1 / 100e3, g_off=1 / 1.7e6, v_read=0.5)
    if tiles is None:
        probe = make_chip("ISAAC", **over)
        arrays = sum(l.extra["arrays"] for l in probe.evaluate(neurosim_vgg8()).layers)
        tiles = math.ceil(arrays / (probe.v["imas_per_tile"] * probe.v["arrays_per_ima"]))
    return make_chip("ISAAC", tiles=tiles, **over)


def neurosim_isaac_rows() -> list[dict]:
    """The earlier comparison: ISAAC's 32 nm components at NeuroSim's array design point
    (:func:`neurosim_chip`, layer by layer, every layer replicated over the free arrays), in
    :func:`neurosim_rows`' format."""
    chip = neurosim_chip()
    rep = chip.evaluate(neurosim_vgg8())
    got = {"ops_per_J": rep.ops_per_J, "throughput_ops_per_s": rep.throughput_ops_per_s,
           "inferences_per_s": rep.inferences_per_s, "area_mm2": chip.area_mm2()}
    return _rows(got, "ISAAC components")


def neurosim_rows() -> list[dict]:
    """Rows in :func:`memlab.accel._pim_validation.pim_validation`'s format (``error`` =
    predicted / published - 1) for energy efficiency, throughput, frame rate and area of the
    system model at NeuroSim's stated design (:func:`neurosim_system`); the area is NeuroSim's
    floorplan (every tile's subarrays, idle ones too, with their transcribed periphery, and the
    PE, tile and global buffers; ``SystemResult.area_m2``; no bus wires or adder trees)."""
    out = []
    for label, ref, over in (("system model", NEUROSIM_V14, {}),
                             ("system model, 64 rows at once", NEUROSIM_V14_ROW3, {"rows_parallel": 64})):
        res = neurosim_system(**over)
        got = {"ops_per_J": res.ops_per_J, "throughput_ops_per_s": res.throughput_ops_per_s,
               "inferences_per_s": res.inferences_per_s, "area_mm2": res.area_m2["total"] * 1e6}
        out += _rows(got, label, ref, "row 3" if over else "row 1", "chip area (floorplan)")
    return out


def _rows(got, model, ref=NEUROSIM_V14, row="row 1", area="chip area (Table I rebuild)"):
    what = {"ops_per_J": ("energy efficiency", "op/J"), "throughput_ops_per_s": ("throughput", "op/s"),
            "inferences_per_s": ("frame rate", "1/s"), "area_mm2": (area, "mm^2")}
    rows = []
    for k, (q, unit) in what.items():
        rows.append({"case": f"DNN+NeuroSim V1.4 VGG-8 ({model})", "quantity": f"{q}, 4b ADC, 1b cells, 128x128",
                     "unit": unit, "predicted": got[k], "published": ref[k], "source": _SRC.replace("row 1", row),
                     "basis": "simulated (another model)"})
    for r in rows:
        r["error"] = r["predicted"] / r["published"] - 1.0
    return rows


#: published outputs of the release test's third row: the same design with 64 rows read at
#: once (``numRowParallel`` 64, labelled in the row), a second held-out point
NEUROSIM_V14_ROW3 = {"ops_per_J": 20.0615e12, "throughput_ops_per_s": 6.83714e12, "inferences_per_s": 5550.37,
                     "area_mm2": 83.073}

#: the release test rows' chip area by part (mm^2), in main.cpp's writer order after the total:
#: chipAreaArray, chipAreaIC, chipAreaADC, chipAreaAccum, chipAreaOther (row 1; ``"row3"``: 64
#: rows at once, whose larger accumulation is the partial-sum adders and smaller other the
#: multiplexer sized to twice the column resistance)
NEUROSIM_V14_AREA = {"total": 84.7747, "array": 3.60536, "ic": 8.29649, "adc": 5.06475, "accum": 15.0639,
                     "other": 52.7443, "row3": {"total": 83.073, "array": 3.60536, "ic": 8.20239, "adc": 5.06475,
                                                "accum": 17.1209, "other": 49.0796}}


def neurosim_area_rows(**changes) -> list[dict]:
    """memlab's floorplan area by NeuroSim's parts (mm^2) against the release test's row 1 (or
    row 3 with ``rows_parallel=64``): ``{"part", "predicted", "published", "error"}``; memlab's
    ``other`` = subarray switch matrices, multiplexers and level shifters + PE, tile and global
    buffers; ``ic`` (bus wires) is not transcribed (0)."""
    a = neurosim_system(**changes).area_m2
    ref = NEUROSIM_V14_AREA["row3"] if changes.get("rows_parallel") == 64 else NEUROSIM_V14_AREA
    got = {"array": a["array"], "ic": 0.0, "adc": a["adc"], "accum": a["accum"],
           "other": a["other"] + a["pe_buffers"] + a["tile_buffers"] + a["global_buffer"], "total": a["total"]}
    return [{"part": k, "predicted": got[k] * 1e6, "published": ref[k], "error": got[k] * 1e6 / ref[k] - 1.0}
            for k in ("array", "ic", "adc", "accum", "other", "total")]


#: the release test row's parts (SI units): pipeline clock (the slowest layer's time) and
#: its buffer, interconnect and converter times; dynamic energy by part per image
NEUROSIM_V14_PARTS = {"interval_s": 194225e-9, "buffer_s": 136858e-9, "ic_s": 47868.9e-9, "adc_s": 8032.31e-9,
                      "accum_s": 3325.04e-9, "clock_s": 2.2312e-9, "adc_J": 2.1612e-5, "accum_J": 3.57428e-6,
                      "other_J": 1.68186e-5, "buffer_J": 203455e-12, "ic_J": 6.09182e-6}

_P = "DNN_NeuroSim_V1.4 Inference_pytorch/NeuroSIM/Param.cpp"
_P9 = _P + " at commit 9e6742cd, the one that adds Data/1.4_Release_test.csv"
#: where each :class:`~memlab.accel._pim_system.PIMDesign` input of :func:`neurosim_design` comes from
DESIGN_SOURCES = {
    "node_nm": _P + " (tech = 5: technode 22)", "feature_m": _P + " (wireWidth 40 nm at 22 nm)",
    "rows": _P + " (numRowSubArray)", "rows_parallel": _P + " (parallelRead: numRowParallel = numRowSubArray)", "cols": _P + " (numColSubArray)", "cell_bits": _P + " (cellBit)",
    "cell_h_F": _P + " (heightInFeatureSize1T1R 4)", "cell_w_F": _P + " (widthInFeatureSize1T1R 12)",
    "r_on": _P9 + " (resistanceOn 6 kOhm; the repository's later Param.cpp has 100 kOhm, with which the "
    "clock comes out 1.52 ns against the row's 2.2312 ns)", "r_off": _P9 + " (resistanceOff 17 x Ron; the row's onoff "
    "0.0588)", "ref_shared": _P9 + " (dumcolshared 32)",
    "v_read": _P + " (readVoltage 0.5 V)", "v_wl": _P + " (accessVoltage 1.1 V)",
    "v_dd": "DNN_NeuroSim_V1.4 Technology.cpp (22 nm LP branch, PTM 22nm_LP.pm: vdd = 0.85 V)",
    "c_wire": "DNN_NeuroSim_V1.4 SubArray.cpp (capBL = lengthCol x 0.2 fF/um)",
    "adc": _P + " (SARADC = false: MLSA; currentMode = true)", "adc_bits": _P + " (levelOutput 16)",
    "cols_per_adc": _P + " (numColMuxed 8)", "sense_factor": _P + " (validated: beta = 1.4, latency factor "
    "of the sensing cycle)", "input_drive": _P + " (1-bit input pulses through the word-line switch matrix, "
    "no DAC)", "input_density": _P + " (inputtoggle 0.18, from VGG8-CIFAR10 traces of the input bits) read as the "
    "toggle rate 2 p (1 - p) of independent bits with P(1) = p: p = 0.1 (memlab assumption: independence; NeuroSim "
    "traces each vector's activityRowRead)",
    "e_shift_add": "periphery='none' only: ISAAC Table I shift-and-add 0.021 pJ at 32 nm (hwcomponents "
    "isaac.py) x 22/32 (memlab assumption: energy proportional to the node); 'neurosim' uses ShiftAdd.cpp",
    "clock_hz": _P + " (clkFreq 1 GHz, the upper bound of the synchronous clock)",
    "buffer_width": _P + " (globalBufferCoreSizeCol 128: one core row per access)",
    "buffer_ports": "memlab assumption: one buffer core accessed at a time",
    "e_buffer_bit": "periphery='none' only: Horowitz ISSCC 2014: 8 kB SRAM, 10 pJ per 64-bit read at 45 nm, "
    "x 22/45 (memlab assumption: energy proportional to the node); 'neurosim' uses NeuroSim's register-file "
    "buffer (Param.cpp globalBufferType = false, Buffer.cpp)",
    "bus_width": "memlab assumption: one subarray width (128 b) of the global X-Y bus per layer",
    "bus_length": "memlab assumption: 4 mm, about half the side of a 65-85 mm^2 die",
    "toggle": _P + " (inputtoggle 0.18, recommended for VGG8-CIFAR10)",
    "row_reuse": _P + " (novelMapping = true: numBitToLoadOut / kernel height in Chip.cpp)",
    "replication": _P + " (pipeline = true, speedUpDegree 8)", "max_speedup": _P + " (speedUpDegree 8)",
    "periphery": "NeuroSim's subarray periphery transcribed in memlab.accel._pim_periphery (PERIPHERY_SOURCES: "
    "switch matrix, multiplexer and decoder, shift-adds, adder trees, register-file buffer, 22 nm technology)",
    "clock": _P + " (synchronous = true: clkFreq = min(clkFreq, 1 / (beta x sensing-path delay)), SubArray.cpp "
    "CalculateLatency with CalculateclkFreq)",
    "hierarchy": "NeuroSim's floorplan and tile/PE buffer and bus hierarchy transcribed in memlab.accel._pim_hierarchy "
    "(HIERARCHY_SOURCES: Chip.cpp, Tile.cpp, ProcessingUnit.cpp, Buffer.cpp, XYBus.cpp, HTree.cpp; Param.cpp "
    "globalBusType = false: X-Y bus, register-file buffers, tile buffer cores 32 x 32, chipActivation = true)",
    "positions": "memlab choice: the workload's output positions (VGG.py pads 3x3 convolutions: 32 x 32 = 1024, as "
    "the row's 1.23184e9 operations count); 'valid' is Chip.cpp's numInVector = (IFM - K + 1)^2 = 900, unpadded",
    "overlap": "DNN_NeuroSim_V1.4 main.cpp / Chip.cpp (a layer's buffer and interconnect latency add to its "
    "read latency)", "post_layout_factor": _P + " (validated: zeta = 1.22, post-layout energy increase)",
}

#: VGG-8 layers followed by a 2x2 max-pool (NeuroSim's VGG.py: 128-128-M-256-256-M-512-512-M)
_POOLED = ("conv2", "conv4", "conv6")


def neurosim_design(**changes):
    """The :class:`~memlab.accel._pim_system.PIMDesign` of the release test (its defaults,
    sourced in :data:`DESIGN_SOURCES`), with ``changes``."""
    from ._pim_system import PIMDesign
    return PIMDesign(**changes)


def neurosim_system(**changes):
    """:func:`~memlab.accel._pim_system.evaluate_system` of VGG-8 at :func:`neurosim_design`."""
    from ._pim_system import evaluate_system
    return evaluate_system(neurosim_design(**changes), neurosim_vgg8(), pooled=_POOLED)
