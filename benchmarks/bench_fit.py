"""Cost of the fitting objective: population simulation vs one call per parameter set.

The fit evaluates many parameter sets at once (DE generations, finite-difference
Jacobians). This prints, per model, the wall time to simulate one Knowm loop (M1, 0.8 V,
10 Hz; sine + 5 kOhm, 3 periods, the default FitSettings) for N parameter sets in ONE
population call vs N separate calls, and the time of a full default fit.

Run:  python benchmarks/bench_fit.py [--data DIR] [--n 64] [--no-fit]   (or set MEMLAB_DATA)
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from memlab.devices import KnowmMSS, VTEAM, Yakopcic, FitSettings, fit, knowm_data_dir, load_knowm_set
from memlab.devices._fit_space import Problem


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="Knowm data folder (default: $MEMLAB_DATA)")
    ap.add_argument("--n", type=int, default=64, help="parameter sets")
    ap.add_argument("--no-fit", action="store_true")
    args = ap.parse_args(argv)
    m = load_knowm_set(knowm_data_dir(args.data), device="M1", amplitude=0.8, frequency=10)[0]
    rng = np.random.default_rng(0)
    print(f"| model | sets | population call (s) | separate calls (s) | speed-up | full fit (s) | fit error |")
    print("|---|---|---|---|---|---|---|")
    for model, pol in ((KnowmMSS(), 1), (Yakopcic(), 1), (VTEAM(iv="exponential"), -1)):
        names = type(model).fit_defaults.params
        prob = Problem(model, names, [m], None, FitSettings(), None, "series", None, None)
        U = rng.uniform(0.2, 0.8, size=(args.n, prob.space.k))
        prob.residuals(U[:2], pol)                      # compile
        t0 = time.perf_counter()
        R_pop = prob.residuals(U, pol)
        t_pop = time.perf_counter() - t0
        t0 = time.perf_counter()
        R_one = np.vstack([prob.residuals(U[j:j + 1], pol) for j in range(args.n)])
        t_one = time.perf_counter() - t0
        assert np.allclose(R_pop, R_one, rtol=1e-9, atol=1e-12)
        t_fit, err = float("nan"), float("nan")
        if not args.no_fit:
            t0 = time.perf_counter()
            r = fit(model, [m], use_model_values=False, progress=False)
            t_fit, err = time.perf_counter() - t0, r.errors[0]
        print(f"| {model.name} | {args.n} | {t_pop:.3f} | {t_one:.3f} | {t_one / t_pop:.1f}x | {t_fit:.1f} | {err:.4f} |")


if __name__ == "__main__":
    main()
