"""Sweep configs: a YAML file describing a :class:`SweepSpec` plus run options."""
from __future__ import annotations

from pathlib import Path

from memlab._io import read_text
from memlab.errors import ConfigError, ParameterError

from ._spec import SweepSpec

__all__ = ["load_sweep_config"]

_CONFIG_KEYS = ("study", "function", "seed", "samples", "repeats", "fixed", "grid", "monte_carlo", "output",
                "workers", "store")


def load_sweep_config(path, *, studies: dict | None = None) -> tuple[SweepSpec, dict]:
    """Read a YAML sweep config; returns ``(spec, options)`` where options holds ``output``,
    ``workers`` and ``store`` when given. Raises :class:`ConfigError` naming the file and key.

    ``studies`` maps study names to point functions (callables or ``"module:function"``);
    ``study: NAME`` is looked up there (e.g. ``memlab.analysis.STUDIES``), ``function:
    package.module:function`` names any importable function.

    Example::

        study: mvm_error          # a key of `studies`, or function: package.module:function
        seed: 1
        fixed: {rows: 32, cols: 32}
        grid: {r_wire: [0.1, 1.0, 10.0], adc_bits: [4, 8]}
        monte_carlo: {spread: {dist: uniform, low: 0.0, high: 0.2}}
        samples: 4
        repeats: 1
        output: sweep.csv
    """
    import yaml

    path = Path(path)
    text = read_text(path, "sweep config")
    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"sweep config '{path}' is not valid YAML{where}: {problem}") from None
    if not isinstance(cfg, dict):
        raise ConfigError(f"sweep config '{path}' must be a YAML mapping with keys {list(_CONFIG_KEYS)}")
    unknown = sorted(set(cfg) - set(_CONFIG_KEYS))
    if unknown:
        raise ConfigError(f"sweep config '{path}': unknown key(s) {unknown}; allowed: {list(_CONFIG_KEYS)}")
    studies = dict(studies or {})
    func = cfg.get("study", cfg.get("function"))
    if func is None:
        raise ConfigError(f"sweep config '{path}' needs 'study' (one of {sorted(studies)}) or 'function'")
    if isinstance(func, str) and ":" not in func:
        if func not in studies:
            raise ConfigError(f"sweep config '{path}': study {func!r} is unknown; known studies: {sorted(studies)}, "
                              "or give 'function: package.module:function'")
        func = studies[func]
    try:
        spec = SweepSpec(function=func, fixed=cfg.get("fixed") or {}, grid=cfg.get("grid") or {},
                         monte_carlo=cfg.get("monte_carlo") or {}, samples=cfg.get("samples", 0),
                         repeats=cfg.get("repeats", 1), seed=cfg.get("seed", 0))
    except (ConfigError, ParameterError) as err:
        raise type(err)(f"sweep config '{path}': {err}") from None
    options = {k: cfg[k] for k in ("output", "workers", "store") if k in cfg}
    return spec, options
