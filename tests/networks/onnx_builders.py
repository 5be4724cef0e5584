"""Hand-built ONNX graphs (onnx.helper, numpy initialisers) for the networks tests."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def init(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def model(nodes, inits, in_shape, out_shape, name="g"):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + list(in_shape))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"] + list(out_shape))
    g = helper.make_graph(nodes, name, [x], [y], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def mlp(rng, sizes=(20, 16, 7)):
    """Gemm -> Relu -> MatMul + Add -> Sigmoid -> Gemm(transB) -> Tanh."""
    a, b, c = sizes
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h1"], name="fc1"),
             helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
             helper.make_node("MatMul", ["r1", "W2"], ["m2"], name="fc2"),
             helper.make_node("Add", ["m2", "b2"], ["h2"], name="bias2"),
             helper.make_node("Sigmoid", ["h2"], ["s2"], name="sig2"),
             helper.make_node("Dropout", ["s2"], ["d2"], name="drop"),
             helper.make_node("Gemm", ["d2", "W3", "b3"], ["h3"], name="fc3", transB=1, alpha=0.7, beta=1.3),
             helper.make_node("Tanh", ["h3"], ["y"], name="tanh")]
    inits = [init("W1", rng.normal(0, 0.4, (a, b))), init("b1", rng.normal(0, 0.1, b)),
             init("W2", rng.normal(0, 0.4, (b, b))), init("b2", rng.normal(0, 0.1, b)),
             init("W3", rng.normal(0, 0.4, (c, b))), init("b3", rng.normal(0, 0.1, c))]
    return model(nodes, inits, (a,), (c,), "mlp")


def cnn(rng):
    """Conv(pad 1) -> BN -> LeakyRelu -> MaxPool -> Conv(stride 2, asymmetric pads, groups 2)
    -> Clip -> AveragePool(pad) -> Conv(dilation 2) -> Relu -> Flatten -> Gemm."""
    nodes = [helper.make_node("Conv", ["x", "c1w", "c1b"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3]),
             helper.make_node("BatchNormalization", ["c1", "bs", "bb", "bm", "bv"], ["n1"], name="bn1", epsilon=1e-3),
             helper.make_node("LeakyRelu", ["n1"], ["a1"], name="lrelu", alpha=0.1),
             helper.make_node("MaxPool", ["a1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Conv", ["p1", "c2w", "c2b"], ["c2"], name="conv2", pads=[0, 1, 1, 0],
                              strides=[2, 2], group=2, kernel_shape=[3, 3]),
             helper.make_node("Clip", ["c2", "lo", "hi"], ["a2"], name="clip"),
             helper.make_node("AveragePool", ["a2"], ["p2"], name="pool2", kernel_shape=[2, 2], pads=[1, 1, 0, 0],
                              strides=[1, 1]),
             helper.make_node("Conv", ["p2", "c3w"], ["c3"], name="conv3", dilations=[2, 2], pads=[2, 2, 2, 2],
                              kernel_shape=[2, 2]),
             helper.make_node("Relu", ["c3"], ["a3"], name="relu3"),
             helper.make_node("Flatten", ["a3"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1)]
    c = 6
    inits = [init("c1w", rng.normal(0, 0.3, (c, 2, 3, 3))), init("c1b", rng.normal(0, 0.1, c)),
             init("bs", rng.uniform(0.5, 1.5, c)), init("bb", rng.normal(0, 0.1, c)),
             init("bm", rng.normal(0, 0.1, c)), init("bv", rng.uniform(0.5, 1.5, c)),
             init("c2w", rng.normal(0, 0.3, (4, c // 2, 3, 3))), init("c2b", rng.normal(0, 0.1, 4)),
             init("lo", np.array(-0.5)), init("hi", np.array(1.0)),
             init("c3w", rng.normal(0, 0.3, (5, 4, 2, 2)))]
    # input 2x12x12 -> conv1 6x12x12 -> pool 6x6x6 -> conv2 (pads 0,1,1,0, stride 2) 4x3x3
    # -> avgpool(pads 1,1,0,0) 4x3x3 -> conv3 (dilation 2, pads 2) 5x5x5 -> 125
    inits += [init("fw", rng.normal(0, 0.2, (3, 125))), init("fb", rng.normal(0, 0.1, 3))]
    return model(nodes, inits, (2, 12, 12), (3,), "cnn")


def residual(rng):
    """Conv -> BN -> Relu -> Conv -> Add(skip) -> Relu -> GlobalAveragePool -> Reshape -> MatMul."""
    c = 4
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
             helper.make_node("BatchNormalization", ["c1", "s", "b", "m", "v"], ["n1"], name="bn1"),
             helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3]),
             helper.make_node("Add", ["c2", "x"], ["s2"], name="skip"),
             helper.make_node("Relu", ["s2"], ["r2"], name="relu2"),
             helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
             helper.make_node("Reshape", ["g", "shape"], ["f"], name="reshape"),
             helper.make_node("MatMul", ["f", "wf"], ["y"], name="fc")]
    inits = [init("w1", rng.normal(0, 0.3, (c, c, 3, 3))), init("s", rng.uniform(0.5, 1.5, c)),
             init("b", rng.normal(0, 0.1, c)), init("m", rng.normal(0, 0.1, c)), init("v", rng.uniform(0.5, 1.5, c)),
             init("w2", rng.normal(0, 0.3, (c, c, 3, 3))), init("b2", rng.normal(0, 0.1, c)),
             numpy_helper.from_array(np.array([-1, c], dtype=np.int64), "shape"),
             init("wf", rng.normal(0, 0.5, (c, 3)))]
    return model(nodes, inits, (c, 6, 6), (3,), "residual")


def run_ort(m, x):
    import onnxruntime as ort
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": np.asarray(x, dtype=np.float32)})[0].astype(np.float64)


def train_mlp(x, y, hidden=32, epochs=400, lr=0.3, seed=0):
    """Full-batch softmax-regression MLP (numpy, momentum SGD): returns W1 (in, h), b1, W2 (h, c), b2."""
    rng = np.random.default_rng(seed)
    n_in, n_cls = x.shape[1], int(y.max()) + 1
    params = [rng.normal(0, 1 / np.sqrt(n_in), (n_in, hidden)), np.zeros(hidden),
              rng.normal(0, 1 / np.sqrt(hidden), (hidden, n_cls)), np.zeros(n_cls)]
    vel = [np.zeros_like(p) for p in params]
    onehot = np.eye(n_cls)[y]
    for _ in range(epochs):
        W1, b1, W2, b2 = params
        h = np.maximum(x @ W1 + b1, 0)
        z = h @ W2 + b2
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dz = (p - onehot) / x.shape[0]
        dh = (dz @ W2.T) * (h > 0)
        grads = [x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]
        for k in range(4):
            vel[k] = 0.9 * vel[k] - lr * grads[k]
            params[k] = params[k] + vel[k]
    return [p.astype(np.float32) for p in params]


def mlp_from_weights(W1, b1, W2, b2):
    """Gemm -> Relu -> Gemm ONNX graph of trained weights (x @ W + b convention)."""
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], name="fc1"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], name="fc2")]
    inits = [init("W1", W1), init("b1", b1), init("W2", W2), init("b2", b2)]
    return model(nodes, inits, (W1.shape[0],), (W2.shape[1],), "digits_mlp")
