"""memlab.devices: compact memristor models written once in sympy, simulated natively.

Public API: :class:`DeviceModel`, :class:`Param`, :class:`StateVar`, the models
(:class:`HPLinearDrift`, :class:`TEAM`, :class:`VTEAM`, :class:`Yakopcic`,
:class:`StanfordPKU`, :class:`KnowmMSS`, :class:`ThresholdMemristor`,
:class:`SinhConductance`, :class:`Selector`), the drives (:class:`Sine`,
:class:`Triangle`, :class:`PulseTrain`, :class:`PWL`), :func:`simulate`, :class:`Trace` and
its plots (:func:`plot_iv`, :func:`plot_loops`). Reliability: variability (:func:`spread`,
:func:`read_noise`, ...), noise spectra (:class:`FlickerNoise`, :class:`TelegraphNoise`),
relaxation (:func:`relax`, :func:`arrhenius`) and endurance (:func:`endurance_window`).
"""
from memlab.devices._params import Param, StateVar
from memlab.devices._model import DeviceModel
from memlab.devices._meta import IVDemo, FitDefaults
from memlab.devices import _windows as windows
from memlab.devices._models import (HPLinearDrift, TEAM, VTEAM, Yakopcic, StanfordPKU, KnowmMSS,
                                    ThresholdMemristor, SinhConductance, Selector, MODELS)
from memlab.devices._drives import Drive, Sine, Triangle, PulseTrain, PWL
from memlab.devices._simulate import simulate, Trace
from memlab.devices._plot import plot_iv, plot_loops, si_scale
from memlab.devices._io import Measurement, load_knowm, load_knowm_set, knowm_data_dir
from memlab.devices._io_csv import load_loop_csv, load_loop, load_loops
from memlab.devices._fit import FitSettings, FitResult, fit, evaluate, loop_error
from memlab.devices._fit_report import ResistorFit, ModelComparison, fit_resistor, compare_models, fit_files, plot_fit
from memlab.devices._models_stochastic import StochasticSwitch
from memlab.devices._models_pcm import PCM
from memlab.devices._models_volatile import MottSelector
from memlab.devices._models_datadriven import DataDriven
from memlab.devices._models_jart import JARTVCM
from memlab.devices._cell import Resistor, SeriesCell
from memlab.devices._mosfet import MOSFET
from memlab.devices._variability import spread, cycle_to_cycle, quantize, read_noise, drift, stuck_at
from memlab.devices._noise import FlickerNoise, TelegraphNoise, telegraph, flicker
from memlab.devices._reliability import (K_B_EV, arrhenius, Relaxation, RELAXATION, relax, Endurance,
                                         ENDURANCE, endurance_window, endurance_model)

__all__ = ["Param", "StateVar", "DeviceModel", "windows", "HPLinearDrift", "TEAM", "VTEAM", "Yakopcic",
           "StanfordPKU", "KnowmMSS", "ThresholdMemristor", "SinhConductance", "Selector", "MODELS",
           "Drive", "Sine", "Triangle", "PulseTrain", "PWL", "simulate", "Trace", "get_model",
           "Resistor", "SeriesCell", "MOSFET", "spread", "cycle_to_cycle", "quantize", "read_noise", "drift", "stuck_at"]
__all__ += ["Measurement", "load_knowm", "load_knowm_set", "load_loop_csv", "load_loop", "load_loops", "FitSettings", "FitResult",
            "ResistorFit", "ModelComparison", "fit", "fit_resistor", "evaluate", "compare_models", "fit_files", "plot_fit",
            "loop_error"]
__all__ += ["plot_iv", "plot_loops", "si_scale", "IVDemo", "FitDefaults", "knowm_data_dir"]
__all__ += ["StochasticSwitch"]
__all__ += ["FlickerNoise", "TelegraphNoise", "telegraph", "flicker", "K_B_EV", "arrhenius", "Relaxation",
            "RELAXATION", "relax", "Endurance", "ENDURANCE", "endurance_window", "endurance_model"]
__all__ += ["PCM"]
MODELS[PCM.short_name] = PCM
__all__ += ["MottSelector", "DataDriven"]
MODELS.update({cls.short_name: cls for cls in (MottSelector, DataDriven)})
__all__ += ["JARTVCM"]
MODELS[JARTVCM.short_name] = JARTVCM


def get_model(name: str, **params) -> DeviceModel:
    """Model by short name (``hp``, ``team``, ``vteam``, ``yakopcic``, ``stanford``, ``mss``,
    ``threshold``, ``sinh``, ``selector``, ``pcm``, ``mott``, ``datadriven``,
    ``jart``) with parameter/option overrides."""
    from memlab.errors import ParameterError
    if not isinstance(name, str):
        raise ParameterError(f"parameter 'name' = {name!r:.40} must be a model name, one of {sorted(MODELS)}")
    key = name.lower().replace("-", "").replace("_", "")
    for cls in MODELS.values():
        if key == cls.short_name or key in cls.aliases:
            return cls(**params)
    raise ParameterError(f"unknown model {name!r}; known: {sorted(MODELS)}")


from memlab._deprecate import renamed as _renamed  # noqa: E402

__getattr__ = _renamed('memlab.devices', {'compare': 'compare_models', 'Comparison': 'ModelComparison'}, globals())
