"""Stochastic switching in the dynamics: Poisson nucleation with a per-device threshold.

A filament (or nucleus) forms after a random amount of voltage-activated "hazard": the
state theta = int lambda(v) dt (dimensionless) grows at the nucleation rate
``lambda(v) = exp(v / v0) / tau0`` for v > 0 and shrinks at the same rate of -v for v < 0;
the device switches ON when theta passes its own threshold ``E`` (a per-device parameter).
With ``E ~ Exp(1)`` the switching time at a constant voltage V is exponential with rate
lambda(V) (Poisson nucleation); with ``E ~ LogNormal(mu, sigma)`` it is lognormal with
median e^mu / lambda(V). The voltage dependence ``t_sw ~ tau0 exp(-V/v0)`` is the
exponential switching-time law of oxide RRAM (e.g. Ielmini, Semicond. Sci. Technol. 31,
063002 (2016)); the default tau0, v0 are memlab choices, not a published fit.
:meth:`StochasticSwitch.population` draws E per device from a seed, reproducibly per
device (device k's draw depends only on (seed, k)), so cycle-to-cycle statistics come
out of the dynamics.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from memlab._validate import positive_int, real
from memlab.errors import ParameterError
from memlab.devices._model import DeviceModel
from memlab.devices._meta import IVDemo
from memlab.devices._params import Param, StateVar

__all__ = ["StochasticSwitch"]

_SRC = "memlab choice (see module docstring); law t_sw = tau0 exp(-V/v0) as in Ielmini 2016"


class StochasticSwitch(DeviceModel):
    """Poisson-nucleation switch: ``dtheta/dt = sign(v) exp(|v|/v0)/tau0`` (theta >= 0),
    ``i = v (G_off + (G_on - G_off) / (1 + exp(-(theta - E)/w)))``.

    State theta (dimensionless accumulated hazard) in [0, theta_max]; ``E`` is the device's
    nucleation threshold (draw it with :meth:`population`); ``w`` the width of the
    ON transition in hazard units. Units: G in S, tau0 in s, v0 in V.
    """

    state = StateVar("theta", 0.0, 1e3, "1", 0.0, "accumulated nucleation hazard")
    name, short_name = "stochastic switch (Poisson nucleation)", ""
    reference = "Poisson nucleation with exponential voltage acceleration (module docstring)"
    iv_demo = IVDemo(1.0, 10.0, 0.0, 0.0)
    parameters = (
        Param("G_on", 1e-3, "S", lo=0.0, lo_open=True, source=_SRC, doc="ON conductance", log=True),
        Param("G_off", 1e-6, "S", lo=0.0, lo_open=True, source=_SRC, doc="OFF conductance", log=True),
        Param("tau0", 1.0, "s", lo=0.0, lo_open=True, source=_SRC, doc="nucleation time at 0 V", log=True),
        Param("v0", 0.05, "V", lo=0.0, lo_open=True, source=_SRC, doc="voltage acceleration scale"),
        Param("E", 1.0, "1", lo=0.0, lo_open=True, source="Exp(1) mean", doc="nucleation threshold (hazard units)"),
        Param("w", 1e-3, "1", lo=0.0, lo_open=True, source=_SRC, doc="width of the ON transition (hazard units)"),
    )

    def _validate(self, values):
        if np.any(np.asarray(values["G_on"]) <= np.asarray(values["G_off"])):
            raise ParameterError(f"StochasticSwitch: parameter 'G_off' must be below 'G_on' "
                                 f"(got G_off={values['G_off']!r}, G_on={values['G_on']!r})")

    def equations(self, v, x, p):
        on = 1 / (1 + sp.exp(-(x - p.E) / p.w))
        i = v * (p.G_off + (p.G_on - p.G_off) * on)
        rate = sp.Piecewise((sp.exp(v / p.v0) / p.tau0, v > 0), (-sp.exp(-v / p.v0) / p.tau0, v < 0), (0, True))
        return i, rate

    @classmethod
    def population(cls, n: int, *, distribution: str = "exponential", sigma: float = 0.5, mu: float = 0.0,
                   seed: int = 0, **params) -> "StochasticSwitch":
        """``n`` devices whose thresholds E are drawn from ``distribution``:
        ``"exponential"`` (Exp(1): Poisson nucleation) or ``"lognormal"`` (ln E ~ N(mu, sigma)).
        Device k's draw uses the generator seeded with (seed, k) only, so it does not depend
        on n or on the other devices."""
        n = positive_int(n, "n")
        seed = int(real(seed, "seed", lo=0, integer=True, where="StochasticSwitch.population"))
        if distribution not in ("exponential", "lognormal"):
            raise ParameterError(f"StochasticSwitch.population: parameter 'distribution' = {distribution!r} is not one "
                                 f"of ('exponential', 'lognormal')")
        sigma = real(sigma, "sigma", lo=0.0, lo_open=True, where="StochasticSwitch.population")
        mu = real(mu, "mu", where="StochasticSwitch.population")
        u = np.array([np.random.default_rng((seed, k)).random() for k in range(n)])
        if distribution == "exponential":
            E = -np.log1p(-u)
        else:
            from scipy.special import ndtri
            E = np.exp(mu + sigma * ndtri(u))
        return cls(E=np.maximum(E, 1e-300), **params)
