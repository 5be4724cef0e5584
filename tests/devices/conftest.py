"""Where the devices tests find the Knowm W-SDC loop files.

Order (that of ``memlab.analysis._report.find_knowm_data`` without a fixed machine path):
``$MEMLAB_DATA``; else ``../shared/data`` from the working directory; else a folder
``shared/data`` beside the repository root or beside one of its parent folders (the
repository root is found from this file's location, so a checkout in ``<root>/main`` or
``<root>/wt/<name>`` finds ``<root>/shared/data``). A test needing the data fails (no skip)
with a message naming ``MEMLAB_DATA`` when none of these holds ``knowm_wsdc_5kohm/``.
"""
import os
from pathlib import Path

import pytest

from memlab.devices import knowm_data_dir
from memlab.devices._io import KNOWM_SET

_REPO = Path(__file__).resolve().parents[2]


def _candidates() -> list[Path]:
    return [Path.cwd().parent / "shared" / "data"] + [base / "shared" / "data" for base in _REPO.parents]


@pytest.fixture(scope="session")
def knowm_data() -> Path:
    """The folder of the Knowm CSV files (see the module docstring for the search order)."""
    if os.environ.get("MEMLAB_DATA"):
        return knowm_data_dir()
    for cand in _candidates():
        if (cand / KNOWM_SET).is_dir():
            return knowm_data_dir(cand)
    pytest.fail(f"Knowm W-SDC data not found: set MEMLAB_DATA to the folder that contains {KNOWM_SET}/ "
                f"(searched {[str(c) for c in _candidates()]})", pytrace=False)
