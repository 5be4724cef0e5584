"""A zoo of common networks, built layer by layer (only layers that do MACs are listed:
pooling, normalisation, activations and residual adds are not counted).

Published counts used by the tests (see ``tests/accel/test_accel_workload.py``):
torchvision-model MACs and parameters from the pytorch-OpCounter (thop) benchmark table
(Lyken17/pytorch-OpCounter, ``benchmark/README.md``): ResNet-18 1819.066 M MACs /
11.69 M params, ResNet-50 4111.515 M / 25.557 M, VGG-16 15483.862 M / 138.36 M; LeNet-5 per-
layer parameters and connections from LeCun et al., Proc. IEEE 86(11) 1998 §II-B (C1 156
params / 122,304 connections, C5 48,120, F6 10,164); BERT-base 110 M parameters (Devlin
et al., NAACL 2019, §3).
"""
from __future__ import annotations

from typing import Callable

from memlab.errors import ConfigError

from ._workload import Attention, Conv2d, Linear, Recurrent, Spiking, Workload

__all__ = ["ZOO", "get_workload", "zoo_names", "mlp_mnist", "lenet5", "resnet18", "resnet50", "resnet101",
           "mobilenet_v1", "vgg16", "bert_base_layer", "bert_large", "bert_large_squad", "lstm_ptb", "snn_mnist",
           "kws_blouw19",
           "tpu_v1_workloads", "TPU_V1_TABLE1"]


def _conv(name, c, k, hw, r, s=1, p=None, bits=8):
    p = r // 2 if p is None else p
    return Conv2d(name, in_channels=c, out_channels=k, in_h=hw, in_w=hw, kernel_h=r, kernel_w=r,
                  stride=s, padding=p, w_bits=bits, a_bits=bits)


def mlp_mnist(batch: int = 1, bits: int = 8) -> Workload:
    """784-300-100-10 MLP for MNIST (LeCun et al. 1998, the '300-100' net: 266,200 weights)."""
    dims = [784, 300, 100, 10]
    layers = [Linear(f"fc{i + 1}", in_features=a, out_features=b, w_bits=bits, a_bits=bits)
              for i, (a, b) in enumerate(zip(dims[:-1], dims[1:]))]
    return Workload("mlp_mnist", layers, batch, "784-300-100-10 MLP", "LeCun et al., Proc. IEEE 1998")


def lenet5(batch: int = 1, bits: int = 8) -> Workload:
    """LeNet-5 on 32x32 inputs. C3 is modelled fully connected (6->16 maps); the paper's
    C3 uses a partial connection table (1,516 params instead of 2,416)."""
    layers = [_conv("C1", 1, 6, 32, 5, p=0, bits=bits),
              _conv("C3", 6, 16, 14, 5, p=0, bits=bits),
              _conv("C5", 16, 120, 5, 5, p=0, bits=bits),
              Linear("F6", in_features=120, out_features=84, w_bits=bits, a_bits=bits),
              Linear("OUT", in_features=84, out_features=10, w_bits=bits, a_bits=bits)]
    return Workload("lenet5", layers, batch, "LeNet-5 (C3 dense)", "LeCun et al., Proc. IEEE 1998")


def resnet18(batch: int = 1, bits: int = 8) -> Workload:
    """torchvision ResNet-18, 224x224 input."""
    L = [_conv("conv1", 3, 64, 224, 7, 2, 3, bits)]
    hw, c = 56, 64
    for stage, width in enumerate([64, 128, 256, 512], start=1):
        for blk in range(2):
            s = 2 if (blk == 0 and stage > 1) else 1
            pre = f"layer{stage}.{blk}"
            L.append(_conv(f"{pre}.conv1", c, width, hw, 3, s, 1, bits))
            hw_out = (hw + 2 - 3) // s + 1
            L.append(_conv(f"{pre}.conv2", width, width, hw_out, 3, 1, 1, bits))
            if s != 1 or c != width:
                L.append(_conv(f"{pre}.downsample", c, width, hw, 1, s, 0, bits))
            c, hw = width, hw_out
    L.append(Linear("fc", in_features=512, out_features=1000, w_bits=bits, a_bits=bits))
    return Workload("resnet18", L, batch, "ResNet-18 224x224", "He et al., CVPR 2016; torchvision")


def _resnet_bottleneck(name: str, blocks, batch: int, bits: int, desc: str) -> Workload:
    """torchvision bottleneck ResNet (v1.5: stride on the 3x3 conv), 224x224 input."""
    L = [_conv("conv1", 3, 64, 224, 7, 2, 3, bits)]
    hw, c = 56, 64
    for stage, (width, nblk) in enumerate(zip([64, 128, 256, 512], blocks), start=1):
        for blk in range(nblk):
            s = 2 if (blk == 0 and stage > 1) else 1
            pre = f"layer{stage}.{blk}"
            L.append(_conv(f"{pre}.conv1", c, width, hw, 1, 1, 0, bits))
            L.append(_conv(f"{pre}.conv2", width, width, hw, 3, s, 1, bits))
            hw_out = (hw + 2 - 3) // s + 1
            L.append(_conv(f"{pre}.conv3", width, 4 * width, hw_out, 1, 1, 0, bits))
            if blk == 0:
                L.append(_conv(f"{pre}.downsample", c, 4 * width, hw, 1, s, 0, bits))
            c, hw = 4 * width, hw_out
    L.append(Linear("fc", in_features=2048, out_features=1000, w_bits=bits, a_bits=bits))
    return Workload(name, L, batch, desc, "He et al., CVPR 2016; torchvision")


def resnet50(batch: int = 1, bits: int = 8) -> Workload:
    """torchvision ResNet-50 (v1.5: stride on the 3x3 conv), 224x224 input."""
    return _resnet_bottleneck("resnet50", [3, 4, 6, 3], batch, bits, "ResNet-50 v1.5 224x224")


def resnet101(batch: int = 1, bits: int = 8) -> Workload:
    """torchvision ResNet-101 (v1.5), 224x224 input (thop table: 7833.9 M MACs, 44.55 M params)."""
    return _resnet_bottleneck("resnet101", [3, 4, 23, 3], batch, bits, "ResNet-101 v1.5 224x224")


def mobilenet_v1(batch: int = 1, bits: int = 8) -> Workload:
    """MobileNet v1, width 1.0, 224x224 (Howard et al., arXiv:1704.04861, Table 8: 569 M
    mult-adds, 4.2 M parameters): depthwise 3x3 (groups = channels) + pointwise 1x1 pairs."""
    L = [_conv("conv1", 3, 32, 224, 3, 2, 1, bits)]
    hw, c = 112, 32
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for i, (k, s) in enumerate(plan, start=1):
        L.append(Conv2d(f"dw{i}", in_channels=c, out_channels=c, in_h=hw, in_w=hw, kernel_h=3, kernel_w=3,
                        stride=s, padding=1, groups=c, w_bits=bits, a_bits=bits))
        hw = (hw + 2 - 3) // s + 1
        L.append(_conv(f"pw{i}", c, k, hw, 1, 1, 0, bits))
        c = k
    L.append(Linear("fc", in_features=1024, out_features=1000, w_bits=bits, a_bits=bits))
    return Workload("mobilenet_v1", L, batch, "MobileNet v1 1.0 224x224", "Howard et al., arXiv:1704.04861")


def vgg16(batch: int = 1, bits: int = 8) -> Workload:
    """VGG-16 (configuration D), 224x224 input."""
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    L, c, hw, i = [], 3, 224, 0
    for v in cfg:
        if v == "M":
            hw //= 2
            continue
        i += 1
        L.append(_conv(f"conv{i}", c, v, hw, 3, 1, 1, bits))
        c = v
    for j, (a, b) in enumerate([(512 * 7 * 7, 4096), (4096, 4096), (4096, 1000)], start=1):
        L.append(Linear(f"fc{j}", in_features=a, out_features=b, w_bits=bits, a_bits=bits))
    return Workload("vgg16", L, batch, "VGG-16 224x224", "Simonyan & Zisserman, ICLR 2015")


def bert_base_layer(batch: int = 1, seq_len: int = 128, bits: int = 8) -> Workload:
    """One BERT-base encoder layer (d_model 768, 12 heads, FFN 3072) at sequence ``seq_len``."""
    d, ff, h = 768, 3072, 12
    kw = dict(tokens=seq_len, w_bits=bits, a_bits=bits)
    L = [Linear("q_proj", in_features=d, out_features=d, **kw),
         Linear("k_proj", in_features=d, out_features=d, **kw),
         Linear("v_proj", in_features=d, out_features=d, **kw),
         Attention("attention", seq_len=seq_len, d_model=d, heads=h, w_bits=bits, a_bits=bits),
         Linear("out_proj", in_features=d, out_features=d, **kw),
         Linear("ffn1", in_features=d, out_features=ff, **kw),
         Linear("ffn2", in_features=ff, out_features=d, **kw)]
    return Workload("bert_base_layer", L, batch, f"BERT-base encoder layer, sequence {seq_len}",
                    "Devlin et al., NAACL 2019")


def bert_large(batch: int = 1, seq_len: int = 384, bits: int = 8) -> Workload:
    """BERT-large (24 encoder layers, d_model 1024, 16 heads, FFN 4096; Devlin et al., NAACL
    2019) at sequence ``seq_len`` (MLPerf's SQuAD task pads to 384); embeddings and the
    span head do no large GEMMs and are left out."""
    d, ff, h = 1024, 4096, 16
    kw = dict(tokens=seq_len, w_bits=bits, a_bits=bits)
    L = []
    for i in range(24):
        L += [Linear(f"l{i}.qkv_proj", in_features=d, out_features=3 * d, **kw),
              Attention(f"l{i}.attention", seq_len=seq_len, d_model=d, heads=h, w_bits=bits, a_bits=bits),
              Linear(f"l{i}.out_proj", in_features=d, out_features=d, **kw),
              Linear(f"l{i}.ffn1", in_features=d, out_features=ff, **kw),
              Linear(f"l{i}.ffn2", in_features=ff, out_features=d, **kw)]
    return Workload("bert_large", L, batch, f"BERT-large, sequence {seq_len}", "Devlin et al., NAACL 2019")


def bert_large_squad(batch: int = 1, bits: int = 8) -> Workload:
    """BERT-large at SQuAD v1.1's mean unpadded length, 177 tokens: padding is 54% of the tokens
    at sequence 384 (openreview.net/forum?id=3nzKUh9a4M), 0.46 x 384 = 177; for harnesses that
    sort and run sequences unpadded (MLPerf's CPU and GPU BERT submissions)."""
    wl = bert_large(batch, 177, bits)
    return Workload("bert_large_squad", wl.layers, batch, wl.description + " (SQuAD mean length)", wl.source)


def lstm_ptb(batch: int = 1, bits: int = 8) -> Workload:
    """2-layer LSTM language model, 650 units, 35 steps, 10k vocabulary ('medium' model of
    Zaremba et al. 2014); the embedding lookup does no MACs."""
    L = [Recurrent("lstm1", input_size=650, hidden_size=650, seq_len=35, w_bits=bits, a_bits=bits),
         Recurrent("lstm2", input_size=650, hidden_size=650, seq_len=35, w_bits=bits, a_bits=bits),
         Linear("softmax", in_features=650, out_features=10000, tokens=35, w_bits=bits, a_bits=bits)]
    return Workload("lstm_ptb", L, batch, "2x650 LSTM LM, 35 steps", "Zaremba et al., arXiv:1409.2329")


def snn_mnist(batch: int = 1, timesteps: int = 32, rate: float = 0.05) -> Workload:
    """A 784-500-10 spiking MLP (rate-coded MNIST), ``timesteps`` steps at ``rate``."""
    L = [Spiking("s1", n_in=784, n_out=500, timesteps=timesteps, rate=rate),
         Spiking("s2", n_in=500, n_out=10, timesteps=timesteps, rate=rate)]
    return Workload("snn_mnist", L, batch, "784-500-10 spiking MLP", "memlab example")


def kws_blouw19(batch: int = 1) -> Workload:
    """Blouw et al.'s keyword spotter (NICE 2019, arXiv:1812.01739): 390 inputs (stacked
    audio feature frames), two 256-unit ReLU layers, 29 character outputs (a-z, apostrophe,
    space, CTC blank), as in abr/power_benchmarks ``models.py`` / ``run_benchmark.py``
    (``n_inputs=390``, ``n_per_layer=256``, ``string.ascii_lowercase + "' -"``)."""
    L = [Linear("fc1", in_features=390, out_features=256), Linear("fc2", in_features=256, out_features=256),
         Linear("out", in_features=256, out_features=29)]
    return Workload("kws_blouw19", L, batch, "390-256-256-29 keyword spotter", "Blouw et al., NICE 2019")


# Jouppi et al., ISCA 2017, Table 1 (via transcription, docs/notes/hardware.md §2):
# name -> (batch, ops per weight byte, weights (M), layer counts as published)
TPU_V1_TABLE1 = {
    "MLP0": (200, 200, 20), "MLP1": (168, 168, 5), "LSTM0": (64, 64, 52),
    "LSTM1": (96, 96, 34), "CNN0": (8, 2888, 8), "CNN1": (32, 1750, 100),
}


def tpu_v1_workloads() -> dict[str, Workload]:
    """Synthetic stand-ins for the six TPU v1 production apps (Jouppi'17 Table 1).

    The paper gives batch, weight count and MACs per weight byte but not layer shapes.
    The stand-ins have the published batch and weight count (within 1%); their MACs per
    weight byte follow from their shapes (conv reuse = output pixels x batch, FC and LSTM
    reuse = batch), chosen so that it lands near the published value.
    """
    w = {}
    w["MLP0"] = Workload("MLP0", [Linear(f"fc{i}", in_features=2000, out_features=2000) for i in range(5)], 200,
                         "5 FC 2000x2000", "stand-in for Jouppi'17 Table 1 MLP0")
    w["MLP1"] = Workload("MLP1", [Linear(f"fc{i}", in_features=1118, out_features=1118) for i in range(4)], 168,
                         "4 FC 1118x1118", "stand-in for Jouppi'17 Table 1 MLP1")
    w["LSTM0"] = Workload("LSTM0", [Recurrent(f"lstm{i}", input_size=1275, hidden_size=1275, seq_len=16)
                                    for i in range(4)], 64, "4 LSTM 1275", "stand-in for Jouppi'17 Table 1 LSTM0")
    w["LSTM1"] = Workload("LSTM1", [Recurrent(f"lstm{i}", input_size=1458, hidden_size=1458, seq_len=16)
                                    for i in range(2)], 96, "2 LSTM 1458", "stand-in for Jouppi'17 Table 1 LSTM1")
    w["CNN0"] = Workload("CNN0", [_conv(f"conv{i}", 236, 236, 19, 3) for i in range(16)], 8,
                         "16 conv 3x3 236ch on 19x19", "stand-in for Jouppi'17 Table 1 CNN0")
    w["CNN1"] = Workload("CNN1", [_conv(f"conv{i}", 362, 362, 8, 3) for i in range(72)]
                         + [Linear(f"fc{i}", in_features=1923, out_features=1923) for i in range(4)], 32,
                         "72 conv 3x3 362ch on 8x8 + 4 FC 1923", "stand-in for Jouppi'17 Table 1 CNN1")
    return w


ZOO: dict[str, Callable[..., Workload]] = {
    "mlp_mnist": mlp_mnist, "lenet5": lenet5, "resnet18": resnet18, "resnet50": resnet50,
    "vgg16": vgg16, "bert_base_layer": bert_base_layer, "lstm_ptb": lstm_ptb,
    "resnet101": resnet101, "mobilenet_v1": mobilenet_v1, "snn_mnist": snn_mnist, "bert_large": bert_large,
    "bert_large_squad": bert_large_squad,
    "kws_blouw19": kws_blouw19,
}


def zoo_names() -> list[str]:
    return list(ZOO)


def get_workload(workload, batch: int | None = None) -> Workload:
    """A :class:`Workload` from a zoo name, a YAML/JSON path, or a Workload (returned as is,
    with ``batch`` applied when given)."""
    from ._workload import load_workload
    if isinstance(workload, Workload):
        wl = workload
    elif isinstance(workload, str) and workload in ZOO:
        wl = ZOO[workload]()
    elif isinstance(workload, str) and workload in tpu_v1_workloads():
        wl = tpu_v1_workloads()[workload]
    elif isinstance(workload, str) and (workload.endswith((".yaml", ".yml", ".json"))):
        wl = load_workload(workload)
    else:
        raise ConfigError(f"workload {workload!r} is neither a Workload, a zoo name {zoo_names()}, "
                          "a TPU v1 app name, nor a .yaml/.yml/.json file")
    if batch is not None:
        wl = wl.with_batch(batch)
    return wl
