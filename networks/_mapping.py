"""Map a :class:`Network` onto tiles of crossbars and run it: :func:`map_network`, :class:`MappedNetwork`.

Inference: every matrix layer group is a :class:`~memlab.networks._tiles.TiledMatrix`;
each tile's :class:`~memlab.arrays.AnalogMatrix` reads its :class:`~memlab.arrays.Crossbar`
over the whole batch at once. Linear cells: the crossbar's exact port model (one sparse
factorisation, cached on the tile's Crossbar, when scikit-sparse is present and every wire,
driver and sense resistance is > 0) or its cached direct factorisation turns every batch
into dense matrix products. Nonlinear cells (``cell=``): damped Newton per input inside
``Crossbar.solve``. Digital layers run in float64.
"""
from __future__ import annotations

import numpy as np

from memlab._validate import positive_float, positive_int, real
from memlab.arrays import AnalogMatrix
from memlab.errors import ConfigError, ShapeError, out_of_range

from ._graph import Network
from ._tiles import TiledMatrix

__all__ = ["map_network", "MappedNetwork", "device_window"]

_DEFAULT_WINDOW = (1e-6, 1e-4)


def device_window(device) -> tuple[float, float] | None:
    """Conductance range (S) a device model can be programmed to, or None if it does not say.

    From ``R_on``/``R_off`` parameters (``[1/R_off, 1/R_on]``), else from a state variable in
    S (``SinhConductance``: its state bounds) or in ohm (``[1/R_max, 1/R_min]``).
    """
    vals = getattr(device, "values", None)
    if isinstance(vals, dict) and "R_on" in vals and "R_off" in vals:
        return 1.0 / float(vals["R_off"]), 1.0 / float(vals["R_on"])
    st = getattr(type(device), "state", None)
    unit = getattr(st, "unit", None)
    if unit == "S":
        return float(st.lo), float(st.hi)
    if unit == "ohm" and st.lo > 0:
        return 1.0 / float(st.hi), 1.0 / float(st.lo)
    return None


def _tile_shape(tile):
    if isinstance(tile, (int, np.integer)) and not isinstance(tile, bool):
        tile = (tile, tile)
    if not (isinstance(tile, (tuple, list)) and len(tile) == 2):
        raise ConfigError(f"parameter 'tile' = {tile!r} must be (rows, cols) of positive integers")
    return positive_int(tile[0], "tile rows"), positive_int(tile[1], "tile cols")


def _window(g_min, g_max, device):
    win = device_window(device) if device is not None else None
    # a device's R_on/R_off is a programming window; bare state bounds (SinhConductance: [0, 1] S) only a limit
    vals = getattr(device, "values", None)
    lo, hi = win if win is not None and isinstance(vals, dict) and "R_on" in vals else _DEFAULT_WINDOW
    g_min = lo if g_min is None else real(g_min, "g_min", lo=0.0, unit="S")
    g_max = hi if g_max is None else positive_float(g_max, "g_max")
    if win is not None:
        name = getattr(device, "name", type(device).__name__)
        for par, val in (("g_min", g_min), ("g_max", g_max)):
            if not (win[0] * (1 - 1e-12) <= val <= win[1] * (1 + 1e-12)):
                raise out_of_range(par, val, f"[{win[0]:g}, {win[1]:g}] S (the range of device '{name}')",
                                   "map_network")
    return g_min, g_max


def _input_scales(net, calibration, x_max, keep=False):
    """Per (layer, group): input full scale, input vectors per inference and (``keep``) the
    calibration inputs of the layer (K, n_in)."""
    stats: dict = {}
    inputs: dict = {}

    def record(layer, group, X):
        key = (layer.name, group)
        m = float(np.max(np.abs(X), initial=0.0))
        stats[key] = (max(stats.get(key, (0.0, 0))[0], m), X.shape[0])
        if keep:
            inputs[key] = X
        W, b = layer.matrices()[group]
        y = X @ W.T
        return y if b is None else y + b

    if calibration is not None:
        X = net.check_input(calibration)
        net.forward(X, matmul=record)
        n = X.shape[0]
    elif net.input_shape is not None:
        net.forward(np.zeros((1,) + net.input_shape), matmul=record)
        n = 1
    else:
        raise ConfigError("map_network needs 'calibration' inputs (or a network with a known input_shape) to lay "
                          "out the layers")
    scales = {}
    for key, (m, k) in stats.items():
        if isinstance(x_max, dict) and key[0] in x_max:
            s = positive_float(x_max[key[0]], f"x_max['{key[0]}']")
        elif x_max is not None and not isinstance(x_max, dict):
            s = positive_float(x_max, "x_max")
        elif calibration is not None:
            s = m if m > 0 else 1.0
        else:
            raise ConfigError(f"layer '{key[0]}' has no input full scale: give 'calibration' inputs or 'x_max'")
        scales[key] = (s, k // n, inputs.get(key))
    return scales


class MappedNetwork:
    """A network whose matrix layers run on crossbar tiles (made by :func:`map_network`).

    Attributes: ``network``; ``matrices`` {(layer, group): TiledMatrix}; ``tiles`` (every
    :class:`Tile`); ``vectors`` {(layer, group): input vectors per inference (1 for dense,
    H_out*W_out for conv)}; ``settings`` (the mapping parameters).

    State: programming noise is drawn once at :func:`map_network`; read noise is redrawn at
    every tile read, i.e. once per batch of ``infer`` (so results with ``ReadNoise`` depend on
    the call sequence and ``batch_size``, reproducibly for a given seed and sequence). Each
    tile's ``analog.stats`` counts ADC saturations cumulatively (AnalogMatrix's behaviour).
    """

    def __init__(self, network: Network, matrices: dict, vectors: dict, settings: dict):
        self.network = network
        self.matrices = matrices
        self.vectors = vectors
        self.settings = settings

    @property
    def tiles(self):
        return [t for m in self.matrices.values() for t in m.tiles]

    def _matmul(self, layer, group, X):
        return self.matrices[(layer.name, group)].run(X)

    def _batches(self, X, batch_size, progress, desc):
        n = X.shape[0]
        bs = n if batch_size is None else positive_int(batch_size, "batch_size")
        starts = range(0, n, bs)
        if progress is None:
            progress = n * len(self.tiles) >= 200_000
        if progress:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc=desc, unit="batch")
        return starts, bs

    def infer(self, x, *, batch_size: int | None = 1024, progress: bool | None = None) -> np.ndarray:
        """Network output for batch ``x`` computed on the crossbars (digital layers in float64)."""
        X = self.network.check_input(x)
        starts, bs = self._batches(X, batch_size, progress, f"memlab {self.network.name}")
        return np.concatenate([self.network.forward(X[s:s + bs], matmul=self._matmul) for s in starts], axis=0)

    def ideal(self, x) -> np.ndarray:
        """Exact float64 output of the network."""
        return self.network.forward(x)

    def accuracy(self, x, y, *, batch_size: int | None = 1024, progress: bool | None = None) -> float:
        """Fraction of samples whose largest output is the label ``y`` (integers, one per sample)."""
        labels = _labels(y, np.shape(x)[0])
        out = self.infer(x, batch_size=batch_size, progress=progress)
        return float(np.mean(np.argmax(out.reshape(out.shape[0], -1), axis=1) == labels))

    def report(self, x=None, y=None, *, t_read: float = 10e-9, energy_samples: int = 16):
        """A :class:`~memlab.networks.NetworkReport` of the tiles (and, with data ``x``, the errors).

        With ``x``: per-layer and per-tile relative error and SNR against the exact layer on the
        same (crossbar-computed) inputs, and the read energy per inference (J): the drivers'
        power from the tile solves at the unquantised input voltages over up to
        ``energy_samples`` vectors per tile, times ``t_read`` (s) per input vector and plane.
        With ``y``: accuracy and ideal accuracy.
        """
        from ._report import build_report
        return build_report(self, x, y, positive_float(t_read, "t_read"),
                            positive_int(energy_samples, "energy_samples"))

    def __repr__(self):
        R, C = self.settings["tile"]
        return (f"MappedNetwork('{self.network.name}', {len(self.matrices)} matrices on {len(self.tiles)} "
                f"tiles of {R}x{C})")


def _labels(y, n):
    lab = np.asarray(y)
    if lab.ndim != 1 or lab.shape[0] != n:
        raise ShapeError(f"parameter 'y' has shape {lab.shape}; expected ({n},) labels, one per sample of x")
    if lab.dtype.kind not in "iu":
        raise ShapeError(f"parameter 'y' must hold integer class labels, got dtype {lab.dtype}")
    return lab


def map_network(net: Network, *, tile=(128, 128), cell=None, device=None, weight_mapping: str = "differential",
                weight_bits: int | None = None, bits_per_cell: int | None = None, g_min: float | None = None,
                g_max: float | None = None, v_read: float = 0.2, r_row=0.0, r_col=0.0, r_driver=0.0,
                r_sense=0.0, dac_bits: int | None = None, input_mode: str = "multilevel",
                adc_bits: int | None = None, adc_range: float | str | None = None, adc_share: int = 1,
                nonidealities=(), seed=None, calibration=None, x_max=None,
                full_tiles: bool = False) -> MappedNetwork:
    """Map every matrix layer of ``net`` onto crossbar tiles of at most ``tile`` = (rows, cols) cells.

    Parameters (SI units)
    ----------
    tile : (rows, cols) of one physical crossbar, bias row and differential/offset columns
        included (an int means square).
    cell : nonlinear read model of a cell (``current(v, x)``, ``di_dv(v, x)`` with x = its
        conductance in S, e.g. ``SinhConductance``); None: linear cells.
    device : device model whose conductance range bounds ``g_min``/``g_max`` (default: ``cell``);
        a device with ``R_on``/``R_off`` also gives the default window [1/R_off, 1/R_on].
    weight_mapping : "differential" | "offset"; weight_bits, bits_per_cell : integer weights and
        bit slicing (None: continuous conductances); g_min, g_max : window (S), default the
        device's or [1e-6, 1e-4] S; v_read : full-scale read voltage (V).
    r_row, r_col, r_driver, r_sense : wire segment, driver and sense resistances (ohm).
    dac_bits, input_mode : input DAC ("multilevel" | "bit-serial"); adc_bits, adc_range :
        ADC resolution and range (A; default the tile's largest possible slice current;
        "calibrated": per tile the largest |ideal output current| over the calibration
        inputs, without bit slicing only);
        adc_share : signed outputs sharing one ADC (sets ADC count and read cycles).
    nonidealities : memlab.arrays steps (ProgrammingNoise, DeviceSpread, FiniteLevels,
        ReadNoise, Drift, StuckAt), applied to every tile; seed : seeds every tile.
    calibration : inputs (batch, ...) whose largest |input| of each layer sets its input full
        scale; x_max : float or {layer name: float} overriding it. Inputs beyond saturate.
    full_tiles : solve every tile at its full (rows, cols), unused cells at the zero weight and
        unused rows at 0 V (their wires and sneak paths count); default: only the used part.
    """
    if not isinstance(net, Network):
        raise ConfigError(f"map_network expects a memlab.networks.Network, got {type(net).__name__}")
    R, C = _tile_shape(tile)
    g_min, g_max = _window(g_min, g_max, device if device is not None else cell)
    adc_share = positive_int(adc_share, "adc_share")
    calibrated = isinstance(adc_range, str)
    if calibrated and (adc_range != "calibrated" or calibration is None):
        raise ConfigError(f"parameter 'adc_range' = {adc_range!r}: give a current in A, None, or 'calibrated' "
                          "together with 'calibration' inputs")
    analog_kw = dict(g_min=g_min, g_max=g_max, mapping=weight_mapping, weight_bits=weight_bits,
                     bits_per_cell=bits_per_cell, v_read=v_read, dac_bits=dac_bits, input_mode=input_mode,
                     adc_bits=adc_bits, adc_range=None if calibrated else adc_range,
                     nonidealities=tuple(nonidealities), r_row=r_row, r_col=r_col, r_driver=r_driver,
                     r_sense=r_sense, cell=cell)
    # a one-cell probe validates the settings once and gives the slice count (no second mapper)
    probe = AnalogMatrix(np.ones((1, 1)), **analog_kw)
    ns = probe.n_slices
    per_output, reference = (2 * ns, 0) if weight_mapping == "differential" else (ns, 1)
    if calibrated and ns != 1:
        raise ConfigError(f"adc_range='calibrated' needs one slice per weight; this mapping has {ns} slices "
                          "(give adc_range in A)")
    need = per_output * (1 + reference)
    if C < need:
        raise ConfigError(f"parameter 'tile' = ({R}, {C}): {C} columns cannot hold one bit-slice group, which needs "
                          f"{need} columns ({weight_mapping} mapping, {ns} slice(s) per weight)")
    scales = _input_scales(net, calibration, x_max, keep=calibrated)
    # slice current (A) per unit of normalised output (w / w_max = 1, u = 1): unit * v_read * Q
    amp_per_unit = probe.unit * probe.v_read * probe.Q if calibrated else None
    shapes = [(ly, g, W, b) for ly in net.matrix_layers for g, (W, b) in enumerate(ly.matrices())]
    counts = [TiledMatrix.count(W.shape[0], W.shape[1] + (b is not None), (R, C), per_output, reference)
              for _, _, W, b in shapes]
    children = np.random.SeedSequence(seed).spawn(sum(counts))
    seeds = iter(int(c.generate_state(1, np.uint64)[0]) for c in children)
    matrices, vectors = {}, {}
    for ly, g, W, b in shapes:
        key = (ly.name, g)
        s, k, X_cal = scales[key]
        matrices[key] = TiledMatrix(ly.name, g, W, b, s, (R, C), per_output, reference, seeds, analog_kw,
                                    calibration=X_cal, amp_per_unit=amp_per_unit, full_tiles=bool(full_tiles))
        vectors[key] = k
    settings = dict(analog_kw, tile=(R, C), adc_share=adc_share, seed=seed, slices=ns, full_tiles=bool(full_tiles),
                    cell=None if cell is None else type(cell).__name__,
                    nonidealities=[repr(s) for s in nonidealities])
    return MappedNetwork(net, matrices, vectors, settings)
