"""Direct sparse factorisation of the crossbar nodal matrix, reused across a batch of inputs.

Backends, best first: CHOLMOD through scikit-sparse (supernodal Cholesky, float64) when
it is importable, else scipy's SuperLU in symmetric mode. Fill-reducing order: AMD
(CHOLMOD) or MMD on A+A^T (SuperLU). Measured here at 512 x 512: AMD gave 27.5M factor
nonzeros against 47M for a geometric nested dissection of the cell grid, so AMD is used.
"""
from __future__ import annotations

import importlib.util
import logging

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from memlab._validate import check_memory
from memlab.errors import SingularCircuitError

_log = logging.getLogger(__name__)

try:  # optional accelerated backend
    from sksparse.cholmod import cholesky as _cholmod_cholesky, CholmodNotPositiveDefiniteError
    HAVE_CHOLMOD = True
except ImportError as _exc:  # pragma: no cover - depends on the machine
    HAVE_CHOLMOD = False
    # said once, at import: a broken install is a warning, an absent optional package is info
    (_log.warning if importlib.util.find_spec("sksparse") is not None else _log.info)(
        "scikit-sparse (CHOLMOD) is not importable (%s): direct crossbar solves use scipy's SuperLU and "
        "the port model (method='ports') is unavailable; install scikit-sparse with libsuitesparse-dev", _exc)

__all__ = ["DirectFactor", "HAVE_CHOLMOD"]


def factor_bytes(n_nodes: int) -> float:
    """Estimated peak memory (bytes) of factorising the nodal matrix of ``n_nodes`` node
    voltages (a rows x cols crossbar has 2 rows cols): 80 bytes per n log2(n), just below the
    peaks measured with CHOLMOD/AMD (1.3 GB at 512^2 cells, 5.1 GB at 1024^2)."""
    n = max(int(n_nodes), 2)
    return 80.0 * n * float(np.log2(n))


class DirectFactor:
    """Factorisation of the SPD nodal matrix ``A`` (n x n, CSC) with ``solve(b)``.

    CHOLMOD (AMD order) when available, else SuperLU (MMD order on A+A^T).
    """

    def __init__(self, A: sp.csc_array):
        self.backend = "cholmod" if HAVE_CHOLMOD else "superlu"
        self.n = A.shape[0]
        # refuse up front what cannot fit (a 4096^2 crossbar ran 234 s before CHOLMOD ran out of memory)
        check_memory(factor_bytes(self.n), f"a sparse factorisation of {self.n} node voltages "
                     "(use method='cg' for arrays this large)", "method")
        self._f = None
        self._factor(A)

    def _factor(self, A):
        Ap = sp.csc_matrix(A)
        if self.backend == "cholmod":
            try:
                if self._f is not None:
                    self._f.cholesky_inplace(Ap)
                else:
                    self._f = _cholmod_cholesky(Ap, ordering_method="amd")
            except CholmodNotPositiveDefiniteError as exc:
                raise SingularCircuitError(f"nodal matrix is not positive definite (CHOLMOD: {exc}); the "
                                           "crossbar has a floating or negative-conductance sub-network") from exc
        else:
            try:
                self._f = spla.splu(Ap, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                                    options=dict(SymmetricMode=True))
            except RuntimeError as exc:
                raise SingularCircuitError(f"nodal matrix is singular (SuperLU: {exc}); the crossbar has a "
                                           "floating sub-network") from exc

    def refactor(self, A: sp.csc_array) -> None:
        """New numeric values on the same sparsity pattern (symbolic analysis reused by CHOLMOD)."""
        self._factor(A)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """Solve ``A x = b`` for ``b`` of shape (n,) or (n, k)."""
        b = np.asarray(b, dtype=np.float64)
        return self._f.solve_A(b) if self.backend == "cholmod" else self._f.solve(b)
