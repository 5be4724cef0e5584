"""Composable, seeded conductance non-idealities for analog MVM (SI: siemens, seconds).

Each step is a small frozen object with ``apply(g, ctx, rng) -> g`` acting on the
programmed conductances ``g`` (S) of a whole crossbar; ``ctx`` carries the conductance
window (``g_min``, ``g_max``). Steps with ``at_read = True`` (read noise) are redrawn at
every read, the others once when the matrix is programmed. The physics lives in
:mod:`memlab.devices` (``quantize``, ``read_noise``, ``drift``, ``stuck_at``); this module
only composes it. Results that would be negative conductances are set to 0 S and
counted in ``ctx['clipped']`` (a conductance cannot be negative; the count is reported).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab.devices import drift as _drift
from memlab.devices import quantize as _quantize
from memlab.devices import read_noise as _read_noise
from memlab.devices import stuck_at as _stuck_at
from memlab._validate import real
from memlab.errors import ParameterError, out_of_range

__all__ = ["ProgrammingNoise", "DeviceSpread", "FiniteLevels", "ReadNoise", "Drift", "StuckAt",
           "apply_steps"]


def _nonneg(name, val, where):
    return real(val, name, lo=0.0, where=where)


def _clip(g, ctx):
    neg = g < 0
    n = int(neg.sum())
    if n:
        ctx["clipped"] = ctx.get("clipped", 0) + n
        g = np.where(neg, 0.0, g)
    return g


@dataclass(frozen=True)
class ProgrammingNoise:
    """Gaussian write error: ``g + sigma * N(0, 1)`` with ``sigma`` in S, or, if
    ``relative_to_range``, ``sigma * (g_max - g_min)``. Default 2 % of the window."""

    sigma: float = 0.02
    relative_to_range: bool = True
    at_read = False

    def __post_init__(self):
        _nonneg("sigma", self.sigma, "ProgrammingNoise")

    def apply(self, g, ctx, rng):
        s = self.sigma * (ctx["g_max"] - ctx["g_min"]) if self.relative_to_range else self.sigma
        return _clip(g + s * rng.standard_normal(g.shape), ctx)


@dataclass(frozen=True)
class DeviceSpread:
    """Device-to-device lognormal spread: ``g * exp(sigma * N(0, 1))`` (median preserved)."""

    sigma: float = 0.05
    at_read = False

    def __post_init__(self):
        _nonneg("sigma", self.sigma, "DeviceSpread")

    def apply(self, g, ctx, rng):
        return g * np.exp(self.sigma * rng.standard_normal(g.shape))


@dataclass(frozen=True)
class FiniteLevels:
    """Round to ``levels`` equally spaced conductances in [g_min, g_max] (devices.quantize)."""

    levels: int = 16
    at_read = False

    def __post_init__(self):
        real(self.levels, "levels", lo=2, integer=True, where="FiniteLevels")

    def apply(self, g, ctx, rng):
        lo, hi = ctx["g_min"], ctx["g_max"]
        return _quantize(np.clip(g, lo, hi), int(self.levels), lo, hi)


@dataclass(frozen=True)
class ReadNoise:
    """Gaussian read noise redrawn at every read (devices.read_noise); ``sigma`` relative
    to each conductance if ``relative`` else in S, or a noise spectrum (devices.FlickerNoise,
    devices.TelegraphNoise, a tuple of them) read in the band [1/duration s, bandwidth Hz]."""

    sigma: object = 0.01
    relative: bool = True
    bandwidth: float | None = None
    duration: float | None = None
    at_read = True

    def __post_init__(self):
        if np.ndim(self.sigma) == 0 and not hasattr(self.sigma, "variance") and not isinstance(self.sigma, tuple):
            _nonneg("sigma", self.sigma, "ReadNoise")
        else:   # spectra and per-cell sigmas: devices.read_noise validates them (one check, one place)
            _read_noise(np.full(np.shape(self.sigma) or (1,), 1e-5), self.sigma, relative=self.relative, seed=0,
                        bandwidth=self.bandwidth, duration=self.duration)

    def apply(self, g, ctx, rng):
        return _clip(_read_noise(g, self.sigma, relative=self.relative, seed=rng, bandwidth=self.bandwidth,
                                 duration=self.duration), ctx)


@dataclass(frozen=True)
class Drift:
    """Retention drift ``g (t / t0)^-nu`` (devices.drift); ``t``, ``t0`` in s.
    ``nu_sigma`` > 0 draws per-device exponents ``|N(nu, nu_sigma)|``."""

    t: float = 3600.0
    nu: float = 0.05
    t0: float = 1.0
    nu_sigma: float = 0.0
    at_read = False

    def __post_init__(self):
        _nonneg("nu", self.nu, "Drift")
        _nonneg("nu_sigma", self.nu_sigma, "Drift")
        real(self.t, "t", lo=0.0, lo_open=True, unit="s", where="Drift")
        real(self.t0, "t0", lo=0.0, lo_open=True, unit="s", where="Drift")

    def apply(self, g, ctx, rng):
        nu = np.abs(self.nu + self.nu_sigma * rng.standard_normal(g.shape)) if self.nu_sigma else self.nu
        return _drift(g, self.t, t0=self.t0, nu=nu)


@dataclass(frozen=True)
class StuckAt:
    """Stuck-at faults (devices.stuck_at): exactly int(N p_on) cells at ``g_on`` and
    int(N p_off) at ``g_off`` (defaults: the window ends g_max and g_min)."""

    p_on: float = 0.0
    p_off: float = 0.01
    g_on: float | None = None
    g_off: float | None = None
    at_read = False

    def __post_init__(self):
        for name in ("p_on", "p_off"):
            real(getattr(self, name), name, lo=0.0, hi=1.0, where="StuckAt")
        if self.p_on + self.p_off > 1.0:
            raise out_of_range("p_on + p_off", self.p_on + self.p_off, "[0, 1]", "StuckAt")
        for name in ("g_on", "g_off"):
            if getattr(self, name) is not None:
                real(getattr(self, name), name, lo=0.0, unit="S", where="StuckAt")

    def apply(self, g, ctx, rng):
        g_on = ctx["g_max"] if self.g_on is None else self.g_on
        g_off = ctx["g_min"] if self.g_off is None else self.g_off
        out, m_on, m_off = _stuck_at(g, p_on=self.p_on, p_off=self.p_off, g_on=g_on, g_off=g_off, seed=rng)
        ctx["stuck_on"] = ctx.get("stuck_on", 0) + int(m_on.sum())
        ctx["stuck_off"] = ctx.get("stuck_off", 0) + int(m_off.sum())
        return out


def apply_steps(g, steps, ctx, rng, *, at_read: bool):
    """Apply the steps whose ``at_read`` flag matches, in order; returns the new array."""
    for st in steps:
        if not hasattr(st, "apply"):
            raise ParameterError(f"non-ideality {st!r} has no apply(g, ctx, rng) method")
        if bool(getattr(st, "at_read", False)) == at_read:
            g = np.asarray(st.apply(g, ctx, rng), dtype=np.float64)
    return g
