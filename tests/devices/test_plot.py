"""plot_iv / plot_loops (memlab.devices, re-exported by memlab.analysis) draw labelled
figures and return their artists."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from memlab.devices import KnowmMSS, Sine, simulate, spread, plot_iv, plot_loops, si_scale
from memlab.errors import ParameterError


def test_plot_iv_labels_and_artists(tmp_path):
    tr = simulate(KnowmMSS(), Sine(0.8, 10.0, periods=2, r_series=5e3), x0=0.0)
    artists = plot_iv(tr)
    ax = artists[0].axes
    assert ax.get_xlabel() == "Device voltage v (V)"
    assert ax.get_ylabel() == "Current i (\u00b5A)"          # max |i| ~ 100 uA
    assert ax.get_legend() is not None
    ax.figure.savefig(tmp_path / "iv.png")
    assert (tmp_path / "iv.png").stat().st_size > 10_000


def test_plot_population_and_loops():
    pop = spread(KnowmMSS(), 5, {"tau": 0.3}, seed=1)
    tr = simulate(pop, Sine(0.8, 10.0, r_series=5e3, points_per_period=300), x0=0.0)
    arts = plot_iv(tr, color_by="none")
    data_lines = [ln for ln in arts[0].axes.lines if len(ln.get_xdata()) == 301]
    assert len(data_lines) == 5                      # one per device (plus the two zero axes)
    loops = [simulate(KnowmMSS(), Sine(0.8, f, periods=2, r_series=5e3, points_per_period=300), x0=0.0) for f in (1, 10, 100)]
    arts = plot_loops(loops)
    assert len(arts[0].axes.lines) == 3 and arts[-1].ax.get_ylabel() == "Frequency (Hz)"


def test_si_scale():
    assert si_scale([2e-5], "A") == (1e-6, "\u00b5A")
    assert si_scale([0.3], "A") == (1e-3, "mA")
    with pytest.raises(ParameterError):
        plot_iv(simulate(KnowmMSS(), Sine(0.8, 10.0), store=("x",)))


def test_trace_method_and_analysis_reexport():
    import memlab.analysis
    assert memlab.analysis.plot_iv is plot_iv and memlab.analysis.plot_loops is plot_loops
    tr = simulate(KnowmMSS(), Sine(0.8, 10.0, periods=1, r_series=5e3, points_per_period=100), x0=0.0)
    arts = tr.plot_iv(color_by="none")
    assert arts[0].axes.get_xlabel() == "Device voltage v (V)"
