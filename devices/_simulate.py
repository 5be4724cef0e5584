"""Native transient simulation of device populations (compiled with numba).

Integrator: ROS2, the two-stage linearly implicit Rosenbrock (W-)method of Verwer et al.
(SIAM J. Sci. Comput. 20, 1999), second order for any Jacobian approximation and
L-stable, with an embedded first-order estimate for per-device adaptive steps. The state
is clipped to its bounds after every step and at every stage evaluation, so threshold
models that switch in nanoseconds inside a millisecond drive stay bounded and exact at the
bound. Every output time and every drive breakpoint is a step boundary. Devices are
integrated independently in a parallel loop (numba ``prange``).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import NonFiniteError
from memlab.errors import AccuracyWarning, ConvergenceError, ParameterError
from memlab.devices._drives import Drive
from memlab.devices._model import DeviceModel
from memlab.devices._plot import plot_iv

__all__ = ["simulate", "Trace"]

@dataclass
class Trace:
    """Result of a transient simulation (native or ngspice).

    Attributes
    ----------
    t : ndarray (n_t,)
        Time, s.
    v : ndarray (n_t,) or (n_devices, n_t)
        Device voltage, V.
    i : ndarray, same shape as ``v``
        Device current, A.
    x : ndarray, same shape as ``v``
        State variable, in ``state_unit``.
    v_source : ndarray (n_t,)
        Source voltage, V (equals ``v`` when there is no series resistance).
    """

    t: np.ndarray
    v: np.ndarray
    i: np.ndarray
    x: np.ndarray
    v_source: np.ndarray | None = None
    model: str = ""
    state_name: str = "x"
    state_unit: str = ""
    r_series: float = 0.0
    period: float | None = None
    source: str = "native"
    stats: dict = field(default_factory=dict)

    @property
    def n_devices(self) -> int:
        return 1 if np.ndim(self.i) == 1 else int(np.shape(self.i)[0])

    def __getitem__(self, k) -> "Trace":
        """One device (or a sub-population) of a population trace."""
        if np.ndim(self.i) == 1:
            raise IndexError("Trace holds a single device; nothing to index")
        pick = lambda a: a if a is None or np.ndim(a) == 1 else a[k]
        return Trace(self.t, pick(self.v), pick(self.i), pick(self.x), self.v_source, self.model,
                     self.state_name, self.state_unit, self.r_series, self.period, self.source, dict(self.stats))

    def last_period(self) -> "Trace":
        """The samples of the last full drive period (for periodic drives)."""
        if not self.period:
            raise ParameterError("Trace.last_period: the drive has no period")
        t_end = self.t[-1]
        m = self.t >= t_end - self.period * (1 + 1e-9)
        sl = lambda a: a if a is None else a[..., m]
        return Trace(self.t[m], sl(self.v), sl(self.i), sl(self.x), sl(self.v_source), self.model,
                     self.state_name, self.state_unit, self.r_series, self.period, self.source, dict(self.stats))

    def plot_iv(self, ax=None, **kwargs):
        """I-V hysteresis plot; see :func:`memlab.devices.plot_iv`. Returns the artists."""
        return plot_iv(self, ax=ax, **kwargs)


def _check_finite(model, drive, t_out, outs, keep, x_final, status):
    """Overflow is an error: name the device, the time and the voltage where it happened."""
    for j, what in ((1, "current"), (2, "state"), (0, "device voltage")):
        if keep[j] and not np.all(np.isfinite(outs[j])):
            dev, k = (int(a[0]) for a in np.nonzero(~np.isfinite(outs[j])))
            v = float(drive.value(t_out[k:k + 1])[0])
            raise NonFiniteError(f"simulate: the {what} of {model.name} (device {dev}) overflows at t = {t_out[k]:.6g} s, "
                                 f"source voltage {v:.6g} V; the drive's 'amplitude' (or 'v') takes the model "
                                 "outside the range its equations can represent")
    if np.any(status == 2) or not np.all(np.isfinite(x_final)):
        vmax = float(np.max(np.abs(drive.value(t_out))))
        with np.errstate(all="ignore"):
            x_probe = np.asarray(model.state.x0, float)
            bad = [float(np.max(np.abs(np.asarray(f(np.array([vmax, -vmax]), x_probe))))) for f in (model.rate, model.current)]
        if not all(np.isfinite(bad)):
            raise NonFiniteError(f"simulate: the rate or current of {model.name} overflows at the drive's peak "
                                 f"voltage {vmax:.6g} V; reduce the drive's 'amplitude'")


def simulate(model: DeviceModel, drive: Drive, x0=None, *, t=None, rtol: float = 1e-5,
             max_step: float | None = None, max_steps: int = 20_000_000,
             store: tuple[str, ...] = ("v", "i", "x"), method: str = "adaptive", seed=None) -> Trace:
    """Simulate one device or a population driven by ``drive``.

    Parameters
    ----------
    model : DeviceModel
        The device; array-valued parameters make a population.
    drive : Drive
        Source waveform (:class:`Sine`, :class:`Triangle`, :class:`PulseTrain`,
        :class:`PWL`), with its optional series resistance ``r_series`` (ohm).
    x0 : float or ndarray, optional
        Initial state (state units), within the state bounds; default ``model.state.x0``.
        An array makes (or must match) a population.
    t : ndarray, optional
        Output times in s (increasing, starting at 0); default ``drive.time_grid()``.
    rtol : float
        Local error tolerance per step, as a fraction of the state range (0 < rtol < 0.1).
    max_step : float, optional
        Largest internal step in s (default: no limit beyond the output spacing).
    max_steps : int
        Limit of accepted steps per device; exceeding it raises :class:`ConvergenceError`.
    method : {"adaptive", "fixed"}
        ``adaptive`` (default): per-device error-controlled steps between output times.
        ``fixed``: exactly one ROS2 step per output interval, no error control (fast for
        large populations when the output grid resolves the dynamics; the state is still
        clipped to its bounds; a positive Jacobian is capped so that 1 - gamma h J >= 0.5,
        which keeps second order since ROS2 is a W-method).
    seed : int or numpy Generator, optional
        Seed of the model's stochastic term (only for models with noise, e.g.
        ``StanfordPKU(noise=True)``); the same seed gives the same trace.
    store : tuple of {"v", "i", "x"}
        Which waveforms to keep (the final state is always kept in ``stats["x_final"]``,
        and its distances to the lower and upper bound, state units, in
        ``stats["gap_final"]``: for models with windows that vanish at a bound the
        integrator keeps that distance to full relative precision, see
        :attr:`DeviceModel.uses_gaps`); leaving some out saves memory on large populations.

    Returns
    -------
    Trace
        ``v``, ``i``, ``x`` shaped ``(n_t,)`` for one device or ``(n_devices, n_t)``.
    """
    if not isinstance(model, DeviceModel):
        raise ParameterError(f"simulate: 'model' must be a memlab DeviceModel, got {type(model).__name__}")
    if not isinstance(drive, Drive):
        raise ParameterError(f"simulate: 'drive' must be a memlab Drive (Sine, Triangle, PulseTrain, PWL), "
                             f"got {type(drive).__name__}")
    rtol = real(rtol, "rtol", lo=0.0, hi=0.1, lo_open=True, hi_open=True, where="simulate")
    max_steps = real(max_steps, "max_steps", lo=1, integer=True, where="simulate")
    if max_step is not None:
        real(max_step, "max_step", lo=0.0, lo_open=True, unit="s", where="simulate")
    if method not in ("adaptive", "fixed"):
        raise ParameterError(f"simulate: parameter 'method' = {method!r} is not one of ('adaptive', 'fixed')")
    bad = set(store) - {"v", "i", "x"}
    if bad:
        raise ParameterError(f"simulate: 'store' entries {sorted(bad)} not in ('v', 'i', 'x')")
    t_out = drive.time_grid() if t is None else real(t, "t", lo=0.0, unit="s", where="simulate", array=True)
    if t_out.ndim != 1 or t_out.size < 2 or np.any(np.diff(t_out) <= 0):
        raise ParameterError("simulate: parameter 't' must be a strictly increasing 1-D array of >= 2 times "
                             "in [0, inf) s")
    if t is not None:
        # keep every corner of the waveform as a step boundary
        bp = drive.breakpoints()
        bp = bp[(bp >= t_out[0]) & (bp <= t_out[-1])]
        if bp.size:
            # a corner within 1e-9 of the span from a requested time is that time (rounding of
            # the corner's cumulative sum), not a new sample
            tol = 1e-9 * (t_out[-1] - t_out[0])
            near = np.abs(t_out[np.clip(np.searchsorted(t_out, bp), 0, t_out.size - 1)] - bp) <= tol
            near |= np.abs(t_out[np.clip(np.searchsorted(t_out, bp) - 1, 0, t_out.size - 1)] - bp) <= tol
            t_out = np.unique(np.concatenate([t_out, bp[~near]]))

    x0 = model.state.x0 if x0 is None else x0
    x0a = real(x0, "x0", unit=model.state.unit, where="simulate", array=True)
    rs = np.asarray(drive.r_series, dtype=float)
    lo, hi = model.bounds()
    shapes = [np.shape(v) for v in model.values.values()] + [x0a.shape, rs.shape, np.shape(lo), np.shape(hi)]
    try:
        pshape = np.broadcast_shapes(*shapes)
    except ValueError as exc:
        raise ParameterError(f"simulate: parameter arrays, 'x0' and 'r_series' do not broadcast: {shapes}") from exc
    n = int(np.prod(pshape)) if pshape else 1
    if n == 0:
        raise ParameterError(f"simulate: parameter arrays, 'x0' and 'r_series' broadcast to the empty shape "
                             f"{pshape}; give at least one device")
    flat = lambda a: np.ascontiguousarray(np.broadcast_to(np.asarray(a, float), pshape).reshape(-1)) if pshape \
        else np.full(1, float(a))
    x0f, rsf, lof, hif = flat(x0a), flat(rs), flat(lo), flat(hi)
    if not np.all(np.isfinite(x0f)) or np.any(x0f < lof) or np.any(x0f > hif):
        j = int(np.flatnonzero(~np.isfinite(x0f) | (x0f < lof) | (x0f > hif))[0])
        raise ParameterError(f"simulate: parameter 'x0' = {float(x0f[j])!r} is outside the allowed range "
                             f"[{lof[j]:g}, {hif[j]:g}] {model.state.unit} of state '{model.state.name}'")
    P = model.param_matrix(n)
    kind, dp, tp, vp = drive.encode()
    n_t = t_out.size
    keep = np.array(["v" in store, "i" in store, "x" in store])
    outs = [np.empty((n, n_t) if keep[j] else (1, 1)) for j in range(3)]
    x_final = np.empty(n)
    gap_final = np.empty((n, 2))
    status = np.zeros(n, dtype=np.int64)
    nsteps = np.zeros(n, dtype=np.int64)
    h_max = float(max_step) if max_step is not None else math.inf
    if not h_max > 0:
        raise ParameterError(f"simulate: parameter 'max_step' = {max_step!r} is outside the allowed range (0, inf) s")
    kernels = model._compiled()
    if model.has_noise:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        z = rng.standard_normal((n, n_t - 1))
    else:
        z = np.zeros((1, 1))
    if method == "fixed":
        kernels.run_fixed(P, x0f, lof, hif, rsf, t_out, outs[0], outs[1], outs[2], keep, x_final,
                          gap_final, nsteps, drive.value(t_out), model.has_noise, z)
    else:
        kernels.run(P, x0f, lof, hif, rsf, t_out, kind, dp, tp, vp, float(rtol), h_max, int(max_steps),
                    outs[0], outs[1], outs[2], keep, x_final, gap_final, status, nsteps, drive.value(t_out),
                    model.has_noise, z)
    _check_finite(model, drive, t_out, outs, keep, x_final, status)
    if np.any(status == 2):
        raise ConvergenceError(f"simulate: {int(np.sum(status == 2))} device(s) of {model.name} exceeded "
                               f"max_steps = {max_steps} accepted steps; raise max_steps or relax rtol",
                               iterations=int(nsteps.max()))
    if np.any(status == 1):
        warnings.warn(f"simulate: {int(np.sum(status == 1))} device(s) needed a step below the time resolution; "
                      f"results there may miss rtol = {rtol}", AccuracyWarning, stacklevel=2)
    single = not pshape
    shape_out = lambda a, j: (a[0] if single else a) if keep[j] else None
    vsrc = drive.value(t_out)
    return Trace(t=t_out, v=shape_out(outs[0], 0), i=shape_out(outs[1], 1), x=shape_out(outs[2], 2),
                 v_source=vsrc, model=model.name, state_name=model.state.name, state_unit=model.state.unit,
                 r_series=float(drive.r_series) if np.ndim(drive.r_series) == 0 else drive.r_series,
                 period=drive.period, source="native",
                 stats={"steps": nsteps if not single else int(nsteps[0]),
                        "x_final": x_final if not single else float(x_final[0]),
                        "gap_final": gap_final if not single else (float(gap_final[0, 0]), float(gap_final[0, 1])),
                        "rtol": rtol})
