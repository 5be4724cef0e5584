"""DNN inference accuracy with crossbar layers, on scikit-learn's bundled digits (offline).

A small multilayer perceptron (64 -> hidden -> 10, ReLU) is trained in software with
scikit-learn; each weight matrix is then mapped onto a crossbar (:func:`analog_layer`,
differential pairs, DAC/ADC, levels, spread, read noise, wire resistance), biases and
activations stay digital. The ADC full scale of each layer is calibrated on 200 training
images. Reported: test accuracy of the mapped network and of the software baseline.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from memlab._validate import positive_int
from memlab.errors import MemlabError

from ._analog import analog_layer

__all__ = ["DigitsMLP", "train_digits_mlp", "crossbar_accuracy", "dnn_accuracy_point"]


@dataclass(frozen=True)
class DigitsMLP:
    """Trained software network: weights ``W`` (n_in, n_out) and biases ``b`` per layer, the
    data split, and the software test accuracy ``baseline``."""

    weights: tuple
    biases: tuple
    x_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    baseline: float
    act_max: tuple  # largest input of each layer on the training set (for the DAC range)
    sklearn_accuracy: float = float("nan")  # scikit-learn's own score of the trained classifier


def _load_digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise MemlabError("the DNN study needs scikit-learn (pip install scikit-learn)") from err
    d = load_digits()
    return d.data / 16.0, d.target


def train_digits_mlp(hidden: int = 64, seed: int = 0) -> DigitsMLP:
    """Train the software MLP on 70 % of digits (stratified split with ``seed``).

    Training takes seconds, so the trained network is kept per ``(hidden, seed)`` (the only
    inputs: the data set is scikit-learn's bundled copy); every call returns fresh copies of
    its arrays, so a caller editing the weights never changes what another caller gets.
    """
    hidden = positive_int(hidden, "hidden")
    seed = positive_int(seed, "seed", minimum=0)
    return _copy(_train(hidden, seed))


def _copy(net: DigitsMLP) -> DigitsMLP:
    return replace(net, weights=tuple(w.copy() for w in net.weights), biases=tuple(b.copy() for b in net.biases),
                   x_train=net.x_train.copy(), x_test=net.x_test.copy(), y_test=net.y_test.copy())


def _frozen(a) -> np.ndarray:
    a = np.array(a)  # an own copy, then read-only
    a.flags.writeable = False
    return a


@lru_cache(maxsize=4)
def _train(hidden: int, seed: int) -> DigitsMLP:
    """The trained network for ``(hidden, seed)`` with read-only arrays (cache entries are never
    handed out: :func:`train_digits_mlp` returns copies)."""
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    X, y = _load_digits()
    xtr, xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter is harmless here
        clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", alpha=1e-3, max_iter=600,
                            random_state=seed).fit(xtr, ytr)
    Ws = tuple(_frozen(np.asarray(w, float)) for w in clf.coefs_)
    bs = tuple(_frozen(np.asarray(b, float)) for b in clf.intercepts_)
    xtr, xte, yte = _frozen(xtr), _frozen(xte), _frozen(yte)
    net = DigitsMLP(Ws, bs, xtr, xte, yte, 0.0, ())
    act_max = tuple(float(np.max(np.abs(a))) for a in _forward_inputs(net, xtr))
    baseline = float(np.mean(_predict(net, xte) == yte))
    return DigitsMLP(Ws, bs, xtr, xte, yte, baseline, act_max, float(clf.score(xte, yte)))


def _forward_inputs(net, X):
    """Inputs of every layer (software)."""
    outs, a = [], X
    for k, (W, b) in enumerate(zip(net.weights, net.biases)):
        outs.append(a)
        a = a @ W + b
        if k < len(net.weights) - 1:
            a = np.maximum(a, 0.0)
    return outs


def _predict(net, X, layers=None):
    a = X
    for k, (W, b) in enumerate(zip(net.weights, net.biases)):
        a = (layers[k](a) if layers is not None else a @ W) + b
        if k < len(net.weights) - 1:
            a = np.maximum(a, 0.0)
    return np.argmax(a, axis=1)


def crossbar_accuracy(net: DigitsMLP, *, seed: int = 0, n_calibration: int = 200, **config) -> float:
    """Test accuracy of ``net`` with every layer on a crossbar configured by ``config``
    (``r_wire``, ``adc_bits``, ``dac_bits``, ``levels``, ``spread``, ``read_noise``, ``g_min``,
    ``g_max``, ``v_read``)."""
    ss = np.random.SeedSequence(seed).spawn(len(net.weights))
    layers = []
    cal = net.x_train[:n_calibration]
    for k, W in enumerate(net.weights):
        layer = analog_layer(W, x_max=net.act_max[k], seed=ss[k], **config)
        # calibrate on the calibration images propagated through the analog layers so far
        a = cal
        for j, lj in enumerate(layers):
            a = np.maximum(lj(a) + net.biases[j], 0.0)
        layer.calibrate(a)
        layers.append(layer)
    pred = _predict(net, net.x_test, layers)
    return float(np.mean(pred == net.y_test))


def dnn_accuracy_point(r_wire: float = 0.0, adc_bits: int = 0, dac_bits: int = 0, levels: int = 0,
                       spread: float = 0.0, read_noise: float = 0.0, g_min: float = 1e-6, g_max: float = 1e-4,
                       v_read: float = 0.2, hidden: int = 64, seed: int = 0) -> dict:
    """Sweep point: digits accuracy with crossbar layers vs the software baseline.

    Units: r_wire ohm per segment, g_min/g_max S, v_read V; spread/read_noise relative sigma;
    bits/levels 0 = ideal. Returns ``accuracy``, ``baseline`` and ``drop`` (baseline - accuracy).
    The network is trained once per ``hidden`` (fixed split, seed 0) and kept (see
    :func:`train_digits_mlp`); ``seed`` draws the devices.
    """
    net = _train(positive_int(hidden, "hidden"), 0)  # read-only cache entry: not handed out
    acc = crossbar_accuracy(net, seed=seed, r_wire=r_wire, adc_bits=adc_bits, dac_bits=dac_bits, levels=levels,
                            spread=spread, read_noise=read_noise, g_min=g_min, g_max=g_max, v_read=v_read)
    return {"accuracy": acc, "baseline": net.baseline, "drop": net.baseline - acc}
