"""Accuracy of a user's ONNX network on tiles of crossbars (:mod:`memlab.networks`) as a sweep
point, so that ``memlab accuracy --model model.onnx`` studies it against one factor like the
built-in MVM and DNN studies."""
from __future__ import annotations

from memlab._validate import real

__all__ = ["network_accuracy_point"]


def network_accuracy_point(model: str, data: str = "digits", size: int = 128, r_wire: float = 0.0,
                           adc_bits: int = 0, dac_bits: int = 0, levels: int = 0, spread: float = 0.0,
                           read_noise: float = 0.0, g_min: float = 1e-6, g_max: float = 1e-4, v_read: float = 0.2,
                           samples: int | None = None, seed: int = 0) -> dict:
    """Sweep point: accuracy of ``model`` (an ONNX file) mapped onto ``size x size`` tiles.

    Units: r_wire ohm per wire segment (word and bit lines), g_min/g_max S, v_read V;
    ``spread`` is the sigma of ln G (device-to-device), ``read_noise`` the relative sigma of
    each read; bits/levels 0 = ideal. ``data`` is a :func:`memlab.networks.load_dataset` spec.
    Returns ``accuracy``, ``baseline`` (the ideal network on the same samples), ``drop`` and
    the ``rel_error`` of the last layer against the ideal network.
    """
    from memlab.arrays import DeviceSpread, FiniteLevels, ReadNoise
    from memlab.networks import map_model

    steps = []
    if real(levels, "levels", lo=0, integer=True):
        steps.append(FiniteLevels(int(levels)))
    if real(spread, "spread", lo=0.0):
        steps.append(DeviceSpread(spread))
    if real(read_noise, "read_noise", lo=0.0):
        steps.append(ReadNoise(read_noise))
    bits = {k: int(real(v, k, lo=0, integer=True)) for k, v in (("adc_bits", adc_bits), ("dac_bits", dac_bits))}
    _, rep = map_model(model, data, tile=(int(real(size, "size", lo=1, integer=True)),) * 2, samples=samples,
                       r_row=r_wire, r_col=r_wire, g_min=g_min, g_max=g_max, v_read=v_read,
                       adc_bits=bits["adc_bits"] or None, dac_bits=bits["dac_bits"] or None,
                       nonidealities=steps, seed=seed)
    return {"accuracy": rep.accuracy, "baseline": rep.ideal_accuracy, "drop": rep.ideal_accuracy - rep.accuracy,
            "rel_error": rep.layers[-1]["rel_error"]}
