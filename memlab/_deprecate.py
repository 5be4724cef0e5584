"""Staged renames (house style §15): an old public name keeps working for one release and
warns with :class:`FutureWarning` naming the new one."""
from __future__ import annotations

import warnings

__all__ = ["renamed"]


def renamed(module: str, names: dict[str, str], namespace: dict):
    """A module-level ``__getattr__`` for ``module`` that maps each old name in ``names`` to
    the object now called ``names[old]`` in ``namespace`` (the module's ``globals()``)."""
    def __getattr__(name):
        if name in names:
            new = names[name]
            warnings.warn(f"{module}.{name} is renamed {module}.{new}; the old name will be removed in "
                          "memlab 0.3", FutureWarning, stacklevel=2)
            return namespace[new]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    return __getattr__
