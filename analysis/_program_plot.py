"""Heat maps of a crossbar programming run (:func:`memlab.arrays.program_array`) and of a disturb study.

:func:`plot_program` draws three panels of a :class:`memlab.arrays.ProgramReport`: the final
relative error of the read conductance (%), the pulses each cell received, and the
accumulated disturb (state change while not selected, % of the state range).
:func:`plot_disturb` draws the half-selected drift against the write count per bias scheme
of a :class:`memlab.arrays.DisturbReport`. Both return a matplotlib Figure (save it with
:func:`memlab.analysis.save_figure`); :func:`program_table` gives the report's headline
numbers as table rows for :mod:`memlab._table`.
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ParameterError
from memlab.analysis._style import new_figure

__all__ = ["plot_program", "plot_disturb", "program_table"]


def _check(report, names, what):
    if not all(hasattr(report, n) for n in names):
        raise ParameterError(f"parameter 'report' = {type(report).__name__} must be a memlab.arrays.{what}")


def plot_program(report, *, title: str | None = None):
    """Figure with heat maps of final error (%), pulses per cell and disturb (% of range)."""
    _check(report, ("error", "pulses", "disturb"), "ProgramReport")
    rows, cols = report.error.shape
    fig, axes = new_figure(1, 3, size=(13.5, 3.8))
    err = 100 * report.error
    lim = float(np.max(np.abs(err), initial=1e-12))
    panels = [(err, "Final read-conductance error (%)", "coolwarm", (-lim, lim)),
              (report.pulses, "Pulses per cell (count)", "viridis", (None, None)),
              (100 * report.disturb, "Disturb while not selected (% of range)", "magma", (None, None))]
    for ax, (data, label, cmap, (vmin, vmax)) in zip(axes, panels):
        im = ax.imshow(data, aspect="auto", origin="upper", cmap=cmap, vmin=vmin, vmax=vmax,
                       extent=(-0.5, cols - 0.5, rows - 0.5, -0.5))
        fig.colorbar(im, ax=ax).set_label(label)
        ax.set_xlabel("Bit line j (column index)")
        ax.set_ylabel("Word line i (row index)")
        ax.set_title(label.split(" (")[0])
        ax.grid(False)
    if title:
        fig.suptitle(title)
    return fig


def plot_disturb(report, *, title: str | None = None):
    """Half-selected drift (max and mean, % of range) against the write count, one line per scheme."""
    _check(report, ("writes", "half_max", "schemes"), "DisturbReport")
    fig, ax = new_figure(1, 1)
    for s in report.schemes:
        ax.plot(report.writes, 100 * np.asarray(report.half_max[s]), marker="o", label=f"{s} half-selected max")
        ax.plot(report.writes, 100 * np.asarray(report.half_mean[s]), ls="--", label=f"{s} half-selected mean")
    ax.set_xscale("log")
    ax.set_xlabel("Writes (count)")
    ax.set_ylabel("State change (% of range)")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def program_table(report) -> list[dict]:
    """The report's headline numbers as rows ``{"quantity", "value"}`` (SI units in the names)."""
    _check(report, ("summary",), "ProgramReport")
    s = report.summary()
    names = {"yield": "cells in band (fraction)", "pulses_mean": "pulses per cell, mean (count)",
             "pulses_max": "pulses per cell, max (count)", "error_median": "|error|, median (fraction)",
             "error_max": "|error|, max (fraction)", "disturb_max": "disturb, max (fraction of range)",
             "energy": "energy (J)", "time": "pulse time (s)", "wall_time": "wall time (s)"}
    return [{"quantity": names[k], "value": v} for k, v in s.items()]
