"""A random programmed crossbar solved exactly (Kirchhoff, :class:`memlab.arrays.Crossbar`):
its MVM error against the ideal ``G^T v``, driver power, and heat maps of node voltages and
cell currents. Used by ``memlab xbar`` and the report."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from memlab._table import fmt_si
from memlab._validate import check_memory, positive_int
from memlab.errors import ParameterError

from ._plot import si_scale
from ._style import new_figure, save_figure

__all__ = ["solve_random_crossbar", "crossbar_study", "plot_crossbar_heatmaps"]


def solve_random_crossbar(rows=64, cols=64, *, r_wire=1.0, r_driver=0.0, r_sense=0.0, model=None, g_min=1e-6,
                          g_max=1e-4, v_read=0.2, seed=0, method="auto"):
    """Random programmed crossbar and input, solved exactly. Returns (crossbar, v_in, solution,
    ideal output currents G^T v). With ``model`` the conductances are the model's small-signal
    conductance at uniformly drawn states (or a nonlinear ``sinh`` cell)."""
    from memlab.arrays import Crossbar
    from memlab.devices import SinhConductance, get_model

    rows = positive_int(rows, "rows")
    cols = positive_int(cols, "cols")
    # a lower bound: 2 rows cols nodes, each with about 20 float64 entries (matrix, vectors, factor)
    check_memory(2.0 * rows * cols * 20 * 8, f"a {rows} x {cols} crossbar solve", "rows")
    rng = np.random.default_rng(seed)
    cell = None
    if model is not None:
        m = get_model(model)
        if isinstance(m, SinhConductance):
            G = rng.uniform(g_min, g_max, (rows, cols))
            cell = m
        else:
            lo, hi = (np.asarray(b, float) for b in m.bounds())
            if not (np.all(np.isfinite([lo, hi])) and hi > lo) or m.name == "selector":
                raise ParameterError(f"parameter 'model' = {model!r} has no programmable state range; "
                                     "use a memristor model")
            x = rng.uniform(float(lo), float(hi), (rows, cols))
            with np.errstate(all="ignore"):
                G = np.broadcast_to(m.conductance(np.zeros_like(x), x), x.shape).astype(float)
            if not np.all(np.isfinite(G) & (G > 0)):
                raise ParameterError(f"parameter 'model' = {model!r}: small-signal conductance is not positive "
                                     "over the state range")
    else:
        if not g_max > g_min:
            raise ParameterError(f"parameter 'g_max' = {g_max!r} must be larger than g_min = {g_min!r} S")
        G = rng.uniform(g_min, g_max, (rows, cols))
    v = v_read * rng.uniform(0.0, 1.0, rows)
    xb = Crossbar(G, r_row=r_wire, r_col=r_wire, r_driver=r_driver, r_sense=r_sense, cell=cell)
    sol = xb.solve(v, method=method, full=True, progress=False)
    ideal = (cell.current(v[:, None] * np.ones((1, cols)), G).sum(axis=0) if cell is not None else v @ G)
    return xb, v, sol, ideal


def crossbar_study(rows=64, cols=64, *, r_wire=1.0, r_driver=0.0, r_sense=0.0, model=None, g_min=1e-6,
                   g_max=1e-4, v_read=0.2, seed=0, method="auto", out_dir=None) -> dict:
    """Solve a random crossbar (:func:`solve_random_crossbar`; r_* in ohm, g_* in S, v_read in
    V) and measure it. Returns ``{"rows", "cols", "r_wire", "solution", "rel_error" (2-norm
    of the output-current error / ||G^T v||, 1), "max_error" (largest output-current error /
    max ideal output, 1), "power_W", "files"}``; with ``out_dir`` the heat maps are saved as
    ``out_dir/xbar_heatmaps.png`` and ``.svg`` (``files``, else empty)."""
    xb, v, sol, ideal = solve_random_crossbar(rows, cols, r_wire=r_wire, r_driver=r_driver, r_sense=r_sense,
                                              model=model, g_min=g_min, g_max=g_max, v_read=v_read, seed=seed,
                                              method=method)
    err = sol.i_out - ideal
    rel = float(np.linalg.norm(err) / np.linalg.norm(ideal))
    files = {}
    if out_dir is not None:
        fig = plot_crossbar_heatmaps(sol, title=f"{rows}\u00d7{cols} crossbar, {r_wire:g} \u03a9 per wire segment, "
                                     f"{fmt_si(g_min, 'S')}\u2013{fmt_si(g_max, 'S')}, inputs 0\u2013{v_read:g} V, "
                                     f"driver {r_driver:g} \u03a9, sense {r_sense:g} \u03a9: MVM error {100 * rel:.3g} %")
        files = save_figure(fig, Path(out_dir) / "xbar_heatmaps")
    return {"rows": rows, "cols": cols, "r_wire": r_wire, "solution": sol, "rel_error": rel,
            "max_error": float(np.max(np.abs(err)) / np.max(np.abs(ideal))), "power_W": float(sol.power),
            "files": files}


def plot_crossbar_heatmaps(sol, *, title: str | None = None):
    """Figure with three heat maps of a full crossbar solution: word-line and bit-line node
    voltages (V) and cell currents (A), each with an SI-scaled colour bar."""
    rows, cols = sol.i_cell.shape
    fig, axes = new_figure(1, 3, size=(13.5, 3.8))
    panels = [(sol.v_word, "V", "Word-line node voltage"), (sol.v_bit, "V", "Bit-line node voltage"),
              (sol.i_cell, "A", "Cell current")]
    for ax, (data, unit, name) in zip(axes, panels):
        fac, ulabel = si_scale(data, unit)
        im = ax.imshow(data / fac, aspect="auto", origin="upper", cmap="viridis",
                       extent=(-0.5, cols - 0.5, rows - 0.5, -0.5))
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(f"{name} ({ulabel})")
        ax.set_xlabel("Bit line j (column index)")
        ax.set_ylabel("Word line i (row index)")
        ax.set_title(name)
        ax.grid(False)
    if title:
        fig.suptitle(title)
    return fig
