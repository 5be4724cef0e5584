"""Read noise with a spectrum: random telegraph noise (RTN) and 1/f (flicker) noise.

Both are relative current fluctuations of a read at constant voltage: the spectra are
``S_I/I^2`` in 1/Hz, conductances in S, resistances in ohm, times in s, rates in Hz.
Each spectrum object gives its closed-form spectral density (:meth:`psd`), the variance of
a read of a given bandwidth (:meth:`variance`, used by :func:`memlab.devices.read_noise`
for one-shot reads) and a seeded time series (:func:`telegraph`, :func:`flicker`).
Sources and defaults: docs/notes/devices.md §10.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab._validate import check_memory, positive_int, real
from memlab.errors import ParameterError

__all__ = ["FlickerNoise", "TelegraphNoise", "telegraph", "flicker"]


def _pos(x, name, where):
    return real(x, name, lo=0.0, lo_open=True, where=where)


def _g(g, where):
    return real(g, "g", lo=0.0, lo_open=True, unit="S", where=where, array=True)


def _band(bandwidth, duration, where):
    """Validated (f_lo, f_hi) of a read: f_hi = bandwidth (Hz), f_lo = 1/duration (s)."""
    f_hi = real(bandwidth, "bandwidth", lo=0.0, lo_open=True, unit="Hz", where=where)
    t = real(duration, "duration", lo=0.0, lo_open=True, unit="s", where=where)
    if not f_hi * t > 1.0:
        raise ParameterError(f"{where}: need bandwidth * duration > 1 (got bandwidth={f_hi!r} Hz, "
                             f"duration={t!r} s): the band [1/duration, bandwidth] would be empty")
    return 1.0 / t, f_hi


@dataclass(frozen=True)
class FlickerNoise:
    """1/f noise ``S_I/I^2 = K(G)/f`` with ``K(G) = min(k_ref (G/g_ref)^-exponent, k_max)``.

    ``exponent`` is the slope of K against R = 1/G on log-log axes. Defaults: the PCM
    inference model of IBM aihwkit (``PCMLikeNoiseModel``, after Nandakumar et al.), whose
    read noise ``Q = min(0.0088 (G/g_max)^-0.65, 0.2)`` with g_max = 25 uS is the square
    root of K, so K = 0.0088^2 (G/25 uS)^-1.3, capped at 0.2^2. Metallic nanocontacts give
    exponent 3 (diffusive) and 1.5 (ballistic) (Wu et al., PRB 78, 235421 (2008)).
    """

    k_ref: float = 0.0088 ** 2
    g_ref: float = 25e-6
    exponent: float = 1.3
    k_max: float = 0.2 ** 2

    def __post_init__(self):
        _pos(self.k_ref, "k_ref", "FlickerNoise")
        real(self.g_ref, "g_ref", lo=0.0, lo_open=True, unit="S", where="FlickerNoise")
        real(self.exponent, "exponent", lo=-10.0, hi=10.0, where="FlickerNoise")
        _pos(self.k_max, "k_max", "FlickerNoise")

    def k(self, g):
        """The 1/f coefficient K (dimensionless) of each conductance ``g`` (S)."""
        g = _g(g, "FlickerNoise.k")
        return np.minimum(self.k_ref * (g / self.g_ref) ** (-self.exponent), self.k_max)

    def psd(self, f, g):
        """``S_I/I^2`` (1/Hz) at frequencies ``f`` (Hz, > 0), broadcast against ``g``."""
        f = real(f, "f", lo=0.0, lo_open=True, unit="Hz", where="FlickerNoise.psd", array=True)
        return self.k(g) / f

    def variance(self, g, *, bandwidth, duration):
        """Relative variance of a read integrating the band [1/duration, bandwidth]:
        ``K ln(bandwidth * duration)``. With bandwidth = 1/(2 t_read) and duration =
        t + t_read this is aihwkit's ``Q^2 ln((t + t_read) / (2 t_read))``."""
        f_lo, f_hi = _band(bandwidth, duration, "FlickerNoise.variance")
        return self.k(g) * np.log(f_hi / f_lo)


@dataclass(frozen=True)
class TelegraphNoise:
    """Two-state random telegraph noise of one trap: capture time ``tau_c`` (mean dwell in
    the empty state, s), emission time ``tau_e`` (mean dwell in the filled state, s) and a
    relative amplitude ``dR/R = min(a_ref (R/r_ref)^exponent, a_max)`` with R = 1/G.

    The amplitude grows with R as reported for HfOx/NiO RRAM by Ielmini, Nardi & Cagli,
    APL 96, 053503 (2010) and Ambrogio et al., IEEE TED 61, 2920 (2014): a trap blocks a
    fixed area of a filament whose cross-section scales as 1/R, hence the default exponent 1.
    The reference point (a_ref = 1 % at r_ref = 10 kOhm) is illustrative (docs §10).
    """

    tau_c: float = 1e-3
    tau_e: float = 1e-3
    a_ref: float = 0.01
    r_ref: float = 1e4
    exponent: float = 1.0
    a_max: float = 0.5

    def __post_init__(self):
        for name in ("tau_c", "tau_e"):
            real(getattr(self, name), name, lo=0.0, lo_open=True, unit="s", where="TelegraphNoise")
        _pos(self.a_ref, "a_ref", "TelegraphNoise")
        real(self.r_ref, "r_ref", lo=0.0, lo_open=True, unit="ohm", where="TelegraphNoise")
        real(self.exponent, "exponent", lo=-10.0, hi=10.0, where="TelegraphNoise")
        real(self.a_max, "a_max", lo=0.0, lo_open=True, hi=1.0, where="TelegraphNoise")

    @property
    def p_filled(self) -> float:
        """Stationary probability of the filled (high-resistance) state: tau_e/(tau_c+tau_e)."""
        return self.tau_e / (self.tau_c + self.tau_e)

    @property
    def corner(self) -> float:
        """Corner frequency (Hz) of the Lorentzian: (1/tau_c + 1/tau_e) / (2 pi)."""
        return (1.0 / self.tau_c + 1.0 / self.tau_e) / (2 * np.pi)

    def amplitude(self, g):
        """Relative step dR/R (dimensionless) for conductances ``g`` (S)."""
        g = _g(g, "TelegraphNoise.amplitude")
        return np.minimum(self.a_ref * (1.0 / (g * self.r_ref)) ** self.exponent, self.a_max)

    def _di(self, g):
        """Relative current step dI/I of the filled state: 1/(1 + dR/R) - 1 (negative)."""
        return 1.0 / (1.0 + self.amplitude(g)) - 1.0

    def psd(self, f, g):
        """One-sided Lorentzian ``S_I/I^2`` (1/Hz) at ``f`` (Hz, >= 0) (Machlup 1954):
        ``4 dI^2 / ((tau_c + tau_e) ((1/tau_c + 1/tau_e)^2 + (2 pi f)^2))``."""
        f = real(f, "f", lo=0.0, unit="Hz", where="TelegraphNoise.psd", array=True)
        a = 1.0 / self.tau_c + 1.0 / self.tau_e
        return 4 * self._di(g) ** 2 / ((self.tau_c + self.tau_e) * (a * a + (2 * np.pi * f) ** 2))

    def variance(self, g, *, bandwidth, duration):
        """Relative variance in the band [1/duration, bandwidth] (Hz): the Lorentzian
        integrated in closed form, ``dI^2 p (1-p) (2/pi) [atan(w f_hi) - atan(w f_lo)]`` with
        ``w = 2 pi / a``, ``a = 1/tau_c + 1/tau_e``."""
        f_lo, f_hi = _band(bandwidth, duration, "TelegraphNoise.variance")
        w = 2 * np.pi / (1.0 / self.tau_c + 1.0 / self.tau_e)
        p = self.p_filled
        return self._di(g) ** 2 * p * (1 - p) * (2 / np.pi) * (np.arctan(w * f_hi) - np.arctan(w * f_lo))


def _grid(n, rate, g, where):
    n = positive_int(n, "n", minimum=2)
    rate = real(rate, "rate", lo=0.0, lo_open=True, unit="Hz", where=where)
    g = _g(g, where)
    check_memory(8.0 * g.size * n * 3, f"{where} of {g.size} devices x {n} samples", "n")
    return n, rate, g


def _rng(seed):
    from memlab.devices._variability import _rng as rng
    return rng(seed)


def telegraph(noise: TelegraphNoise, g, n: int, rate: float, *, seed=None, return_events: bool = False):
    """Seeded RTN current of each device: ``I/I0`` sampled ``n`` times at ``rate`` (Hz).

    ``g`` (S) is an array of conductances, one trap per device; the result has shape
    ``g.shape + (n,)`` and holds 1 (trap empty) or ``1 + dI/I`` (trap filled). The process
    is generated in continuous time: exponential dwell times (means ``tau_c`` empty,
    ``tau_e`` filled), the first state drawn from the stationary distribution. With
    ``return_events`` also returns the switching times (s) of each device, a list of arrays.
    """
    if not isinstance(noise, TelegraphNoise):
        raise ParameterError(f"telegraph: parameter 'noise' must be a TelegraphNoise, got {noise!r:.60}")
    n, rate, g = _grid(n, rate, g, "telegraph")
    rng = _rng(seed)
    flat = g.reshape(-1)
    m = flat.size
    T = n / rate
    filled0 = rng.random(m) < noise.p_filled
    # dwell times alternate between the two states, starting with the initial one
    mean_cycle = noise.tau_c + noise.tau_e
    k = int(2 * (T / mean_cycle) + 10 * np.sqrt(T / mean_cycle + 1) + 10)
    check_memory(8.0 * m * k * 2, f"telegraph: {m} devices x {k} switching events", "n")
    cols = [np.empty((m, 0))]
    total = np.zeros(m)
    start = 0
    while np.any(total <= T):
        idx = start + np.arange(k)
        in_filled = (idx[None, :] % 2 == 0) == filled0[:, None]
        scale = np.where(in_filled, noise.tau_e, noise.tau_c)
        d = rng.exponential(1.0, (m, k)) * scale
        cols.append(d)
        total = total + d.sum(axis=1)
        start += k
    dwell = np.concatenate(cols, axis=1)
    events = np.cumsum(dwell, axis=1)
    # number of switches at or before each sample time, all devices in one searchsorted
    span = events[:, -1].max() + T + 1.0
    offs = np.arange(m)[:, None] * span
    t = np.arange(n) / rate
    count = np.searchsorted((events + offs).ravel(), (t[None, :] + offs).ravel(), side="right")
    count = count.reshape(m, n) - np.arange(m)[:, None] * events.shape[1]
    filled = (count % 2 == 0) == filled0[:, None]
    out = np.where(filled, 1.0 + noise._di(flat)[:, None], 1.0).reshape(g.shape + (n,))
    if return_events:
        return out, [e[e <= T] for e in events]
    return out


def flicker(noise: FlickerNoise, g, n: int, rate: float, *, seed=None):
    """Seeded Gaussian 1/f current ``I/I0`` of each device, ``n`` samples at ``rate`` (Hz).

    Spectral synthesis (Timmer & Koenig, A&A 300, 707 (1995)): every Fourier bin k >= 1 of
    the length-n record gets a complex Gaussian amplitude whose expected one-sided periodogram
    is ``K/f_k`` exactly; the mean (bin 0) is 1. Shape ``g.shape + (n,)``; the record is
    periodic with period n/rate, so the spectrum is exact at the bins f_k = k rate/n.
    """
    if not isinstance(noise, FlickerNoise):
        raise ParameterError(f"flicker: parameter 'noise' must be a FlickerNoise, got {noise!r:.60}")
    n, rate, g = _grid(n, rate, g, "flicker")
    rng = _rng(seed)
    flat = g.reshape(-1)
    f = np.fft.rfftfreq(n, 1.0 / rate)[1:]
    # one-sided periodogram P_k = 2 |X_k|^2 / (n rate) (Nyquist bin: |X|^2/(n rate)); E P_k = K/f_k
    var = (noise.k(flat)[:, None] / f[None, :]) * n * rate / 4.0
    re = rng.standard_normal((flat.size, f.size))
    im = rng.standard_normal((flat.size, f.size))
    if n % 2 == 0:                       # the Nyquist bin is real: all its power in one part
        im[:, -1] = 0.0
        re[:, -1] *= np.sqrt(2.0)
    X = np.zeros((flat.size, f.size + 1), complex)
    X[:, 1:] = np.sqrt(var) * (re + 1j * im)
    x = np.fft.irfft(X, n=n, axis=1)
    return (1.0 + x).reshape(g.shape + (n,))
