"""NeuroSim's layout area of a 1T1R RRAM compute-in-memory subarray, transcribed from
DNN+NeuroSim V1.4 (github.com/neurosim/DNN_NeuroSim_V1.4, ``Inference_pytorch/NeuroSIM/``):
:func:`subarray_area`, by NeuroSim's area categories.

Each formula's file and function is in :data:`AREA_SOURCES`; tests/accel/test_pim_release.py
and tests/accel/test_pim_periphery.py evaluate them by hand. All areas in m^2, lengths in m.

NeuroSim reports a chip's area in five parts (``main.cpp``'s writer: chipArea, chipAreaArray,
chipAreaIC, chipAreaADC, chipAreaAccum, chipAreaOther): the 1T1R cells (``array``), the sense
amplifiers and their encoders (``adc``), the shift-adds, partial-sum adders and adder trees
(``accum``), and everything else (``other``: word-line switch matrix, column multiplexer, the
write-voltage level shifters, PE, tile and global buffers, pooling and activation), plus the
buses (``ic``). A subarray's parts here:

* **array**: rows x cell height by cols x cell width (``SubArray.cpp`` CalculateArea).
* **adc**: ``MultilevelSenseAmp.cpp`` CalculateArea (9 minimum NMOS cells per level and
  amplifier, plus the dummy reference columns, one array column each, shared by
  ``ref_shared`` amplifiers) and ``MultilevelSAEncoder.cpp`` CalculateArea (an INV and a NAND2
  per level and a ``levels / 2``-input NAND per output bit, laid out in one row of encoders
  across the array width).
* **accum**: a DFF (12 minimum inverters, ``DFF.cpp``) per shift-add register bit and 9 NAND2
  per adder bit (``Adder.cpp``, ``ShiftAdd.cpp``) for the weight and input shift-adds; with
  the rows read in ``numAdd > 1`` groups, the partial-sum adders (``adderBit - 1`` bits,
  ``adderBit = log2(levels) + ceil(log2(numAdd))``) and their ``adderBit`` DFFs per amplifier.
* **other**: the word-line switch matrix (``NewSwitchMatrix.cpp``: a DFF and 4 transmission
  gates of 14 x the minimum per row), the column multiplexer (``Mux.cpp`` CalculateArea, analog:
  its pass gates, sized to the column resistance, folded into one row across the array width),
  and the write-voltage level shifters (``LevelShifter.cpp`` CalculateArea, validated: one per
  word line, bit line and source line since Param.cpp's writeVoltage 2 V exceeds 1.5 V; a 2.5 x
  high cell with twice-wide transistors, IO-transistor parts 2.5 x wider, x alpha 1.44 for
  wiring).

Not transcribed (named in docs/notes/hardware.md §9): the multiplexer decoder's own area (its
height, 8 NOR cells, is below the multiplexer's, which sets the row), the source-line switch
matrix, the subarray's empty area (NeuroSim's height x width minus the used area), the adder
trees above the subarray, pooling and activation units, the bus wires.
"""
from __future__ import annotations

import math

from ._pim_periphery import TECH_22, _CELL_H, _MIN_N, Tech, _enlarge, _gate_area, column_mux_of

__all__ = ["AREA_SOURCES", "level_shifter_area", "encoder_area", "subarray_area"]

_NS = "DNN_NeuroSim_V1.4 Inference_pytorch/NeuroSIM/"
#: where each area formula comes from
AREA_SOURCES = {
    "array": _NS + "SubArray.cpp CalculateArea (heightArray = lengthCol, widthArray = lengthRow)",
    "adc": _NS + "MultilevelSenseAmp.cpp CalculateArea; MultilevelSAEncoder.cpp CalculateArea (230920 update)",
    "accum": _NS + "ShiftAdd.cpp / Adder.cpp / DFF.cpp CalculateArea; SubArray.cpp areaAccum",
    "switch_matrix": _NS + "NewSwitchMatrix.cpp CalculateArea (DFF and 4 transmission gates a row)",
    "mux": _NS + "Mux.cpp CalculateArea (analog: CalculatePassGateArea with numFold from the array width)",
    "level_shifter": _NS + "LevelShifter.cpp CalculateArea (validated branch, alpha 1.44); SubArray.cpp "
    "(wl/bl level shifters numRow each, sl numCol, when writeVoltage > 1.5 V; Param.cpp writeVoltage 2)",
    "categories": _NS + "SubArray.cpp CalculateArea (areaADC, areaAccum, areaOther), main.cpp (chipArea, "
    "chipAreaArray, chipAreaIC, chipAreaADC, chipAreaAccum, chipAreaOther written in that order)",
}

_ALPHA = 1.44          # Param.cpp validated: wiring area of level shifters
_WRITE_V = 2.0         # Param.cpp writeVoltage: level shifters when above 1.5 V


def level_shifter_area(t: Tech = TECH_22) -> float:
    """Area (m^2) of one write-voltage level shifter (``LevelShifter.cpp``, validated): a
    low-voltage INV (15 / 20 x the minimum widths), a latch (32 / 10) and a high-voltage pull-up
    (64 / 82), each with twice the width in a 2.5 x high (70 F) cell; width = low + 2.5 (2 latch
    + high), x alpha 1.44."""
    f = t.node_m
    wn, wp, h = _MIN_N * f, t.pn * _MIN_N * f, _CELL_H * f * 2.5
    low, latch, high = (_gate_area(1, wn * a * 2, wp * b * 2, f, h) / h for a, b in ((15, 20), (32, 10), (64, 82)))
    return h * (low + (2 * latch + high) * 2.5) * _ALPHA


def encoder_area(levels: int, encoders: int, width_m: float, t: Tech = TECH_22) -> float:
    """Area (m^2) of ``encoders`` thermometer-to-binary encoders of ``levels`` levels laid out
    across ``width_m`` (``MultilevelSAEncoder.cpp`` CalculateArea): one encoder is
    ``w = INV + NAND2 + large NAND`` wide and ``((INV + NAND2) (levels - 1) + large NAND x
    log2(levels)) / w`` high; as many per row as ``ceil(width / w)``."""
    f = t.node_m
    inv = _gate_area(1, _MIN_N * f, t.pn * _MIN_N * f, f)
    nand = _gate_area(2, 4 * _MIN_N * f, 2 * t.pn * _MIN_N * f, f)
    big = _gate_area(math.ceil(levels / 2), 4 * _MIN_N * f, 2 * t.pn * _MIN_N * f, f)
    h = _CELL_H * f
    w = (inv + nand + big) / h
    height = ((inv + nand) * (levels - 1) + big * math.ceil(math.log2(levels))) / w
    per_row = min(math.ceil(width_m / w), encoders)
    return max(width_m, w) * height * math.ceil(encoders / per_row)


def subarray_area(d, t: Tech = TECH_22) -> dict:
    """Layout area (m^2) of one subarray of :class:`~memlab.accel._pim_system.PIMDesign` ``d``
    by NeuroSim's categories (module doc): ``array``, ``adc``, ``accum``, ``other`` (with its
    parts ``mux`` and ``level_shifters``), ``digital`` (= accum + other) and ``total``."""
    f = t.node_m
    lv, units = 2 ** d.adc_bits, max(1, d.cols // d.cols_per_adc)
    width = d.cols * d.cell_w_F * f
    array = (d.rows * d.cell_h_F * f) * width
    nmos = _gate_area(1, _MIN_N * f, 0.0, f)
    mlsa = units * (9 * nmos * (lv - 1) + d.rows * d.cell_h_F * f * d.cell_w_F * f * (lv - 1) / d.ref_shared)
    adc = mlsa + encoder_area(lv, units, width, t)
    dff = 12 * _gate_area(1, _MIN_N * f, t.pn * _MIN_N * f, f)
    nand = _gate_area(2, *_enlarge(2 * _MIN_N * f, t.pn * _MIN_N * f, f), f)
    wsl, pulses = 8, 8                              # the release test's weight slices and input bits
    sa_bits = [(d.adc_bits, wsl), (d.adc_bits + wsl, pulses)]
    accum = units * (sum(b + p for b, p in sa_bits) * dff + sum(b for b, _p in sa_bits) * 9 * nand)
    n_add = math.ceil(d.rows / d.ra)
    if n_add > 1:                                   # partial sums of the row groups: adderBit - 1 bit adders + DFFs
        bits = d.adc_bits + math.ceil(math.log2(n_add))
        accum += units * ((bits - 1) * 9 * nand + bits * dff)
    switch = d.rows * (dff + 4 * _gate_area(1, _MIN_N * f * 14, t.pn * _MIN_N * f * 14, f))
    mux = column_mux_of(d, width, t).height * width if d.cols_per_adc > 1 else 0.0
    shifters = (2 * d.rows + d.cols) * level_shifter_area(t) if _WRITE_V > 1.5 else 0.0
    other = switch + mux + shifters
    return {"array": array, "adc": adc, "accum": accum, "other": other, "mux": mux, "level_shifters": shifters,
            "digital": accum + other, "total": array + adc + accum + other}
