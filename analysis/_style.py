"""One plot style for memlab's analysis figures: labelled axes with units, legends, and every
figure saved as PNG and SVG (atomically). matplotlib is imported lazily and figures are built
with :class:`matplotlib.figure.Figure` (no pyplot state, no backend is configured)."""
from __future__ import annotations

import io
import re
from pathlib import Path

from memlab.errors import ParameterError

from memlab._io import atomic_write_bytes

__all__ = ["new_figure", "save_figure", "unlabelled_axes", "PALETTE", "readable_log_axes"]

#: colour cycle shared by the analysis figures (colour-blind safe, Okabe-Ito)
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

_RC = {"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
       "font.size": 9.0, "axes.titlesize": 10.0, "legend.fontsize": 8.0, "svg.hashsalt": "memlab",
       "svg.fonttype": "none"}


def new_figure(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] | None = None):
    """A matplotlib ``Figure`` and its axes array (squeezed) in the memlab style."""
    try:
        import matplotlib as mpl
        from matplotlib.figure import Figure
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        raise RuntimeError("Plotting is not available: install matplotlib") from err
    from cycler import cycler

    size = size or (4.8 * ncols, 3.6 * nrows)
    with mpl.rc_context({**_RC, "axes.prop_cycle": cycler(color=PALETTE)}):
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


_UNIT = re.compile(r"\(.+\)|\[.+\]")


def unlabelled_axes(fig) -> list[str]:
    """Problems with a figure's axes: a missing x/y label, a label without a unit in
    parentheses, or a missing legend when the axes draw more than one labelled line."""
    problems = []
    for k, ax in enumerate(fig.axes):
        if getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            continue
        for which, text in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if not text:
                problems.append(f"axes {k}: no {which} label")
            elif not _UNIT.search(text):
                problems.append(f"axes {k}: {which} label {text!r} has no unit in parentheses")
        labelled = [a for a in ax.get_lines() + ax.collections if not str(a.get_label()).startswith("_")]
        if len(labelled) > 1 and ax.get_legend() is None:
            problems.append(f"axes {k}: {len(labelled)} labelled artists but no legend")
    return problems


def _tick_text(v: float, powers: bool) -> str:
    """A log-axis tick as a plain number (0.02, 5, 300) or, with ``powers``, as 10^k (or
    m x 10^k between decades)."""
    import math

    if v <= 0 or not math.isfinite(v):
        return ""
    if not powers:
        return f"{v:.4g}"
    e = math.floor(math.log10(v) + 1e-9)
    m = v / 10 ** e
    if abs(m - 1) < 1e-6:
        return f"$10^{{{e}}}$"
    return f"${m:.2g}\\times10^{{{e}}}$"


def readable_log_axes(fig) -> None:
    """Log-scaled axes of ``fig`` labelled readably (no "6x10^1" minor labels): decades always,
    and 2 and 5 of each decade when the axis spans less than two decades; plain numbers when
    the axis lies within [1e-3, 1e4), else powers of ten throughout."""
    import math

    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for ax in fig.axes:
        for axis, scale, lim in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()), (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
            if scale != "log" or min(lim) <= 0:
                continue
            base = getattr(axis.get_transform(), "base", 10.0)
            if base != 10:          # base-2 axes (array sizes, levels): plain numbers 16, 32, 64
                axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
                axis.set_minor_formatter(NullFormatter())
                continue
            decades = math.log10(max(lim) / min(lim))
            axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0) if decades < 2 else (1.0,)))
            powers = min(lim) < 1e-3 or max(lim) >= 1e4      # one notation for the whole axis
            axis.set_major_formatter(FuncFormatter(lambda v, _pos, p=powers: _tick_text(v, p)))
            axis.set_minor_formatter(NullFormatter())


def save_figure(fig, stem, *, dpi: int = 130, formats=("png", "svg")) -> dict[str, Path]:
    """Save ``fig`` as ``<stem>.png`` and ``<stem>.svg`` (atomically, log axes made readable
    with :func:`readable_log_axes`); returns the paths."""
    readable_log_axes(fig)
    stem = Path(stem)
    if stem.suffix.lower() in (".png", ".svg"):
        stem = stem.with_suffix("")
    paths = {}
    for fmt in formats:
        if fmt not in ("png", "svg", "pdf"):
            raise ParameterError(f"parameter 'formats' contains {fmt!r}; allowed: png, svg, pdf")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
        paths[fmt] = atomic_write_bytes(stem.with_name(stem.name + "." + fmt), buf.getvalue())
    return paths
