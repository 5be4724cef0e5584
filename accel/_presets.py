"""Preset chips. Every constant carries its source (see :class:`memlab.accel.Constant`).

Tags: P primary, S transcription quoting the primary, D arithmetic on P/S numbers,
M recalled and not yet found at a source, A memlab assumption. References are those of
``docs/notes/hardware.md`` unless stated. Energies are at the node of the source
(Horowitz's are 45 nm) and are NOT scaled to each chip's node unless a note says so.
"""
from __future__ import annotations

from ._params import P, Preset
from ._pim import isaac_background_power

__all__ = ["PRESETS", "get_preset", "preset_names"]

# ---------------------------------------------------------------- shared sources
HOROWITZ = "Horowitz, ISSCC 2014 (45 nm, 0.9 V) via stillwater-sc/universal generic_45nm.hpp and gist V0XNIHILI"
JOUPPI_T2 = "Jouppi et al., ISCA 2017, Table 2 (via transcription in docs/notes/hardware.md)"
JOUPPI = "Jouppi et al., ISCA 2017 (abstract / text)"
#: Jouppi et al., ISCA 2017, Sec. 2 and Table 2, read in public copies of the paper's text (arXiv:1704.04760
#: and the ISCA'17 IEEE version) found with `search`
JOUPPI_TEXT = ("Jouppi et al., ISCA 2017, Sec. 2: 'The matrix unit holds one 64 KiB tile of weights plus one for "
               "double buffering (to hide the 256 cycles it takes to shift a tile in)' ... 'The weight FIFO is four "
               "tiles deep'")
JOUPPI_T2_IDLE = ("Jouppi et al., ISCA 2017, Table 2, TPU die row: 'TDP 75W, Measured Idle 28W, Busy 40W' (Haswell "
                  "die 41 W / 145 W, K80 die 25 W / 98 W)")
DAVIES = "Davies et al., IEEE Micro 38(1) 2018, Table 2 (pre-silicon figures, via transcription)"
MEROLLA = "Merolla et al., Science 345 2014; Akopyan et al., TCAD 2015"
ISAAC = "Shafiee et al., ISCA 2016 (corrected 5 Oct 2016), Table I"
HWC = "Accelergy-Project/hwcomponents-library isaac.py (quotes ISAAC Table I)"
ESM = "Esmaeilzadeh et al., ISCA 2011"
NV_A100 = ("NVIDIA A100 Tensor Core GPU datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf), "
           "as restated on glennklockwood.com/garden/processors/A100 and the PC2 A100 page")
NV_AMPERE = "NVIDIA Ampere GA100 architecture whitepaper (108 SMs, 40 MB L2, 826 mm^2)"
#: the A100 whitepaper's Table 4 with its page, as transcribed field by field in a public GPU-model
#: reference found with `search` (its table itself is an image in the text copies)
NV_AMPERE_T4 = ("NVIDIA A100 Tensor Core GPU Architecture whitepaper, Table 4 (p. 36): 108 SMs, GPU Boost Clock "
                "1410 MHz, Peak FP32 19.5 TFLOPS (non-Tensor), Peak BF16/FP16 Tensor 312 TFLOPS (dense), L2 Cache "
                "Size 40960 KB (as transcribed with table and page in a public GPU-model reference)")
#: NVIDIA's H100 product page, Product Specifications, H100 SXM column, as transcribed in the same reference
NV_H100_PAGE = ("NVIDIA H100 product page, Product Specifications (H100 SXM): 'FP32 67 teraFLOPS', 'GPU Memory "
                "Bandwidth 3.35TB/s', Tensor Core teraFLOPS 'with sparsity' (dense = half) (as transcribed in a public "
                "GPU-model reference)")
NV_H100 = ("NVIDIA H100 Tensor Core GPU datasheet (SXM5), as restated on glennklockwood.com/garden/processors/h100; "
           "the datasheet gives 2:4-sparse tensor figures, dense = half")
NV_HOPPER = "NVIDIA H100 (Hopper) architecture whitepaper (132 SMs on SXM5, 50 MB L2, 814 mm^2)"
NV_V100 = "NVIDIA Tesla V100 datasheet / Volta whitepaper (SXM2)"
#: NVIDIA A100 Tensor Core GPU Architecture whitepaper, Sec. 4.6.3 'A100 L2 Cache' (p. 35), read in a
#: public markdown copy of the whitepaper found with `search`
NV_AMPERE_L2 = ("NVIDIA A100 Tensor Core GPU Architecture whitepaper, Sec. 4.6.3 (p. 35): 'The A100 L2 read "
                "bandwidth is 5120 Bytes/clk, compared to V100 L2 cache read bandwidth of 2048 Bytes/clk' (read in "
                "a public copy of the whitepaper's text)")
#: Markidis et al., "NVIDIA Tensor Core Programmability, Performance & Precision", IPDPS Workshops 2018
#: (arXiv:1803.04014), Sec. III, read in a public copy of the paper's text
MARKIDIS18 = ("Markidis et al., IPDPSW 2018 (arXiv:1803.04014), Sec. III: 'The Tesla V100 accelerator uses the base "
              "clock frequency 1.3 GHz and it can be boosted to 1.53 GHz. The theoretical maximum performance can "
              "reach 31.4 Tflops/s with half precision, 15.7 Tflops/s with single precision'")
#: marker for a constant that was not found at a source (docs/notes/hardware.md, "Unverified")
UNVERIFIED = "UNVERIFIED: not found at a source; recalled, check before relying on it"

#: Stillmaker & Baas (2017) CMOS energy scaling 65 nm -> 32 nm at 0.8 V: (a V^2 + b V + c) ratio of
#: their fits as tabulated in Accelergy-Project/hwcomponents scaling/techscaling.py
STILLMAKER_65_32 = (0.9559 * 0.64 - 0.7823 * 0.8 + 0.471) / (3.755 * 0.64 - 4.398 * 0.8 + 1.975)

E_SRAM_1MB = P(100e-12 / 8, "J/B", HOROWITZ, "D", "derived", "SRAM 1 MB read 100 pJ per 64-bit access / 8 B; 45 nm, unscaled")
E_DDR = P(1.95e-9 / 8, "J/B", HOROWITZ, "D", "derived", "DRAM 1.3-2.6 nJ per 64-bit access: midpoint / 8 B")
E_HBM = P(3.97e-12 * 8, "J/B", "O'Connor et al., 'Fine-Grained DRAM', MICRO 2017 (HBM2: 3.97 pJ/bit)", "S",
          "simulated", "HBM2 access energy per bit x 8; used for V100 and A100-40GB class HBM2")
E_HBM2E = P(3.97e-12 * 8, "J/B", "memlab assumption: HBM2e taken equal to O'Connor's HBM2 3.97 pJ/bit", "A",
            "assumption", "no published HBM2e energy per bit found; same I/O and core as HBM2 assumed")
E_HBM3 = P(3.97e-12 * 8, "J/B", "memlab assumption: HBM3 taken equal to O'Connor's HBM2 3.97 pJ/bit", "A",
           "assumption", "no published HBM3 energy per bit found; likely pessimistic (lower-voltage I/O)")
STATIC_FRAC = 0.2
STATIC_NOTE = ("no published idle figure used: memlab assumes p_static = 0.2 x TDP; override with a measured "
               "idle power")


def _e_mac_from_tdp(tdp, p_static, bw, e_dram, peak_ops, label, onchip_W=0.0):
    """Energy per MAC if the dynamic budget left at full DRAM (and on-chip, ``onchip_W``)
    bandwidth goes to compute."""
    val = (tdp - p_static - bw * e_dram - onchip_W) / (peak_ops / 2)
    return P(val, "J", f"derived from this preset's tdp, p_static, dram_bw, e_dram and peak_ops_{label}", "D",
             "derived", "(TDP - P_static - BW*e_DRAM - onchip_bw*e_onchip) / peak MAC rate: an upper bound on "
             "energy per MAC at peak")


def _roofline(name, kind, desc, peaks, dram_bw, e_dram, onchip_bytes, onchip_bw, tdp, area, eff=None, gpu=None):
    """A roofline preset; with ``gpu`` (dict of the GPU-model constants) a 'gpu' preset."""
    p_static = P(STATIC_FRAC * tdp.value, "W", "memlab assumption", "A", "assumption", STATIC_NOTE)
    d = {f"peak_ops_{k}": v for k, v in peaks.items()}
    for k, v in peaks.items():
        d[f"e_mac_{k}"] = _e_mac_from_tdp(tdp.value, p_static.value, dram_bw.value, e_dram.value, v.value, k,
                                          onchip_bw.value * E_SRAM_1MB.value)
    d.update(dram_bw=dram_bw, e_dram=e_dram, onchip_bytes=onchip_bytes, onchip_bw=onchip_bw,
             e_onchip=E_SRAM_1MB, p_static=p_static, tdp=tdp, area_mm2=area,
             efficiency=eff or P(1.0, "1", "roofline bound (Williams et al., CACM 2009)", "A", "assumption",
                                 "1.0 = the roof itself; set a measured sustained fraction to predict"))
    if gpu is None:
        return Preset(name, "roofline", d, desc, kind)
    return Preset(name, "gpu", {**d, **_GPU_COMMON, **gpu}, desc, kind)


# GPU-model constants (accel/_gpu.py): kernel_eff and t_launch were fitted by
# accel._gpu.calibrate_gpu("A100-PCIe") on the two calibration measurements of accel/_measurements.py
# (benchmarks/bench_accel.py reruns the fit and prints it); every GPU preset uses them.
_FIT = "accel._gpu.calibrate_gpu('A100-PCIe'): MLPerf v3.0 A100-PCIe ResNet-50 Offline + TRT zoo ResNet-101 bs=1"
_GPU_COMMON = {
    "kernel_eff": P(0.5556, "1", _FIT, "D", "calibrated", "fraction of the per-SM tensor peak a full wave sustains"),
    "t_launch": P(7.159e-6, "s", _FIT, "D", "calibrated", "launch + runtime overhead per kernel (TensorRT)"),
    "tile_k_bytes": P(64, "B", "memlab assumption: CUTLASS tensor-core K step (64 int8 / 32 fp16)", "A",
                      "assumption"),
}


PRESETS: dict[str, Preset] = {}


def _add(p: Preset):
    PRESETS[p.name] = p


_add(_roofline(
    "Haswell-E5-2699v3", "CPU", "18-core Haswell server CPU (the TPU paper's CPU)",
    {"fp32": P(1.3e12, "op/s", JOUPPI_T2, "S"),
     "fp16": P(1.3e12, "op/s", JOUPPI_T2, "D", "derived", "no fp16 arithmetic on Haswell: runs at the fp32 rate"),
     "int8": P(2.6e12, "op/s", JOUPPI_T2, "S")},
    P(51e9, "B/s", JOUPPI_T2, "S"), E_DDR,
    P(45 * 2**20, "B", "AnandTech, 'Intel Xeon E5 Version 3: Up to 18 Haswell EP Cores' (review of the 18-core "
      "part): '18 cores and 45MB LLC'", "S", "datasheet"),
    P(18 * 32 * 2.3e9, "B/s", "memlab assumption: 18 cores x 32 B/cycle L3 x 2.3 GHz", "A", "assumption"),
    P(145.0, "W", JOUPPI_T2, "S"), P(662.0, "mm^2", JOUPPI_T2, "S")))

# ---- server CPU beyond the roofline (accel/_cpu.py): 2 x Xeon Platinum 8480+ (Sapphire Rapids)
SPR = ("Intel Xeon Platinum 8480+ (56 cores, 105 MB LLC, 350 W, 8-channel DDR5-4800) as restated in press "
       "reports of Intel's spec sheet (techlife.app, computerbase.de 2022)")
AMX = ("Intel AMX: 2048 int8 / 1024 bf16 operations per cycle per core (Intel, 'Accelerate AI workloads with "
       "Intel AMX', as restated on the Wikipedia AMX page)")
MLPERF_INTEL = "MLPerf Inference v3.0 closed, Intel 1-node-2S-SPR-PyTorch-INT8 (mlcommons/inference_results_v3.0)"
_CPU_FIT = "accel._cpu.calibrate_cpu(): MLPerf v3.0 2 x 8480+ ResNet-50 Offline (20,578.9 samples/s)"


def _xeon_spr(name, desc, cores_per_instance, cpi_source):
    cores, clock = 112, 2.0e9
    peaks = {"int8": P(cores * 2048 * clock, "op/s",
                       AMX + "; x 112 cores x 2.0 GHz base [" + UNVERIFIED + " (the clock)]", "D", "derived"),
             "fp16": P(cores * 1024 * clock, "op/s", AMX + " (bf16 path for 16-bit layers)", "D", "derived"),
             "fp32": P(cores * 64 * clock, "op/s",
                       "AVX-512: 2 FMA units x 16 fp32 x 2 op per core-cycle [" + UNVERIFIED + "]", "D",
                       "derived")}
    p = _roofline(name, "CPU", desc, peaks,
                  P(2 * 8 * 4800e6 * 8, "B/s", SPR + ": 2 sockets x 8 channels x 4800 MT/s x 8 B", "D", "derived"),
                  E_DDR, P(2 * 105 * 2**20, "B", SPR + " (2 x 105 MB LLC)", "S"),
                  P(cores * 32 * clock, "B/s", "memlab assumption: 32 B/cycle LLC->L2 per core at 2.0 GHz", "A",
                    "assumption"),
                  P(700.0, "W", SPR + " (2 x 350 W TDP)", "S"),
                  P(2 * 1600.0, "mm^2", "memlab assumption: 4 x ~400 mm^2 XCC tiles per socket [" + UNVERIFIED + "]",
                    "M", "datasheet", "recalled die area; only enters area-normalised figures"))
    cpu = {"n_cores": P(cores, "1", SPR + " (2 x 56)", "S"),
           "cores_per_instance": P(cores_per_instance, "1", cpi_source, "P"),
           "l2_bytes": P(2 * 2**20, "B", SPR + " (2 MB L2 per core: 112 MB L2 per 56 cores)", "S"),
           "tile_k_bytes": P(64, "B", AMX + " (tile rows of 64 B: K step of 64 int8)", "S"),
           "kernel_eff": P(0.3838, "1", _CPU_FIT, "D", "calibrated", "fraction of the per-core AMX peak sustained"),
           "t_layer": P(5e-6, "s", "memlab assumption: a few us of operator dispatch + thread barrier per kernel",
                        "A", "assumption", "negligible at the harness batch sizes; matters at batch 1")}
    return Preset(name, "cpu", {**p.params, **cpu}, desc, "CPU")


_add(_xeon_spr("Xeon-8480+-2S", "2 x Xeon Platinum 8480+, Intel's MLPerf Offline split: 112 instances x 1 core", 1,
               MLPERF_INTEL + ", measurements/.../resnet50/Offline/run_offline.sh: --num_instance 112 "
               "--cpus_per_instance 1"))
_add(_xeon_spr("Xeon-8480+-2S-server", "2 x Xeon Platinum 8480+, Intel's MLPerf Server split: 56 instances x 2 cores",
               2, MLPERF_INTEL + ", code/resnet50/pytorch-cpu/run_server.sh: --num_instance 56 --cpus_per_instance 2 "
               "--batch_size 4"))

L2_CHECK = ("B/clk read at the source; the pair agrees with NVIDIA's 'Ampere Architecture In-Depth' blog, "
            "'A100 L2 cache provides 2.3x the L2 cache read bandwidth of V100': 5120 x 1.41 / (2048 x 1.53) = 2.30")
VW_TABLE = ("NVIDIA Volta (GV100) announcement table, Tesla V100 column, as restated by techrival.com and "
            "wccftech ('NVIDIA Volta Tesla V100 Cards Detailed')")
_add(_roofline(
    "V100", "GPU", "NVIDIA V100 SXM2 (HBM2)",
    {"fp32": P(15.7e12, "op/s", MARKIDIS18, "S", "datasheet",
               "the pre-release announcement table (VW_TABLE) gives 15 TFLOPS at 1455 MHz; 15.7 = 5120 cores x 2 x "
               "1.53 GHz, the shipping boost clock"),
     "fp16": P(125e12, "op/s", "NVIDIA developer blog 'Programming Tensor Cores in CUDA 9' (developer.nvidia.com/"
               "programming-tensor-cores-cuda-9-0): 'up to 125 Tensor TFLOPS'", "P", "datasheet",
               "the pre-release table gives 120 at 1455 MHz; 125 is the shipping SXM2 boost clock"),
     "int8": P(125e12, "op/s", NV_V100, "D", "derived",
               "Volta has no int8 tensor-core path: int8 layers run at the fp16 tensor rate")},
    P(900e9, "B/s", "NVIDIA Tesla V100 PCIe announcement as restated by io-tech.fi: 16 GB HBM2 at 1.75 Gbps on "
      "4096 bits = 900 GB/s (same memory as SXM2)", "S", "datasheet"), E_HBM,
    P(6 * 2**20, "B", VW_TABLE + ": 'L2 Cache Size 6144 KB'", "S", "datasheet"),
    P(2048 * 1.53e9, "B/s", NV_AMPERE_L2 + " x 1.53 GHz V100 boost clock (" + MARKIDIS18 + ")", "D", "derived",
      L2_CHECK),
    P(300.0, "W", VW_TABLE + " (V100 at 300 W)", "S", "datasheet"),
    P(815.0, "mm^2", VW_TABLE + " (GV100 'massive 815mm^2 chip')", "S", "datasheet"),
    gpu={"n_sm": P(80, "1", VW_TABLE + ": 'SMs 80'", "S", "datasheet")}))


def _ampere(name, desc, bw, e_dram, tdp):
    return _roofline(
        name, "GPU", desc,
        {"fp32": P(19.5e12, "op/s", NV_AMPERE_T4, "S"), "fp16": P(312e12, "op/s", NV_AMPERE_T4, "S"),
         "int8": P(624e12, "op/s", NV_A100 + " (dense tensor int8)", "S")},
        bw, e_dram, P(40 * 2**20, "B", NV_AMPERE, "S"),
        P(5120 * 1.41e9, "B/s", NV_AMPERE_L2 + " x 1.41 GHz boost (" + NV_AMPERE_T4 + ")", "D", "derived", L2_CHECK),
        tdp, P(826.0, "mm^2", NV_AMPERE + "; PC2 A100 page", "S"),
        gpu={"n_sm": P(108, "1", NV_AMPERE_T4, "S")})


_add(_ampere("A100", "NVIDIA A100 80 GB SXM4 (HBM2e)", P(2039e9, "B/s", NV_A100 + " (80 GB SXM)", "S"), E_HBM2E,
             P(400.0, "W", NV_A100 + " (SXM max TDP)", "S")))
_add(_ampere("A100-PCIe", "NVIDIA A100 80 GB PCIe (HBM2e), the card of the MLPerf calibration runs",
             P(1935e9, "B/s", NV_A100 + " (80 GB PCIe)", "S"), E_HBM2E, P(300.0, "W", NV_A100 + " (PCIe TDP)", "S")))

_add(_roofline(
    "H100", "GPU", "NVIDIA H100 SXM5 (HBM3)",
    {"fp32": P(66.9e12, "op/s", NV_H100_PAGE, "S"),
     "fp16": P(989.4e12, "op/s", NV_H100 + " (1,979 sparse / 2)", "S", "derived"),
     "int8": P(1978.9e12, "op/s", NV_H100 + " (3,958 sparse / 2)", "S", "derived")},
    P(3.35e12, "B/s", NV_H100_PAGE, "S"), E_HBM3,
    P(50 * 2**20, "B", NV_HOPPER, "S"),
    P(10e12, "B/s", "memlab assumption (L2 bandwidth order of magnitude, ~1.4x A100)", "A", "assumption"),
    P(700.0, "W", NV_H100 + " (up to 700 W)", "S"), P(814.0, "mm^2", NV_HOPPER, "S"),
    gpu={"n_sm": P(132, "1", NV_HOPPER, "S")}))


def _fpga(name, desc, n_dsp, clock, dsp_mac, eff, power, dram_bw, bram_bytes, src):
    p_static = P(STATIC_FRAC * power.value, "W", "memlab assumption", "A", "assumption", STATIC_NOTE)
    d = {"n_dsp": n_dsp, "clock_hz": clock, **{f"dsp_per_mac_{k}": v for k, v in dsp_mac.items()},
         "luts_for_macs": P(0, "1", "memlab assumption: the published design builds its MACs from DSPs only", "A",
                            "assumption", "set a LUT budget to add soft multipliers"),
         "luts_per_mac_fp32": P(700, "1", "memlab assumption (soft fp32 multiply-add)", "A", "assumption"),
         "luts_per_mac_fp16": P(300, "1", "memlab assumption (soft 16-bit fixed MAC)", "A", "assumption"),
         "luts_per_mac_int8": P(80, "1", "memlab assumption (soft 8-bit MAC)", "A", "assumption"),
         "efficiency": eff, "tdp": power, "p_static": p_static, "dram_bw": dram_bw, "e_dram": E_DDR,
         "onchip_bytes": bram_bytes,
         "onchip_bw": P(n_dsp.value * 4 * clock.value, "B/s", "memlab assumption: 4 B per DSP per cycle from BRAM",
                        "A", "assumption"),
         "e_onchip": E_SRAM_1MB}
    for k, v in dsp_mac.items():
        peak = 2 * (n_dsp.value // v.value) * clock.value
        d[f"e_mac_{k}"] = _e_mac_from_tdp(power.value, p_static.value, dram_bw.value, E_DDR.value, peak, k)
    return Preset(name, "fpga", d, desc, "FPGA")


ZHANG15 = ("Zhang et al., FPGA 2015 (Virtex-7 VX485T on VC707, 100 MHz, fp32): <Tm, Tn> = <64, 7>, DSP 2240/2800 "
           "and BRAM 1024/2060 used, 18.61 W, 61.62 GFLOPS (a public reading note of the paper)")
QIU16 = ("Qiu et al., FPGA 2016 (Zynq XC7Z045 on ZC706, 150 MHz, 16-bit fixed): DSP 780, 4.2 GB/s DDR3, "
         "CONV 187.8 GOP/s, 9.63 W (a public reading note of the paper)")
#: second-hand device table: Xilinx's DS190 (Zynq-7000 overview) itself was not reached with `search`
XC7Z045_TABLE = ("XC7Z045 resources 'dsp': 900, 'bram': 545 (36 Kb blocks) in a third-party FPGA resource table "
                 "(public code found with `search`; Xilinx DS190 itself not reached)")
VC707_DDR = ("VC707 product description as restated in binarycourse/xlnx-vc707-templates README: 'Advanced memory "
             "interface with 1GB DDR3 SODIM Memory up to 800MHz / 1600Mbps'; x 8 B (a 64-bit SODIMM, the "
             "MT8JTF12864 of litex-boards' VC707 target); UG885 itself not reached")

_add(_fpga(
    "VC707-Zhang15", "Zhang et al. FPGA'15 AlexNet accelerator, Virtex-7 485T, fp32",
    P(2240, "1", ZHANG15 + " (DSPs used)", "S", "datasheet", "448 fp32 MAC units x 5 DSP"),
    P(100e6, "Hz", ZHANG15, "S"),
    {"fp32": P(5, "1", ZHANG15, "D", "derived", "2240 DSP used / (Tm x Tn = 448 MACs): fp32 mult 3 + add 2 DSP"),
     "fp16": P(1, "1", "memlab assumption: one DSP48 per 16-bit fixed MAC", "A", "assumption"),
     "int8": P(1, "1", "memlab assumption: one DSP48 per 8-bit MAC (no packing)", "A", "assumption")},
    P(61.62e9 / 89.6e9, "1", "Zhang et al., FPGA 2015: 61.62 GFLOPS [S] / (2 x 448 x 100 MHz) [D]", "D", "derived",
      "sustained fraction of the DSP roof"),
    P(18.61, "W", ZHANG15, "S"),
    P(12.8e9, "B/s", VC707_DDR, "D", "derived", "1600 MT/s x 8 B; the AlexNet layers are compute bound down to "
      "4.5 GB/s"),
    P(2060 * 18 * 1024 / 8, "B", ZHANG15 + " (device total 2060 BRAM18K x 18 Kib)", "D", "derived",
      "was 37e6/8 B (37 Mb, recalled): 2.6 % less than the 2060 x 18 Kib of the device"), "zhang"))

_add(_fpga(
    "ZC706-Qiu16", "Qiu et al. FPGA'16 VGG-16 accelerator, Zynq ZC706, 16-bit fixed",
    P(780, "1", QIU16 + " (DSPs used)", "S"),
    P(150e6, "Hz", QIU16, "S"),
    {"fp32": P(5, "1", "memlab assumption (as VC707)", "A", "assumption"),
     "fp16": P(1, "1", "Qiu et al., FPGA 2016: one DSP48 per 16-bit fixed MAC [" + UNVERIFIED + "]", "M",
               "datasheet", "recalled: a DSP48E1 holds one 25 x 18 multiplier"),
     "int8": P(1, "1", "memlab assumption: one DSP48 per 8-bit MAC", "A", "assumption")},
    P(137e9 / (2 * 780 * 150e6), "1", "Qiu et al., FPGA 2016: 137 GOP/s, the whole network with its SVD-compressed "
      "FC layers [" + UNVERIFIED + "] / DSP roof (2 x 780 x 150 MHz)", "M", "derived",
      "the reading note gives 187.8 GOP/s for the CONV layers (asserted in tests/accel/test_fpga_tiled.py); the "
      "137 GOP/s whole-network figure was recalled"),
    P(9.63, "W", QIU16, "S"),
    P(4.2e9, "B/s", QIU16 + " (the paper's own DDR3 bandwidth)", "S", "datasheet",
      "the earlier label said 'PL DDR3' (64-bit SODIMM, 12.8 GB/s) against a 4.2 GB/s value; the reading note "
      "gives the 4.2 GB/s the design used"),
    P(545 * 36 * 1024 / 8, "B", XC7Z045_TABLE + " x 36 Kib", "D", "derived"), "qiu"))


_SCALAR = P(0, "1", "Zhang et al., FPGA 2015: scalar MAC array (Tm x Tn multipliers, no kernel unrolling)", "S")


def _tiled(name, desc, n_dsp, n_bram, clock, dsp_mac, bits, bw, power, convolver=_SCALAR):
    return Preset(name, "fpga_tiled", {
        "convolver": convolver,
        "n_dsp": n_dsp, "n_bram18k": n_bram, "clock_hz": clock, "dsp_per_mac": dsp_mac, "word_bits": bits,
        "dram_bw": bw, "power_W": power, "e_dram": E_DDR,
        "tm": P(0, "1", "memlab assumption: 0 = found by the design-space exploration on each workload", "A",
                "assumption", "set tm and tn > 0 to evaluate one fixed design"),
        "tn": P(0, "1", "memlab assumption: 0 = found by the design-space exploration on each workload", "A",
                "assumption", "set tm and tn > 0 to evaluate one fixed design"),
    }, desc, "FPGA")


_add(_tiled("VX485T-Zhang15", "Zhang'15 loop-tiled accelerator model on a Virtex-7 VX485T (fp32), design searched",
            P(2800, "1", ZHANG15 + " (device total)", "S"),
            P(2060, "1", ZHANG15 + " (device total, BRAM18K)", "S"),
            P(100e6, "Hz", ZHANG15, "S"),
            P(5, "1", "Zhang et al., FPGA 2015 (fp32 multiplier 3 DSP + adder 2 DSP)", "D", "derived",
              "2240 DSP used / 448 MACs of the published <Tm=64, Tn=7> design"),
            P(32, "bit", ZHANG15, "S"),
            P(12.8e9, "B/s", VC707_DDR, "D", "derived",
              "the AlexNet layers are compute bound down to 4.5 GB/s, so it does not set the design"),
            P(18.61, "W", ZHANG15, "S")))

_add(_tiled("ZC706-Qiu16-tiled",
            "Zhang'15 loop-tiled accelerator on the ZC706 budget of Qiu'16 (16-bit fixed; Qiu's convolvers differ)",
            P(780, "1", QIU16 + " (DSPs of the published design: the budget a tiled design may use)", "S"),
            P(1090, "1", XC7Z045_TABLE + ": 545 x 2 BRAM18K", "D", "derived"),
            P(150e6, "Hz", QIU16, "S"),
            P(1, "1", "Qiu et al., FPGA 2016: one DSP48 per 16-bit fixed MAC [" + UNVERIFIED + "]", "M", "datasheet",
              "recalled: a DSP48E1 holds one 25 x 18 multiplier"),
            P(16, "bit", QIU16, "S"),
            P(4.2e9, "B/s", QIU16, "S"),
            P(9.63, "W", QIU16, "S")))

_add(_tiled("ZC706-Qiu16-conv",
            "Qiu'16's engine on the ZC706: an array of 3x3 convolvers (weights in registers), design searched",
            P(780, "1", QIU16 + " (DSPs of the published design: the budget the search may use)", "S"),
            P(1090, "1", XC7Z045_TABLE + ": 545 x 2 BRAM18K", "D", "derived"),
            P(150e6, "Hz", QIU16, "S"),
            P(1, "1", "Qiu et al., FPGA 2016: one DSP48 per 16-bit fixed multiplier [" + UNVERIFIED + "]", "M",
              "datasheet", "recalled: a DSP48E1 holds one 25 x 18 multiplier"),
            P(16, "bit", QIU16, "S"),
            P(4.2e9, "B/s", QIU16, "S"),
            P(9.63, "W", QIU16, "S"),
            P(3, "1", "Qiu et al., FPGA 2016, Sec. 6 (PE built of 3x3 line-buffer convolvers; larger kernels in "
              "several passes) [" + UNVERIFIED + "]", "M", "datasheet", "the paper's text was not reachable here")))

_add(Preset("TPU-v1", "systolic", {
    "rows": P(256, "1", JOUPPI, "P", "datasheet", "65,536 8-bit MACs = 256 x 256"),
    "cols": P(256, "1", JOUPPI, "P"),
    "clock_hz": P(700e6, "Hz", JOUPPI_T2, "S"),
    "dataflow": P("ws", "", JOUPPI, "S", "datasheet", "weights stationary, activations systolic"),
    "ub_bytes": P(24 * 2**20, "B", JOUPPI, "P", "datasheet", "24 MiB unified buffer"),
    "weight_buf_bytes": P(4 * 256 * 256, "B", JOUPPI_TEXT, "D", "derived", "weight FIFO: 4 tiles x 64 KiB"),
    "acc_bits": P(32, "bit", "Jouppi et al., ISCA 2017 (4 MiB of 32-bit accumulators)", "S"),
    "double_buffer": P(True, "", JOUPPI_TEXT, "P", "datasheet"),
    "dram_bw": P(34e9, "B/s", JOUPPI_T2 + " (8 GiB DDR3-2133)", "S"),
    "e_mac": P(0.2e-12 + 0.1e-12, "J", HOROWITZ, "D", "derived", "int8 mult 0.2 pJ + 32-bit add 0.1 pJ (45 nm)"),
    "e_sram": E_SRAM_1MB, "e_dram": E_DDR,
    "p_static": P(28.0, "W", JOUPPI_T2_IDLE, "P", "measured", "the measured idle power of one TPU die"),
    "tdp": P(75.0, "W", JOUPPI_T2, "S"),
    "area_mm2": P(331.0, "mm^2", JOUPPI_T2, "S", "datasheet", "'<331 mm^2': upper bound"),
}, "Google TPU v1 (28 nm, 8-bit)", "ASIC"))

#: Blouw et al. 2019's power logs (github.com/abr/power_benchmarks, logs/running/loihi_C10L10_run1.csv,
#: column 'Total Power (W)'): the board reads 0.098 W from the moment the network is loaded
#: (23:26:53) until the timed loop starts (23:27:34), 0.112 W during it, 0.098 W after it.
BLOUW_LOGS = ("Blouw et al., NICE 2019, power logs in github.com/abr/power_benchmarks "
              "(logs/running/loihi_C10L10_run1.csv, the 40 s between network load and the timed loop)")
BLOUW_LOADED = 0.098
_add(Preset("Loihi", "neuromorphic", {
    "n_cores": P(128, "1", DAVIES, "S"),
    "neurons_per_core": P(1024, "1", DAVIES, "D", "derived", "131,072 neurons / 128 cores"),
    "axons_per_core": P(4096, "1", "nengo_loihi's per-core input-axon limit, quoted in its error message 'Input "
                        "axons (4200) exceeded max (4096)' (forum.nengo.ai, 'Trying to understand network "
                        "restrictions')", "S", "datasheet", "the same thread gives the per-core synapse memory, "
                        "'max (1048576)' bits = 128 KiB, which agrees with synapses_per_core"),
    "synapses_per_core": P(16 * 2**20 // 128, "1", "Davies et al., IEEE Micro 2018: 16 MB of synaptic memory in 128 "
                           "cores (quoted in IEEE Circuits and Systems Magazine 2022 Q2, p. 21); nengo_loihi's per-core "
                           "limit 1,048,576 synapse bits (forum.nengo.ai) agrees", "D", "derived",
                           "128 KiB per core at 8-bit dense weights (nengo_loihi's default precision assumed)"),
    "fanout_cores": P(4096, "1", "memlab assumption: Loihi's per-neuron fan-out to other cores is not a "
                      "limit for the networks modelled here", "A", "assumption"),
    "e_syn": P(23.6e-12, "J", DAVIES, "S", "simulated", "synaptic op, no learning (minimum)"),
    "e_neuron": P(81e-12, "J", DAVIES, "S", "simulated", "active neuron update"),
    "e_neuron_idle": P(52e-12, "J", DAVIES, "S", "simulated", "inactive neuron update"),
    "e_spike": P(1.7e-12, "J", DAVIES, "S", "simulated", "spike within a tile"),
    "e_hop": P(3.5e-12, "J", DAVIES, "D", "derived", "mean of E-W 3.0 and N-S 4.0 pJ per hop"),
    "t_syn": P(3.5e-9, "s", DAVIES, "S", "simulated", "synaptic op, max latency"),
    "t_neuron": P(8.4e-9, "s", DAVIES, "S", "simulated", "active neuron update"),
    "t_barrier": P(465e-9, "s", DAVIES, "S", "simulated", "barrier sync across 32 tiles (113 ns for 1)"),
    "t_tick_min": P(0.0, "s", "memlab assumption: Loihi steps as fast as the barrier allows", "A", "assumption"),
    "p_static": P(0.029, "W", "Blouw et al., NICE 2019 (arXiv:1812.01739), results table: Loihi idle 0.029 W "
                  "(tomesphere transcription; the mean of the idle logs in github.com/abr/power_benchmarks)", "S",
                  "measured", "the board with the chip idle: the baseline the paper subtracts for 'dynamic' power"),
    "p_active": P(BLOUW_LOADED - 0.029, "W", BLOUW_LOGS, "D", "calibrated",
                  "network loaded and the chip time-stepping, no input yet: 0.098 W in the log (readings "
                  "0.0975-0.0993 W) minus the 0.029 W idle board; clock, barrier sync and the embedded x86 "
                  "cores, whatever the spike activity. The one measurement Loihi is calibrated on"),
    "t_sample_min": P(0.0, "s", "memlab assumption: no host pacing (the chip's own speed); give the host loop's "
                      "period to model a measured run", "A", "assumption"),
    "calibrated_on": P("Loihi network-loaded power 98 mW (Blouw et al. 2019 power log)", "", "memlab calibration",
                       "D", "calibrated", "the one measurement p_active was taken from"),
    "conv_timesteps": P(32, "1", "memlab assumption for rate-coded ANN conversion (latency, steps)", "A",
                        "assumption"),
    "conv_rate": P(0.1, "1", "memlab assumption for rate-coded ANN conversion (spikes per input per step)", "A",
                   "assumption"),
    "area_mm2": P(60.0, "mm^2", DAVIES, "S"),
}, "Intel Loihi (14 nm): Davies'18 Table 2 energies + measured idle and running baseline", "neuromorphic"))

# TrueNorth: the 20 Hz / 128 active synapses per neuron benchmark on all 1,048,576 neurons is
# 2**20 x 20 x 128 = 2.684e9 synaptic events per second; at 26 pJ each (all-in) the chip draws
# 69.8 mW. The marginal energy per event is bounded by the fastest published efficiency,
# 400 GSOPS/W -> 2.5 pJ; the rest of the 69.8 mW is static (leakage + clock) power.
TN_SOPS = 2**20 * 20 * 128
TN_TICK = ("Akopyan et al., TCAD 2015, as read in a public reading note of the paper (fabrizio-ottati.dev, 'Bits "
           "of Chips | TrueNorth'): 'TrueNorth evaluates data only when a tick is passed, i.e. every 1ms'; the "
           "predecessor core (Merolla et al., CICC 2011): the synchronization phase 'occurs once every "
           "millisecond'")
TN_E_SYN = 1 / 400e9
_add(Preset("TrueNorth", "neuromorphic", {
    "n_cores": P(4096, "1", MEROLLA, "P"),
    "neurons_per_core": P(256, "1", MEROLLA, "D", "derived", "1,048,576 neurons / 4096 cores"),
    "axons_per_core": P(256, "1", "Merolla et al., Science 2014 (core: 256 axons, 256x256 crossbar, 256 neurons; "
                        "Fig. 1 caption quoted by a public page)", "S"),
    "synapses_per_core": P(256 * 256, "1", MEROLLA, "D", "derived", "the 256 x 256 crossbar of a core"),
    "fanout_cores": P(1, "1", "Merolla et al., Science 2014 (each neuron sends its spike to one axon)", "S",
                      "datasheet", "reaching more cores needs relay (splitter) neurons"),
    "e_syn": P(TN_E_SYN, "J", "Merolla et al., Science 2014: 400 GSOPS/W maximum efficiency (quoted by an "
               "authorea review of Akopyan et al., TCAD 2015)", "D", "derived",
               "1 / 400 GSOPS/W: energy per event when running as fast as possible, so an upper bound on the "
               "marginal energy (neuron update, routing and what static power remains are inside it)"),
    "e_neuron": P(0.0, "J", MEROLLA, "D", "derived", "inside the marginal 2.5 pJ per synaptic event"),
    "e_neuron_idle": P(0.0, "J", MEROLLA, "D", "derived", "inside the static power"),
    "e_spike": P(0.0, "J", MEROLLA, "D", "derived", "inside the marginal 2.5 pJ per synaptic event"),
    "e_hop": P(0.0, "J", MEROLLA, "D", "derived", "inside the marginal 2.5 pJ per synaptic event"),
    "t_syn": P(1e-3 / (256 * 256), "s", MEROLLA, "D", "derived", "a full 256x256 core crossbar per 1 ms tick"),
    "t_neuron": P(1e-3 / 256, "s", MEROLLA, "D", "derived", "256 neurons per 1 ms tick"),
    "t_barrier": P(0.0, "s", MEROLLA, "D", "derived", "global tick, see t_tick_min"),
    "t_tick_min": P(1e-3, "s", TN_TICK, "S", "datasheet", "the 1 kHz real-time tick"),
    "p_static": P(26e-12 * TN_SOPS - TN_E_SYN * TN_SOPS, "W", "memlab calibration on Merolla et al., Science "
                  "2014: 26 pJ per synaptic event all-in at 20 Hz, 128 synapses per neuron (docs/notes/hardware.md §2 [S])",
                  "D", "calibrated", "26 pJ x 2.684e9 events/s - 2.5 pJ x 2.684e9 events/s = 63.1 mW"),
    "calibrated_on": P("TrueNorth 26 pJ/event all-in at 20 Hz, 128 syn/neuron (Merolla 2014)", "",
                       "memlab calibration", "D", "calibrated", "the one measurement p_static was fitted to"),
    "conv_timesteps": P(32, "1", "memlab assumption for rate-coded ANN conversion (latency, ticks)", "A",
                        "assumption"),
    "conv_rate": P(0.1, "1", "memlab assumption for rate-coded ANN conversion (spikes per input per tick)", "A",
                   "assumption"),
    "p_active": P(0.0, "W", MEROLLA, "D", "derived", "inside p_static: the calibration's 26 pJ is all-in"),
    "t_sample_min": P(0.0, "s", "memlab assumption: no host pacing beyond the 1 ms tick", "A", "assumption"),
    "area_mm2": P(430.0, "mm^2", "Akopyan et al., TCAD 2015 via authorea figure caption (4.3 cm^2)", "S"),
}, "IBM TrueNorth (28 nm): 63 mW static + 2.5 pJ per synaptic event", "neuromorphic"))

_add(Preset("ISAAC", "pim", {
    "rows": P(128, "1", ISAAC, "S"), "cols": P(128, "1", ISAAC, "S"),
    "cell_bits": P(2, "bit", ISAAC, "S"), "dac_bits": P(1, "bit", ISAAC, "S"),
    "arrays_per_ima": P(8, "1", ISAAC, "S"), "adcs_per_ima": P(8, "1", ISAAC, "S"),
    "imas_per_tile": P(12, "1", ISAAC, "S"), "tiles": P(168, "1", ISAAC, "S"),
    "adc_rate": P(1.2e9, "Hz", ISAAC + " (ADC row: 8 b, 1.2 GSps; as quoted by hwcomponents isaac.py)", "S",
                  "datasheet", "one rate for timing and energy: 128 columns / 1.2 GS/s = 106.7 ns per read "
                  "(the paper's text rounds the cycle to 100 ns, i.e. 1.28 GS/s, which its power row does not use)"),
    "adc_model": P("isaac", "", HWC, "S", "datasheet",
                   "1.67 pJ at 8 b, other resolutions from the Saberi-scaled table (ISAAC_ADC_TABLE); "
                   "'survey' = Accelergy fit"),
    "e_adc_8bit": P(16e-3 / (8 * 1.2e9), "J", HWC + " (Kull ISSCC'13 SAR: 16 mW / (8 ADC x 1.2 GS/s))", "D", "derived"),
    "flip_encoding": P(True, "", ISAAC + " eq. 1-2 (weight flipping saves one ADC bit)", "S"),
    "e_dac_1bit": P(0.41667e-12, "J", HWC, "S", "derived", "4 mW / (1024 DACs x drive rate)"),
    "e_shift_add": P(0.021e-12, "J", HWC, "S", "derived"),
    "e_edram": P(20.45e-12 / 32, "J/B", HWC, "D", "derived", "20.45 pJ per 256-bit eDRAM access / 32 B"),
    "edram_bw": P(256 / 8 * 1e9, "B/s", "memlab assumption: 256-bit eDRAM port at 1 GHz per tile", "A", "assumption"),
    "io_bw": P(4 * 6.4e9, "B/s", ISAAC + " (HyperTransport: 4 links, 6.4 GB/s each)", "D", "derived",
               "the chip's 4 links together; one link is 6.4 GB/s (hwcomponents isaac.py IsaacChip2ChipLink)"),
    "e_io": P(26e-12 / 16 * STILLMAKER_65_32, "J/B", HWC + " (IsaacChip2ChipLink: 26 pJ per 128 bit at 65 nm)", "D",
              "derived", "65 nm figure scaled to ISAAC's 32 nm by Stillmaker & Baas, Integration 58 (2017) energy "
              "fit at 0.8 V (x0.531, as tabulated in Accelergy hwcomponents scaling/techscaling.py); link "
              "energy that does not scale with logic would make this optimistic"),
    "edram_bytes": P(64 * 1024, "B", ISAAC + " (eDRAM buffer 64 KB per tile)", "S"),
    "e_noc": P(20.74e-12 / 32, "J/B", HWC + " (IsaacRouter: 20.74 pJ per 256-bit transfer, 32 nm)", "D", "derived",
               "per byte and router hop"),
    "noc_hops": P(1.0, "1", "memlab assumption: consecutive layers on neighbouring tiles (ISAAC maps layers in "
                  "pipeline order)", "A", "assumption"),
    "e_write_cell": P(0.6e-12, "J", "NVSim/NVMExplorer sample RRAM cell (accelergy-neurosim-plug-in): SET/RESET "
                      "2 V, 10 ns, 0.6 pJ", "P", "datasheet", "per cell and programming pulse"),
    "t_write_pulse": P(10e-9, "s", "NVSim/NVMExplorer sample RRAM cell (accelergy-neurosim-plug-in)", "P"),
    "write_pulses": P(1, "1", "memlab assumption: one pulse per cell (no write-verify loop)", "A", "assumption",
                      "write-verify programming takes several pulses per cell: raise it for analog weights"),
    "g_on": P(1e-5, "S", "NVSim/NVMExplorer sample cell Ron 100 kOhm (accelergy-neurosim-plug-in)", "P"),
    "g_off": P(1e-7, "S", "NVSim/NVMExplorer sample cell Roff 10 MOhm (accelergy-neurosim-plug-in)", "P"),
    "v_read": P(0.085, "V", "memlab calibration", "D", "calibrated",
                "read voltage at which the arrays/ solve gives ~ISAAC's 0.3 mW per 128x128 array (2.4 mW / 8)"),
    "r_wire": P(0.35, "ohm", "IBM aihwkit default ir_drop wire resistance (docs/notes/solvers.md §3)", "S",
                "datasheet", "per cell segment, word and bit lines"),
    "r_driver": P(0.0, "ohm", "memlab assumption: ideal drivers", "A", "assumption"),
    "adc_bits_cap": P(0, "bit", "memlab assumption: no cap, the ADC has the resolution the policy asks for", "A",
                      "assumption"),
    "r_sense": P(0.0, "ohm", "memlab assumption: ideal virtual-ground sense", "A", "assumption"),
    "c_seg": P(0.2e-15 * 0.064 * 10, "F", "memlab assumption: ~0.2 fF/um wire over a 0.64 um segment", "A",
               "assumption", "only enters the settling estimate"),
    "precision_policy": P("rows", "", "memlab default: keep exact column sums", "A", "assumption",
                          "'ideal' reproduces the paper's assumption (no IR drop)"),
    "digital_ops": P(168 * 16e9, "op/s", "memlab assumption: a 16-op/cycle 1 GHz digital unit per tile", "A",
                     "assumption", "ISAAC has no digital GEMM unit; used for activation x activation GEMMs"),
    "e_mac_digital": P(1.1e-12 + 0.4e-12, "J", HOROWITZ, "D", "derived", "fp16 mult 1.1 + add 0.4 pJ"),
    "p_static": P(isaac_background_power(12, 168), "W", ISAAC + " via hwcomponents/isaac.py", "D", "derived",
                  "Table I power of the parts not counted per event (registers, S+H, bus, router, sigmoid, "
                  "maxpool): ~37.9 mW x 168 tiles, burnt while a layer runs"),
}, "ISAAC (32 nm) with arrays/-derived crossbar physics", "PIM"))

DARK_ROOF_CAL = 8.106  # see the note of "bandwidth_roof"
ESM_T1 = (ESM + ", Table 1 (device scaling, 45 -> 8 nm), as transcribed in the Lumos code "
          "(UVA-LPA lumos tech scaling tables: vdd/freq/power_scl 'itrs' and 'cons')")
ESM_PARETO = ESM + " Sec. 4 (M-Core): 45 nm Pareto frontiers fitted to measured processors [" + UNVERIFIED + "]"
_PARETO_NOTE = (UNVERIFIED + " (the paper's body text was not reachable with `search`); lowest order first, "
                "q = SPECmark")

_add(Preset("dark-silicon-45nm", "darksilicon", {
    "area_budget_mm2": P(111.0, "mm^2", ESM + " (core area budget) [" + UNVERIFIED + "]", "M", "datasheet",
                            "recalled; the paper's body text was not reachable with `search`"),
    "tdp_W": P(125.0, "W", ESM + " (power budget) [" + UNVERIFIED + "]", "M", "datasheet",
                  "recalled; the paper's body text was not reachable with `search`"),
    "p_uncore_W": P(0.0, "W", "memlab assumption: budgets are for the cores only, as in the paper", "A",
                    "assumption"),
    "parallel_fraction": P(0.99, "1", "memlab assumption: PARSEC-like, highly parallel", "A", "assumption",
                           "one number standing in for the paper's PARSEC mix (its per-benchmark fractions were "
                           "not reachable here)"),
    "scaling": P("itrs", "", ESM_T1, "S"),
    "topology": P("symmetric", "", ESM + " (CPU-like symmetric multicore)", "S"),
    "baseline_cores": P(4, "1", ESM + " (speedups normalised to a quad-core at 45 nm) [" + UNVERIFIED + "]", "M",
                        "datasheet", "the 4 baseline cores fill the area budget"),
    "bandwidth_roof": P(DARK_ROOF_CAL, "1", "memlab calibration", "D", "calibrated",
                        "fitted so the symmetric ITRS chip gives the paper's 7.9x speedup at 8 nm (abstract): the "
                        "multiple of the 45 nm quad-core's parallel throughput that off-chip bandwidth can feed"),
    "q_min": P(2.0, "SPECmark", "memlab assumption: low end of the 45 nm frontier", "A", "assumption"),
    "q_max": P(45.0, "SPECmark", "memlab assumption: high end of the 45 nm frontier", "A", "assumption"),
    "q_points": P(430, "1", "memlab assumption: 0.1 SPECmark grid", "A", "assumption"),
    "pareto_power_W": P((-0.0301, 0.3859, 0.0009, 0.0002), "W", ESM_PARETO, "M", "datasheet", _PARETO_NOTE),
    "pareto_area_mm2": P((7.4393, 0.0265, 0.0152), "mm^2", ESM_PARETO, "M", "datasheet", _PARETO_NOTE),
    "area_factor": P({45: 1.0, 32: 0.5, 22: 0.25, 16: 0.125, 11: 0.0625, 8: 0.03125}, "1",
                     ESM_T1 + " (area_scl: halves per node)", "S"),
    "power_factor_itrs": P({45: 1.0, 32: 0.66, 22: 0.54, 16: 0.38, 11: 0.25, 8: 0.12}, "1", ESM_T1, "S"),
    "power_factor_conservative": P({45: 1.0, 32: 0.71, 22: 0.52, 16: 0.39, 11: 0.29, 8: 0.22}, "1", ESM_T1, "S"),
    "freq_factor_itrs": P({45: 1.0, 32: 1.09, 22: 2.38, 16: 3.21, 11: 4.17, 8: 3.85}, "1", ESM_T1, "S"),
    "freq_factor_conservative": P({45: 1.0, 32: 1.10, 22: 1.19, 16: 1.25, 11: 1.30, 8: 1.34}, "1", ESM_T1, "S"),
}, "Power- and area-capped multicore with Pareto-frontier cores (Esmaeilzadeh et al., ISCA 2011)", "multicore"))

# chips that ``compare`` evaluates by default (the dark-silicon preset is not a workload chip)
DEFAULT_CHIPS = ("Haswell-E5-2699v3", "V100", "A100", "H100", "VC707-Zhang15", "ZC706-Qiu16", "VX485T-Zhang15",
                 "TPU-v1", "Loihi", "TrueNorth", "ISAAC")


def preset_names(model: str | None = None) -> list[str]:
    return [n for n, p in PRESETS.items() if model is None or p.model == model]


def get_preset(name: str) -> Preset:
    from memlab.errors import ConfigError
    if isinstance(name, Preset):
        return name
    if not isinstance(name, str) or name not in PRESETS:
        raise ConfigError(f"parameter 'preset' = {name!r:.80} is an unknown preset (give a name or a Preset); "
                          f"known presets: {sorted(PRESETS)}")
    return PRESETS[name]
