"""load_onnx against onnxruntime (the independent reference) and the ONNX error paths.

Tolerance: onnxruntime computes in float32 (eps 6e-8); through 3-4 layers of dot products of
length <= 125 its relative error stays below ~5e-7, so 1e-6 relative (of the largest output)
is the float32 limit, not a loose float64 one. Inputs and weights are float32-representable,
so memlab's float64 evaluation sees exactly the same numbers.
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

import onnx_builders as ob
from memlab.errors import DataFormatError, ShapeError, UnsupportedExpressionError
from memlab.networks import from_arrays, load_onnx, map_network

CASES = {"mlp": (ob.mlp, (20,)), "cnn": (ob.cnn, (2, 12, 12)), "residual": (ob.residual, (4, 6, 6))}


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_ideal_mapping_matches_onnxruntime(name):
    make, shape = CASES[name]
    rng = np.random.default_rng(1)
    m = make(rng)
    x = rng.normal(0, 1, (6,) + shape).astype(np.float32).astype(np.float64)
    ref = ob.run_ort(m, x)
    net = load_onnx(m)
    assert _rel(net.forward(x), ref) < 1e-6
    # ideal crossbars: zero wire resistance, no noise, no DAC/ADC, on small tiles
    mapped = map_network(net, tile=(16, 16), calibration=x)
    assert len(mapped.tiles) > len(mapped.matrices)   # really tiled
    assert _rel(mapped.infer(x), ref) < 1e-6


def test_file_path_and_batchnorm_folding(tmp_path):
    m = ob.residual(np.random.default_rng(2))
    p = tmp_path / "res.onnx"
    p.write_bytes(m.SerializeToString())
    net = load_onnx(p)
    assert net.name == "res"
    ops = [ly.op for ly in net.layers]
    assert "affine" not in ops and ops.count("conv") == 2      # BN folded into conv1
    assert net.input_shape == (4, 6, 6)


def test_unsupported_operator_names_node_and_op():
    m = ob.model([helper.make_node("Gemm", ["x", "W"], ["h"], name="fc"),
                  helper.make_node("Hardmax", ["h"], ["y"], name="weird_node")],
                 [ob.init("W", np.ones((3, 2)))], (3,), (2,))
    with pytest.raises(UnsupportedExpressionError, match=r"weird_node.*Hardmax"):
        load_onnx(m)


def test_dynamic_weight_is_unsupported():
    x2 = helper.make_node("MatMul", ["x", "x"], ["y"], name="selfmul")
    m = ob.model([x2], [], (3,), (3,))
    with pytest.raises(UnsupportedExpressionError, match="selfmul.*constant"):
        load_onnx(m)


def test_bad_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a protobuf at all \xff\xfe")
    with pytest.raises(DataFormatError, match="bad.onnx"):
        load_onnx(bad)
    with pytest.raises(DataFormatError, match="does not exist"):
        load_onnx(tmp_path / "missing.onnx")


def test_from_arrays_against_numpy():
    rng = np.random.default_rng(3)
    W1, b1, W2 = rng.normal(size=(5, 4)), rng.normal(size=5), rng.normal(size=(3, 5))
    net = from_arrays([W1, W2], [b1, None])
    x = rng.normal(size=(7, 4))
    np.testing.assert_allclose(net.forward(x), np.maximum(x @ W1.T + b1, 0) @ W2.T, rtol=1e-13)
    with pytest.raises(ShapeError, match=r"expects \(batch, 4\)"):
        net.forward(np.ones((7, 5)))
    with pytest.raises(ShapeError, match="weight 1 has 6 inputs"):
        from_arrays([W1, np.ones((2, 6))])


def test_to_onnx_runs_in_onnxruntime(tmp_path):
    """A numpy-built CNN written by to_onnx: onnxruntime's output equals the Network's (float32 limit)."""
    from memlab.networks import NetLayer, Network, to_onnx
    rng = np.random.default_rng(4)
    f32 = lambda a: np.asarray(a, np.float32).astype(np.float64)  # noqa: E731
    layers = [NetLayer("c1", "conv", ("input",), "c1", {"W": f32(rng.normal(size=(4, 1, 3, 3))),
                                                          "b": f32(rng.normal(size=4)),
                                                          "pads": (1, 0, 1, 2), "strides": (2, 1)}),
              NetLayer("a1", "activation", ("c1",), "a1", {"kind": "leaky_relu", "alpha": 0.25}),
              NetLayer("p1", "pool", ("a1",), "p1", {"kind": "avg", "kernel": (2, 2), "strides": (1, 1),
                                                  "pads": (0, 0, 1, 1)}),
              NetLayer("f", "flatten", ("p1",), "f"),
              NetLayer("d", "dense", ("f",), "d", {"W": f32(rng.normal(size=(3, 4 * 4 * 7))), "b": None}),
              NetLayer("a2", "activation", ("d",), "y", {"kind": "clip", "min": -1.0, "max": 2.0})]
    net = Network(layers, input_shape=(1, 7, 7), name="tiny")
    x = f32(rng.normal(size=(5, 1, 7, 7)))
    m = to_onnx(net, tmp_path / "tiny.onnx")
    import onnxruntime as ort
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {"input": x.astype(np.float32)})[0]
    assert _rel(net.forward(x), ref) < 1e-6
    back = load_onnx(tmp_path / "tiny.onnx")
    np.testing.assert_allclose(back.forward(x), net.forward(x), rtol=1e-12)


ELEMENTWISE = [("Elu", {"alpha": 0.5}), ("Selu", {}), ("Softplus", {}), ("HardSigmoid", {"alpha": 0.25, "beta": 0.5}),
               ("Abs", {}), ("Neg", {}), ("Exp", {}), ("Sigmoid", {}), ("Tanh", {}), ("Softmax", {"axis": 1})]


@pytest.mark.parametrize("op,attrs", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_activations_match_onnxruntime(op, attrs):
    rng = np.random.default_rng(5)
    m = ob.model([helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="fc"),
                  helper.make_node("Mul", ["h", "k"], ["hk"], name="scale"),
                  helper.make_node(op, ["hk"], ["y"], name="act", **attrs)],
                 [ob.init("W", rng.normal(size=(6, 4))), ob.init("b", rng.normal(size=4)),
                  ob.init("k", np.array([0.5]))], (6,), (4,))
    x = rng.normal(size=(5, 6)).astype(np.float32).astype(np.float64)
    net = load_onnx(m)
    assert [ly.op for ly in net.layers] == ["dense", "activation"]      # Mul folded into the Gemm
    assert _rel(net.forward(x), ob.run_ort(m, x)) < 1e-6


def test_from_torch_without_torch_says_so():
    import importlib.util
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed here")
    from memlab.networks import from_torch
    with pytest.raises(ImportError, match="PyTorch.*load_onnx"):
        from_torch(object(), None)


def test_unfoldable_batchnorm_and_constant_ops_stay_digital():
    """Conv output read twice: the BN cannot be folded and becomes a per-channel affine layer."""
    rng = np.random.default_rng(6)
    c = 3
    m = ob.model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"], name="bn"),
                  helper.make_node("Add", ["c", "n"], ["a"], name="sum"),
                  helper.make_node("Sub", ["a", "k"], ["d"], name="shift"),
                  helper.make_node("Div", ["d", "k2"], ["y"], name="scale")],
                 [ob.init("w", rng.normal(size=(c, 2, 3, 3))), ob.init("s", rng.uniform(0.5, 1.5, c)),
                  ob.init("b", rng.normal(size=c)), ob.init("m", rng.normal(size=c)),
                  ob.init("v", rng.uniform(0.5, 2, c)),
                  ob.init("k", rng.normal(size=(c, 1, 1))), ob.init("k2", np.array([2.0]))], (2, 5, 5), (c, 5, 5))
    net = load_onnx(m)
    assert [ly.op for ly in net.layers] == ["conv", "affine", "add", "affine", "affine"]
    x = rng.normal(size=(4, 2, 5, 5)).astype(np.float32).astype(np.float64)
    assert _rel(net.forward(x), ob.run_ort(m, x)) < 1e-6
    assert _rel(map_network(net, tile=(8, 8), calibration=x).infer(x), ob.run_ort(m, x)) < 1e-6
