"""Loaders for measured I-V loops: the Knowm two-column format and a generic CSV/array input.

A loop is held in a :class:`Measurement`: one period of a periodic drive, sampled at
known times (phases), with the source voltage, the device voltage, the current and the
series resistance between source and device. Everything is SI (s, V, A, ohm, Hz).

Two file formats are read:

* :func:`load_knowm`: the Knowm Memristor Discovery export (``knowm/memristor-discovery``
  ``data/``): two comma-separated columns, voltage in V and current in microamperes, no
  header, one drive period in evenly spaced samples. The file name
  ``<R>_<A>V_<f>Hz_<device>__<trace>.csv`` gives the series resistor (``5kohm``), the sine
  amplitude, the frequency and the device; ``trace`` is ``Memristor`` (device voltage) or
  ``Resistor_plus_Memristor`` (source voltage). Either file is enough (the other voltage
  follows from ``v_source = v + R i``); when both are present they are read together and
  checked against each other.
* :func:`~memlab.devices._io_csv.load_loop_csv` (module ``_io_csv``): a generic text table
  with three columns, time or phase, voltage
  and current, units given in a header line such as ``time[ms],v_source[V],i[uA]`` or by
  the ``columns=`` argument (see its docstring).

Malformed files raise :class:`~memlab.errors.DataFormatError` naming the file and line.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from memlab._io import read_text
from memlab._validate import real
from memlab.errors import ConfigError, DataFormatError, ParameterError

__all__ = ["Measurement", "load_knowm", "load_knowm_set", "KNOWM_NAME", "KNOWM_SET", "knowm_data_dir"]

#: Regular expression of the Knowm file names, e.g. ``5kohm_0.8V_10Hz_M1__Memristor.csv``.
KNOWM_NAME = re.compile(
    r"^(?P<r>[0-9.]+)(?P<rp>[kKmM]?)ohm_(?P<a>[0-9.]+)V_(?P<f>[0-9.]+)Hz_(?P<dev>[^_]+)__"
    r"(?P<trace>Memristor|Resistor_plus_Memristor)\.csv$")

_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "m": 1e-3}
_MIN_POINTS = 8
#: relative RMS deviation of the source samples from their best-fit sine below which the
#: drive is simulated as an analytic sine (else as a periodic piecewise-linear source)
SINE_TOLERANCE = 0.02


@dataclass(frozen=True, eq=False)
class Measurement:
    """One measured period of a periodically driven device.

    Attributes
    ----------
    t : ndarray (n,)
        Sample times within the period, s, in ``[0, 1/frequency)`` (the phase times).
    v_source : ndarray (n,)
        Source voltage across series resistor plus device, V.
    v : ndarray (n,)
        Device voltage, V (``v_source - r_series * i``).
    i : ndarray (n,)
        Current through the device, A.
    frequency : float
        Drive frequency, Hz.
    r_series : float
        Series resistance between source and device, ohm (0: the source drives the device).
    label : str
        Short name (device and condition), used in tables and plots.
    path : str or None
        File the data came from.
    meta : dict
        Anything else known (device name, nominal amplitude, ...).

    The drive used to simulate the measurement is :meth:`drive`: an analytic sine when
    the source samples are a sine within :data:`SINE_TOLERANCE` (fitted amplitude, phase
    and offset in :attr:`sine`), else a periodic piecewise-linear source through the
    samples.
    """

    t: np.ndarray
    v_source: np.ndarray
    v: np.ndarray
    i: np.ndarray
    frequency: float
    r_series: float = 0.0
    label: str = ""
    path: str | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        where = f"Measurement {self.label or self.path or ''}".rstrip()
        f = float(self.frequency)
        if not (math.isfinite(f) and f > 0):
            raise ParameterError(f"{where}: parameter 'frequency' = {self.frequency!r} is outside the allowed "
                                 f"range (0, inf) Hz")
        rs = float(self.r_series)
        if not (math.isfinite(rs) and rs >= 0):
            raise ParameterError(f"{where}: parameter 'r_series' = {self.r_series!r} is outside the allowed "
                                 f"range [0, inf) ohm")
        arrs = {}
        for name in ("t", "v_source", "v", "i"):
            a = np.array(getattr(self, name), dtype=float).reshape(-1)
            if not np.all(np.isfinite(a)):
                raise ParameterError(f"{where}: '{name}' contains non-finite values")
            arrs[name] = a
        n = arrs["t"].size
        if any(a.size != n for a in arrs.values()):
            raise ParameterError(f"{where}: 't', 'v_source', 'v', 'i' must have the same length "
                                 f"(got {[a.size for a in arrs.values()]})")
        if n < _MIN_POINTS:
            raise ParameterError(f"{where}: {n} samples given; at least {_MIN_POINTS} are needed")
        T = 1.0 / f
        if np.any(arrs["t"] < 0) or np.any(arrs["t"] >= T * (1 + 1e-12)):
            raise ParameterError(f"{where}: sample times 't' must lie in [0, {T:g}) s (one period)")
        if not np.max(np.abs(arrs["i"])) > 0:
            raise ParameterError(f"{where}: the current 'i' is zero everywhere; nothing to fit")
        for name, a in arrs.items():
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        object.__setattr__(self, "frequency", f)
        object.__setattr__(self, "r_series", rs)
        object.__setattr__(self, "meta", dict(self.meta))
        object.__setattr__(self, "sine", _sine_fit(arrs["t"], arrs["v_source"], f))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(cls, *, i, v_source=None, v=None, t=None, phase=None, frequency: float,
                    r_series: float = 0.0, phase_unit: str = "rad", label: str = "",
                    meta: dict | None = None) -> "Measurement":
        """Build a measurement from arrays (SI units).

        Give the sample positions as ``t`` (s; folded into one period) or ``phase``
        (``phase_unit``: ``"rad"``, ``"deg"`` or ``"cycle"``, fraction of a period), and
        at least one of ``v_source`` (V across series resistor + device) and ``v`` (V
        across the device); ``i`` in A; ``frequency`` in Hz; ``r_series`` in ohm.
        """
        if (t is None) == (phase is None):
            raise ParameterError("Measurement.from_arrays: give exactly one of 't' (s) and 'phase'")
        if not (np.isfinite(frequency) and frequency > 0):
            raise ParameterError(f"Measurement.from_arrays: parameter 'frequency' = {frequency!r} is outside "
                                 f"the allowed range (0, inf) Hz")
        T = 1.0 / float(frequency)
        if t is not None:
            tt = np.mod(np.asarray(t, dtype=float), T)
        else:
            scale = {"rad": 2 * np.pi, "deg": 360.0, "cycle": 1.0}.get(phase_unit)
            if scale is None:
                raise ParameterError(f"Measurement.from_arrays: parameter 'phase_unit' = {phase_unit!r} is not "
                                     f"one of ('rad', 'deg', 'cycle')")
            tt = np.mod(np.asarray(phase, dtype=float) / scale, 1.0) * T
        tt = np.where(tt >= T * (1 - 1e-12), 0.0, tt)
        i = np.asarray(i, dtype=float)
        sizes = [np.size(a) for a in (tt, i, v_source, v) if a is not None]
        if len(set(sizes)) != 1:
            raise ParameterError(f"Measurement.from_arrays: the arrays must have the same length (got {sizes})")
        if v_source is None and v is None:
            raise ParameterError("Measurement.from_arrays: give 'v_source' or 'v' (or both)")
        if v_source is None:
            v_source = np.asarray(v, dtype=float) + r_series * i
        if v is None:
            v = np.asarray(v_source, dtype=float) - r_series * i
        return cls(tt, v_source, v, i, frequency, r_series, label, None, meta or {})

    # ------------------------------------------------------------------ derived
    @property
    def period(self) -> float:
        """Drive period, s."""
        return 1.0 / self.frequency

    @property
    def n_points(self) -> int:
        return int(self.i.size)

    @property
    def i_scale(self) -> float:
        """max |i| in A: the normalisation of the loop's RMS error."""
        return float(np.max(np.abs(self.i)))

    @property
    def identity(self) -> dict:
        """The measurement's full identity: device, amplitude (V), frequency (Hz), series
        resistor (ohm) and file; results are keyed by it (see :attr:`key`)."""
        dev = self.meta.get("device") or self.label or "loop"
        amp = self.meta.get("amplitude_nominal") or round(self.amplitude, 4)
        return {"device": str(dev), "amplitude_V": float(amp), "frequency_Hz": self.frequency,
                "r_series_ohm": self.r_series, "file": None if self.path is None else Path(self.path).name}

    @property
    def key(self) -> str:
        """Unique text of :attr:`identity`, e.g. ``M1 | 0.8 V | 10 Hz | 5000 ohm | 5kohm_...csv``."""
        d = self.identity
        return (f"{d['device']} | {d['amplitude_V']:g} V | {d['frequency_Hz']:g} Hz | {d['r_series_ohm']:g} ohm"
                + (f" | {d['file']}" if d["file"] else ""))

    @property
    def amplitude(self) -> float:
        """Source amplitude, V (of the best-fit sine)."""
        return self.sine["amplitude"]

    def drive(self, periods: int = 3, points_per_period: int = 400, *, polarity: int = 1,
              circuit: str = "series"):
        """The drive that reproduces this measurement in :func:`~memlab.devices.simulate`.

        ``circuit="series"``: the source (sine or PWL of ``v_source``) through
        ``r_series``; ``circuit="device"``: the measured device voltage applied directly
        (periodic PWL, no series resistor). ``polarity=-1`` connects the device reversed
        (the drive is negated; the measured current is then ``-i`` of the device).
        """
        from memlab.devices._drives import PWL, Sine
        if polarity not in (1, -1):
            raise ParameterError(f"Measurement.drive: parameter 'polarity' = {polarity!r} is not one of (1, -1)")
        if circuit == "series":
            s = self.sine
            if s["residual"] <= SINE_TOLERANCE:
                return Sine(polarity * s["amplitude"], self.frequency, periods=periods, phase=s["phase"],
                            offset=polarity * s["offset"], r_series=self.r_series,
                            points_per_period=points_per_period)
            vals, rs = self.v_source, self.r_series
        elif circuit == "device":
            vals, rs = self.v, 0.0
        else:
            raise ParameterError(f"Measurement.drive: parameter 'circuit' = {circuit!r} is not one of "
                                 f"('series', 'device')")
        tp, vp = _periodic_samples(self.t, vals, self.period)
        return PWL(t=tuple(tp), v=tuple(polarity * vp), r_series=rs, n_points=periods * points_per_period + 1,
                   periodic=True, repeats=periods)

    def __repr__(self) -> str:
        return (f"Measurement({self.label or self.path!r}, {self.n_points} points, f = {self.frequency:g} Hz, "
                f"amplitude = {self.amplitude:.4g} V, r_series = {self.r_series:g} ohm)")


def _sine_fit(t, y, f) -> dict:
    """Least-squares sine at frequency f: amplitude (V), phase (rad), offset (V), residual."""
    w = 2 * np.pi * f * t
    M = np.column_stack([np.sin(w), np.cos(w), np.ones_like(w)])
    c, *_ = np.linalg.lstsq(M, y, rcond=None)
    amp = float(np.hypot(c[0], c[1]))
    res = float(np.sqrt(np.mean((y - M @ c) ** 2)) / amp) if amp > 0 else math.inf
    return {"amplitude": amp, "phase": float(np.arctan2(c[1], c[0])), "offset": float(c[2]), "residual": res}


def _periodic_samples(t, v, T):
    """Sorted (t, v) over one period with the wrap-around point added at 0 and T."""
    o = np.argsort(t, kind="stable")
    t, v = np.asarray(t)[o], np.asarray(v)[o]
    t, keep = np.unique(t, return_index=True)
    v = v[keep]
    # value at the period boundary by linear interpolation across the wrap
    t_wrap = np.concatenate([t[-1:] - T, t, t[:1] + T])
    v_wrap = np.concatenate([v[-1:], v, v[:1]])
    v0 = float(np.interp(0.0, t_wrap, v_wrap))
    if t[0] > 0:
        t, v = np.concatenate([[0.0], t]), np.concatenate([[v0], v])
    else:
        v[0] = v0
    return np.concatenate([t, [T]]), np.concatenate([v, [v0]])


# ---------------------------------------------------------------------- number tables
def _read_table(path: Path, n_cols: int | None, *, delimiter: str | None = None, allow_header: bool = False):
    """Parse a numeric text table; return (header or None, array (n, cols), line numbers).

    Blank lines and lines starting with ``#`` are skipped. Every data line must hold the
    same number of finite numbers; otherwise DataFormatError names the file and line.
    """
    text = read_text(path, "loop file").removeprefix("\ufeff")   # a UTF-8 byte-order mark is allowed
    header, header_line = None, None
    rows, lines = [], []
    width = n_cols
    for k, raw in enumerate(text.splitlines(), start=1):
        s = raw.strip()
        if not s or s.startswith("#"):
            continue
        if delimiter is None:
            delimiter = "," if "," in s else (";" if ";" in s else ("\t" if "\t" in s else " "))
        fields = [f.strip() for f in (s.split() if delimiter == " " else s.split(delimiter))]
        try:
            vals = [float(f) for f in fields]
        except ValueError:
            if allow_header and header is None and not rows:
                header, header_line = fields, k
                if width is None:
                    width = len(fields)
                continue
            raise DataFormatError(f"{path}:{k}: expected {width or 'only'} numbers separated by "
                                  f"{delimiter!r}, got {raw.strip()!r}") from None
        if width is None:
            width = len(vals)
        if len(vals) != width:
            raise DataFormatError(f"{path}:{k}: expected {width} columns, got {len(vals)} in {raw.strip()!r}")
        if not all(math.isfinite(x) for x in vals):
            raise DataFormatError(f"{path}:{k}: non-finite value in {raw.strip()!r}")
        rows.append(vals)
        lines.append(k)
    if len(rows) < _MIN_POINTS:
        raise DataFormatError(f"{path}: {len(rows)} data lines found; at least {_MIN_POINTS} are needed")
    return header, header_line, np.array(rows, dtype=float), np.array(lines)


# ---------------------------------------------------------------------- Knowm format
def _parse_knowm_name(path: Path) -> dict:
    m = KNOWM_NAME.match(path.name)
    if not m:
        raise DataFormatError(f"{path}: file name does not follow the Knowm pattern "
                              f"'<R>ohm_<A>V_<f>Hz_<device>__Memristor.csv' (or '__Resistor_plus_Memristor.csv'); "
                              f"pass r_series=, frequency= (and amplitude=) explicitly")
    return {"r_series": float(m["r"]) * _PREFIX[m["rp"]], "amplitude": float(m["a"]), "frequency": float(m["f"]),
            "device": m["dev"], "trace": m["trace"]}


def load_knowm(path, *, r_series: float | None = None, frequency: float | None = None,
               amplitude: float | None = None, device: str | None = None,
               consistency_tol: float = 1e-3) -> Measurement:
    """Read one Knowm Memristor Discovery loop (two columns: V, current in uA; no header).

    Parameters
    ----------
    path : str or Path
        Either the ``..._Memristor.csv`` file (column 1 = device voltage) or the
        ``..._Resistor_plus_Memristor.csv`` file (column 1 = source voltage). When the
        sibling file exists it is read too and both are checked against each other
        (same current; ``v_source - v = R i`` within ``consistency_tol`` V).
    r_series, frequency, amplitude, device :
        Override (or supply, for files not named in the Knowm pattern) the series
        resistance (ohm), frequency (Hz), nominal amplitude (V) and device name.

    The samples are one period, evenly spaced: sample k sits at ``t = k / (n f)``.

    Raises
    ------
    DataFormatError
        Malformed content (message ``<file>:<line>: ...``), inconsistent sibling files,
        or a file name that is not parseable while no overrides were given.
    """
    path = Path(path)
    consistency_tol = real(consistency_tol, "consistency_tol", lo=0.0, unit="V", where="load_knowm")
    try:
        info = _parse_knowm_name(path)
    except DataFormatError:
        if r_series is None or frequency is None:
            raise
        info = {"r_series": r_series, "frequency": frequency, "amplitude": amplitude, "device": device or path.stem,
                "trace": "Resistor_plus_Memristor" if "Resistor" in path.name else "Memristor"}
    for key, val in (("r_series", r_series), ("frequency", frequency), ("amplitude", amplitude), ("device", device)):
        if val is not None:
            info[key] = val
    R = float(info["r_series"])
    _, _, tab, _ = _read_table(path, 2)
    v_col, i = tab[:, 0], tab[:, 1] * 1e-6
    sib_name = (path.name.replace("__Resistor_plus_Memristor", "__Memristor") if info["trace"] != "Memristor"
                else path.name.replace("__Memristor", "__Resistor_plus_Memristor"))
    sib = path.with_name(sib_name)
    if info["trace"] == "Memristor":
        v, v_source = v_col, v_col + R * i
    else:
        v_source, v = v_col, v_col - R * i
    if sib != path and sib.exists():
        _, _, tab2, lines2 = _read_table(sib, 2)
        if tab2.shape != tab.shape:
            raise DataFormatError(f"{sib}: {tab2.shape[0]} data lines, but {path} has {tab.shape[0]}")
        di = np.abs(tab2[:, 1] - tab[:, 1]) > 1e-9 * np.maximum(1.0, np.abs(tab[:, 1]))
        other = tab2[:, 0]
        dv = np.abs((other - (v if info["trace"] != "Memristor" else v_source))) > consistency_tol
        bad = di | dv
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise DataFormatError(f"{sib}:{lines2[k]}: inconsistent with {path.name} (same current and "
                                  f"v_source - v = {R:g} ohm * i expected within {consistency_tol:g} V)")
    n = tab.shape[0]
    f = float(info["frequency"])
    t = np.arange(n) / (n * f)
    label = (f"{info['device']} {info['amplitude']:g} V {f:g} Hz" if info.get("amplitude") else
             f"{info['device']} {f:g} Hz") + f" {_ohm(R)}"
    return Measurement(t, v_source, v, i, f, R, label, str(path),
                       {"device": info["device"], "amplitude_nominal": info.get("amplitude"), "format": "knowm",
                        "r_series_source": "argument" if r_series is not None else "file name",
                        "frequency_source": "argument" if frequency is not None else "file name",
                        "sibling": sib.name if sib != path and sib.exists() else None})


def _ohm(r: float) -> str:
    """``5 kohm``-style text of a resistance in ohm (for labels)."""
    for scale, prefix in ((1e6, "Mohm"), (1e3, "kohm")):
        if r >= scale:
            return f"{r / scale:g} {prefix}"
    return f"{r:g} ohm"


def load_knowm_set(directory, *, device: str | None = None, amplitude: float | None = None,
                   frequency=None, r_series: float | None = None) -> list[Measurement]:
    """All Knowm loops in ``directory`` matching the selectors, sorted by device, amplitude, frequency.

    ``frequency`` may be one value or a sequence (Hz); ``amplitude`` in V; ``r_series``
    in ohm. Each loop is read once (through its ``__Memristor.csv`` file when present).
    """
    d = Path(directory)
    if not d.is_dir():
        raise DataFormatError(f"{d}: not a directory")
    freqs = None if frequency is None else {float(f) for f in np.atleast_1d(frequency)}
    picked = {}
    for p in sorted(d.glob("*.csv")):
        m = KNOWM_NAME.match(p.name)
        if not m:
            continue
        info = _parse_knowm_name(p)
        if device is not None and info["device"] != device:
            continue
        if amplitude is not None and not math.isclose(info["amplitude"], amplitude, rel_tol=1e-9):
            continue
        if freqs is not None and info["frequency"] not in freqs:
            continue
        if r_series is not None and not math.isclose(info["r_series"], r_series, rel_tol=1e-9):
            continue
        key = (info["device"], info["amplitude"], info["frequency"], info["r_series"])
        if key not in picked or info["trace"] == "Memristor":
            picked[key] = p
    if not picked:
        raise DataFormatError(f"{d}: no Knowm loop files match device={device!r}, amplitude={amplitude!r}, "
                              f"frequency={frequency!r}, r_series={r_series!r}")
    return [load_knowm(picked[k]) for k in sorted(picked)]


#: folder name of the Knowm W-SDC 5 kOhm loop files inside a data folder
KNOWM_SET = "knowm_wsdc_5kohm"


def knowm_data_dir(data=None) -> Path:
    """Folder of the Knowm W-SDC CSV files, from an argument or the environment only.

    ``data``: a folder holding ``knowm_wsdc_5kohm/`` or the CSV files themselves; when None,
    the environment variable ``MEMLAB_DATA`` (same meaning). Raises
    :class:`~memlab.errors.ConfigError` when neither is given and
    :class:`~memlab.errors.ParameterError` when the folder holds no CSV files.
    """
    import os
    where = "parameter 'data'"
    if data is None:
        data = os.environ.get("MEMLAB_DATA") or None
        where = "environment variable MEMLAB_DATA"
    if data is None:
        raise ConfigError(f"no data folder: pass it (e.g. --data DIR) or set MEMLAB_DATA to the folder that "
                          f"contains {KNOWM_SET}/")
    base = Path(data)
    d = base / KNOWM_SET if (base / KNOWM_SET).is_dir() else base
    if not (d.is_dir() and any(d.glob("*.csv"))):
        raise ParameterError(f"{where} = {str(data)!r} is not a folder of Knowm CSV files (nor one that "
                             f"contains {KNOWM_SET}/ with them)")
    return d
