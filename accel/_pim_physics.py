"""PIM <-> arrays coupling: crossbar read power, analog error and usable ADC bits from an
exact Kirchhoff solve of the array (:class:`memlab.arrays.Crossbar`).

For an array of ``rows x cols`` cells with conductances on ``2**cell_bits`` levels between
``g_off`` and ``g_on`` (S), wire segments ``r_wire`` (ohm) on word and bit lines, driver
``r_driver`` and sense ``r_sense`` (ohm), read voltage ``v_read`` (V):

1. a fixed-seed set of ``n_patterns`` random level maps and binary (1-bit DAC) input
   vectors is drawn; for each candidate number of simultaneously active rows ``ra``
   (powers of two up to ``rows``) the inputs are confined to the first ``ra`` rows
   (others at 0 V) and all cases are solved in one batched call;
2. the analog error is the largest |i_out - i_ideal| over columns and patterns after one
   global least-squares gain calibration (``i_ideal = v @ G`` without wires), relative to
   the full-scale column current ``FS = ra * g_on * v_read``;
3. usable ADC bits ``b = floor(log2(FS / (2 * err)))``: the resolution at which the
   analog error stays below half an LSB (capped at 16);
4. read power = mean driver power over the patterns (W) (``CrossbarSolution.power``).

Settling: an Elmore estimate of the word + bit line RC, ``tau = (r_driver + r_wire*cols/2)
* c_seg*cols + (r_sense + r_wire*rows/2) * c_seg*rows``, and ``t_settle = tau * ln(2**(b+1))``.
Everything is cached per physical configuration (``functools.lru_cache``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from memlab._validate import check_memory
from memlab.errors import ParameterError

__all__ = ["CrossbarFigures", "crossbar_figures", "SOLVER"]

#: which solver produced the figures ("memlab.arrays.Crossbar")
SOLVER = "memlab.arrays.Crossbar"


@dataclass(frozen=True)
class CrossbarFigures:
    """Physics figures of one array configuration for each active-row count ``ra``.

    ``err_rel[ra]``: worst calibrated error / full scale; ``usable_bits[ra]``;
    ``power_W[ra]``: mean read power (W); ``i_fs_A[ra]``: full-scale column current (A);
    ``tau_s``: Elmore RC time constant of the lines (s).
    """

    rows: int
    cols: int
    active_rows: tuple
    err_rel: dict
    usable_bits: dict
    power_W: dict
    i_fs_A: dict
    tau_s: float
    solver: str = SOLVER

    def t_settle(self, bits: int) -> float:
        """Time (s) for the lines to settle within half an LSB of a ``bits``-bit ADC."""
        return self.tau_s * math.log(2.0 ** (bits + 1))


def _active_candidates(rows: int) -> tuple:
    out, r = [], rows
    while r >= 1:
        out.append(r)
        if r % 2:
            break
        r //= 2
    return tuple(out)


@lru_cache(maxsize=64)
def crossbar_figures(rows: int, cols: int, g_on: float, g_off: float, v_read: float, r_wire: float,
                     r_driver: float, r_sense: float, cell_bits: int, c_seg: float,
                     n_patterns: int = 8, seed: int = 1) -> CrossbarFigures:
    """Solve the array for the patterns described in the module doc (SI units)."""
    from memlab.arrays import Crossbar, factor_bytes

    for name, val in (("rows", rows), ("cols", cols), ("cell_bits", cell_bits), ("n_patterns", n_patterns)):
        if int(val) != val or val < 1:
            raise ParameterError(f"crossbar_figures: parameter '{name}' = {val!r} is outside the allowed range integer >= 1")
    if not (0 <= g_off < g_on):
        raise ParameterError(f"crossbar_figures: parameters 'g_off' = {g_off!r}, 'g_on' = {g_on!r}: need 0 <= g_off < g_on (S)")
    for name, val in (("v_read", v_read),):
        if not val > 0:
            raise ParameterError(f"crossbar_figures: parameter '{name}' = {val!r} is outside the allowed range (0, inf) V")
    for name, val in (("r_wire", r_wire), ("r_driver", r_driver), ("r_sense", r_sense), ("c_seg", c_seg)):
        if not (val >= 0 and math.isfinite(val)):
            raise ParameterError(f"crossbar_figures: parameter '{name}' = {val!r} is outside the allowed range [0, inf)")

    # the figures factorise the array once for all patterns: refuse sizes that cannot fit up front
    check_memory(factor_bytes(2 * rows * cols), f"the {rows} x {cols} array physics (one sparse factorisation)",
                 "rows")
    rng = np.random.default_rng(seed)
    levels = 2 ** cell_bits
    # one level map per pattern is expensive (one factorisation each); use one map and
    # many input vectors, which is what one array sees during inference
    lv = rng.integers(0, levels, size=(rows, cols))
    G = g_off + (g_on - g_off) * lv / (levels - 1)
    bits_in = (rng.random((rows, n_patterns)) < 0.5).astype(float)
    cands = _active_candidates(rows)
    V = np.zeros((rows, n_patterns * len(cands)))
    for c_i, ra in enumerate(cands):
        blk = np.zeros((rows, n_patterns))
        blk[:ra] = bits_in[:ra]
        V[:, c_i * n_patterns:(c_i + 1) * n_patterns] = v_read * blk
    cb = Crossbar(G, r_row=r_wire, r_col=r_wire, r_driver=r_driver, r_sense=r_sense)
    sol = cb.solve(V, full=False, progress=False)
    i_out = np.asarray(sol.i_out)             # (cols, batch)
    power = np.asarray(sol.power)              # (batch,)
    ideal = G.T @ V                            # (cols, batch)
    err, bits, pw, ifs = {}, {}, {}, {}
    for c_i, ra in enumerate(cands):
        sl = slice(c_i * n_patterns, (c_i + 1) * n_patterns)
        a, b = i_out[:, sl], ideal[:, sl]
        gain = float((a * b).sum() / (a * a).sum()) if (a * a).sum() > 0 else 1.0
        e = float(np.abs(gain * a - b).max())
        fs = ra * g_on * v_read
        err[ra] = e / fs
        bits[ra] = 16 if e <= fs / 2 ** 17 else int(max(0, math.floor(math.log2(fs / (2 * e)))))
        pw[ra] = float(power[sl].mean())
        ifs[ra] = fs
    tau = (r_driver + r_wire * cols / 2) * c_seg * cols + (r_sense + r_wire * rows / 2) * c_seg * rows
    return CrossbarFigures(rows, cols, cands, err, bits, pw, ifs, tau)
