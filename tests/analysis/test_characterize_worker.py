"""The demo's device characterisation with its simulations on worker processes."""
import multiprocessing

import numpy as np
import pytest

pytest.importorskip("PySpice")

from memlab.analysis._characterize import characterize_models  # noqa: E402


def test_workers_give_the_serial_result_and_leave_no_process(tmp_path):
    """The native and ngspice runs on two spawned workers (workers=2) must give, bit for
    bit, the traces and fingerprints of the same runs in this process (both simulators are
    deterministic), and the workers must be gone when the call returns."""
    kw = {"models": ["hp", "threshold"], "spice": True, "progress": False}
    par = characterize_models(tmp_path / "par", workers=2, **kw)
    assert not multiprocessing.active_children()
    ser = characterize_models(tmp_path / "ser", workers=0, **kw)
    assert par["notes"] == ser["notes"] == []
    for key in kw["models"]:
        for sim in ("native", "ngspice"):
            a, b = par["traces"][key][sim], ser["traces"][key][sim]
            assert a.model == b.model and a.t.size > 100
            for name in ("t", "v", "i", "x"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert [r["ngspice_max_dev"] for r in par["rows"]] == [r["ngspice_max_dev"] for r in ser["rows"]]
    assert par["residuals"] is not None


def test_workers_is_checked():
    from memlab.errors import ParameterError

    with pytest.raises(ParameterError, match="workers"):
        characterize_models("unused", models=["hp"], workers=-1)
