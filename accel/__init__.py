"""memlab.accel: system-level models of AI chips fed by the array results.

Workloads (:class:`Workload` of :class:`Layer` objects, a zoo, YAML/JSON loading) are
evaluated on chip models sharing ``evaluate(workload) -> Report``: roofline CPU (a bound),
a multi-instance server-CPU model beyond the roofline (:class:`CPUChip`, calibrated on one
MLPerf measurement),
a GPU model beyond the roofline (tile/wave quantisation, launch overhead, L2 reuse, TDP cap)
calibrated on published MLPerf / TensorRT measurements (:data:`MEASUREMENTS`),
DSP-budget FPGA, loop-tiled FPGA (Zhang FPGA'15, design found by search), systolic ASIC
(TPU v1), event-driven neuromorphic (Loihi, TrueNorth)
and memristor PIM (ISAAC) whose crossbar read energy and usable ADC resolution come from
an exact Kirchhoff solve in :mod:`memlab.arrays`. :class:`DarkSiliconModel` gives the dark
fraction of a power-capped multicore per node. Every preset constant carries a source;
every :class:`Report` says whether its figures are a ``bound``, ``calibrated`` or
``predicted`` (``report.kind``) and its error against any published measurement of that
case (``report.validation_error``).
All quantities are SI (s, J, W, B, op/s).

Quick start::

    from memlab import accel
    table = accel.compare_chips("resnet50", out_dir="out")   # CSV + Markdown + 2 plots
    print(table)
    isaac = accel.make_chip("ISAAC", r_wire=0.7)        # override any constant
    report = isaac.evaluate("resnet18")                 # a bound (layer by layer)
    result = isaac.pipeline(mapped, x, y)               # a memlab.networks MappedNetwork: a prediction
    front = accel.design_search(net, x, y, space={"rows": [64, 128], "adc_bits": [4, 6, 8]})
"""
from ._adc import (ISAAC_ADC_AREA, ISAAC_ADC_TABLE, adc_energy_isaac, adc_energy_survey, dac_energy, isaac_adc_bits,
                   isaac_adc_scale, walden_fom)
from ._base import HardwareModel
from ._chips import MODEL_CLASSES, chip_names, make_chip
from ._compare import ComparisonTable, compare_chips, evaluate_all
from ._darksilicon import NODES_NM, DarkSiliconModel, DarkSiliconResult
from ._fpga import TiledFPGA
from ._gpu import GPUChip, calibrate_gpu, gemm_schedule
from ._neuromorphic import NeuromorphicChip
from ._params import Constant, Preset, Spec
from ._pim import ISAAC_TABLE_I, PIMChip, isaac_rebuild
from ._pim_physics import CrossbarFigures, crossbar_figures
from ._pim_pipeline import PipelineResult
from ._pim_system import PIMDesign, SystemResult, evaluate_system
from ._search import DESIGN_OBJECTIVES, DesignSearchResult, design_search
from ._plot import plot_energy_breakdown, plot_roofline
from ._presets import DEFAULT_CHIPS, PRESETS, get_preset, preset_names
from ._report import COMPONENTS, KINDS, LayerResult, Report
from ._roofline import FPGA, RooflineChip
from ._systolic import SystolicArray, fold_cycles, systolic_counts
from ._workload import (LAYER_KINDS, Attention, Conv2d, Gemm, GemmOp, Layer, Linear, Recurrent, Spiking,
                        Workload, load_workload)
from ._measurements import MEASUREMENTS, ChipMeasurement, measurements_for
from ._cpu import CPUChip, calibrate_cpu
from ._zoo import TPU_V1_TABLE1, ZOO, get_workload, tpu_v1_workloads, zoo_names

__all__ = [
    "Layer", "Conv2d", "Linear", "Gemm", "Recurrent", "Attention", "Spiking", "GemmOp", "Workload",
    "load_workload", "LAYER_KINDS", "ZOO", "zoo_names", "get_workload", "tpu_v1_workloads", "TPU_V1_TABLE1",
    "Constant", "Preset", "Spec", "PRESETS", "DEFAULT_CHIPS", "get_preset", "preset_names",
    "HardwareModel", "RooflineChip", "FPGA", "SystolicArray", "fold_cycles", "systolic_counts", "NeuromorphicChip", "PIMChip",
    "MODEL_CLASSES", "make_chip", "Report", "LayerResult", "COMPONENTS", "KINDS",
    "ISAAC_TABLE_I", "isaac_rebuild", "CrossbarFigures", "crossbar_figures",
    "adc_energy_survey", "adc_energy_isaac", "walden_fom", "dac_energy", "isaac_adc_bits",
    "DarkSiliconModel", "DarkSiliconResult", "NODES_NM", "TiledFPGA",
    "compare_chips", "ComparisonTable", "evaluate_all", "plot_roofline", "plot_energy_breakdown",
    "GPUChip", "calibrate_gpu", "gemm_schedule", "chip_names", "ChipMeasurement", "MEASUREMENTS", "measurements_for",
    "PipelineResult", "design_search", "DesignSearchResult", "DESIGN_OBJECTIVES", "ISAAC_ADC_TABLE", "ISAAC_ADC_AREA",
    "isaac_adc_scale",
    "CPUChip", "calibrate_cpu",
    "PIMDesign", "SystemResult", "evaluate_system",
]


from memlab._deprecate import renamed as _renamed  # noqa: E402

__getattr__ = _renamed('memlab.accel', {'compare': 'compare_chips', 'Param': 'Constant'}, globals())
