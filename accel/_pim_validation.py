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
  power are set to ~0 there (as the macro's TOPS/W does). This is the array-side bound
  (3-5x optimistic); it omits the macro's peripherals.
* ``Xue ISSCC'19 binary`` / ``multibit + peripherals``: the same evaluation plus the
  peripheral costs the bound omits (:func:`xue_macro_energy`), each from a published
  component figure or stated as an assumption; still a prediction (nothing is fitted to
  the two measured efficiencies):

  - **bit-line clamp**: the cell current is drawn from the supply through the clamp that
    holds the bit line at ``v_read``, so the array energy is ``I V_DD t``, not ``I v_read t``
    (factor ``V_DD / v_read``; ``V_DD`` = 1.2 V, the nominal core supply of a 55 nm process:
    an assumption, the digest gives none);
  - **sense amplifier at the macro's precision**: a current-mode multi-level sense amplifier
    with ``2^4 - 1`` references per 4-bit readout, power ``k_node (levels - 1) + c / R_col``
    over its sensing time, from DNN+NeuroSim V1.3 ``MultilevelSenseAmp.cpp``
    (``GetColumnPower``, current mode, LP: Cadence fits at 65 nm 8.4147 uW / level and
    0.0972 / R_col W, at 45 nm 6.3162 uW and 0.075 / R_col, interpolated linearly to 55 nm;
    ``GetColumnLatency``: ``T = (0.1239 ln(R_col / 1 kOhm) + 0.6642)`` ns at 65 nm, clamped to
    1..10 ns, with ``R_col`` scaled by ``0.5 V / v_read`` as there); ``R_col`` from the exact
    solve's read power (``v_read^2 cols / P``);
  - **one readout per weight, not per bit column**: the macro combines the currents of a
    weight's bit columns and their sign in the current domain before the sense amplifier
    (its down-scaling weighted current translator and positive-negative current subtractor,
    as the ISSCC'19 abstract names them [M: recalled, not read at a source here]), so it
    senses once per weight and input bit: conversions / 4;
  - **input-bit-serial accumulation**: the 2-bit input runs as two word-line pulses whose
    readouts are added digitally: ISAAC's shift-and-add energy (0.021 pJ, 32 nm, Table I
    via hwcomponents) per readout when there is more than one input cycle;
  - **word-line drivers**: ISAAC's 1-bit DAC drive energy per word line and input bit (as in
    the bound; a 32 nm figure used at 55 nm, an optimistic assumption).
"""
from __future__ import annotations

import math

__all__ = ["pim_validation", "XUE_ISSCC19", "xue_macro_energy", "MLSA_NEUROSIM"]

#: Xue et al. ISSCC 2019 (24.1) operating points: (label, input bits, t_MAC s, measured op/J)
XUE_ISSCC19 = (("binary", 1, 11.75e-9, 53.17e12), ("multibit", 2, 14.6e-9, 21.9e12))

_TINY = 1e-30   # "not part of the macro's figure" for constants that must be > 0

#: DNN+NeuroSim V1.3 MultilevelSenseAmp.cpp, current mode, LP devices: node (nm) ->
#: (power per reference level W, coefficient c of c / R_col W*ohm)
MLSA_NEUROSIM = {65: (8.4147e-6, 0.0972), 45: (6.3162e-6, 0.075)}
_V_DD_55NM = 1.2          # V, memlab assumption (nominal 55 nm core supply)
_E_SHIFT_ADD = 0.021e-12  # J, ISAAC Table I shift-and-add (hwcomponents isaac.py), as the preset
_XUE_GEMM = dict(m=1024, k=9, n=64, w_bits=4)


def _mlsa(node_nm: float, levels: int, r_col: float, v_read: float) -> tuple[float, float]:
    """(power W, sensing time s) of NeuroSim's current-mode multi-level sense amplifier."""
    (p65, c65), (p45, c45) = MLSA_NEUROSIM[65], MLSA_NEUROSIM[45]
    f = (node_nm - 45) / 20.0
    k, c = p45 + f * (p65 - p45), c45 + f * (c65 - c45)
    r = r_col * 0.5 / v_read
    t = min(10e-9, max(1e-9, (0.1239 * math.log(r / 1000.0) + 0.6642) * 1e-9))
    return k * (levels - 1) + c / r, t


def xue_macro_energy(in_bits: int, t_mac: float) -> dict:
    """Energy (J) by part of one evaluation of the Xue'19 macro case (a 3x3 kernel GEMM
    1024 x 9 x 64 with 3-bit signed weights on 4 SLC columns) with the peripherals of the
    module doc: ``{"array_supply", "wordline", "sense", "accumulate", "total", "macs",
    "bound_total"}`` (``bound_total``: the array-side bound's energy)."""
    from ._workload import Gemm, Workload
    chip = _xue_chip(in_bits, t_mac)
    rep = chip.evaluate(Workload("xue19", [Gemm("kernel3x3", a_bits=in_bits, **_XUE_GEMM)]))
    v, ph, layer = chip.v, chip.physics_summary(), rep.layers[0]
    r_col = v["v_read"] ** 2 * v["cols"] / ph["array_read_power_W"]
    p_sa, t_sa = _mlsa(55, 2 ** ph["adc_bits"], r_col, v["v_read"])
    readouts = layer.extra["conversions"] / math.ceil(_XUE_GEMM["w_bits"] / v["cell_bits"])
    parts = {"array_supply": rep.energy_J["compute"] * _V_DD_55NM / v["v_read"],
             "wordline": rep.energy_J["dac"], "sense": readouts * p_sa * t_sa,
             "accumulate": readouts * _E_SHIFT_ADD if in_bits > 1 else 0.0}
    return {**parts, "total": sum(parts.values()), "macs": rep.macs, "bound_total": rep.energy_total_J}


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
    xue = "Xue et al., ISSCC 2019, 24.1 (55 nm 1 Mb ReRAM CIM macro)"
    for label, bits, t_mac, meas in XUE_ISSCC19:
        chip = _xue_chip(bits, t_mac)
        rep = chip.evaluate(Workload("xue19", [Gemm("kernel3x3", a_bits=bits, **_XUE_GEMM)]))
        rows.append({"case": f"Xue ISSCC'19 {label}", "quantity": f"{bits}b-in/3b-W/4b-out efficiency, array bound",
                     "unit": "op/J", "predicted": rep.ops_per_J, "published": meas, "source": xue,
                     "basis": "measured silicon"})
        e = xue_macro_energy(bits, t_mac)
        rows.append({"case": f"Xue ISSCC'19 {label} + peripherals",
                     "quantity": f"{bits}b-in/3b-W/4b-out efficiency, with clamp, sense amp, accumulation",
                     "unit": "op/J", "predicted": 2 * e["macs"] / e["total"], "published": meas, "source": xue,
                     "basis": "measured silicon"})
    for r in rows:
        r["error"] = r["predicted"] / r["published"] - 1.0
    return rows
