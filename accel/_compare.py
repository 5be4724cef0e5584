"""Compare chips on one workload: table (printed, CSV, Markdown) and plots."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from memlab._io import atomic_write_bytes, atomic_write_text
from memlab.errors import ParameterError
from memlab._table import Column, to_csv, to_markdown

from ._chips import make_chip
from ._presets import DEFAULT_CHIPS
from ._zoo import get_workload

__all__ = ["compare_chips", "ComparisonTable", "evaluate_all"]

_MD_COLUMNS = [Column("chip"), Column("kind"), Column("estimate"), Column("latency_s", "latency (batch)", "s", "si"),
               Column("inferences_per_s", "throughput", "inf/s", "si"),
               Column("energy_per_inference_J", "energy/inference", "J", "si"),
               Column("ops_per_J", "efficiency", "op/J", "si"), Column("average_power_W", "avg power", "W", "si"),
               Column("utilisation", "utilisation", style="percent"), Column("bound"),
               Column("area_mm2", "area", "mm^2", "si"),
               Column("validation_error", "vs published", style="percent")]

_LEGEND = ("estimate: **bound** = an optimistic limit (roofline-type model: real chips are slower); "
           "**calibrated** = this very case was used to fit the model's constants; **predicted** = a "
           "model (calibrated elsewhere, or built from spec constants only, e.g. TPU-v1) on a case "
           "none of its constants were fitted to. 'vs published' = (model - measured) / "
           "measured for a published measurement of this chip, workload and batch (see "
           "memlab.accel._measurements); '\u2013' when none is known. Totals per batch of the workload; "
           "energy per inference = total / batch.")


@dataclass
class ComparisonTable:
    """Rows (one per chip, SI units), the underlying reports, and written file paths."""

    workload: str
    batch: int
    rows: list
    reports: list
    files: dict = field(default_factory=dict)

    def to_csv(self) -> str:
        return to_csv(self.rows)

    def to_markdown(self) -> str:
        head = f"### {self.workload} (batch {self.batch})\n\n"
        return head + to_markdown(self.rows, _MD_COLUMNS) + "\n" + _LEGEND + "\n"

    def __str__(self):
        return self.to_markdown()

    def best(self, key: str = "energy_per_inference_J", lowest: bool = True) -> str:
        rows = sorted(self.rows, key=lambda r: r[key], reverse=not lowest)
        return rows[0]["chip"]


def evaluate_all(workload, chips=None, batch=None, overrides=None):
    """Reports of ``workload`` on each chip (names or presets; default: all workload chips)."""
    wl = get_workload(workload, batch)
    if isinstance(chips, str):
        chips = [chips]
    chips = list(DEFAULT_CHIPS if chips is None else chips)
    if not chips:
        raise ParameterError(f"parameter 'chips' is empty; give at least one preset of {sorted(DEFAULT_CHIPS)}")
    overrides = overrides or {}
    reports = []
    for c in chips:
        name = c if isinstance(c, str) else c.name
        chip = make_chip(c, **overrides.get(name, {}))
        reports.append(chip.evaluate(wl))
    return wl, reports


def compare_chips(workload, chips=None, out_dir=None, *, batch: int | None = None, overrides: dict | None = None,
            plots: bool = True) -> ComparisonTable:
    """Evaluate ``workload`` (zoo name, YAML/JSON path or Workload) on ``chips`` (preset
    names; default all workload chips) and return a :class:`ComparisonTable`.

    With ``out_dir``, writes ``<workload>_compare.csv``, ``<workload>_compare.md``,
    ``<workload>_roofline.png`` and ``<workload>_energy.png`` (each written atomically:
    temporary file + ``os.replace``). ``overrides`` maps a chip name to constant overrides,
    e.g. ``{"ISAAC": {"r_wire": 0.7}}``.
    """
    wl, reports = evaluate_all(workload, chips, batch, overrides)
    table = ComparisonTable(wl.name, wl.batch, [r.summary() for r in reports], reports)
    if out_dir is not None:
        out = Path(out_dir)
        stem = wl.name
        table.files["csv"] = atomic_write_text(out / f"{stem}_compare.csv", table.to_csv())
        table.files["md"] = atomic_write_text(out / f"{stem}_compare.md", table.to_markdown())
        if plots:
            from matplotlib.figure import Figure
            from ._plot import plot_energy_breakdown, plot_roofline
            for key, fn, size in (("roofline", plot_roofline, (10.0, 5.5)), ("energy", plot_energy_breakdown, (8.0, 5.0))):
                fig = Figure(figsize=size)
                ax = fig.add_subplot()
                fn(reports, ax=ax)
                fig.tight_layout()
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=120)
                table.files[key] = atomic_write_bytes(out / f"{stem}_{key}.png", buf.getvalue())
    return table
