"""``memlab map`` end to end: an ONNX MLP on the digits, tiles and accuracy printed; errors
are one line. The ideal accuracy is checked against onnxruntime on the same file."""
import numpy as np
import onnxruntime as ort
import pytest

from memlab.cli import main
from memlab.networks import digits, from_arrays, to_onnx


@pytest.fixture(scope="module")
def mlp_onnx(tmp_path_factory):
    # a least-squares linear classifier of the digits with a 32-unit random ReLU layer in front:
    # trained in closed form here (no training library), accurate enough to be meaningful
    ds = digits()
    x, y = ds.x / 16.0, ds.y
    rng = np.random.default_rng(0)
    W1 = rng.normal(0, 0.3, (32, 64))
    h = np.maximum(x @ W1.T, 0)
    W2 = np.linalg.lstsq(np.c_[h, np.ones(len(h))], np.eye(10)[y], rcond=None)[0].T
    net = from_arrays([W1, W2[:, :-1]], [np.zeros(32), W2[:, -1]])
    path = tmp_path_factory.mktemp("onnx") / "mlp.onnx"
    to_onnx(net, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})[0]
    return path, float(np.mean(np.argmax(out, axis=1) == y))


def test_map_prints_tiles_and_accuracy(mlp_onnx, tmp_path, capsys):
    path, ort_accuracy = mlp_onnx
    code = main(["map", str(path), "--tile", "32x32", "--out", str(tmp_path / "map.md")])
    out, err = capsys.readouterr()
    assert code == 0, err
    # 64x32 (+bias row) on 32x32 tiles, differential pairs: the layer table and the tile table
    assert "tiles of 32x32" in out and "ADC conversions per inference" in out
    acc_line = next(ln for ln in out.splitlines() if ln.startswith("accuracy:"))
    ideal = float(acc_line.split("ideal")[1].strip(" )"))
    assert ideal == pytest.approx(ort_accuracy, abs=1 / 1797)   # one image of float32 rounding
    assert (tmp_path / "map.md").read_text().startswith("## ")


@pytest.mark.parametrize("args,needle", [
    (["--tile", "0x4"], "tile"),
    (["--tile", "abc"], "tile"),
    (["--data", "mnist:/nonexistent"], "nonexistent"),
    (["--r-wire", "-1"], "--r-wire"),
])
def test_map_bad_arguments_are_one_line(mlp_onnx, args, needle, capsys):
    path, _ = mlp_onnx
    code = main(["map", str(path)] + args)
    _, err = capsys.readouterr()
    assert code != 0 and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_map_unsupported_operator_names_the_node(tmp_path, capsys):
    import onnx
    from onnx import TensorProto, helper
    node = helper.make_node("Softsign", ["x"], ["y"], name="odd_node")
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    p = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(g), str(p))
    code = main(["map", str(p)])
    _, err = capsys.readouterr()
    assert code == 1 and "odd_node" in err and "Softsign" in err


def test_accuracy_study_of_an_onnx_model(mlp_onnx, tmp_path, capsys):
    path, _ = mlp_onnx
    n = 300
    ds = digits()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: (ds.x[:n] / 16.0).astype(np.float32)})[0]
    ort_acc = float(np.mean(np.argmax(out, axis=1) == ds.y[:n]))
    code = main(["accuracy", "--model", str(path), "--vary", "adc_bits", "--values", "2,8", "--repeats", "1",
                 "--set", f"samples={n}", "--set", "size=32", "--no-progress", "--out", str(tmp_path)])
    text, err = capsys.readouterr()
    assert code == 0, err
    assert f"ideal network accuracy: {100 * ort_acc:.2f} %" in text      # the same file, onnxruntime
    rows = [ln for ln in text.splitlines() if ln.startswith("| 2 ") or ln.startswith("| 8 ")]
    acc = {int(r.split("|")[1]): float(r.split("|")[2]) for r in rows}
    assert acc[8] > acc[2]                 # more ADC bits cannot lose accuracy by this much
    assert (tmp_path / "onnx_adc_bits.png").exists()


def test_accuracy_model_and_study_must_agree(mlp_onnx, capsys):
    path, _ = mlp_onnx
    assert main(["accuracy", "--study", "onnx"]) == 2
    assert main(["accuracy", "--study", "dnn", "--model", str(path)]) == 2
    assert "go together" in capsys.readouterr().err
