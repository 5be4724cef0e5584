"""The PIM model against published figures it was not calibrated on: :func:`pim_validation`.

Each case builds a :class:`PIMChip` from the chip's own description (overrides of the ISAAC
preset, every one listed in the case with where it comes from, ``A`` for a memlab
assumption where the description says nothing) and compares one predicted figure with the
published one. Nothing here is fitted to the number it predicts.

Cases (published value, source):

* ``ISAAC CE``: 478.95 GOP/s/mm^2 (Shafiee et al. ISCA 2016, Table IV, 16-bit) against the
  chip's peak for 16-bit operands over its Table I area;
* ``ISAAC PE``: 627.5 GOP/s/W (same table) against the peak over the Table I chip power;
* ``Xue ISSCC'19 binary`` / ``multibit``: 53.17 / 21.9 TOPS/W measured on a 55 nm 1 Mb 1T1R
  ReRAM CIM macro (Xue et al., ISSCC 2019, paper 24.1: 1b-in / 2b-in, 3b weights, 4b out,
  t_MAC 11.75 / 14.6 ns), against the model of one macro read: a 3x3 kernel on 9 word
  lines (the macro maps an n x n kernel onto n^2 rows), SLC cells (1 bit), 1-bit word-line
  pulses (one per input bit), a signed 3-bit weight on 4 SLC columns, the exact-sum ADC
  resolution of 9 rows (4 b, as the macro's output), one sense amplifier per column at the
  macro's MAC time; cell conductances and read voltage are ISAAC's (NVSim sample cell: the
  digest gives none), DAC energy ISAAC's 32 nm figure and the ADC the survey fit
  (assumptions). The macro efficiency excludes system traffic, so eDRAM, I/O and static
  power are set to ~0 there (as the macro's TOPS/W does).
"""
from __future__ import annotations

__all__ = ["pim_validation", "XUE_ISSCC19"]

#: Xue et al. ISSCC 2019 (24.1) operating points: (label, input bits, t_MAC s, measured op/J)
XUE_ISSCC19 = (("binary", 1, 11.75e-9, 53.17e12), ("multibit", 2, 14.6e-9, 21.9e12))

_TINY = 1e-30   # "not part of the macro's figure" for constants that must be > 0


def _xue_chip(in_bits: int, t_mac: float):
    from ._chips import make_chip
    return make_chip("ISAAC", rows=9, cols=256, cell_bits=1, dac_bits=1, arrays_per_ima=1, adcs_per_ima=256,
                     imas_per_tile=1, tiles=1, adc_rate=in_bits / t_mac, adc_model="survey",
                     precision_policy="ideal", v_read=0.2, p_static=0.0, e_edram=_TINY, e_io=_TINY,
                     e_shift_add=_TINY)


def pim_validation() -> list[dict]:
    """Rows ``{case, quantity, unit, predicted, published, error, source, basis}``; ``error`` =
    predicted / published - 1."""
    from ._chips import make_chip
    from ._pim import isaac_rebuild
    from ._workload import Gemm, Workload

    isaac = make_chip("ISAAC")
    peak16 = isaac.peak_ops_per_s("fp16")
    table = isaac_rebuild()
    t4 = "Shafiee et al., ISCA 2016 (corrected), Table IV"
    rows = [
        {"case": "ISAAC CE", "quantity": "peak 16-bit op/s per mm^2", "unit": "op/s/mm^2",
         "predicted": peak16 / isaac.area_mm2(), "published": 478.95e9, "source": t4,
         "basis": "architecture + Table I (ADC 1.2 GS/s), simulated"},
        {"case": "ISAAC PE", "quantity": "peak 16-bit op/s per W", "unit": "op/s/W",
         "predicted": peak16 / table["chip_power_W"], "published": 627.5e9, "source": t4,
         "basis": "architecture + Table I power, simulated"},
    ]
    for label, bits, t_mac, meas in XUE_ISSCC19:
        chip = _xue_chip(bits, t_mac)
        rep = chip.evaluate(Workload("xue19", [Gemm("kernel3x3", m=1024, k=9, n=64, w_bits=4, a_bits=bits)]))
        rows.append({"case": f"Xue ISSCC'19 {label}", "quantity": f"{bits}b-in/3b-W/4b-out efficiency",
                     "unit": "op/J", "predicted": rep.ops_per_J, "published": meas,
                     "source": "Xue et al., ISSCC 2019, 24.1 (55 nm 1 Mb ReRAM CIM macro)",
                     "basis": "measured silicon"})
    for r in rows:
        r["error"] = r["predicted"] / r["published"] - 1.0
    return rows
