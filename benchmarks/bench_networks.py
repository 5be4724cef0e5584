"""Mapped-network inference speed against the issue's targets (prints a table).

Cases (wall time includes set-up: building the network, map_network, every tile's
programming and port model / factorisation, and the inference of the whole data set):

- lenet_linear: LeNet-size CNN on all 1,797 sklearn digits (8x8): conv 1->6 5x5 pad 2,
  maxpool 2, conv 6->16 5x5 pad 2, maxpool 2, dense 64-120-84-10 (seeded random weights),
  128x128 tiles, linear cells, 1 ohm wires/drivers/sense (exact per-tile solve). Target 30 s.
- lenet_sinh: the same on 64x64 tiles with SinhConductance(v0=0.25) cells (Newton per input
  vector). Target 300 s. ``--sinh-images N`` runs N images and extrapolates linearly
  (N = 0: skipped; default 8).
- mlp_mnist: MLP 784-256-10 on 10,000 random MNIST-sized inputs in [0, 1], 256x256 tiles,
  linear cells with IR drop (1 ohm). Target 60 s.

Each case runs in its own subprocess (peak RSS is its own). The machine load (``uptime``)
is printed, since the machine may be shared.

Usage: python benchmarks/bench_networks.py [--sinh-images N] [--cases a,b]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.abspath(__file__)
WIRES = dict(r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
TARGETS = {"lenet_linear": 30.0, "lenet_sinh": 300.0, "mlp_mnist": 60.0}


def lenet(seed=0):
    from memlab.networks import NetLayer, Network
    rng = np.random.default_rng(seed)

    def conv(name, src, co, ci):
        return NetLayer(name, "conv", (src,), name, {"W": rng.normal(0, 1 / np.sqrt(ci * 25), (co, ci, 5, 5)),
                                                  "b": rng.normal(0, 0.1, co), "pads": (2, 2, 2, 2)})

    def dense(name, src, n_out, n_in):
        return NetLayer(name, "dense", (src,), name, {"W": rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)),
                                                   "b": rng.normal(0, 0.1, n_out)})

    def act(name, src):
        return NetLayer(name, "activation", (src,), name, {"kind": "relu"})

    def pool(name, src):
        return NetLayer(name, "pool", (src,), name, {"kind": "max", "kernel": (2, 2), "strides": (2, 2),
                                                  "pads": (0, 0, 0, 0)})

    layers = [conv("conv1", "input", 6, 1), act("r1", "conv1"), pool("p1", "r1"),
              conv("conv2", "p1", 16, 6), act("r2", "conv2"), pool("p2", "r2"),
              NetLayer("flat", "flatten", ("p2",), "flat"), dense("fc1", "flat", 120, 64), act("r3", "fc1"),
              dense("fc2", "r3", 84, 120), act("r4", "fc2"), dense("fc3", "r4", 10, 84)]
    return Network(layers, input_shape=(1, 8, 8), name="lenet-digits")


def run_case(name: str, sinh_images: int) -> dict:
    from memlab.networks import digits, from_arrays, map_network
    t0 = time.perf_counter()
    out = {"case": name}
    if name.startswith("lenet"):
        x = digits(image=True).x / 16.0
        net = lenet()
        kw = dict(tile=(128, 128), **WIRES)
        if name == "lenet_sinh":
            from memlab.devices import SinhConductance
            kw = dict(tile=(64, 64), cell=SinhConductance(v0=0.25), **WIRES)
            out["images"] = sinh_images
            x_run = x[:sinh_images]
        else:
            x_run = x
        mapped = map_network(net, calibration=x, **kw)
        y = mapped.infer(x_run, progress=False)
        out["full_images"] = len(x)
    else:
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (10_000, 784))
        net = from_arrays([rng.normal(0, 1 / 28, (256, 784)), rng.normal(0, 1 / 16, (10, 256))],
                          [rng.normal(0, 0.1, 256), rng.normal(0, 0.1, 10)], name="mlp-784-256-10")
        mapped = map_network(net, tile=(256, 256), calibration=x[:1000], **WIRES)
        x_run = x
        y = mapped.infer(x_run, progress=False)
        out["full_images"] = len(x)
    out["wall_s"] = time.perf_counter() - t0
    ideal = mapped.ideal(x_run)
    out["rel_error"] = float(np.linalg.norm(y - ideal) / np.linalg.norm(ideal))
    out["tiles"] = len(mapped.tiles)
    out["vectors"] = int(sum(v * len(x_run) * len(mapped.matrices[k].tiles) for k, v in mapped.vectors.items()))
    out["images"] = len(x_run)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sinh-images", type=int, default=8)
    ap.add_argument("--cases", default="lenet_linear,lenet_sinh,mlp_mnist")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(run_case(a.child, a.sinh_images)))
        return
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores; {load}")
    rows = []
    for case in a.cases.split(","):
        if case == "lenet_sinh" and a.sinh_images == 0:
            continue
        r = subprocess.run([sys.executable, HERE, "--child", case, "--sinh-images", str(a.sinh_images)],
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr)
            raise SystemExit(f"case {case} failed")
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"{'case':<14}{'images':>8}{'tiles':>7}{'tile solves':>13}{'wall s':>9}{'full est. s':>12}{'target s':>10}"
          f"{'rel.err':>9}{'RSS MB':>8}  ok")
    for r in rows:
        est = r["wall_s"] * r["full_images"] / r["images"]
        ok = "yes" if est < TARGETS[r["case"]] else "NO"
        print(f"{r['case']:<14}{r['images']:>8}{r['tiles']:>7}{r['vectors']:>13}{r['wall_s']:>9.2f}{est:>12.1f}"
              f"{TARGETS[r['case']]:>10.0f}{r['rel_error']:>9.2e}{r['rss_mb']:>8.0f}  {ok}")
    print("full est.: wall time scaled linearly to the full data set (equal to wall for complete runs; for "
          "lenet_sinh the set-up is included once and scaled, an upper bound)")
    print(f"load after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
