"""In-situ training of a digits classifier through the transient simulator, against software references.

Subset (to run in ~15 s): 400 of the 1797 scikit-learn 8x8 digits train a 65 x 10 VTEAM
crossbar (64 pixels / 16 plus a bias row) with 5 ohm wires for 2 epochs; the other 1397
are the test set. benchmarks/bench_insitu.py runs the 1200-sample, 5-epoch version.
"""
import numpy as np

from memlab.arrays import TransientCrossbar, UpdateRule, train_layer
from memlab.devices import VTEAM
from memlab.networks import digits

LR, BATCH, EPOCHS, N_TRAIN, SEED = 0.1, 20, 2, 400, 0


def _split():
    d = digits()
    X = np.column_stack([np.asarray(d.x) / 16.0, np.ones(len(d.y))])
    y = np.asarray(d.y)
    perm = np.random.default_rng(SEED).permutation(y.size)
    return X, y, np.eye(10)[y], perm[:N_TRAIN], perm[N_TRAIN:]


def _float_delta_rule(X, T):
    """The same mini-batch delta rule in plain numpy (float weights, no device), same batches:
    train_layer draws each epoch's order from default_rng(seed).permutation."""
    rng, W = np.random.default_rng(SEED), np.zeros((X.shape[1], T.shape[1]))
    for _ in range(EPOCHS):
        order = rng.permutation(len(X))
        for s in range(0, len(X), BATCH):
            i = order[s:s + BATCH]
            W += LR * X[i].T @ (T[i] - X[i] @ W) / i.size
    return W


def test_insitu_digits_accuracy_is_close_to_the_software_reference():
    X, y, T, tr, te = _split()
    acc = lambda W: np.mean((X[te] @ W).argmax(axis=1) == y[te])  # noqa: E731
    # references on the same split, features and one-hot MSE loss: the closed-form optimum
    # (least squares, what the delta rule converges to) and the float delta rule
    acc_lstsq = acc(np.linalg.lstsq(X[tr], T[tr], rcond=None)[0])          # measured 0.906
    acc_sgd = acc(_float_delta_rule(X[tr], T[tr]))                           # measured 0.887
    cell = VTEAM(R_on=1e5, R_off=1e6, k_off=1e-2, k_on=-1e-2, alpha_on=1, v_off=0.5, v_on=-0.5)
    tx = TransientCrossbar(cell, np.full((65, 10), 1.5e-9), r_row=5.0, r_col=5.0, r_driver=5.0, r_sense=5.0)
    rule = UpdateRule(v_th=0.5, v_max=0.95, width=20e-9, dw_max=0.2, scheme="V/3")
    h = train_layer(tx, X[tr], T[tr], rule=rule, epochs=EPOCHS, lr=LR, batch=BATCH, seed=SEED,
                    g_ref=float(tx.conductance()[0, 0]), g_scale=1e-6, val=(X[te], T[te]))
    acc_insitu = h.val_accuracy[-1]                                          # measured 0.885
    # Margins. Test-set sampling: one standard error of an accuracy near 0.9 on 1397 samples
    # is sqrt(0.9 * 0.1 / 1397) = 0.8 points. Against the float delta rule (same batches), the
    # only differences are the device's: the pulse response is ~0.9x the requested change at
    # mid state and nonlinear/asymmetric in conductance, plus half-select disturb and IR drop;
    # 3 points (measured gap 0.2). Against the least-squares optimum add the 2-epoch training
    # gap of the delta rule itself (1.9 points measured with float weights): 5 points.
    assert abs(acc_insitu - acc_sgd) <= 0.03
    assert acc_insitu >= acc_lstsq - 0.05
    # chance is 0.1; the untrained layer (every cell at the reference state, weights 0 up to
    # the IR drop of the 5 ohm wires: 1.4 % of each read current) scores near it (measured 0.103)
    assert acc_insitu >= 0.8 and h.val_accuracy[0] < 0.2
    # the training loss falls as the float delta rule's does (measured 0.433 -> 0.049)
    assert h.loss[-1] < 0.2 * h.loss[0]
    assert h.pulses > 0 and h.energy > 0
