import collections
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

_FUZZ = collections.Counter()


@pytest.fixture
def fuzz_tally():
    """Session-wide count of bad-input outcome classes (printed at the end of the run)."""
    return _FUZZ


def pytest_terminal_summary(terminalreporter):
    if _FUZZ:
        total = sum(_FUZZ.values())
        rows = ", ".join(f"{k} {v}" for k, v in sorted(_FUZZ.items(), key=lambda kv: -kv[1]))
        terminalreporter.write_sep("-", f"bad-input fuzz tally: {total} cases: {rows}")
