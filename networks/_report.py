"""Summary of a mapped network: tiles, cells, ADC conversions, per-layer error, read energy."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from memlab._table import to_markdown, to_text

from memlab.arrays import relative_error, snr_db

__all__ = ["NetworkReport", "build_report"]


@dataclass
class NetworkReport:
    """Data of :meth:`MappedNetwork.report` (plain lists of dicts, SI units).

    tiles : one dict per tile: layer, group, position, rows, cols (used), capacity,
        utilisation, adcs, conversions (per inference), solved (rows x cols of the crossbar
        solved: the used part, or the whole tile with full_tiles) and, with data, rel_error, snr_db and
        adc_saturated (conversions beyond the ADC range during this report).
    layers : one dict per layer group: layer, group, shape (n_out, n_in), x_max, tiles,
        vectors (per inference), conversions (per inference), active_rows (word lines driven
        per input vector, summed over tiles) and, with data, rel_error, snr_db.
    read_energy_per_inference : J (None without data); accuracy / ideal_accuracy with labels.
    """

    network: str
    tile: tuple
    tiles: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    n_tiles: int = 0
    n_cells: int = 0
    n_cells_used: int = 0
    adc_conversions_per_inference: int = 0
    read_energy_per_inference: float | None = None
    accuracy: float | None = None
    ideal_accuracy: float | None = None
    settings: dict = field(default_factory=dict)

    def to_text(self, markdown: bool = False) -> str:
        """Plain-text (or Markdown) rendering: a summary, the layer table and the tile table."""
        R, C = self.tile
        lines = [f"{'## ' if markdown else ''}{self.network} on {self.n_tiles} tiles of {R}x{C}", "",
                 f"cells: {self.n_cells_used} used of {self.n_cells} ({self.n_cells_used / max(self.n_cells, 1):.1%})",
                 f"ADC conversions per inference: {self.adc_conversions_per_inference}"]
        if self.read_energy_per_inference is not None:
            lines.append(f"read energy per inference: {self.read_energy_per_inference:.4g} J")
        if self.accuracy is not None:
            lines.append(f"accuracy: {self.accuracy:.4f} (ideal {self.ideal_accuracy:.4f})")
        lines.append("")
        render = to_markdown if markdown else to_text
        cols = ["layer", "group", "shape", "tiles", "vectors", "conversions", "rel_error", "snr_db"]
        lines.append(render(_shown(self.layers), cols))
        cols = ["layer", "group", "position", "rows", "cols", "utilisation", "adcs", "conversions", "rel_error",
                "snr_db"]
        lines.append(render(_shown(self.tiles), cols))
        return "\n".join(lines)

    def to_markdown(self) -> str:
        return self.to_text(markdown=True)

    def __str__(self):
        return self.to_text()


def _shown(rows):
    """Rows with tuples written for a table: a position as ``i,j``, a shape as ``AxB``."""
    join = lambda k, v: (",".join(map(str, v)) if k == "position" else "x".join(map(str, v)))  # noqa: E731
    return [{k: join(k, v) if isinstance(v, tuple) else v for k, v in r.items()} for r in rows]


def _energy(mapped, tm, U, n_samples, t_read):
    """Read energy (J) per inference of one TiledMatrix from tile solves of a few input vectors."""
    k = U.shape[1]
    pick = np.linspace(0, k - 1, min(n_samples, k)).astype(int)
    e = 0.0
    for t in tm.tiles:
        am = t.analog
        V = t.padded(U[t.rows[0]:t.rows[1]][:, pick]) * am.v_read
        planes = am.dac_bits if am.input_mode == "bit-serial" else 1
        sol = am.crossbar.solve(V, full=False, progress=False)
        e += float(np.mean(sol.power)) * t_read * planes
    return e * mapped.vectors[(tm.layer, tm.group)]


def build_report(mapped, x, y, t_read, energy_samples) -> NetworkReport:
    R, C = mapped.settings["tile"]
    share = mapped.settings["adc_share"]
    rep = NetworkReport(network=mapped.network.name, tile=(R, C), settings=dict(mapped.settings))
    tile_rows = {}
    for key, tm in mapped.matrices.items():
        vec = mapped.vectors[key]
        layer_row = {"layer": key[0], "group": key[1], "shape": tm.W.shape, "x_max": tm.x_max,
                     "tiles": len(tm.tiles), "vectors": vec, "conversions": 0, "active_rows": 0}
        for t in tm.tiles:
            r, c = t.used
            row = {"layer": key[0], "group": key[1], "position": t.position, "rows": r, "cols": c,
                   "capacity": (R, C), "utilisation": t.utilisation,
                   "adcs": math.ceil((t.outputs[1] - t.outputs[0]) * t.analog.n_slices / share),
                   "conversions": t.conversions * vec, "solved": t.shape}
            layer_row["conversions"] += row["conversions"]
            layer_row["active_rows"] += r
            rep.tiles.append(row)
            tile_rows[id(t)] = row
            rep.n_cells_used += r * c
        rep.layers.append(layer_row)
    rep.n_tiles = len(rep.tiles)
    rep.n_cells = rep.n_tiles * R * C
    rep.adc_conversions_per_inference = sum(r["conversions"] for r in rep.layers)
    if x is None:
        return rep
    by_key = {(r["layer"], r["group"]): r for r in rep.layers}
    energy = [0.0]

    def matmul(layer, group, X):
        tm = mapped.matrices[(layer.name, group)]
        Y, parts = tm.run(X, detail=True)
        ref = tm.ideal(X)
        row = by_key[(layer.name, group)]
        row["rel_error"], row["snr_db"] = relative_error(Y, ref), snr_db(Y, ref)
        for t, a, i, stats in parts:      # statistics of this read only (AnalogMatrix.matvec)
            tile_rows[id(t)]["rel_error"], tile_rows[id(t)]["snr_db"] = relative_error(a, i), snr_db(a, i)
            tile_rows[id(t)]["adc_saturated"] = stats["adc_saturated"]
        row["read_energy"] = _energy(mapped, tm, tm.inputs(X), energy_samples, t_read)
        energy[0] += row["read_energy"]
        return Y

    out = mapped.network.forward(x, matmul=matmul)
    rep.read_energy_per_inference = energy[0]
    if y is not None:
        from ._mapping import _labels
        lab = _labels(y, out.shape[0])
        rep.accuracy = float(np.mean(np.argmax(out.reshape(out.shape[0], -1), axis=1) == lab))
        ideal = mapped.ideal(x)
        rep.ideal_accuracy = float(np.mean(np.argmax(ideal.reshape(ideal.shape[0], -1), axis=1) == lab))
    return rep
