"""memlab.analysis: fingerprints, I-V plots, array-accuracy studies, the DNN on crossbars,
device characterisation and the HTML report. Everything here returns data (and figures);
printing and argument handling are in :mod:`memlab.cli`, the sweep engine is
:mod:`memlab.sweep`, tables are :mod:`memlab._table`."""
from memlab.analysis._fingerprint import (pinch, PinchResult, lobe_areas, loop_width, area_vs_frequency,
                                          AreaSweep, critical_frequency)
from memlab.analysis._plot import plot_iv, plot_loops, si_scale

__all__ = ["pinch", "PinchResult", "lobe_areas", "loop_width", "area_vs_frequency", "AreaSweep",
           "critical_frequency", "plot_iv", "plot_loops", "si_scale"]

# accuracy studies, DNN, crossbar solve, characterisation, report, plot style
from memlab.analysis._analog import AnalogLayer, analog_layer, quantize_uniform
from memlab.analysis._network import network_accuracy_point
from memlab.analysis._accuracy import (mvm_error_point, accuracy_study, plot_study, summary_columns, FACTORS,
                                       STUDIES)
from memlab.analysis._xbar import solve_random_crossbar, crossbar_study, plot_crossbar_heatmaps
from memlab.analysis._dnn import DigitsMLP, train_digits_mlp, crossbar_accuracy, dnn_accuracy_point
from memlab.analysis._characterize import (iv_traces, plot_iv_overlay, loop_fingerprints,
                                           spice_deviation, characterize_models, fit_loops)
from memlab.analysis._report import write_report
from memlab.analysis._style import new_figure, save_figure, unlabelled_axes
from memlab.analysis._fitcard import write_fit_outputs

__all__ += ["AnalogLayer", "analog_layer", "quantize_uniform", "mvm_error_point", "accuracy_study", "plot_study",
            "summary_columns", "FACTORS", "STUDIES", "network_accuracy_point", "solve_random_crossbar", "crossbar_study",
            "plot_crossbar_heatmaps", "DigitsMLP", "train_digits_mlp", "crossbar_accuracy", "dnn_accuracy_point",
            "iv_traces", "plot_iv_overlay", "loop_fingerprints", "spice_deviation",
            "characterize_models", "fit_loops", "write_report", "new_figure",
            "save_figure", "unlabelled_axes", "write_fit_outputs"]
from memlab.analysis._program_plot import plot_program, plot_disturb, program_table

__all__ += ["plot_program", "plot_disturb", "program_table"]
