"""The demo's device characterisation with its ngspice runs in a worker process."""
import multiprocessing

import numpy as np
import pytest

pytest.importorskip("PySpice")

from memlab.analysis._characterize import characterize_models  # noqa: E402


def test_spice_worker_gives_the_serial_result_and_leaves_no_process(tmp_path):
    """ngspice in one spawned worker beside the native runs (spice_worker=True) must give,
    bit for bit, the traces and fingerprints of the same runs one after the other (ngspice
    is deterministic), and the worker must be gone when the call returns."""
    kw = {"models": ["hp", "threshold"], "spice": True, "progress": False}
    par = characterize_models(tmp_path / "par", spice_worker=True, **kw)
    assert not multiprocessing.active_children()
    ser = characterize_models(tmp_path / "ser", spice_worker=False, **kw)
    assert par["notes"] == ser["notes"] == []
    for key in kw["models"]:
        a, b = par["traces"][key]["ngspice"], ser["traces"][key]["ngspice"]
        assert a.model == b.model and a.t.size > 100
        for name in ("t", "v", "i", "x"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert [r["ngspice_max_dev"] for r in par["rows"]] == [r["ngspice_max_dev"] for r in ser["rows"]]
    assert par["residuals"] is not None
