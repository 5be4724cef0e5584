"""Shared fixture of the accel tests: a small digits MLP fed to the PIM chip."""
import numpy as np
import pytest

from memlab.networks import digits, from_arrays


@pytest.fixture(scope="session")
def digits_mlp():
    """``make(n)`` -> (network, x, y): a 64-32-10 MLP on the first ``n`` digits (random
    hidden layer, least-squares read-out, seed 0) and those inputs (scaled to [0, 1]) and labels."""
    def make(n: int):
        ds = digits()
        x, y = ds.x[:n] / 16.0, ds.y[:n]
        rng = np.random.default_rng(0)
        W1 = rng.normal(0, 0.3, (32, 64))
        h = np.maximum(x @ W1.T, 0)
        W2 = np.linalg.lstsq(np.c_[h, np.ones(len(h))], np.eye(10)[y], rcond=None)[0].T
        return from_arrays([W1, W2[:, :-1]], [np.zeros(32), W2[:, -1]]), x, y
    return make
