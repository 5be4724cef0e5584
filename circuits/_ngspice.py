"""ngspice through PySpice's shared-library interface (libngspice).

One :class:`NgspiceRunner` per process (ngspice keeps global state). It captures every
line ngspice prints, keeps PySpice's own log records (e.g. its "Unsupported Ngspice
version" warning) at debug level on memlab's logger instead of the caller's console,
and turns failures into memlab exceptions:

* libngspice missing -> :class:`~memlab.errors.SimulatorNotFoundError` (run ``make setup``);
* errors while loading a netlist -> :class:`~memlab.errors.NetlistError` with ngspice's
  messages;
* a run that stops early (time step too small, singular matrix, no convergence) ->
  :class:`~memlab.errors.ConvergenceError` with ngspice's last messages in ``.log``.

ngspice errors inside the shared library never terminate the Python process: its
controlled-exit callback is answered without unloading, and every command is checked.
"""
from __future__ import annotations

import collections
import logging
import threading

import numpy as np

from memlab.errors import ConvergenceError, NetlistError, SimulatorNotFoundError

__all__ = ["NgspiceRunner", "get_runner", "run_netlist", "NgspiceResult"]

_log = logging.getLogger("memlab.circuits.ngspice")
_LOCK = threading.RLock()
_RUNNER = None


class _QuietLogger:
    """Stand-in for PySpice's class logger: everything goes to memlab's logger at debug."""

    def __init__(self, logger):
        self._l = logger

    def debug(self, msg, *a, **k):
        self._l.debug(msg, *a)

    info = warning = error = critical = exception = debug

    def getChild(self, name):
        return self

    def isEnabledFor(self, level):
        return self._l.isEnabledFor(logging.DEBUG)


def _make_class():
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi
    except ImportError as exc:  # pragma: no cover - PySpice is a dependency
        raise SimulatorNotFoundError(f"PySpice (package 'PySpice', module {exc.name!r}) could not be imported "
                                     f"({exc}); run `make setup`") from exc

    class _Shared(NgSpiceShared):
        _logger = _QuietLogger(_log)

        def __init__(self, *a, **k):
            self.messages = collections.deque(maxlen=400)
            self.exit_requested = None
            super().__init__(*a, **k)

        @staticmethod
        def _send_char(message_c, ngspice_id, user_data):
            self = ffi.from_handle(user_data)
            try:
                message = ffi.string(message_c).decode("utf8", errors="replace")
            except Exception:  # never raise inside a C callback
                return 0
            prefix, _, content = message.partition(" ")
            if prefix == "stderr":
                self._stderr.append(content)
                if not content.startswith("Warning:") and content.strip() != "Note: can't find init file.":
                    self._error_in_stderr = True
            else:
                self._stdout.append(content)
                if "error" in content.lower():
                    self._error_in_stdout = True
            self.messages.append(content)
            _log.debug("ngspice: %s", content)
            return 0

        @staticmethod
        def _exit(exit_status, immediate_unloding, quit_exit, ngspice_id, user_data):
            self = ffi.from_handle(user_data)
            self.exit_requested = (int(exit_status), bool(immediate_unloding), bool(quit_exit))
            self.messages.append(f"[ngspice requested exit, status {int(exit_status)}]")
            return int(exit_status)

        @staticmethod
        def _send_stat(message, ngspice_id, user_data):
            return 0

    return _Shared, NgSpiceShared, ffi


class NgspiceResult:
    """Vectors of one ngspice analysis: ``names`` and ``vec(name) -> ndarray``."""

    def __init__(self, plot: str, vectors: dict[str, np.ndarray], messages: list[str]):
        self.plot = plot
        self.vectors = vectors
        self.messages = messages

    @property
    def names(self):
        return sorted(self.vectors)

    def vec(self, name: str) -> np.ndarray:
        key = name.lower()
        if key not in self.vectors:
            raise NetlistError(f"ngspice result has no vector {name!r}; available: {self.names[:30]}")
        return self.vectors[key]


class NgspiceRunner:
    """Runs netlists in the shared ngspice library (one instance per process)."""

    def __init__(self):
        cls, base, ffi = _make_class()
        self._ffi = ffi
        self._cls = cls
        try:
            existing = base._instances.get(0)
            if existing is not None and isinstance(existing, cls):
                self._ng = existing
            elif existing is not None:
                # another part of the process created a plain PySpice instance first: reuse it
                self._ng = existing
            else:
                self._ng = cls(ngspice_id=0, send_data=False, verbose=False)
                base._instances[0] = self._ng
        except OSError as exc:
            raise SimulatorNotFoundError(
                f"the ngspice shared library (libngspice) could not be loaded ({exc}); "
                f"run `make setup` (installs Debian's ngspice, libngspice0 and libngspice0-dev)") from exc
        self.version = getattr(self._ng, "_ngspice_version", None)
        # ngspice runs BSIM3/BSIM4 device evaluation on 2 OpenMP threads by default; on a
        # loaded machine (and next to numba's thread pool) the OpenMP threads spin-wait for
        # each other: a BSIM4 1T1R transient took 9 s instead of 1 s with two busy cores,
        # and one test run stalled for minutes. One thread is both faster and predictable.
        self._command("set num_threads=1")

    # -------------------------------------------------------------- low level
    def _messages(self, n=25) -> list[str]:
        msgs = getattr(self._ng, "messages", None)
        if msgs is None:
            msgs = list(self._ng._stdout) + list(self._ng._stderr)
        return [m for m in list(msgs)[-n:] if m.strip()]

    def _command(self, cmd: str) -> int:
        self._ng.clear_output()
        return int(self._ng._ngspice_shared.ngSpice_Command(cmd.encode("ascii")))

    def _vectors(self, plot: str) -> dict[str, np.ndarray]:
        ffi, lib = self._ffi, self._ng._ngspice_shared
        out = {}
        allv = lib.ngSpice_AllVecs(plot.encode("utf8"))
        k = 0
        while allv[k] != ffi.NULL:
            name = ffi.string(allv[k]).decode("utf8")
            info = lib.ngGet_Vec_Info(f"{plot}.{name}".encode("utf8"))
            n = info.v_length
            if info.v_compdata == ffi.NULL:
                arr = np.frombuffer(ffi.buffer(info.v_realdata, n * 8), dtype=np.float64).copy()
            else:
                tmp = np.frombuffer(ffi.buffer(info.v_compdata, n * 16), dtype=np.float64)
                arr = tmp[0::2] + 1j * tmp[1::2]
            out[name.lower()] = arr
            k += 1
        return out

    def _cur_plot(self) -> str:
        return self._ffi.string(self._ng._ngspice_shared.ngSpice_CurPlot()).decode("utf8")

    # -------------------------------------------------------------- public
    def run(self, netlist: str, *, what: str = "circuit") -> NgspiceResult:
        """Load ``netlist`` (text with one analysis line) and run it; return its vectors.

        Raises NetlistError when ngspice rejects the netlist and ConvergenceError when the
        analysis stops early; both carry ngspice's last messages.
        """
        with _LOCK, _quiet_pyspice(not isinstance(self._ng, self._cls)):
            return self._run(netlist, what)

    def _run(self, netlist: str, what: str) -> NgspiceResult:
        ng = self._ng
        self._command("destroy all")
        self._command("remcirc")
        if hasattr(ng, "messages"):
            ng.messages.clear()
        ng.exit_requested = None
        lines = [ln for ln in netlist.split("\n") if ln.strip()]
        if lines[-1].strip().lower() != ".end":
            lines.append(".end")
        keep = [self._ffi.new("char[]", ln.encode("utf8")) for ln in lines] + [self._ffi.NULL]
        arr = self._ffi.new("char *[]", keep)
        ng.clear_output()
        rc = ng._ngspice_shared.ngSpice_Circ(arr)
        msgs = self._messages()
        load_err = [m for m in msgs if _is_error(m)]
        if rc or load_err or ng.exit_requested:
            raise NetlistError(f"ngspice rejected the {what} netlist: " + " | ".join(load_err or msgs[-8:]))
        # a circuit that ngspice silently dropped leaves no current circuit
        rc = self._command("run")
        msgs = self._messages()
        errs = [m for m in msgs if _is_error(m)]
        plot = self._cur_plot()
        if rc or errs or ng.exit_requested or plot in ("const", ""):
            log = "\n".join(msgs)
            if any("unknown" in m.lower() or "could not find" in m.lower() or "no such" in m.lower()
                   for m in errs):
                raise NetlistError(f"ngspice could not run the {what}: " + " | ".join(errs[-6:]))
            raise ConvergenceError(f"ngspice did not complete the {what} analysis: "
                                   + " | ".join((errs or msgs)[-6:]), log=log)
        vecs = self._vectors(plot)
        return NgspiceResult(plot, vecs, msgs)


class _quiet_pyspice:
    """While active, PySpice's own loggers drop records below CRITICAL (only needed when a
    plain PySpice instance, created elsewhere in the process, echoes ngspice's stderr
    through logging); the previous level is restored afterwards."""

    def __init__(self, active: bool):
        self.active = active

    def __enter__(self):
        if self.active:
            self._lg = logging.getLogger("PySpice")
            self._old = self._lg.level
            self._lg.setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc):
        if self.active:
            self._lg.setLevel(self._old)
        return False


def _is_error(msg: str) -> bool:
    m = msg.lower()
    if m.startswith("warning") or "no compatibility mode" in m:
        return False
    return ("error" in m or "timestep too small" in m or "singular matrix" in m or "unknown" in m
            or "could not find" in m or "aborted" in m or "not converge" in m or "failed" in m)


def get_runner() -> NgspiceRunner:
    """The process-wide :class:`NgspiceRunner` (created on first use)."""
    global _RUNNER
    with _LOCK:
        if _RUNNER is None:
            _RUNNER = NgspiceRunner()
        return _RUNNER


def run_netlist(netlist: str, *, what: str = "circuit") -> NgspiceResult:
    """Run a complete netlist (title line, elements, one analysis, ``.end``) in ngspice."""
    return get_runner().run(netlist, what=what)
