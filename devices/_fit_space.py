"""The fitting objective: the unit box of the free parameters and the weighted residuals.

Parameters are optimised in a unit box: ``u = (z - z_lo)/(z_hi - z_lo)`` with
``z = ln|p|`` for parameters flagged ``log`` (or spanning decades) and ``z = p``
otherwise; the box is the parameter's allowed range (``Param.lo``/``hi``) intersected
with a finite search range (the model class's :attr:`~memlab.devices.DeviceModel.fit_defaults`,
overridable).

Objective: ``sum(w_l^2 e_l^2)`` over the loops given (several frequencies, amplitudes or
series resistors in one objective), with ``e_l`` the normalised RMS current error of loop
``l`` (:func:`~memlab.devices.loop_error`). Every evaluation of many parameter sets is ONE
population simulation per loop.
"""
from __future__ import annotations

import math

import numpy as np

from memlab.errors import ParameterError
from memlab.devices._fit_loops import simulate_loop
from memlab.devices._model import DeviceModel

__all__ = ["Space", "Problem", "PENALTY", "CHUNK"]

PENALTY = 2.0     # normalised error of parameter sets the model rejects (e.g. R_on >= R_off) or that fail to integrate
CHUNK = 512       # parameter sets per population simulation


# ---------------------------------------------------------------------- parameter space
class Space:
    """Map between the unit box and physical parameter values."""

    def __init__(self, model: DeviceModel, names, bounds: dict | None, log: tuple | None, vmax: float = 1.0,
                 periods: tuple = (1e-3, 1.0)):
        defaults = type(model).fit_defaults
        search = dict(defaults.search) if defaults is not None else {}
        search.update(bounds or {})
        extra_log = set(defaults.log if defaults is not None else ()) | set(log or ())
        self.names = tuple(names)
        self.zlo, self.zhi, self.islog, self.sign = [], [], [], []
        self.lo, self.hi = [], []
        where = f"fit({type(model).__name__})"
        for n in self.names:
            if n not in model.params:
                raise ParameterError(f"{where}: unknown parameter {n!r}; known: {list(model.param_names)}")
            p = model.params[n]
            if p.integer:
                raise ParameterError(f"{where}: parameter {n!r} is integer-valued and cannot be fitted; fix it")
            lo, hi = search.get(n, (p.lo, p.hi))
            sub = {"vmax": vmax, "-vmax": -vmax, "tmin": 1e-3 * min(periods), "tmax": 10.0 * max(periods)}
            lo, hi = float(sub.get(lo, lo)), float(sub.get(hi, hi))
            # intersect with the allowed range, nudging open ends inwards
            span = hi - lo if math.isfinite(hi - lo) else 1.0
            if lo < p.lo or (p.lo_open and lo <= p.lo):
                lo = p.lo + (1e-9 * span if p.lo_open else 0.0)
            if hi > p.hi or (p.hi_open and hi >= p.hi):
                hi = p.hi - (1e-9 * span if p.hi_open else 0.0)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ParameterError(f"{where}: parameter {n!r} needs a finite search range inside {p.allowed}; "
                                     f"got ({lo:g}, {hi:g}); pass bounds={{{n!r}: (lo, hi)}}")
            use_log = (p.log or n in extra_log) and (lo > 0 or hi < 0)
            if (p.log or n in extra_log) and not use_log:
                raise ParameterError(f"{where}: log-scaled parameter {n!r} needs a search range of one sign, "
                                     f"got ({lo:g}, {hi:g})")
            sign = -1.0 if hi < 0 else 1.0
            if use_log:
                a, b = sorted((math.log(abs(lo)), math.log(abs(hi))))
            else:
                a, b = lo, hi
            self.zlo.append(a); self.zhi.append(b); self.islog.append(use_log); self.sign.append(sign)
            self.lo.append(lo); self.hi.append(hi)
        self.zlo, self.zhi = np.array(self.zlo), np.array(self.zhi)
        self.islog, self.sign = np.array(self.islog), np.array(self.sign)
        self.width = self.zhi - self.zlo

    @property
    def k(self) -> int:
        return len(self.names)

    def to_values(self, U):
        U = np.clip(np.asarray(U, dtype=float), 0.0, 1.0)
        z = self.zlo + U * self.width
        vals = np.where(self.islog, self.sign * np.exp(np.where(self.islog, z, 0.0)), z)
        # keep exact end points inside the (possibly open) ranges
        return np.clip(vals, np.array(self.lo), np.array(self.hi))

    def to_unit(self, values):
        v = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(self.islog, np.log(np.abs(np.where(v == 0, np.nan, v))), v)
        return np.clip((z - self.zlo) / self.width, 0.0, 1.0)

    def std_from_unit(self, values, cov_u):
        """Standard deviations (physical units) and relative ones from a unit-box covariance."""
        D = np.diag(self.width)
        cov_z = D @ cov_u @ D
        sz = np.sqrt(np.clip(np.diag(cov_z), 0.0, None))
        absv = np.abs(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            std = np.where(self.islog, absv * sz, sz)
            rel = np.where(self.islog, sz, sz / absv)
        return std, rel, cov_z


# ---------------------------------------------------------------------- the objective
class Problem:
    """Weighted normalised residuals of a model population on the measured loops."""

    def __init__(self, model, names, measurements, weights, settings, x0, circuit, bounds, log):
        self.model = model
        self.meas = list(measurements)
        vmax = max(float(np.max(np.abs(m.v_source if circuit == "series" else m.v))) for m in self.meas)
        self.space = Space(model, names, bounds, log, vmax, tuple(m.period for m in self.meas))
        self.weights = np.ones(len(self.meas)) if weights is None else np.asarray(weights, dtype=float)
        if self.weights.shape != (len(self.meas),) or np.any(~np.isfinite(self.weights)) or np.any(self.weights <= 0):
            raise ParameterError(f"fit: parameter 'weights' must be {len(self.meas)} positive numbers, got {weights!r}")
        self.settings = settings
        self.x0 = x0
        self.circuit = circuit
        self.n_eval = 0
        self.n_sets = 0
        self.sqrt_n = [math.sqrt(m.n_points) for m in self.meas]

    @property
    def n_points(self) -> int:
        return sum(m.n_points for m in self.meas)

    def population(self, V):
        """Model population for value rows V (m, k); rows the model rejects are replaced."""
        kw = {n: V[:, j] for j, n in enumerate(self.space.names)}
        try:
            return self.model.with_params(**kw), np.ones(V.shape[0], bool)
        except ParameterError:
            ok = np.zeros(V.shape[0], bool)
            for r in range(V.shape[0]):
                try:
                    self.model.with_params(**{n: V[r, j] for j, n in enumerate(self.space.names)})
                    ok[r] = True
                except ParameterError:
                    pass
            if not ok.any():
                return None, ok
            V = V.copy()
            V[~ok] = V[np.flatnonzero(ok)[0]]
            return self.model.with_params(**{n: V[:, j] for j, n in enumerate(self.space.names)}), ok

    def residuals(self, U, polarity: int):
        """Weighted normalised residuals (m, N) for unit-box rows U (m, k)."""
        U = np.atleast_2d(U)
        m = U.shape[0]
        out = np.empty((m, self.n_points))
        for c0 in range(0, m, CHUNK):
            sl = slice(c0, min(m, c0 + CHUNK))
            V = self.space.to_values(U[sl])
            pop, ok = self.population(V)
            col = 0
            for w, meas, sn in zip(self.weights, self.meas, self.sqrt_n):
                n = meas.n_points
                if pop is None:
                    out[sl, col:col + n] = PENALTY * w / sn
                else:
                    i_last, _, _ = simulate_loop(pop, meas, self.settings, self.x0, polarity, self.circuit, robust=True)
                    r = w * (i_last - meas.i) / (meas.i_scale * sn)
                    r[~ok] = PENALTY * w / sn
                    r[~np.isfinite(r)] = PENALTY * w / sn
                    out[sl, col:col + n] = r
                col += n
            self.n_eval += 1
            self.n_sets += sl.stop - sl.start
        return out

    def jacobian(self, u, polarity: int, h: float = 1e-3):
        """Central-difference Jacobian in the unit box (one-sided at the box edges); one population call."""
        k = u.size
        up = np.tile(u, (k, 1)); um = np.tile(u, (k, 1))
        hp = np.minimum(h, 1.0 - u); hm = np.minimum(h, u)
        idx = np.arange(k)
        up[idx, idx] += hp
        um[idx, idx] -= hm
        R = self.residuals(np.vstack([up, um]), polarity)
        den = (hp + hm)
        den = np.where(den > 0, den, 1.0)
        return ((R[:k] - R[k:]) / den[:, None]).T
