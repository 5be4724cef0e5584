"""memlab.networks: a user's network (ONNX or numpy weights) on tiles of crossbars.

Public API
----------
- :class:`Network`, :class:`NetLayer`: memlab's small network representation;
  :func:`from_arrays` (MLP from numpy weights), :func:`load_onnx` (ONNX file or model),
  :func:`from_torch` (optional, needs torch); :func:`to_onnx` writes a Network as ONNX.
- :func:`map_network` -> :class:`MappedNetwork`: every matrix layer split into tiles of at
  most (rows, cols) cells, each tile a :class:`memlab.arrays.AnalogMatrix` on its own
  :class:`memlab.arrays.Crossbar`; ``infer``, ``accuracy``, ``tiles``, ``report`` ->
  :class:`NetworkReport`.
- Datasets: :func:`digits`, :func:`load_mnist`, :func:`load_cifar10`, :func:`load_dataset`,
  :func:`as_dataset` -> :class:`Dataset`.
- :func:`fine_tune` -> :class:`FineTuneResult`: hardware-aware training of a MappedNetwork's
  conductances through the exact tile solves (adjoint gradients, noise injection).
- :func:`map_model` (model file + data set name -> MappedNetwork and NetworkReport) and
  :func:`parse_tile` ("128x128"): the entry point for ``memlab map``.

SI units throughout (S, ohm, V, A, J, s).
"""
from ._graph import NetLayer, Network, from_arrays
from ._onnx import SUPPORTED_OPS, load_onnx
from ._torch import from_torch
from ._export import to_onnx
from ._tiles import Tile, TiledMatrix
from ._mapping import MappedNetwork, device_window, map_network
from ._report import NetworkReport
from ._evaluate import map_model, parse_tile
from ._datasets import Dataset, as_dataset, digits, load_cifar10, load_dataset, load_mnist, read_idx

__all__ = ["NetLayer", "Network", "from_arrays", "load_onnx", "SUPPORTED_OPS", "from_torch", "to_onnx", "Tile",
           "TiledMatrix",
           "map_network", "MappedNetwork", "device_window", "NetworkReport", "Dataset", "as_dataset", "digits",
           "load_mnist", "load_cifar10", "load_dataset", "read_idx", "map_model", "parse_tile"]
from ._train import FineTuneResult, fine_tune

__all__ += ["fine_tune", "FineTuneResult"]
