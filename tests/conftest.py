import collections
import os

import pytest
# hypothesis imports (and pytest rewrites) its modules lazily; on CPython 3.11.7 compiling them
# while another thread compiles (Dask's and numba's import threads in the fault tests) can
# raise "SystemError: AST constructor recursion depth mismatch" (seen 2 of 4 runs of the Dask
# fault tests alone, 0 of 4 with this import):
# import it here, once, before any test starts a thread
import hypothesis.strategies  # noqa: E402,F401

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

_FUZZ = collections.Counter()


@pytest.fixture(scope="session")
def knowm_data():
    """The measured Knowm loops, from ``$MEMLAB_DATA`` only (``make test`` sets it; see the
    Makefile). Tests that need measured data fail, not skip, when it is not given."""
    from memlab.devices import knowm_data_dir
    from memlab.errors import MemlabError
    try:
        return knowm_data_dir()
    except MemlabError as err:
        pytest.fail(f"measured data not found: {err} (make test sets MEMLAB_DATA)", pytrace=False)


@pytest.fixture
def fuzz_tally():
    """Session-wide count of bad-input outcome classes (printed at the end of the run)."""
    return _FUZZ


# ------------------------------------------------------------------ parallel runs (pytest-xdist)
# `make test` runs the suite on one worker process per core (pytest -n auto). Tests go out one
# by one, except that the tests of a module that take one of its module-, class- or
# session-scoped fixtures (a fit, a trained network, a report: computed once per process)
# form one unit of work on one worker, so such a fixture is still computed once per run; the
# tests of a class stay together. Fixtures of conftest.py files are cheap and do not group.
# The controller does not import the test modules: it reads their fixture definitions and
# test signatures with ast (a test that takes such a fixture only through a function-scoped
# one is not seen and may run on either worker; xdist's own --dist
# loadgroup marks do not reach the scheduler under pytest 9, whose node ids are immutable).
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SHARED: dict[str, tuple[set, bool]] = {}


def _shared_fixtures(path: str) -> tuple[set, bool]:
    """(names of the test functions of ``path`` that take a shared fixture, whether the
    module has an autouse shared fixture)."""
    if path not in _SHARED:
        import ast
        try:
            tree = ast.parse(open(os.path.join(_ROOT, path), encoding="utf8").read())
        except (OSError, SyntaxError, ValueError):
            _SHARED[path] = (set(), True)
            return _SHARED[path]
        funcs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        shared, autouse = set(), False
        for f in funcs:
            for dec in f.decorator_list:
                kw = {k.arg: k.value for k in dec.keywords} if isinstance(dec, ast.Call) else {}
                scope = kw.get("scope")
                if isinstance(scope, ast.Constant) and scope.value in ("module", "class", "package", "session"):
                    shared.add(f.name)
                    use = kw.get("autouse")
                    autouse |= isinstance(use, ast.Constant) and bool(use.value)
        users = {f.name for f in funcs if f.name.startswith("test") and shared & {a.arg for a in f.args.args}}
        _SHARED[path] = (users, autouse)
    return _SHARED[path]


def _xdist_scope(nodeid: str) -> str:
    """The unit of work of ``nodeid``: its module (shared fixture), class, or the test itself."""
    parts = nodeid.split("::")
    if len(parts) > 2:                                   # a test method: its class
        return "::".join(parts[:2])
    if len(parts) == 2 and parts[0].endswith(".py"):
        users, autouse = _shared_fixtures(parts[0])
        if autouse or parts[1].split("[", 1)[0] in users:
            return parts[0]
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _xdist_scope(nodeid)

    return SharedFixtureScheduling(config, log)


def pytest_sessionfinish(session):
    # a worker hands its fuzz tally to the controller, which prints the sum
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["memlab_fuzz"] = dict(_FUZZ)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _FUZZ.update(getattr(node, "workeroutput", {}).get("memlab_fuzz", {}))


def pytest_terminal_summary(terminalreporter):
    if _FUZZ:
        total = sum(_FUZZ.values())
        rows = ", ".join(f"{k} {v}" for k, v in sorted(_FUZZ.items(), key=lambda kv: -kv[1]))
        terminalreporter.write_sep("-", f"bad-input fuzz tally: {total} cases: {rows}")
