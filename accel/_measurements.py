"""Published measurements the chip models are calibrated on or checked against.

Each :class:`ChipMeasurement` is one number read at its source (restated here in our own
words, with where it was read), tied to a preset, a zoo workload and a batch size.
``use`` says what the models do with it: ``"calibration"`` (a constant was fitted to it)
or ``"validation"`` (held out: the model predicts it and the error is reported). A
validation measurement is never used to fit anything.

Quantities: ``latency_s`` (mean time per query of ``batch`` samples, s),
``inferences_per_s`` (samples per second, 1/s), ``throughput_ops_per_s`` (operations,
2 per MAC, per second, op/s), ``dynamic_energy_per_inference_J`` (energy above idle per
sample, J) or ``average_power_W`` (mean power over the run, W).

Sources
-------
MLPERF30
    MLCommons, MLPerf Inference v3.0 results, closed division, NVIDIA submission
    (github.com/mlcommons/inference_results_v3.0, ``closed/NVIDIA/results/<system>/resnet50/
    <scenario>/performance/run_1/mlperf_log_summary.txt``). TensorRT, INT8, ResNet-50 v1.5.
    Offline runs use ``gpu_batch_size = 2048`` (``closed/NVIDIA/configs/resnet50/Offline``).
TRTZOO
    NVIDIA TensorRT, TensorFlow Quantization Toolkit documentation, "Model Zoo Results"
    (docs.nvidia.com/deeplearning/tensorrt/tensorflow-quantization-toolkit/docs/docs/
    model_zoo.html): A100, TensorRT 8.4, INT8 post-training quantisation (PTQ), batch 1
    latency in ms, Keras ResNet v1 (stride in the 1x1 conv) and MobileNet v1.
JOUPPI17
    Jouppi et al., "In-Datacenter Performance Analysis of a Tensor Processing Unit",
    ISCA 2017 (arXiv:1704.04760). Read in a public transcription of the paper's tables (a
    JavaScript data file "TPU Paper Data, extracted from Tables 1-6, Figures 5-9" in a GitHub
    repository, found with the project's code search; its Table 1 and Table 2 rows agree with
    the presets and with ``TPU_V1_TABLE1``): Table 3 (TPU performance counters) last row,
    TeraOps/s achieved per app: MLP0 12.3, MLP1 9.7, LSTM0 3.7, LSTM1 2.8, CNN0 86.0,
    CNN1 14.1; Table 4 (MLP0 under the 7 ms 99th-percentile limit): CPU 5,482 IPS at batch
    16 (7.2 ms) and 13,194 IPS at batch 64 (21.3 ms, its maximum), TPU 225,000 IPS at batch
    200 (7.0 ms, 80% of its maximum) and 280,000 IPS at batch 250 (10 ms, the maximum).
    Table 6's MLP0 TPU/CPU ratio 41.0 is Table 4's 225,000 / 5,482: its per-app ratios
    compare latency-limited rates, so they cannot be combined with Table 3's TOPS into CPU
    per-app figures (not used). The Table 4 batch-16 CPU / batch-200 TPU pair is also
    stated on a public Q&A page summarising the paper (qeeebo.com). Table 3 is read as
    measured at each app's Table 1 batch size.
BLOUW19
    Blouw, Choo, Hunsberger, Eliasmith, "Benchmarking Keyword Spotting Efficiency on
    Neuromorphic Hardware", NICE 2019 (arXiv:1812.01739), results table as transcribed on
    tomesphere.com/paper/1812.01739: Loihi idle 0.029 W, running 0.110 W, dynamic 0.081 W,
    296 inferences/s, 0.00027 J per inference (= dynamic power / rate: the dynamic energy).
    The network (390-256-256-29) is read in the paper's code, github.com/abr/power_benchmarks
    (``run_benchmark.py``, ``models.py``). The idle power is Loihi's calibration point
    (preset ``p_static``); rate and dynamic energy are held apart.
BLOUW19_LOGS
    The same paper's raw power logs and run summaries, github.com/abr/power_benchmarks
    ``logs/running/loihi_<run>.csv`` (column 'Total Power (W)', about 2.4 readings a second)
    and ``loihi_<run>.json`` (``n_inferences`` 1000, ``start_time``, ``end_time``). Runs
    ``CxxLyy``: the scaled networks of the paper's Loihi scaling figure (``models.py``,
    ``ScaledModel``: 390 -> 256, then ``n_copies`` branches of ``n_layers`` 256 -> 256 layers,
    concatenated -> 256 -> 29; "constant I/O"). ``C00L00`` (the 390-256-256-29 architecture):
    1000 inferences in 15.52 s, readings 0.1037-0.1053 W while inferring (mean 0.1045 W).
    ``C10L10`` (10 x 10 layers, 26,112 neurons): 16.12 s, readings 0.1108-0.1131 W (mean
    0.112 W, one outlier at 0.104 W left out). Both logs read 0.098 W from the network load
    until the timed loop and after it: the chip-running baseline the Loihi preset's
    ``p_active`` is calibrated on (from the C10L10 log); the C00L00 and C10L10 inferring
    levels and the results-table running power (0.110 W) are held apart.
MLPERF30_INTEL
    MLCommons, MLPerf Inference v3.0 results, closed division, Intel submission
    ``1-node-2S-SPR-PyTorch-INT8`` (2 x Xeon Platinum 8480+), read in
    github.com/mlcommons/inference_results_v3.0 ``closed/Intel/results/1-node-2S-SPR-PyTorch-INT8/
    <benchmark>/<scenario>/performance/run_1/mlperf_log_summary.txt``: ResNet-50 Offline
    20,578.9 samples/s, ResNet-50 Server 16,347.51 scheduled samples/s (15 ms latency
    target, mean latency 11.29 ms), BERT-99 Offline 1,382.79 samples/s. Harness splits read in
    the same repository: ResNet-50 Offline ``--num_instance 112 --cpus_per_instance 1``
    (``measurements/.../resnet50/Offline/run_offline.sh``) with batch 256 per instance (the
    ``run_offline.sh 256`` call of Intel's automation script, found with the code search in a
    later Intel release: read as v3.0's), Server ``--num_instance 56 --cpus_per_instance 2
    --batch_size 4`` (``code/resnet50/pytorch-cpu/run_server.sh``). BERT: the harness sorts
    SQuAD samples by length and runs them unpadded (``code/bert-99/pytorch-cpu/csrc/
    bert_qsl.hpp``, ``Sort``); its instance split was not found, so the model runs it on the
    Offline split with 4 sequences per instance (an assumption; the model is compute-bound
    there and moves < 5% between 1 and 16, ``benchmarks/bench_accel_chips.py`` prints it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ChipMeasurement", "MEASUREMENTS", "measurements_for", "relative_error", "blouw19_scaled"]

MLPERF30 = "MLPerf Inference v3.0 closed, NVIDIA (mlcommons/inference_results_v3.0)"
TRTZOO = ("NVIDIA TensorRT TF Quantization Toolkit, Model Zoo Results (A100, TRT 8.4, INT8 PTQ, bs=1), "
          "docs.nvidia.com/deeplearning/tensorrt/tensorflow-quantization-toolkit/docs/docs/model_zoo.html")
JOUPPI17 = "Jouppi et al., ISCA 2017 (arXiv:1704.04760), via a public transcription of its tables"
MLPERF30_INTEL = "MLPerf Inference v3.0 closed, Intel 1-node-2S-SPR-PyTorch-INT8 (mlcommons/inference_results_v3.0)"
BLOUW19 = "Blouw et al., NICE 2019 (arXiv:1812.01739), results table (tomesphere.com transcription)"
BLOUW19_LOGS = "Blouw et al., NICE 2019, power logs and run summaries in github.com/abr/power_benchmarks logs/running"


@dataclass(frozen=True)
class ChipMeasurement:
    """One published figure: ``value`` of ``quantity`` for ``workload`` at ``batch`` on ``chip``."""

    name: str
    chip: str
    workload: str
    batch: int
    quantity: str          # a Report property: "latency_s", "inferences_per_s", "average_power_W", ...
    value: float
    use: str               # "calibration" | "validation"
    source: str
    where: str             # table / file / row, as read
    note: str = ""
    tag: str = "P"         # "P" read at the source above; "M" recalled, not yet found at a source


MEASUREMENTS: tuple[ChipMeasurement, ...] = (
    # --- A100: the two calibration points (one throughput, one latency) ---
    ChipMeasurement("A100-PCIe resnet50 offline (MLPerf v3.0)", "A100-PCIe", "resnet50", 2048, "inferences_per_s",
                39152.4, "calibration", MLPERF30, "A100-PCIe-80GBx1_TRT/resnet50/Offline: 'Samples per second'"),
    ChipMeasurement("A100 resnet101 bs1 (TRT zoo)", "A100-PCIe", "resnet101", 1, "latency_s", 0.84e-3,
                "calibration", TRTZOO, "ResNet101-v1, PTQ (TensorRT) row, 'Latency (ms, bs=1)'",
                "the page says 'A100' without the form factor; read as the PCIe card of MLPerf"),
    # --- held out: predicted, never fitted ---
    ChipMeasurement("A100-PCIe resnet50 bs1 (MLPerf v3.0 SingleStream)", "A100-PCIe", "resnet50", 1, "latency_s",
                471.335e-6, "validation", MLPERF30,
                "A100-PCIe-80GBx1_TRT/resnet50/SingleStream: 'Mean latency (ns)' 471335"),
    ChipMeasurement("A100 resnet50 bs1 (TRT zoo)", "A100-PCIe", "resnet50", 1, "latency_s", 0.46e-3, "validation",
                TRTZOO, "ResNet50-v1, PTQ (TensorRT) row", "Keras ResNet-50 v1; our zoo net is v1.5 (+5% MACs)"),
    ChipMeasurement("A100 mobilenet_v1 bs1 (TRT zoo)", "A100-PCIe", "mobilenet_v1", 1, "latency_s", 0.16e-3,
                "validation", TRTZOO, "MobileNet-v1, PTQ (TensorRT) row"),
    ChipMeasurement("H100 resnet50 offline (MLPerf v3.0)", "H100", "resnet50", 2048, "inferences_per_s", 91825.7,
                "validation", MLPERF30, "DGX-H100_H100-SXM-80GBx1_TRT/resnet50/Offline: 'Samples per second'",
                "H100 uses the constants fitted on A100 (same software stack): a cross-chip prediction"),
    ChipMeasurement("A100-PCIe bert_large bs1 (MLPerf v3.0 SingleStream)", "A100-PCIe", "bert_large", 1, "latency_s",
                1.486450e-3, "validation", MLPERF30,
                "A100-PCIe-80GBx1_TRT/bert-99/SingleStream: 'Mean latency (ns)' 1486450",
                "SQuAD sequences <= 384 tokens run unpadded by NVIDIA's harness; the zoo net is padded to 384"),
    ChipMeasurement("A100-PCIe bert_large offline (MLPerf v3.0)", "A100-PCIe", "bert_large", 1024, "inferences_per_s",
                3168.14, "validation", MLPERF30,
                "A100-PCIe-80GBx1_TRT/bert-99/Offline: 'Samples per second' (configs/bert Offline: gpu_batch_size "
                "1024)", "above the int8 peak for 384-token sequences (312e12 MAC/s / 123 GMAC = 2532/s): the run "
                "skips padding, so the padded zoo net must come out slow"),
    # --- 2 x Xeon 8480+ (CPU model): one calibration point, the rest predicted ---
    ChipMeasurement("2x8480+ resnet50 offline (MLPerf v3.0)", "Xeon-8480+-2S", "resnet50", 112 * 256,
                    "inferences_per_s", 20578.9, "calibration", MLPERF30_INTEL,
                    "resnet50/Offline: 'Samples per second' 20578.9; 112 instances x 256 samples"),
    ChipMeasurement("2x8480+ resnet50 server (MLPerf v3.0)", "Xeon-8480+-2S-server", "resnet50", 56 * 4,
                    "inferences_per_s", 16347.51, "validation", MLPERF30_INTEL,
                    "resnet50/Server: 'Scheduled samples per second' 16347.51; 56 instances x 4 samples",
                    "the model has no arrival queue and no 15 ms latency limit: it should come out above"),
    ChipMeasurement("2x8480+ resnet50 server latency (MLPerf v3.0)", "Xeon-8480+-2S-server", "resnet50", 56 * 4,
                    "latency_s", 11.293044e-3, "validation", MLPERF30_INTEL,
                    "resnet50/Server: 'Mean latency (ns)' 11293044 (min 10660774)",
                    "the model's latency is one 4-sample batch on 2 cores (no waiting for a batch to fill)"),
    ChipMeasurement("2x8480+ bert-99 offline (MLPerf v3.0)", "Xeon-8480+-2S", "bert_large_squad", 112 * 4,
                    "inferences_per_s", 1382.79, "validation", MLPERF30_INTEL,
                    "bert-99/Offline: 'Samples per second' 1382.79",
                    "a transformer the fit never saw; SQuAD mean length 177 tokens (zoo bert_large_squad), 4 "
                    "sequences per single-core instance (assumption: split not published)"),
    # --- TPU v1 (systolic, spec constants only: nothing is fitted) and Haswell (roofline bound) ---
    *(ChipMeasurement(f"TPU-v1 {app} TOPS (Jouppi'17 Table 3)", "TPU-v1", app, batch, "throughput_ops_per_s",
                      tops * 1e12, "validation", JOUPPI17, f"Table 3, 'TeraOps/sec' row, {app} column",
                      "the app is a synthetic stand-in with Table 1's batch, weights and ops per weight byte")
      for app, batch, tops in (("MLP0", 200, 12.3), ("MLP1", 168, 9.7), ("LSTM0", 64, 3.7), ("LSTM1", 96, 2.8),
                               ("CNN0", 8, 86.0), ("CNN1", 32, 14.1))),
    ChipMeasurement("TPU-v1 MLP0 max IPS (Jouppi'17 Table 4)", "TPU-v1", "MLP0", 250, "inferences_per_s", 280000.0,
                    "validation", JOUPPI17, "Table 4, TPU row batch 250: 10.0 ms 99th percentile, 280,000 IPS (100%)",
                    "the model has no host or queueing time: it should come out at or above this"),
    ChipMeasurement("TPU-v1 MLP0 7 ms IPS (Jouppi'17 Table 4)", "TPU-v1", "MLP0", 200, "inferences_per_s", 225000.0,
                    "validation", JOUPPI17, "Table 4, TPU row batch 200: 7.0 ms 99th percentile, 225,000 IPS (80%)",
                    "a latency-limited figure (80% of the maximum): the model, with no latency limit, is above it"),
    ChipMeasurement("Haswell MLP0 (Jouppi'17 Table 4)", "Haswell-E5-2699v3", "MLP0", 16, "inferences_per_s", 5482.0,
                    "validation", JOUPPI17, "Table 4, CPU row batch 16: 7.2 ms 99th percentile, 5,482 IPS",
                    "the CPU model is a roofline bound: it must not fall below the measurement"),
    ChipMeasurement("Haswell MLP0 max IPS (Jouppi'17 Table 4)", "Haswell-E5-2699v3", "MLP0", 64, "inferences_per_s",
                    13194.0, "validation", JOUPPI17, "Table 4, CPU row batch 64: 21.3 ms 99th percentile, 13,194 IPS "
                    "(100%)", "roofline bound: must not fall below the measurement"),
    # --- Loihi (calibrated on Blouw'19's idle power only): the same run's rate and dynamic energy ---
    ChipMeasurement("Loihi kws rate (Blouw'19)", "Loihi", "kws_blouw19", 1, "inferences_per_s", 296.0, "validation",
                    BLOUW19, "Loihi row, 'Inf/Sec' 296", "the model runs the ANN-to-SNN conversion with the preset's "
                    "assumed 32 steps at rate 0.1; the measured run also moves inputs and outputs through the host"),
    ChipMeasurement("Loihi kws dynamic energy (Blouw'19)", "Loihi", "kws_blouw19", 1,
                    "dynamic_energy_per_inference_J", 0.00027, "validation", BLOUW19,
                    "Loihi row, 'Joules/Inf' 0.00027 (dynamic 0.081 W / 296 inf/s)",
                    "measured at the board (running - idle): includes the embedded x86 cores and host I/O that the "
                    "per-event energies of Davies'18 Table 2 do not"),
    ChipMeasurement("Loihi kws running power (Blouw'19)", "Loihi", "kws_blouw19", 1, "average_power_W", 0.110,
                    "validation", BLOUW19, "Loihi row, 'Running (W)' 0.110",
                    "predicted with the host loop's measured pace (t_sample_min = 1/296 s) as an input"),
    ChipMeasurement("Loihi C00L00 running power (Blouw'19 logs)", "Loihi", "kws_blouw19_C00L00", 1,
                    "average_power_W", 0.1045, "validation", BLOUW19_LOGS,
                    "loihi_C00L00_run1.csv, readings between start_time and end_time of loihi_C00L00_run1.json",
                    "paced at the run's 1000 inferences / 15.52 s (an input)"),
    ChipMeasurement("Loihi C10L10 running power (Blouw'19 logs)", "Loihi", "kws_blouw19_C10L10", 1,
                    "average_power_W", 0.112, "validation", BLOUW19_LOGS,
                    "loihi_C10L10_run1.csv, readings between start_time and end_time of loihi_C10L10_run1.json",
                    "paced at the run's 1000 inferences / 16.12 s (an input)"),
)

#: inferences per second of the logged runs (1000 inferences / (end_time - start_time)), the
#: host pacing the power predictions take as an input
BLOUW19_RUN_RATE = {"kws_blouw19": 296.0, "kws_blouw19_C00L00": 1000 / 15.52, "kws_blouw19_C10L10": 1000 / 16.12}


def relu_gain(n_in: int, w_max: float) -> float:
    """Mean-activity ratio output / input of a ReLU layer with ``n_in`` inputs, weights drawn
    uniform on [-w_max, w_max] and zero biases (1): the pre-activation is zero-mean with
    variance ``n_in w_max^2 / 3 E[x^2]``, and for a ReLU of a zero-mean Gaussian (std s)
    ``E[y] = s / sqrt(2 pi)``, ``E[y^2] = s^2 / 2``, so the ratio of means between two such
    layers is ``sqrt(n_in w_max^2 / 6)``."""
    return math.sqrt(n_in * w_max ** 2 / 6.0)


def blouw19_scaled(n_copies: int, n_layers: int = 10, timesteps: int = 32, rate: float = 0.1):
    """Blouw et al.'s scaled Loihi network ``C<n_copies>L<n_layers>`` (abr/power_benchmarks
    ``models.py``, ``ScaledModel``) as a :class:`Workload` named ``kws_blouw19_CxxLyy`` of
    rate-coded :class:`Spiking` layers run for ``timesteps`` steps.

    The first layer's inputs spike at ``rate`` (per input per step; the Loihi preset's
    conversion defaults). Its hidden weights are random, uniform on [-0.05, 0.05] with zero
    biases (``ScaledModel``'s initialisers), so each later layer's input rate is the one
    before times :func:`relu_gain` (0.327 for 256 inputs): activity fades down a branch."""
    from ._workload import Spiking, Workload
    g = relu_gain(256, 0.05)
    layers = [Spiking("inp", n_in=390, n_out=256, timesteps=timesteps, rate=rate)]
    for c in range(n_copies):
        layers += [Spiking(f"c{c}l{i}", n_in=256, n_out=256, timesteps=timesteps, rate=rate * g ** i)
                   for i in range(n_layers)]
    r_out = rate * g ** n_layers if n_copies else rate
    n_cat = 256 * max(n_copies, 1)
    layers += [Spiking("out", n_in=n_cat, n_out=256, timesteps=timesteps, rate=r_out),
               Spiking("char", n_in=256, n_out=29, timesteps=timesteps, rate=r_out * relu_gain(n_cat, 0.05))]
    return Workload(f"kws_blouw19_C{n_copies:02d}L{n_layers:02d}", layers, 1, "Blouw'19 scaled keyword spotter",
                    BLOUW19_LOGS)


def measurements_for(chip: str | None = None, workload: str | None = None, batch: int | None = None,
                     use: str | None = None) -> list[ChipMeasurement]:
    """Measurements matching every given field (None = any)."""
    return [m for m in MEASUREMENTS if (chip is None or m.chip == chip) and (workload is None or m.workload == workload)
            and (batch is None or m.batch == batch) and (use is None or m.use == use)]


def relative_error(report, m: ChipMeasurement) -> float:
    """(model - measured) / measured for ``m.quantity`` of ``report`` (1); positive = model higher."""
    got = getattr(report, m.quantity)
    return (got - m.value) / m.value
