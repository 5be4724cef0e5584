"""Crossbar solver speed and memory against the issue's targets (prints a table).

Linear cells: random G in [1 uS, 100 uS], 1 ohm wire segments, 1 ohm drivers and sense
resistors, inputs uniform in [0, 0.3] V. Nonlinear: memlab.devices.SinhConductance(v0=0.25)
with the same G as small-signal conductance. Each case runs in its own subprocess so its
peak memory (max RSS, from wait4) is its own; every case first warms up the numba kernels
on a 16 x 16 array (the one-off JIT cache load is reported separately). Wall times are the
best of ``--repeat`` runs inside the case process (the machine is shared).

``--threads N`` passes ``threads=N`` to every solve (default: the solver's own default, one
thread below 512 x 512 cells and numba's setting above; on a shared machine 1 is faster).

Usage: python benchmarks/bench_arrays.py [--quick] [--skip-4096] [--repeat N] [--threads N]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.abspath(__file__)


def _case_crossbar(n, seed=0, cell=None):
    from memlab.arrays import Crossbar
    rng = np.random.default_rng(seed)
    G = rng.uniform(1e-6, 1e-4, (n, n))
    return G, Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0, cell=cell)


def _warm():
    from memlab.arrays import Crossbar
    t = time.perf_counter()
    G = np.full((16, 16), 1e-5)
    xb = Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
    xb.solve(np.full(16, 0.1), method="cg")
    return time.perf_counter() - t


def run_case(name: str, repeat: int, threads=None) -> dict:
    """Runs inside the child process; returns a JSON-able dict."""
    jit = _warm()
    rng = np.random.default_rng(1)
    out = {"case": name, "jit_s": jit}
    best = np.inf
    if name == "ngspice64":
        from memlab.circuits import simulate_crossbar_op
        G, xb = _case_crossbar(64)
        v = rng.uniform(0, 0.3, 64)
        op = simulate_crossbar_op(G, v, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
        out["ngspice_s"] = op.wall_time
        for meth in ("direct", "cg"):
            tb = np.inf
            for _ in range(max(repeat, 3)):
                t = time.perf_counter()
                G, xb = _case_crossbar(64)
                s = xb.solve(v, method=meth, threads=threads)
                tb = min(tb, time.perf_counter() - t)
            out[f"{meth}_s"] = tb
            out[f"{meth}_it"] = s.iterations
            out[f"{meth}_err"] = float(np.max(np.abs(s.i_out - op.i_out)) / np.max(np.abs(op.i_out)))
        return out
    if name in ("lin1024x1", "lin4096x1", "lin256x1"):
        n = {"lin1024x1": 1024, "lin4096x1": 4096, "lin256x1": 256}[name]
        v = rng.uniform(0, 0.3, n)
        reps = 1 if n >= 4096 else repeat
        for _ in range(reps):
            t = time.perf_counter()
            G, xb = _case_crossbar(n)
            t_build = time.perf_counter() - t
            s = xb.solve(v, threads=threads)
            dt = time.perf_counter() - t
            if dt < best:
                best, out["build_s"], out["solve_s"] = dt, t_build, s.wall_time
            del xb, G
        out.update(wall_s=best, method=s.method, iterations=s.iterations, residual=s.residual)
        return out
    if name == "lin1024x1024":
        n = 1024
        V = rng.uniform(0, 0.3, (n, n))
        t = time.perf_counter()
        G, xb = _case_crossbar(n)
        s = xb.solve(V, threads=threads)
        out.update(wall_s=time.perf_counter() - t, method=s.method, iterations=s.iterations, residual=s.residual,
                   spot_error=s.info.get("spot_check_error"))
        # independent check of a few columns with line CG
        k = [0, 511, 1023]
        c = xb.solve(V[:, k], method="cg", threads=threads)
        out["vs_cg_err"] = float(np.max(np.abs(c.i_out - s.i_out[:, k])) / np.max(np.abs(c.i_out)))
        return out
    if name == "sinh1024x1":
        from memlab.devices import SinhConductance
        n = 1024
        v = rng.uniform(0, 0.3, n)
        cell = SinhConductance(v0=0.25)
        _case_crossbar(16, cell=cell)[1].solve(np.full(16, 0.1), method="cg")  # warm the model kernels
        for _ in range(repeat):
            t = time.perf_counter()
            G, xb = _case_crossbar(n, cell=cell)
            s = xb.solve(v, threads=threads)
            best = min(best, time.perf_counter() - t)
        out.update(wall_s=best, method=s.method, iterations=s.iterations, newton=s.newton_steps,
                   residual=s.residual)
        return out
    raise SystemExit(f"unknown case {name}")


def spawn(name: str, repeat: int, threads=None) -> dict:
    extra = [] if threads is None else ["--threads", str(threads)]
    p = subprocess.Popen([sys.executable, HERE, "--child", name, "--repeat", str(repeat), *extra],
                         stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        return {"case": name, "error": f"exit {p.returncode}"}
    d = json.loads(out.strip().splitlines()[-1])
    d["peak_gb"] = ru.ru_maxrss / 1024 ** 2  # ru_maxrss is in KiB on Linux
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="only 64x64 and 256x256")
    ap.add_argument("--skip-4096", action="store_true")
    ap.add_argument("--threads", type=int, default=None, help="numba threads per solve (default: solver's)")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(run_case(a.child, a.repeat, a.threads)))
        return
    from memlab.arrays._direct import HAVE_CHOLMOD
    cases = ["ngspice64", "lin256x1"] if a.quick else ["ngspice64", "lin1024x1", "lin1024x1024", "sinh1024x1"]
    if not a.quick and not a.skip_4096:
        cases.append("lin4096x1")
    rows = []
    for c in cases:
        print(f"running {c} ...", file=sys.stderr, flush=True)
        rows.append(spawn(c, a.repeat, a.threads))
    print(f"\nmemlab.arrays benchmark  (CHOLMOD: {HAVE_CHOLMOD}; cores: {os.cpu_count()}; "
          f"threads: {a.threads or 'default'}; load average before: {os.getloadavg()[0]:.1f})")
    hdr = f"{'case':<30}{'method':<14}{'wall s':>9}{'iters':>8}{'peak GB':>9}{'ngspice s':>11}{'ratio':>8}  {'target':<22}{'ok':<4}"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        if "error" in r:
            print(f"{r['case']:<30} ERROR {r['error']}")
            continue
        pk = r.get("peak_gb", float("nan"))
        if r["case"] == "ngspice64":
            for meth in ("direct", "cg"):
                ratio = r["ngspice_s"] / r[f"{meth}_s"]
                print(f"{'64x64 linear, 1 input':<30}{meth:<14}{r[meth + '_s']:>9.4f}{r[meth + '_it']:>8}{pk:>9.2f}"
                      f"{r['ngspice_s']:>11.3f}{ratio:>8.0f}  {'>= 100x faster':<22}{'yes' if ratio >= 100 else 'NO':<4}"
                      f"  (max rel diff to ngspice {r[meth + '_err']:.1e})")
            continue
        label, target, lim = {
            "lin256x1": ("256x256 linear, 1 input", "-", None),
            "lin1024x1": ("1024^2 linear, 1 input", "< 0.5 s", 0.5),
            "lin1024x1024": ("1024^2 linear, 1024 inputs", "< 60 s incl. set-up", 60.0),
            "sinh1024x1": ("1024^2 sinh, 1 input", "< 5 s", 5.0),
            "lin4096x1": ("4096^2 linear, 1 input", "< 15 s, < 8 GB", 15.0),
        }[r["case"]]
        ok = lim is None or (r["wall_s"] < lim and (r["case"] != "lin4096x1" or pk < 8.0))
        it = r.get("iterations", "")
        if r["case"] == "sinh1024x1":
            it = f"{r['newton']}N/{r['iterations']}"
        print(f"{label:<30}{r['method']:<14}{r['wall_s']:>9.3f}{str(it):>8}{pk:>9.2f}{'-':>11}{'-':>8}  {target:<22}"
              f"{'yes' if ok else 'NO':<4}  (KCL residual {r['residual']:.1e})")
        if r["case"] in ("lin1024x1", "lin4096x1", "lin256x1"):
            print(f"{'':<30}{'':<14}  of which Crossbar construction {r['build_s']:.3f} s, solve {r['solve_s']:.3f} s")
        if r["case"] == "lin1024x1024":
            print(f"{'':<30}{'':<14}  port model vs full solve (spot check) {r['spot_error']:.1e}; "
                  f"vs line CG on 3 inputs {r['vs_cg_err']:.1e}")
    jit = [r.get("jit_s", 0) for r in rows if "jit_s" in r]
    if jit:
        print(f"\none-off numba cache load / warm-up per process: {min(jit):.2f}-{max(jit):.2f} s (not in the times above)")


if __name__ == "__main__":
    main()
