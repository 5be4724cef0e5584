"""Atomic file output: every file is written to a temporary sibling and moved into place
with :func:`os.replace`, so a reader (or a resumed run) never sees a half-written file."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from memlab.errors import ConfigError
from memlab._io import atomic_write_bytes, atomic_write_text, atomic_write_json, _jsonable  # noqa: F401 (re-exported)

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "write_table", "read_table"]


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)  # round-trips exactly
    return str(v)


def write_table(rows: list[dict], path, columns: list[str] | None = None) -> Path:
    """Write a tidy table (one dict per row) as CSV or Parquet, chosen by the suffix.

    ``.csv``: floats are written with ``repr`` so they read back bit-identical.
    ``.parquet``: needs ``pyarrow`` (``pip install memlab[all]``).
    """
    path = Path(path)
    if columns is None:
        columns = []
        for r in rows:
            for k in r:
                if k not in columns:
                    columns.append(k)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])
        return atomic_write_text(path, buf.getvalue())
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as err:
            raise ConfigError(f"output '{path}': writing Parquet needs pyarrow (pip install pyarrow); "
                              "use a .csv output instead") from err
        table = pa.Table.from_pylist([{c: _jsonable(r.get(c)) for c in columns} for r in rows])
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return atomic_write_bytes(path, sink.getvalue().to_pybytes())
    raise ConfigError(f"output '{path}': unknown table format {suffix!r}; allowed: .csv, .parquet")


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
        import pyarrow.parquet as pq
        return pq.read_table(path).to_pylist()
    raise ConfigError(f"input '{path}': unknown table format {path.suffix!r}; allowed: .csv, .parquet")
