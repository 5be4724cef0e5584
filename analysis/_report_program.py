"""Report section "Arrays: programming in time": a write-verify run of a whole crossbar
(:func:`memlab.arrays.program_array` on a :class:`memlab.arrays.TransientCrossbar`) and a
half-select disturb study, drawn as heat maps by :mod:`memlab.analysis._program_plot`."""
from __future__ import annotations

import numpy as np

from memlab._table import Column, fmt_si, to_html

from ._program_plot import plot_disturb, plot_program
from ._style import save_figure

__all__ = []

# 5 ohm per wire segment, driver and sense resistor; a VTEAM cell of 100 kOhm - 1 MOhm (a
# 50 ohm - 1 kOhm cell cannot be read through an array of 5 ohm wires: the IR drop exceeds
# the read voltage), thresholds +-0.5 V so that the V/2 half-select stays below them
_WIRES = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
_CELL = dict(R_on=1e5, R_off=1e6, k_off=1e-2, k_on=-1e-2, alpha_on=1, v_off=0.5, v_on=-0.5)


def _program(R, quick):
    from memlab.arrays import ISPP, TransientCrossbar, disturb_study, program_array
    from memlab.devices import VTEAM

    n = 8 if quick else 12
    dev = VTEAM(**_CELL)
    x_mid = 0.5 * (dev.state.lo + dev.state.hi)
    tx = TransientCrossbar(dev, np.full((n, n), x_mid), **_WIRES)
    target = 1 / np.random.default_rng(0).uniform(2e5, 8e5, (n, n))        # S
    policy = ISPP(v_set=-0.55, v_reset=0.55, width=20e-9, v_step=0.05, v_max=0.98)
    prog = program_array(tx, target, policy=policy, tolerance=0.05, mode="row", max_pulses=20)
    s = prog.summary()
    fixed = (f"{n}\u00d7{n} VTEAM (100 k\u03a9\u20131 M\u03a9, thresholds \u00b10.5 V), 5 \u03a9 per wire segment, "
             "driver and sense resistor, V/2 biasing, row-parallel writes, ISPP from \u00b10.55 V in 50 mV steps "
             "of 20 ns, verify read at 0.1 V, band \u00b15 %, at most 20 pulses per row, seed 0")
    files = save_figure(plot_program(prog, title=f"{n}\u00d7{n} write-verify"), R.out / "program" / "program_heatmaps")
    dist = disturb_study(TransientCrossbar(dev, np.full((n, n), x_mid), **_WIRES), (n // 2, n // 2),
                         v_write=-1.2, width=10e-9, n_writes=20 if quick else 50)
    dfiles = save_figure(plot_disturb(dist, title=f"Half-selected drift, {n}\u00d7{n} VTEAM"),
                         R.out / "program" / "disturb")
    R.key("Arrays", f"{n}\u00d7{n} write-verify yield (\u00b15 % band)", float(s["yield"]), style="percent")
    R.key("Arrays", f"{n}\u00d7{n} write-verify energy", float(s["energy"]), "J", "si")
    facts = [{"q": "cells inside the verify band", "v": f"{100 * s['yield']:.1f} %"},
             {"q": "pulses per cell, mean (max)", "v": f"{s['pulses_mean']:.1f} ({s['pulses_max']})"},
             {"q": "median |read-conductance error|", "v": f"{100 * s['error_median']:.2f} %"},
             {"q": "programming energy", "v": fmt_si(float(s["energy"]), "J")},
             {"q": "simulated programming time", "v": fmt_si(float(prog.time), "s")},
             {"q": "largest disturb of a cell while not selected", "v": f"{100 * float(np.max(prog.disturb)):.3f} % "
              "of the state range"},
             {"q": "wall time", "v": fmt_si(float(s["wall_time"]), "s")}]
    R.section("Arrays: programming in time",
              f"Write-verify of a random {n}\u00d7{n} target conductance matrix, every cell's state following its "
              "device equation while the whole network (wires, drivers, sense resistors, half-selected cells) is "
              "solved exactly at every time step (memlab.arrays.program_array on a TransientCrossbar), and a "
              "disturb study: repeated writes of one cell under V/2 and V/3 biasing.",
              "The heat maps show where the verify band was met, how many pulses each cell needed and how much "
              "every other cell moved while its neighbours were written (nothing here: the ISPP amplitudes stay "
              "below 0.98 V, so V/2 puts at most 0.49 V, under the 0.5 V threshold, on half-selected cells); the "
              "disturb plot shows what a -1.2 V write does instead: the half-selected drift grows with the write "
              "count under V/2 and stays flat under V/3.",
              to_html(facts, [Column("q", "quantity"), Column("v", "value")])
              + R.figure(files, "Final error, pulses and disturb per cell", fixed, wide=True)
              + R.figure(dfiles, "Half-selected state change against write count",
                         f"{n}\u00d7{n}, cell ({n // 2}, {n // 2}) written with -1.2 V (V/2 puts 0.6 V, above the 0.5 V threshold, on half-selected cells; V/3 puts 0.4 V), 10 ns pulses, 5 \u03a9 wires"))
