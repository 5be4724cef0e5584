"""In-situ training of a digits classifier through the transient simulator (prints a table with `uptime`).

Layer: one 65 x 10 VTEAM crossbar (64 pixels scaled to [0, 1] plus a constant bias row;
R_on = 100 kohm, R_off = 1 Mohm, k = 1e-2 m/s, thresholds +-0.5 V, alpha = 1), 5 ohm wire
segments, drivers and sense resistors. Every cell starts at mid state (x = D/2); the
reference conductance is that state's, so every weight starts at 0; weight unit
g_scale = 1 uS. Targets: one-hot (mean squared error). Training: train_layer's
mini-batch delta rule, each update written row by row (a SET and a RESET pulse per row,
V/3 scheme, 20 ns, amplitudes 0.5..0.95 V) through TransientCrossbar, so half-selected
cells are disturbed and every read goes through the wire network.

Software references, trained on the same split with the same features and one-hot
targets: the least-squares optimum of the same loss (numpy lstsq, closed form; what the
delta rule converges to without device limits), the same mini-batch delta rule with float
weights on the same batches (the in-situ run minus the device), and scikit-learn's
LogisticRegression (a different loss, for scale).

Usage: python benchmarks/bench_insitu.py [--train 1200] [--epochs 5] [--lr 0.1] [--batch 50]
Timings under load are pessimistic (the load average is printed with them).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

WIRES = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)


def run(n_train=1200, epochs=5, lr=0.1, batch=50, seed=0):
    from sklearn.linear_model import LogisticRegression

    from memlab.arrays import TransientCrossbar, UpdateRule, train_layer
    from memlab.devices import VTEAM
    from memlab.networks import digits

    data = digits()
    feats = np.column_stack([np.asarray(data.x) / 16.0, np.ones(len(data.y))])
    labels = np.asarray(data.y)
    onehot = np.eye(10)[labels]
    perm = np.random.default_rng(seed).permutation(labels.size)
    tr, te = perm[:n_train], perm[n_train:]
    rows = []

    t0 = time.perf_counter()
    W = np.linalg.lstsq(feats[tr], onehot[tr], rcond=None)[0]
    rows.append({"model": "software least squares (same loss)", "epoch": "-",
                 "train_acc": np.mean((feats[tr] @ W).argmax(1) == labels[tr]),
                 "test_acc": np.mean((feats[te] @ W).argmax(1) == labels[te]), "wall_s": time.perf_counter() - t0})
    t0 = time.perf_counter()
    lg = LogisticRegression(max_iter=2000).fit(feats[tr, :64], labels[tr])
    rows.append({"model": "software logistic regression", "epoch": "-",
                 "train_acc": lg.score(feats[tr, :64], labels[tr]), "test_acc": lg.score(feats[te, :64], labels[te]),
                 "wall_s": time.perf_counter() - t0})

    # the float delta rule on train_layer's batches (each epoch's order: default_rng(seed).permutation)
    order_rng, Wf, sgd = np.random.default_rng(seed), np.zeros((65, 10)), []
    for _ in range(epochs):
        idx = tr[order_rng.permutation(n_train)]
        for b in np.array_split(idx, np.arange(batch, n_train, batch)):
            Wf = Wf + lr * feats[b].T @ (onehot[b] - feats[b] @ Wf) / b.size
        sgd.append(np.mean((feats[te] @ Wf).argmax(1) == labels[te]))

    cell = VTEAM(R_on=1e5, R_off=1e6, k_off=1e-2, k_on=-1e-2, alpha_on=1, v_off=0.5, v_on=-0.5)
    tx = TransientCrossbar(cell, np.full((65, 10), 1.5e-9), **WIRES)
    rule = UpdateRule(v_th=0.5, v_max=0.95, width=20e-9, dw_max=0.2, scheme="V/3")
    t0 = time.perf_counter()
    h = train_layer(tx, feats[tr], onehot[tr], rule=rule, epochs=epochs, lr=lr, batch=batch,
                    g_ref=float(tx.conductance()[0, 0]), g_scale=1e-6, seed=seed, val=(feats[te], onehot[te]))
    wall = time.perf_counter() - t0
    st = h.stats
    for k in range(epochs + 1):
        rows.append({"model": "in-situ crossbar", "epoch": k, "train_acc": h.accuracy[k], "test_acc": h.val_accuracy[k],
                     "float_rule_test_acc": sgd[k - 1] if k else "-",
                     "train_mse": h.loss[k], "pulses": st["epoch_pulses"][k - 1] if k else 0,
                     "energy_J": st["epoch_energy"][k - 1] if k else 0.0,
                     "wall_s": st["epoch_time"][k - 1] if k else 0.0})
    rows.append({"model": "in-situ crossbar, total", "epoch": epochs, "pulses": h.pulses, "energy_J": h.energy,
                 "wall_s": wall})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=1200)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=50)
    a = ap.parse_args()
    from memlab._table import to_text
    rows = run(a.train, a.epochs, a.lr, a.batch)
    print(f"digits: {a.train} training / {1797 - a.train} test samples, lr {a.lr}, batch {a.batch}, 5 ohm wires")
    print(to_text(rows, ["model", "epoch", "train_acc", "test_acc", "float_rule_test_acc", "train_mse", "pulses", "energy_J", "wall_s"]))
    print("uptime:", os.popen("uptime").read().strip())


if __name__ == "__main__":
    main()
