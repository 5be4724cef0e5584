"""Plots of simulated or measured traces (I-V hysteresis loops).

A leaf module: it imports matplotlib lazily inside the functions and nothing of memlab
but the error classes, so :meth:`Trace.plot_iv <memlab.devices.Trace.plot_iv>` needs no
upper layer. Functions accept ``ax=`` and return the artists they draw. Data are SI;
display prefixes are chosen at the edge (axis labels carry the units).
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ParameterError

__all__ = ["plot_iv", "plot_loops", "si_scale"]

_PREFIXES = [(1e-12, "p"), (1e-9, "n"), (1e-6, "\u00b5"), (1e-3, "m"), (1.0, ""), (1e3, "k"), (1e6, "M")]


def si_scale(values, unit: str) -> tuple[float, str]:
    """(factor, label) so that ``values / factor`` reads in a prefixed unit, e.g. (1e-6, 'µA')."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    if not np.isfinite(m) or m == 0:
        return 1.0, unit
    fac, pre = _PREFIXES[0]
    for f, p in _PREFIXES:
        if m >= f:
            fac, pre = f, p
    return fac, pre + unit


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        raise RuntimeError("Plotting is not available: install matplotlib") from err
    return plt


def plot_iv(trace, ax=None, *, color_by: str = "time", label: str | None = None, max_devices: int = 20,
            cmap: str = "viridis", colorbar: bool = True, linewidth: float = 1.5):
    """Plot the I-V hysteresis loop of a :class:`~memlab.devices.Trace` (V on x, A with
    an SI prefix on y, time in s with a prefix on the colour bar).

    Parameters
    ----------
    trace : Trace
        One device, or a population (the first ``max_devices`` are drawn in grey with
        the first highlighted).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when omitted.
    color_by : {"time", "none"}
        Colour the loop by time (with a colour bar) or draw it in one colour.
    label : str, optional
        Legend label (default: model name and source).

    Returns
    -------
    list of matplotlib artists
    """
    if color_by not in ("time", "none"):
        raise ParameterError(f"plot_iv: parameter 'color_by' = {color_by!r} is not one of ('time', 'none')")
    if trace.v is None or trace.i is None:
        raise ParameterError("plot_iv: the trace must store 'v' and 'i' (simulate(..., store=('v','i','x')))")
    plt = _plt()
    from matplotlib.collections import LineCollection

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.2))
    v = np.atleast_2d(np.asarray(trace.v, float))
    i = np.atleast_2d(np.asarray(trace.i, float))
    t = np.asarray(trace.t, float)
    ifac, iunit = si_scale(i, "A")
    label = label or f"{trace.model} ({trace.source})"
    artists = []
    if v.shape[0] > 1:
        for k in range(1, min(v.shape[0], max_devices)):
            artists += ax.plot(v[k], i[k] / ifac, color="0.75", lw=0.8, zorder=1)
    if color_by == "time":
        tfac, tunit = si_scale(t, "s")
        pts = np.column_stack([v[0], i[0] / ifac]).reshape(-1, 1, 2)
        segs = np.concatenate([pts[:-1], pts[1:]], axis=1)
        lc = LineCollection(segs, cmap=cmap, linewidths=linewidth, zorder=2, label=label)
        lc.set_array(t[:-1] / tfac)
        ax.add_collection(lc)
        ax.autoscale()
        artists.append(lc)
        if colorbar:
            cb = ax.figure.colorbar(lc, ax=ax)
            cb.set_label(f"Time ({tunit})")
            artists.append(cb)
    else:
        artists += ax.plot(v[0], i[0] / ifac, lw=linewidth, label=label, zorder=2)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.axvline(0, color="0.6", lw=0.5)
    ax.set_xlabel("Device voltage v (V)")
    ax.set_ylabel(f"Current i ({iunit})")
    ax.set_title(f"I-V hysteresis: {trace.model}")
    ax.legend(loc="best", fontsize="small")
    return artists


def plot_loops(traces, labels=None, ax=None, *, values=None, value_label: str = "Frequency (Hz)",
               cmap: str = "plasma", log_color: bool = True):
    """Overlay several loops (e.g. one per frequency), coloured by ``values``.

    ``values`` defaults to each trace's drive frequency (1/period). Returns the artists.
    """
    traces = list(traces)
    if not traces:
        raise ParameterError("plot_loops: 'traces' is empty")
    plt = _plt()
    import matplotlib as mpl

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.2))
    if values is None:
        values = [1.0 / tr.period if tr.period else float(k) for k, tr in enumerate(traces)]
    values = np.asarray(values, float)
    norm = (mpl.colors.LogNorm if log_color and np.all(values > 0) else mpl.colors.Normalize)(values.min(), values.max())
    cm = mpl.colormaps[cmap]
    allv = np.concatenate([np.ravel(tr.i) for tr in traces])
    ifac, iunit = si_scale(allv, "A")
    artists = []
    for k, tr in enumerate(traces):
        lab = labels[k] if labels is not None else f"{values[k]:g}"
        last = tr.last_period() if tr.period else tr
        artists += ax.plot(np.ravel(last.v), np.ravel(last.i) / ifac, color=cm(norm(values[k])), lw=1.4, label=lab)
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=cm)
    cb = ax.figure.colorbar(sm, ax=ax)
    cb.set_label(value_label)
    ax.set_xlabel("Device voltage v (V)")
    ax.set_ylabel(f"Current i ({iunit})")
    ax.set_title(f"I-V loops: {traces[0].model}")
    ax.legend(loc="best", fontsize="x-small", title=value_label)
    return artists + [cb]
