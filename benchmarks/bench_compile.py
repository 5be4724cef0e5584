"""First-use cost of every built-in model: what a user waits for the first simulation of a
model in a fresh process, with an empty kernel cache (cold) and with the cache filled by an
earlier process (warm). Prints a table.

Each case runs in a fresh Python process of its own with ``MEMLAB_CACHE_DIR`` pointing at a
new temporary folder (cold), then once more in another fresh process on the same folder
(warm). Columns: ``derive`` (sympy: the equations, their derivatives and numpy kernels,
``model._k``), ``source`` (printing the kernel module: CSE, hoisting; timed on its own),
``first run`` (the simulation of the model's I-V demonstration, ``simulate(model, iv_demo
drive)``, adaptive ROS2: it reads the source from the cache folder, where the ``source``
step left it, then numba compiles the kernels or loads them from the cache), ``first fixed``
(then the first fixed-step simulation of the demonstration drive without its series
resistor: the compile of the fixed-step block, lane-vectorised when the model has a lane
form, see memlab.devices._lanes; not in the totals) and ``ngspice`` (netlist, ngspice's
transient of the same drive, ``memlab.circuits.characterize``). ``warm source``: the source
read back by the second process (memlab.devices._codegen.module_source keeps the printed
source under a key of everything it depends on). ``make demo`` pays each model's cold cost
once on a fresh machine.

Usage: ``python benchmarks/bench_compile.py [name ...]`` (short names, default all).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
from memlab.devices import get_model
from memlab.devices._codegen import module_source
from memlab.analysis._characterize import iv_traces
key, spice = sys.argv[1], sys.argv[2] == "1"
out = {"import": time.perf_counter() - t0}
m = get_model(key)
t = time.perf_counter(); k = m._k; out["derive"] = time.perf_counter() - t
t = time.perf_counter(); module_source(k.label, k); out["source"] = time.perf_counter() - t
t = time.perf_counter(); iv_traces(key); out["first run"] = time.perf_counter() - t
from memlab.devices import simulate
demo = type(m).iv_demo
drive = demo.drive(1, r_series=0.0) if demo.r_series else type(m).demo_drive(1)[0]
t = time.perf_counter(); simulate(m, drive, method="fixed"); out["first fixed"] = time.perf_counter() - t
if spice:
    t = time.perf_counter(); iv_traces(key, native=False, spice=True); out["ngspice"] = time.perf_counter() - t
print("RESULT" + json.dumps(out))
"""


def run(key: str, cache: str, spice: bool) -> dict:
    env = dict(os.environ, MEMLAB_CACHE_DIR=cache)
    p = subprocess.run([sys.executable, "-c", CHILD, key, "1" if spice else "0"], env=env, capture_output=True,
                       text=True, timeout=1800)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT")]
    if p.returncode or not line:
        raise RuntimeError(f"{key}: child failed: {p.stderr[-2000:]}")
    return json.loads(line[0][6:])


def main(names):
    from memlab.devices import MODELS

    keys = [k for k in MODELS if not names or k in names]
    rows = []
    for key in keys:
        with tempfile.TemporaryDirectory(prefix="memlab-bench-compile-") as cache:
            t = time.perf_counter()
            cold = run(key, cache, spice=True)
            warm = run(key, cache, spice=False)
            rows.append((key, cold, warm))
            print(f"  {key}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings under load are pessimistic); "
          "seconds; each model in fresh processes, cold = empty kernel cache, warm = the cache of the cold run")
    cols = ("derive", "source", "first run")
    print(f"{'model':12s} " + " ".join(f"{'cold ' + c:>15s}" for c in cols) + f" {'cold ngspice':>13s} "
          f"{'cold total':>11s} {'warm first run':>15s} {'warm total':>11s} {'cold first fixed':>17s} "
          f"{'warm first fixed':>17s} {'warm source':>12s}")
    tot_c = tot_w = 0.0
    for key, cold, warm in rows:
        c_tot = sum(cold[c] for c in cols) + cold["ngspice"]
        w_tot = sum(warm[c] for c in cols)
        tot_c += c_tot
        tot_w += w_tot
        print(f"{key:12s} " + " ".join(f"{cold[c]:15.2f}" for c in cols) + f" {cold['ngspice']:13.2f} "
              f"{c_tot:11.2f} {warm['first run']:15.2f} {w_tot:11.2f} {cold['first fixed']:17.2f} "
              f"{warm['first fixed']:17.2f} {warm['source']:12.2f}")
    print(f"{'all':12s} {'':>15s} {'':>15s} {'':>15s} {'':>13s} {tot_c:11.2f} {'':>15s} {tot_w:11.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
