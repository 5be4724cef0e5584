"""NeuroSim's CMOS periphery of a 1T1R RRAM compute-in-memory subarray, transcribed from
DNN+NeuroSim V1.4 (github.com/neurosim/DNN_NeuroSim_V1.4, ``Inference_pytorch/NeuroSIM/``)
as explicit gate-level circuit models: :data:`TECH_22`, :func:`periphery` and its parts.

Each formula below is NeuroSim's, rewritten in memlab's words, with the file and function
it comes from in :data:`PERIPHERY_SOURCES`; the tests (tests/accel/test_pim_periphery.py)
evaluate each at one design point by hand. All SI units: F, ohm, s, J, m.

* **technology** (``Technology.cpp``, 22 nm, PTM ``22nm_LP.pm``, the branch NeuroSim's
  ``deviceroadmap = 2`` selects): Vdd 0.85 V, gate length 26 nm, ideal-gate, overlap
  (0.2 x ideal) and fringe capacitance per metre of width, on-currents per metre at 300 K,
  CACTI's effective-resistance multiplier 1.77; junction, sidewall and drain-to-channel
  capacitances from BSIM4-style grading at Vdd.
* **gate formulas** (``formula.cpp``): gate capacitance ``(C_ideal + C_ov + C_fringe) W``;
  drain capacitance of a bulk INV/NAND with folding at a given cell height (bottom junction
  + sidewall + drain-to-channel); on-resistance ``k Vdd / (I_on W)`` (``k`` = 1.77, or 1 in
  ``CalculateOnResistance_normal``); Horowitz delay ``tr sqrt(ln(0.5)^2 + 2 alpha beta
  (1 - 0.5))`` with ``beta`` = 0.5 and ``alpha = 1 / (ramp_in tr)``.
* **DFF** (``DFF.cpp``), **adder** (``Adder.cpp``, ripple of NAND2 cells, energy x delta
  0.15), **shift-add** (``ShiftAdd.cpp``, adder + DFF register, DFF energy x gamma 0.5),
  **adder tree** (``AdderTree.cpp``), **word-line switch matrix** (``NewSwitchMatrix.cpp``:
  a DFF per row and three transmission gates per selected row), **column multiplexer**
  (``Mux.cpp``: analog transmission gates sized to the column resistance), **sense-amplifier
  encoder** latency (``MultilevelSAEncoder.cpp``; its dynamic energy is 0 in NeuroSim),
  **register-file buffer** (``Buffer.cpp`` with ``globalBufferType = false``: a DFF per bit),
  the sense amplifier's **gate and latch switching** (``MultilevelSenseAmp.cpp``; its
  column terms and Cadence fits are :func:`memlab.accel._adc.mlsa_conversion`).
* **clock** (``SubArray.cpp`` ``CalculateLatency`` with ``CalculateclkFreq``, then
  ``main.cpp``): ``beta x (max(row switch matrix, multiplexer + its decoder) + sense amplifier
  + encoder)``
  sets the synchronous clock, never faster than the stated ``clkFreq``.

The multiplexer's decoder is ``RowDecoder.cpp`` in MUX mode (energy x epsilon 0.05, the
22 nm ``sizingfactor_MUX`` 110 output driver). Left out (not transcribed; named in
docs/notes/hardware.md §9): the buffer's word-line decoder, the source-line switch matrix (no read energy in the parallel mode), tile- and
chip-level accumulation, activation and pooling units, the XY bus circuit, leakage. The
layout area is :mod:`memlab.accel._pim_area`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Tech", "TECH_22", "PERIPHERY_SOURCES", "gate_cap", "drain_cap", "on_res", "horowitz", "dff_energy",
           "adder_energy", "adder_latency", "shift_add_energy", "adder_tree_energy", "adder_tree_latency",
           "SwitchMatrix", "switch_matrix", "Mux", "column_mux", "Decoder", "mux_decoder", "encoder_latency", "mlsa_gate_energy", "buffer_bit_energy",
           "array_caps", "clock_period", "periphery", "column_mux_of"]

_NS = "DNN_NeuroSim_V1.4 Inference_pytorch/NeuroSIM/"
#: where each periphery formula comes from
PERIPHERY_SOURCES = {
    "technology": _NS + "Technology.cpp (featureSizeInNano >= 22, LP branch: PTM 22nm_LP.pm)",
    "gate_cap": _NS + "formula.cpp CalculateGateCap", "drain_cap": _NS + "formula.cpp CalculateGateCapacitance "
    "(bulk branch: folding, bottom, sidewall and drain-to-channel terms)",
    "on_res": _NS + "formula.cpp CalculateOnResistance / CalculateOnResistance_normal",
    "horowitz": _NS + "formula.cpp horowitz", "dff": _NS + "DFF.cpp CalculatePower",
    "adder": _NS + "Adder.cpp Initialize (EnlargeSize) / CalculatePower / CalculateLatency",
    "shift_add": _NS + "ShiftAdd.cpp Initialize / CalculatePower",
    "adder_tree": _NS + "AdderTree.cpp CalculatePower / CalculateLatency; ProcessingUnit.cpp (adderTreeNM bits "
    "log2(levelOutput) + numBitInput + numColPerSynapse + 1, numRead = vectors x numColMuxed)",
    "switch_matrix": _NS + "NewSwitchMatrix.cpp Initialize / CalculateArea / CalculateLatency / CalculatePower; "
    "Param.cpp newswitchmatrixsizeratio 14 at 22 nm",
    "mux": _NS + "Mux.cpp Initialize / CalculateArea / CalculateLatency / CalculatePower; SubArray.cpp "
    "(resTg = resMemCellAvg / numRowParallel)",
    "encoder": _NS + "MultilevelSAEncoder.cpp CalculateLatency / CalculatePower (dynamic energy 0)",
    "mlsa_gates": _NS + "MultilevelSenseAmp.cpp Initialize (widthNmos, widthPmos) / CalculatePower "
    "(Column_SwitchingE gate, latch and encoder-interface terms, dumcolshared = levelOutput)",
    "array": _NS + "SubArray.cpp Initialize (lengthRow = numCol x cell width, lengthCol = numRow x cell height, "
    "capRow2 + access-gate caps, capCol + access-drain caps, access width)",
    "buffer": _NS + "Buffer.cpp (register file: DFF per bit, energy x gamma; synchronous latency one line a cycle)",
    "clock": _NS + "SubArray.cpp CalculateLatency (CalculateclkFreq, RRAM conventionalParallel) and main.cpp "
    "(clkFreq = min(clkFreq, 1 / clkPeriod))",
    "calibration": _NS + "Param.cpp validated: beta 1.4, gamma 0.5, delta 0.15",
}

# constant.h
_MIN_N = 2.0            # MIN_NMOS_SIZE (F)
_CELL_H = 28.0          # MAX_TRANSISTOR_HEIGHT (F)
_GAP_PN = 3.5           # MIN_GAP_BET_P_AND_N_DIFFS (F)
_EXT = 1.0 + 1.6 / 2    # MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2 (F)
_GAP_POLY = 2.8         # MIN_GAP_BET_GATE_POLY (F)
_POLY = 1.0             # POLY_WIDTH (F)
_IR_DROP = 0.25         # IR_DROP_TOLERANCE
_LINEAR = 0.20          # LINEAR_REGION_RATIO
BETA, GAMMA, DELTA = 1.4, 0.5, 0.15   # Param.cpp, validated = true


@dataclass(frozen=True)
class Tech:
    """A CMOS node as NeuroSim's ``Technology.cpp`` states it (SI: F/m of gate width, A/m)."""

    node_m: float = 22e-9
    vdd: float = 0.85
    c_ideal_gate: float = 5.245e-10
    c_fringe: float = 8.004e-10
    r_mult: float = 1.77
    i_on_n: float = 791.90          # currentOnNmos[0] (uA/um = A/m) at 300 K
    i_on_p: float = 600.20

    @property
    def c_overlap(self):
        return 0.2 * self.c_ideal_gate

    def _graded(self, c0, m):
        return c0 / (1.0 + self.vdd / 0.9) ** m            # buildInPotential 0.9 V (BSIM4)

    c_junction = property(lambda s: s._graded(1e-3, 0.5), doc="bottom junction capacitance (F/m^2)")
    c_sidewall = property(lambda s: s._graded(2.5e-10, 0.33), doc="isolation-edge sidewall (F/m)")
    c_drain_channel = property(lambda s: s._graded(0.5e-10, 0.33), doc="gate-edge sidewall (F/m)")
    pn = property(lambda s: s.i_on_n / s.i_on_p, doc="PMOS/NMOS width ratio (pnSizeRatio)")


TECH_22 = Tech()


def gate_cap(w: float, t: Tech = TECH_22) -> float:
    """Gate capacitance (F) of a transistor of width ``w`` (m); ``capPolywire`` is 0."""
    return (t.c_ideal_gate + t.c_overlap + t.c_fringe) * w


def _drain(w, w_max, f):
    """(drain width, drain height, folds) of a bulk transistor of width ``w`` folded to ``w_max``."""
    if w <= 0:
        return 0.0, 0.0, 1
    if w <= w_max * (1 + 1e-9):
        return f * _GAP_POLY, w, 1
    n = math.ceil(w / w_max)
    return math.ceil((n + 1) / 2) * f * _GAP_POLY, w_max, n


def drain_cap(gate: str, n_in: int, wn: float, wp: float, h: float | None = None, t: Tech = TECH_22) -> float:
    """Output (drain) capacitance (F) of a bulk ``gate`` ("INV", "NAND" or "NOR") with ``n_in``
    inputs, NMOS/PMOS widths ``wn``/``wp`` (m), in a cell of height ``h`` (m, default 28 F)."""
    f = t.node_m
    h = _CELL_H * f if h is None else h
    ratio = wp / (wp + wn)
    if ratio == 0:
        mp, mn = 0.0, h - 2 * _EXT * f
    elif ratio == 1:
        mp, mn = h - 2 * _EXT * f, 0.0
    else:
        mp = ratio * (h - _GAP_PN * f - 2 * _EXT * f)
        mn = mp / ratio * (1 - ratio)
    dwp, hp, nfp = _drain(wp, mp, f)
    dwn, hn, nfn = _drain(wn, mn, f)
    if gate == "INV":
        swp = dwp * 2 + hp * (1 + (nfp + 1) % 2)
        swn = dwn * 2 + hn * (1 + (nfp + 1) % 2)        # NeuroSim uses the PMOS fold count here
    elif nfp != 1 or nfn != 1:
        raise NotImplementedError("folded NAND/NOR drain capacitance is not transcribed")
    elif gate == "NAND":                                # no folding: shared drains
        dwp = dwp * math.floor((n_in + 1) / 2)
        swp = dwp * 2 + hp * (1 - (n_in + 1) % 2)
        dwn = dwn * n_in
        swn = dwn * 2 + hn
    else:                                               # NOR
        dwp = dwp * n_in
        swp = dwp * 2 + hp
        dwn = dwn * math.floor((n_in + 1) / 2)
        swn = dwn * 2 + hn * (1 - (n_in + 1) % 2)
    bottom = (dwn * hn + dwp * hp) * t.c_junction
    return bottom + (swn + swp) * t.c_sidewall + (nfn * hn + nfp * hp) * t.c_drain_channel


def on_res(w: float, nmos: bool = True, normal: bool = False, t: Tech = TECH_22) -> float:
    """On-resistance (ohm) of a transistor of width ``w`` (m); ``normal`` drops the 1.77 multiplier."""
    return (1.0 if normal else t.r_mult) * t.vdd / ((t.i_on_n if nmos else t.i_on_p) * w)


def horowitz(tr: float, ramp_in: float = 1e20) -> tuple[float, float]:
    """(delay s, output ramp 1/s) of a stage of time constant ``tr`` (s) driven by ``ramp_in``."""
    alpha = 1.0 / ramp_in / tr
    d = tr * math.sqrt(math.log(0.5) ** 2 + 2 * alpha * 0.5 * (1 - 0.5))
    return d, 0.5 / d


def _inv(t, wn=None, wp=None, h=None):
    f = t.node_m
    wn = _MIN_N * f if wn is None else wn
    wp = t.pn * _MIN_N * f if wp is None else wp
    return gate_cap(wn, t) + gate_cap(wp, t), drain_cap("INV", 1, wn, wp, h, t)


def dff_energy(n_dff: int, n_pass: int, validated: bool = True, t: Tech = TECH_22) -> float:
    """One clock of ``n_dff`` DFFs of which ``n_pass`` pass data (J), x gamma when ``validated``."""
    f = t.node_m
    c_in, c_out = _inv(t)
    cgn, cgp = gate_cap(_MIN_N * f, t), gate_cap(t.pn * _MIN_N * f, t)
    c_tg = drain_cap("INV", 1, _MIN_N * f, t.pn * _MIN_N * f, None, t)
    m = min(n_pass, n_dff)
    e = ((c_in + c_out) * 4 + (cgn + cgp) * 2) * n_dff
    e += ((c_tg * 3 + c_in) + (c_tg + c_out) + (c_in + c_out)) * m
    return e * t.vdd ** 2 * (GAMMA if validated else 1.0)


def _enlarge(wn, wp, f):
    """formula.cpp EnlargeSize (bulk): a gate narrower than the 28 F cell allows is widened to it."""
    ratio = wp / (wp + wn)
    mp = ratio * (_CELL_H * f - _GAP_PN * f - 2 * _EXT * f)
    mn = mp / ratio * (1 - ratio)
    return (mn, mp) if wp < mp and wn < mn else (wn, wp)


def _nand2(t):
    wn, wp = _enlarge(2 * _MIN_N * t.node_m, t.pn * _MIN_N * t.node_m, t.node_m)
    return wn, wp, gate_cap(wn, t) + gate_cap(wp, t), drain_cap("NAND", 2, wn, wp, None, t)


def adder_energy(bits: int, t: Tech = TECH_22) -> float:
    """One addition by a ``bits``-bit ripple adder of NAND2 cells (J), x delta (validated)."""
    _wn, _wp, ci, co = _nand2(t)
    e = ci * 6 + co * 2 + (ci * 7 + co * 3) * (bits - 1)                    # 0 -> 1 transitions
    e += (co + ci) * 2 + (co + ci * 2) + (co + ci * 3) + (co + ci)          # hidden, first stage
    e += ((co + ci * 3) + (co + ci) + (co + ci) * 2) * (bits - 1)           # hidden, later stages
    return e * t.vdd ** 2 * DELTA


def adder_latency(bits: int, c_load: float = 0.0, t: Tech = TECH_22) -> float:
    """Critical path (s) of a ``bits``-bit ripple adder driving ``c_load`` (F)."""
    wn, wp, ci, co = _nand2(t)
    rdn, rup = on_res(wn, True, t=t) * 2, on_res(wp, False, t=t)
    ramp, total, mid = 1e20, 0.0, 0.0
    for k, (r, c) in enumerate(((rdn, co + ci * 3), (rup, co + ci * 2), (rdn, co + ci * 3), (rup, co + ci * 2),
                                (rdn, co + ci * 3), (rup, co + ci), (rdn, co + c_load))):
        d, ramp = horowitz(r * c, ramp)
        if k in (2, 3):
            mid += d
        else:
            total += d
    return total + (mid * (bits - 2) if bits > 2 else 0.0)


def shift_add_energy(units: int, adder_bits: int, pulses: int, t: Tech = TECH_22) -> float:
    """One step of ``units`` shift-and-add units with ``adder_bits``-bit adders and a
    ``pulses``-long shift register (J): adders + ``(adder_bits + pulses) x units`` DFFs."""
    n_dff = (adder_bits + 1 + pulses - 1) * units
    return adder_energy(adder_bits, t) * units + dff_energy(n_dff, n_dff, True, t)


def _tree_stages(n_add, bits):
    out, j = [], n_add
    for _ in range(math.ceil(math.log2(n_add)) if n_add > 1 else 0):
        out.append((bits, math.ceil(j / 2)))
        bits, j = bits + 1, math.ceil(j / 2)
    return out


def adder_tree_energy(n_add: int, bits: int, trees: int, t: Tech = TECH_22) -> float:
    """One reduction of ``n_add`` partial sums of ``bits`` bits by each of ``trees`` adder trees (J)."""
    return trees * sum(adder_energy(b, t) * n for b, n in _tree_stages(n_add, bits))


def adder_tree_latency(n_add: int, bits: int, t: Tech = TECH_22) -> float:
    """Delay (s) of an adder tree over ``n_add`` inputs: the first stage's ``bits``-bit adder,
    then a 2-bit adder per further stage (AdderTree.cpp's 1.4 delay)."""
    st = _tree_stages(n_add, bits)
    return sum(adder_latency(bits if k == 0 else 2, 0.0, t) for k in range(len(st)))


def array_caps(rows: int, cols: int, cell_h_F: float, cell_w_F: float, r_on: float, c_wire: float = 0.2e-9,
               t: Tech = TECH_22) -> dict:
    """NeuroSim's 1T1R subarray wires (SI): ``length_row = cols x cell width``, ``length_col =
    rows x cell height`` in the node's feature size (a 1T1R cell is laid out in the CMOS
    feature, ``tech.featureSize``, not the wire width), the access transistor's width (F) for an
    IR drop of 0.25 ``r_on`` in the linear region, word-line capacitance with its ``cols``
    access gates, bit-line capacitance with its ``rows`` access drains."""
    f = t.node_m
    w_acc = on_res(f, True, t=t) * _LINEAR / (r_on * _IR_DROP)          # in F
    l_row, l_col = cols * cell_w_F * f, rows * cell_h_F * f
    c_row = l_row * c_wire + gate_cap(w_acc * f, t) * cols
    c_col = l_col * c_wire + drain_cap("INV", 1, w_acc * f, 0.0, None, t) * rows
    return {"w_access_F": w_acc, "length_row": l_row, "length_col": l_col, "c_row": c_row, "c_col": c_col}


@dataclass(frozen=True)
class SwitchMatrix:
    """Word-line switch matrix figures (SI): per-row read energy, DFF energy per step, delay."""
    e_row: float
    e_dff: float
    delay: float


def _unit_res_metal1(wire_nm: float = 40.0, barrier: float = 2.5e-9, ar: float = 1.9, rho: float = 2.97e-8):
    """Param.cpp: Metal1 (and ``unitLengthWireResistance``) resistance per metre for the 40 nm
    wire (AR 1.9, rho 2.97e-8 ohm m with the barrier term as written: the width in nm against
    the barrier in m, so the term is 1.6e-10, not the 0.16 a consistent unit would give)."""
    rho = rho / (1 - ((2 * ar * wire_nm + wire_nm) * barrier / (ar * wire_nm ** 2)))
    return rho / (wire_nm * 1e-9 * wire_nm * 1e-9 * ar)


def switch_matrix(rows: int, c_row: float, length_row: float, v_access: float, v_read: float,
                  size_ratio: float = 14.0, t: Tech = TECH_22, array_h: float | None = None) -> SwitchMatrix:
    """NeuroSim's 1T1R word-line switch matrix for ``rows`` rows driving a word line of
    ``c_row`` (F) and ``length_row`` (m): three transmission gates of ``size_ratio`` x the
    minimum per row, in a column of height ``array_h`` (m) that sets the gate cell height."""
    f = t.node_m
    wn, wp = _MIN_N * f * size_ratio, t.pn * _MIN_N * f * size_ratio
    r_tg = 1.0 / (1.0 / on_res(wn, True, True, t) + 1.0 / on_res(wp, True, True, t))   # NMOS both (as NeuroSim)
    h = _CELL_H * f
    if array_h:
        per_col = int(array_h / h)
        n_col = math.ceil(rows / per_col)
        h = array_h / math.ceil(rows / n_col)
    cgn, cgp = gate_cap(wn, t), gate_cap(wp, t)
    ctd = drain_cap("INV", 1, wn, wp, h, t)
    e_row = ctd * 2 * v_access ** 2 + ctd * 3 * v_read ** 2 + (cgn + cgp) * 3 * t.vdd ** 2
    tr = r_tg * (ctd * 2 + 0.5 * cgn + 0.5 * cgp + c_row) + length_row * _unit_res_metal1() * c_row / 2
    return SwitchMatrix(e_row, dff_energy(rows, rows, False, t), horowitz(tr)[0])


@dataclass(frozen=True)
class Mux:
    """Column multiplexer figures (SI): energy per step for all its inputs, delay, the gate
    capacitance of one transmission gate's NMOS and PMOS."""
    e_step: float
    delay: float
    c_gate_n: float = 0.0
    c_gate_p: float = 0.0
    height: float = 0.0


def column_mux(inputs: int, selection: int, r_col_avg: float, v_read: float, width_m: float,
               t: Tech = TECH_22) -> Mux:
    """NeuroSim's analog column multiplexer: ``inputs`` transmission gates switched per step
    (``inputs x selection`` in all),
    each sized so its resistance is 0.25 x the selected column's ``r_col_avg`` (ohm), laid out
    across the array width ``width_m`` (m)."""
    f = t.node_m
    r_tg = r_col_avg * _IR_DROP
    wn = max(on_res(f, True, True, t) * f / (r_tg * 2), f)
    wp = max(on_res(f, False, True, t) * f / (r_tg * 2), f)
    r_tg = 1.0 / (1.0 / on_res(wn, True, True, t) + 1.0 / on_res(wp, False, True, t))
    min_w = 2 * (_POLY + _GAP_POLY) * f                                   # Mux.cpp CalculateArea
    n_tg = max(1, inputs * selection)
    per_row = int(width_m / min_w)
    n_rows = math.ceil(n_tg / per_row)
    fold = max(1, int((width_m / math.ceil(n_tg / n_rows)) / (0.5 * min_w)) - 1)
    h = wp / fold + wn / fold + _GAP_PN * f + 2 * _EXT * f                # CalculatePassGateArea
    cgn, cgp = gate_cap(wn, t), gate_cap(wp, t)
    ctd = drain_cap("INV", 1, wn, wp, h, t)
    e = inputs * (cgn * t.vdd ** 2 + ctd * 2 * v_read ** 2)
    return Mux(e, 2.3 * r_tg * (ctd + 0.5 * cgn + 0.5 * cgp), cgn, cgp, h * n_rows)


def encoder_latency(levels: int, t: Tech = TECH_22) -> float:
    """Delay (s) of the sense amplifier's thermometer-to-binary encoder for ``levels`` levels:
    an INV into two NAND2 inputs, then a NAND2 into ``levels / 2`` inputs of the large NAND."""
    f = t.node_m
    n_in = math.ceil(levels / 2)
    c_ii, c_io = _inv(t)
    wn, wp = 4 * _MIN_N * f, 2 * t.pn * _MIN_N * f
    c_ni = gate_cap(wn, t) + gate_cap(wp, t)
    c_no = drain_cap("NAND", 2, wn, wp, None, t)
    d1, ramp = horowitz(on_res(_MIN_N * f, True, t=t) * (c_io + 2 * c_ni))
    d2, _ = horowitz(on_res(wn, True, t=t) * 2 * (c_no + c_ni * n_in), ramp)
    return d1 + d2


@dataclass(frozen=True)
class Decoder:
    """Multiplexer decoder figures (SI): energy per selection (x epsilon), delay."""
    energy: float
    delay: float


EPSILON = 0.05      # Param.cpp validated: switching activity of control circuits


def mux_decoder(addr_bits: int, c_load_n: float, c_load_p: float, sizing: float = 110.0,
                t: Tech = TECH_22) -> Decoder:
    """NeuroSim's multiplexer decoder (``RowDecoder`` in MUX mode, 2-bit predecoding):
    ``addr_bits`` address inverters, ``4 floor(addr_bits/2)`` NAND2, ``2**addr_bits`` NOR of
    ``ceil(addr_bits/2)`` inputs, then an enable NAND2 and an output driver of ``sizing`` x
    the minimum inverter (Param.cpp ``sizingfactor_MUX`` 110 at 22 nm) that drives the
    transmission-gate gates ``c_load_n`` and ``c_load_p`` (F)."""
    f, vdd2 = t.node_m, t.vdd ** 2
    n_in = math.ceil(addr_bits / 2)
    n_nand, n_nor = 4 * (addr_bits // 2), 2 ** addr_bits if addr_bits > 2 else 0
    iv = _enlarge(_MIN_N * f, t.pn * _MIN_N * f, f)
    na = _enlarge(2 * _MIN_N * f, t.pn * _MIN_N * f, f)
    no = _enlarge(_MIN_N * f, n_in * t.pn * _MIN_N * f, f)
    dr = (2 * _MIN_N * f * sizing, 2 * t.pn * _MIN_N * f * sizing)
    c_ii, c_io = gate_cap(iv[0], t) + gate_cap(iv[1], t), drain_cap("INV", 1, *iv, None, t)
    c_ai, c_ao = gate_cap(na[0], t) + gate_cap(na[1], t), drain_cap("NAND", 2, *na, None, t)
    c_oi, c_oo = gate_cap(no[0], t) + gate_cap(no[1], t), drain_cap("NOR", n_in, *no, None, t)
    c_di, c_do = gate_cap(dr[0], t) + gate_cap(dr[1], t), drain_cap("INV", 1, *dr, None, t)
    stages = [(on_res(iv[0], True, t=t), c_io + c_ai * 2), (on_res(na[0], True, t=t) * 2, c_ao + c_oi * n_nor / 4),
              (on_res(no[1], False, t=t) * 2, c_oo + c_ai), (on_res(na[0], True, t=t), c_ao + c_ii),
              (on_res(dr[1], False, t=t), c_do + c_di + c_load_n), (on_res(dr[0], True, t=t), c_do + c_load_p)]
    ramp, delay = 1e20, 0.0
    for r, c in stages:
        d, ramp = horowitz(r * c, ramp)
        delay += d
    e = (c_ii + c_ai * 2) * (addr_bits // 2) * 2 + (c_ii + c_oi * n_nor / 2) * (addr_bits - (addr_bits // 2) * 2)
    e += (c_ao + c_oi * n_nor / 4) * n_nand / 4 + (c_oo + c_ai)
    e += (c_ao + c_di) + (c_do + c_di) + c_do
    return Decoder(e * vdd2 * EPSILON, delay)


def mlsa_gate_energy(levels: int, v_sense: float = 0.55, t: Tech = TECH_22, shared: int | None = None) -> float:
    """The gate and latch terms of one multi-level sense-amplifier conversion (J) that
    :func:`memlab.accel._adc.mlsa_conversion` leaves out (``MultilevelSenseAmp.cpp``
    ``CalculatePower``, current mode, ``Column_SwitchingE`` without its column-capacitance and
    reference-activation terms, x (levels - 1)): input/mirror gates at the sense voltage
    ``v_sense`` (0.55 V at 22 nm), sense amplifier, latch and encoder interface at Vdd; the
    dummy reference columns are shared by ``shared`` amplifiers (``dumcolshared``, default ``levels``)."""
    f = t.node_m
    cgn, cgp = gate_cap(_MIN_N * f, t), gate_cap(t.pn * _MIN_N * f, t)
    cjn = drain_cap("INV", 1, _MIN_N * f, 0.0, None, t)
    cjp = drain_cap("INV", 1, 0.0, t.pn * _MIN_N * f, None, t)
    e = (cgn * 2 + (cjn + cgn) / (levels - 1) + (cjn + cgn) / (shared or levels)) * v_sense ** 2
    e += ((cgp * 2 + cgn) + (cgp * 3 + cgn * 3 + (cjp + cjn) * 3 + cjp) + (cgp + cgn)) * t.vdd ** 2
    return e * (levels - 1)


def _max_widths(wn, wp, h, f):
    ratio = wp / (wp + wn)
    if ratio == 0:
        return h - 2 * _EXT * f, 0.0
    if ratio == 1:
        return 0.0, h - 2 * _EXT * f
    mp = ratio * (h - _GAP_PN * f - 2 * _EXT * f)
    return mp / ratio * (1 - ratio), mp


def _gate_area(n_in, wn, wp, f, h=None):
    """formula.cpp CalculateGateArea (bulk, a ``h``-high cell, default 28 F): width x height
    (m^2); a transistor wider than the cell allows is folded into ``n`` fingers of width
    ``(n + 1)`` poly pitches."""
    cpp, h = (_POLY + _GAP_POLY) * f, _CELL_H * f if h is None else h
    mn, mp = _max_widths(wn, wp, h, f)
    units, folded = [], False
    for w, m in ((wn, mn), (wp, mp)):
        if w <= 0:
            units.append(0.0)
        elif w <= m * (1 + 1e-9):
            units.append(2 * cpp)
        else:
            units.append((math.ceil(w / m) + 1) * cpp)
            folded = True
    width = max(u * n_in - (0.0 if folded or n_in == 1 or u == 0 else (n_in - 1) * cpp) for u in units)
    return width * h


def buffer_bit_energy(t: Tech = TECH_22) -> float:
    """Energy (J) per bit read or written in NeuroSim's register-file buffer (a DFF per bit, x gamma)."""
    return dff_energy(1, 1, True, t)


def clock_period(t_sense: float, t_switch: float, t_mux: float, t_encoder: float) -> float:
    """NeuroSim's synchronous clock period (s): beta x (max(row switch matrix, multiplexer and
    its decoder) + sense amplifier + encoder)."""
    return BETA * (max(t_switch, t_mux) + t_sense + t_encoder)


def column_mux_of(d, width_m: float, t: Tech = TECH_22) -> Mux:
    """The column multiplexer of a :class:`~memlab.accel._pim_system.PIMDesign` ``d`` across an
    array ``width_m`` (m) wide: ``SubArray.cpp`` sizes it to ``resMemCellAvg / numRowParallel``."""
    r_acc = d.r_on * _IR_DROP
    n = d.ra
    r_avg = 1.0 / ((n / 2) / (d.r_on + r_acc) + (n / 2) / (d.r_off + r_acc))    # resMemCellAvg / numRowParallel
    units = max(1, d.cols // d.cols_per_adc)
    return column_mux(units if d.cols_per_adc > 1 else 0, d.cols_per_adc, r_avg, d.v_read, width_m, t)


def periphery(d, t_sense: float) -> dict:
    """The periphery figures of a :class:`~memlab.accel._pim_system.PIMDesign` (SI): word-line
    and bit-line capacitance, switch matrix, multiplexer, shift-add and encoder, and the
    synchronous clock period with the sensing time ``t_sense`` (s) of its converter."""
    t = TECH_22
    caps = array_caps(d.rows, d.cols, d.cell_h_F, d.cell_w_F, d.r_on, d.c_wire, t)
    sm = switch_matrix(d.rows, caps["c_row"], caps["length_row"], d.v_wl, d.v_read, t=t,
                       array_h=d.rows * d.cell_h_F * t.node_m)
    units = max(1, d.cols // d.cols_per_adc)
    muxed = d.cols_per_adc > 1
    mux = column_mux_of(d, caps["length_row"], t)
    dec = (mux_decoder(math.ceil(math.log2(d.cols_per_adc)), mux.c_gate_n * units, mux.c_gate_p * units, t=t)
           if muxed else Decoder(0.0, 0.0))
    t_enc = encoder_latency(2 ** d.adc_bits, t)
    t_col = mux.delay + dec.delay if muxed else 0.0
    e_gates = mlsa_gate_energy(2 ** d.adc_bits, t=t, shared=d.ref_shared) if d.adc == "mlsa" else 0.0
    return {**caps, "switch": sm, "mux": mux, "decoder": dec, "units": units, "t_encoder": t_enc, "e_mlsa_gates": e_gates,
            "clock_s": clock_period(t_sense, sm.delay, t_col, t_enc)}
