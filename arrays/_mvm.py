"""Analog matrix-vector multiplication ``y = W x`` on a memristor crossbar.

Weight mapping (``W`` of shape (n_out, n_in); inputs drive the ``n_in`` word lines):

- normalised weights ``u = W / w_max`` in [-1, 1]; with ``weight_bits`` they become
  integers ``q = round(u * Q)``, ``Q = 2**weight_bits - 1``, else ``q = u`` (continuous).
- ``mapping="differential"``: ``q+ = max(q, 0)`` and ``q- = max(-q, 0)`` on two columns;
  ``mapping="offset"``: ``q + Q`` on one column and ``Q`` on a shared reference column.
- bit slicing: with ``bits_per_cell = b`` each unsigned value is split into base ``2**b``
  digits on separate column groups; a digit ``d`` is programmed as
  ``g_min + d * (g_max - g_min) / (2**b - 1)``.
- input DAC: ``x`` (|x| <= x_max) becomes ``v = x / x_max * v_read`` volts, quantised to
  ``2**dac_bits - 1`` magnitude levels (sign-magnitude); ``input_mode="bit-serial"``
  applies one bipolar pulse (+-v_read or 0) per magnitude bit and shifts-and-adds.
- ADC: each slice's signed column current (differential pair or column minus reference)
  is quantised to ``2**adc_bits - 1`` symmetric levels over [-adc_range, adc_range] (A);
  currents beyond the range saturate (counted per call in ``stats['adc_saturated']``).
  Both converters are sign-magnitude around :func:`memlab.arrays.quantize_uniform`.
- digital shift-and-add: ``y = sum_s B**s * i_s / unit / (v_read / x_max) * w_max / Q``.

The circuit is solved exactly by :class:`memlab.arrays.Crossbar` (IR drop, sneak paths,
nonlinear cells); non-idealities are :mod:`memlab.arrays._nonideal` steps.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from memlab.errors import ParameterError, ShapeError, out_of_range

from ._crossbar import Crossbar
from ._nonideal import apply_steps
from ._quantize import quantize_uniform
from memlab._validate import as_conductance, positive_float, positive_int, real

__all__ = ["AnalogMatrix", "MVMReport", "relative_error", "column_error", "snr_db"]


def relative_error(actual, ideal) -> float:
    """``norm(actual - ideal) / norm(ideal)`` (Frobenius)."""
    a, i = np.asarray(actual, float), np.asarray(ideal, float)
    if a.shape != i.shape:
        raise ShapeError(f"actual has shape {a.shape}, ideal {i.shape}; they must match")
    d = np.linalg.norm(i)
    return float(np.linalg.norm(a - i) / d) if d > 0 else float(np.linalg.norm(a - i))


def column_error(actual, ideal) -> np.ndarray:
    """Per-output RMS error over the batch divided by the RMS ideal output over everything (n_out,)."""
    a, i = np.atleast_2d(np.asarray(actual, float).T).T, np.atleast_2d(np.asarray(ideal, float).T).T
    if a.shape != i.shape:
        raise ShapeError(f"actual has shape {a.shape}, ideal {i.shape}; they must match")
    ref = np.sqrt(np.mean(i ** 2))
    rms = np.sqrt(np.mean((a - i) ** 2, axis=1))
    return rms / ref if ref > 0 else rms


def snr_db(actual, ideal) -> float:
    """Signal-to-error ratio ``10 log10(sum ideal^2 / sum (actual - ideal)^2)`` in dB."""
    a, i = np.asarray(actual, float), np.asarray(ideal, float)
    e = np.sum((a - i) ** 2)
    s = np.sum(i ** 2)
    if e == 0:
        return math.inf
    return float(10 * np.log10(s / e)) if s > 0 else -math.inf


@dataclass
class MVMReport:
    """Actual and ideal outputs side by side with error metrics."""

    actual: np.ndarray
    ideal: np.ndarray
    relative_error: float
    column_error: np.ndarray
    snr_db: float
    stats: dict = field(default_factory=dict)


def _sign_magnitude(x, bits: int, full_scale: float):
    """``sign(x)`` times the unsigned ``bits``-bit quantiser of ``|x|`` over [0, full_scale]:
    ``2**(bits+1) - 1`` symmetric levels ``k full_scale / (2**bits - 1)``, zero included."""
    return np.sign(x) * quantize_uniform(np.abs(x), bits, full_scale, signed=False)


class AnalogMatrix:
    """``y = W x`` computed by a memristor crossbar with composable non-idealities.

    Parameters (SI units)
    ----------
    weights : (n_out, n_in) array.
    g_min, g_max : conductance window (S), 0 <= g_min < g_max.
    mapping : "differential" (two columns per weight) or "offset" (one column plus a
        reference column per slice).
    weight_bits : integer weight magnitude bits (None: continuous weights).
    bits_per_cell : bits stored per cell when slicing (default: all ``weight_bits`` in one
        cell, i.e. ``2**weight_bits`` levels).
    w_max : weight full scale (default ``max|W|``); x_max : input full scale (default 1).
    v_read : read voltage (V) at full-scale input.
    dac_bits, input_mode : input DAC resolution (None: ideal) and "multilevel" | "bit-serial".
    adc_bits, adc_range : ADC resolution (None: ideal) and range (A; default: the largest
        possible slice current ``n_in * (g_max - g_min) * v_read``).
    nonidealities : sequence of steps from :mod:`memlab.arrays._nonideal` (applied in order).
    r_row, r_col, r_driver, r_sense : crossbar resistances (ohm), see :class:`Crossbar`.
    cell : optional nonlinear cell model (state = programmed conductance).
    seed : seeds every random step (programming at construction, read noise per read).
    """

    def __init__(self, weights, *, g_min: float = 1e-6, g_max: float = 1e-4, mapping: str = "differential",
                 weight_bits: int | None = None, bits_per_cell: int | None = None, w_max: float | None = None,
                 x_max: float = 1.0, v_read: float = 0.2, dac_bits: int | None = None,
                 input_mode: str = "multilevel", adc_bits: int | None = None, adc_range: float | None = None,
                 nonidealities=(), r_row=0.0, r_col=0.0, r_driver=0.0, r_sense=0.0, cell=None, seed=None,
                 method: str = "auto"):
        W = np.array(weights, dtype=np.float64)
        if W.ndim != 2 or W.size == 0:
            raise ShapeError(f"parameter 'weights' must be a non-empty 2-D array (n_out, n_in), got shape {W.shape}")
        if not np.all(np.isfinite(W)):
            raise ParameterError("parameter 'weights' contains NaN or inf; allowed: finite values")
        self.W = W
        self.n_out, self.n_in = W.shape
        if not (np.isfinite(g_min) and np.isfinite(g_max) and 0 <= g_min < g_max):
            raise out_of_range("g_min, g_max", (g_min, g_max), "0 <= g_min < g_max < inf S", "AnalogMatrix")
        self.g_min, self.g_max = float(g_min), float(g_max)
        if mapping not in ("differential", "offset"):
            raise ParameterError(f"parameter 'mapping' = {mapping!r} is not one of ('differential', 'offset')")
        self.mapping = mapping
        self.w_max = float(np.max(np.abs(W))) if w_max is None else positive_float(w_max, "w_max")
        if self.w_max == 0:
            self.w_max = 1.0
        if np.max(np.abs(W)) > self.w_max * (1 + 1e-12):
            raise out_of_range("weights", float(np.max(np.abs(W))), f"|w| <= w_max = {self.w_max:g}", "AnalogMatrix")
        self.x_max = positive_float(x_max, "x_max")
        self.v_read = positive_float(v_read, "v_read")
        self.weight_bits = None if weight_bits is None else positive_int(weight_bits, "weight_bits", maximum=32)
        if bits_per_cell is not None and self.weight_bits is None:
            raise ParameterError("parameter 'bits_per_cell' needs 'weight_bits' (slicing applies to integer weights)")
        self.bits_per_cell = (None if self.weight_bits is None else
                              positive_int(bits_per_cell if bits_per_cell is not None else self.weight_bits,
                                           "bits_per_cell", maximum=16))
        self.dac_bits = None if dac_bits is None else positive_int(dac_bits, "dac_bits", maximum=24)
        if input_mode not in ("multilevel", "bit-serial"):
            raise ParameterError(f"parameter 'input_mode' = {input_mode!r} is not one of ('multilevel', 'bit-serial')")
        if input_mode == "bit-serial" and self.dac_bits is None:
            raise ParameterError("input_mode 'bit-serial' needs 'dac_bits' (number of input bit planes)")
        self.input_mode = input_mode
        self.adc_bits = None if adc_bits is None else positive_int(adc_bits, "adc_bits", minimum=2, maximum=24)
        full_scale = self.n_in * (self.g_max - self.g_min) * self.v_read
        self.adc_range = full_scale if adc_range is None else positive_float(adc_range, "adc_range")
        self.steps = tuple(nonidealities)
        self.method = method
        self._seed_seq = np.random.SeedSequence(seed)
        prog_seed, read_seed = self._seed_seq.spawn(2)
        self._read_rng = np.random.default_rng(read_seed)

        # ---- integer / continuous representation and slicing
        u = W / self.w_max
        if self.weight_bits is None:
            self.Q = 1
            q = u
            self.base = 1
            self.n_slices = 1
        else:
            self.Q = 2 ** self.weight_bits - 1
            q = np.rint(u * self.Q)
            self.base = 2 ** self.bits_per_cell
            span = 2 * self.Q if mapping == "offset" else self.Q
            self.n_slices = max(1, math.ceil(math.log(span + 1, self.base) - 1e-12))
        self.q = q
        dg = self.g_max - self.g_min
        if self.weight_bits is None:
            self.unit = dg if mapping == "differential" else dg / 2
        else:
            self.unit = dg / (self.base - 1)
        self.G_target = self._program_targets(q)
        ctx = {"g_min": self.g_min, "g_max": self.g_max}
        self.G_programmed = apply_steps(self.G_target.copy(), self.steps, ctx, np.random.default_rng(prog_seed),
                                        at_read=False)
        self._programming_stats = {k: v for k, v in ctx.items() if k not in ("g_min", "g_max")}
        self._has_read_noise = any(getattr(s, "at_read", False) for s in self.steps)
        self._xb_kw = dict(r_row=r_row, r_col=r_col, r_driver=r_driver, r_sense=r_sense)
        self.cell = cell
        self._xb = self._crossbar(self.G_programmed)

    # ------------------------------------------------------------------ mapping
    def _digits(self, val):
        """Split non-negative values into ``n_slices`` base-B digits (least significant first)."""
        if self.weight_bits is None:
            return [val]
        out = []
        rest = val.astype(np.int64)
        for _ in range(self.n_slices):
            out.append((rest % self.base).astype(np.float64))
            rest = rest // self.base
        return out

    def _program_targets(self, q):
        """Target conductances (n_in, cols) in S; columns grouped by slice."""
        gm, step = self.g_min, self.unit
        qt = q.T  # (n_in, n_out)
        blocks = []
        if self.mapping == "differential":
            dp = self._digits(np.maximum(qt, 0))
            dn = self._digits(np.maximum(-qt, 0))
            for s in range(self.n_slices):
                blk = np.empty((self.n_in, 2 * self.n_out))
                blk[:, 0::2] = gm + dp[s] * step
                blk[:, 1::2] = gm + dn[s] * step
                blocks.append(blk)
        else:
            do = self._digits(qt + self.Q)
            dr = self._digits(np.full((self.n_in, 1), float(self.Q)))
            for s in range(self.n_slices):
                blocks.append(np.hstack([gm + do[s] * step, gm + dr[s] * step]))
        return np.hstack(blocks)

    def _crossbar(self, G):
        if self.cell is None:
            return Crossbar(G, **self._xb_kw)
        return Crossbar(G, cell=self.cell, state=G, **self._xb_kw)

    @property
    def crossbar(self) -> Crossbar:
        """The programmed :class:`Crossbar` (without read noise)."""
        return self._xb

    @property
    def shape(self):
        return self.W.shape

    @property
    def stats(self) -> dict:
        """Programming statistics (e.g. ``stuck_on``), fixed at construction (a copy).

        Statistics of a read (``adc_saturated``, ``clipped_at_read``) belong to that read:
        ``matvec(x, return_stats=True)`` or :meth:`compare`.
        """
        return dict(self._programming_stats)

    # ------------------------------------------------------------------ reading
    # The read chain, one public step per stage (matvec runs them; hardware-aware training,
    # memlab.networks.fine_tune, runs them around its own exact solves):
    # input_voltages (DAC) -> Crossbar.solve (bit-line currents) -> read_out (slices, ADC,
    # shift-and-add); readout_matrix is read_out's linear map with an ideal ADC.
    def input_voltages(self, x):
        """DAC: word-line voltages of inputs ``x`` (n_in,) or (n_in, K), |x| <= x_max.

        Returns a list of ``(V, weight)`` pairs, ``V`` (n_in, K) in volts: the output is
        ``sum(weight * read_out(i_out(V)))`` over the list (one pair for multilevel inputs,
        one per bit plane for ``input_mode="bit-serial"``).
        """
        X, _ = self._check_x(x)
        return self._dac(X)

    def read_out(self, i_out, stats: dict | None = None) -> np.ndarray:
        """Digital outputs (n_out, K) of bit-line currents ``i_out`` (A, (cols, K)) of one read.

        Signed slice currents (differential pair, or column minus reference column), the ADC
        (counts its saturated conversions into ``stats["adc_saturated"]`` when ``stats`` is
        given), the shift-and-add over slices and the scale to ``W x`` units.
        """
        i = real(i_out, "i_out", unit="A", where="AnalogMatrix.read_out", array=True)
        i = i[:, None] if i.ndim == 1 else i
        if i.ndim != 2 or i.shape[0] != self._xb.cols:
            raise ShapeError(f"parameter 'i_out' has shape {np.shape(i_out)}; expected ({self._xb.cols}, K)")
        st = {"adc_saturated": 0} if stats is None else stats
        st.setdefault("adc_saturated", 0)
        return self._read_out(i, st)

    def _read_out(self, i, st):
        conv = self.w_max / self.Q / self.unit / (self.v_read / self.x_max)
        return sum((self.base ** s) * self._adc(i_s, st) * conv for s, i_s in enumerate(self._slice_currents(i)))

    @property
    def readout_matrix(self) -> np.ndarray:
        """(n_out, cols) matrix ``R`` (1/A, in ``W x`` units) with ``read_out(i) = R @ i`` for an ideal
        ADC (the straight-through map a gradient takes through the ADC)."""
        conv = self.w_max / self.Q / self.unit / (self.v_read / self.x_max)
        eye = np.eye(self._xb.cols)
        return conv * sum(self.base ** s * blk for s, blk in enumerate(self._slice_currents(eye)))

    def reprogrammed(self, G) -> "AnalogMatrix":
        """A copy of this matrix with programmed conductances ``G`` (S, the crossbar's shape) and a
        copy of the read-noise generator (this matrix is not changed)."""
        G = as_conductance(G, "G")
        if G.shape != self.G_programmed.shape:
            raise ShapeError(f"parameter 'G' has shape {G.shape}; expected {self.G_programmed.shape}")
        new = copy.copy(self)
        new.G_programmed = G
        new._xb = new._crossbar(G)
        new._read_rng = copy.deepcopy(self._read_rng)
        return new

    def _dac(self, X):
        """DAC of validated inputs (n_in, K): see :meth:`input_voltages`."""
        scale = self.v_read / self.x_max
        if self.dac_bits is None:
            return [(X * scale, 1.0)]
        xq = _sign_magnitude(X, self.dac_bits, self.x_max)
        if self.input_mode == "multilevel":
            return [(xq * scale, 1.0)]
        L = 2 ** self.dac_bits - 1
        k = np.rint(np.abs(xq) / self.x_max * L).astype(np.int64)
        sgn = np.sign(X)
        return [(sgn * ((k >> p) & 1) * self.v_read, 2.0 ** p / L) for p in range(self.dac_bits)]

    def _adc(self, i, stats):
        """ADC of signed slice currents ``i`` (A); counts saturated conversions in ``stats``."""
        if self.adc_bits is None:
            return i
        n = 2 ** (self.adc_bits - 1) - 1
        stats["adc_saturated"] += int(np.sum(np.abs(i) > (n + 0.5) * self.adc_range / n))
        return _sign_magnitude(i, self.adc_bits - 1, self.adc_range)

    def _slice_currents(self, i_cols):
        """Signed current per slice and output: list over slices of (n_out, K) arrays."""
        out = []
        per = 2 * self.n_out if self.mapping == "differential" else self.n_out + 1
        for s in range(self.n_slices):
            blk = i_cols[s * per:(s + 1) * per]
            if self.mapping == "differential":
                out.append(blk[0::2] - blk[1::2])
            else:
                out.append(blk[:-1] - blk[-1:])
        return out

    def _check_x(self, x):
        X = np.array(x, dtype=np.float64)
        single = X.ndim == 1
        if X.ndim not in (1, 2) or X.shape[0] != self.n_in:
            raise ShapeError(f"parameter 'x' has shape {X.shape}; expected ({self.n_in},) or ({self.n_in}, batch)")
        if not np.all(np.isfinite(X)):
            raise ParameterError("parameter 'x' contains NaN or inf; allowed: finite values")
        if np.max(np.abs(X), initial=0.0) > self.x_max * (1 + 1e-12):
            raise out_of_range("x", float(np.max(np.abs(X))), f"|x| <= x_max = {self.x_max:g}", "AnalogMatrix.matvec")
        return (X[:, None] if single else X), single

    def matvec(self, x, *, return_stats: bool = False):
        """Actual output ``y`` (n_out,) or (n_out, batch) of the analog array for input ``x``.

        With ``return_stats``: ``(y, stats)``, the statistics of this read only
        (``adc_saturated``: conversions beyond the ADC range; ``clipped_at_read``: cells
        clipped to the conductance window by read noise).
        """
        X, single = self._check_x(x)
        stats = {"adc_saturated": 0}
        xb = self._xb
        if self._has_read_noise:
            ctx = {"g_min": self.g_min, "g_max": self.g_max}
            G = apply_steps(self.G_programmed.copy(), self.steps, ctx, self._read_rng, at_read=True)
            stats["clipped_at_read"] = int(ctx.get("clipped", 0))
            xb = self._crossbar(G)
        y = np.zeros((self.n_out, X.shape[1]))
        for V, wgt in self._dac(X):
            sol = xb.solve(V, method=self.method, full=False, progress=False)
            y += wgt * self._read_out(sol.i_out, stats)
        y = y[:, 0] if single else y
        return (y, stats) if return_stats else y

    def ideal(self, x) -> np.ndarray:
        """Exact ``W @ x`` (float64)."""
        X, single = self._check_x(x)
        y = self.W @ X
        return y[:, 0] if single else y

    def compare(self, x) -> MVMReport:
        """Actual and ideal outputs with relative error, per-output error and SNR (dB)."""
        a, st = self.matvec(x, return_stats=True)
        i = self.ideal(x)
        return MVMReport(actual=a, ideal=i, relative_error=relative_error(a, i), column_error=column_error(a, i),
                         snr_db=snr_db(a, i), stats={**self._programming_stats, **st})

    def __repr__(self):
        return (f"AnalogMatrix({self.n_out}x{self.n_in}, {self.mapping}, slices={self.n_slices}, "
                f"crossbar {self._xb.rows}x{self._xb.cols})")
