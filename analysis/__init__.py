"""memlab.analysis: fingerprints, I-V plots, array-accuracy studies, sweeps and reports."""
from memlab.analysis._fingerprint import (pinch, PinchResult, lobe_areas, loop_width, area_vs_frequency,
                                          AreaSweep, critical_frequency)
from memlab.analysis._plot import plot_iv, plot_loops, si_scale

__all__ = ["pinch", "PinchResult", "lobe_areas", "loop_width", "area_vs_frequency", "AreaSweep",
           "critical_frequency", "plot_iv", "plot_loops", "si_scale"]
