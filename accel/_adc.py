"""ADC / DAC cost laws and the ISAAC ADC-resolution rule.

* Survey fit (Accelergy ADC plug-in, fitted to Murmann's ADC survey 1997-2023):
  ``FoM_S = min(180.1, 302.7 - 6.46 ln fs)`` dB (Schreier figure of merit
  ``SNDR + 10 log10((fs/2)/P)``), so the energy per conversion is
  ``E = P/fs = 1 / (2 * 10**((FoM_S - SNDR)/10))`` J with ``SNDR = 6.02 b + 1.76`` dB.
  At 8 b, 1.2 GS/s this gives 0.84 pJ (docs/notes/hardware.md §2).
* ISAAC-scaled: 1.67 pJ per conversion at 8 b (Kull et al. ISSCC'13 SAR ADC as used by
  ISAAC: 16 mW for 8 ADCs at 1.2 GS/s), scaled by ``2**(b-8)`` (hwcomponents-library
  ``isaac.py`` scales ADC energy and area as a power of 2 of the resolution).
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

__all__ = ["adc_energy_survey", "adc_energy_isaac", "walden_fom", "dac_energy", "isaac_adc_bits"]


def _check_bits_fs(bits, fs, where):
    real(bits, "bits", lo=1, hi=24, where=where)
    real(fs, "fs", lo=0.0, lo_open=True, unit="Hz", where=where)


def adc_energy_survey(bits: float, fs: float) -> float:
    """Energy per conversion (J) of an ADC with ``bits`` ENOB at ``fs`` samples/s (survey fit)."""
    _check_bits_fs(bits, fs, "adc_energy_survey")
    fom = min(180.1, 302.7 - 6.46 * math.log(fs))
    sndr = 6.02 * bits + 1.76
    return 1.0 / (2.0 * 10 ** ((fom - sndr) / 10.0))


def adc_energy_isaac(bits: float, e_8bit: float = 1.67e-12) -> float:
    """Energy per conversion (J): ISAAC's 8-bit SAR ADC energy scaled by ``2**(bits-8)``."""
    _check_bits_fs(bits, 1.0, "adc_energy_isaac")
    return e_8bit * 2.0 ** (bits - 8)


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
