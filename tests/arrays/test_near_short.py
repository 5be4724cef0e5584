"""Tiny wire resistances (issue 10): solved correctly or refused, never a silent zero.

Reference: with every wire, driver and sense resistance r -> 0 the outputs are the closed
form ``i_out = G^T v``. With r > 0 they move away from it by at most about
``r g_max (rows + cols)**2`` relative (the largest IR drop along a line), so the tolerance
below is that bound plus float64 round-off of the nodal solve (1e-12).
"""
import numpy as np
import pytest

from memlab.arrays import Crossbar
from memlab.errors import ParameterError


@pytest.mark.filterwarnings("ignore::memlab.errors.AccuracyWarning")
@pytest.mark.parametrize("shape", [(4, 4), (16, 9), (64, 64)])
@pytest.mark.parametrize("r", [1e-16, 1e-14, 1e-12, 1e-11, 1e-9])
def test_near_short_wires_give_the_closed_form(shape, r):
    rng = np.random.default_rng(0)
    G = rng.uniform(1e-6, 1e-5, shape)
    v = rng.uniform(0.0, 1.0, shape[0])
    ref = v @ G
    s = Crossbar(G, r_row=r, r_col=r, r_driver=r, r_sense=r).solve(v)          # method="auto"
    err = np.max(np.abs(s.i_out - ref)) / np.max(np.abs(ref))
    assert err <= r * G.max() * sum(shape) ** 2 + 1e-12
    assert np.all(s.i_out > 0)        # the failure: i_out = 0 "converged" at CG iteration 0


def test_cg_refuses_what_it_cannot_resolve():
    G = np.full((4, 4), 1e-5)
    with pytest.raises(ParameterError, match=r"method 'cg' needs .* r \* g_max >= 1e-12"):
        Crossbar(G, r_row=1e-9, r_col=1e-9, r_driver=1e-9, r_sense=1e-9).solve(np.ones(4), method="cg")
    # ordinary wires still use CG and agree with the direct factorisation
    xb = Crossbar(G, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
    assert np.allclose(xb.solve(np.ones(4), method="cg").i_out, xb.solve(np.ones(4), method="direct").i_out,
                       rtol=1e-9, atol=0)


def test_factor_memory_estimate_covers_the_factor_itself():
    # independent number: CHOLMOD's own factor of a 128 x 128 crossbar (AMD order, as the
    # solver uses); the estimate (bytes) must at least hold its values and row indices
    from sksparse.cholmod import cholesky

    from memlab.arrays import factor_bytes
    from memlab.arrays._assemble import assemble
    xb = Crossbar(np.full((128, 128), 1e-5), r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0)
    A = assemble(xb.topo, xb.G.ravel())["A_ff"]
    L = cholesky(A.tocsc(), ordering_method="amd").L()
    assert factor_bytes(A.shape[0]) >= 12 * L.nnz
    # 2^40 node voltages cannot fit on any machine this runs on: refused with the estimate
    from memlab._validate import check_memory
    with pytest.raises(ParameterError, match=r"parameter 'method': a sparse factorisation needs at least .* GiB"):
        check_memory(factor_bytes(2 ** 40), "a sparse factorisation", "method")
