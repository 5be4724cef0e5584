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
DAVIES = "Davies et al., IEEE Micro 38(1) 2018, Table 2 (pre-silicon figures, via transcription)"
MEROLLA = "Merolla et al., Science 345 2014; Akopyan et al., TCAD 2015"
ISAAC = "Shafiee et al., ISCA 2016 (corrected 5 Oct 2016), Table I"
HWC = "Accelergy-Project/hwcomponents-library isaac.py (quotes ISAAC Table I)"
ESM = "Esmaeilzadeh et al., ISCA 2011"
GPUCAT = "HF gpu_catalog (huggingface.co/RajBhope/gpu-runtime-predictor gpu_catalog.json)"
LUMOS = "Lumos-style scaling tables (ITRS / conservative), docs/notes/hardware.md §2"

E_SRAM_1MB = P(100e-12 / 8, "J/B", HOROWITZ, "D", "derived", "SRAM 1 MB read 100 pJ per 64-bit access / 8 B; 45 nm, unscaled")
E_DDR = P(1.95e-9 / 8, "J/B", HOROWITZ, "D", "derived", "DRAM 1.3-2.6 nJ per 64-bit access: midpoint / 8 B")
E_HBM = P(3.9e-12 * 8, "J/B", "O'Connor et al., MICRO 2017 (HBM2 ~3.9 pJ/bit)", "M", "datasheet",
          "recalled, not found at a source: check")
STATIC_FRAC = 0.2
STATIC_NOTE = ("no published idle figure used: memlab assumes p_static = 0.2 x TDP; override with a measured "
               "idle power")


def _e_mac_from_tdp(tdp, p_static, bw, e_dram, peak_ops, label):
    """Energy per MAC if the dynamic budget left at full DRAM bandwidth goes to compute."""
    val = (tdp - p_static - bw * e_dram) / (peak_ops / 2)
    return P(val, "J", f"derived from this preset's tdp, p_static, dram_bw, e_dram and peak_ops_{label}", "D",
             "derived", "(TDP - P_static - BW*e_DRAM) / peak MAC rate: an upper bound on energy per MAC at peak")


def _roofline(name, kind, desc, peaks, dram_bw, e_dram, onchip_bytes, onchip_bw, tdp, area, eff=None):
    p_static = P(STATIC_FRAC * tdp.value, "W", "memlab assumption", "A", "assumption", STATIC_NOTE)
    d = {f"peak_ops_{k}": v for k, v in peaks.items()}
    for k, v in peaks.items():
        d[f"e_mac_{k}"] = _e_mac_from_tdp(tdp.value, p_static.value, dram_bw.value, e_dram.value, v.value, k)
    d.update(dram_bw=dram_bw, e_dram=e_dram, onchip_bytes=onchip_bytes, onchip_bw=onchip_bw,
             e_onchip=E_SRAM_1MB, p_static=p_static, tdp=tdp, area_mm2=area,
             efficiency=eff or P(1.0, "1", "roofline bound (Williams et al., CACM 2009)", "A", "assumption",
                                 "1.0 = the roof itself; set a measured sustained fraction to predict"))
    return Preset(name, "roofline", d, desc, kind)


PRESETS: dict[str, Preset] = {}


def _add(p: Preset):
    PRESETS[p.name] = p


_add(_roofline(
    "Haswell-E5-2699v3", "CPU", "18-core Haswell server CPU (the TPU paper's CPU)",
    {"fp32": P(1.3e12, "op/s", JOUPPI_T2, "S"),
     "fp16": P(1.3e12, "op/s", JOUPPI_T2, "D", "derived", "no fp16 arithmetic on Haswell: runs at the fp32 rate"),
     "int8": P(2.6e12, "op/s", JOUPPI_T2, "S")},
    P(51e9, "B/s", JOUPPI_T2, "S"), E_DDR,
    P(45 * 2**20, "B", "Intel E5-2699 v3 product brief (45 MB LLC)", "M", "datasheet", "recalled: check"),
    P(18 * 32 * 2.3e9, "B/s", "memlab assumption: 18 cores x 32 B/cycle L3 x 2.3 GHz", "A", "assumption"),
    P(145.0, "W", JOUPPI_T2, "S"), P(662.0, "mm^2", JOUPPI_T2, "S")))

_add(_roofline(
    "V100", "GPU", "NVIDIA V100 SXM2 (HBM2)",
    {"fp32": P(15.7e12, "op/s", GPUCAT, "S"),
     "fp16": P(125e12, "op/s", "HF gpu_catalog (tensor-core fp16)", "S"),
     "int8": P(125e12, "op/s", "HF gpu_catalog (tensor-core fp16)", "D", "derived",
               "Volta has no int8 tensor-core path: int8 layers run at the fp16 tensor rate")},
    P(900e9, "B/s", "HF gpu_catalog", "S"), E_HBM,
    P(6 * 2**20, "B", GPUCAT + " (l2_cache_mb 6)", "S"),
    P(2.5e12, "B/s", "memlab assumption (L2 bandwidth order of magnitude)", "A", "assumption"),
    P(300.0, "W", "HF gpu_catalog", "S"), P(815.0, "mm^2", "NVIDIA Volta whitepaper", "M", "datasheet", "recalled: check")))

_add(_roofline(
    "A100", "GPU", "NVIDIA A100 80 GB SXM",
    {"fp32": P(19.5e12, "op/s", GPUCAT, "S"),
     "fp16": P(312e12, "op/s", "HF gpu_catalog (fp16 dense)", "S"),
     "int8": P(624e12, "op/s", "NVIDIA A100 datasheet (int8 dense)", "M", "datasheet", "recalled: check")},
    P(2039e9, "B/s", "gpu_catalog; cloud-atlas notes (80 GB SXM)", "S"), E_HBM,
    P(40 * 2**20, "B", GPUCAT + " (l2_cache_mb 40)", "S"),
    P(5e12, "B/s", "memlab assumption (L2 bandwidth order of magnitude)", "A", "assumption"),
    P(400.0, "W", "HF gpu_catalog", "S"), P(826.0, "mm^2", "NVIDIA Ampere whitepaper", "M", "datasheet", "recalled: check")))

_add(_roofline(
    "H100", "GPU", "NVIDIA H100 SXM",
    {"fp32": P(66.9e12, "op/s", "glennklockwood.com/garden/processors/h100 (FP32 VFMA)", "S"),
     "fp16": P(989.4e12, "op/s", "glennklockwood.com/garden/processors/h100 (dense fp16/bf16)", "S"),
     "int8": P(1978.9e12, "op/s", "glennklockwood.com/garden/processors/h100 (INT8 dense)", "S")},
    P(3.35e12, "B/s", "glennklockwood.com/garden/processors/h100", "S"), E_HBM,
    P(50 * 2**20, "B", "3eyedtech.com/gpgpu (H100 SXM5: 50 MB L2)", "S"),
    P(10e12, "B/s", "memlab assumption (L2 bandwidth order of magnitude)", "A", "assumption"),
    P(700.0, "W", "glennklockwood.com/garden/processors/h100", "S"),
    P(814.0, "mm^2", "NVIDIA Hopper whitepaper", "M", "datasheet", "recalled: check")))


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


_add(_fpga(
    "VC707-Zhang15", "Zhang et al. FPGA'15 AlexNet accelerator, Virtex-7 485T, fp32",
    P(2240, "1", "Zhang et al., FPGA 2015 (Tm=64, Tn=7: 448 fp32 MAC units x 5 DSP)", "M", "datasheet",
      "recalled: check"),
    P(100e6, "Hz", "Zhang et al., FPGA 2015 via repo notes", "S"),
    {"fp32": P(5, "1", "Zhang et al., FPGA 2015 (fp32 mult 3 DSP + add 2 DSP)", "M", "datasheet", "recalled"),
     "fp16": P(1, "1", "memlab assumption: one DSP48 per 16-bit fixed MAC", "A", "assumption"),
     "int8": P(1, "1", "memlab assumption: one DSP48 per 8-bit MAC (no packing)", "A", "assumption")},
    P(61.62e9 / 89.6e9, "1", "Zhang et al., FPGA 2015: 61.62 GFLOPS [S] / (2 x 448 x 100 MHz) [D]", "D", "derived",
      "sustained fraction of the DSP roof"),
    P(18.61, "W", "Zhang et al., FPGA 2015 via repo notes", "S"),
    P(12.8e9, "B/s", "VC707 DDR3-1600 64-bit SODIMM", "M", "datasheet", "recalled: check"),
    P(37e6 / 8, "B", "Virtex-7 485T block RAM (37 Mb)", "M", "datasheet", "recalled: check"), "zhang"))

_add(_fpga(
    "ZC706-Qiu16", "Qiu et al. FPGA'16 VGG-16 accelerator, Zynq ZC706, 16-bit fixed",
    P(780, "1", "Qiu et al., FPGA 2016 (DSP usage)", "M", "datasheet", "recalled: check"),
    P(150e6, "Hz", "Qiu et al., FPGA 2016", "M", "datasheet", "recalled: check"),
    {"fp32": P(5, "1", "memlab assumption (as VC707)", "A", "assumption"),
     "fp16": P(1, "1", "Qiu et al., FPGA 2016: 16-bit fixed MAC per DSP", "M", "datasheet", "recalled"),
     "int8": P(1, "1", "memlab assumption: one DSP48 per 8-bit MAC", "A", "assumption")},
    P(137e9 / (2 * 780 * 150e6), "1", "Qiu et al., FPGA 2016: 137 GOP/s conv [S] / DSP roof [D]", "D", "derived"),
    P(9.63, "W", "Qiu et al., FPGA 2016 via repo notes", "S"),
    P(4.2e9, "B/s", "ZC706 PL DDR3", "M", "datasheet", "recalled: check"),
    P(545 * 36 * 1024 / 8, "B", "XC7Z045 block RAM (545 x 36 Kb)", "M", "datasheet", "recalled: check"), "qiu"))

_add(Preset("TPU-v1", "systolic", {
    "rows": P(256, "1", JOUPPI, "P", "datasheet", "65,536 8-bit MACs = 256 x 256"),
    "cols": P(256, "1", JOUPPI, "P"),
    "clock_hz": P(700e6, "Hz", JOUPPI_T2, "S"),
    "dataflow": P("ws", "", JOUPPI, "S", "datasheet", "weights stationary, activations systolic"),
    "ub_bytes": P(24 * 2**20, "B", JOUPPI, "P", "datasheet", "24 MiB unified buffer"),
    "weight_buf_bytes": P(4 * 256 * 256, "B", "Jouppi et al., ISCA 2017 (weight FIFO four 64 KiB tiles deep)", "M",
                          "datasheet", "recalled: check"),
    "acc_bits": P(32, "bit", "Jouppi et al., ISCA 2017 (4 MiB of 32-bit accumulators)", "S"),
    "dram_bw": P(34e9, "B/s", JOUPPI_T2 + " (8 GiB DDR3-2133)", "S"),
    "e_mac": P(0.2e-12 + 0.1e-12, "J", HOROWITZ, "D", "derived", "int8 mult 0.2 pJ + 32-bit add 0.1 pJ (45 nm)"),
    "e_sram": E_SRAM_1MB, "e_dram": E_DDR,
    "p_static": P(28.0, "W", "Jouppi et al., ISCA 2017 (idle power)", "M", "measured", "recalled: check"),
    "tdp": P(75.0, "W", JOUPPI_T2, "S"),
    "area_mm2": P(331.0, "mm^2", JOUPPI_T2, "S", "datasheet", "'<331 mm^2': upper bound"),
}, "Google TPU v1 (28 nm, 8-bit)", "ASIC"))

_add(Preset("Loihi", "neuromorphic", {
    "n_cores": P(128, "1", DAVIES, "S"),
    "neurons_per_core": P(1024, "1", DAVIES, "D", "derived", "131,072 neurons / 128 cores"),
    "e_syn": P(23.6e-12, "J", DAVIES, "S", "simulated", "synaptic op, no learning (minimum)"),
    "e_neuron": P(81e-12, "J", DAVIES, "S", "simulated", "active neuron update"),
    "e_spike": P(1.7e-12, "J", DAVIES, "S", "simulated", "spike within a tile"),
    "e_hop": P(3.5e-12, "J", DAVIES, "D", "derived", "mean of E-W 3.0 and N-S 4.0 pJ per hop"),
    "t_syn": P(3.5e-9, "s", DAVIES, "S", "simulated", "synaptic op, max latency"),
    "t_neuron": P(8.4e-9, "s", DAVIES, "S", "simulated", "active neuron update"),
    "t_barrier": P(465e-9, "s", DAVIES, "S", "simulated", "barrier sync across 32 tiles (113 ns for 1)"),
    "t_tick_min": P(0.0, "s", "memlab assumption: Loihi steps as fast as the barrier allows", "A", "assumption"),
    "p_static": P(0.0, "W", "memlab assumption: Table 2 gives no leakage figure", "A", "assumption",
                  "set a measured static power for silicon-level estimates"),
    "conv_timesteps": P(32, "1", "memlab assumption for rate-coded ANN conversion", "A", "assumption"),
    "conv_rate": P(0.1, "1", "memlab assumption for rate-coded ANN conversion", "A", "assumption"),
    "area_mm2": P(60.0, "mm^2", DAVIES, "S"),
}, "Intel Loihi (14 nm), Davies'18 Table 2 energies", "neuromorphic"))

_add(Preset("TrueNorth", "neuromorphic", {
    "n_cores": P(4096, "1", MEROLLA, "P"),
    "neurons_per_core": P(256, "1", MEROLLA, "D", "derived", "1,048,576 neurons / 4096 cores"),
    "e_syn": P(26e-12, "J", MEROLLA, "S", "measured", "all-in energy per synaptic event at 20 Hz, 0.775 V"),
    "e_neuron": P(0.0, "J", MEROLLA, "D", "derived", "included in the all-in 26 pJ"),
    "e_spike": P(0.0, "J", MEROLLA, "D", "derived", "included in the all-in 26 pJ"),
    "e_hop": P(0.0, "J", MEROLLA, "D", "derived", "included in the all-in 26 pJ"),
    "t_syn": P(1e-3 / (256 * 256), "s", MEROLLA, "D", "derived", "a full 256x256 core crossbar per 1 ms tick"),
    "t_neuron": P(1e-3 / 256, "s", MEROLLA, "D", "derived", "256 neurons per 1 ms tick"),
    "t_barrier": P(0.0, "s", MEROLLA, "D", "derived", "global tick, see t_tick_min"),
    "t_tick_min": P(1e-3, "s", "Merolla et al., Science 2014 (1 kHz real-time tick)", "M", "datasheet", "recalled: check"),
    "p_static": P(0.0, "W", MEROLLA, "D", "derived", "included in the all-in 26 pJ (65 mW typical chip power)"),
    "conv_timesteps": P(32, "1", "memlab assumption for rate-coded ANN conversion", "A", "assumption"),
    "conv_rate": P(0.1, "1", "memlab assumption for rate-coded ANN conversion", "A", "assumption"),
    "area_mm2": P(430.0, "mm^2", "Akopyan et al., TCAD 2015 via authorea figure caption (4.3 cm^2)", "S"),
}, "IBM TrueNorth (28 nm), all-in 26 pJ per synaptic event", "neuromorphic"))

_add(Preset("ISAAC", "pim", {
    "rows": P(128, "1", ISAAC, "S"), "cols": P(128, "1", ISAAC, "S"),
    "cell_bits": P(2, "bit", ISAAC, "S"), "dac_bits": P(1, "bit", ISAAC, "S"),
    "arrays_per_ima": P(8, "1", ISAAC, "S"), "adcs_per_ima": P(8, "1", ISAAC, "S"),
    "imas_per_tile": P(12, "1", ISAAC, "S"), "tiles": P(168, "1", ISAAC, "S"),
    "adc_rate": P(1.28e9, "Hz", ISAAC + " text (1.28 GS/s; Table I says 1.2)", "S", "datasheet",
                  "128 columns / 1.28 GS/s = ISAAC's 100 ns read cycle"),
    "adc_model": P("isaac", "", HWC, "S", "datasheet", "1.67 pJ at 8 b scaled 2^(b-8); 'survey' = Accelergy fit"),
    "e_adc_8bit": P(16e-3 / (8 * 1.2e9), "J", HWC + " (Kull ISSCC'13 SAR: 16 mW / (8 ADC x 1.2 GS/s))", "D", "derived"),
    "flip_encoding": P(True, "", ISAAC + " eq. 1-2 (weight flipping saves one ADC bit)", "S"),
    "e_dac_1bit": P(0.41667e-12, "J", HWC, "S", "derived", "4 mW / (1024 DACs x drive rate)"),
    "e_shift_add": P(0.021e-12, "J", HWC, "S", "derived"),
    "e_edram": P(20.45e-12 / 32, "J/B", HWC, "D", "derived", "20.45 pJ per 256-bit eDRAM access / 32 B"),
    "edram_bw": P(256 / 8 * 1e9, "B/s", "memlab assumption: 256-bit eDRAM port at 1 GHz per tile", "A", "assumption"),
    "io_bw": P(6.4e9, "B/s", HWC + " (HyperTransport 6.4 GB/s)", "S"),
    "e_io": P(26e-12 / 16, "J/B", HWC, "D", "derived", "26 pJ per 128-bit chip-to-chip transfer / 16 B"),
    "g_on": P(1e-5, "S", "NVSim/NVMExplorer sample cell Ron 100 kOhm (accelergy-neurosim-plug-in)", "P"),
    "g_off": P(1e-7, "S", "NVSim/NVMExplorer sample cell Roff 10 MOhm (accelergy-neurosim-plug-in)", "P"),
    "v_read": P(0.085, "V", "memlab calibration", "D", "calibrated",
                "read voltage at which the arrays/ solve gives ~ISAAC's 0.3 mW per 128x128 array (2.4 mW / 8)"),
    "r_wire": P(0.35, "ohm", "IBM aihwkit default ir_drop wire resistance (docs/notes/solvers.md §3)", "S",
                "datasheet", "per cell segment, word and bit lines"),
    "r_driver": P(0.0, "ohm", "memlab assumption: ideal drivers", "A", "assumption"),
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

_add(Preset("dark-silicon-45nm", "darksilicon", {
    "area_budget_mm2": P(111.0, "mm^2", ESM + " (chip area budget)", "M", "datasheet", "recalled: check"),
    "tdp_W": P(125.0, "W", ESM + " (power budget)", "M", "datasheet", "recalled: check"),
    "p_uncore_W": P(0.0, "W", "memlab assumption: uncore power folded into the cores", "A", "assumption"),
    "core_area_45_mm2": P(5.55, "mm^2", "memlab assumption: 20 cores fill 111 mm^2 at 45 nm", "A", "assumption"),
    "core_power_45_W": P(3.645, "W", "memlab calibration", "D", "calibrated",
                         "chosen so the ITRS table gives the paper's 21% dark at 22 nm; 8 nm is then a prediction"),
    "parallel_fraction": P(0.99, "1", "memlab assumption (Amdahl)", "A", "assumption"),
    "scaling": P("itrs", "", LUMOS, "S"),
    "area_factor": P({45: 1.0, 32: 0.5, 22: 0.25, 16: 0.125, 11: 0.0625, 8: 0.03125}, "1",
                     "docs/notes/hardware.md §3 (area halves per node)", "D", "derived"),
    "power_factor_itrs": P({45: 1.0, 32: 0.66, 22: 0.54, 16: 0.38, 11: 0.25, 8: 0.12}, "1", LUMOS, "S"),
    "power_factor_conservative": P({45: 1.0, 32: 0.71, 22: 0.52, 16: 0.39, 11: 0.29, 8: 0.22}, "1", LUMOS, "S"),
    "freq_factor_itrs": P({45: 1.0, 32: 1.09, 22: 2.38, 16: 3.21, 11: 4.17, 8: 3.85}, "1", LUMOS, "S"),
}, "Power-capped multicore at fixed area and power (Esmaeilzadeh'11 style)", "multicore"))

# chips that ``compare`` evaluates by default (the dark-silicon preset is not a workload chip)
DEFAULT_CHIPS = ("Haswell-E5-2699v3", "V100", "A100", "H100", "VC707-Zhang15", "ZC706-Qiu16", "TPU-v1",
                 "Loihi", "TrueNorth", "ISAAC")


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
