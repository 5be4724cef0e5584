import collections
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

_FUZZ = collections.Counter()


@pytest.fixture(scope="session")
def knowm_dir():
    """The measured Knowm loops: ``$MEMLAB_DATA/knowm_wsdc_5kohm`` (``make test`` sets
    MEMLAB_DATA). Tests that need measured data fail, not skip, when it is not given."""
    from memlab.analysis import find_knowm_data
    folder = find_knowm_data()
    if folder is None:
        pytest.fail("measured data not given: set MEMLAB_DATA to the folder that holds knowm_wsdc_5kohm/ "
                    "(make test does this)", pytrace=False)
    return folder


@pytest.fixture
def fuzz_tally():
    """Session-wide count of bad-input outcome classes (printed at the end of the run)."""
    return _FUZZ


def pytest_terminal_summary(terminalreporter):
    if _FUZZ:
        total = sum(_FUZZ.values())
        rows = ", ".join(f"{k} {v}" for k, v in sorted(_FUZZ.items(), key=lambda kv: -kv[1]))
        terminalreporter.write_sep("-", f"bad-input fuzz tally: {total} cases: {rows}")
