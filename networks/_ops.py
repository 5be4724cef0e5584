"""Numerical kernels of the network layers (float64, NCHW layout like ONNX, batch first).

Convolution is lowered to a matrix product by im2col: the receptive field of every output
position becomes one column vector of length ``C_in/groups * kh * kw`` (order channel,
kernel row, kernel column, matching ``W.reshape(C_out, -1)``), so every conv group is one
weight matrix ``(C_out/groups, C_in/groups * kh * kw)`` applied to ``N * H_out * W_out``
vectors. Pads follow ONNX: ``(top, left, bottom, right)``.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["ACTIVATIONS", "im2col", "conv_out_shape", "pool", "activation"]


def _pad(x, pads, value=0.0):
    t, left, b, r = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), (t, b), (left, r)), constant_values=value)


def _windows(x, kernel, strides, pads, dilations, value=0.0):
    """(N, C, H_out, W_out, kh, kw) view of the padded input."""
    kh, kw = kernel
    dh, dw = dilations
    xp = _pad(x, pads, value)
    ext = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    win = sliding_window_view(xp, ext, axis=(2, 3))
    return win[:, :, ::strides[0], ::strides[1], ::dh, ::dw]


def conv_out_shape(hw, kernel, strides, pads, dilations):
    """Output (H_out, W_out) of a convolution/pooling window."""
    out = []
    for d in range(2):
        ext = (kernel[d] - 1) * dilations[d] + 1
        size = hw[d] + pads[d] + pads[d + 2]
        out.append((size - ext) // strides[d] + 1)
    return tuple(out)


def im2col(x, kernel, strides, pads, dilations):
    """Columns (N * H_out * W_out, C * kh * kw) and the output (H_out, W_out)."""
    win = _windows(x, kernel, strides, pads, dilations)
    n, c, ho, wo, kh, kw = win.shape
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
    return cols, (ho, wo)


def pool(x, kind, kernel, strides, pads, count_include_pad=False):
    """Max or average pooling of (N, C, H, W); average excludes pads unless asked."""
    if kind == "max":
        return _windows(x, kernel, strides, pads, (1, 1), -np.inf).max(axis=(4, 5))
    s = _windows(x, kernel, strides, pads, (1, 1)).sum(axis=(4, 5))
    if count_include_pad or not any(pads):
        return s / (kernel[0] * kernel[1])
    ones = np.ones((1, 1) + x.shape[2:])
    cnt = _windows(ones, kernel, strides, pads, (1, 1)).sum(axis=(4, 5))
    return s / cnt


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _erf(x):
    from scipy.special import erf
    return erf(x)


#: elementwise activation name -> f(x, attrs)
ACTIVATIONS = {
    "relu": lambda x, a: np.maximum(x, 0.0),
    "sigmoid": lambda x, a: 0.5 * (1.0 + np.tanh(0.5 * x)),
    "tanh": lambda x, a: np.tanh(x),
    "leaky_relu": lambda x, a: np.where(x >= 0, x, a.get("alpha", 0.01) * x),
    "clip": lambda x, a: np.clip(x, a.get("min", -np.inf), a.get("max", np.inf)),
    "elu": lambda x, a: np.where(x > 0, x, a.get("alpha", 1.0) * np.expm1(np.minimum(x, 0.0))),
    "selu": lambda x, a: a.get("gamma", 1.0507009873554805) * np.where(
        x > 0, x, a.get("alpha", 1.6732632423543772) * np.expm1(np.minimum(x, 0.0))),
    "softplus": lambda x, a: np.logaddexp(0.0, x),
    "hard_sigmoid": lambda x, a: np.clip(a.get("alpha", 0.2) * x + a.get("beta", 0.5), 0.0, 1.0),
    "abs": lambda x, a: np.abs(x),
    "neg": lambda x, a: -x,
    "exp": lambda x, a: np.exp(x),
    "gelu": lambda x, a: 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0))),
    "softmax": lambda x, a: _softmax(x, a.get("axis", -1)),
}


def activation(kind, x, attrs):
    return ACTIVATIONS[kind](x, attrs)
