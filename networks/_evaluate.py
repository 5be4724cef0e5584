"""One call from a model file and a data set name to a mapped network and its report (CLI entry)."""
from __future__ import annotations

import re

from memlab._validate import positive_float, positive_int
from memlab.errors import ConfigError

from ._datasets import Dataset, as_dataset, load_dataset
from ._graph import Network
from ._mapping import MappedNetwork, map_network
from ._onnx import load_onnx
from ._report import NetworkReport

__all__ = ["parse_tile", "map_model"]


def parse_tile(text) -> tuple[int, int]:
    """``"128x128"``, ``"64X32"`` or ``"128"`` (square) -> (rows, cols)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:[xX\u00d7]\s*(\d+))?\s*", str(text))
    if not m:
        raise ConfigError(f"tile {text!r} is not ROWSxCOLS (e.g. 128x128) or a single size")
    rows = positive_int(int(m.group(1)), "tile rows")
    return rows, positive_int(int(m.group(2) or rows), "tile cols")


def map_model(model, data="digits", *, tile=(128, 128), samples: int | None = None, input_scale: float | None = None,
             calibration_samples: int = 256, t_read: float = 10e-9,
             **map_kwargs) -> tuple[MappedNetwork, NetworkReport]:
    """Map ``model`` (ONNX path, ModelProto or Network) and report it on ``data``.

    ``data``: a :class:`Dataset` or a :func:`load_dataset` spec ("digits", "mnist:FOLDER", ...);
    its samples are reshaped to the model's input shape. ``input_scale`` multiplies the
    inputs (default 1/16 for the digits, whose pixels are 0..16, else 1). ``samples``: use the
    first N. The first ``calibration_samples`` set each layer's input full scale.
    ``tile`` may be a "ROWSxCOLS" string; the other keywords go to :func:`map_network`.
    """
    net = model if isinstance(model, Network) else load_onnx(model)
    ds = data if isinstance(data, Dataset) else load_dataset(data)
    if net.input_shape is not None and ds.x.shape[1:] != net.input_shape:
        ds = as_dataset(ds.x, ds.y, shape=net.input_shape, name=ds.name)
    if samples is not None:
        ds = ds.subset(positive_int(samples, "samples"))
    scale = (1 / 16 if ds.name == "digits" else 1.0) if input_scale is None else positive_float(input_scale,
                                                                                                 "input_scale")
    x = ds.x * scale
    tile = parse_tile(tile) if isinstance(tile, str) else tile
    n_cal = positive_int(calibration_samples, "calibration_samples")
    mapped = map_network(net, tile=tile, calibration=x[:n_cal], **map_kwargs)
    return mapped, mapped.report(x, ds.y, t_read=t_read)
