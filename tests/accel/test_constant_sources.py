"""Preset constants pinned to the number quoted from their source (issue 12: "Fix the constants
above, each with its primary source"). Each test's docstring quotes the source; the number in
the assertion is typed from that quotation, not read from the preset. The tolerance is exact
(or float rounding) because the preset stores the quoted figure itself or its arithmetic.
Constants that no source confirmed are checked to say so plainly (``UNVERIFIED``).
"""
import pytest

from memlab import accel

KIB = 1024


def _c(preset, name):
    return accel.get_preset(preset).params[name]


def test_a100_and_v100_l2_bandwidth_per_clock():
    """NVIDIA A100 Tensor Core GPU Architecture whitepaper, Sec. 4.6.3 'A100 L2 Cache' (p. 35):
    "The A100 L2 read bandwidth is 5120 Bytes/clk, compared to V100 L2 cache read bandwidth of
    2048 Bytes/clk." Clocks: A100 "GPU Boost Clock 1410 MHz" (whitepaper Table 4); V100 "boosted to
    1.53 GHz" (Markidis et al., IPDPSW 2018, Sec. III)."""
    for preset in ("A100", "A100-PCIe"):
        c = _c(preset, "onchip_bw")
        assert c.value == pytest.approx(5120 * 1410e6, rel=1e-12)
        assert "5120 Bytes/clk" in c.source and c.tag == "D"
    c = _c("V100", "onchip_bw")
    assert c.value == pytest.approx(2048 * 1530e6, rel=1e-12)
    assert "2048 Bytes/clk" in c.source and "1.53 GHz" in c.source


def test_v100_fp32_peak():
    """Markidis et al., IPDPSW 2018, Sec. III: "boosted to 1.53 GHz. The theoretical maximum
    performance can reach ... 15.7 Tflops/s with single precision"; by hand 5120 FP32 cores x 2
    x 1.53 GHz = 15.67 TFLOPS, within the paper's rounding to 0.1 TFLOPS (0.3 %)."""
    c = _c("V100", "peak_ops_fp32")
    assert c.value == 15.7e12 and "15.7 Tflops/s" in c.source and c.tag == "S"
    assert c.value == pytest.approx(5120 * 2 * 1.53e9, rel=0.003)


def test_a100_and_h100_peaks_are_nvidia_figures():
    """NVIDIA A100 whitepaper, Table 4 (p. 36): "108 SMs", "GPU Boost Clock 1410 MHz", "Peak FP32
    19.5 TFLOPS", "Peak BF16 Tensor TFLOPS with FP32 accumulate 312" (dense). NVIDIA H100 product
    page (H100 SXM): "FP32 67 teraFLOPS", "GPU Memory Bandwidth 3.35TB/s"; the 66.9 TFLOPS of the
    preset is within the rounding of "67" (0.2 %)."""
    a = accel.get_preset("A100")
    assert (a["peak_ops_fp32"], a["peak_ops_fp16"], a["n_sm"]) == (19.5e12, 312e12, 108)
    assert "Table 4" in a.params["peak_ops_fp32"].source and "Table 4" in a.params["n_sm"].source
    h = accel.get_preset("H100")
    assert h["peak_ops_fp32"] == pytest.approx(67e12, rel=0.002)
    assert h["dram_bw"] == 3.35e12 and "product page" in h.params["dram_bw"].source


def test_tpu_v1_idle_power_is_table_2():
    """Jouppi et al., ISCA 2017, Table 2, TPU die row: "TDP 75W, Measured Idle 28W, Busy 40W"."""
    idle, tdp = _c("TPU-v1", "p_static"), _c("TPU-v1", "tdp")
    assert (idle.value, tdp.value) == (28.0, 75.0)
    assert idle.tag == "P" and idle.basis == "measured" and "Idle 28W" in idle.source


def test_tpu_v1_weight_fifo_and_double_buffering():
    """Jouppi et al., ISCA 2017, Sec. 2: "The matrix unit holds one 64 KiB tile of weights plus
    one for double buffering (to hide the 256 cycles it takes to shift a tile in)" and "The
    weight FIFO is four tiles deep"."""
    fifo, db = _c("TPU-v1", "weight_buf_bytes"), _c("TPU-v1", "double_buffer")
    assert fifo.value == 4 * 64 * KIB
    assert db.value is True and db.tag == "P"
    assert "four tiles deep" in fifo.source and "double buffering" in db.source


def test_truenorth_tick_is_one_millisecond():
    """Akopyan et al., TCAD 2015, as read in a public reading note of the paper: "TrueNorth
    evaluates data only when a tick is passed, i.e. every 1ms" (a transcription, tag S)."""
    c = _c("TrueNorth", "t_tick_min")
    assert c.value == 1e-3 and c.tag == "S" and "every 1ms" in c.source


def test_zhang15_virtex7_resources():
    """Zhang et al., FPGA 2015 (reading note): Virtex-7 VX485T, 100 MHz, fp32, <Tm, Tn> =
    <64, 7>, "DSP 2240/2800 and BRAM 1024/2060 used" (BRAM in 18 Kb blocks)."""
    assert _c("VC707-Zhang15", "n_dsp").value == 2240
    assert _c("VC707-Zhang15", "clock_hz").value == 100e6
    assert _c("VC707-Zhang15", "dsp_per_mac_fp32").value == 2240 // (64 * 7)
    # was 37e6 / 8 B (a recalled '37 Mb'); the device's 2060 BRAM18K hold 2060 x 18 Kib
    assert _c("VC707-Zhang15", "onchip_bytes").value == 2060 * 18 * KIB // 8
    assert (_c("VX485T-Zhang15", "n_dsp").value, _c("VX485T-Zhang15", "n_bram18k").value) == (2800, 2060)


def test_vc707_dram_bandwidth():
    """VC707 product description (restated in a public README): "Advanced memory interface with
    1GB DDR3 SODIM Memory up to 800MHz / 1600Mbps"; a 64-bit SODIMM: 1600e6 x 8 B = 12.8 GB/s."""
    for preset in ("VC707-Zhang15", "VX485T-Zhang15"):
        c = _c(preset, "dram_bw")
        assert c.value == 1600e6 * 8 and "1600Mbps" in c.source and c.tag == "D"


def test_qiu16_zc706_resources_and_dram_bandwidth_agree_with_their_label():
    """Qiu et al., FPGA 2016 (reading note): Zynq XC7Z045 on ZC706, 150 MHz, 16-bit fixed,
    "DSP 780, 4.2 GB/s DDR3"; XC7Z045 block RAM 545 x 36 Kb (third-party device table).
    Issue 12: "ZC706 DRAM bandwidth and label disagree" -- the label now names the paper's
    4.2 GB/s."""
    assert _c("ZC706-Qiu16", "n_dsp").value == 780
    assert _c("ZC706-Qiu16", "clock_hz").value == 150e6
    bw = _c("ZC706-Qiu16", "dram_bw")
    assert bw.value == 4.2e9 and "4.2 GB/s" in bw.source and "PL DDR3" not in bw.source
    assert _c("ZC706-Qiu16", "onchip_bytes").value == 545 * 36 * KIB // 8
    for preset in ("ZC706-Qiu16-tiled", "ZC706-Qiu16-conv"):
        assert _c(preset, "n_bram18k").value == 545 * 2
        assert _c(preset, "dram_bw").value == 4.2e9


@pytest.mark.parametrize("name", accel.preset_names())
def test_constants_not_found_at_a_source_say_so_plainly(name):
    # every constant tagged M (recalled, not found at a source) carries UNVERIFIED in its
    # source field, and no constant hides a 'recalled: check' in its note alone
    for key, c in accel.get_preset(name).params.items():
        if c.tag == "M":
            assert "UNVERIFIED" in c.source, (name, key, c.source)
        assert "recalled: check" not in c.note, (name, key, c.note)
