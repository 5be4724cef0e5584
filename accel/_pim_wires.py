"""NeuroSim's repeated bus wires, transcribed from DNN+NeuroSim V1.4 (github.com/neurosim/
DNN_NeuroSim_V1.4, ``Inference_pytorch/NeuroSIM/XYBus.cpp`` and ``HTree.cpp``): the repeater
design, the energy per bit and metre, the wire delay in clocks per bus word, the H-tree's
root-to-leaf path. Sources in :data:`WIRE_SOURCES`; tests/accel/test_pim_release.py checks them
by hand. SI units (m, s, J, ohm, F).

* **repeater** (``Initialize``): the fastest repeater for the 40 nm Metal1 wire (0.2 fF/um,
  Param.cpp's ``unitLengthWireResistance``): size ``floor(sqrt(R_0 c_w / C_0 r_w))`` minimum
  inverters, spacing ``sqrt(2 R_0 (C_out + C_in) / (r_w c_w))``; then, while the delay is below
  (1 + tolerance 0.1) x that optimum, the size is halved and the spacing x 0.9. The delay
  formula is NeuroSim's as written, ``0.7 R (C_in + C_out + c_w d) + 0.38 r_w d c_w d + r_w d
  C_in / d`` (its terms are not all of one unit); the final inverter is ``max(1, size)``.
* **energy** (``CalculatePower``): ``0.5 (C_in + C_out + c_w d) Vdd^2 / d`` per bit and metre.
* **delay** (``CalculateLatency``): ``length x unitLatencyRep`` with the same formula at the
  repeater spacing, ``r_w`` from ``GetUnitLengthRes`` (a 1, 2 or 4 x wider wire above 1e4 and
  1e5 feature sizes of length, its own aspect ratio and resistivity; the barrier term, as in
  Param.cpp, mixes nm and m and is negligible), rounded up to
  whole clocks (``param->synchronous``) per bus word.
* **H-tree** over ``n x n`` units (``HTree.cpp``; NeuroSim builds a tile's tree with ``numPE``
  rows and columns, 2 for a conventional-mapping tile, 9 for a novel-mapping one): ``k =
  ceil(log2 n)`` vertical and horizontal stages halving from the tree's span, plus the main bus
  ``min(n - x_c, x_c)`` units long, ``x_c = floor(log2 n)``; the latency path starts at the full
  span, the power path at half of it (both as in the C++).
"""
from __future__ import annotations

import math

from ._pim_periphery import TECH_22, _CELL_H, _MIN_N, _unit_res_metal1, drain_cap, gate_cap, on_res

__all__ = ["WIRE_SOURCES", "repeater", "wire_energy_per_m", "unit_length_res", "word_clocks", "htree_length",
           "htree_word_clocks"]

_NS = "DNN_NeuroSim_V1.4 Inference_pytorch/NeuroSIM/"
#: where each wire formula comes from
WIRE_SOURCES = {
    "repeater": _NS + "XYBus.cpp / HTree.cpp Initialize (repeaterSize, minDist, delaytolerance loop); Param.cpp "
    "globalBusDelayTolerance = localBusDelayTolerance = 0.1",
    "energy": _NS + "XYBus.cpp / HTree.cpp CalculatePower (unitLengthEnergyRep)",
    "delay": _NS + "XYBus.cpp / HTree.cpp CalculateLatency (unitLatencyRep, ceil(readLatency x clkFreq) a word)",
    "wide_wire": _NS + "XYBus.cpp GetUnitLengthRes (wire width x1 / x2 / x4 at 1e4 / 1e5 F of length)",
    "htree": _NS + "HTree.cpp Initialize (numStage, x_center), CalculateLatency / CalculatePower (root-leaf)",
}

_C_W = 0.2e-9          # F/m, 0.2 fF/um
# GetUnitLengthRes: (min wire width nm, aspect ratio, resistivity, barrier m), widest first
_WIRES = ((175, 1.6, 2.01e-8, 10e-9), (110, 1.6, 2.20e-8, 10e-9), (105, 1.7, 2.21e-8, 7e-9), (80, 1.7, 2.37e-8, 5e-9),
          (56, 1.8, 2.63e-8, 4e-9), (40, 1.9, 2.97e-8, 3e-9))


def _inv(size, t):
    f = t.node_m
    wn, wp = _MIN_N * f * size, t.pn * _MIN_N * f * size
    r = (on_res(wn, True, t=t) + on_res(wp, False, t=t)) / 2
    return r, gate_cap(wn, t) + gate_cap(wp, t), drain_cap("INV", 1, wn, wp, _CELL_H * f, t)


def _delay(size, dist, r_w, t):
    r, ci, co = _inv(size, t)
    return 0.7 * (r * (ci + co + _C_W * dist)) + 0.38 * r_w * dist * _C_W * dist + r_w * dist * ci / dist


def repeater(t=TECH_22, tolerance: float = 0.1) -> tuple[float, float]:
    """(size in minimum inverters, spacing m) of NeuroSim's bus repeater (module doc)."""
    r_w = _unit_res_metal1()
    r0, ci0, co0 = _inv(1, t)
    size = math.floor(math.sqrt(r0 * _C_W / ci0 / r_w))
    dist = math.sqrt(2 * r0 * (co0 + ci0) / (r_w * _C_W))
    target, now = _delay(size, dist, r_w, t) * (1 + tolerance), 0.0
    while now < target:
        size /= 2
        dist *= 0.9
        now = _delay(size, dist, r_w, t)
    return size, dist


def wire_energy_per_m(t=TECH_22, tolerance: float = 0.1) -> float:
    """Energy (J) per bit and metre of NeuroSim's repeated bus wire: ``0.5 (C_in + C_out + c_w d)
    Vdd^2 / d`` with the final inverter ``max(1, size)`` of :func:`repeater`."""
    size, dist = repeater(t, tolerance)
    _r, ci, co = _inv(max(1.0, size), t)
    return (ci + co + _C_W * dist) * t.vdd ** 2 / dist * 0.5


def unit_length_res(length: float, t=TECH_22) -> float:
    """Resistance (ohm/m) of the wire NeuroSim routes over ``length`` (m): 40 nm, 80 nm from 1e4
    and 160 nm from 1e5 feature sizes of length, with the width's aspect ratio, resistivity and
    barrier (``GetUnitLengthRes``)."""
    n = length / t.node_m
    w = 160 if n >= 1e5 else (80 if n >= 1e4 else 40)
    _w0, ar, rho, bar = next(x for x in _WIRES if w >= x[0])
    rho = rho / (1 - (2 * ar * w + w) * bar / (ar * w ** 2))        # width in nm, barrier in m: as written
    return rho / (w * 1e-9 * w * 1e-9 * ar)


def _unit_latency(r_w, t, tolerance):
    size, dist = repeater(t, tolerance)
    return _delay(max(1.0, size), dist, r_w, t)


def word_clocks(length: float, clock_s: float, t=TECH_22, tolerance: float = 0.1) -> int:
    """Clocks one bus word takes over ``length`` (m) of repeated wire (``XYBus::CalculateLatency``:
    ``ceil(length x unitLatencyRep / clock)``, 0 for no wire)."""
    if length <= 0:
        return 0
    return math.ceil(length * _unit_latency(unit_length_res(length, t), t, tolerance) / clock_s)


def _tree(n):
    k = math.ceil(math.log2(n)) if n > 1 else 0
    x_c = math.floor(math.log2(n)) if n > 1 else 0
    if n - x_c < 1:
        x_c -= 1
    return k, min(n - x_c, x_c)


def htree_length(n: int, unit_h: float, unit_w: float) -> float:
    """Root-to-leaf wire length (m) of ``HTree::CalculatePower`` over ``n`` x ``n`` units of
    ``unit_h`` x ``unit_w`` (m): stages halving from half the span, plus the main bus."""
    k, main = _tree(n)
    v, h, length = unit_h * 2 ** k / 2, unit_w * 2 ** k / 2, 0.0
    for _ in range(k):
        v, h = v / 2, h / 2
        length += v + h
    return length + main * unit_w


def htree_word_clocks(n: int, unit_h: float, unit_w: float, clock_s: float, t=TECH_22,
                      tolerance: float = 0.1) -> int:
    """Clocks one word takes root to leaf in ``HTree::CalculateLatency`` (stages halving from the
    full span, each at its own wire's resistance, the main bus at the last stage's)."""
    k, main = _tree(n)
    v, h, lat, u = unit_h * 2 ** k, unit_w * 2 ** k, 0.0, None
    for _ in range(k):
        v, h = v / 2, h / 2
        lat += v * _unit_latency(unit_length_res(v, t), t, tolerance)
        u = _unit_latency(unit_length_res(h, t), t, tolerance)
        lat += h * u
    if u is None:
        u = _unit_latency(unit_length_res(main * unit_w, t), t, tolerance)
    lat += main * unit_w * u
    return math.ceil(lat / clock_s)
