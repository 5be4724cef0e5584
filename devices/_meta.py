"""Per-model metadata declared on the model classes: the I-V demonstration drive and the
fitting defaults. Other layers read them from the class (``VTEAM.iv_demo``,
``KnowmMSS.fit_defaults``) instead of keeping tables keyed by model name."""
from __future__ import annotations

from dataclasses import dataclass, field

from memlab.devices._drives import Sine

__all__ = ["IVDemo", "FitDefaults"]


@dataclass(frozen=True)
class IVDemo:
    """A sine drive that opens a model's hysteresis loop.

    Attributes: amplitude (V), frequency (Hz), r_series (series resistor, ohm) and x0
    (initial state in the model's state unit; None: the model's ``state.x0``).
    """

    amplitude: float = 1.0
    frequency: float = 10.0
    r_series: float = 0.0
    x0: float | None = None

    def drive(self, periods: float = 2, **overrides) -> Sine:
        """The :class:`~memlab.devices.Sine` of this demo for ``periods`` periods; keywords
        (``amplitude``, ``frequency``, ``r_series`` or any other Sine field) override."""
        kw = {"amplitude": self.amplitude, "frequency": self.frequency, "r_series": self.r_series}
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return Sine(periods=periods, **kw)


@dataclass(frozen=True)
class FitDefaults:
    """Default free parameters and search ranges of :func:`~memlab.devices.fit`.

    Attributes
    ----------
    params : tuple of str
        Free parameters when ``fit(params=None)``.
    search : dict name -> (lo, hi)
        Search ranges in SI units, intersected with each parameter's allowed range. The
        strings ``"vmax"``/``"-vmax"`` stand for (minus) the largest source-voltage magnitude
        of the loops being fitted (a threshold above it cannot act on the data);
        ``"tmin"``/``"tmax"`` for 1e-3 x the shortest and 10 x the longest drive period
        (time constants outside cannot be resolved by the loops).
    log : tuple of str
        Parameters searched on a log scale in addition to those declared ``Param.log``
        (negative ones on the log of their magnitude).
    on_positive : bool or None
        True when the model's conductance rises under positive voltage (used by
        ``polarity="auto"`` with the measured loop direction); None: unknown.
    """

    params: tuple = ()
    search: dict = field(default_factory=dict)
    log: tuple = ()
    on_positive: bool | None = None
