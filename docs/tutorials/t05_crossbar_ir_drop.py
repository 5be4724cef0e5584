"""
Crossbar IR drop and sneak paths
================================

A passive (0T1R) crossbar: every word line (row) is driven at its **first column**
(column 0) through the driver resistance ``r_driver``, every bit line (column) ends at its
**last row** in a sense amplifier that holds it at 0 V through ``r_sense``; between
neighbouring cells each line has a wire segment of ``r_row`` or ``r_col`` ohm.
:class:`memlab.arrays.Crossbar` solves the full Kirchhoff network exactly (sparse, float64),
so IR drop and sneak paths are in every result. Notes on the formulation:
``docs/notes/solvers.md`` §8.
"""

# %%
# IR drop grows with the wire resistance
# --------------------------------------
# 128 x 128 cells, conductances uniform in [1, 100] µS, 0.2 V on every word line, 1 Ω
# driver and sense resistance. The loss is the output current missing against the ideal
# ``G^T v``.
import matplotlib.pyplot as plt
import numpy as np

from memlab.arrays import Crossbar, write_scheme

rng = np.random.default_rng(0)
n = 128
G = rng.uniform(1e-6, 1e-4, (n, n))          # S
v = np.full(n, 0.2)                          # V
for r_wire in (0.0, 1.0, 5.0):               # ohm per segment
    s = Crossbar(G, r_row=r_wire, r_col=r_wire, r_driver=1.0, r_sense=1.0).solve(v)
    loss = 1 - s.i_out.sum() / (G.T @ v).sum()
    print(f"wire {r_wire:3.1f} Ω: output {s.i_out.sum() * 1e3:6.3f} mA, IR-drop loss {100 * loss:5.2f} %, "
          f"solver {s.method}, KCL residual {s.residual:.1e}")

# %%
# Where the voltage is lost
# -------------------------
# The cells far from both ends, in the first rows (far from their sense amplifiers) and the
# last columns (far from their drivers), see the least voltage: the top right of the map.
s = Crossbar(G, r_row=5.0, r_col=5.0, r_driver=1.0, r_sense=1.0).solve(v)
fig, ax = plt.subplots(figsize=(5.8, 4.4), layout="constrained")
im = ax.imshow(s.v_cell, origin="upper", cmap="viridis")
ax.annotate("drivers (column 0)", xy=(0, n / 2), xytext=(8, n / 2), color="w", va="center",
            arrowprops={"arrowstyle": "->", "color": "w"})
ax.annotate("sense amplifiers (last row)", xy=(n / 2, n - 1), xytext=(n / 2, n - 14), color="w", ha="center",
            arrowprops={"arrowstyle": "->", "color": "w"})
ax.set_xlabel("Bit line j (column)")
ax.set_ylabel("Word line i (row)")
ax.set_title("Cell voltage, 5 Ω wire segments, 0.2 V inputs")
fig.colorbar(im, ax=ax, label="Cell voltage (V)")
worst = np.unravel_index(np.argmin(s.v_cell), s.v_cell.shape)
print(f"lowest cell voltage {s.v_cell.min():.4f} V at (row, column) = {tuple(int(k) for k in worst)}")

# %%
# Sneak paths when reading one cell
# ---------------------------------
# Read cell (0, 0) of a 16 x 16 array with only word line 0 driven and only bit line 0
# sensed; the other lines float (infinite driver and sense resistance). Current then also
# flows through three cells in series around the selected one: the sense current is larger
# than the selected cell's own ``G v``.
m = 16
G_small = np.full((m, m), 1e-4)              # every cell on (100 µS)
G_small[0, 0] = 1e-6                         # the selected cell is off (1 µS)
r_driver = np.full(m, np.inf)
r_driver[0] = 0.0
r_sense = np.full(m, np.inf)
r_sense[0] = 0.0
read = Crossbar(G_small, r_row=0.5, r_col=0.5, r_driver=r_driver, r_sense=r_sense).solve(
    np.r_[0.2, np.zeros(m - 1)])
print(f"sensed {read.i_out[0] * 1e6:.2f} µA, the selected cell alone: {G_small[0, 0] * 0.2 * 1e6:.2f} µA "
      f"(sneak paths: {read.i_out[0] / (G_small[0, 0] * 0.2):.0f}x)")

# %%
# Write schemes limit the sneak current
# -------------------------------------
# Writing cell (0, 31) of a 32 x 32 array at 2 V: the V/2 and V/3 schemes bias the
# unselected lines so that half-selected cells see at most about V/2 or V/3.
for scheme in ("V/2", "V/3"):
    wr = write_scheme(Crossbar(G[:32, :32], r_row=2.0, r_col=2.0, r_driver=5.0, r_sense=5.0), 0, 31, 2.0,
                      scheme=scheme)
    print(f"{scheme}: selected cell {wr.v_selected:.3f} V, worst half-selected {wr.v_half_max:.3f} V, "
          f"sneak current {wr.sneak_current * 1e3:.3f} mA")
