"""Plots: roofline with each layer's point per chip, energy breakdown bars per chip.

matplotlib is imported inside the functions; each accepts ``ax=`` and returns the artists.
"""
from __future__ import annotations

import math

import numpy as np

from ._report import COMPONENTS

__all__ = ["plot_roofline", "plot_energy_breakdown"]


def _axes(ax, figsize=(7.5, 5.0)):
    if ax is not None:
        return ax.figure, ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        raise RuntimeError("Plotting is not available: matplotlib is not installed") from err
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def _chip_label(r) -> str:
    """'<chip> [<kind>]': every figure says which numbers are bounds."""
    return f"{r.chip} [{r.kind}]"


def _spread(ends, factor: float = 1.45):
    """Label positions ``(y, index, colour)`` with consecutive ``y`` at least ``factor``
    apart (log axis), moved as little as possible from the roofs' ends."""
    out = sorted(ends)
    ys = [max(e[0], 1e-300) for e in out]
    for j in range(1, len(ys)):
        ys[j] = max(ys[j], ys[j - 1] * factor)
    return [(y, i, c) for y, (_, i, c) in zip(ys, out)]


def plot_roofline(reports, ax=None):
    """Log-log roofline: each chip's roof (peak ops/s, DRAM bandwidth) and each layer's
    (intensity in ops per DRAM byte, achieved ops/s). Layers with no DRAM traffic are
    drawn at the right edge. Chips are labelled directly at the end of their roof with
    their estimate kind (``[bound]`` roofs are dashed); the legend has only the two marks
    (roof, layer), so it stays readable for any number of chips. Returns the artists."""
    fig, ax = _axes(ax)
    import matplotlib as mpl
    from matplotlib.lines import Line2D
    colors = mpl.colormaps["tab10"]
    artists = []
    ints = [l.intensity for r in reports for l in r.layers if math.isfinite(l.intensity) and l.intensity > 0]
    lo = max(1e-2, min(ints) / 3) if ints else 1e-1
    hi = max(ints) * 3 if ints else 1e4
    x = np.logspace(math.log10(lo), math.log10(hi), 200)
    ends = []
    for i, r in enumerate(reports):
        c = colors(i % 10)
        if r.dram_bw_Bps > 0:
            roof = np.minimum(r.peak_ops_per_s, r.dram_bw_Bps * x)
        else:
            roof = np.full_like(x, r.peak_ops_per_s)
        ls = "--" if r.kind == "bound" else "-"
        artists += ax.plot(x, roof, color=c, lw=1.5, ls=ls)
        ends.append((roof[-1], i, c))
        xi = np.array([l.intensity if math.isfinite(l.intensity) else hi for l in r.layers])
        yi = np.array([l.achieved_ops_per_s for l in r.layers])
        artists.append(ax.scatter(xi, yi, color=c, s=14, alpha=0.8))
    for y, i, c in _spread(ends):           # direct labels, pushed apart so none overlap
        artists.append(ax.text(x[-1] * 1.05, y, _chip_label(reports[i]), color=c, fontsize=7, va="center"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi * 12)
    ax.set_xlabel("arithmetic intensity (op per DRAM byte)")
    ax.set_ylabel("performance (op/s)")
    if reports:
        ax.set_title(f"Roofline: {reports[0].workload} (batch {reports[0].batch}); "
                     "dashed roof = [bound] chip (optimistic limit)", fontsize=9)
    ax.legend([Line2D([], [], color="k"), Line2D([], [], color="k", ls="--"),
               Line2D([], [], color="k", marker="o", ls="")],
              ["roof (peak, DRAM BW)", "roof of a [bound] model", "one layer (achieved)"],
              fontsize=7, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    return artists


def plot_energy_breakdown(reports, ax=None):
    """Stacked bars of each chip's energy split by component (share of its total), with
    the total energy per inference written above each bar (with its unit) and each chip
    labelled with its estimate kind; bars of ``[bound]`` chips are hatched. The legend has
    one entry per energy component present (at most 8, plus the hatch key). Returns the bar artists."""
    from memlab._table import fmt_si
    fig, ax = _axes(ax, figsize=(8.0, 4.8))
    names = [_chip_label(r) for r in reports]
    x = np.arange(len(reports))
    totals = np.array([r.energy_total_J for r in reports])
    bottom = np.zeros(len(reports))
    artists = []
    hatch = ["//" if r.kind == "bound" else "" for r in reports]
    for comp in COMPONENTS:
        vals = np.array([r.energy_J[comp] for r in reports]) / np.where(totals > 0, totals, 1.0)
        if not np.any(vals > 0):
            continue
        bars = ax.bar(x, vals, bottom=bottom, label=comp)
        for b, h in zip(bars, hatch):
            b.set_hatch(h)
        artists.append(bars)
        bottom += vals
    for xi, r in zip(x, reports):
        ax.text(xi, 1.02, fmt_si(r.energy_per_inference_J, "J"), ha="center", va="bottom", fontsize=7, rotation=90)
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
    ax.set_xlabel("chip [estimate kind]")
    ax.set_ylabel("share of energy (1); above: energy per inference (J)")
    ax.set_ylim(0, 1.35)
    if reports:
        ax.set_title(f"Energy breakdown: {reports[0].workload} (batch {reports[0].batch}); "
                     "hatched = [bound]", fontsize=9)
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=b.patches[0].get_facecolor(), label=b.get_label()) for b in artists]
    if any(hatch):
        handles.append(Patch(facecolor="white", edgecolor="k", hatch="//", label="[bound] chip"))
    ax.legend(handles=handles, fontsize=7, ncol=4, loc="upper left")
    return artists
