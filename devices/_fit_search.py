"""Search strategies of :func:`~memlab.devices.fit`: a global stage over the unit box, local
refinement of the best distinct candidates, and the uncertainty at the optimum.

``strategy="de"`` (default): differential evolution (``scipy.optimize.differential_evolution``,
``vectorized=True``) whose initial population is ``n_starts`` scrambled Sobol points (plus the
model's own values unless ``use_model_values=False``); every generation is ONE population
simulation per loop. ``strategy="multistart"``: the Sobol points are only screened (one
population call) and the best are refined. The ``n_local`` best distinct candidates are then
refined with a bounded trust-region least-squares solver (``scipy.optimize.least_squares``,
``dogbox``) whose central finite-difference Jacobian is again one population simulation per
loop (``2 k`` parameter sets). With ``polarity="auto"`` the device orientation is one more
search coordinate. The uncertainty of the fitted parameters comes from that Jacobian at the
optimum: ``cov = s^2 (J^T J)^+`` with ``s^2 = SSR/(N - k)`` (parameters in null directions
of J get an infinite standard error).
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np

from memlab.errors import ParameterError
from memlab.devices._fit_space import Problem

__all__ = ["global_stage", "refine", "uncertainty"]


def _progress(progress):
    return progress is False if progress is not None else None


def global_stage(prob: Problem, u_model, polarity, *, strategy: str, n_starts: int, generations: int,
                 n_local: int, use_model_values: bool, seed: int, progress, label: str):
    """Candidate starts for the local stage: up to ``n_local`` distinct ``(cost, polarity, u)``
    rows of the unit box, best first, and the number of points screened initially.

    ``polarity`` is 1, -1 or ``"auto"`` (then an extra coordinate, < 0.5 meaning +1).
    """
    from scipy.stats import qmc
    from tqdm.auto import tqdm

    k = prob.space.k
    kk = k + (1 if polarity == "auto" else 0)
    pol_of = (lambda c: np.where(c[:, k] < 0.5, 1, -1)) if polarity == "auto" else \
        (lambda c: np.full(c.shape[0], int(polarity)))

    def costs(C):
        C = np.atleast_2d(C)
        out = np.empty(C.shape[0])
        pv = pol_of(C)
        for pol in (1, -1):
            rows = np.flatnonzero(pv == pol)
            if rows.size:
                out[rows] = np.sum(prob.residuals(C[rows, :k], pol) ** 2, axis=1)
        return out

    sob = qmc.Sobol(d=kk, scramble=True, seed=seed)
    n0 = max(n_starts, 2 * kk) if strategy == "de" else n_starts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # Sobol balance needs powers of 2; not needed here
        C0 = sob.random(n0) if n0 > 0 else np.empty((0, kk))
    if use_model_values:
        extra = [np.concatenate([u_model, [0.25]]), np.concatenate([u_model, [0.75]])] if polarity == "auto" \
            else [u_model]
        C0 = np.vstack([np.array(extra), C0])
    if C0.shape[0] == 0:
        raise ParameterError("fit: no starting points (n_starts = 0 and use_model_values = False)")
    if strategy == "de":
        from scipy.optimize import differential_evolution
        bar = tqdm(total=generations, desc=f"fit {label} (global)", disable=_progress(progress), leave=False)

        def cb(*_a, **_k):
            bar.update(1)

        with np.errstate(all="ignore"):
            de = differential_evolution(lambda X: costs(X.T), [(0.0, 1.0)] * kk, maxiter=generations,
                                        init=C0, vectorized=True, updating="deferred", polish=False, seed=seed,
                                        tol=0.0, atol=0.0, mutation=(0.5, 1.0), recombination=0.9, callback=cb)
        bar.close()
        pool, pool_cost = de.population, de.population_energies
    else:
        pool, pool_cost = C0, costs(C0)
    starts = []
    for j in np.argsort(pool_cost):
        c, pol, u = float(pool_cost[j]), int(pol_of(pool[j:j + 1])[0]), pool[j, :k]
        if all(pol != p or np.max(np.abs(u - v)) > 0.05 for _, p, v in starts):
            starts.append((c, pol, u))
        if len(starts) >= n_local:
            break
    return starts, int(C0.shape[0])


def refine(prob: Problem, starts, *, max_nfev: int, progress, label: str):
    """Bounded dogbox least squares from each start; returns ``(cost, polarity, solution,
    [(start cost, refined cost), ...])`` of the best refinement."""
    from scipy.optimize import least_squares
    from tqdm.auto import tqdm

    best = None
    local_costs = []
    for c0, pol, u0 in tqdm(starts, desc=f"fit {label} (local)", disable=_progress(progress), leave=False):

        def fun(u, pol=pol):
            return prob.residuals(u[None, :], pol)[0]

        def jac(u, pol=pol):
            return prob.jacobian(u, pol)

        with np.errstate(all="ignore"):
            sol = least_squares(fun, np.clip(u0, 0.0, 1.0), jac=jac, bounds=(0.0, 1.0), method="dogbox",
                                x_scale=1.0, ftol=1e-10, xtol=1e-10, gtol=1e-10, max_nfev=max_nfev)
        cost = float(np.sum(sol.fun ** 2))
        local_costs.append((c0, cost))
        if best is None or cost < best[0]:
            best = (cost, pol, sol)
    return best + (local_costs,)


def uncertainty(prob: Problem, u, pol) -> SimpleNamespace:
    """Jacobian, residual statistics, standard errors and correlation at the optimum ``u``.

    ``cov = s^2 (J^T J)^+`` through the SVD of J; parameters with weight in (numerically)
    null directions are not determined by the data and get an infinite standard error.
    """
    sp_ = prob.space
    J = prob.jacobian(u, pol)
    r = prob.residuals(u[None, :], pol)[0]
    N, k = r.size, sp_.k
    ssr = float(np.sum(r ** 2))
    s2 = ssr / max(N - k, 1)
    _, sv, Vt = np.linalg.svd(J, full_matrices=False)
    null = sv <= 1e-8 * (sv[0] if sv.size and sv[0] > 0 else 1.0)
    inv = np.where(null, 0.0, 1.0 / np.where(null, 1.0, sv) ** 2)
    cov_u = s2 * (Vt.T * inv) @ Vt
    undetermined = np.any(np.abs(Vt[null]) > 1e-6, axis=0) if np.any(null) else np.zeros(k, bool)
    vals = sp_.to_values(u)
    std, rel, cov_z = sp_.std_from_unit(vals, cov_u)
    dz = np.sqrt(np.clip(np.diag(cov_z), 1e-300, None))
    return SimpleNamespace(J=J, N=N, ssr=ssr, values=vals, std=np.where(undetermined, np.inf, std),
                           rel=np.where(undetermined, np.inf, rel), corr=cov_z / np.outer(dz, dz))
