"""memlab: circuit-level modelling of memristors and the AI hardware built from them.

Subpackages, in their one-way order: :mod:`memlab.devices`, :mod:`memlab.circuits`,
:mod:`memlab.arrays`, :mod:`memlab.networks`, :mod:`memlab.accel`, :mod:`memlab.analysis` (and the sweep engine
:mod:`memlab.sweep`). Every public name of every subpackage is also reachable here
(``memlab.VTEAM``, ``memlab.Crossbar``); a name means one object everywhere. The
subpackages load on first use (PEP 562), so ``import memlab`` stays cheap and the command
line starts fast. All quantities are SI (V, A, ohm, S, s, J).
"""
from __future__ import annotations

import importlib

from memlab import errors
from memlab._version import __version__
from memlab.errors import ConvergenceError, MemlabError, ParameterError

#: public names of each subpackage (kept equal to their ``__all__`` by tests/test_architecture.py)
_EXPORTS = {
    'memlab.devices': (
        'Param', 'StateVar', 'DeviceModel', 'windows', 'HPLinearDrift', 'TEAM', 'VTEAM', 'Yakopcic',
        'StanfordPKU', 'KnowmMSS', 'ThresholdMemristor', 'SinhConductance', 'Selector', 'MODELS',
        'Drive', 'Sine', 'Triangle', 'PulseTrain', 'PWL', 'simulate', 'Trace', 'get_model',
        'Resistor', 'SeriesCell', 'StochasticSwitch', 'PCM', 'MOSFET', 'spread', 'cycle_to_cycle', 'quantize', 'read_noise',
        'drift', 'stuck_at', 'Measurement', 'load_knowm', 'load_knowm_set', 'load_loop_csv',
        'load_loop', 'load_loops', 'FitSettings', 'FitResult', 'ResistorFit', 'ModelComparison', 'fit',
        'fit_resistor', 'evaluate', 'compare_models', 'fit_files', 'plot_fit', 'loop_error',
        'plot_iv', 'plot_loops', 'si_scale', 'IVDemo', 'FitDefaults', 'knowm_data_dir',
        'FlickerNoise', 'TelegraphNoise', 'telegraph', 'flicker', 'K_B_EV', 'arrhenius', 'Relaxation',
        'RELAXATION', 'relax', 'Endurance', 'ENDURANCE', 'endurance_window', 'endurance_model',
        'MottSelector', 'DataDriven',
        'JARTVCM',
    ),
    'memlab.circuits': (
        'NgspiceBSourcePrinter', 'VerilogAPrinter', 'ngspice_code', 'verilog_a_code',
        'known_functions_ngspice', 'known_functions_veriloga', 'DeviceSubcircuit', 'subcircuit',
        'subckt_name', 'Cell', 'OneR', 'OneS1R', 'OneT1R', 'NgspiceRunner', 'NgspiceResult',
        'get_runner', 'run_netlist', 'simulate_cell', 'solve_cell', 'characterize', 'cell_netlist',
        'compare_traces', 'TraceComparison', 'DCSweep', 'NGSPICE_OPTIONS', 'write_verify',
        'ProgramResult', 'verilog_a_module', 'crossbar_netlist', 'simulate_crossbar_op',
        'CrossbarOp',
        'crossbar_tran_netlist', 'simulate_crossbar_tran', 'CrossbarTran',
    ),
    'memlab.arrays': (
        'Crossbar', 'CrossbarSolution', 'CrossbarFactorization', 'AutoPolicy', 'IterationInfo', 'CrossbarGradient', 'compensate',
        'CompensationResult',
        'quantize_uniform', 'factor_bytes', 'AnalogMatrix', 'MVMReport', 'relative_error',
        'column_error', 'snr_db', 'ProgrammingNoise', 'DeviceSpread', 'FiniteLevels', 'ReadNoise',
        'Drift', 'StuckAt', 'WriteReport', 'write_bias', 'write_scheme',
        'LineDrives', 'write_drives', 'TransientCrossbar', 'ArrayTrace', 'ISPP', 'FixedPulses', 'ProgramReport',
        'program_array', 'read_conductance', 'DisturbReport', 'disturb_study', 'UpdateRule', 'apply_update',
        'layer_forward', 'train_layer', 'TrainHistory',
    ),
    'memlab.networks': (
        'NetLayer', 'Network', 'from_arrays', 'load_onnx', 'SUPPORTED_OPS', 'from_torch', 'to_onnx',
        'Tile', 'TiledMatrix', 'map_network', 'MappedNetwork', 'device_window', 'NetworkReport',
        'Dataset', 'as_dataset', 'digits', 'load_mnist', 'load_cifar10', 'load_dataset', 'read_idx',
        'map_model', 'parse_tile',
        'fine_tune', 'FineTuneResult',
    ),
    'memlab.accel': (
        'Layer', 'Conv2d', 'Linear', 'Gemm', 'Recurrent', 'Attention', 'Spiking', 'GemmOp',
        'Workload', 'load_workload', 'LAYER_KINDS', 'ZOO', 'zoo_names', 'get_workload',
        'tpu_v1_workloads', 'TPU_V1_TABLE1', 'Constant', 'Preset', 'Spec', 'PRESETS',
        'DEFAULT_CHIPS', 'get_preset', 'preset_names', 'HardwareModel', 'RooflineChip', 'FPGA',
        'SystolicArray', 'fold_cycles', 'systolic_counts', 'NeuromorphicChip', 'PIMChip', 'MODEL_CLASSES', 'make_chip',
        'Report', 'LayerResult', 'COMPONENTS', 'KINDS', 'ISAAC_TABLE_I', 'isaac_rebuild', 'CrossbarFigures',
        'crossbar_figures', 'adc_energy_survey', 'adc_energy_isaac', 'walden_fom', 'dac_energy',
        'isaac_adc_bits', 'DarkSiliconModel', 'DarkSiliconResult', 'NODES_NM', 'TiledFPGA', 'compare_chips',
        'ComparisonTable', 'evaluate_all', 'plot_roofline', 'plot_energy_breakdown',
        'GPUChip', 'calibrate_gpu', 'gemm_schedule', 'chip_names', 'ChipMeasurement', 'MEASUREMENTS',
        'measurements_for',
        'PipelineResult', 'design_search', 'DesignSearchResult', 'DESIGN_OBJECTIVES', 'ISAAC_ADC_TABLE',
        'ISAAC_ADC_AREA', 'isaac_adc_scale',
        'CPUChip', 'calibrate_cpu',
        'PIMDesign', 'SystemResult', 'evaluate_system',
    ),
    'memlab.analysis': (
        'pinch', 'PinchResult', 'lobe_areas', 'loop_width', 'area_vs_frequency', 'AreaSweep',
        'critical_frequency', 'AnalogLayer', 'analog_layer', 'mvm_error_point', 'accuracy_study',
        'plot_study', 'summary_columns', 'FACTORS', 'STUDIES', 'network_accuracy_point', 'solve_random_crossbar',
        'crossbar_study', 'plot_crossbar_heatmaps', 'DigitsMLP', 'train_digits_mlp',
        'crossbar_accuracy', 'dnn_accuracy_point', 'iv_traces', 'plot_iv_overlay',
        'loop_fingerprints', 'spice_deviation', 'characterize_models', 'fit_loops', 'write_report',
        'new_figure', 'save_figure', 'unlabelled_axes', 'write_fit_outputs',
        'plot_program', 'plot_disturb', 'program_table',
    ),
    'memlab.sweep': (
        'SweepSpec', 'SweepPoint', 'SweepResult', 'run_sweep', 'load_sweep_config', 'sweep_points',
        'resolve_function', 'function_name', 'DISTRIBUTIONS', 'write_table', 'read_table',
    ),
}

_OWNER = {name: pkg for pkg, names in _EXPORTS.items() for name in names}
_SUBPACKAGES = ("devices", "circuits", "arrays", "networks", "accel", "analysis", "sweep", "cli")

__all__ = ["errors", "MemlabError", "ConvergenceError", "ParameterError", "__version__", *_OWNER]


def __getattr__(name):
    if name in _OWNER:
        value = getattr(importlib.import_module(_OWNER[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"memlab.{name}")
    raise AttributeError(f"module 'memlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
