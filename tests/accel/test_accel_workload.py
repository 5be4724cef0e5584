"""Workload shapes -> MACs / weights, checked against published counts."""
import json

import numpy as np
import pytest

from memlab import accel
from memlab.errors import ConfigError, DataFormatError, ParameterError

# pytorch-OpCounter (thop) benchmark table, Lyken17/pytorch-OpCounter benchmark/README.md
# (torchvision models, 224x224): MACs (M) and parameters (M). thop also counts BN/ReLU/pool
# ops and BN/bias parameters, which our MAC-layer count leaves out; those extras are < 1%
# of the totals for these networks, hence the 1% tolerance.
THOP = {"resnet18": (1819.066, 11.689), "resnet50": (4111.515, 25.557), "vgg16": (15483.862, 138.357)}


@pytest.mark.parametrize("name", sorted(THOP))
def test_zoo_macs_and_params_match_thop_table(name):
    wl = accel.get_workload(name)
    macs_m, params_m = THOP[name]
    assert wl.macs / 1e6 == pytest.approx(macs_m, rel=0.01)
    assert wl.weights / 1e6 == pytest.approx(params_m, rel=0.01)


@pytest.mark.parametrize("name,mb", [("resnet18", 46.758), ("resnet50", 102.228)])
def test_fp32_weight_bytes_match_published_model_size(name, mb):
    # d-kicinski/nn-benchmark README: torchvision model size on disk (MB, fp32) ResNet18
    # 46.758, ResNet50 102.228; files also hold BN parameters and buffers (< 1%)
    fp32_bytes = accel.ZOO[name](bits=32).weight_bytes
    assert fp32_bytes / 1e6 == pytest.approx(mb, rel=0.01)


def test_resnet101_matches_torchvision_weights_table():
    # torchvision ResNet101_Weights.IMAGENET1K_V1: 7.801 "GFLOPS" (torchvision counts MACs)
    # and 44.5 M parameters (as restated on huggingface.co/lucid-dl/resnet-101); BN and
    # bias parameters are not in our count (< 0.3%), the published 44.5 is rounded: 1%
    wl = accel.get_workload("resnet101")
    assert wl.macs / 1e9 == pytest.approx(7.801, rel=0.01)
    assert wl.weights / 1e6 == pytest.approx(44.5, rel=0.01)


def test_mobilenet_v1_matches_howard17():
    # Howard et al., arXiv:1704.04861, Table 8: 1.0 MobileNet-224 has 569 M mult-adds and
    # 4.2 M parameters (both rounded to the digits shown, ~0.1% and ~1.2% -> 1.5% tolerance)
    wl = accel.get_workload("mobilenet_v1")
    assert wl.macs / 1e6 == pytest.approx(569, rel=0.015)
    assert wl.weights / 1e6 == pytest.approx(4.2, rel=0.015)


def test_resnet50_about_4p1_gmacs_per_image():
    # the anchor: ResNet-50 about 4.1 G MACs per 224x224 image (thop 4.11 G)
    assert accel.get_workload("resnet50").macs == pytest.approx(4.1e9, rel=0.01)


def test_lenet5_layers_match_lecun98():
    # LeCun et al. 1998 §II-B: C1 156 trainable parameters and 122,304 connections,
    # C5 48,120 parameters, F6 10,164 parameters (weights + one bias per map/unit).
    # Exact integers: tolerance 0.
    L = {l.name: l for l in accel.get_workload("lenet5").layers}
    c1 = L["C1"]
    assert c1.weights + c1.out_channels == 156
    assert c1.macs + c1.outputs == 122_304          # connections include the bias input
    assert L["C5"].weights + L["C5"].out_channels == 48_120
    assert L["F6"].weights + L["F6"].out_features == 10_164


def test_mlp_mnist_weights_lecun98():
    # LeCun 1998: the 300-100 two-hidden-layer net has 266,200 weights (784*300+300*100+100*10)
    wl = accel.get_workload("mlp_mnist")
    assert wl.weights == 266_200
    assert wl.macs == 266_200        # one MAC per weight for batch 1


def test_bert_base_parameter_count():
    # Devlin et al. 2019: BERT-base has 110 M parameters. 12 encoder layers (our layer,
    # weights only) + token/position/segment embeddings (30522+512+2)*768 + biases/LayerNorm
    # (about 0.1 M); the paper rounds to 110 M -> 1.5% tolerance.
    layer = accel.get_workload("bert_base_layer")
    total = 12 * layer.weights + (30522 + 512 + 2) * 768
    assert total / 1e6 == pytest.approx(110, rel=0.015)


def test_conv_macs_equal_brute_force_count():
    # independent count: build the im2col index set explicitly for a small strided,
    # padded, grouped conv and count multiply-accumulates one by one
    c = accel.Conv2d("c", in_channels=4, out_channels=6, in_h=7, in_w=5, kernel_h=3, kernel_w=2,
                     stride=2, padding=1, groups=2)
    count = 0
    for _k in range(6):
        for p in range(-1, 7 + 1 - 3 + 1, 2):
            for q in range(-1, 5 + 1 - 2 + 1, 2):
                count += (4 // 2) * 3 * 2
    assert c.out_h == len(range(-1, 7 + 1 - 3 + 1, 2))
    assert c.macs == count


def test_gemm_and_attention_counts():
    a = accel.Attention("a", seq_len=128, d_model=768, heads=12)
    assert a.macs == 2 * 128 * 128 * 768
    assert a.weights == 0
    r = accel.Recurrent("r", input_size=10, hidden_size=20, seq_len=7, cell="lstm")
    assert r.macs == 7 * 4 * 20 * 30 and r.weights == 4 * 20 * 30


def test_batch_scales_macs_not_weights():
    wl = accel.get_workload("resnet18")
    wl8 = wl.with_batch(8)
    assert wl8.macs == 8 * wl.macs and wl8.weights == wl.weights
    assert wl8.intensity > wl.intensity


def test_load_yaml_and_json(tmp_path):
    spec = {"name": "tiny", "batch": 2, "layers": [
        {"kind": "conv", "name": "c1", "in_channels": 3, "out_channels": 8, "in_h": 8, "in_w": 8,
         "kernel_h": 3, "kernel_w": 3, "padding": 1},
        {"kind": "fc", "name": "f1", "in_features": 512, "out_features": 10}]}
    pj = tmp_path / "w.json"
    pj.write_text(json.dumps(spec))
    import yaml
    py = tmp_path / "w.yaml"
    py.write_text(yaml.safe_dump(spec))
    for p in (pj, py):
        wl = accel.load_workload(p)
        assert wl.batch == 2 and len(wl.layers) == 2
        assert wl.macs == 2 * (8 * 3 * 9 * 64 + 512 * 10)
    assert accel.get_workload(str(py)).name == "tiny"


def test_unknown_layer_kind_names_field(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\nlayers:\n  - {kind: pooling, name: p1}\n")
    with pytest.raises(ConfigError, match=r"layers\[0\].*'kind' = 'pooling'"):
        accel.load_workload(p)


def test_unknown_field_and_bad_value_in_file(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\nlayers:\n  - {kind: fc, name: f, in_features: 4, out_feature: 2}\n")
    with pytest.raises(ConfigError, match="out_feature"):
        accel.load_workload(p)
    p.write_text("name: bad\nlayers:\n  - {kind: fc, name: f, in_features: -4, out_features: 2}\n")
    with pytest.raises(ConfigError, match="in_features"):
        accel.load_workload(p)
    p.write_text("name: [unclosed\n")
    with pytest.raises(DataFormatError, match="bad.yaml"):
        accel.load_workload(p)


@pytest.mark.parametrize("field", ["in_channels", "out_channels", "in_h", "kernel_w", "stride", "groups"])
@pytest.mark.parametrize("bad", [0, -3])
def test_nonpositive_conv_dimension_names_field(field, bad):
    kw = dict(in_channels=4, out_channels=4, in_h=8, in_w=8, kernel_h=3, kernel_w=3)
    kw[field] = bad
    with pytest.raises(ParameterError, match=f"'{field}' = {bad}"):
        accel.Conv2d("c", **kw)


def test_other_bad_layers():
    with pytest.raises(ParameterError, match="'hidden_size' = 0"):
        accel.Recurrent("r", input_size=3, hidden_size=0)
    with pytest.raises(ParameterError, match="'cell'"):
        accel.Recurrent("r", input_size=3, hidden_size=3, cell="tcn")
    with pytest.raises(ParameterError, match="'rate'"):
        accel.Spiking("s", n_in=3, n_out=3, rate=1.5)
    with pytest.raises(ParameterError, match="'heads'"):
        accel.Attention("a", seq_len=4, d_model=10, heads=3)
    with pytest.raises(ParameterError, match="'batch'"):
        accel.Workload("w", [accel.Linear("f", in_features=2, out_features=2)], batch=0)
    with pytest.raises(ParameterError, match="'w_bits'"):
        accel.Linear("f", in_features=2, out_features=2, w_bits=0)
    with pytest.raises(ConfigError, match="not-a-net"):
        accel.get_workload("not-a-net")


def test_bert_large_parameter_count():
    # Devlin et al. 2019: BERT-large has 340 M parameters. Encoder weights (our layers) +
    # token/position/segment embeddings (30522+512+2)*1024; biases, LayerNorm and the pooler
    # (~1.3 M) are not counted and the paper rounds: 2.5% tolerance
    wl = accel.get_workload("bert_large")
    total = wl.weights + (30522 + 512 + 2) * 1024
    assert total / 1e6 == pytest.approx(340, rel=0.025)
    assert wl.macs == pytest.approx(2 * wl.weights * 384 / 2 + 24 * 2 * 384 ** 2 * 1024, rel=1e-12)
