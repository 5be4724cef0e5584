import collections
import os

import pytest

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
