"""Atomic file output: every file is written to a temporary sibling and moved into place
with :func:`os.replace`, so a reader (or a resumed run) never sees a half-written file."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path

from memlab.errors import ConfigError

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "write_table", "read_table"]


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _jsonable(x):
    import numpy as np
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, Path):
        return str(x)
    return x


def atomic_write_json(path, obj) -> Path:
    """Write ``obj`` as indented JSON atomically (numpy scalars/arrays converted)."""
    return atomic_write_text(path, json.dumps(_jsonable(obj), indent=2, sort_keys=False) + "\n")


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
