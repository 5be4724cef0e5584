"""Generated-code modules: written to a cache folder and imported, so numba can cache
their machine code on disk (``cache=True``) between Python processes.

The folder is ``$MEMLAB_CACHE_DIR`` or ``~/.cache/memlab/kernels`` (a temporary folder
when neither is writable). Files are named by the SHA-256 of their source and written
atomically, so concurrent processes never see a half-written module.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "load_module"]

_LOADED: dict[str, object] = {}


def cache_dir() -> Path:
    """The folder holding generated kernel modules (created on first use)."""
    for cand in (os.environ.get("MEMLAB_CACHE_DIR"), Path.home() / ".cache" / "memlab" / "kernels",
                 Path(tempfile.gettempdir()) / f"memlab-kernels-{os.getuid() if hasattr(os, 'getuid') else 0}"):
        if not cand:
            continue
        p = Path(cand)
        try:
            p.mkdir(parents=True, exist_ok=True)
            probe = p / ".probe"
            probe.write_text("ok")
            probe.unlink()
            return p
        except OSError:
            continue
    raise OSError("memlab: no writable folder for generated kernels; set MEMLAB_CACHE_DIR")


def load_module(source: str, tag: str = "kernel"):
    """Import ``source`` as a module stored under :func:`cache_dir` (cached per process)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    name = f"memlab_gen_{tag}_{digest}"
    mod = _LOADED.get(name)
    if mod is not None:
        return mod
    path = cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    _LOADED[name] = mod
    return mod
