"""
Programming a crossbar in time: V/2 writes, disturb and write-verify
====================================================================

:class:`memlab.arrays.TransientCrossbar` simulates a whole crossbar while its lines are
driven: every cell's state follows its device ODE, and at every step the network (wire
segments, drivers, sense resistors, half-selected cells) is solved exactly. Word lines are
driven at column 0, bit lines at the last row, as in :class:`memlab.arrays.Crossbar`.
Line waveforms are :class:`memlab.arrays.LineDrives`; :func:`memlab.arrays.write_drives`
builds the V/2 and V/3 biasing of one write pulse (one cell, or a whole row with one
amplitude per column). On top of it: :func:`memlab.arrays.program_array` (write-verify of a
target conductance matrix), :func:`memlab.arrays.disturb_study` (repeated writes) and
:func:`memlab.arrays.train_layer` (in-situ training with outer-product updates).
"""

# %%
# One V/2 write, every cell moving
# --------------------------------
# An 8 x 8 VTEAM array (thresholds +-0.3 V, so a 1 V V/2 write half-selects its row and
# column at 0.5 V, above threshold), 5 ohm wires, drivers and sense resistors. The selected
# cell (3, 5) moves most; the half-selected cells drift; the others stay put.
import matplotlib.pyplot as plt
import numpy as np

from memlab.arrays import ISPP, TransientCrossbar, disturb_study, program_array, write_drives
from memlab.analysis import plot_disturb, plot_program
from memlab.devices import VTEAM

wires = dict(r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)      # ohm
vt = VTEAM(k_off=1e-2, v_off=0.3, v_on=-0.3, k_on=-1e-2, alpha_on=1)
x0 = np.full((8, 8), 1.5e-9)                                       # m, half-way
tx = TransientCrossbar(vt, x0, **wires)
pulse = write_drives((8, 8), 3, 1.0, cols=5, scheme="V/2", width=50e-9, rise=2e-9)
tr = tx.simulate(pulse, t=np.linspace(0, pulse.duration, 60), dense_output=True)
print(f"{tr.stats['steps']} steps, {tr.stats['solves']} network solves, {tr.stats['wall_time'] * 1e3:.1f} ms")
fig, ax = plt.subplots(figsize=(5.6, 3.6), layout="constrained")
for (i, j), name in (((3, 5), "selected (3, 5)"), ((3, 0), "half-selected (3, 0)"), ((0, 5), "half-selected (0, 5)"),
                     ((0, 0), "unselected (0, 0)")):
    ax.plot(tr.t * 1e9, (tr.x[:, i, j] - x0[i, j]) / 3e-9 * 100, label=name)
ax.set_xlabel("Time (ns)")
ax.set_ylabel("State change (% of range)")
ax.legend()

# %%
# Disturb against write count: V/2 against V/3
# --------------------------------------------
# Fifty SET writes (-0.8 V) of cell (3, 4). Under V/2 the half-selected cells see 0.4 V,
# above the 0.3 V threshold, and drift with every write; under V/3 they see 0.27 V and do
# not move at all (the unselected cells see -0.27 V).
rep = disturb_study(tx, (3, 4), v_write=-0.8, width=10e-9, n_writes=50)
for row in rep.table():
    if row["writes"] in (1, 10, 50):
        print(f"{row['scheme']}: after {row['writes']:2d} writes, half-selected max "
              f"{100 * row['half-selected max']:.2f} %, selected mean {100 * row['selected mean']:.1f} %")
plot_disturb(rep, title="half-selected drift, 8 x 8 VTEAM")

# %%
# Write-verify of a whole array
# -----------------------------
# A 12 x 12 array of high-resistance VTEAM cells (100 kohm .. 1 Mohm, thresholds +-0.5 V)
# programmed row-parallel to random read conductances within 5 %: incremental step pulses
# (0.55 V, +0.05 V per further pulse in the same direction, at most 0.98 V, 20 ns), at most
# 20 pulses per row, verify read through the same network at 0.1 V.
hi_r = VTEAM(R_on=1e5, R_off=1e6, k_off=1e-2, k_on=-1e-2, alpha_on=1, v_off=0.5, v_on=-0.5)
tx12 = TransientCrossbar(hi_r, np.full((12, 12), 1.5e-9), **wires)
target = 1 / np.random.default_rng(0).uniform(2e5, 8e5, (12, 12))  # S
policy = ISPP(v_set=-0.55, v_reset=0.55, width=20e-9, v_step=0.05, v_max=0.98)
prog = program_array(tx12, target, policy=policy, tolerance=0.05, mode="row", max_pulses=20)
s = prog.summary()
print(f"yield {100 * s['yield']:.1f} %, {s['pulses_mean']:.1f} pulses per cell (max {s['pulses_max']}), "
      f"median |error| {100 * s['error_median']:.2f} %, energy {s['energy'] * 1e12:.2f} pJ, "
      f"wall time {s['wall_time']:.1f} s")
plot_program(prog, title="12 x 12 write-verify")

# %%
# In-situ training of a digits classifier
# ---------------------------------------
# The same high-resistance cells as a 65 x 10 layer: the 64 pixels of scikit-learn's 8 x 8
# digits (scaled to [0, 1]) plus a bias row drive the word lines at up to 0.1 V; output j is
# bit line j's current minus that of a reference conductance (the starting state's, so every
# weight starts at 0), in units of 1 uS. :func:`memlab.arrays.train_layer` runs the
# mini-batch delta rule: each update ``lr * X^T (T - Y) / batch`` is written row by row, one
# SET and one RESET pulse per row (V/3 scheme, 20 ns, 0.5 .. 0.95 V growing with the wanted
# change), every pulse through the transient simulator, so the updates feel the wires and
# disturb the half-selected cells. 300 training digits, 3 epochs (the benchmark
# benchmarks/bench_insitu.py trains on 1200); the reference is the least-squares optimum of
# the same loss on the same digits.
from memlab.arrays import UpdateRule, train_layer
from memlab.networks import digits

data = digits()
feats = np.column_stack([np.asarray(data.x) / 16.0, np.ones(len(data.y))])
onehot = np.eye(10)[np.asarray(data.y)]
split = np.random.default_rng(0).permutation(len(feats))
fit, held = split[:300], split[300:]
w_ls = np.linalg.lstsq(feats[fit], onehot[fit], rcond=None)[0]
acc_ls = np.mean((feats[held] @ w_ls).argmax(1) == onehot[held].argmax(1))
layer = TransientCrossbar(hi_r, np.full((65, 10), 1.5e-9), **wires)
rule = UpdateRule(v_th=0.5, v_max=0.95, width=20e-9, dw_max=0.2, scheme="V/3")
hist = train_layer(layer, feats[fit], onehot[fit], rule=rule, epochs=3, lr=0.1, batch=20,
                   g_ref=float(layer.conductance()[0, 0]), g_scale=1e-6, val=(feats[held], onehot[held]))
print(f"least squares: {100 * acc_ls:.1f} %; in-situ after each epoch: "
      + ", ".join(f"{100 * a:.1f} %" for a in hist.val_accuracy[1:])
      + f"; {hist.pulses} pulses, {hist.energy * 1e9:.2f} nJ")
fig, ax = plt.subplots(figsize=(5.0, 3.2), layout="constrained")
ax.plot(range(len(hist.val_accuracy)), 100 * hist.val_accuracy, "o-", label="in-situ crossbar")
ax.axhline(100 * acc_ls, color="k", ls="--", label="software least squares")
ax.set_xlabel("Epoch")
ax.set_ylabel("Test accuracy (%)")
ax.legend()
