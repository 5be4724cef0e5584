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
``quit`` / ``exit`` in a ``.control`` block are refused before ngspice sees them
(:class:`~memlab.errors.NetlistError`); should ngspice still ask to detach (a sourced
script, a fatal error), the library is unloaded and loaded afresh before the next run,
so the process never goes on with a detached library.

The analysis runs in ngspice's background thread (``bg_run``) while the calling thread
polls it: Ctrl-C (KeyboardInterrupt) halts ngspice (``bg_halt``) and reaches the caller
within about a second, and ``timeout`` (s) halts a run that takes longer and raises
:class:`~memlab.errors.ConvergenceError` naming the timeout.
"""
from __future__ import annotations

import collections
import logging
import re
import threading
import time

import numpy as np

from memlab._validate import real
from memlab.errors import ConvergenceError, NetlistError, ParameterError, SimulatorNotFoundError

__all__ = ["NgspiceRunner", "get_runner", "run_netlist", "NgspiceResult"]

_log = logging.getLogger("memlab.circuits.ngspice")
_LOCK = threading.RLock()
_RUNNER = None
#: seconds the caller waits for ngspice's background thread to stop after ``bg_halt``
_HALT_WAIT = 10.0


class _RunTimeout(ConvergenceError):
    """A run was halted at its ``timeout`` (a ConvergenceError: the analysis did not complete;
    private so that :func:`~memlab.circuits.characterize` does not retry it)."""


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
            self.bg_state = "idle"
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

        @staticmethod
        def _background_thread_running(no_run, ngspice_id, user_data):
            # ngspice passes "the thread has exited" (True when it ends, False when it starts)
            self = ffi.from_handle(user_data)
            self.bg_state = "done" if no_run else "running"
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
            if existing is not None:
                # another part of the process created the instance first (a plain PySpice one
                # runs in the foreground: its thread callback cannot report to memlab)
                self._ng = existing
            else:
                self._ng = cls(ngspice_id=0, send_data=False, verbose=False)
                base._instances[0] = self._ng
        except OSError as exc:
            raise SimulatorNotFoundError(
                f"the ngspice shared library (libngspice) could not be loaded ({exc}); "
                f"run `make setup` (installs Debian's ngspice, libngspice0 and libngspice0-dev)") from exc
        self.version = getattr(self._ng, "_ngspice_version", None)
        self._detached = False
        self._setup()

    def _setup(self):
        # ngspice runs BSIM3/BSIM4 device evaluation on 2 OpenMP threads by default; on a
        # loaded machine (and next to numba's thread pool) the OpenMP threads spin-wait for
        # each other: a BSIM4 1T1R transient took 9 s instead of 1 s with two busy cores,
        # and one test run stalled for minutes. One thread is both faster and predictable.
        self._command("set num_threads=1")

    def _reload(self):
        """Unload libngspice and load it afresh (after ngspice detached itself: its global
        state is gone, and any further call into the old library crashes the process)."""
        ng, ffi = self._ng, self._ffi
        self._detached = True
        ffi.dlclose(ng._ngspice_shared)
        ng._ngspice_shared = ffi.dlopen(ng.library_path)
        ident = ng._ngspice_id
        ng._ngspice_id = int(ident[0]) if isinstance(ident, ffi.CData) else int(ident)  # PySpice keeps a pointer
        ng._init_ngspice(False)
        self._setup()
        self._detached = False
        _log.debug("ngspice asked to detach: libngspice was reloaded")

    def _exit_requested(self) -> bool:
        ng = self._ng
        if getattr(ng, "exit_requested", None):
            return True
        return any("asks for detaching" in m for m in self._messages(60))

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
        while allv != ffi.NULL and allv[k] != ffi.NULL:
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

    # -------------------------------------------------------------- background run
    def _background(self) -> bool:
        return isinstance(self._ng, self._cls)

    def _bg_run(self, what: str, timeout: float | None):
        """``bg_run`` and wait for it, polling; Ctrl-C or the timeout halt ngspice."""
        ng, lib = self._ng, self._ng._ngspice_shared
        ng.bg_state = "pending"
        t0 = time.monotonic()
        try:
            self._command("bg_run")
            pause = 1e-4
            while ng.bg_state != "done":
                if timeout is not None and time.monotonic() - t0 > timeout:
                    self._halt()
                    raise _RunTimeout(f"ngspice did not finish the {what} within timeout = {timeout!r} s; the run "
                                      f"was halted (raise 'timeout' or make the analysis shorter)",
                                      log="\n".join(self._messages()))
                if ng.bg_state == "pending" and not lib.ngSpice_running() and time.monotonic() - t0 > 5.0:
                    raise ConvergenceError(f"ngspice's background thread did not start for the {what}",
                                           log="\n".join(self._messages()))
                time.sleep(pause)
                pause = min(2 * pause, 0.02)
        except BaseException:
            if ng.bg_state != "done":
                self._halt()
            raise

    def _halt(self):
        """Stop ngspice's background thread (``bg_halt`` sets its interrupt flag, which the
        transient checks at every time point, and waits up to 1 s); bounded by _HALT_WAIT."""
        ng, lib = self._ng, self._ng._ngspice_shared
        t0 = time.monotonic()
        while ng.bg_state == "pending" and time.monotonic() - t0 < 1.0:   # not started yet
            time.sleep(1e-3)
        while lib.ngSpice_running() and time.monotonic() - t0 < _HALT_WAIT:
            lib.ngSpice_Command(b"bg_halt")
        if lib.ngSpice_running():
            _log.warning("ngspice's background thread did not stop within %g s", _HALT_WAIT)

    # -------------------------------------------------------------- public
    def run(self, netlist: str, *, what: str = "circuit", timeout: float | None = None) -> NgspiceResult:
        """Load ``netlist`` (text with one analysis line) and run it; return its vectors.

        ``timeout`` (s, optional): halt the analysis after this wall time and raise
        ConvergenceError naming it. Ctrl-C during the analysis halts ngspice and raises
        KeyboardInterrupt. Raises NetlistError when ngspice rejects the netlist (and, before
        ngspice sees it, for ``quit``/``exit`` in a ``.control`` block) and ConvergenceError
        when the analysis stops early; both carry ngspice's last messages.
        """
        lines = _netlist_lines(netlist)
        timeout = check_timeout(timeout)
        with _LOCK, _quiet_pyspice(not self._background()):
            if self._detached:
                self._reload()
            if self._background() and self._ng._ngspice_shared.ngSpice_running():
                self._halt()   # an earlier run that could not be stopped in time
                if self._ng._ngspice_shared.ngSpice_running():
                    raise ConvergenceError(f"ngspice is still busy with an interrupted run; cannot start the {what}")
            try:
                return self._run(lines, what, timeout)
            finally:
                if self._exit_requested():
                    self._reload()

    def _run(self, lines: list[str], what: str, timeout: float | None) -> NgspiceResult:
        ng = self._ng
        self._command("destroy all")
        self._command("remcirc")
        if hasattr(ng, "messages"):
            ng.messages.clear()
        ng.exit_requested = None
        keep = [self._ffi.new("char[]", ln.encode("utf8")) for ln in lines] + [self._ffi.NULL]
        arr = self._ffi.new("char *[]", keep)
        ng.clear_output()
        rc = ng._ngspice_shared.ngSpice_Circ(arr)
        msgs = self._messages()
        load_err = [m for m in msgs if _is_error(m)]
        if rc or load_err or self._exit_requested():
            raise NetlistError(f"ngspice rejected the {what} netlist: " + " | ".join(load_err or msgs[-8:]))
        if self._background():
            self._bg_run(what, timeout)
            rc = 0
        else:
            if timeout is not None:
                _log.warning("a plain PySpice ngspice instance runs in the foreground: timeout=%r s is not "
                             "enforced", timeout)
            rc = self._command("run")
        msgs = self._messages()
        errs = [m for m in msgs if _is_error(m)]
        plot = self._cur_plot()
        # a circuit that ngspice silently dropped leaves no current circuit
        if rc or errs or self._exit_requested() or plot in ("const", ""):
            log = "\n".join(msgs)
            if any("unknown" in m.lower() or "could not find" in m.lower() or "no such" in m.lower()
                   for m in errs):
                raise NetlistError(f"ngspice could not run the {what}: " + " | ".join(errs[-6:]))
            raise ConvergenceError(f"ngspice did not complete the {what} analysis: "
                                   + " | ".join((errs or msgs)[-6:]), log=log)
        vecs = self._vectors(plot)
        return NgspiceResult(plot, vecs, msgs)


def check_timeout(timeout, where: str = "run_netlist"):
    """``timeout`` (s) as a float in (0, inf), or None (no limit)."""
    return None if timeout is None else real(timeout, "timeout", lo=0.0, lo_open=True, unit="s", where=where)


_DETACH = re.compile(r"(quit|exit)\b", re.IGNORECASE)


def _netlist_lines(netlist) -> list[str]:
    """Non-blank lines of ``netlist`` ending in ``.end``; refuses non-text, empty text, and
    ``quit``/``exit`` in a ``.control`` block (they detach ngspice from the process)."""
    if not isinstance(netlist, str):
        raise ParameterError(f"run_netlist: parameter 'netlist' must be netlist text (str: title line, elements, "
                             f"one analysis, .end), got {type(netlist).__name__} {netlist!r:.60}")
    lines = [ln for ln in netlist.split("\n") if ln.strip()]
    if not lines:
        raise ParameterError("run_netlist: parameter 'netlist' is empty; give netlist text (title line, elements, "
                             "one analysis, .end)")
    control = False
    for k, ln in enumerate(lines, 1):
        word = ln.strip().lower()
        if word.startswith(".control"):
            control = True
        elif word.startswith(".endc"):
            control = False
        elif control and any(_DETACH.match(part.strip()) for part in word.split(";")):
            raise NetlistError(f"run_netlist: line {k} {ln.strip()!r} of a .control block would detach ngspice from "
                               f"the process; 'quit' and 'exit' are not allowed (memlab ends the run itself)")
    if lines[-1].strip().lower() != ".end":
        lines.append(".end")
    return lines


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


def run_netlist(netlist: str, *, what: str = "circuit", timeout: float | None = None) -> NgspiceResult:
    """Run a complete netlist (title line, elements, one analysis, ``.end``) in ngspice.

    ``timeout`` in s (default: none): see :meth:`NgspiceRunner.run`. The netlist is checked
    before ngspice starts (text, not empty, no ``quit``/``exit`` in a ``.control`` block).
    """
    lines = _netlist_lines(netlist)   # refuse bad input before loading the library
    timeout = check_timeout(timeout)
    return get_runner().run("\n".join(lines), what=what, timeout=timeout)
