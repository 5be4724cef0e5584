"""Tables of row dicts, the one formatter of the project (ground module: every layer may use it).

A table is a list of dicts (one per row) and, optionally, a list of column specs
(:class:`Column`, or just keys). It renders as Markdown (:func:`to_markdown`), HTML
(:func:`to_html`) or CSV (:func:`to_csv`), and is written or read as a CSV or Parquet file
(:func:`write_table`, :func:`read_table`; written atomically through :mod:`memlab._io`).

Display formatting (Markdown, HTML) goes through :meth:`Column.format`: plain numbers with
4 significant digits (:func:`fmt_number`), engineering notation with an SI prefix
(:func:`fmt_si`) or a percentage. CSV keeps the raw values (floats as ``repr``, so they read
back bit-identical). Values are stored in SI units; units appear only in headers and
display strings.
"""
from __future__ import annotations

import csv
import html
import io
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from memlab._io import _jsonable, atomic_write_bytes, atomic_write_text
from memlab.errors import ConfigError, ParameterError

__all__ = ["MISSING", "Column", "fmt_number", "fmt_si", "to_markdown", "to_text", "to_csv", "to_html", "write_table",
           "read_table"]

#: How a missing value (None or NaN) is displayed.
MISSING = "\u2013"

_PREFIX = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"),
           (1e-12, "p"), (1e-15, "f")]
_STYLES = ("number", "si", "percent")


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def fmt_number(x) -> str:
    """A value for display: integers as they are, floats with 4 significant digits (scientific
    notation outside [1e-3, 1e5)), None and NaN as :data:`MISSING`, anything else ``str``."""
    if x is None:
        return MISSING
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        x = float(x)
        if math.isnan(x):
            return MISSING
        if x == 0:
            return "0"
        if 1e-3 <= abs(x) < 1e5:
            return f"{x:.4g}"
        return f"{x:.3e}"
    return str(x)


def fmt_si(x, unit: str = "") -> str:
    """Engineering notation with an SI prefix and 3 significant digits, e.g.
    ``fmt_si(1.5e-9, "J") == "1.5 nJ"`` (display only)."""
    if x is None or (_is_number(x) and math.isnan(x)):
        return MISSING
    if not _is_number(x):
        return str(x)
    x = float(x)
    if x == 0:
        return f"0 {unit}".strip()
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    ax = abs(x)
    for f, p in _PREFIX:
        if ax >= f:
            return f"{x / f:.3g} {p}{unit}".strip()
    return f"{x:.3g} {unit}".strip()


@dataclass(frozen=True)
class Column:
    """One column: the row ``key``, the ``header`` shown (default: the key) and how numbers
    are displayed: ``style="number"`` (:func:`fmt_number`), ``"si"`` (:func:`fmt_si` with
    ``unit``) or ``"percent"`` (a fraction shown as ``12.3 %``). Non-numbers are shown with
    ``str`` whatever the style."""

    key: str
    header: str | None = None
    unit: str = ""
    style: str = "number"

    def __post_init__(self):
        if self.style not in _STYLES:
            raise ParameterError(f"Column {self.key!r}: parameter 'style' = {self.style!r} is not one of {list(_STYLES)}")

    @property
    def label(self) -> str:
        return self.key if self.header is None else self.header

    def format(self, value) -> str:
        """``value`` as display text."""
        if _is_number(value) and not math.isnan(value):
            if self.style == "si":
                return fmt_si(value, self.unit)
            if self.style == "percent":
                return f"{100 * float(value):.1f} %"
        return fmt_number(value)


def _columns(rows, columns) -> list[Column]:
    if columns is None:
        keys: list = []
        for r in rows:
            keys += [k for k in r if k not in keys]
        columns = keys
    return [c if isinstance(c, Column) else Column(*c) if isinstance(c, tuple) else Column(str(c))
            for c in columns]


def to_markdown(rows: list[dict], columns=None) -> str:
    """Markdown table (a header line, a ``|---|`` line, one line per row, final newline).
    ``columns``: :class:`Column` objects, ``(key, header, unit, style)`` tuples or keys;
    default: every key in order of appearance."""
    cols = _columns(rows, columns)
    lines = ["| " + " | ".join(c.label for c in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(c.format(r.get(c.key)) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_text(rows: list[dict], columns=None) -> str:
    """Plain-text table for a terminal: right-aligned columns under a dashed header line,
    the cells formatted as in :func:`to_markdown`; final newline."""
    cols = _columns(rows, columns)
    cells = [[c.label for c in cols]] + [[c.format(r.get(c.key)) for c in cols] for r in rows]
    width = [max(len(row[k]) for row in cells) for k in range(len(cols))]
    line = lambda vals: "  ".join(v.rjust(w) for v, w in zip(vals, width)).rstrip()  # noqa: E731
    return "\n".join([line(cells[0]), "  ".join("-" * w for w in width)] + [line(r) for r in cells[1:]]) + "\n"


def to_html(rows: list[dict], columns=None) -> str:
    """HTML ``<table>`` (escaped; headers in ``<thead>``); ``<p><em>(no rows)</em></p>`` for no rows."""
    if not rows:
        return "<p><em>(no rows)</em></p>"
    cols = _columns(rows, columns)
    head = "".join(f"<th>{html.escape(c.label)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c.format(r.get(c.key)))}</td>" for c in cols) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(float(v))  # round-trips exactly (float() drops numpy's repr wrapper)
    return str(v)


def to_csv(rows: list[dict], columns=None) -> str:
    """CSV text: a header of column keys, raw values (floats as ``repr``, None empty); ``""``
    when there are no columns."""
    cols = _columns(rows, columns)
    if not cols:
        return ""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in cols])
    for r in rows:
        w.writerow([_csv_cell(r.get(c.key)) for c in cols])
    return buf.getvalue()


def write_table(rows: list[dict], path, columns=None) -> Path:
    """Write a tidy table (one dict per row) as CSV or Parquet, chosen by the suffix, atomically.

    ``.csv``: :func:`to_csv` (floats read back bit-identical). ``.parquet``: needs ``pyarrow``
    (``pip install memlab[all]``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return atomic_write_text(path, to_csv(rows, columns))
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as err:
            raise ConfigError(f"output '{path}': writing Parquet needs pyarrow (pip install pyarrow); "
                              "use a .csv output instead") from err
        keys = [c.key for c in _columns(rows, columns)]
        table = pa.Table.from_pylist([{k: _arrow_cell(r.get(k)) for k in keys} for r in rows])
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return atomic_write_bytes(path, sink.getvalue().to_pybytes())
    raise ConfigError(f"output '{path}': unknown table format {suffix!r}; allowed: .csv, .parquet")


def _arrow_cell(v):
    """A value for Arrow: floats stay floats (inf and NaN included: Arrow stores them; JSON's
    "inf" string would make a float column impossible to write), the rest as for JSON."""
    return float(v) if isinstance(v, float) else _jsonable(v)


def _parse(s: str):
    if s == "":
        return None
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    if s in ("True", "False"):
        return s == "True"
    return s


def read_table(path) -> list[dict]:
    """Read a table written by :func:`write_table` back as a list of row dicts."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, newline="") as fh:
            return [{k: _parse(v) for k, v in r.items()} for r in csv.DictReader(fh)]
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq
        except ImportError as err:
            raise ConfigError(f"input '{path}': reading Parquet needs pyarrow (pip install pyarrow)") from err
        return pq.read_table(path).to_pylist()
    raise ConfigError(f"input '{path}': unknown table format {path.suffix!r}; allowed: .csv, .parquet")
