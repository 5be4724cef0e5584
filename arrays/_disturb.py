"""Write-disturb studies: the accumulated state change of half-selected cells against write count and bias scheme.

One write is one :func:`~memlab.arrays.write_drives` pulse simulated over the whole array
(:class:`~memlab.arrays.TransientCrossbar`), starting from the state the previous write
left. A study repeats a write (one cell, or a pattern: several ``(row, v_write)`` writes
applied in turn as one "write") ``n_writes`` times for each bias scheme and records, after
the write counts in ``record``, how far every cell has moved from its initial state as a
fraction of its state range. Cells are classed per pattern: selected (written by some
write of the pattern), half-selected (on a written row or a written column, not
selected), unselected (the rest). Units: V, s; state change as a fraction of the range.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError

from ._linedrives import SCHEMES, write_drives
from ._transient import TransientCrossbar, _integrate, single_threaded

__all__ = ["DisturbReport", "disturb_study"]


@dataclass
class DisturbReport:
    """Outcome of :func:`disturb_study`.

    ``writes`` (K,): write counts recorded; ``schemes``: the schemes studied;
    ``delta[scheme]`` (K, rows, cols): |state - initial state| / range after each recorded
    count; ``half_max``/``half_mean``/``unselected_max``/``selected_mean`` [scheme] (K,):
    summaries over the cell classes; ``selected``/``half_selected`` (rows, cols) masks;
    ``stats``: wall time (s) per scheme.
    """

    writes: np.ndarray
    schemes: tuple
    delta: dict
    selected: np.ndarray
    half_selected: np.ndarray
    half_max: dict
    half_mean: dict
    unselected_max: dict
    selected_mean: dict
    stats: dict = field(default_factory=dict)

    def table(self) -> list[dict]:
        """One row per (scheme, write count): the class summaries (fraction of the state range)."""
        return [{"scheme": s, "writes": int(n), "selected mean": self.selected_mean[s][k],
                 "half-selected max": self.half_max[s][k], "half-selected mean": self.half_mean[s][k],
                 "unselected max": self.unselected_max[s][k]}
                for s in self.schemes for k, n in enumerate(self.writes)]


def _pattern(shape, cells, v_write):
    """[(row, per-column v_write)] from one (row, col), a list of them, or (row, vector) pairs."""
    M, N = shape
    if isinstance(cells, tuple) and len(cells) == 2 and all(isinstance(c, (int, np.integer)) for c in cells):
        cells = [cells]
    out = []
    for item in cells:
        try:
            r, c = item
        except (TypeError, ValueError):
            raise ParameterError(f"disturb_study: parameter 'cells' item {item!r:.40} must be (row, col) or "
                                 "(row, per-column v_write)") from None
        if not (isinstance(r, (int, np.integer)) and 0 <= r < M):
            raise ParameterError(f"disturb_study: row {r!r} is outside the allowed range [0, {M - 1}] (integer)")
        if isinstance(c, (int, np.integer)):
            if not 0 <= c < N:
                raise ParameterError(f"disturb_study: column {c!r} is outside the allowed range [0, {N - 1}]")
            a = np.zeros(N)
            a[c] = v_write
        else:
            a = real(c, "v_write", unit="V", where="disturb_study", array=True)
            if a.shape != (N,):
                raise ParameterError(f"disturb_study: per-column v_write of row {r} has shape {a.shape}; "
                                     f"expected ({N},)")
        out.append((int(r), a))
    if not out:
        raise ParameterError("disturb_study: parameter 'cells' is empty")
    return out


def disturb_study(tx: TransientCrossbar, cells, *, v_write: float = 1.0, width: float, rise: float | None = None,
                  n_writes: int = 100, record=None, schemes=SCHEMES, rtol: float = 1e-3,
                  dx_max: float = 0.05) -> DisturbReport:
    """Repeat the write of ``cells`` ``n_writes`` times under each of ``schemes``.

    ``cells``: ``(row, col)``, a list of them, or ``(row, v_write_per_column)`` pairs (a
    pattern applied in turn per write); ``v_write`` (V) for (row, col) items; ``width`` /
    ``rise`` (s): the pulse; ``record``: write counts to record (default 1, 2, 5, 10, 20,
    50, ... up to ``n_writes``); ``rtol``/``dx_max``: transient tolerances.
    """
    w = "disturb_study"
    if not isinstance(tx, TransientCrossbar):
        raise ParameterError(f"{w}: parameter 'tx' must be a memlab.arrays.TransientCrossbar")
    tx.require_one_state(w)
    if isinstance(n_writes, (bool, float)):
        raise ParameterError(f"{w}: parameter 'n_writes' = {n_writes!r} must be an integer >= 1")
    n_writes = real(n_writes, "n_writes", lo=1, integer=True, where=w)
    schemes = (schemes,) if isinstance(schemes, str) else tuple(schemes)
    for s in schemes:
        if s not in SCHEMES:
            raise ParameterError(f"{w}: scheme {s!r} is not one of {SCHEMES}")
    M, N = tx.shape
    pat = _pattern((M, N), cells, real(v_write, "v_write", unit="V", where=w))
    if record is None:
        base = [1, 2, 5]
        record = sorted({b * 10 ** k for k in range(7) for b in base if b * 10 ** k <= n_writes} | {n_writes})
    rec = np.unique(real(record, "record", lo=1, hi=n_writes, integer=True, where=w, array=True).astype(int))
    sel = np.zeros((M, N), dtype=bool)
    rows_w = np.zeros(M, dtype=bool)
    cols_w = np.zeros(N, dtype=bool)
    for r, a in pat:
        sel[r, a != 0] = True
        rows_w[r] = True
        cols_w |= a != 0
    half = (rows_w[:, None] | cols_w[None, :]) & ~sel
    other = ~(half | sel)
    kin = tx._kin
    span = np.where(kin.hi > kin.lo, kin.hi - kin.lo, 1.0).reshape(M, N)
    x0 = tx.state
    out = {k: {} for k in ("delta", "half_max", "half_mean", "unselected_max", "selected_mean")}
    stats = {}
    net = tx._net(None)
    for s in schemes:
        t0 = time.perf_counter()
        waves = [write_drives((M, N), r, a, scheme=s, width=width, rise=rise).compile() for r, a in pat]
        x = np.array(x0)
        snaps = []
        with single_threaded(M * N):
            for n in range(1, n_writes + 1):
                for wv in waves:
                    x = _integrate(tx, net, wv, x, np.array([0.0, wv.T]), rtol, dx_max, np.inf, 200_000, ()).x_final
                if n in rec:
                    snaps.append(np.abs(x - x0) / span)
        d = np.stack(snaps)
        out["delta"][s] = d
        out["half_max"][s] = d[:, half].max(axis=1) if half.any() else np.zeros(len(rec))
        out["half_mean"][s] = d[:, half].mean(axis=1) if half.any() else np.zeros(len(rec))
        out["unselected_max"][s] = d[:, other].max(axis=1) if other.any() else np.zeros(len(rec))
        out["selected_mean"][s] = d[:, sel].mean(axis=1)
        stats[s] = {"wall_time": time.perf_counter() - t0}
    return DisturbReport(writes=rec, schemes=schemes, selected=sel, half_selected=half, stats=stats, **out)
