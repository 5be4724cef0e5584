"""Datasets for mapped-network accuracy: images as float64 arrays and integer labels.

- :func:`digits`: scikit-learn's 8x8 digits (1,797 images, values 0..16), built in.
- :func:`load_mnist`: MNIST / Fashion-MNIST IDX files (``train-images-idx3-ubyte`` etc.,
  optionally ``.gz``) from a folder the user gives; values scaled to [0, 1].
- :func:`load_cifar10`: CIFAR-10 python batches (``data_batch_1`` ... ``test_batch``) from
  a folder; values scaled to [0, 1], shape (N, 3, 32, 32).
- :func:`as_dataset`: the documented array + label input: ``x`` of shape (N, ...) and
  ``y`` of N integer labels; mismatches raise :class:`~memlab.errors.ShapeError`.

Nothing is downloaded.
"""
from __future__ import annotations

import gzip
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from memlab.errors import DataFormatError, ShapeError

__all__ = ["Dataset", "as_dataset", "digits", "load_mnist", "load_cifar10", "load_dataset"]


@dataclass(frozen=True)
class Dataset:
    """``x`` (N, ...) float64 inputs, ``y`` (N,) int64 labels, and a name."""

    x: np.ndarray
    y: np.ndarray
    name: str = "data"

    def __len__(self):
        return self.x.shape[0]

    def subset(self, n: int) -> "Dataset":
        """The first ``n`` samples."""
        return Dataset(self.x[:n], self.y[:n], self.name)


def as_dataset(x, y, *, shape=None, name: str = "data") -> Dataset:
    """Validate ``x`` (N, ...) and integer labels ``y`` (N,); ``shape`` reshapes each sample."""
    X = np.array(x, dtype=np.float64)
    Y = np.asarray(y)
    if X.ndim < 2:
        raise ShapeError(f"dataset '{name}': x has shape {X.shape}; expected (samples, features...)")
    if Y.ndim != 1 or Y.shape[0] != X.shape[0]:
        raise ShapeError(f"dataset '{name}': x has {X.shape[0]} samples (shape {X.shape}) but y has shape "
                         f"{Y.shape}; expected ({X.shape[0]},)")
    if Y.dtype.kind not in "iu":
        if Y.dtype.kind == "f" and np.all(np.round(Y) == Y):
            Y = Y.astype(np.int64)
        else:
            raise ShapeError(f"dataset '{name}': y must hold integer class labels, got dtype {Y.dtype}")
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        if int(np.prod(shape)) != int(np.prod(X.shape[1:])):
            raise ShapeError(f"dataset '{name}': samples of shape {X.shape[1:]} cannot be reshaped to {shape}")
        X = X.reshape((X.shape[0],) + shape)
    return Dataset(X, Y.astype(np.int64), name)


def digits(*, image: bool = False) -> Dataset:
    """scikit-learn's 8x8 digits: x (1797, 64) in 0..16, or (1797, 1, 8, 8) with ``image``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - environment dependent
        raise ImportError("the digits dataset needs scikit-learn: pip install 'memlab[all]'") from exc
    d = load_digits()
    return as_dataset(d.data, d.target, shape=(1, 8, 8) if image else None, name="digits")


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _find(folder: Path, stem: str) -> Path:
    for cand in (folder / stem, folder / (stem + ".gz"), folder / stem.replace("-idx", ".idx")):
        if cand.is_file():
            return cand
    raise DataFormatError(f"no file '{stem}' (or '{stem}.gz') in folder '{folder}'")


def read_idx(path) -> np.ndarray:
    """One IDX file (unsigned bytes): images (N, rows, cols) or labels (N,)."""
    path = Path(path)
    with _open(path) as f:
        head = f.read(4)
        if len(head) != 4 or head[:2] != b"\x00\x00" or head[2] != 0x08:
            raise DataFormatError(f"'{path}' is not an unsigned-byte IDX file (magic {head!r})")
        ndim = head[3]
        dims = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        data = np.frombuffer(f.read(), dtype=np.uint8)
    if data.size != int(np.prod(dims)):
        raise DataFormatError(f"'{path}': header says shape {dims} ({int(np.prod(dims))} bytes) but it holds "
                              f"{data.size} bytes")
    return data.reshape(dims)


def load_mnist(folder, *, split: str = "test", image: bool = True, name: str = "mnist") -> Dataset:
    """MNIST or Fashion-MNIST IDX files in ``folder``; x (N, 1, 28, 28) (or (N, 784)) in [0, 1]."""
    folder = Path(folder)
    if split not in ("train", "test"):
        raise DataFormatError(f"parameter 'split' = {split!r} is not one of ('train', 'test')")
    pre = "train" if split == "train" else "t10k"
    X = read_idx(_find(folder, f"{pre}-images-idx3-ubyte"))
    Y = read_idx(_find(folder, f"{pre}-labels-idx1-ubyte"))
    if X.ndim != 3 or Y.ndim != 1:
        raise DataFormatError(f"'{folder}': images have shape {X.shape} and labels {Y.shape}; expected (N, H, W) "
                              "and (N,)")
    X = X.astype(np.float64) / 255.0
    return as_dataset(X.reshape(X.shape[0], -1), Y, shape=(1,) + X.shape[1:] if image else None, name=name)


def load_cifar10(folder, *, split: str = "test") -> Dataset:
    """CIFAR-10 python batches in ``folder``: x (N, 3, 32, 32) in [0, 1], y (N,)."""
    folder = Path(folder)
    if split not in ("train", "test"):
        raise DataFormatError(f"parameter 'split' = {split!r} is not one of ('train', 'test')")
    names = ["test_batch"] if split == "test" else [f"data_batch_{k}" for k in range(1, 6)]
    xs, ys = [], []
    for n in names:
        p = folder / n
        if not p.is_file():
            raise DataFormatError(f"no CIFAR-10 batch '{n}' in folder '{folder}'")
        try:
            with open(p, "rb") as f:
                d = pickle.load(f, encoding="bytes")  # noqa: S301 - a local file the user names
            xs.append(np.asarray(d[b"data"], dtype=np.float64) / 255.0)
            ys.append(np.asarray(d[b"labels"], dtype=np.int64))
        except (pickle.UnpicklingError, KeyError, EOFError, TypeError) as exc:
            raise DataFormatError(f"'{p}' is not a CIFAR-10 python batch: {exc!r}") from exc
    return as_dataset(np.concatenate(xs), np.concatenate(ys), shape=(3, 32, 32), name="cifar10")


def load_dataset(spec, *, image: bool = False) -> Dataset:
    """``"digits"``, ``"mnist:FOLDER"``, ``"fashion-mnist:FOLDER"`` or ``"cifar10:FOLDER"`` (test split)."""
    kind, _, folder = str(spec).partition(":")
    kind = kind.lower()
    if kind == "digits":
        return digits(image=image)
    if kind in ("mnist", "fashion-mnist") and folder:
        return load_mnist(folder, image=image, name=kind)
    if kind == "cifar10" and folder:
        return load_cifar10(folder)
    raise DataFormatError(f"dataset {spec!r} is not one of 'digits', 'mnist:FOLDER', 'fashion-mnist:FOLDER', "
                          "'cifar10:FOLDER'")
