"""Atomic file writes and table formatting (CSV, Markdown)."""
from __future__ import annotations

import csv
import io
import math

from memlab._io import atomic_write_bytes, atomic_write_text  # noqa: F401 (re-exported)

__all__ = ["atomic_write_text", "atomic_write_bytes", "rows_to_csv", "rows_to_markdown", "fmt_si"]


def rows_to_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue()


_PREFIX = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"),
           (1e-12, "p"), (1e-15, "f")]


def fmt_si(x, unit: str = "") -> str:
    """Engineering notation with an SI prefix, 3 significant digits (display only)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, str):
        return x
    if x == 0:
        return f"0 {unit}".strip()
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    ax = abs(x)
    for f, p in _PREFIX:
        if ax >= f:
            return f"{x / f:.3g} {p}{unit}".strip()
    return f"{x:.3g} {unit}".strip()


def rows_to_markdown(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Markdown table; ``columns`` = [(key, header, unit)] with unit '' for plain values."""
    head = "| " + " | ".join(h for _, h, _ in columns) + " |"
    sep = "|" + "|".join("---" for _ in columns) + "|"
    lines = [head, sep]
    for r in rows:
        cells = []
        for key, _h, unit in columns:
            v = r.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(fmt_si(float(v), unit) if unit != "%" else f"{100 * v:.1f} %")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
