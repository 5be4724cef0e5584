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


def plot_roofline(reports, ax=None):
    """Log-log roofline: each chip's roof (peak ops/s, DRAM bandwidth) and each layer's
    (intensity in ops per DRAM byte, achieved ops/s). Layers with no DRAM traffic are
    drawn at the right edge. Returns the list of artists."""
    fig, ax = _axes(ax)
    import matplotlib as mpl
    colors = mpl.colormaps["tab10"]
    artists = []
    ints = [l.intensity for r in reports for l in r.layers if math.isfinite(l.intensity) and l.intensity > 0]
    lo = max(1e-2, min(ints) / 3) if ints else 1e-1
    hi = max(ints) * 3 if ints else 1e4
    for i, r in enumerate(reports):
        c = colors(i % 10)
        x = np.logspace(math.log10(lo), math.log10(hi), 200)
        if r.dram_bw_Bps > 0:
            roof = np.minimum(r.peak_ops_per_s, r.dram_bw_Bps * x)
        else:
            roof = np.full_like(x, r.peak_ops_per_s)
        artists += ax.plot(x, roof, color=c, lw=1.5, label=f"{r.chip} roof")
        xi = np.array([l.intensity if math.isfinite(l.intensity) else hi for l in r.layers])
        yi = np.array([l.achieved_ops_per_s for l in r.layers])
        artists.append(ax.scatter(xi, yi, color=c, s=14, alpha=0.8, label=f"{r.chip} layers"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (op per DRAM byte)")
    ax.set_ylabel("performance (op/s)")
    if reports:
        ax.set_title(f"Roofline: {reports[0].workload} (batch {reports[0].batch})")
    ax.legend(fontsize=6, ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, which="both", alpha=0.3)
    return artists


def plot_energy_breakdown(reports, ax=None):
    """Stacked bars of each chip's energy split by component (share of its total), with
    the total energy per inference (J) written above each bar. Returns the bar artists."""
    from memlab._table import fmt_si
    fig, ax = _axes(ax, figsize=(8.0, 4.8))
    names = [r.chip for r in reports]
    x = np.arange(len(reports))
    totals = np.array([r.energy_total_J for r in reports])
    bottom = np.zeros(len(reports))
    artists = []
    for comp in COMPONENTS:
        vals = np.array([r.energy_J[comp] for r in reports]) / np.where(totals > 0, totals, 1.0)
        if not np.any(vals > 0):
            continue
        artists.append(ax.bar(x, vals, bottom=bottom, label=comp))
        bottom += vals
    for xi, r in zip(x, reports):
        ax.text(xi, 1.02, fmt_si(r.energy_per_inference_J, "J"), ha="center", va="bottom", fontsize=7, rotation=90)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("share of energy (1); label: energy per inference")
    ax.set_ylim(0, 1.35)
    if reports:
        ax.set_title(f"Energy breakdown: {reports[0].workload} (batch {reports[0].batch})")
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    return artists
