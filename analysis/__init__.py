"""memlab.analysis: fingerprints, I-V plots, array-accuracy studies, sweeps and reports."""
from memlab.analysis._fingerprint import (pinch, PinchResult, lobe_areas, loop_width, area_vs_frequency,
                                          AreaSweep, critical_frequency)
from memlab.analysis._plot import plot_iv, plot_loops, si_scale

__all__ = ["pinch", "PinchResult", "lobe_areas", "loop_width", "area_vs_frequency", "AreaSweep",
           "critical_frequency", "plot_iv", "plot_loops", "si_scale"]

# sweeps, accuracy studies, DNN, characterisation, report, plot style (analysis engineer)
from memlab.analysis._sweep import (SweepSpec, SweepPoint, SweepResult, run_sweep, load_sweep_config, sweep_points,
                                    STUDIES)
from memlab.analysis._analog import AnalogLayer, analog_layer, quantize_uniform
from memlab.analysis._accuracy import (mvm_error_point, accuracy_study, plot_study, FACTORS,
                                       solve_random_crossbar)
from memlab.analysis._dnn import DigitsMLP, train_digits_mlp, crossbar_accuracy, dnn_accuracy_point
from memlab.analysis._characterize import IV_PRESETS, iv_traces, plot_iv_overlay, characterize_models
from memlab.analysis._report import run_demo
from memlab.analysis._style import new_figure, save_figure, unlabelled_axes
from memlab.analysis._io import atomic_write_text, atomic_write_bytes, atomic_write_json, write_table, read_table

__all__ += ["SweepSpec", "SweepPoint", "SweepResult", "run_sweep", "load_sweep_config", "sweep_points", "STUDIES",
            "AnalogLayer", "analog_layer", "quantize_uniform", "mvm_error_point", "accuracy_study", "plot_study",
            "FACTORS", "solve_random_crossbar", "DigitsMLP", "train_digits_mlp", "crossbar_accuracy",
            "dnn_accuracy_point", "IV_PRESETS", "iv_traces", "plot_iv_overlay", "characterize_models", "run_demo",
            "new_figure", "save_figure", "unlabelled_axes", "atomic_write_text", "atomic_write_bytes",
            "atomic_write_json", "write_table", "read_table"]
