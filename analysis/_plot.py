"""I-V plots of traces: they live in :mod:`memlab.devices._plot` (a leaf module of the
bottom layer, used by ``Trace.plot_iv``); re-exported here for the analysis API."""
from __future__ import annotations

from memlab.devices import plot_iv, plot_loops, si_scale

__all__ = ["plot_iv", "plot_loops", "si_scale"]
