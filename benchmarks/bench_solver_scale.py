"""Solver scale (issue 18): two-level vs line preconditioner from 256^2 to 8192^2 (prints a table).

Each (size, preconditioner) runs in its own subprocess; peak memory is that process's max
RSS (``os.wait4``), so it includes the Python interpreter, the crossbar's own arrays and the
numba kernels (about 0.3 GB at 256^2). Crossbar: G ~ U[1 uS, 100 uS], 1 ohm word- and
bit-line segments, drivers and sense; one input v ~ U[0, 0.3] V; rtol 1e-10 (the KCL residual
column is the solution's own ``norm(r) / norm([i_in; i_out])``). Preconditioners:

- ``line``: the line (Thomas) preconditioner of the bit-line Schur complement alone
  (``AutoPolicy(two_level_min_length=inf)``);
- ``2level``: the same plus the coarse common-mode correction of
  :mod:`memlab.arrays._multigrid` (``two_level_min_length=0``); ``setup s`` is the coarse
  assembly and factorisation, inside the solve time;
- ``amg``: pyamg smoothed aggregation on the full nodal matrix (strength theta 0.25,
  symmetric Gauss-Seidel smoothing; with pyamg's defaults CG needed 472 iterations at 256^2)
  as a CG preconditioner (``ml.solve(accel="cg")``, relative residual of the right-hand side
  1e-10), for reference, up to ``--amg-max`` (skipped when pyamg is not installed: the library
  does not use it);
- ``sinh-*``: the same crossbar with SinhConductance(v0 = 0.25 V) cells (damped Newton,
  inexact inner CG); ``iters`` is the sum of the inner CG iterations.

Timings on the shared 2-core machine are pessimistic: the load average is printed with
every row. Before any 8192^2 run the script checks free memory (``--min-free-gb``).

``prec``: the precision of the preconditioner's bit-line solve (``f32``: mixed precision,
:attr:`~memlab.arrays.AutoPolicy.mixed_precision_min_cells`; ``--mixed off,on`` runs both).

Usage: python benchmarks/bench_solver_scale.py [--sizes 256,512,...] [--line-max N] [--amg-max N]
       [--sinh 4096] [--threads N] [--mixed auto|on|off|off,on] [--markdown]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

HERE = os.path.abspath(__file__)


def _crossbar(n, cell=None):
    from memlab.arrays import Crossbar
    G = np.random.default_rng(0).uniform(1e-6, 1e-4, (n, n))
    return Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0, cell=cell)


def run_case(kind: str, n: int, threads, mixed="auto") -> dict:
    from memlab.arrays import AutoPolicy
    from memlab.devices import SinhConductance
    warnings.simplefilter("ignore")
    sinh = kind.startswith("sinh")
    cell = SinhConductance(v0=0.25) if sinh else None
    two = kind.endswith("2level")
    mp = {"auto": {}, "on": {"mixed_precision_min_cells": 0}, "off": {"mixed_precision_min_cells": 1 << 62}}[mixed]
    pol = AutoPolicy(two_level_min_length=0.0 if two else np.inf, **mp)
    # numba warm-up (compiled kernels are cached on disk; this loads them)
    _crossbar(64, cell).solve(np.full(64, 0.1), method="cg", policy=pol)
    v = np.random.default_rng(1).uniform(0, 0.3, n)
    out = {"kind": kind, "n": n, "load": os.getloadavg()[0]}
    if kind == "amg":
        import pyamg
        from memlab.arrays._assemble import assemble, rhs_matrix
        xb = _crossbar(n)
        t0 = time.perf_counter()
        blocks = assemble(xb.topo, xb.G)
        A = blocks["A_ff"].tocsr()
        b = rhs_matrix(xb.topo, blocks) @ np.concatenate([v, np.zeros(n)])
        sgs = ("gauss_seidel", {"sweep": "symmetric"})
        ml = pyamg.smoothed_aggregation_solver(A, symmetry="symmetric", strength=("symmetric", {"theta": 0.25}),
                                               presmoother=sgs, postsmoother=sgs, max_coarse=500)
        setup = time.perf_counter() - t0
        res = []
        t1 = time.perf_counter()
        x = ml.solve(b, tol=1e-10, accel="cg", maxiter=1000, residuals=res)
        solve = time.perf_counter() - t1
        it = len(res) - 1
        out.update(wall_s=setup + solve, setup_s=setup, iterations=it, per_iter_s=solve / max(it, 1),
                   residual=float(np.linalg.norm(A @ x - b) / np.linalg.norm(b)), h="-")
        return out
    t0 = time.perf_counter()
    xb = _crossbar(n, cell)
    s = xb.solve(v, method="cg", full=False, policy=pol, threads=threads)
    out.update(build_s=time.perf_counter() - t0 - s.wall_time, wall_s=s.wall_time, iterations=s.iterations,
               newton=s.newton_steps if sinh else None, residual=s.residual, h=s.info.get("coarse_spacing", "-"),
               setup_s=s.info.get("coarse_setup_s", 0.0), per_iter_s=s.wall_time / max(s.iterations, 1),
               mixed="f32" if s.info.get("mixed_precision") else "f64")
    return out


def spawn(kind: str, n: int, threads, mixed="auto") -> dict:
    cmd = [sys.executable, HERE, "--child", f"{kind}:{n}", "--mixed", mixed] + \
        ([] if threads is None else ["--threads", str(threads)])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    text = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return {"kind": kind, "n": n, "error": f"exit {code}", "load": os.getloadavg()[0]}
    d = json.loads(text.strip().splitlines()[-1])
    d["peak_gb"] = ru.ru_maxrss / 1024 ** 2
    return d


def _free_gb() -> float:
    with open("/proc/meminfo") as f:
        info = dict(line.split(":", 1) for line in f)
    return int(info["MemAvailable"].split()[0]) / 1024 ** 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--sizes", default="256,512,1024,2048,4096,8192")
    ap.add_argument("--line-max", type=int, default=8192, help="largest size run with the line preconditioner")
    ap.add_argument("--amg-max", type=int, default=512, help="largest size run with pyamg (0: none)")
    ap.add_argument("--sinh", default="4096", help="sizes of the sinh cases (comma-separated, '' for none)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--mixed", default="auto", help="preconditioner precision: auto (AutoPolicy."
                    "mixed_precision_min_cells), on (float32), off (float64), or 'off,on' to run both per case")
    ap.add_argument("--min-free-gb", type=float, default=14.0, help="skip 8192^2 below this much free memory")
    a = ap.parse_args()
    if a.child:
        kind, n = a.child.split(":")
        print(json.dumps(run_case(kind, int(n), a.threads, a.mixed)))
        return
    sizes = [int(x) for x in a.sizes.split(",") if x]
    if importlib.util.find_spec("pyamg") is None:   # reference only, not a memlab dependency
        print("pyamg is not installed: no amg rows (pip install pyamg)", file=sys.stderr)
        a.amg_max = 0
    plan = []
    for n in sizes:
        plan += [("2level", n)] + ([("line", n)] if n <= a.line_max else []) + \
            ([("amg", n)] if n <= a.amg_max else [])
    plan += [(k, int(n)) for n in a.sinh.split(",") if n for k in ("sinh-2level", "sinh-line")]
    rows = []
    for kind, n in plan:
        if n >= 8192 and _free_gb() < a.min_free_gb:
            rows.append({"kind": kind, "n": n, "error": f"skipped: {_free_gb():.1f} GB free", "load": 0.0})
            continue
        for mixed in a.mixed.split(","):
            print(f"running {kind} {n}^2 mixed={mixed} (load {os.getloadavg()[0]:.1f}) ...", file=sys.stderr,
                  flush=True)
            rows.append(spawn(kind, n, a.threads, mixed))
    print(f"\nsolver scale, one input, rtol 1e-10  (cores: {os.cpu_count()}; threads: {a.threads or 'default'}; "
          f"shared machine: load average per row)")
    from memlab._table import to_markdown, to_text
    table = [{"size": f"{r['n']}^2", "precond": r["kind"], "h": r.get("h"), "prec": r.get("mixed"),
              "iters": r.get("iterations"),
              "newton": r.get("newton"), "setup s": r.get("setup_s"), "wall s": r.get("wall_s"),
              "s/iter": r.get("per_iter_s"), "peak GB": r.get("peak_gb"), "KCL res": r.get("residual"),
              "load": r["load"], "note": r.get("error", "")} for r in rows]
    print(to_markdown(table) if a.markdown else to_text(table))
    targets = [("2level", 4096, 5.0, None), ("2level", 8192, 30.0, 12.0), ("sinh-2level", 4096, 30.0, None)]
    print("\ntargets (issue 18, 2 cores):")
    for kind, n, t, gb in targets:
        r = next((r for r in reversed(rows) if r["kind"] == kind and r["n"] == n and "error" not in r), None)
        if r is None:
            print(f"  {kind} {n}^2: not run")
            continue
        ok = r["wall_s"] < t and (gb is None or r["peak_gb"] < gb)
        print(f"  {kind} {n}^2: {r['wall_s']:.1f} s (< {t:g} s)" + (f", {r['peak_gb']:.1f} GB (< {gb:g} GB)" if gb
                                                                   else "") + f"  {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
