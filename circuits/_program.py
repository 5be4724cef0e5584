"""Pulse programming: write-verify (program-and-verify) of one cell, natively or in ngspice.

Each iteration applies one programming pulse followed by a read pulse, in one transient
that starts from the state the previous iteration left::

    read current below the band -> SET pulse (raises the conductance)
    read current above the band -> RESET pulse
    inside the band             -> done

The read current is the simulated current at the middle of the read pulse's flat top
(ngspice's own current in the ngspice run). Optional incremental step pulse programming
(ISPP): ``v_step`` is added to the magnitude of each further pulse in the same direction
and the step restarts when the direction changes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from memlab._validate import real
from memlab.errors import ParameterError
from memlab.devices import DeviceModel, PulseTrain
from memlab.circuits._cells import Cell, OneR

__all__ = ["write_verify", "ProgramResult"]


@dataclass
class ProgramResult:
    """Outcome of :func:`write_verify`.

    Attributes
    ----------
    success : bool
        The last read current is inside the target band.
    n_pulses : int
        Programming pulses applied (SET + RESET).
    reads : ndarray
        Read current (A) before the first pulse and after each pulse (length n_pulses + 1).
    states : ndarray
        Device state (state units) at each read.
    pulses : ndarray
        Amplitude (V) of each programming pulse applied.
    x_final : float
        Final state.
    simulator : str
    """

    success: bool
    n_pulses: int
    reads: np.ndarray
    states: np.ndarray
    pulses: np.ndarray
    x_final: float
    simulator: str
    target: tuple = (0.0, 0.0)
    stats: dict = field(default_factory=dict)


def _read(trace, t_lo, t_hi):
    m = (trace.t >= t_lo) & (trace.t <= t_hi)
    if not np.any(m):
        raise ParameterError("write_verify: the read window holds no output point; raise points_per_segment")
    k = np.flatnonzero(m)[len(np.flatnonzero(m)) // 2]
    return float(trace.i[k])


def write_verify(cell, target, *, v_set: float, v_reset: float, width: float, v_read: float = 0.1,
                 read_width: float | None = None, rise: float | None = None, v_step: float = 0.0,
                 max_pulses: int = 50, x0: float | None = None, simulator: str = "native",
                 rtol: float = 1e-7, points_per_segment: int = 20, progress: bool = False,
                 timeout: float | None = None) -> ProgramResult:
    """Program ``cell`` until its read current lies in ``target = (i_low, i_high)`` (A).

    Parameters
    ----------
    cell : OneR, OneT1R (or OneS1R), or a DeviceModel (a 1R cell)
    target : (float, float)
        Read-current band in A, ``0 <= i_low < i_high`` (currents at ``v_read``).
    v_set, v_reset : float
        SET (conductance up) and RESET (conductance down) pulse amplitudes in V, with the
        model's polarity (e.g. VTEAM sets with a negative voltage).
    width : float
        Flat-top width of the programming pulses in s (> 0).
    v_read : float
        Read voltage in V (non-zero, small enough not to disturb the state).
    read_width, rise : float, optional
        Read pulse width (default ``width``) and edge time (default ``width/20``), s.
    v_step : float
        ISPP amplitude increment in V per further pulse in the same direction (>= 0).
    max_pulses : int
        Give up after this many programming pulses (``success=False``).
    x0 : float, optional
        Initial state (default the model's).
    simulator : {"native", "ngspice"}
    rtol : float
        Native tolerance (relative to the state range).
    progress : bool
        Show a tqdm progress bar over the pulses.
    timeout : float, optional
        Wall-time limit in s of each ngspice run (default none; see
        :func:`~memlab.circuits.characterize`).
    """
    from memlab.circuits._characterize import characterize
    if isinstance(cell, DeviceModel):
        cell = OneR(cell)
    if not isinstance(cell, Cell):
        raise ParameterError(f"write_verify: 'cell' must be a OneR, OneS1R, OneT1R or DeviceModel, "
                             f"got {type(cell).__name__}")
    try:
        i_lo, i_hi = (float(a) for a in target)
    except (TypeError, ValueError):
        raise ParameterError(f"write_verify: parameter 'target' = {target!r} must be a pair (i_low, i_high) in A") from None
    if not (math.isfinite(i_lo) and math.isfinite(i_hi) and 0 <= i_lo < i_hi):
        raise ParameterError(f"write_verify: parameter 'target' = {target!r} is outside the allowed range "
                             f"0 <= i_low < i_high (A)")
    w = "write_verify"
    for name, val in (("v_set", v_set), ("v_reset", v_reset), ("v_read", v_read)):
        if real(val, name, unit="V", where=w) == 0:
            raise ParameterError(f"write_verify: parameter '{name}' = {val!r} must be finite and non-zero (V)")
    width = real(width, "width", lo=0.0, lo_open=True, unit="s", where=w)
    v_step = real(v_step, "v_step", lo=0.0, unit="V", where=w)
    if isinstance(max_pulses, float):
        raise ParameterError(f"write_verify: parameter 'max_pulses' = {max_pulses!r} must be an integer >= 1")
    max_pulses = real(max_pulses, "max_pulses", lo=1, integer=True, where=w)
    points_per_segment = real(points_per_segment, "points_per_segment", lo=2, integer=True, where=w)
    rtol = real(rtol, "rtol", lo=0.0, hi=1.0, lo_open=True, hi_open=True, where=w)
    if simulator not in ("native", "ngspice"):
        raise ParameterError(f"write_verify: parameter 'simulator' = {simulator!r} is not one of ('native', 'ngspice')")
    read_width = width if read_width is None else real(read_width, "read_width", lo=0.0, lo_open=True, unit="s", where=w)
    rise = width / 20 if rise is None else real(rise, "rise", lo=0.0, lo_open=True, unit="s", where=w)
    from memlab.circuits._ngspice import check_timeout
    timeout = check_timeout(timeout, w)
    m = cell.device
    x = real(m.state.x0 if x0 is None else x0, "x0", unit=m.state.unit, where=w)
    sign = 1.0 if v_read > 0 else -1.0
    gap = rise

    def run(levels, widths, x_start):
        drive = PulseTrain(levels, widths, gap=gap, rise=rise, points_per_segment=points_per_segment)
        kw = {} if simulator == "native" else {"timeout": timeout}
        tr = characterize(cell, drive, x0=x_start, simulator=simulator, rtol=rtol, **kw)
        return drive, tr

    # initial read
    drive, tr = run([v_read], [read_width], x)
    t_read = (gap / 2 + rise, gap / 2 + rise + read_width)
    mid = 0.5 * (t_read[0] + t_read[1])
    reads = [sign * _read(tr, mid - 0.25 * read_width, mid + 0.25 * read_width)]
    states = [float(tr.stats.get("x_final", tr.x[-1]))]
    x = states[-1]
    pulses = []
    last_dir, n_same = 0, 0
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=int(max_pulses), desc=f"write-verify ({simulator})", unit="pulse")
    while len(pulses) < max_pulses:
        i_r = reads[-1]
        if i_lo <= i_r <= i_hi:
            break
        direction = 1 if i_r < i_lo else -1
        n_same = n_same + 1 if direction == last_dir else 0
        last_dir = direction
        base = v_set if direction > 0 else v_reset
        amp = base + math.copysign(v_step * n_same, base)
        pulses.append(amp)
        drive, tr = run([amp, v_read], [width, read_width], x)
        t0 = gap + 2 * rise + width + gap / 2 + rise
        mid = t0 + 0.5 * read_width
        reads.append(sign * _read(tr, mid - 0.25 * read_width, mid + 0.25 * read_width))
        x = float(tr.stats.get("x_final", tr.x[-1]))
        states.append(x)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    ok = i_lo <= reads[-1] <= i_hi
    return ProgramResult(success=bool(ok), n_pulses=len(pulses), reads=np.array(reads), states=np.array(states),
                         pulses=np.array(pulses), x_final=x, simulator=simulator, target=(i_lo, i_hi),
                         stats={"cell": cell.kind})
