"""One weight matrix split into crossbar tiles; every tile is a :class:`memlab.arrays.AnalogMatrix`.

NetLayer ``y = W x + b`` (W: n_out x n_in) with input full scale ``s`` (the layer's ``x_max``):
the crossbar computes ``W_a u`` with ``W_a = [W, b / s]`` and ``u = [clip(x / s, -1, 1); 1]``
(the bias is one extra word line driven at full scale), and ``y = s * W_a u``. ``W_a`` is cut
into blocks of at most ``tile_rows`` inputs and as many outputs as fit in ``tile_cols``
columns (2 per output and slice for differential mapping, 1 per output and slice plus a
reference column per slice for offset mapping). Each block is programmed and read by its
own ``AnalogMatrix`` (weight mapping, bit slicing, DAC, ADC and the non-ideality chain all
live there; the tile's ``Crossbar`` solves IR drop, sneak paths and nonlinear cells). The
partial sums of the row blocks are added digitally after each tile's ADC. All tiles of a
layer share its weight full scale ``w_max = max|W_a|`` so their digital outputs add.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from memlab.arrays import AnalogMatrix

__all__ = ["Tile", "TiledMatrix"]


@dataclass
class Tile:
    """One crossbar tile of a layer.

    ``rows``: (start, stop) of the augmented input rows it reads; ``outputs``: (start, stop)
    of the layer outputs it computes; ``position``: (row block, column block) in the layer's
    tile grid; ``capacity``: the physical tile (rows, cols); ``analog``: its AnalogMatrix;
    ``used``: (rows, cols) of the weights (bias row and differential/reference columns
    included); ``pad_rows``: zero-weight rows above them when the whole tile is solved
    (``full_tiles``: used rows sit next to the sense amplifiers, used columns next to the
    drivers; unused cells hold the zero weight, unused rows are driven at 0 V).
    """

    layer: str
    group: int
    position: tuple
    rows: tuple
    outputs: tuple
    capacity: tuple
    analog: AnalogMatrix
    used: tuple
    pad_rows: int = 0

    @property
    def shape(self) -> tuple:
        """(rows, columns) of the crossbar that is solved (``used``, or ``capacity`` with full_tiles)."""
        return self.analog.crossbar.shape

    @property
    def utilisation(self) -> float:
        """Used cells / physical cells of the tile."""
        r, c = self.used
        return r * c / (self.capacity[0] * self.capacity[1])

    @property
    def conductances(self) -> np.ndarray:
        """Programmed conductances (rows, cols) in S, after the programming non-idealities (a copy)."""
        return np.array(self.analog.G_programmed)

    @property
    def crossbar(self):
        """The tile's :class:`memlab.arrays.Crossbar` (programmed, without read noise)."""
        return self.analog.crossbar

    @property
    def conversions(self) -> int:
        """ADC conversions per input vector: outputs x slices x input planes."""
        am = self.analog
        planes = am.dac_bits if am.input_mode == "bit-serial" else 1
        return (self.outputs[1] - self.outputs[0]) * am.n_slices * planes

    def padded(self, U) -> np.ndarray:
        """The crossbar's normalised word-line inputs for the tile's inputs ``U`` (rows, K)."""
        U = np.asarray(U, dtype=np.float64)
        return np.vstack([np.zeros((self.pad_rows, U.shape[1])), U]) if self.pad_rows else U

    def forward(self, U, return_stats: bool = False):
        """Digital partial sums (n_out_tile, K) of normalised inputs ``U`` (rows, K), |U| <= 1;
        with ``return_stats`` also this read's statistics (``AnalogMatrix.matvec``)."""
        y, stats = self.analog.matvec(self.padded(U), return_stats=True)
        y = y[:self.outputs[1] - self.outputs[0]]
        return (y, stats) if return_stats else y

    def ideal(self, U) -> np.ndarray:
        """Exact partial sums ``W_block @ U``."""
        return self.analog.W[:self.outputs[1] - self.outputs[0], self.pad_rows:] @ U

    def transfer_matrix(self) -> np.ndarray:
        """Exact port matrix (cols, rows) in S of the tile's linear crossbar (``i_out = T v_in``)."""
        return self.analog.crossbar.transfer_matrix()

    def __repr__(self):
        return (f"Tile({self.layer}[{self.group}] block {self.position}, rows {self.rows}, outputs {self.outputs}, "
                f"{self.shape[0]}x{self.shape[1]} of {self.capacity[0]}x{self.capacity[1]})")


class TiledMatrix:
    """``y = W x + b`` of one layer group on tiles (see the module docstring)."""

    def __init__(self, layer: str, group: int, W, b, x_max: float, tile: tuple, per_output: int,
                 reference: int, seeds, analog_kw: dict, calibration=None, amp_per_unit=None,
                 full_tiles: bool = False):
        """``calibration`` (K, n_in) with ``amp_per_unit`` (A per unit normalised output): each
        tile's ADC range becomes its largest |ideal output current| over those inputs."""
        self.layer, self.group = layer, group
        self.W = np.array(W, dtype=np.float64)
        self.b = None if b is None else np.array(b, dtype=np.float64)
        self.x_max = float(x_max)
        self.n_out, self.n_in = self.W.shape
        Wa = self.W if self.b is None else np.hstack([self.W, (self.b / self.x_max)[:, None]])
        self.W_aug = Wa
        w_max = float(np.max(np.abs(Wa))) or 1.0
        R, C = tile
        out_per_tile = C // per_output - reference
        row_cuts = [(r, min(r + R, Wa.shape[1])) for r in range(0, Wa.shape[1], R)]
        out_cuts = [(o, min(o + out_per_tile, self.n_out)) for o in range(0, self.n_out, out_per_tile)]
        self.tiles: list[Tile] = []
        seed_iter = iter(seeds)
        U = None if calibration is None else self.inputs(calibration)
        for i, (r0, r1) in enumerate(row_cuts):
            for j, (o0, o1) in enumerate(out_cuts):
                kw = dict(analog_kw)
                if U is not None:
                    peak = float(np.max(np.abs(Wa[o0:o1, r0:r1] @ U[r0:r1]), initial=0.0)) / w_max
                    kw["adc_range"] = peak * amp_per_unit if peak > 0 else None
                block, pad = Wa[o0:o1, r0:r1], 0
                if full_tiles:
                    pad = R - (r1 - r0)
                    block = np.zeros((out_per_tile, R))
                    block[:o1 - o0, pad:] = Wa[o0:o1, r0:r1]
                am = AnalogMatrix(block, w_max=w_max, x_max=1.0, seed=next(seed_iter), **kw)
                used = (r1 - r0, (o1 - o0 + reference) * per_output)
                self.tiles.append(Tile(layer, group, (i, j), (r0, r1), (o0, o1), (R, C), am, used, pad))

    @staticmethod
    def count(n_out: int, n_in_aug: int, tile: tuple, per_output: int, reference: int) -> int:
        """Number of tiles the layer needs (for seeding before construction)."""
        R, C = tile
        return math.ceil(n_in_aug / R) * math.ceil(n_out / (C // per_output - reference))

    def inputs(self, X) -> np.ndarray:
        """Normalised crossbar inputs (n_in_aug, K) of a batch ``X`` (K, n_in): DAC full scale clip."""
        U = np.clip(np.asarray(X, dtype=np.float64).T / self.x_max, -1.0, 1.0)
        return U if self.b is None else np.vstack([U, np.ones((1, U.shape[1]))])

    def run(self, X, detail: bool = False):
        """NetLayer output (K, n_out); with ``detail`` also [(tile, actual, ideal, read stats)]."""
        U = self.inputs(X)
        Y = np.zeros((self.n_out, U.shape[1]))
        parts = []
        for t in self.tiles:
            u = U[t.rows[0]:t.rows[1]]
            y, stats = t.forward(u, return_stats=True)
            Y[t.outputs[0]:t.outputs[1]] += y
            if detail:
                parts.append((t, y, t.ideal(u), stats))
        Y = (self.x_max * Y).T
        return (Y, parts) if detail else Y

    def ideal(self, X) -> np.ndarray:
        """Exact layer output ``X @ W.T + b`` (K, n_out)."""
        y = np.asarray(X, dtype=np.float64) @ self.W.T
        return y if self.b is None else y + self.b
