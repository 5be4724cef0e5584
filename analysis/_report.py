"""The report of the main job (``memlab demo``): characterise the built-in models (native and
ngspice), fit the Knowm data when a data folder is given, solve a crossbar, run the
array-accuracy studies (MVM error and DNN accuracy against every factor, and a Monte Carlo
sweep on worker processes), compare the AI chips, and write ``OUT/report.html`` and
``OUT/report.json``.

The HTML is one self-contained file: a table of contents, a short conclusions block, the
key results grouped by layer with units, then one section per layer saying what was run and
what it shows; figures are embedded (PNG data URIs, with a link to the SVG file next to
it), every figure states the conditions held fixed. ``report.json`` holds the run id,
timestamp, timings, the key results (value, unit, display text) and the list of files.
Every number is computed by this run: sweep stores are private to the run
(``OUT/.runs/<run id>``) and removed at the end; the run id is printed in both files.
"""
from __future__ import annotations

import base64
import html
import os
import platform
import re
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from memlab._io import atomic_write_json, atomic_write_text
from memlab._table import Column, fmt_number, to_html
from memlab.errors import MemlabError

from ._report_program import _program
from ._report_sections import _chips, _devices, _dnn, _fit, _monte_carlo, _mvm, _xbar  # noqa: F401

__all__ = ["write_report"]

#: Order of the key-result groups (one per layer) in the report.
GROUPS = ("Devices", "Circuits", "Arrays", "Networks", "Accelerators")


def slug(title: str) -> str:
    """The HTML id of a section title ("Arrays: MVM accuracy" -> "arrays-mvm-accuracy")."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class _Report:
    def __init__(self, out: Path):
        self.out = out
        self.sections: list[tuple[str, str]] = []     # (title, html)
        self.figures: list[str] = []
        self.tables: list[str] = []
        self.numbers: dict = {}
        self.keys: list[dict] = []
        self.conclusions: list[str] = []
        self.notes: list[str] = []
        self.timings: dict = {}

    def rel(self, p) -> str:
        return Path(os.path.relpath(Path(p), self.out)).as_posix()

    def key(self, group: str, quantity: str, value, unit: str = "", style: str = "number") -> None:
        """One key result: ``style`` "percent" (a fraction shown as %), "si" (SI prefix and
        ``unit``), "number" (4 significant digits, :mod:`memlab._table`) or "text"."""
        if style == "text":
            shown = str(value)
        elif style == "percent" and isinstance(value, float) and 0 < abs(value) < 1e-3:
            shown = f"{fmt_number(100 * value)} %"       # 0.0047 %, not 0.0 %
        else:
            shown = Column("v", unit=unit, style=style).format(value)
        if style == "number" and unit:
            shown = f"{shown} {unit}"
        self.numbers[quantity] = value
        self.keys.append({"group": group, "quantity": quantity, "value": value, "unit": unit, "display": shown})

    def figure(self, files: dict, caption: str, fixed: str = "", wide: bool = False) -> str:
        """The PNG embedded as a data URI, a link to the SVG, the caption and what was held fixed."""
        png, svg = self.rel(files["png"]), self.rel(files["svg"])
        self.figures += [png, svg]
        data = base64.b64encode(Path(files["png"]).read_bytes()).decode("ascii")
        held = f" <span class=\"fixed\">Held fixed: {html.escape(fixed)}.</span>" if fixed else ""
        return (f'<figure class="{"wide" if wide else "fig"}"><img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(caption)}" data-file="{html.escape(png)}"><figcaption>{html.escape(caption)}.'
                f'{held} <a href="{html.escape(svg)}">SVG</a></figcaption></figure>')

    def section(self, title: str, ran: str, shows: str, body: str = "") -> None:
        """A section: what was run, what it shows (HTML allowed in both), then tables and figures."""
        self.sections.append((title, f'<section id="{slug(title)}"><h2>{html.escape(title)}</h2>'
                                     f'<p><b>What was run.</b> {ran}</p><p><b>What it shows.</b> {shows}</p>'
                                     f"{body}</section>"))

    def note_section(self, title: str, text: str) -> None:
        self.sections.append((title, f'<section id="{slug(title)}"><h2>{html.escape(title)}</h2>'
                                     f'<p class="note">{text}</p></section>'))


_CSS = """body{font-family:system-ui,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:.8em}
.grid3{grid-template-columns:repeat(auto-fill,minmax(340px,1fr))}
figure{margin:.4em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figure.wide{max-width:100%}
figcaption{font-size:.8em;color:#555}.fixed{color:#333}nav ol{columns:2;font-size:.95em}
.conclusions{background:#f6f9fc;border-left:4px solid #0072B2;padding:.4em 1em}.meta{color:#555;font-size:.9em}
details{margin:.4em 0}summary{cursor:pointer;color:#0072B2}code{background:#f5f5f5;padding:0 .2em}.note{color:#8a5a00}
.keys{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:0 1.2em}.keys h3{margin:.6em 0 0}"""


def write_report(out="out", *, quick: bool = False, progress: bool = True, workers: int | None = None,
                 spice: bool = True, data=None, keep_going: bool = False) -> dict:
    """Run every study and write ``out/report.html`` and ``out/report.json``.

    ``quick``: smaller studies (tests); ``workers``: worker processes of the Monte Carlo
    sweep (default: up to 2); ``spice``: compare with ngspice; ``data``: folder of the Knowm
    CSVs (default ``$MEMLAB_DATA``; without either the fitting section says it was skipped);
    ``keep_going``: a section that fails (a memlab error, or a model whose native or ngspice
    run fails) becomes a note in the report instead of failing it; by default it raises
    :class:`~memlab.errors.MemlabError` naming the section, and no report is written.
    Returns ``{"report": the report.json dict (run id, timestamp, timings, key results,
    numbers, figures, tables, notes), "files": {"html": path, "json": path}}``.
    """
    from memlab._version import __version__

    t_start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = out / ".runs" / run_id
    R = _Report(out)

    def timed(name, fn):
        t0 = time.perf_counter()
        try:
            fn()
        except MemlabError as err:
            if not keep_going:
                raise MemlabError(f"report section '{name}' failed: {type(err).__name__}: {err} (memlab demo "
                                  f"--keep-going writes the report without it)") from err
            R.notes.append(f"{name}: {type(err).__name__}: {err}")
            R.note_section(name, f"Not available in this run: {html.escape(str(err))}")
        R.timings[name] = time.perf_counter() - t0

    try:
        timed("Devices: compact models", lambda: _devices(R, quick, progress, spice, keep_going))
        timed("Devices: fitting measured loops", lambda: _fit(R, quick, data))
        timed("Arrays: one crossbar solve", lambda: _xbar(R, quick))
        timed("Arrays: MVM accuracy", lambda: _mvm(R, quick, progress, runs))
        timed("Arrays: Monte Carlo sweep", lambda: _monte_carlo(R, quick, progress, runs, workers))
        timed("Arrays: programming in time", lambda: _program(R, quick))
        timed("Networks: DNN accuracy", lambda: _dnn(R, quick, progress, runs))
        timed("Accelerators: chip comparison", lambda: _chips(R, quick))
    finally:
        shutil.rmtree(out / ".runs", ignore_errors=True)

    # sections and key results in layer order (a study may add a section of the next layer)
    order = lambda title: GROUPS.index(title.split(":")[0]) if title.split(":")[0] in GROUPS else len(GROUPS)
    R.sections.sort(key=lambda s: order(s[0]))
    R.keys.sort(key=lambda k: order(k["group"]))
    total = time.perf_counter() - t_start
    meta = {"run_id": run_id, "timestamp_utc": stamp, "memlab_version": __version__, "quick": quick,
            "keep_going": keep_going, "python": platform.python_version(), "machine": f"{platform.system()} "
            f"{platform.machine()}, {os.cpu_count()} CPUs", "wall_time_s": total, "timings_s": R.timings,
            "key_results": R.keys, "numbers": R.numbers, "conclusions": R.conclusions, "figures": R.figures,
            "tables": R.tables, "notes": R.notes}
    doc = _html(R, meta, __version__)
    files = {"json": atomic_write_json(out / "report.json", meta), "html": atomic_write_text(out / "report.html", doc)}
    return {"report": meta, "files": files}


def _html(R: _Report, meta: dict, version: str) -> str:
    """The report page: contents, conclusions, key results, sections, data files, run time."""
    parts = [("Conclusions", "conclusions"), ("Key results", "key-results")]
    parts += [(t, slug(t)) for t, _ in R.sections]
    parts += [("Data files", "data-files"), ("Run time", "run-time")] + ([("Notes", "notes")] if R.notes else [])
    toc = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for t, a in parts)
    concl = "".join(f"<li>{c}</li>" for c in R.conclusions) or "<li>No study produced a result.</li>"
    keys = ""
    for g in GROUPS + tuple(sorted({k["group"] for k in R.keys} - set(GROUPS))):
        rows = [k for k in R.keys if k["group"] == g]
        if rows:
            keys += f"<div><h3>{html.escape(g)}</h3>" + to_html(rows, [Column("quantity"), Column("display", "value")]) + "</div>"
    timing = [{"step": k, "t": v} for k, v in R.timings.items()] + [{"step": "total", "t": meta["wall_time_s"]}]
    notes = "".join(f'<li class="note">{html.escape(n)}</li>' for n in R.notes)
    run = meta["run_id"]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>memlab report {run}</title>'
            f"<style>{_CSS}</style></head><body><h1>memlab report</h1>"
            f'<p class="meta">Run id <code id="run-id">{run}</code>, {meta["timestamp_utc"]}, memlab '
            f'{html.escape(version)}, {html.escape(meta["machine"])}, {"quick" if meta["quick"] else "full"} run, '
            f'{meta["wall_time_s"]:.0f} s. Every figure and number below was computed by this run; the same run id '
            f'and numbers are in <a href="report.json">report.json</a>. Quantities are SI.</p>'
            f'<nav id="contents"><h2>Contents</h2><ol>{toc}</ol></nav>'
            f'<section id="conclusions"><h2>Conclusions</h2><ul class="conclusions">{concl}</ul></section>'
            f'<section id="key-results"><h2>Key results</h2><div class="keys">{keys}</div></section>'
            + "".join(s for _, s in R.sections)
            + '<section id="data-files"><h2>Data files</h2><p>Tidy tables (one row per point) written by this '
              "run, next to this file:</p><ul>"
            + "".join(f'<li><a href="{html.escape(t)}">{html.escape(t)}</a></li>' for t in R.tables) + "</ul></section>"
            + '<section id="run-time"><h2>Run time</h2>'
            + to_html(timing, [Column("step"), Column("t", "wall time", unit="s", style="si")]) + "</section>"
            + (f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else "")
            + "</body></html>\n")
