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


def pytest_terminal_summary(terminalreporter):
    if _FUZZ:
        total = sum(_FUZZ.values())
        rows = ", ".join(f"{k} {v}" for k, v in sorted(_FUZZ.items(), key=lambda kv: -kv[1]))
        terminalreporter.write_sep("-", f"bad-input fuzz tally: {total} cases: {rows}")
