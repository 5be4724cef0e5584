"""AnalogMatrix: mapping, slicing, DAC/ADC, non-idealities and metrics against closed forms."""
import math

import numpy as np
import pytest

from memlab.arrays import (AnalogMatrix, DeviceSpread, Drift, FiniteLevels, ProgrammingNoise, ReadNoise,
                           StuckAt, column_error, relative_error, snr_db)
from memlab.errors import ParameterError, ShapeError

RNG = np.random.default_rng(42)
W = RNG.uniform(-1, 1, (7, 12))
X = RNG.uniform(-1, 1, (12, 6))


@pytest.mark.parametrize("mapping", ["differential", "offset"])
def test_ideal_circuit_is_exact(mapping):
    am = AnalogMatrix(W, mapping=mapping)
    # ideal wires: the crossbar returns G.T @ v exactly; the mapping is linear, so only
    # floating-point round-off remains (~1e-15 relative)
    assert np.allclose(am.matvec(X), W @ X, rtol=0, atol=1e-12)
    assert np.allclose(am.ideal(X), W @ X, rtol=0, atol=0)
    assert am.G_programmed.min() >= am.g_min - 1e-20 and am.G_programmed.max() <= am.g_max + 1e-20


@pytest.mark.parametrize("mapping", ["differential", "offset"])
@pytest.mark.parametrize("wb, bpc", [(4, None), (6, 2), (7, 3), (8, 1)])
def test_weight_quantisation_and_slicing_exact(mapping, wb, bpc):
    am = AnalogMatrix(W, mapping=mapping, weight_bits=wb, bits_per_cell=bpc)
    Q = 2 ** wb - 1
    wq = np.rint(W / np.abs(W).max() * Q) / Q * np.abs(W).max()
    # slicing is an exact digit decomposition and the circuit is ideal: the output equals
    # the product with the quantised weights up to round-off
    assert np.allclose(am.matvec(X), wq @ X, rtol=0, atol=1e-12)
    b = wb if bpc is None else bpc
    span = 2 * Q if mapping == "offset" else Q
    assert am.n_slices == math.ceil(math.log(span + 1, 2 ** b) - 1e-12)
    # every cell holds one of 2**b levels between g_min and g_max
    lv = np.unique(np.round((am.G_target - am.g_min) / (am.g_max - am.g_min) * (2 ** b - 1), 9))
    assert np.all(lv == np.round(lv)) and lv.min() >= 0 and lv.max() <= 2 ** b - 1
    per = 2 * W.shape[0] if mapping == "differential" else W.shape[0] + 1
    assert am.crossbar.cols == per * am.n_slices


def test_dac_multilevel_and_bit_serial_agree():
    db = 5
    L = 2 ** db - 1
    xq = np.sign(X) * np.rint(np.abs(X) * L) / L
    a = AnalogMatrix(W, dac_bits=db).matvec(X)
    b = AnalogMatrix(W, dac_bits=db, input_mode="bit-serial").matvec(X)
    assert np.allclose(a, W @ xq, rtol=0, atol=1e-12)
    assert np.allclose(b, a, rtol=0, atol=1e-12)


def test_adc_quantisation_bound_and_saturation():
    ab = 8
    am = AnalogMatrix(W, adc_bits=ab)
    y, st = am.matvec(X, return_stats=True)
    n = 2 ** (ab - 1) - 1
    step_i = am.adc_range / n
    conv = am.w_max / am.Q / am.unit / (am.v_read / am.x_max)
    # one slice: the output error is at most half an ADC step, converted to output units
    assert np.max(np.abs(y - W @ X)) <= 0.5 * step_i * conv * (1 + 1e-9)
    assert st["adc_saturated"] == 0
    small = AnalogMatrix(W, adc_bits=ab, adc_range=1e-7)
    assert small.matvec(X, return_stats=True)[1]["adc_saturated"] > 0


def dense_nodal_solve(G, V, r_row, r_col, r_driver, r_sense):
    """Sense currents (A) of a passive crossbar from a dense numpy nodal solve written here
    (not memlab's assembly): word node (i, j) and bit node (i, j) per cell; driver i -> word
    node (i, 0) through r_driver; word segments r_row between columns; cell G[i, j] from word
    to bit node; bit segments r_col between rows; bit node (M-1, j) -> 0 V through r_sense.
    All resistances > 0. ``V``: (M, K) driver voltages; returns (N, K)."""
    M, N = G.shape
    w = lambda i, j: i * N + j
    b = lambda i, j: M * N + i * N + j
    A = np.zeros((2 * M * N, 2 * M * N))
    rhs = np.zeros((2 * M * N, V.shape[1]))

    def stamp(p, q, g):          # conductance g between nodes p and q (q = None: ground)
        A[p, p] += g
        if q is not None:
            A[q, q] += g
            A[p, q] -= g
            A[q, p] -= g

    for i in range(M):
        stamp(w(i, 0), None, 1 / r_driver)
        rhs[w(i, 0)] += V[i] / r_driver
        for j in range(N):
            stamp(w(i, j), b(i, j), G[i, j])
            if j + 1 < N:
                stamp(w(i, j), w(i, j + 1), 1 / r_row)
            if i + 1 < M:
                stamp(b(i, j), b(i + 1, j), 1 / r_col)
    for j in range(N):
        stamp(b(M - 1, j), None, 1 / r_sense)
    u = np.linalg.solve(A, rhs)
    return np.array([u[b(M - 1, j)] / r_sense for j in range(N)])


def test_ir_drop_against_hand_mapping_and_dense_nodal_solve():
    """A 3x2 weight matrix: the differential mapping written out by hand (g_min 1 uS, g_max
    100 uS, w_max 1: g+ = g_min + 99 uS max(w, 0), g- = g_min + 99 uS max(-w, 0), columns
    [+, -] per output), a dense nodal solve written in this file, and the decode
    y = (i+ - i-) w_max / ((g_max - g_min) v_read)."""
    W3 = np.array([[0.5, -1.0], [0.25, 0.0], [-0.75, 1.0]])       # (outputs, inputs)
    uS = 1e-6
    G_hand = uS * np.array([[50.5, 1.0, 25.75, 1.0, 1.0, 75.25],    # input 0
                            [1.0, 100.0, 1.0, 1.0, 100.0, 1.0]])    # input 1
    kw = dict(r_row=2.0, r_col=2.0, r_driver=5.0, r_sense=5.0)
    am = AnalogMatrix(W3, v_read=0.3, **kw)
    np.testing.assert_allclose(am.G_target, G_hand, rtol=1e-12)
    X2 = np.array([[1.0, -0.5, 0.25, 0.0], [0.3, 1.0, -1.0, 0.7]])
    i = dense_nodal_solve(G_hand, 0.3 * X2, **kw)
    expect = (i[0::2] - i[1::2]) * 1.0 / (99 * uS * 0.3)
    # both are exact solves of the same network in float64 (seen: 6e-14 of the largest output);
    # 1e-11 of the largest output leaves room for the solver memlab picks
    np.testing.assert_allclose(am.matvec(X2), expect, rtol=0, atol=1e-11 * np.abs(expect).max())
    assert relative_error(expect, W3 @ X2) > 1e-3        # the IR drop is visible at these values


def test_nonlinear_cell_mvm_runs_and_deviates():
    from memlab.devices import SinhConductance
    am = AnalogMatrix(W[:3, :5], v_read=0.5, cell=SinhConductance(v0=0.2), r_row=1.0, r_col=1.0)
    r = am.compare(X[:5, :2])
    # sinh raises the current above the linear law: outputs are not the ideal ones
    assert r.relative_error > 1e-3 and np.isfinite(r.snr_db)


def test_nonidealities_seeded_and_composable():
    steps = [ProgrammingNoise(0.03), DeviceSpread(0.1), StuckAt(p_on=0.02, p_off=0.03), Drift(t=100.0, nu=0.05)]
    a = AnalogMatrix(W, nonidealities=steps, seed=7)
    b = AnalogMatrix(W, nonidealities=steps, seed=7)
    c = AnalogMatrix(W, nonidealities=steps, seed=8)
    assert np.array_equal(a.G_programmed, b.G_programmed)
    assert not np.array_equal(a.G_programmed, c.G_programmed)
    n = a.G_target.size
    assert a.stats["stuck_on"] == int(n * 0.02) and a.stats["stuck_off"] == int(n * 0.03)
    # read noise: redrawn at every read, programming unchanged
    r = AnalogMatrix(W, nonidealities=[ReadNoise(0.05)], seed=3)
    y1, y2 = r.matvec(X), r.matvec(X)
    assert not np.allclose(y1, y2)
    assert np.array_equal(r.G_programmed, r.G_target)


def test_finite_levels_and_spread_statistics():
    G = np.linspace(1e-6, 1e-4, 1000).reshape(40, 25)
    ctx = {"g_min": 1e-6, "g_max": 1e-4}
    q = FiniteLevels(5).apply(G, ctx, np.random.default_rng(0))
    levels = np.unique(q)
    assert levels.size == 5 and levels[0] == 1e-6 and levels[-1] == pytest.approx(1e-4)
    big = np.full(200_000, 2e-5)
    s = DeviceSpread(0.2).apply(big, ctx, np.random.default_rng(1))
    # lognormal: median = nominal and std(ln g) = sigma; 200k samples give ~0.3 % sampling error
    assert np.median(s) == pytest.approx(2e-5, rel=0.01)
    assert np.std(np.log(s)) == pytest.approx(0.2, rel=0.01)
    p = ProgrammingNoise(0.01).apply(big, ctx, np.random.default_rng(2))
    assert np.std(p - big) == pytest.approx(0.01 * (1e-4 - 1e-6), rel=0.01)
    d = Drift(t=1.0, nu=0.1, t0=1.0).apply(big[:10], ctx, np.random.default_rng(0))
    assert np.array_equal(d, big[:10])  # G(t0) = G0
    d2 = Drift(t=100.0, nu=0.1, t0=1.0).apply(big[:10], ctx, np.random.default_rng(0))
    # G0 (t/t0)^-nu, hand-computed: 100^-0.1 = 10^-0.2 = 0.630957344480193
    np.testing.assert_allclose(d2, 2e-5 * 0.630957344480193, rtol=1e-14)


def test_metrics():
    ideal = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = ideal + np.array([[0.1, 0.0], [0.0, -0.1]])
    re = relative_error(actual, ideal)
    assert re == pytest.approx(np.sqrt(0.02) / np.sqrt(30.0))
    assert snr_db(actual, ideal) == pytest.approx(-20 * np.log10(re))
    ce = column_error(actual, ideal)
    assert ce.shape == (2,) and ce[0] == pytest.approx(np.sqrt(0.005) / np.sqrt(7.5))
    assert snr_db(ideal, ideal) == math.inf
    with pytest.raises(ShapeError):
        relative_error(actual, ideal[:1])


def test_bad_input():
    with pytest.raises(ParameterError, match="x"):
        AnalogMatrix(W).matvec(X * 2)
    with pytest.raises(ShapeError):
        AnalogMatrix(W).matvec(X[:5])
    with pytest.raises(ParameterError, match="mapping"):
        AnalogMatrix(W, mapping="twos-complement")
    with pytest.raises(ParameterError, match="g_min"):
        AnalogMatrix(W, g_min=1e-4, g_max=1e-6)
    with pytest.raises(ParameterError, match="weights"):
        AnalogMatrix(np.array([[np.nan]]))
    with pytest.raises(ParameterError, match="bit-serial"):
        AnalogMatrix(W, input_mode="bit-serial")
    with pytest.raises(ParameterError, match="levels"):
        FiniteLevels(1)
    with pytest.raises(ParameterError, match="sigma"):
        ReadNoise(-0.1)


def test_public_read_chain_closed_form_readout_and_reprogramming():
    # continuous differential mapping: y_o = (i_2o - i_2o+1) * w_max / (g_max - g_min) / (v_read / x_max)
    am = AnalogMatrix(W, r_row=1.0, r_col=1.0, r_driver=1.0, r_sense=1.0, adc_bits=10)
    (V, wgt), = am.input_voltages(X)
    assert wgt == 1.0 and np.array_equal(V, X * am.v_read / am.x_max)          # DAC: v = x v_read / x_max
    R = am.readout_matrix
    conv = am.w_max / (am.g_max - am.g_min) / am.v_read
    ref = np.zeros((7, 14))
    ref[np.arange(7), 2 * np.arange(7)] = conv
    ref[np.arange(7), 2 * np.arange(7) + 1] = -conv
    assert np.allclose(R, ref, rtol=1e-14, atol=0)
    i = am.crossbar.solve(V).i_out
    st = {}
    y = am.read_out(i, st)
    assert np.array_equal(y, am.matvec(X))            # the public steps are the read matvec runs
    n = 2 ** 9 - 1                                    # ADC: at most half a step (adc_range / n) per output
    assert np.max(np.abs(y - R @ i)) <= 0.5 * am.adc_range / n * conv * (1 + 1e-12)
    assert st == {"adc_saturated": 0}
    G0 = am.G_programmed.copy()
    G = np.full_like(G0, 0.5 * (am.g_min + am.g_max))
    b = am.reprogrammed(G)
    assert np.array_equal(b.G_programmed, G) and np.array_equal(b.crossbar.G, G)
    assert np.array_equal(am.G_programmed, G0) and np.array_equal(am.crossbar.G, G0)     # the original is unchanged
    with pytest.raises(ShapeError, match="i_out"):
        am.read_out(np.ones((3, 2)))
    with pytest.raises(ShapeError, match="'G'"):
        am.reprogrammed(np.ones((2, 2)))
    with pytest.raises(ShapeError, match="'x'"):
        am.input_voltages(np.ones(3))
    from memlab.errors import ParameterError as PE
    with pytest.raises(PE, match="i_out"):
        am.read_out(np.full((14, 2), np.nan))
    with pytest.raises(PE, match=r"'G\[0,0\]'"):
        am.reprogrammed(np.full(am.G_programmed.shape, -1.0))
