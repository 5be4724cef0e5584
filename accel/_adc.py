"""ADC / DAC cost laws and the ISAAC ADC-resolution rule.

* Survey fit (Accelergy ADC plug-in, fitted to Murmann's ADC survey 1997-2023):
  ``FoM_S = min(180.1, 302.7 - 6.46 ln fs)`` dB (Schreier figure of merit
  ``SNDR + 10 log10((fs/2)/P)``), so the energy per conversion is
  ``E = P/fs = 1 / (2 * 10**((FoM_S - SNDR)/10))`` J with ``SNDR = 6.02 b + 1.76`` dB.
  At 8 b, 1.2 GS/s this gives 0.84 pJ (docs/notes/hardware.md §2).
* ISAAC table: 1.67 pJ per conversion at 8 b (Kull et al. ISSCC'13 SAR ADC as used by
  ISAAC, Table I: 16 mW for 8 ADCs at 1.2 GS/s) and the resolution scaling of
  :data:`ISAAC_ADC_TABLE` (pJ at 4..10 b, 1.2 GS/s, 32 nm), which hwcomponents-library
  ``isaac.py`` lists as scaled from Saberi et al., IEEE TCAS-I 58(8) 2011 (power and
  linearity of SAR capacitive DACs). Between table points the energy is interpolated
  geometrically; outside 4..10 b it is extrapolated geometrically with the ratio of the
  two end points (a memlab assumption). The earlier ``2**(b-8)`` law (hwcomponents'
  default scaling) is optimistic against this table below 8 b (7 b: 0.83 vs 1.42 pJ) and
  pessimistic above it (10 b: 6.7 vs 2.38 pJ).
* Walden figure of merit: ``P / (2**ENOB * fs)`` (J per conversion step).
* DAC: energy per drive ``e_1bit * 2**(bits-1)`` (hwcomponents ``isaac.py``: ~2**bits law).
* ISAAC eq. (1)-(2): bits needed for an exact column sum of ``R`` rows, ``v``-bit inputs and
  ``w``-bit cells: ``log2 R + v + w`` if ``v > 1`` and ``w > 1`` else ``log2 R + v + w - 1``;
  ISAAC's weight-flipping encoding saves one more bit.
"""
from __future__ import annotations

import math

from memlab._validate import real
from memlab.errors import ParameterError, out_of_range

__all__ = ["adc_energy_survey", "adc_energy_isaac", "walden_fom", "dac_energy", "isaac_adc_bits", "ISAAC_ADC_TABLE",
           "mlsa_conversion", "adc_walden", "MLSA_NODES",
           "ISAAC_ADC_AREA", "isaac_adc_scale"]

#: ISAAC's SAR ADC energy per conversion (J) by resolution (bit) at 1.2 GS/s, 32 nm:
#: hwcomponents-library ``isaac.py`` (IsaacADC comments: Kull ISSCC'13 at 8 b, other
#: resolutions scaled after Saberi et al. TCAS-I 2011)
ISAAC_ADC_TABLE = {4: 0.79e-12, 5: 0.99e-12, 6: 1.20e-12, 7: 1.42e-12, 8: 1.666666667e-12,
                   9: 1.969078145e-12, 10: 2.379022742e-12}
#: area (m^2) of one such ADC by resolution, same source (8 b: 9600 um^2 / 8 in Table I)
ISAAC_ADC_AREA = {4: 361.04e-12, 5: 476.91e-12, 6: 626.91e-12, 7: 845.18e-12, 8: 1200e-12,
                  9: 1827.911647e-12, 10: 3002.008032e-12}


def _table_law(table: dict, bits: float) -> float:
    """``table`` (bits -> value) at ``bits``: geometric interpolation inside, geometric
    extrapolation with the end segments' ratio outside."""
    keys = sorted(table)
    lo, hi = keys[0], keys[-1]
    if bits <= lo:
        a, b = lo, lo + 1
    elif bits >= hi:
        a, b = hi - 1, hi
    else:
        a = int(math.floor(bits))
        b = a + 1
    la, lb = math.log(table[a]), math.log(table[b])
    return math.exp(la + (lb - la) * (bits - a) / (b - a))


def isaac_adc_scale(bits: float) -> tuple[float, float]:
    """(energy, area) of ISAAC's ADC at ``bits`` relative to 8 b (:data:`ISAAC_ADC_TABLE`,
    :data:`ISAAC_ADC_AREA`)."""
    _check_bits_fs(bits, 1.0, "isaac_adc_scale")
    return (_table_law(ISAAC_ADC_TABLE, bits) / ISAAC_ADC_TABLE[8],
            _table_law(ISAAC_ADC_AREA, bits) / ISAAC_ADC_AREA[8])


def _check_bits_fs(bits, fs, where):
    real(bits, "bits", lo=1, hi=24, where=where)
    real(fs, "fs", lo=0.0, lo_open=True, unit="Hz", where=where)


def adc_energy_survey(bits: float, fs: float) -> float:
    """Energy per conversion (J) of an ADC with ``bits`` ENOB at ``fs`` samples/s (survey fit)."""
    _check_bits_fs(bits, fs, "adc_energy_survey")
    fom = min(180.1, 302.7 - 6.46 * math.log(fs))
    sndr = 6.02 * bits + 1.76
    return 1.0 / (2.0 * 10 ** ((fom - sndr) / 10.0))


def adc_energy_isaac(bits: float, e_8bit: float = ISAAC_ADC_TABLE[8]) -> float:
    """Energy per conversion (J) of ISAAC's SAR ADC at ``bits`` resolution: the
    :data:`ISAAC_ADC_TABLE` scaling (geometric interpolation, geometric extrapolation outside
    4..10 b), normalised to ``e_8bit`` (J) at 8 b."""
    _check_bits_fs(bits, 1.0, "adc_energy_isaac")
    real(e_8bit, "e_8bit", lo=0.0, lo_open=True, unit="J", where="adc_energy_isaac")
    return e_8bit * isaac_adc_scale(bits)[0]


def walden_fom(power_W: float, enob: float, fs: float) -> float:
    """Walden figure of merit ``P / (2**ENOB * fs)`` (J per conversion step)."""
    _check_bits_fs(enob, fs, "walden_fom")
    if not power_W > 0:
        raise out_of_range("power_W", power_W, "(0, inf) W", "walden_fom")
    return power_W / (2 ** enob * fs)


def dac_energy(bits: int, e_1bit: float) -> float:
    """Energy per row drive (J) of a ``bits``-bit DAC, ``e_1bit * 2**(bits-1)``."""
    _check_bits_fs(bits, 1.0, "dac_energy")
    return e_1bit * 2.0 ** (bits - 1)


def isaac_adc_bits(rows: int, dac_bits: int, cell_bits: int, flip_encoding: bool = True) -> int:
    """ADC bits for an exact column sum (ISAAC eq. 1-2); see module doc."""
    for n, v in (("rows", rows), ("dac_bits", dac_bits), ("cell_bits", cell_bits)):
        if int(v) != v or v < 1:
            raise ParameterError(f"isaac_adc_bits: parameter '{n}' = {v!r} is outside the allowed range integer >= 1")
    a = math.ceil(math.log2(rows)) + dac_bits + cell_bits
    if not (dac_bits > 1 and cell_bits > 1):
        a -= 1
    if flip_encoding:
        a -= 1
    return max(1, a)


# --- NeuroSim's current-mode multi-level sense amplifier (MLSA), LP devices -------------
# DNN+NeuroSim V1.4, Inference_pytorch/NeuroSIM/MultilevelSenseAmp.cpp (Cadence fits):
# GetColumnPower, LP branch: per reference level, piecewise in the column resistance R
# (ohm, scaled by 0.5 V / v_read): (a1 R + b1 | a2 ln R + b2 | a3 ln R + b3) W for
# R < 4832 | < 379269 | above; ColumnLatency_Table, current mode: (c1 ln R + d1 | c2 R + d2)
# s below / above 4832 ohm, plus dC/(R2 - R_th) (R - R_th)(C_col - C_ref)/C_ref above R_th;
# Column_SwitchingE's column-capacitance term with the node's sense voltage.
_MLSA_FITS = {
    22: {"power": ((-2.85373e-11, 9.16744e-07), (-1.63133e-07, 2.1687e-06), (-5.8712e-08, 8.64648e-07)),
         "latency": ((-1.32118e-10, 1.7552e-09), (8.02517e-15, 8.51803e-10)),
         "refcap": 4.5e-15, "dC": 0.31e-9, "R2": 0.1e6, "R_th": 12.7e3, "v_sense": 0.55},
    32: {"power": ((-6.72783e-12, 4.19847e-07), (-7.28881e-08, 1.02677e-06), (-4.35333e-08, 6.4697e-07)),
         "latency": ((-1.31777e-10, 2.03151e-09), (1.15509e-14, 1.19475e-09)),
         "refcap": 6.55e-15, "dC": 0.55e-9, "R2": 0.1e6, "R_th": 4.83e3, "v_sense": 0.51},
}
MLSA_NODES = tuple(sorted(_MLSA_FITS))


def _mlsa_level_power(f, r):
    (a1, b1), (a2, b2), (a3, b3) = f["power"]
    if r < 4832:
        return a1 * r + b1
    return (a2 if r < 379269 else a3) * math.log(r) + (b2 if r < 379269 else b3)


def _mlsa_latency(f, r, c_col):
    (c1, d1), (c2, d2) = f["latency"]
    t = c1 * math.log(r) + d1 if r < 4832 else c2 * r + d2
    if r > f["R_th"]:
        t += f["dC"] / (f["R2"] - f["R_th"]) * (r - f["R_th"]) * ((c_col - f["refcap"]) / f["refcap"])
    return t


def mlsa_conversion(bits: int, node_nm: int, r_on: float, rows_parallel: int, r_col: float, v_read: float,
                    c_col: float, shared: int | None = None) -> tuple[float, float]:
    """(energy J, sensing time s) of one conversion by NeuroSim's current-mode multi-level sense
    amplifier with ``2**bits`` levels at ``node_nm`` (22 or 32 nm, LP), read of a column of
    resistance ``r_col`` (ohm) at ``v_read`` (V), column capacitance ``c_col`` (F).

    References as NeuroSim places them (parallel read, RRAM): ``R_i = 1 / (G_0 (1 - i/L))``,
    ``G_0 = rows_parallel / r_on``, ``i = 0..L-2``; the sensing time is the slower of the
    first and last reference; energy = (column power + the 13 reference columns' power over
    ``shared``) x sensing time + the column-capacitance switching term; the dummy reference columns
    are shared by ``shared`` amplifiers (``dumcolshared``, default ``L``). Omitted (named in
    docs/notes/hardware.md §9): the latch and encoder gate-capacitance terms and the
    reference-column activation energy."""
    for n, v in (("bits", bits), ("rows_parallel", rows_parallel)) + ((("shared", shared),) if shared is not None else ()):
        if int(v) != v or v < 1:
            raise ParameterError(f"mlsa_conversion: parameter '{n}' = {v!r} is outside the allowed range integer >= 1")
    if node_nm not in _MLSA_FITS:
        raise out_of_range("node_nm", node_nm, f"one of {list(MLSA_NODES)}", "mlsa_conversion")
    for n, v in (("r_on", r_on), ("r_col", r_col), ("v_read", v_read), ("c_col", c_col)):
        real(v, n, lo=0.0, lo_open=True, where="mlsa_conversion")
    f = _MLSA_FITS[node_nm]
    lv = 2 ** int(bits)
    s = 0.5 / v_read
    g0 = rows_parallel / r_on
    rref = [1.0 / (g0 * (1.0 - i / lv)) for i in range(lv - 1)]
    t = max(_mlsa_latency(f, rref[-1], c_col), _mlsa_latency(f, rref[min(1, len(rref) - 1)], c_col))
    sh = lv if shared is None else shared
    p_ref = sum(_mlsa_level_power(f, r * s) * (lv - 1) for r in rref[1:-1]) / sh
    p_col = _mlsa_level_power(f, r_col * s) * (lv - 1)
    e_sw = c_col * 2 * (1.0 / (lv - 1) + 1.0 / sh) / 2 * f["v_sense"] ** 2 * (lv - 1)
    return (p_col + p_ref) * t + e_sw, t


def adc_walden(bits: float, fom_walden: float) -> float:
    """Energy per conversion (J) of an ADC at the Walden figure of merit ``fom_walden``
    (J per conversion step): ``fom_walden * 2**bits``."""
    _check_bits_fs(bits, 1.0, "adc_walden")
    real(fom_walden, "fom_walden", lo=0.0, lo_open=True, unit="J", where="adc_walden")
    return fom_walden * 2.0 ** bits
