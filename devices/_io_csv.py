"""Generic loop tables (time or phase, voltage, current with units in a header) and the
format-choosing :func:`load_loop`; see :mod:`memlab.devices._io` for :class:`Measurement`
and the Knowm format."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from memlab.errors import DataFormatError, MemlabWarning, ParameterError
from memlab.devices._io import KNOWM_NAME, Measurement, _read_table, _sine_fit, load_knowm

__all__ = ["load_loop_csv", "load_loop", "load_loops", "describe_choices"]


# ---------------------------------------------------------------------- generic CSV
_X_UNITS = {"s": ("time", 1.0), "ms": ("time", 1e-3), "us": ("time", 1e-6), "ns": ("time", 1e-9),
            "rad": ("phase", 2 * np.pi), "deg": ("phase", 360.0), "cycle": ("phase", 1.0)}
_V_UNITS = {"V": 1.0, "mV": 1e-3}
_I_UNITS = {"A": 1.0, "mA": 1e-3, "uA": 1e-6, "nA": 1e-9}
_X_NAMES = {"time": "time", "t": "time", "phase": "phase"}
_V_NAMES = {"v_source": "source", "v_total": "source", "vs": "source", "v": "device", "v_device": "device",
            "v_dev": "device"}
_I_NAMES = {"i": "i", "current": "i"}
_COL = re.compile(r"^\s*([A-Za-z_]+)\s*\[\s*([A-Za-z]+)\s*\]\s*$")


def _parse_columns(spec, where: str):
    fields = spec if isinstance(spec, (list, tuple)) else [f for f in re.split(r"[,;\t]", spec)]
    fields = [f.strip() for f in fields if f.strip()]
    if len(fields) != 3:
        raise DataFormatError(f"{where}: column spec {spec!r} must name 3 columns: time[s] or phase[deg], "
                              f"v_source[V] or v[V], i[A]")
    out = []
    for f, (names, units, what) in zip(fields, ((_X_NAMES, _X_UNITS, "first column (time or phase)"),
                                                (_V_NAMES, _V_UNITS, "second column (voltage)"),
                                                (_I_NAMES, _I_UNITS, "third column (current)"))):
        m = _COL.match(f)
        if not m or m[1].lower() not in names or m[2] not in units:
            raise DataFormatError(f"{where}: {what} header {f!r} is not '<name>[<unit>]' with name in "
                                  f"{sorted(names)} and unit in {sorted(units)}")
        kind, scale = names[m[1].lower()], units[m[2]]
        if isinstance(scale, tuple):               # first column: the unit decides time vs phase
            if scale[0] != kind:
                raise DataFormatError(f"{where}: {what} header {f!r}: unit {m[2]!r} is not a {kind} unit")
            scale = scale[1]
        out.append((kind, scale))
    return out


def load_loop_csv(path, *, frequency: float | None = None, r_series: float | None = None, columns=None,
                  delimiter: str | None = None, label: str | None = None) -> Measurement:
    """Read a generic loop table: time or phase, voltage, current (one row per sample).

    Format
    ------
    Text, one sample per line, three numeric fields separated by ``,``, ``;``, tab or
    spaces (auto-detected). Lines starting with ``#`` and blank lines are ignored. The
    first non-comment line may be a header naming each column with its unit::

        time[ms],v_source[V],i[uA]

    * column 1: ``time`` (or ``t``) in ``s``/``ms``/``us``/``ns``, or ``phase`` in
      ``deg``/``rad``/``cycle``;
    * column 2: ``v_source`` (= ``v_total``, across series resistor + device) or ``v``
      (= ``v_device``), in ``V`` or ``mV``;
    * column 3: ``i`` (= ``current``) in ``A``/``mA``/``uA``/``nA``.

    Without a header, pass the same text as ``columns=`` (default
    ``"time[s],v_source[V],i[A]"``). Times are folded into one period of ``frequency``
    (Hz); when ``frequency`` is not given the time column must cover one period of evenly
    spaced samples: period = n dt, or (n - 1) dt when the last sample closes the period
    (it repeats the first sample's voltage and current and a sine fits the voltage
    better with that period; the repeated sample is then dropped). A phase column
    requires ``frequency``. ``r_series`` (ohm) is the series resistance between source
    and device; when it is not given, 0 ohm is assumed with a
    :class:`~memlab.errors.MemlabWarning` (a loop measured through a resistor and fitted
    without it gives wrong parameters). The choices are recorded in ``meta``
    (``r_series_given``, ``frequency_source``, ``end_sample_dropped``).

    Raises
    ------
    DataFormatError
        Malformed lines (``<file>:<line>: ...``), a bad header, or missing information.
    """
    path = Path(path)
    header, header_line, tab, lines = _read_table(path, 3, delimiter=delimiter, allow_header=True)
    where = f"{path}:{header_line}" if header is not None else str(path)
    if header is not None and columns is not None:
        raise DataFormatError(f"{where}: the file has a header; do not pass columns= as well")
    spec = _parse_columns(header if header is not None else (columns or "time[s],v_source[V],i[A]"), where)
    (xk, xs), (vk, vs), (_, is_) = spec
    x = tab[:, 0] * (xs if xk == "time" else 1.0)
    vcol, i = tab[:, 1] * vs, tab[:, 2] * is_
    meta = {"format": "csv", "r_series_given": r_series is not None, "end_sample_dropped": False,
            "frequency_source": "argument" if frequency is not None else "time column"}
    if r_series is None:
        warnings.warn(f"load_loop_csv: no series resistor given for {path.name}; assuming r_series = 0 ohm (the "
                      f"source drives the device directly). Pass r_series= (memlab fit --r-series OHM) if the "
                      f"loop was measured through a resistor", MemlabWarning, stacklevel=2)
        r_series = 0.0
    if not (np.isfinite(r_series) and r_series >= 0):
        raise ParameterError(f"load_loop_csv: parameter 'r_series' = {r_series!r} is outside the allowed "
                             f"range [0, inf) ohm")
    if xk == "phase" and frequency is None:
        raise DataFormatError(f"{path}: a phase column needs frequency= (Hz)")
    if xk == "time":
        d = np.diff(x)
        if np.any(d <= 0):
            k = int(np.flatnonzero(d <= 0)[0]) + 1
            raise DataFormatError(f"{path}:{lines[k]}: time does not increase ({x[k]:g} s after {x[k - 1]:g} s)")
        if frequency is None:
            if np.ptp(d) > 1e-6 * np.mean(d):
                raise DataFormatError(f"{path}: samples are not evenly spaced; pass frequency= (Hz)")
            closed = _closes_period(x, vcol, i)
            frequency = 1.0 / ((x.size - closed) * np.mean(d))
        else:
            closed = bool(np.isclose(x[-1] - x[0], 1.0 / frequency, rtol=1e-6))
        if closed:
            x, vcol, i = x[:-1], vcol[:-1], i[:-1]
            meta["end_sample_dropped"] = True
    kw = {"v_source": vcol} if vk == "source" else {"v": vcol}
    if xk == "time":
        kw["t"] = x - x[0]
    else:
        kw["phase"] = x / xs
        kw["phase_unit"] = "cycle"
    m = Measurement.from_arrays(i=i, frequency=float(frequency), r_series=r_series,
                                label=label or path.stem, meta=meta, **kw)
    return Measurement(m.t, m.v_source, m.v, m.i, m.frequency, m.r_series, m.label, str(path), m.meta)


def _closes_period(t, v, i) -> bool:
    """True when the last of the evenly spaced samples repeats the first one a period later:
    its voltage and current equal the first sample's within a quarter of the median step,
    and a sine at the period (n - 1) dt fits the voltage better than one at n dt."""
    n = t.size
    for y in (v, i):
        step = np.median(np.abs(np.diff(y)))
        if not abs(y[-1] - y[0]) <= 0.25 * step:
            return False
    dt = (t[-1] - t[0]) / (n - 1)
    tt = t - t[0]
    res = [_sine_fit(tt, v, 1.0 / (k * dt))["residual"] for k in (n - 1, n)]
    return res[0] < res[1]


def load_loop(path, **kwargs) -> Measurement:
    """Read a loop file, choosing the format: Knowm names -> :func:`load_knowm`, else :func:`load_loop_csv`."""
    p = Path(path)
    if KNOWM_NAME.match(p.name):
        return load_knowm(p, **kwargs)
    return load_loop_csv(p, **kwargs)


def load_loops(paths, *, r_series: float | None = None, frequency: float | None = None) -> list[Measurement]:
    """Read loop files and folders (every ``*.csv`` inside, sorted) as one list of loops.

    The two trace files of one Knowm loop (``..._Memristor.csv`` and
    ``..._Resistor_plus_Memristor.csv``) are one loop: it is read once (through the
    ``__Memristor`` file, checked against its sibling). ``r_series`` (ohm) and
    ``frequency`` (Hz), when given, apply to every file (overriding a Knowm file name);
    a generic CSV without ``r_series`` warns that 0 ohm is assumed. What was decided for
    each loop is in ``meta`` (see :func:`describe_choices`).
    """
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.csv"))
            if not found:
                raise DataFormatError(f"{p}: folder holds no *.csv loop files")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise DataFormatError(f"{p}: no such file or folder")
    picked, order = {}, []
    for p in files:
        m = KNOWM_NAME.match(p.name)
        key = (str(p.parent.resolve()), m["r"], m["rp"], m["a"], m["f"], m["dev"]) if m else (str(p.resolve()),)
        if key not in picked:
            order.append(key)
        if key not in picked or (m and m["trace"] == "Memristor"):
            picked[key] = p
    kw = {k: v for k, v in (("r_series", r_series), ("frequency", frequency)) if v is not None}
    out = []
    for key in order:
        p = picked[key]
        if KNOWM_NAME.match(p.name):
            out.append(load_knowm(p, **kw))
        else:
            out.append(load_loop_csv(p, **kw))
    return out


def describe_choices(m: Measurement) -> str:
    """One line saying where a loop's series resistor, frequency and voltages came from."""
    meta = m.meta
    if meta.get("format") == "knowm":
        sib = meta.get("sibling")
        src = f"Knowm pair with {sib}" if sib else "Knowm file (no sibling trace file)"
        rs, fs = meta.get("r_series_source", "file name"), meta.get("frequency_source", "file name")
    else:
        src = "generic CSV" + ("; end sample (t = one period) dropped" if meta.get("end_sample_dropped") else "")
        rs = "argument" if meta.get("r_series_given", True) else "NOT GIVEN, 0 ohm assumed"
        fs = meta.get("frequency_source", "argument")
    name = Path(m.path).name if m.path else m.label
    return (f"{name}: r_series = {m.r_series:g} ohm ({rs}), frequency = {m.frequency:g} Hz ({fs}), "
            f"{m.n_points} samples, source amplitude {m.amplitude:.4g} V; {src}")
