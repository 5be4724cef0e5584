"""Retention, relaxation and endurance: how programmed conductances move with time,
temperature and cycle count (SI: S, ohm, s, K, eV).

- :func:`arrhenius`: the thermal acceleration factor of a process with activation
  energy ``ea`` (bake-to-use retention extrapolation).
- :class:`Relaxation` and :func:`relax`: mean trend (power law, stretched exponential,
  logarithmic) plus a conductance-dependent spread growing with time; presets in
  :data:`RELAXATION` from published statistical models.
- :class:`Endurance`, :func:`endurance_window`, :func:`endurance_model`: the LRS/HRS window
  closing with cycle count until failure, seeded device to device.

Every random function takes ``seed`` (int or ``numpy.random.Generator``). Sources:
docs/notes/devices.md §10.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import MemlabWarning, ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._variability import _rng

__all__ = ["K_B_EV", "arrhenius", "Relaxation", "RELAXATION", "relax", "Endurance", "ENDURANCE",
           "endurance_window", "endurance_model"]

#: Boltzmann constant in eV/K (CODATA 2018, exact)
K_B_EV = 8.617333262e-5


def arrhenius(T, *, ea: float, T_ref: float = 300.0):
    """Acceleration factor ``exp(ea/k_B (1/T_ref - 1/T))`` of a thermally activated process.

    A time ``t`` at temperature ``T`` (K) does what ``t * arrhenius(T)`` does at ``T_ref``;
    a failure time ``t_bake`` measured at ``T`` extrapolates to ``t_bake * arrhenius(T)`` at
    ``T_ref``. ``ea`` in eV (>= 0). ``T`` may be an array.
    """
    T = real(T, "T", lo=0.0, lo_open=True, unit="K", where="arrhenius", array=True)
    ea = real(ea, "ea", lo=0.0, hi=10.0, unit="eV", where="arrhenius")
    T_ref = real(T_ref, "T_ref", lo=0.0, lo_open=True, unit="K", where="arrhenius")
    out = np.exp(ea / K_B_EV * (1.0 / T_ref - 1.0 / T))
    return float(out) if out.ndim == 0 else out


_FORMS = ("none", "power", "kww", "log")


@dataclass(frozen=True)
class Relaxation:
    """Conductance relaxation after programming.

    Mean trend (``form``): ``"none"``; ``"power"`` ``G0 (t/t0)^-nu``; ``"kww"`` (stretched
    exponential, Kohlrausch-Williams-Watts) ``G_inf + (G0 - G_inf) exp(-(t/tau)^beta)`` with
    ``G_inf = g_inf_ratio * G0``; ``"log"`` ``G0 + slope ln(t/t0)`` (slope in S).
    Spread (standard deviation in S of the conductance at time t around the mean trend):
    ``sigma_log = (s1, s0)`` gives ``s1 ln(t/t0) + s0``; ``sigma_poly`` maps times (s) to
    polynomial coefficients (ascending, S) in ``G0/g_norm``, interpolated linearly in ln t
    between the tabulated times (no extrapolation). ``ea`` (eV) > 0 accelerates time at
    temperature T by :func:`arrhenius` with ``T_ref`` (K). Times in s.
    """

    form: str = "none"
    # power law and logarithmic forms: reference time t0 (s), exponent nu, slope (S per e-fold)
    t0: float = 1.0
    nu: float = 0.0
    slope: float = 0.0
    # spread growing with ln t: (s1, s0) in S
    sigma_log: tuple = (0.0, 0.0)
    # stretched exponential: tau (s), 0 < beta <= 1, G_inf / G0
    tau: float = 1.0
    beta: float = 1.0
    g_inf_ratio: float = 0.0
    # tabulated spread {time (s): coefficients (S)} in G0/g_norm
    sigma_poly: dict = field(default_factory=dict)
    g_norm: float = 1.0
    # thermal acceleration: activation energy (eV) and the temperature (K) of the parameters
    ea: float = 0.0
    T_ref: float = 300.0

    def __post_init__(self):
        w = "Relaxation"
        if self.form not in _FORMS:
            raise ParameterError(f"{w}: parameter 'form' = {self.form!r} is not one of {_FORMS}")
        real(self.t0, "t0", lo=0.0, lo_open=True, unit="s", where=w)
        real(self.nu, "nu", lo=0.0, hi=10.0, where=w)
        real(self.tau, "tau", lo=0.0, lo_open=True, unit="s", where=w)
        real(self.beta, "beta", lo=0.0, lo_open=True, hi=1.0, where=w)
        real(self.g_inf_ratio, "g_inf_ratio", lo=0.0, where=w)
        real(self.slope, "slope", unit="S", where=w)
        s = real(self.sigma_log, "sigma_log", unit="S", where=w, array=True)
        if s.shape != (2,) or s[0] < 0 or s[1] < 0:
            raise ParameterError(f"{w}: parameter 'sigma_log' = {self.sigma_log!r} must be two numbers "
                                 "(s1, s0) >= 0 S")
        if not isinstance(self.sigma_poly, dict):
            raise ParameterError(f"{w}: parameter 'sigma_poly' must be a dict time (s) -> coefficients (S)")
        for t, c in self.sigma_poly.items():
            real(t, "sigma_poly time", lo=0.0, lo_open=True, unit="s", where=w)
            real(c, f"sigma_poly[{t!r}]", unit="S", where=w, array=True)
        real(self.g_norm, "g_norm", lo=0.0, lo_open=True, unit="S", where=w)
        real(self.ea, "ea", lo=0.0, hi=10.0, unit="eV", where=w)
        real(self.T_ref, "T_ref", lo=0.0, lo_open=True, unit="K", where=w)

    def mean(self, g0, t):
        """Mean conductance (S) at time ``t`` (s, at T_ref) of devices programmed to ``g0``."""
        if self.form == "power":
            return g0 * (t / self.t0) ** (-self.nu)
        if self.form == "kww":
            g_inf = self.g_inf_ratio * g0
            return g_inf + (g0 - g_inf) * np.exp(-(t / self.tau) ** self.beta)
        if self.form == "log":
            return g0 + self.slope * np.log(t / self.t0)
        return g0 + 0.0 * t

    def sigma(self, g0, t):
        """Standard deviation (S) of the conductance at time ``t`` (s) around :meth:`mean`."""
        s1, s0 = self.sigma_log
        out = s1 * np.log(t / self.t0) + s0 if (s1 or s0) else 0.0 * t
        if self.sigma_poly:
            keys = sorted(self.sigma_poly)
            lts = np.log(np.array(keys, float))
            tt = np.broadcast_to(np.log(t), np.broadcast_shapes(np.shape(t), np.shape(g0)))
            if np.any(tt < lts[0] - 1e-12) or np.any(tt > lts[-1] + 1e-12):
                raise ParameterError(f"Relaxation: time t is outside the tabulated range [{keys[0]:g}, "
                                     f"{keys[-1]:g}] s of 'sigma_poly' (no extrapolation)")
            x = g0 / self.g_norm
            # linear interpolation in ln t: hat-function weights of each tabulated time
            sp = 0.0
            for k, key in enumerate(keys):
                wk = np.interp(tt, lts, np.eye(len(keys))[k]) if len(keys) > 1 else 1.0
                sp = sp + wk * np.polynomial.polynomial.polyval(x, np.asarray(self.sigma_poly[key], float))
            out = np.sqrt(out ** 2 + sp ** 2)
        return out


#: Published relaxation statistics (docs/notes/devices.md §10).
RELAXATION = {
    # IBM aihwkit ReRamCMONoiseModel, CMO/HfOx (Falcone et al.): mean -0.08900206 uS per e-fold
    # of t (s), sigma = 0.04201137 ln t + 0.41183342 uS
    "cmo_hfox": Relaxation(form="log", t0=1.0, slope=-0.08900206e-6, sigma_log=(0.04201137e-6, 0.41183342e-6)),
    # IBM aihwkit ReRamWan2022NoiseModel (Wan et al., Nature 608, 504 (2022)): spread around the
    # target, 4th-order polynomial in G/40 uS (uS) at 1 s, 1 day and 2 days
    "wan2022": Relaxation(form="none", g_norm=40e-6, sigma_poly={
        1.0: tuple(1e-6 * c for c in (0.348, 16.030, -43.853, 45.393, -16.815)),
        86400.0: tuple(1e-6 * c for c in (0.701, 22.086, -50.773, 47.095, -16.458)),
        172800.0: tuple(1e-6 * c for c in (0.782, 20.274, -43.507, 37.062, -11.934))}),
}


def _relaxation(model):
    if isinstance(model, Relaxation):
        return model
    if isinstance(model, str) and model in RELAXATION:
        return RELAXATION[model]
    raise ParameterError(f"relax: parameter 'model' = {model!r:.60} must be a Relaxation or one of "
                         f"{sorted(RELAXATION)}")


def relax(g, t, model="cmo_hfox", *, T=None, seed=None, clip: bool = True):
    """Conductances (S) ``t`` seconds after programming devices to ``g`` (S).

    ``model`` is a :class:`Relaxation` or a :data:`RELAXATION` name. ``T`` (K) with
    ``model.ea > 0`` accelerates time by :func:`arrhenius` (``T = None``: at ``T_ref``).
    Each device gets its own seeded draw ``mean(g, t) + sigma(g, t) z``. Results below 0 S
    are set to 0 S when ``clip``, with a :class:`~memlab.errors.MemlabWarning` giving their count (a conductance cannot be negative; the relaxation
    statistics are Gaussian fits that put a tail there). ``g`` and ``t`` broadcast.
    """
    m = _relaxation(model)
    g = real(g, "g", lo=0.0, unit="S", where="relax", array=True)
    t = real(t, "t", lo=0.0, lo_open=True, unit="s", where="relax", array=True)
    if T is not None:
        t = t * arrhenius(T, ea=m.ea, T_ref=m.T_ref)
    if m.form == "log" or m.sigma_log != (0.0, 0.0):
        if np.any(t < m.t0 * (1 - 1e-12)):
            raise ParameterError(f"relax: parameter 't' = {float(np.min(t))!r} is outside the allowed range "
                                 f"[{m.t0:g}, inf) s of this logarithmic model (t >= t0)")
    mu = m.mean(g, t)
    out = mu + m.sigma(g, t) * _rng(seed).standard_normal(np.broadcast_shapes(mu.shape, np.shape(t)))
    if clip:
        n_neg = int(np.count_nonzero(out < 0.0))
        if n_neg:
            warnings.warn(f"relax: {n_neg} of {out.size} relaxed conductances fell below 0 S (the Gaussian tail of "
                          f"the relaxation statistics) and were set to 0 S; "
                          f"pass clip=False to keep them", MemlabWarning, stacklevel=2)
        out = np.maximum(out, 0.0)
    return out


_EFORMS = ("power", "log", "sudden")


@dataclass(frozen=True)
class Endurance:
    """The LRS/HRS window against the cycle count n.

    Up to ``n_th`` cycles nothing changes. Beyond it (``form``):
    ``"power"`` (gradual mode of Lammie, Rahimi Azghadi & Ielmini, Semicond. Sci. Technol.
    2021): ``R(n) = R0 (n/n_th)^p``; ``"log"``: ``R(n) = R0 (1 + p ln(n/n_th))`` (a window
    closing linearly in log n); ``"sudden"``: the device fails at ``n_th``. ``p_lrs`` > 0
    raises the LRS, ``p_hrs`` < 0 lowers the HRS. The device fails (stuck at its LRS,
    ``stuck="lrs"``, or HRS, ``"hrs"``) at ``n_fail`` cycles or when R_HRS/R_LRS falls
    to ``min_ratio``, whichever comes first. ``sigma_n`` is the device-to-device
    spread of ln n_th and ln n_fail (lognormal).
    """

    form: str = "power"
    n_th: float = 1e4
    p_lrs: float = 0.1
    p_hrs: float = -0.1
    n_fail: float = np.inf
    min_ratio: float = 1.0
    stuck: str = "lrs"
    sigma_n: float = 0.0

    def __post_init__(self):
        w = "Endurance"
        if self.form not in _EFORMS:
            raise ParameterError(f"{w}: parameter 'form' = {self.form!r} is not one of {_EFORMS}")
        if self.stuck not in ("lrs", "hrs"):
            raise ParameterError(f"{w}: parameter 'stuck' = {self.stuck!r} is not one of ('lrs', 'hrs')")
        real(self.n_th, "n_th", lo=1.0, where=w)
        real(self.p_lrs, "p_lrs", lo=-10.0, hi=10.0, where=w)
        real(self.p_hrs, "p_hrs", lo=-10.0, hi=10.0, where=w)
        if not (isinstance(self.n_fail, (int, float)) and self.n_fail == np.inf):
            real(self.n_fail, "n_fail", lo=1.0, where=w)
        real(self.min_ratio, "min_ratio", lo=1.0, where=w)
        real(self.sigma_n, "sigma_n", lo=0.0, hi=5.0, where=w)



#: Published endurance parameter sets (docs/notes/devices.md §10).
ENDURANCE = {
    # Lammie, Rahimi Azghadi & Ielmini (2021), TiN/Hf(Al)O/Hf/TiN, 10 nm cells, v_stop = 1.5 V
    # (their simulate_6A.py): fresh window 4.4 kOhm / 65 kOhm, threshold p0 exp(p1 s) =
    # 10 exp(0.6907755278982137 x 10) = 1e4 cycles, exponents p2 s with p2 = 0.012171029136082496
    # (LRS) and -0.015855563129903612 (HRS), s = 10
    "lammie2021_hfalo": Endurance(form="power", n_th=10.0 * np.exp(0.6907755278982137 * 10),
                                  p_lrs=0.012171029136082496 * 10, p_hrs=-0.015855563129903612 * 10),
}

def endurance_window(r_lrs, r_hrs, n, spec: Endurance = Endurance(), *, seed=None):
    """LRS and HRS resistances (ohm) after ``n`` cycles: ``(r_lrs_n, r_hrs_n, failed)``.

    ``r_lrs``, ``r_hrs`` (ohm, 0 < r_lrs < r_hrs) are the fresh values of each device;
    ``n`` (cycles >= 0) broadcasts against them (e.g. ``n[:, None]`` for curves). The
    per-device thresholds are drawn once per call (seeded), so a curve over n belongs to
    the same devices. ``failed`` marks devices past their failure point.
    """
    if not isinstance(spec, Endurance):
        raise ParameterError(f"endurance_window: parameter 'spec' must be an Endurance, got {spec!r:.60}")
    w = "endurance_window"
    r_lrs = real(r_lrs, "r_lrs", lo=0.0, lo_open=True, unit="ohm", where=w, array=True)
    r_hrs = real(r_hrs, "r_hrs", lo=0.0, lo_open=True, unit="ohm", where=w, array=True)
    n = real(n, "n", lo=0.0, where=w, array=True)
    try:
        dev = np.broadcast_shapes(r_lrs.shape, r_hrs.shape)
        shape = np.broadcast_shapes(dev, n.shape)
    except ValueError:
        raise ParameterError(f"{w}: shapes of 'r_lrs' {r_lrs.shape}, 'r_hrs' {r_hrs.shape} and 'n' {n.shape} "
                             "do not broadcast") from None
    if np.any(np.broadcast_to(r_lrs, dev) >= np.broadcast_to(r_hrs, dev)):
        raise ParameterError(f"{w}: need r_lrs < r_hrs for every device (a fresh window is open)")
    rng = _rng(seed)
    z = rng.standard_normal(dev) if spec.sigma_n else np.zeros(dev)
    n_th = spec.n_th * np.exp(spec.sigma_n * z)
    n_fail = spec.n_fail * np.exp(spec.sigma_n * z)
    x = np.maximum(n / n_th, 1.0)
    if spec.form == "power":
        fl, fh = x ** spec.p_lrs, x ** spec.p_hrs
    elif spec.form == "log":
        fl, fh = 1.0 + spec.p_lrs * np.log(x), 1.0 + spec.p_hrs * np.log(x)
    else:
        fl = fh = np.ones(shape)
    lo = np.broadcast_to(r_lrs * fl, shape)
    hi = np.broadcast_to(r_hrs * np.maximum(fh, 1e-12), shape)
    failed = np.broadcast_to(n >= n_fail, shape) | (hi <= spec.min_ratio * lo)
    if spec.form == "sudden":
        failed = failed | np.broadcast_to(n > n_th, shape)
    if spec.form == "log" and spec.p_hrs < 0:
        failed = failed | (hi <= 0)
    stuck = np.where(failed, lo if spec.stuck == "lrs" else hi, 0.0)
    r_lo = np.where(failed, stuck, lo)
    r_hi = np.where(failed, stuck, hi)
    return r_lo, r_hi, failed


def endurance_model(model: DeviceModel, n, spec: Endurance = Endurance(), *, lrs: str = "R_on",
                    hrs: str = "R_off", n_devices: int | None = None, seed=None) -> DeviceModel:
    """A (population of) ``model`` whose resistance parameters ``lrs``/``hrs`` (ohm) are
    degraded after ``n`` cycles (a scalar) by :func:`endurance_window`. ``n_devices``
    (default: the model's population size) sets the population for a device-to-device
    spread of the thresholds."""
    if not isinstance(model, DeviceModel):
        raise ParameterError(f"endurance_model: parameter 'model' must be a DeviceModel, got {model!r:.60}")
    for name in (lrs, hrs):
        if name not in model.values:
            raise ParameterError(f"endurance_model: parameter {name!r} is not a parameter of {type(model).__name__}; "
                                 f"known: {sorted(model.values)}")
    n = real(n, "n", lo=0.0, where="endurance_model")
    if n_devices is not None:
        from memlab._validate import positive_int
        n_devices = positive_int(n_devices, "n_devices")
    size = n_devices or model.n_devices
    r0 = np.broadcast_to(np.asarray(model.values[lrs], float), (size,))
    r1 = np.broadcast_to(np.asarray(model.values[hrs], float), (size,))
    lo, hi, _ = endurance_window(r0, r1, n, spec, seed=seed)
    if size == 1 and not model.is_population and n_devices is None:
        return model.with_params(**{lrs: float(lo[0]), hrs: float(hi[0])})
    vals = {k: (np.broadcast_to(np.asarray(v, float), (size,)).copy() if np.ndim(v) == 0 else v)
            for k, v in model.values.items()}
    vals.update({lrs: lo.copy(), hrs: np.maximum(hi, lo * (1 + 1e-9))})
    return model.with_params(**vals)
