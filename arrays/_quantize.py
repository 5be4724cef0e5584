"""The one uniform quantiser of memlab (DACs, ADCs and weight levels).

:func:`quantize_uniform` is a mid-rise quantiser with ``2**bits`` levels; the array's DAC
and ADC (:class:`memlab.arrays.AnalogMatrix`) and the accuracy studies of
:mod:`memlab.analysis` all use it.
"""
from __future__ import annotations

import numpy as np

from memlab.errors import ParameterError
from memlab._validate import positive_float, positive_int

__all__ = ["quantize_uniform"]


def quantize_uniform(x, bits: int, full_scale: float, *, signed: bool = True):
    """Mid-rise uniform quantiser with ``2**bits`` levels over [-fs, fs] (signed) or [0, fs].

    Signed: step ``2 fs / 2**bits``, levels ``(k + 1/2) step`` for ``k`` in
    ``[-2**(bits-1), 2**(bits-1) - 1]`` (no zero level). Unsigned: levels ``k fs / (2**bits - 1)``
    for ``k`` in ``[0, 2**bits - 1]`` (0 and fs included; one bit gives {0, fs} with the
    threshold at fs/2). Values outside the range are clipped to the end levels.
    ``bits = 0`` returns ``x`` unchanged (ideal converter); ``full_scale = 0`` returns zeros.
    ``x`` and ``full_scale`` are in the same unit (V, A or a normalised value).
    """
    bits = positive_int(bits, "bits", minimum=0, maximum=52)
    fs = positive_float(full_scale, "full_scale", allow_zero=True)
    if not isinstance(signed, (bool, np.bool_)):
        raise ParameterError(f"parameter 'signed' = {signed!r} must be True or False")
    x = np.asarray(x, dtype=np.float64)
    if bits == 0:
        return x.copy()
    if fs == 0:
        return np.zeros_like(x)
    n = 2 ** bits
    if signed:
        step = 2 * fs / n
        k = np.clip(np.floor(x / step), -n // 2, n // 2 - 1)
        return (k + 0.5) * step
    if n == 2:  # 1 bit unsigned: {0, fs}
        return np.where(x >= fs / 2, fs, 0.0)
    step = fs / (n - 1)
    return np.clip(np.rint(x / step), 0, n - 1) * step
