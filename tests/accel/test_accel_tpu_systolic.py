"""TPU v1 preset: roofline of the six production apps, cycle model micro-case."""
import pytest

from memlab import accel

# Jouppi et al. ISCA'17: MLPs and LSTMs are memory bound, CNNs compute bound on the TPU
# roofline (Fig. 5 text, via the translation at developer.aliyun.com/article/1111117 and
# docs/notes/hardware.md §2).
PAPER_BOUND = {"MLP0": "memory", "MLP1": "memory", "LSTM0": "memory", "LSTM1": "memory",
               "CNN0": "compute", "CNN1": "compute"}


@pytest.fixture(scope="module")
def tpu():
    return accel.make_chip("TPU-v1")


def test_ridge_point(tpu):
    # paper: ridge ~1350 MAC per weight byte (46 T-MAC/s / 34 GB/s); the rounding of the
    # published figure is the tolerance (1%)
    assert tpu.ridge_macs_per_byte == pytest.approx(1350, rel=0.01)


@pytest.mark.parametrize("app", sorted(PAPER_BOUND))
def test_six_apps_intensity_and_bound(tpu, app):
    wl = accel.tpu_v1_workloads()[app]
    batch, ops_per_wbyte, weights_m = accel.TPU_V1_TABLE1[app]
    assert wl.batch == batch
    # stand-in shapes carry the published weight count (within 1%)
    assert wl.weights / 1e6 == pytest.approx(weights_m, rel=0.01)
    r = tpu.roofline(wl)
    # intensity is computed from the shapes and the TPU's weight traffic (LSTM weights
    # re-streamed every step, FC/conv weights once per batch); Table 1 within 1%
    assert r["macs_per_weight_byte"] == pytest.approx(ops_per_wbyte, rel=0.01)
    assert r["bound"] == PAPER_BOUND[app]
    assert r["attainable_macs_per_s"] <= tpu.peak_ops_per_s() / 2
    # the cycle-level evaluation agrees on the binding resource
    rep = tpu.evaluate(wl)
    assert rep.dominant_bound == ("memory:DRAM" if PAPER_BOUND[app] == "memory" else "compute")


def test_busy_power_close_to_paper(tpu):
    # independent check of the energy constants: TPU v1 busy power ~40 W (Jouppi'17 Table 2
    # via docs/notes/hardware.md). A memory-bound app keeps the chip 'busy'; our average power
    # (Horowitz MAC/SRAM/DRAM energies + 28 W idle) must land within 10% of it.
    rep = tpu.evaluate(accel.tpu_v1_workloads()["MLP0"])
    assert rep.average_power_W == pytest.approx(40.0, rel=0.10)


def test_scalesim_os_rtl_case():
    # SCALE-Sim RTL micro-case (ISPASS'20 Fig. 4): 4x4 OS array, 1x4 ifmap, 1x1 filter, 4
    # channels, 4 filters -> 10 cycles in RTL, 9 in SCALE-Sim v2 (#125): +-1 cycle
    folds, cycles = accel.fold_cycles(m=4, k=4, n=4, rows=4, cols=4, dataflow="os")
    assert folds == 1
    assert abs(cycles - 10) <= 1
    # the same GEMM through a layer on a 4x4 OS systolic chip
    chip = accel.make_chip("TPU-v1", rows=4, cols=4, dataflow="os")
    layer = accel.Conv2d("c", in_channels=4, out_channels=4, in_h=1, in_w=4, kernel_h=1, kernel_w=1)
    rep = chip.evaluate(accel.Workload("w", [layer]))
    assert abs(rep.layers[0].extra["cycles"] - 10) <= 1


def test_fold_count_scales():
    # doubling K doubles WS folds; output-stationary folds follow M
    f1, _ = accel.fold_cycles(100, 256, 256, 256, 256, "ws")
    f2, _ = accel.fold_cycles(100, 512, 256, 256, 256, "ws")
    assert (f1, f2) == (1, 2)
    f3, _ = accel.fold_cycles(600, 16, 16, 256, 256, "os")
    assert f3 == 3
