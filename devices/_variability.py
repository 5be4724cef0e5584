"""Variability and reliability: device-to-device and cycle-to-cycle spread, finite
conductance levels, read noise, retention drift and stuck-at faults. Relaxation, retention
and endurance live in :mod:`memlab.devices._reliability`, noise spectra (RTN, 1/f) in
:mod:`memlab.devices._noise`; :func:`read_noise` is the one read-noise entry point.

Every random function takes ``seed`` (int or ``numpy.random.Generator``) and is
reproducible. Conductances in S, times in s. Sources: docs/notes/devices.md §9
(MemTorch, aihwkit, CrossSim conventions).
"""
from __future__ import annotations

import numpy as np

from memlab._validate import positive_int, real
from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel

__all__ = ["spread", "cycle_to_cycle", "quantize", "read_noise", "drift", "stuck_at"]


def _rng(seed):
    """A numpy Generator from ``seed``: None, a Generator, or an integer >= 0."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, (float, np.floating)):
        raise ParameterError(f"parameter 'seed' = {seed!r} must be an integer >= 0, a numpy Generator or None")
    try:
        return np.random.default_rng(real(seed, "seed", lo=0, integer=True))
    except ParameterError:
        raise ParameterError(f"parameter 'seed' = {seed!r:.40} must be an integer >= 0, a numpy Generator "
                             "or None") from None


def _sigma(name, s):
    return real(s, name, lo=0.0)


def _draw(values: dict, sigma: dict, n, dist, rng, who):
    out = {}
    for name, s in sigma.items():
        if name not in values:
            raise ParameterError(f"{who}: unknown parameter '{name}' in 'sigma'; known: {sorted(values)}")
        s = _sigma(f"sigma[{name!r}]", s)
        base = np.broadcast_to(np.asarray(values[name], float), (n,) if np.ndim(values[name]) == 0 else np.shape(values[name]))
        z = rng.standard_normal(base.shape)
        if dist == "lognormal":
            out[name] = base * np.exp(s * z)
        else:
            out[name] = base * (1.0 + s * z)
    return out


def spread(model: DeviceModel, n: int, sigma: dict[str, float], *, dist: str = "lognormal", seed=None) -> DeviceModel:
    """A population of ``n`` devices with device-to-device parameter spread.

    ``sigma`` maps parameter names to spreads: for ``lognormal`` the standard deviation
    of ln(value) (the median stays at the nominal value); for ``normal`` the relative
    standard deviation. A normal draw outside a parameter's allowed range raises
    :class:`ParameterError` (no silent clamping): use lognormal for positive parameters.
    """
    if dist not in ("lognormal", "normal"):
        raise ParameterError(f"spread: parameter 'dist' = {dist!r} is not one of ('lognormal', 'normal')")
    n = positive_int(n, "n") if not isinstance(n, (float, np.floating)) else real(n, "n", lo=1, integer=True)
    new = _draw(model.values, sigma, int(n), dist, _rng(seed), "spread")
    vals = {k: (np.broadcast_to(np.asarray(v, float), (int(n),)).copy() if np.ndim(v) == 0 else v)
            for k, v in model.values.items()}
    vals.update(new)
    return model.with_params(**vals)


def cycle_to_cycle(model: DeviceModel, drive, n_cycles: int, sigma: dict[str, float], *, x0=None,
                   dist: str = "lognormal", seed=None, **simulate_kwargs):
    """Simulate ``n_cycles`` repetitions of a one-period ``drive``, redrawing the parameters
    in ``sigma`` for every cycle (cycle-to-cycle variability); the state carries over.

    Each cycle is one vectorised :func:`~memlab.devices.simulate` call over the whole
    population. Returns one :class:`~memlab.devices.Trace` with the cycles concatenated
    in time (``stats["cycle_params"]`` holds the drawn values per cycle).
    """
    from memlab.devices._simulate import simulate, Trace

    if int(n_cycles) != n_cycles or n_cycles < 1:
        raise ParameterError(f"cycle_to_cycle: parameter 'n_cycles' = {n_cycles!r} is outside the allowed range [1, inf) (integer)")
    rng = _rng(seed)
    n = model.n_devices
    x = model.state.x0 if x0 is None else x0
    parts, drawn = [], []
    for c in range(int(n_cycles)):
        new = _draw(model.values, sigma, n, dist, rng, "cycle_to_cycle")
        if not model.is_population:
            new = {k: float(v[0]) for k, v in new.items()}
        drawn.append(new)
        tr = simulate(model.with_params(**new), drive, x0=x, **simulate_kwargs)
        x = tr.stats["x_final"]
        parts.append(tr)
    T = drive.duration
    cat = lambda name: np.concatenate([getattr(p, name)[..., (1 if k else 0):] for k, p in enumerate(parts)], axis=-1)
    t = np.concatenate([p.t[(1 if k else 0):] + k * T for k, p in enumerate(parts)])
    first = parts[0]
    return Trace(t=t, v=cat("v"), i=cat("i"), x=cat("x"), v_source=cat("v_source"), model=first.model,
                 state_name=first.state_name, state_unit=first.state_unit, r_series=first.r_series,
                 period=first.period, source="native",
                 stats={"cycle_params": drawn, "x_final": x})


def quantize(g, levels: int, g_min: float, g_max: float):
    """Round conductances (S) to ``levels`` equally spaced values in [g_min, g_max].

    Exactly ``levels`` distinct values are possible, both end points included.
    Values outside the window raise :class:`ParameterError` (map weights into the
    window first).
    """
    g = real(g, "g", unit="S", where="quantize", array=True)
    levels = real(levels, "levels", lo=2, integer=True, where="quantize")
    g_min = real(g_min, "g_min", lo=0.0, unit="S", where="quantize")
    g_max = real(g_max, "g_max", lo=0.0, lo_open=True, unit="S", where="quantize")
    if not g_min < g_max:
        raise ParameterError(f"quantize: need 0 <= g_min < g_max (got g_min={g_min!r}, g_max={g_max!r}) S")
    tol = 1e-12 * g_max
    if np.any(~np.isfinite(g)) or np.any(g < g_min - tol) or np.any(g > g_max + tol):
        raise ParameterError(f"quantize: parameter 'g' has values outside [{g_min:g}, {g_max:g}] S "
                             f"(min {np.nanmin(g):g}, max {np.nanmax(g):g})")
    step = (g_max - g_min) / (int(levels) - 1)
    k = np.clip(np.rint((g - g_min) / step), 0, int(levels) - 1)
    return g_min + k * step


def read_noise(g, sigma, *, relative: bool = True, seed=None, bandwidth=None, duration=None):
    """Add Gaussian read noise to conductances (S): ``g (1 + sigma z)`` when ``relative``,
    else ``g + sigma z`` (sigma in S). Negative results are kept (they are physical
    read-outs of a noisy measurement, not conductances to program).

    ``sigma`` is a number >= 0, an array broadcastable to ``g`` (per-device sigma), or a
    noise spectrum (:class:`~memlab.devices.FlickerNoise`, :class:`~memlab.devices.TelegraphNoise`
    or a tuple of them, whose variances add): then the read integrates the band
    [1/duration, bandwidth] (``bandwidth`` in Hz, ``duration`` in s, both required) and the
    relative sigma is the square root of the spectra's closed-form band variance (the
    Gaussian with the read's second moment; the two-level RTN time series is
    :func:`~memlab.devices.telegraph`).
    """
    from memlab.devices._noise import FlickerNoise, TelegraphNoise
    g = real(g, "g", unit="S", where="read_noise", array=True)
    spectra = sigma if isinstance(sigma, tuple) and sigma else (sigma,)
    if all(isinstance(s, (FlickerNoise, TelegraphNoise)) for s in spectra):
        if not relative:
            raise ParameterError("read_noise: parameter 'relative' must be True with a noise spectrum "
                                 "(spectra are S_I/I^2, relative to the current)")
        if bandwidth is None or duration is None:
            raise ParameterError("read_noise: parameters 'bandwidth' (Hz) and 'duration' (s) are required "
                                 "with a noise spectrum 'sigma'")
        gp = real(g, "g", lo=0.0, lo_open=True, unit="S", where="read_noise (with a spectrum)", array=True)
        sigma = np.sqrt(sum(s.variance(gp, bandwidth=bandwidth, duration=duration) for s in spectra))
    elif np.ndim(sigma) == 0 or isinstance(sigma, (str, bytes)):
        sigma = _sigma("sigma", sigma)
    else:
        sigma = real(sigma, "sigma", lo=0.0, where="read_noise", array=True)
        try:
            np.broadcast_to(sigma, g.shape)
        except ValueError:
            raise ParameterError(f"read_noise: parameter 'sigma' of shape {sigma.shape} does not broadcast "
                                 f"to 'g' of shape {g.shape}") from None
    z = _rng(seed).standard_normal(g.shape)
    return g * (1 + sigma * z) if relative else g + sigma * z


def drift(g0, t, *, t0: float = 1.0, nu=0.1):
    """Power-law retention drift ``G(t) = G0 (t/t0)^-nu`` (t, t0 in s; nu >= 0).

    Default nu = 0.1 (MemTorch conductance_drift after Boybat 2018). ``G(t0) = G0`` and
    the log-log slope is ``-nu``. ``nu`` may be an array (per-device drift exponents).
    """
    t = real(t, "t", lo=0.0, lo_open=True, unit="s", where="drift", array=True)
    nu = real(nu, "nu", lo=0.0, where="drift", array=True)
    real(t0, "t0", lo=0.0, lo_open=True, unit="s", where="drift")
    return np.asarray(g0, float) * (t / t0) ** (-nu)


def stuck_at(g, *, p_on: float = 0.0, p_off: float = 0.0, g_on: float, g_off: float, seed=None):
    """Stuck-at faults: exactly ``int(N p_on)`` cells stuck at ``g_on`` and ``int(N p_off)``
    at ``g_off`` (disjoint sets, N = g.size). Returns ``(g_faulty, mask_on, mask_off)``."""
    g = real(g, "g", unit="S", where="stuck_at", array=True)
    for name, p in (("p_on", p_on), ("p_off", p_off)):
        real(p, name, lo=0.0, hi=1.0, where="stuck_at")
    g_on = real(g_on, "g_on", lo=0.0, unit="S", where="stuck_at")
    g_off = real(g_off, "g_off", lo=0.0, unit="S", where="stuck_at")
    if p_on + p_off > 1:
        raise ParameterError(f"stuck_at: p_on + p_off = {p_on + p_off!r} is outside the allowed range [0, 1]")
    N = g.size
    n_on, n_off = int(N * p_on), int(N * p_off)
    perm = _rng(seed).permutation(N)
    mask_on = np.zeros(N, bool)
    mask_off = np.zeros(N, bool)
    mask_on[perm[:n_on]] = True
    mask_off[perm[n_on:n_on + n_off]] = True
    out = g.reshape(-1).copy()
    out[mask_on] = g_on
    out[mask_off] = g_off
    return out.reshape(g.shape), mask_on.reshape(g.shape), mask_off.reshape(g.shape)
