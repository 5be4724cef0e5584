"""Hardware-aware training: fine-tune the programmed conductances of a :class:`MappedNetwork`.

The trainable parameters are the conductances ``G`` (S) of every tile, the values the
crossbars hold after programming (bias rows, differential/reference columns and, with
``full_tiles``, the padding cells included). Every training step runs the network forward
with each matrix layer computed by the EXACT solve of its tiles' crossbars (wire, driver and
sense resistances: IR drop and sneak paths, :class:`memlab.arrays.Crossbar`), the digital
layers in float64, and the softmax cross-entropy of the outputs against the labels. The
backward pass is the chain rule through the digital layers and, for every tile, one adjoint
solve of the same crossbar (:meth:`memlab.arrays.Crossbar.vjp`) on the same direct
factorisation, or with ``method="cg"`` the same line operator and preconditioner (built
from the current conductances at every step, so the gradient is the exact one), over the
whole batch at once: it gives ``dL/dG`` per cell and ``dL/dv_in`` per word line, which
carries the gradient to the layer's inputs (hence to earlier layers).

Tile read chain (:class:`memlab.arrays.AnalogMatrix`'s public steps ``input_voltages`` and
``read_out``, the ones its ``matvec`` runs): normalised input ``u``
-> DAC -> word-line voltages ``u v_read / x_max`` (V) -> exact bit-line currents ``i_out``
(A) -> slice currents (differential pairs or reference column) -> ADC -> digital partial
sums. The DAC and ADC quantisers pass gradients straight through; inputs clipped at the
layer's full scale get zero gradient.

Noise injection: ``noise`` is a sequence of :mod:`memlab.arrays` non-ideality steps
(:class:`~memlab.arrays.ProgrammingNoise`, :class:`~memlab.arrays.ReadNoise`,
:class:`~memlab.arrays.DeviceSpread`, ...; built on the device variability functions of
:mod:`memlab.devices`), redrawn at every step on top of the trained conductances: the
forward and adjoint solves use the noisy conductances and the gradient updates the clean
ones (so the network learns conductances that are robust to that noise).

Update: Adam (Kingma & Ba 2015) on the conductances in units of the window
``g_max - g_min``, then projection onto ``[g_min, g_max]`` (the device window of the
mapping), so every conductance stays programmable.
"""
from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from memlab.devices._variability import _rng
from memlab._validate import positive_float, positive_int
from memlab.arrays._compsolve import DirectEvaluator, LineEvaluator
from memlab.arrays._nonideal import apply_steps
from memlab.errors import ConfigError, ParameterError

from . import _ops
from ._mapping import MappedNetwork, _labels

__all__ = ["fine_tune", "FineTuneResult"]


@dataclass
class FineTuneResult:
    """Result of :func:`fine_tune`.

    ``network``: a new :class:`MappedNetwork` whose tiles hold the trained conductances (the
    input network is not changed). Accuracies (fractions, on ``x_test``/``y_test`` when
    given, else None): ``accuracy_ideal`` of the float64 network, ``accuracy_before`` of the
    mapped network as given, ``accuracy_after`` of the fine-tuned one. ``loss`` and
    ``train_accuracy``: mean cross-entropy (nats) and accuracy per epoch over the training
    batches as they were run (with the injected noise). ``wall_time`` in s.
    """

    network: MappedNetwork
    accuracy_ideal: float | None
    accuracy_before: float | None
    accuracy_after: float | None
    loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    epochs: int = 0
    steps: int = 0
    wall_time: float = 0.0

    @property
    def recovered(self) -> float | None:
        """Fraction of the accuracy lost to the hardware that training won back:
        ``(after - before) / (ideal - before)`` (None without test data or without a loss)."""
        if self.accuracy_before is None or self.accuracy_ideal <= self.accuracy_before:
            return None
        return (self.accuracy_after - self.accuracy_before) / (self.accuracy_ideal - self.accuracy_before)


# ----------------------------------------------------------------------------- digital layers
def _sig(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# activation kind -> d(activation)/dx times the incoming gradient g, from input x and output y
_DACT = {
    "relu": lambda g, x, y, a: g * (x > 0),
    "leaky_relu": lambda g, x, y, a: g * np.where(x >= 0, 1.0, a.get("alpha", 0.01)),
    "tanh": lambda g, x, y, a: g * (1.0 - y * y),
    "sigmoid": lambda g, x, y, a: g * y * (1.0 - y),
    "clip": lambda g, x, y, a: g * ((x >= a.get("min", -np.inf)) & (x <= a.get("max", np.inf))),
    "softplus": lambda g, x, y, a: g * _sig(x),
    "abs": lambda g, x, y, a: g * np.sign(x),
    "neg": lambda g, x, y, a: -g,
    "elu": lambda g, x, y, a: g * np.where(x > 0, 1.0, y + a.get("alpha", 1.0)),
}
_PASS = ("identity", "flatten", "reshape", "add", "affine")


def _check_layers(layers):
    for ly in layers:
        ok = (ly.op in ("dense", "conv") or ly.op in _PASS or (ly.op == "activation" and ly.attrs["kind"] in _DACT))
        if not ok:
            what = ly.op if ly.op != "activation" else f"activation '{ly.attrs['kind']}'"
            raise ConfigError(f"fine_tune: layer '{ly.name}' ({what}) has no backward pass here; supported: dense, "
                              f"conv, {', '.join(_PASS)}, activations {sorted(_DACT)} and a final softmax")


def _backward_digital(ly, g, xs, y):
    """Gradients of the inputs of a digital layer ``ly`` from the gradient ``g`` of its output."""
    op, a = ly.op, ly.attrs
    if op == "activation":
        return [_DACT[a["kind"]](g, xs[0], y, a)]
    if op in ("flatten", "reshape"):
        return [g.reshape(xs[0].shape)]
    if op == "add":
        return [g, g]
    if op == "affine":
        return [g * a["scale"].reshape((1, -1) + (1,) * (g.ndim - 2))]
    return [g]                                          # identity


# ----------------------------------------------------------------------------- tiles
class _TileTrainer:
    """Trainable conductances of one tile and its exact read (forward) and adjoint (backward)."""

    def __init__(self, tile):
        am = tile.analog
        if am.cell is not None:
            raise ConfigError(f"fine_tune needs linear cells; tile {tile!r} has cell {type(am.cell).__name__}")
        if am.input_mode != "multilevel":
            raise ConfigError(f"fine_tune supports input_mode 'multilevel'; tile {tile!r} reads bit-serially")
        self.tile, self.am = tile, am
        xb = am.crossbar
        self.wires = dict(r_row=xb.r_row, r_col=xb.r_col, r_driver=xb.r_driver, r_sense=xb.r_sense)
        self.G = np.array(am.G_programmed, dtype=np.float64)
        self.g_min, self.g_max = am.g_min, am.g_max
        # digital partial sum per unit bit-line current: y = S @ i_out (ideal ADC), 1/A
        self.S = am.readout_matrix
        self.m = np.zeros_like(self.G)
        self.v = np.zeros_like(self.G)
        self.ev = None            # forward/adjoint evaluator of the tile (memlab.arrays._compsolve)

    def forward(self, u, G, method):
        """Partial sums (n_out_tile, K) of normalised inputs ``u`` with conductances ``G``; the
        evaluator keeps what the backward pass needs."""
        am, t = self.am, self.tile
        if self.ev is None:
            xb = am.crossbar
            self.ev = (DirectEvaluator(xb, wires=self.wires) if method == "direct" else
                       LineEvaluator(xb, warm=False))
        i_out = self.ev.forward(G, am.input_voltages(t.padded(u))[0][0])[0]
        return am.read_out(i_out)[:t.outputs[1] - t.outputs[0]]

    def backward(self, gy):
        """(dL/dG (rows, cols), dL/du (tile rows, K)) from the gradient of the partial sums."""
        am, t = self.am, self.tile
        full = np.zeros((self.S.shape[0], gy.shape[1]))
        full[:gy.shape[0]] = gy
        dG, dv = self.ev.gradient(self.S.T @ full, with_inputs=True)
        return dG, (dv * (am.v_read / am.x_max))[t.pad_rows:]

    def step(self, grad, lr, k, b1=0.9, b2=0.999, eps=1e-8):
        """One projected Adam step (units of the window) from ``grad`` = dL/dG (1/S)."""
        dg = self.g_max - self.g_min
        gz = grad * dg
        self.m = b1 * self.m + (1 - b1) * gz
        self.v = b2 * self.v + (1 - b2) * gz * gz
        mh = self.m / (1 - b1 ** k)
        vh = self.v / (1 - b2 ** k)
        self.G = np.clip(self.G - lr * dg * mh / (np.sqrt(vh) + eps), self.g_min, self.g_max)


def _layer_forward(tm, trainers, X, Gs, method):
    """Layer output (K, n_out) of TiledMatrix ``tm`` through the exact tile solves."""
    U = tm.inputs(X)
    Y = np.zeros((tm.n_out, U.shape[1]))
    for tr, G in zip(trainers, Gs):
        t = tr.tile
        Y[t.outputs[0]:t.outputs[1]] += tr.forward(U[t.rows[0]:t.rows[1]], G, method)
    return (tm.x_max * Y).T


def _layer_backward(tm, trainers, X, dY):
    """(input gradient (K, n_in), [dL/dG per tile]) of a layer from its output gradient."""
    gY = tm.x_max * dY.T
    dU = np.zeros((tm.W_aug.shape[1], dY.shape[0]))
    grads = []
    for tr in trainers:
        t = tr.tile
        gG, du = tr.backward(gY[t.outputs[0]:t.outputs[1]])
        dU[t.rows[0]:t.rows[1]] += du
        grads.append(gG)
    Xt = np.asarray(X, dtype=np.float64).T
    dX = dU[:tm.n_in] / tm.x_max * (np.abs(Xt) <= tm.x_max)      # the DAC clips beyond full scale
    return dX.T, grads


# ----------------------------------------------------------------------------- convolution
def _conv_geometry(ly):
    a = ly.attrs
    co, cig, kh, kw = a["W"].shape
    return a["groups"], co // a["groups"], cig, ((kh, kw), a["strides"], a["pads"], a["dilations"])


def _conv_forward(mapped, ly, trainers, x, noise, rng, method):
    """Conv layer output (N, C_out, H_out, W_out) through the exact tile solves, as inference lowers
    it (im2col per group, :meth:`memlab.networks.Network.forward`); also the columns per group."""
    groups, cpg, cig, geo = _conv_geometry(ly)
    outs, cols = [], []
    for k in range(groups):
        c, (ho, wo) = _ops.im2col(x[:, k * cig:(k + 1) * cig], *geo)
        trs = trainers[(ly.name, k)]
        Gs = [_noisy(tr, noise, rng) for tr in trs]
        outs.append(_layer_forward(mapped.matrices[(ly.name, k)], trs, c, Gs, method).reshape(x.shape[0], ho, wo, cpg))
        cols.append(c)
    return np.concatenate(outs, axis=3).transpose(0, 3, 1, 2), cols


def _col2im(g_cols, shape, geo):
    """Adjoint of im2col: gradient (N, C, H, W) of an input from the gradient of its columns (every
    column entry is one input pixel or padding; the pixel's gradient is the sum over its entries)."""
    n = int(np.prod(shape))
    idx = np.arange(1, n + 1, dtype=np.float64).reshape(shape)       # 0 marks the padding
    k = _ops.im2col(idx, *geo)[0].astype(np.int64).ravel()
    return np.bincount(k, weights=g_cols.ravel(), minlength=n + 1)[1:].reshape(shape)


def _conv_backward(mapped, ly, trainers, x, cols, g, out):
    """Input gradient of a conv layer from its output gradient ``g``; tile gradients into ``out``."""
    groups, cpg, cig, geo = _conv_geometry(ly)
    gt = g.transpose(0, 2, 3, 1)
    dx = np.zeros(x.shape)
    for k in range(groups):
        key = (ly.name, k)
        dY = gt[..., k * cpg:(k + 1) * cpg].reshape(-1, cpg)
        dcols, out[key] = _layer_backward(mapped.matrices[key], trainers[key], cols[k], dY)
        dx[:, k * cig:(k + 1) * cig] = _col2im(dcols, (x.shape[0], cig) + x.shape[2:], geo)
    return dx


# ----------------------------------------------------------------------------- network passes
def _split_softmax(net):
    """(layers to run, logits tensor): a final softmax is folded into the loss."""
    layers = list(net.layers)
    last = layers[-1]
    if last.output == net.output and last.op == "activation" and last.attrs["kind"] == "softmax":
        return layers[:-1], last.inputs[0]
    return layers, net.output


def _loss_grad(logits, labels):
    z = logits.reshape(logits.shape[0], -1)
    if np.max(labels) >= z.shape[1]:
        raise ParameterError(f"parameter 'y': label {int(np.max(labels))} but the network has {z.shape[1]} outputs")
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    K = z.shape[0]
    loss = float(-np.mean(np.log(np.maximum(p[np.arange(K), labels], 1e-300))))
    g = p
    g[np.arange(K), labels] -= 1.0
    return loss, float(np.mean(np.argmax(z, axis=1) == labels)), (g / K).reshape(logits.shape)


def _train_step(mapped, layers, logits_name, trainers, X, labels, noise, rng, method):
    """Forward and backward of one batch; returns (loss, accuracy, {key: [dL/dG per tile]})."""
    net = mapped.network
    env = {net.input: X}
    saved = {}
    for ly in layers:
        xs = [env[t] for t in ly.inputs]
        if ly.op == "dense":
            key = (ly.name, 0)
            trs = trainers[key]
            Gs = [_noisy(tr, noise, rng) for tr in trs]
            env[ly.output] = _layer_forward(mapped.matrices[key], trs, xs[0], Gs, method)
        elif ly.op == "conv":
            env[ly.output], cols = _conv_forward(mapped, ly, trainers, xs[0], noise, rng, method)
            xs = xs + [cols]
        else:
            env[ly.output] = ly.run(xs, None)
        saved[ly.name] = xs
    loss, acc, g = _loss_grad(env[logits_name], labels)
    grads = {logits_name: g}
    out = {}
    for ly in reversed(layers):
        g = grads.pop(ly.output, None)
        if g is None:
            continue
        xs = saved[ly.name]
        if ly.op == "dense":
            key = (ly.name, 0)
            dX, out[key] = _layer_backward(mapped.matrices[key], trainers[key], xs[0], g)
            gin = [dX]
        elif ly.op == "conv":
            gin = [_conv_backward(mapped, ly, trainers, xs[0], xs[1], g, out)]
        else:
            gin = _backward_digital(ly, g, xs, env[ly.output])
        for name, gi in zip(ly.inputs, gin):
            grads[name] = grads[name] + gi if name in grads else gi
    return loss, acc, out


def _noisy(tr, noise, rng):
    if not noise:
        return tr.G
    ctx = {"g_min": tr.g_min, "g_max": tr.g_max}
    G = apply_steps(tr.G.copy(), noise, ctx, rng, at_read=False)
    return apply_steps(G, noise, ctx, rng, at_read=True)


def _reprogrammed(mapped, trainers):
    """A new MappedNetwork whose tiles hold the trained conductances (AnalogMatrix copies)."""
    matrices = {}
    for key, tm in mapped.matrices.items():
        new_tiles = []
        for tr in trainers[key]:
            new_tiles.append(dataclasses.replace(tr.tile, analog=tr.am.reprogrammed(tr.G)))
        ntm = copy.copy(tm)
        ntm.tiles = new_tiles
        matrices[key] = ntm
    return MappedNetwork(mapped.network, matrices, dict(mapped.vectors), dict(mapped.settings, fine_tuned=True))


def _check_noise(noise):
    noise = tuple(noise)
    for st in noise:
        if not hasattr(st, "apply"):
            raise ParameterError(f"parameter 'noise': {st!r} is not a memlab.arrays non-ideality step (it has no "
                                 "apply(g, ctx, rng))")
    return noise


def fine_tune(mapped: MappedNetwork, x, y, *, epochs: int = 10, batch_size: int = 128, lr: float = 0.01,
              noise=(), seed=None, x_test=None, y_test=None, method: str = "direct",
              callback=None) -> FineTuneResult:
    """Fine-tune the conductances of ``mapped`` through its exact tile solves (see the module doc).

    ``x`` (N, ...) training inputs (the network's input scale) and integer labels ``y`` (N,);
    ``epochs`` passes over them in shuffled batches of ``batch_size``; ``lr``: Adam step in
    units of the conductance window ``g_max - g_min`` (S); ``noise``: non-ideality steps
    injected at every step (e.g. ``[ProgrammingNoise(0.02), ReadNoise(0.01)]``); ``seed``:
    shuffling and noise; ``x_test``/``y_test``: held-out data for the accuracies before and
    after; ``method``: tile solver, "direct" (one factorisation per tile and step, shared by
    the forward and the adjoint solve) or "cg" (line CG on the whole batch, one line operator
    per tile and step shared by both solves; measured 2.5x faster than "direct" on 128 x 128
    tiles); ``callback(epoch, loss, accuracy)`` after every epoch. Supports dense and conv
    layers (conv lowered by im2col per group, as inference does), their activations (a final
    softmax is folded into the cross-entropy), linear cells and multilevel inputs. Returns a :class:`FineTuneResult`.
    """
    t0 = time.perf_counter()
    if not isinstance(mapped, MappedNetwork):
        raise ConfigError(f"fine_tune expects a memlab.networks.MappedNetwork, got {type(mapped).__name__}")
    net = mapped.network
    X = net.check_input(x)
    labels = _labels(y, X.shape[0])
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    lr = positive_float(lr, "lr", upper=1.0)
    noise = _check_noise(noise)
    if method not in ("direct", "cg"):
        raise ParameterError(f"parameter 'method' = {method!r} is not one of ('direct', 'cg')")
    if callback is not None and not callable(callback):
        raise ParameterError(f"parameter 'callback' = {callback!r} must be callable")
    if (x_test is None) != (y_test is None):
        raise ParameterError("give both 'x_test' and 'y_test' (held-out inputs and labels) or neither")
    if x_test is not None:
        Xt = net.check_input(x_test)
        yt = _labels(y_test, Xt.shape[0])
    layers, logits_name = _split_softmax(net)
    _check_layers(layers)
    trainers = {key: [_TileTrainer(t) for t in tm.tiles] for key, tm in mapped.matrices.items()}
    rng = _rng(seed)          # validated: an integer >= 0, a Generator or None
    losses, accs, k = [], [], 0
    for ep in range(epochs):
        order = rng.permutation(X.shape[0])
        tot_l, tot_a = 0.0, 0.0
        for s in range(0, X.shape[0], batch_size):
            idx = order[s:s + batch_size]
            loss, acc, grads = _train_step(mapped, layers, logits_name, trainers, X[idx], labels[idx], noise,
                                           rng, method)
            k += 1
            for key, gl in grads.items():
                for tr, gG in zip(trainers[key], gl):
                    tr.step(gG, lr, k)
            tot_l += loss * idx.size
            tot_a += acc * idx.size
        losses.append(tot_l / X.shape[0])
        accs.append(tot_a / X.shape[0])
        if callback is not None:
            callback(ep + 1, losses[-1], accs[-1])
    tuned = _reprogrammed(mapped, trainers)
    a_ideal = a_before = a_after = None
    if x_test is not None:
        out = net.forward(Xt)
        a_ideal = float(np.mean(np.argmax(out.reshape(out.shape[0], -1), axis=1) == yt))
        a_before = mapped.accuracy(Xt, yt, progress=False)
        a_after = tuned.accuracy(Xt, yt, progress=False)
    return FineTuneResult(network=tuned, accuracy_ideal=a_ideal, accuracy_before=a_before, accuracy_after=a_after,
                          loss=losses, train_accuracy=accs, epochs=epochs, steps=k,
                          wall_time=time.perf_counter() - t0)
