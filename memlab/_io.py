"""Atomic file output shared by every layer: each file is written to a temporary sibling
and moved into place with :func:`os.replace`, so a reader (or a resumed run) never sees a
half-written file."""
from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "read_text", "file_mode"]

_UMASK_LOCK = threading.Lock()


def file_mode() -> int:
    """Permission bits a plain ``open(path, "w")`` would give a new file: 0o666 minus the umask."""
    with _UMASK_LOCK:          # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def read_text(path, what: str) -> str:
    """The UTF-8 text of the file ``path``; ``what`` names it in errors ("sweep config", ...).

    A missing file, a directory, an unreadable file and a binary (non-UTF-8) file each raise
    a :class:`~memlab.errors.ConfigError` or :class:`~memlab.errors.DataFormatError` that
    names the file, instead of an ``OSError`` or ``UnicodeDecodeError`` from deep inside.
    """
    from memlab.errors import ConfigError, DataFormatError
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{what} '{path}' is a directory; give a file")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} '{path}' does not exist") from None
    except UnicodeDecodeError as err:
        raise DataFormatError(f"{what} '{path}' is not a UTF-8 text file (byte {err.start} cannot be "
                              "decoded); is it a binary file?") from None
    except OSError as err:
        raise ConfigError(f"{what} '{path}' cannot be read: {err.strerror or err}") from None


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())      # mkstemp makes 0600; give the mode the user's umask asks for
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _jsonable(x):
    import numpy as np
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, Path):
        return str(x)
    return x


def atomic_write_json(path, obj) -> Path:
    """Write ``obj`` as indented JSON atomically (numpy scalars/arrays converted)."""
    return atomic_write_text(path, json.dumps(_jsonable(obj), indent=2, sort_keys=False) + "\n")
