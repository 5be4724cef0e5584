"""Transient array simulator speed against the issue's targets (prints a table with `uptime`).

Cases (5 ohm wire segments, drivers and sense resistors):

1. ``8x8 V/2``: VTEAM (k_off = 1e-2 m/s, thresholds +-0.3 V, alpha_on = 1), random states,
   a 1 V V/2 write of cell (3, 5), 50 ns flat top, 2 ns edges; memlab (rtol 1e-3, dense
   output) and ngspice (max step duration/1000), the settings of the 1 % agreement test,
   on the same 41 output times; the state error is printed. ngspice runs in this process
   (libngspice), so both CPU times are this process's. Target: memlab >= 100x faster.
2. ``128x128 write-verify``: VTEAM with R_on = 100 kohm, R_off = 1 Mohm (a 50..1000 ohm
   cell cannot be read through 128 cells of 5 ohm wire: the word-line IR drop exceeds the
   read voltage), random read targets in [1/800 kohm, 1/200 kohm], row-parallel ISPP
   (0.7 V start, 0.05 V steps, 0.98 V cap, 20 ns pulses), at most 20 pulses per row.
   Target: < 60 s.
3. ``512x512 V/2``: the VTEAM of case 1 with R_on = 100 kohm, R_off = 1 Mohm, one 1 V V/2
   write of the centre cell, every cell's state integrated. Target: < 10 s.

Usage: python benchmarks/bench_transient.py [--skip-ngspice] [--skip-128] [--skip-512] [--threads N]
Timings under load are pessimistic (the load average is printed with them); the process
CPU time is printed next to the wall time (on a shared machine the wall time can be
several times the CPU time). ngspice's time is wall time (it runs in this process too).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import time

import numpy as np

WIRES = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
THREADS = [1]


def _vt(**kw):
    from memlab.devices import VTEAM
    return VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1, **kw)


def case_8x8(ngspice=True):
    from memlab.arrays import TransientCrossbar, write_drives
    x0 = np.random.default_rng(1).uniform(0, 3e-9, (8, 8))
    d = write_drives((8, 8), 3, 1.0, cols=5, scheme="V/2", width=50e-9, rise=2e-9)
    t = np.linspace(0, d.duration, 41)
    tx = TransientCrossbar(_vt(), x0, **WIRES)
    tx.simulate(d, t=t, rtol=1e-3, dense_output=True)  # warm-up (kernel and BLAS loading)
    best, cpu = np.inf, np.inf
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        ours = tx.simulate(d, t=t, rtol=1e-3, dense_output=True)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    row = {"case": "8x8 VTEAM V/2 write (1 cell)", "memlab_s": best, "cpu_s": cpu, "steps": ours.stats["steps"]}
    if ngspice:
        from memlab.circuits import simulate_crossbar_tran
        t0, c0 = time.perf_counter(), time.process_time()
        ng = simulate_crossbar_tran(x0, d.word, d.bit, cell=_vt(), t=t, max_step=d.duration / 1000, **WIRES)
        row["ngspice_s"], row["ngspice_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
        row["speedup"] = row["ngspice_s"] / best
        row["speedup_cpu"] = row["ngspice_cpu_s"] / cpu
        row["state_err"] = float(np.max(np.abs(ours.x - ng.x)) / 3e-9)
    return row


def case_128():
    from memlab.arrays import ISPP, TransientCrossbar, program_array
    M = 128
    rng = np.random.default_rng(0)
    m = _vt(R_on=1e5, R_off=1e6).with_params(v_off=0.5, v_on=-0.5)
    tx = TransientCrossbar(m, np.full((M, M), 1.5e-9), **WIRES)
    target = 1 / rng.uniform(2e5, 8e5, (M, M))
    pol = ISPP(v_set=-0.7, v_reset=0.7, width=20e-9, v_step=0.05, v_max=0.98)
    t0, c0 = time.perf_counter(), time.process_time()
    rep = program_array(tx, target, policy=pol, tolerance=0.05, mode="row", max_pulses=20)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = rep.summary()
    return {"case": "128x128 VTEAM row-parallel write-verify", "memlab_s": wall, "cpu_s": cpu,
            "detail": f"yield {100 * s['yield']:.1f} %, pulses/row mean {rep.row_pulses.mean():.1f} max "
                      f"{rep.row_pulses.max()}, median |err| {100 * s['error_median']:.2f} %, "
                      f"energy {s['energy']:.3g} J"}


def case_512():
    from memlab.arrays import TransientCrossbar, write_drives
    M = 512
    x0 = np.random.default_rng(5).uniform(0, 3e-9, (M, M))
    tx = TransientCrossbar(_vt(R_on=1e5, R_off=1e6), x0, **WIRES)
    d = write_drives((M, M), M // 2, 1.0, cols=M // 2, scheme="V/2", width=50e-9, rise=2e-9)
    t0, c0 = time.perf_counter(), time.process_time()
    tr = tx.simulate(d, t=[0.0, d.duration], rtol=1e-3, threads=THREADS[0])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    moved = np.abs(tr.x_final - x0) / 3e-9
    return {"case": "512x512 VTEAM V/2 write (all states)", "memlab_s": wall, "cpu_s": cpu, "steps": tr.stats["steps"],
            "detail": f"{tr.stats['solves']} network solves ({tr.stats['method']}, {tr.stats['iterations']} CG "
                      f"iterations); {int(np.count_nonzero(moved > 1e-3))} cells moved > 0.1 %"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-ngspice", action="store_true")
    ap.add_argument("--skip-128", action="store_true")
    ap.add_argument("--skip-512", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="numba threads of the 512 x 512 line CG (default 1: "
                    "faster on a shared machine; 0 = numba's default)")
    a = ap.parse_args()
    THREADS[0] = a.threads or None
    os.environ.setdefault("MEMLAB_CACHE_DIR", os.path.join(os.getcwd(), ".cache-kernels"))
    from memlab._table import to_text
    rows = [case_8x8(not a.skip_ngspice)]
    if not a.skip_128:
        rows.append(case_128())
    if not a.skip_512:
        rows.append(case_512())
    targets = {"8x8": ">= 100x ngspice", "128x128": "< 60 s", "512x512": "< 10 s"}
    table = [{"case": r["case"], "memlab (s)": f"{r['memlab_s']:.3g}", "memlab CPU (s)": f"{r['cpu_s']:.3g}",
              "ngspice (s)": f"{r['ngspice_s']:.3g}" if "ngspice_s" in r else "-",
              "ngspice CPU (s)": f"{r['ngspice_cpu_s']:.3g}" if "ngspice_cpu_s" in r else "-",
              "speed-up wall / CPU": f"{r['speedup']:.0f}x / {r['speedup_cpu']:.0f}x" if "speedup" in r else "-",
              "target": next(v for k, v in targets.items() if r["case"].startswith(k)),
              "notes": r.get("detail", f"{r.get('steps', '')} steps, state error vs ngspice "
                                        f"{100 * r['state_err']:.3f} % of range" if "state_err" in r else "")}
             for r in rows]
    print(to_text(table))
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
