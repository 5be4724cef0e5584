"""Analog matrix-vector products for the accuracy studies.

:func:`analog_layer` builds the object the studies use: ``layer(X)`` returns ``X @ W`` computed
by a memristor crossbar with the chosen non-idealities. It delegates to
``memlab.arrays.AnalogMatrix`` when that class exists; until then it composes the pieces
the other layers already provide, without new physics:

- weights to conductances: differential pair per weight, ``G+ - G- = (g_max - g_min) W / w_max``
  (the two cells of a pair sit in adjacent bit lines of one array);
- programming: :func:`memlab.devices.quantize` (``levels``), lognormal device-to-device
  spread ``g exp(N(0, spread))`` clipped to [g_min, g_max];
- circuit: the exact Kirchhoff solve of :class:`memlab.arrays.Crossbar` (wire resistance
  ``r_wire`` per segment on word and bit lines, factorisation reused across batches) so
  IR drop and sneak paths are included; ``r_wire = 0`` is the ideal ``i = G^T v``;
- read noise: per-read relative Gaussian conductance noise ``sigma`` (as
  :func:`memlab.devices.read_noise`); its output-current effect is drawn per read with the
  wire-free variance ``sum_i v_i^2 sigma^2 g_ij^2`` (first order in the wire resistance);
- DAC: inputs scaled to [0, v_read] (or [-v_read, v_read]) with ``dac_bits`` uniform levels;
- ADC: the differential current quantised with ``adc_bits`` over a calibrated full scale
  (largest |current| on a calibration batch), mid-rise levels, clipped.

``0`` bits / ``0`` levels mean "ideal" (no quantisation). Units: S, V, A, ohm.
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ParameterError

__all__ = ["analog_layer", "AnalogLayer", "quantize_uniform"]


def quantize_uniform(x, bits: int, full_scale: float, *, signed: bool = True):
    """Mid-rise uniform quantiser with ``2**bits`` levels over [-fs, fs] (signed) or [0, fs],
    values outside clipped. ``bits = 0`` returns ``x`` unchanged."""
    if bits == 0:
        return np.asarray(x, float)
    n = 2 ** int(bits)
    fs = float(full_scale)
    if fs <= 0:
        return np.zeros_like(np.asarray(x, float))
    if signed:
        step = 2 * fs / n
        k = np.clip(np.floor(np.asarray(x) / step), -n // 2, n // 2 - 1)
        return (k + 0.5) * step
    if n == 2:  # 1 bit unsigned: {0, fs}
        return np.where(np.asarray(x) >= fs / 2, fs, 0.0)
    step = fs / (n - 1)
    return np.clip(np.rint(np.asarray(x) / step), 0, n - 1) * step


def _check(name, value, lo, hi=None, integer=False):
    bad = (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
           or not np.isfinite(value) or value < lo or (hi is not None and value > hi)
           or (integer and int(value) != value))
    if bad:
        rng = f"[{lo}, {'inf' if hi is None else hi}]" + (" (integer)" if integer else "")
        raise ParameterError(f"parameter '{name}' = {value!r} is outside the allowed range {rng}")
    return int(value) if integer else float(value)


class AnalogLayer:
    """``X @ W`` on a crossbar (see the module docstring). ``W``: (n_in, n_out)."""

    def __init__(self, W, *, g_min=1e-6, g_max=1e-4, v_read=0.2, r_wire=0.0, adc_bits=0, dac_bits=0,
                 levels=0, spread=0.0, read_noise=0.0, x_max=1.0, signed_inputs=False, seed=0):
        from memlab.devices import quantize

        W = np.asarray(W, float)
        if W.ndim != 2 or min(W.shape) < 1:
            raise ParameterError(f"parameter 'W' has shape {W.shape}; expected a non-empty 2-D array")
        self.g_min = _check("g_min", g_min, 0.0)
        self.g_max = _check("g_max", g_max, 0.0)
        if not self.g_max > self.g_min:
            raise ParameterError(f"parameter 'g_max' = {g_max!r} must be larger than g_min = {g_min!r} S")
        self.v_read = _check("v_read", v_read, 0.0)
        if self.v_read == 0:
            raise ParameterError("parameter 'v_read' = 0 is outside the allowed range (0, inf) V")
        self.r_wire = _check("r_wire", r_wire, 0.0)
        self.adc_bits = _check("adc_bits", adc_bits, 0, 24, integer=True)
        self.dac_bits = _check("dac_bits", dac_bits, 0, 24, integer=True)
        self.levels = _check("levels", levels, 0, 1 << 20, integer=True)
        if self.levels == 1:
            raise ParameterError("parameter 'levels' = 1 is outside the allowed range: 0 (ideal) or >= 2")
        self.spread = _check("spread", spread, 0.0, 5.0)
        self.read_noise = _check("read_noise", read_noise, 0.0, 5.0)
        self.x_max = _check("x_max", x_max, 0.0)
        if self.x_max == 0:
            raise ParameterError("parameter 'x_max' = 0 is outside the allowed range (0, inf)")
        self.signed_inputs = bool(signed_inputs)
        self.rng = np.random.default_rng(seed)
        self.W = W
        n_in, n_out = W.shape
        self.w_max = float(np.max(np.abs(W))) or 1.0
        dg = self.g_max - self.g_min
        gp = self.g_min + dg * np.clip(W, 0, None) / self.w_max
        gn = self.g_min + dg * np.clip(-W, 0, None) / self.w_max
        G = np.empty((n_in, 2 * n_out))
        G[:, 0::2], G[:, 1::2] = gp, gn
        if self.levels:
            G = quantize(G, self.levels, self.g_min, self.g_max)
        if self.spread:
            G = np.clip(G * np.exp(self.spread * self.rng.standard_normal(G.shape)), self.g_min, self.g_max)
        self.G = G
        self.crossbar = None
        if self.r_wire > 0:
            from memlab.arrays import Crossbar
            # the crossbar keeps its factorisation, so later batches reuse it
            self.crossbar = Crossbar(G, r_row=self.r_wire, r_col=self.r_wire)
        self.full_scale = None  # ADC full scale (A), set by calibrate()
        self.last_power = None  # driver power (W) of each input of the last batch

    @property
    def scale(self) -> float:
        """Weight units per ampere of differential current per volt of input scale."""
        return self.w_max * self.x_max / (self.v_read * (self.g_max - self.g_min))

    def _voltages(self, X):
        x = np.asarray(X, float) / self.x_max
        x = np.clip(x, -1.0 if self.signed_inputs else 0.0, 1.0)
        x = quantize_uniform(x, self.dac_bits, 1.0, signed=self.signed_inputs) if self.dac_bits else x
        return self.v_read * x

    def currents(self, X) -> np.ndarray:
        """Differential bit-line currents (A), shape (batch, n_out), before the ADC."""
        V = np.atleast_2d(self._voltages(X))
        if self.crossbar is not None:
            # rtol 1e-8: KCL residual far below any error studied here; tighter fails for
            # near-zero wires (r_wire * G ~ 1e-8, round-off in the factorisation)
            sol = self.crossbar.solve(V.T, full=False, progress=False, rtol=1e-8)
            I = np.asarray(sol.i_out).T
            self.last_power = np.asarray(sol.power, float)
        else:
            I = V @ self.G
            self.last_power = np.sum((V * V) @ self.G, axis=1)
        if self.read_noise:
            std = self.read_noise * np.sqrt((V * V) @ (self.G * self.G))
            I = I + std * self.rng.standard_normal(I.shape)
        return I[:, 0::2] - I[:, 1::2]

    def calibrate(self, X_cal) -> float:
        """Set the ADC full scale to the largest |differential current| on ``X_cal`` (A)."""
        self.full_scale = float(np.max(np.abs(self.currents(X_cal))))
        return self.full_scale

    def __call__(self, X) -> np.ndarray:
        I = self.currents(X)
        if self.adc_bits:
            if self.full_scale is None:
                raise ParameterError("AnalogLayer: ADC full scale is not set; call calibrate(X_cal) first")
            I = quantize_uniform(I, self.adc_bits, self.full_scale, signed=True)
        return I * self.scale


def analog_layer(W, **config) -> AnalogLayer:
    """The analog ``X @ W`` used by the studies (see module docstring for ``config``)."""
    return AnalogLayer(W, **config)
