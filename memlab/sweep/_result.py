"""Results of a sweep: the store of finished points (one small JSON file per point, written
atomically) and the tidy table :class:`SweepResult` (one row per point, by point index)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from memlab._io import atomic_write_text
from memlab._table import write_table
from memlab.errors import ParameterError

__all__ = ["SweepResult"]


@dataclass
class SweepResult:
    """Tidy result table of a sweep: ``rows`` (one dict per point, by point index) and
    ``columns``. ``complete`` is False when the run stopped early (``stop_after``) or a point
    failed (its row has an ``error``; it is recomputed on the next run);
    ``n_computed`` points were computed by this run, ``n_reused`` came from the store."""

    rows: list[dict]
    columns: list[str]
    complete: bool
    n_computed: int
    n_reused: int
    n_failed: int
    store: Path
    path: Path | None = None

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (missing values as NaN/None)."""
        if name not in self.columns:
            raise ParameterError(f"parameter 'name' = {name!r} is not a column; columns: {self.columns}")
        vals = [r.get(name) for r in self.rows]
        try:
            return np.array([np.nan if v is None else v for v in vals], dtype=float)
        except (TypeError, ValueError):
            return np.array(vals, dtype=object)

    def write(self, path) -> Path:
        """Write the table as CSV or Parquet (by suffix), atomically."""
        return write_table(self.rows, path, self.columns)

    def to_pandas(self):
        import pandas as pd  # optional
        return pd.DataFrame(self.rows, columns=self.columns)


def load_store(store: Path) -> dict:
    """Finished points in ``store``: point key -> record; unreadable files are skipped (recomputed)."""
    done = {}
    if store.is_dir():
        for f in store.glob("*.json"):
            try:
                rec = json.loads(f.read_text())
            except (OSError, ValueError):
                continue  # unreadable file: the point is recomputed
            if isinstance(rec, dict) and rec.get("ok"):
                done[f.stem] = rec
    return done


def _encode(obj) -> str:
    """The store's JSON: floats as ``repr`` (exact), NaN and infinities as Python's json
    writes them (``NaN``, ``Infinity``: read back as the same floats, never as null or a
    string), numpy scalars and arrays as Python numbers and lists, other objects by ``str``."""
    def default(x):
        if isinstance(x, np.generic):
            return x.item()
        if isinstance(x, np.ndarray):
            return x.tolist()
        return str(x)
    return json.dumps(obj, allow_nan=True, default=default)


def round_trip(obj):
    """``obj`` as it reads back from the store (a computed point equals a reused one)."""
    return json.loads(_encode(obj))


def save_point(store: Path, point, result: dict) -> dict:
    """Write the record of a finished point (atomically) and return it."""
    rec = {"ok": True, "index": point.index, "params": point.params, "seed": point.seed, "result": result}
    atomic_write_text(store / f"{point.key}.json", _encode(rec) + "\n")
    return rec


def assemble(spec, points, done: dict, errors: dict) -> tuple[list[dict], list[str]]:
    """Rows (by point index) and columns of the tidy table: point, sample, repeat, seed, the
    parameters, the results (``out_<name>`` when a result name clashes) and ``error``."""
    pnames = spec.param_names
    rows, out_cols = [], []
    for p in points:
        row = {"point": p.index}
        if spec.samples:
            row["sample"] = p.sample
        if spec.repeats > 1:
            row["repeat"] = p.repeat
        row["seed"] = p.seed
        row.update({k: p.params[k] for k in pnames})
        rec = done.get(p.key)
        if rec is not None:
            for k, v in rec["result"].items():
                if k in row:
                    k = f"out_{k}"
                if k not in out_cols:
                    out_cols.append(k)
                row[k] = v
        if p.key in errors:
            row["error"] = errors[p.key]
        rows.append(row)
    columns = ["point"] + (["sample"] if spec.samples else []) + (["repeat"] if spec.repeats > 1 else [])
    columns += ["seed"] + pnames + out_cols + (["error"] if errors else [])
    return rows, columns
