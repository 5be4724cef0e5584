"""In-situ training of one crossbar layer: weight updates applied as write pulses through the transient simulator.

Layer: inputs ``x`` (rows,) in [-1, 1] drive the word lines at ``x * v_read`` (V), the bit
lines are held at 0 V, and output ``j`` is the read current of bit line ``j`` minus that of
a reference conductance ``g_ref`` per cell (subtracted at the periphery), in units of
``g_scale * v_read``: ``y_j = (i_j - g_ref v_read sum(x)) / (g_scale v_read)``, so the
weight of cell (i, j) is ``(G_ij - g_ref) / g_scale``. Reads go through the same network
as every write (IR drop included).

Update (:func:`apply_update`): the wanted weight change ``dW`` (rows, cols) is written row
by row, row-parallel, as in the outer-product update of analog training (Gokmen & Vlasov,
Front. Neurosci. 10, 333 (2016)): for row ``i`` one SET pulse carries every column with
``dW_ij > 0`` and one RESET pulse every column with ``dW_ij < 0``, each column at the
amplitude ``v_th + (v_max - v_th) * |dW_ij| / dw_max`` (V; clipped at ``v_max``), so the
overdrive above the device threshold grows with the wanted change (linear for a VTEAM
device with alpha = 1). Columns with ``|dW_ij| < dw_min`` are left out. The pulses run
through :class:`~memlab.arrays.TransientCrossbar` with the chosen bias scheme, so
half-selected cells are disturbed as on a chip. An outer-product update is
``dW = lr * outer(x, delta)``. :func:`train_layer` runs mini-batch delta-rule training
(``dW = lr * X^T (T - Y) / batch``) with these updates and reports the loss per epoch.

Units: V, S, s; weights and inputs dimensionless.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError, ShapeError

from ._linedrives import SCHEMES, write_drives
from ._transient import TransientCrossbar, _integrate, single_threaded

__all__ = ["UpdateRule", "apply_update", "layer_forward", "train_layer", "TrainHistory"]


@dataclass(frozen=True)
class UpdateRule:
    """Pulse mapping of a weight change: device polarity ``v_set`` (sign of the SET voltage),
    threshold ``v_th`` and largest amplitude ``v_max`` (V, magnitudes), ``width`` (s), the
    change ``dw_max`` that gets ``v_max`` and the smallest change written ``dw_min``."""

    v_th: float
    v_max: float
    width: float
    dw_max: float
    set_sign: float = -1.0
    dw_min: float = 0.0
    scheme: str = "V/3"

    def __post_init__(self):
        w = "UpdateRule"
        real(self.v_th, "v_th", lo=0.0, lo_open=True, unit="V", where=w)
        real(self.v_max, "v_max", lo=self.v_th, lo_open=True, unit="V", where=w)
        real(self.width, "width", lo=0.0, lo_open=True, unit="s", where=w)
        real(self.dw_max, "dw_max", lo=0.0, lo_open=True, where=w)
        real(self.dw_min, "dw_min", lo=0.0, where=w)
        if self.set_sign not in (-1.0, 1.0, -1, 1):
            raise ParameterError(f"{w}: parameter 'set_sign' = {self.set_sign!r} must be +1 or -1")
        if self.scheme not in SCHEMES:
            raise ParameterError(f"{w}: parameter 'scheme' = {self.scheme!r} is not one of {SCHEMES}")

    def amplitudes(self, dw_row: np.ndarray, sign: int) -> np.ndarray:
        """Pulse amplitudes (V) of one row for the columns changing in direction ``sign`` (+1 up)."""
        m = np.abs(dw_row)
        a = self.v_th + (self.v_max - self.v_th) * np.minimum(m / self.dw_max, 1.0)
        pick = (np.sign(dw_row) == sign) & (m > self.dw_min)
        return np.where(pick, sign * self.set_sign * a, 0.0)


def layer_forward(tx: TransientCrossbar, state, X, *, v_read: float, g_ref: float, g_scale: float) -> np.ndarray:
    """Outputs (n, cols) of the layer for inputs ``X`` (n, rows), read through the network."""
    M, N = tx.shape
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != M:
        raise ShapeError(f"layer_forward: inputs have {X.shape[1]} features; the crossbar has {M} rows")
    sol = tx.crossbar(state).solve(X.T * v_read, method="direct", full=False, progress=False)
    i = np.asarray(sol.i_out).T
    return (i - g_ref * v_read * X.sum(axis=1, keepdims=True)) / (g_scale * v_read)


def apply_update(tx: TransientCrossbar, state, dW, rule: UpdateRule, *, net=None, rtol: float = 1e-3):
    """Write the weight change ``dW`` (rows, cols) row by row (module docstring); returns
    ``(new state, pulses applied, energy J)``. ``net``: the network solver of the pulses
    (default the sparse direct one: a few ms per pulse for a 65 x 10 layer, where the dense
    solve that "auto" picks below 1500 nodes takes ~100x longer on one core)."""
    tx.require_one_state("apply_update")
    M, N = tx.shape
    dW = np.asarray(dW, dtype=np.float64)
    if dW.shape != (M, N):
        raise ShapeError(f"apply_update: parameter 'dW' has shape {dW.shape}; expected ({M}, {N})")
    if not isinstance(rule, UpdateRule):
        raise ParameterError(f"apply_update: parameter 'rule' must be a memlab.arrays.UpdateRule")
    net = tx._net("direct") if net is None else net
    x = np.array(state, dtype=np.float64)
    pulses, energy = 0, 0.0
    for i in np.flatnonzero(np.any(np.abs(dW) > rule.dw_min, axis=1)):
        for sign in (1, -1):
            a = rule.amplitudes(dW[i], sign)
            if not a.any():
                continue
            waves = write_drives((M, N), int(i), a, scheme=rule.scheme, width=rule.width).compile()
            tr = _integrate(tx, net, waves, x, np.array([0.0, waves.T]), rtol, 0.05, np.inf, 200_000, ())
            x, energy, pulses = tr.x_final, energy + tr.energy, pulses + 1
    return x, pulses, energy


@dataclass
class TrainHistory:
    """Outcome of :func:`train_layer`: ``loss`` (epochs + 1,) mean squared error before training
    and after each epoch; ``accuracy`` (epochs + 1,) argmax accuracy (classification targets);
    ``val_loss``/``val_accuracy`` the same on the held-out ``val`` data (None without it);
    ``state`` (rows, cols) final state; ``pulses`` and ``energy`` (J) of all updates;
    ``stats``: ``g_ref``/``g_scale`` (S), ``epoch_pulses``, ``epoch_energy`` (J), ``epoch_time`` (s)."""

    loss: np.ndarray
    accuracy: np.ndarray
    state: np.ndarray
    pulses: int
    energy: float
    stats: dict = field(default_factory=dict)
    val_loss: np.ndarray | None = None
    val_accuracy: np.ndarray | None = None


def _targets(X, T, M, N, w, what):
    X = np.asarray(X, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != M or T.shape != (X.shape[0], N):
        raise ShapeError(f"{w}: {what} X has shape {X.shape} and T {T.shape}; expected (n, {M}) and (n, {N})")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(T))):
        raise ParameterError(f"{w}: {what} X and T must be finite")
    return X, T


def train_layer(tx: TransientCrossbar, X, T, *, rule: UpdateRule, epochs: int = 5, lr: float = 0.1,
                batch: int = 32, v_read: float = 0.1, g_ref: float | None = None, g_scale: float | None = None,
                seed=0, val=None) -> TrainHistory:
    """Mini-batch delta-rule training of the crossbar layer on inputs ``X`` (n, rows) and
    targets ``T`` (n, cols) (module docstring). ``g_ref``/``g_scale`` (S) default to the
    middle and half the span of the device's conductance range. ``val``: optional held-out
    ``(X, T)`` scored (never trained on) before training and after each epoch."""
    w = "train_layer"
    tx.require_one_state(w)
    M, N = tx.shape
    X, T = _targets(X, T, M, N, w, "training")
    if val is not None:
        if not isinstance(val, (tuple, list)) or len(val) != 2:
            raise ParameterError(f"{w}: parameter 'val' must be a pair (X, T) or None")
        val = _targets(val[0], val[1], M, N, w, "validation")
    for name, n in (("epochs", epochs), ("batch", batch)):
        if isinstance(n, (bool, float)):
            raise ParameterError(f"{w}: parameter '{name}' = {n!r} must be an integer >= 1")
    epochs = real(epochs, "epochs", lo=1, integer=True, where=w)
    batch = real(batch, "batch", lo=1, integer=True, where=w)
    lr = real(lr, "lr", lo=0.0, lo_open=True, where=w)
    v_read = real(v_read, "v_read", lo=0.0, lo_open=True, unit="V", where=w)
    lo_x, hi_x = tx.bounds
    g_a, g_b = tx.conductance(lo_x).mean(), tx.conductance(hi_x).mean()
    g_ref = 0.5 * (g_a + g_b) if g_ref is None else real(g_ref, "g_ref", lo=0.0, unit="S", where=w)
    g_scale = 0.5 * abs(g_b - g_a) if g_scale is None else real(g_scale, "g_scale", lo=0.0, lo_open=True, unit="S",
                                                                  where=w)
    rng = np.random.default_rng(seed)
    x = np.array(tx.state)
    net = tx._net("direct")
    fwd = dict(v_read=v_read, g_ref=g_ref, g_scale=g_scale)
    sets = [(X, T)] + ([val] if val is not None else [])
    scores = []

    def score(state):
        out = []
        for Xs, Ts in sets:
            Y = layer_forward(tx, state, Xs, **fwd)
            out.append((float(np.mean((Ts - Y) ** 2)), float(np.mean(Y.argmax(axis=1) == Ts.argmax(axis=1)))))
        scores.append(out)

    score(x)
    pulses, energy = 0, 0.0
    ep_p, ep_e, ep_t = [], [], []
    with single_threaded(M * N):
        for _ in range(epochs):
            t0, p0, e0 = time.perf_counter(), pulses, energy
            order = rng.permutation(X.shape[0])
            for s in range(0, X.shape[0], batch):
                idx = order[s:s + batch]
                err = T[idx] - layer_forward(tx, x, X[idx], **fwd)
                x, p, e = apply_update(tx, x, lr * X[idx].T @ err / idx.size, rule, net=net)
                pulses, energy = pulses + p, energy + e
            ep_p.append(pulses - p0)
            ep_e.append(energy - e0)
            ep_t.append(time.perf_counter() - t0)
            score(x)
    sc = np.array(scores)          # (epochs + 1, sets, 2)
    v = (sc[:, 1, 0], sc[:, 1, 1]) if val is not None else (None, None)
    return TrainHistory(loss=sc[:, 0, 0], accuracy=sc[:, 0, 1], state=x, pulses=pulses, energy=energy,
                        stats={"g_ref": g_ref, "g_scale": g_scale, "epoch_pulses": ep_p, "epoch_energy": ep_e,
                               "epoch_time": ep_t}, val_loss=v[0], val_accuracy=v[1])
