"""
Train a network aware of its crossbars
======================================

IR drop along the word and bit lines makes every tile compute a distorted product, and
the accuracy of a mapped network drops. :func:`memlab.networks.fine_tune` fine-tunes the
programmed conductances of every tile through the exact Kirchhoff solve of its crossbar:
the gradient of the cross-entropy with respect to each conductance comes from one adjoint
solve on the same factorisation (:meth:`memlab.arrays.Crossbar.vjp`), chained through the
network's digital layers, and every conductance stays inside the device window. Noise
injected at every step (programming and read noise) makes the result robust to it.
"""

# %%
# A digits MLP, trained in software
# ---------------------------------
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from memlab.arrays import ProgrammingNoise, ReadNoise
from memlab.networks import digits, fine_tune, from_arrays, map_network

d = digits()
x = d.x / 16.0
order = np.random.default_rng(0).permutation(len(d.y))
tr, te = order[:1200], order[1200:]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf = MLPClassifier((32,), max_iter=400, random_state=0).fit(x[tr], d.y[tr])
net = from_arrays([W.T for W in clf.coefs_], clf.intercepts_, name="digits-mlp")

# %%
# On 128 x 128 tiles with 2 ohm wires
# -----------------------------------
# A low-resistance device (20 uS ... 2 mS) makes 2 ohm wire segments, drivers and sense
# amplifiers cost several percent of accuracy (at 1-100 uS they cost none).
wires = dict(r_row=2.0, r_col=2.0, r_driver=2.0, r_sense=2.0)
mapped = map_network(net, tile=(128, 128), g_min=2e-5, g_max=2e-3, calibration=x[tr], seed=0, **wires)
print(mapped)

# %%
# Fine-tune through the exact solves
# ----------------------------------
# Three epochs of Adam on the conductances, with 2 % programming noise and 1 % read noise
# redrawn at every step. Accuracies are on the 597 held-out digits.
result = fine_tune(mapped, x[tr], d.y[tr], epochs=3, batch_size=128, lr=0.01, seed=0,
                   noise=[ProgrammingNoise(0.02), ReadNoise(0.01)], x_test=x[te], y_test=d.y[te],
                   callback=lambda ep, loss, acc: print(f"epoch {ep}: loss {loss:.3f}, train accuracy {acc:.3f}"))
print(f"software {result.accuracy_ideal:.3f}, mapped {result.accuracy_before:.3f}, "
      f"fine-tuned {result.accuracy_after:.3f} ({100 * result.recovered:.0f} % of the loss recovered)")

# %%
# Where the conductances moved
# ----------------------------
import matplotlib.pyplot as plt

before = mapped.tiles[0].conductances
after = result.network.tiles[0].conductances
fig, ax = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
im = ax[0].imshow((after - before) * 1e6, cmap="coolwarm", aspect="auto")
ax[0].set_title("first tile: change of G (uS)")
ax[0].set_xlabel("bit line")
ax[0].set_ylabel("word line")
fig.colorbar(im, ax=ax[0])
ax[1].bar(["software", "mapped", "fine-tuned"],
          [100 * result.accuracy_ideal, 100 * result.accuracy_before, 100 * result.accuracy_after])
ax[1].set_ylim(80, 100)
ax[1].set_ylabel("held-out accuracy (%)")
