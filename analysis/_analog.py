"""Analog matrix-vector products for the accuracy studies.

:func:`analog_layer` builds the object the studies use: ``layer(X)`` returns ``X @ W``
(``X``: (batch, n_in), ``W``: (n_in, n_out)) computed by :class:`memlab.arrays.AnalogMatrix`,
which owns the physics: differential-pair weight mapping, sign-magnitude input DAC
(``dac_bits``), programming non-idealities (:class:`~memlab.arrays.FiniteLevels` for
``levels``, :class:`~memlab.arrays.DeviceSpread` for ``spread``), read noise redrawn at every
read (:class:`~memlab.arrays.ReadNoise`, one draw per batch) and the exact Kirchhoff solve of
the crossbar (wire resistance ``r_wire`` per segment on word and bit lines).

The ADC is applied here, on the signed differential output: a mid-rise quantiser with
``2**adc_bits`` levels over a full scale calibrated on a calibration batch (largest
|output|), as accuracy studies do (NeuroSim-style calibrated range). For a single slice
the output is the differential current times a constant, so this is exactly an ADC on
the current. It is used instead of AnalogMatrix's own ADC because that one needs
``adc_bits >= 2`` and a range fixed at construction; the study needs 1-bit (comparator)
points and a calibrated range.

``0`` bits / ``0`` levels mean "ideal" (no quantisation). Units: S, V, A, ohm.
"""
from __future__ import annotations

import numpy as np

from memlab.arrays import quantize_uniform
from memlab._validate import real
from memlab.errors import ParameterError

__all__ = ["analog_layer", "AnalogLayer", "quantize_uniform"]


def _check(name, value, lo, hi=None, integer=False):
    return real(value, name, lo=lo, hi=np.inf if hi is None else hi, integer=integer)


class AnalogLayer:
    """``X @ W`` on a crossbar through :class:`memlab.arrays.AnalogMatrix` (see the module
    docstring). ``W``: (n_in, n_out); inputs beyond ``x_max`` saturate at the DAC."""

    def __init__(self, W, *, g_min=1e-6, g_max=1e-4, v_read=0.2, r_wire=0.0, adc_bits=0, dac_bits=0,
                 levels=0, spread=0.0, read_noise=0.0, x_max=1.0, seed=0):
        from memlab.arrays import AnalogMatrix, DeviceSpread, FiniteLevels, ReadNoise

        W = np.asarray(W, float)
        if W.ndim != 2 or min(W.shape) < 1:
            raise ParameterError(f"parameter 'W' has shape {W.shape}; expected a non-empty 2-D array")
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
        _check("g_min", g_min, 0.0)
        _check("g_max", g_max, 0.0)
        if not g_max > g_min:
            raise ParameterError(f"parameter 'g_max' = {g_max!r} must be larger than g_min = {g_min!r} S")
        steps = []
        if self.levels:
            steps.append(FiniteLevels(self.levels))
        if self.spread:
            steps.append(DeviceSpread(self.spread))
        if self.read_noise:
            steps.append(ReadNoise(self.read_noise))
        if isinstance(seed, np.random.Generator):
            seed = int(seed.integers(2**63))
        elif isinstance(seed, np.random.SeedSequence):
            seed = [int(v) for v in seed.generate_state(4)]
        self.W = W
        self.matrix = AnalogMatrix(W.T, g_min=g_min, g_max=g_max, x_max=self.x_max, v_read=v_read,
                                   dac_bits=self.dac_bits or None, nonidealities=tuple(steps), r_row=self.r_wire,
                                   r_col=self.r_wire, seed=seed)
        self.full_scale = None  # ADC full scale in output (weight) units, set by calibrate()

    @property
    def G(self) -> np.ndarray:
        """Programmed conductances (S), (n_in, 2 n_out): columns alternate G+ and G-."""
        return self.matrix.G_programmed

    @property
    def crossbar(self):
        return self.matrix.crossbar

    def analog(self, X) -> np.ndarray:
        """Output before the ADC, (batch, n_out), in weight units (proportional to the
        differential bit-line current)."""
        X = np.clip(np.atleast_2d(np.asarray(X, float)), -self.x_max, self.x_max)
        return self.matrix.matvec(X.T).T

    def currents(self, X) -> np.ndarray:
        """Differential bit-line currents (A), (batch, n_out), before the ADC."""
        m = self.matrix
        return self.analog(X) * (m.unit * m.v_read / m.x_max) / m.w_max

    def calibrate(self, X_cal) -> float:
        """Set the ADC full scale to the largest |output| on ``X_cal``; returns it (A)."""
        self.full_scale = float(np.max(np.abs(self.analog(X_cal))))
        m = self.matrix
        return self.full_scale * (m.unit * m.v_read / m.x_max) / m.w_max

    def __call__(self, X) -> np.ndarray:
        Y = self.analog(X)
        if self.adc_bits:
            if self.full_scale is None:
                raise ParameterError("AnalogLayer: ADC full scale is not set; call calibrate(X_cal) first")
            Y = quantize_uniform(Y, self.adc_bits, self.full_scale, signed=True)
        return Y


def analog_layer(W, **config) -> AnalogLayer:
    """The analog ``X @ W`` used by the studies (see module docstring for ``config``)."""
    return AnalogLayer(W, **config)
