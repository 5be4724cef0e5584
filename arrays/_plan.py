"""Stage "plan": which linear solver ``method="auto"`` picks, from named, documented thresholds.

The thresholds were measured on the development machine (2 cores, CHOLMOD available):

- a 64 x 64 line-CG solve takes ~1 ms against ~14 ms to factorise, and at 1024^2 a
  factorisation (~11 s) costs about as much as ~40 line-CG solves (~0.3 s each): so a
  factorisation pays off from a batch of :attr:`AutoPolicy.direct_min_batch` inputs
  (:attr:`AutoPolicy.direct_min_batch_large` above :attr:`AutoPolicy.small_cells` cells);
- without CHOLMOD, scipy's SuperLU needed 36.7 s and 4.5 GB for 1024^2, so above
  :attr:`AutoPolicy.superlu_max_cells` cells line CG is used instead;
- the dense port model (one sparse factorisation, dense port block) pays off from
  :attr:`AutoPolicy.ports_min_batch` inputs and fits in memory up to
  :attr:`AutoPolicy.max_factor_cells` cells, above which every solve uses line CG;
- inexact Newton with line CG beat Newton with a refactorised sparse Jacobian at every
  size measured (sinh cells, 1 ohm wires, drivers and sense, best of 3, per input): 16^2
  0.54 vs 0.82 ms, 32^2 0.71 vs 2.34 ms, 48^2 0.92 vs 14.0 ms, 64^2 1.36 vs 27.8 ms, 128^2
  25 vs 435 ms; so :attr:`AutoPolicy.newton_direct_max_cells` is 0 (the sparse Jacobian
  is used only where line CG does not apply: near-shorts; zero driver and sense resistances are
  Dirichlet nodes and zero wire segments merged runs inside line CG). Crossbars with zero wire
  segments are factorised up to :attr:`AutoPolicy.merged_direct_max_cells` cells (the direct
  solve is exact and the merged network small), line CG above.

Pass another :class:`AutoPolicy` to :meth:`Crossbar.solve` (``policy=``) to change them.

Near-shorts. A resistance ``r`` (ohm) with ``r * g_ref * (rows + cols)**2 <= NEAR_SHORT``
(``g_ref`` the largest cell small-signal conductance, S) is solved as an exact short, as a
zero resistance is: the current through any wire segment is at most ``(rows + cols) g_ref
|v|``, so the voltage it drops summed along a whole line is below ``NEAR_SHORT |v|`` and
the merged circuit differs by less than that, relative. Without the merge such wires put
the nodal matrix's round-off floor (about ``eps / r``) above the cell currents, and line CG
then "converges" at zero (issue 10). Resistances above the merge bound but with
``r * g_ref < CG_MIN_RG`` are still too stiff for line CG (measured: CG returned zero
output at ``r g_ref = 1e-16`` on 4 x 4 and 64 x 64 arrays and was exact at ``1e-13``), so
``method="auto"`` factorises them directly and ``method="cg"`` refuses them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError

from ._direct import HAVE_CHOLMOD

__all__ = ["AutoPolicy", "METHODS", "choose_method", "ports_available", "FULL_LIMIT", "NEAR_SHORT", "CG_MIN_RG",
           "merge_near_shorts", "min_rg"]

#: relative bound under which a resistance is merged into an exact short (see the module doc)
NEAR_SHORT = 1e-13
#: smallest r * g_ref (1) that line CG is used for (see the module doc)
CG_MIN_RG = 1e-12

METHODS = ("auto", "direct", "cg", "ports")

# above this many node voltages (batch x 2 x rows x cols; the four node-level result arrays
# then take about 1 GB) a batch solve keeps only port quantities unless full=True is asked for
FULL_LIMIT = 64_000_000


@dataclass(frozen=True)
class AutoPolicy:
    """Thresholds of ``method="auto"`` (numbers of cells = rows * cols; batch = inputs)."""

    ports_min_batch: int = 8
    max_factor_cells: int = 1200 * 1200
    superlu_max_cells: int = 256 * 256
    newton_direct_max_cells: int = 0
    small_cells: int = 128 * 128
    direct_min_batch: int = 16
    direct_min_batch_large: int = 48
    #: line CG adds the coarse common-mode correction (:mod:`memlab.arrays._multigrid`) from this
    #: electrical length ``max(cols / lambda_row, rows / lambda_col)`` on (1); ``inf``: never, 0: always
    two_level_min_length: float = 10.0
    #: crossbars with zero wire segments (merged nodes) are factorised directly up to this many
    #: cells (line CG solves them exactly too, see :mod:`memlab.arrays._linerun`)
    merged_direct_max_cells: int = 1200 * 1200
    #: line CG of linear cells applies its preconditioner's bit-line solve in float32 from this
    #: many cells on (the operator, the residual and CG stay float64; see
    #: :class:`~memlab.arrays._linesolve.LineOperator`); 0: always, a huge number: never
    mixed_precision_min_cells: int = 1024 * 1024

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            val = getattr(self, name)
            if name != "two_level_min_length":
                real(val, name, lo=0, integer=True, where="AutoPolicy")
            elif not (isinstance(val, (float, np.floating)) and val == np.inf):   # inf: never
                real(val, name, lo=0.0, where="AutoPolicy")


def ports_available(topo, linear: bool) -> bool:
    """The port model applies: linear cells, CHOLMOD and free nodes (any termination or wire setting)."""
    return linear and HAVE_CHOLMOD and topo.n_free > 0


def merged_segments(topo) -> bool:
    """The crossbar has zero (merged) word- or bit-line segments."""
    return bool(np.isinf(topo.g_row).any() or np.isinf(topo.g_col).any())


def merge_near_shorts(r: np.ndarray, g_ref: float, rows: int, cols: int) -> np.ndarray:
    """``r`` (ohm) with the near-shorts (module doc) replaced by exact zeros; a new array."""
    bound = NEAR_SHORT / (g_ref * (rows + cols) ** 2) if g_ref > 0 else 0.0
    return np.where((r > 0) & (r <= bound), 0.0, r)


def min_rg(topo, g_ref: float) -> float:
    """Smallest ``r * g_ref`` over the finite, non-zero resistances of ``topo`` (inf if none)."""
    g = topo.g_wire_max
    return float(g_ref / g) if g > 0 and g_ref > 0 else np.inf


def choose_method(method: str, topo, *, linear: bool, batch: int, full: bool, policy: AutoPolicy,
                  rg_min: float = np.inf) -> str:
    """The solver for ``method`` ("auto" resolved by ``policy``), checked against the crossbar.

    ``rg_min``: the smallest ``r * g_ref`` of the crossbar (:func:`min_rg`)."""
    if method not in METHODS:
        raise ParameterError(f"parameter 'method' = {method!r} is not one of {METHODS}")
    if method == "cg" and rg_min < CG_MIN_RG:
        raise ParameterError(f"method 'cg' needs every resistance r with r * g_max >= {CG_MIN_RG:g} (this crossbar "
                             f"has {rg_min:.3g}: line CG cannot resolve such near-shorts in float64); use "
                             "method='direct' or 'auto'")
    if method == "ports" and not (ports_available(topo, linear) and not full):
        raise ParameterError("method 'ports' needs linear cells, scikit-sparse (CHOLMOD), a crossbar with "
                             "free nodes, and full=False")
    if method != "auto":
        return method
    cells = topo.rows * topo.cols
    p = policy
    if linear and not full and ports_available(topo, linear) and batch >= p.ports_min_batch \
            and cells <= p.max_factor_cells:
        return "ports"
    if rg_min < CG_MIN_RG or (merged_segments(topo) and cells <= p.merged_direct_max_cells):
        return "direct"
    if cells > p.max_factor_cells or (not HAVE_CHOLMOD and cells > p.superlu_max_cells):
        return "cg"
    if not linear:
        return "direct" if cells <= p.newton_direct_max_cells else "cg"
    return "direct" if batch >= (p.direct_min_batch if cells <= p.small_cells else p.direct_min_batch_large) \
        else "cg"
